import { createHash } from 'node:crypto';
import { digestEntry } from '../../unpack/hash.js';
import { UnpackError } from '../../errors.js';
import type { Finding } from '../../model/finding.js';
import { newPackage, type License, type Package } from '../../model/package.js';
import type { FileEntry, FileSource } from '../../unpack/source.js';
import { openZipBuffer } from '../../unpack/zip.js';
import {
  optPrefix,
  parseErrorFinding,
  type Cataloger,
  type CatalogContext,
  type CatalogResult,
} from '../cataloger.js';
import { mavenPurl } from '../purl.js';
import { licenseOf, spdxIdOfLicenseUrl } from '../license.js';
import {
  manifestClassPath,
  manifestIdentity,
  parseArchiveFileName,
  parseManifest,
  parsePomProperties,
  pomLicenses,
  type PomProperties,
} from './metadata.js';
import { EXPLODED_JAR, JAVA_GLOBS, EXTENSIONS } from './globs.js';
import { classPathTokens, jarUrl, resolveClassPathToken } from './classpath.js';

const NAME = JAVA_GLOBS.name;
const ARCHIVE_RE = new RegExp(`\\.(?:${EXTENSIONS.join('|')})$`, 'i');
const POM_PROPERTIES_RE = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;

/**
 * Java archives anywhere in the layer (a Java layer's CLASSPATH is
 * `java/lib`). Each archive is identified by its `pom.properties`, else its
 * manifest, else its file name; nested archives (`BOOT-INF/lib`,
 * `WEB-INF/lib`, ...) are opened in memory, bounded by `maxNestedSize` and
 * `maxDepth`.
 */
export const javaCataloger: Cataloger = {
  ...JAVA_GLOBS,
  async catalog(ctx) {
    const out: CatalogResult = { packages: [], findings: [] };
    const exploded = new Map<string, string>();
    const read = new Map<string, ReadArchive>();
    for (const entry of ctx.matches) {
      const dir = EXPLODED_JAR.exec(entry.path)?.[1];
      if (dir !== undefined && !exploded.has(dir)) exploded.set(dir, entry.path);
      if (!ARCHIVE_RE.test(entry.path)) continue;
      const archive: ReadArchive = { display: entry.path };
      read.set(realPathOf(ctx, entry.path), archive);
      try {
        archive.pkg = await catalogTopLevel(ctx, entry, out, archive);
      } catch (err) {
        out.findings.push(parseErrorFinding(NAME, entry.path, err));
      }
    }
    await followClassPaths(ctx, read, out);
    // Reading a class directory as a jar is not implemented: what it holds stays unseen.
    for (const [dir, first] of exploded)
      out.findings.push({
        code: 'SPECIAL_FILE',
        severity: 'error',
        path: first,
        message: `${NAME}: ${dir}/ is a directory named like a jar: the class path wildcard /opt/java/lib/* loads its classes, and lamina reads only jar files`,
      });
    return out;
  },
};

interface Hashes {
  'SHA-1': string;
  'SHA-256': string;
}

function hashBytes(buf: Buffer): Hashes {
  return {
    'SHA-1': createHash('sha1').update(buf).digest('hex'),
    'SHA-256': createHash('sha256').update(buf).digest('hex'),
  };
}

async function hashStream(source: FileSource, path: string): Promise<Hashes> {
  const [sha1, sha256] = await digestEntry(source, path, ['sha1', 'sha256']);
  return { 'SHA-1': sha1!.toString('hex'), 'SHA-256': sha256!.toString('hex') };
}

/** One archive to catalog: where its bytes came from and how deep it sits. */
interface ArchiveRef {
  /** The source holding the archive as an entry (the layer or an outer archive). */
  holder: FileSource;
  entry: FileEntry;
  /** Path shown as evidence: layer-relative, with `!/` before each nested entry. */
  display: string;
  /** Nesting depth of the archive once opened (1 for a jar in the layer). */
  depth: number;
  /** Told the manifest's `Class-Path` value, when it has one, or why the manifest was not read. */
  onClassPath?: (manifest: ManifestClassPath) => void;
  /**
   * Told the path of the archive's JarIndex (`META-INF/INDEX.LIST`), when it has one, and the
   * jars it names (null when lamina could not read it).
   */
  onJarIndex?: (entry: string, jars: readonly string[] | null) => void;
}

/** A manifest's `Class-Path` value, or the error that kept lamina from reading the manifest. */
type ManifestClassPath = { classPath: string } | { error: unknown };

async function catalogTopLevel(
  ctx: CatalogContext,
  entry: FileEntry,
  out: CatalogResult,
  archive: ReadArchive
): Promise<Package | undefined> {
  const pkg = await catalogArchive(
    ctx,
    {
      holder: ctx.source,
      entry,
      display: entry.path,
      depth: ctx.depth + 1,
      onClassPath: (m) => (archive.manifest = m),
      onJarIndex: (e, jars) => Object.assign(archive, { jarIndex: e, jarIndexJars: jars }),
    },
    out
  );
  if (pkg) pkg.owns.push(entry.path);
  return pkg;
}

/** A file of the layer read as an archive: its package and its manifest's Class-Path. */
interface ReadArchive {
  /** The path it was read under (its evidence). */
  display: string;
  pkg?: Package;
  manifest?: ManifestClassPath;
  /** Its JarIndex entry (`META-INF/INDEX.LIST`), when it has one. */
  jarIndex?: string;
  /** The jars its JarIndex names, in order; null when it could not be read. */
  jarIndexJars?: readonly string[] | null;
  /** On the class path by the runtime's own listing (`/opt/java/lib/*.jar`). */
  listed?: boolean;
  /** The jar whose Class-Path first named it, when it is on the class path only by that. */
  classPathOf?: string;
}

/** Links followed to the end: the path a runtime opens, or the path itself when it leads nowhere. */
function realPathOf(ctx: CatalogContext, path: string): string {
  if (!ctx.links.hasLinks) return path;
  const r = ctx.links.resolve(path);
  return r.ok ? r.path : path;
}

/** Jars reached through Class-Path from a class path jar, one chain after another, at most this deep. */
export const MAX_CLASS_PATH_DEPTH = 16;
/** Class-Path entries followed in one layer, at most. */
export const MAX_CLASS_PATH_ENTRIES = 4096;

/**
 * The jars the Java runtime puts on its class path: `/opt/java/lib/*.jar` (and `.JAR`), and in
 * an image the function's `lib/*.jar` too. Lambda's runtime loads them with a URLClassLoader,
 * which also loads what each one's manifest `Class-Path` names, right after it.
 */
function classPathJar(ctx: CatalogContext): (path: string) => boolean {
  const dirs = [`${optPrefix(ctx.root)}java/lib`];
  if (ctx.root === 'image' && ctx.taskRoot !== undefined) dirs.push(`${ctx.taskRoot}/lib`);
  return (path) => {
    const slash = path.lastIndexOf('/');
    return dirs.includes(path.slice(0, slash)) && /\.(?:jar|JAR)$/.test(path.slice(slash + 1));
  };
}

/**
 * Follow the `Class-Path` of every class path jar, as the JVM does: a file in the layer it names
 * is read as a jar whatever its name (once, however many jars name it) and its own Class-Path
 * followed in turn; a class directory, a path out of the layer, an absolute path or a URL is
 * code lamina does not see (`error`); a path to nothing in this layer loads nothing unless
 * another layer provides it (`CLASS_PATH_DANGLING`, a `warning`, as for a dangling link).
 */
async function followClassPaths(
  ctx: CatalogContext,
  read: Map<string, ReadArchive>,
  out: CatalogResult
): Promise<void> {
  const isOnClassPath = classPathJar(ctx);
  const mount = ctx.root === 'image' ? [] : ['opt'];
  // Each job: a jar as the runtime names it (its URL), the archive it is, how far down the chain.
  // A URL is followed once, as the class loader opens each URL once.
  const queue: { url: string; archive: ReadArchive; depth: number }[] = [];
  const queued = new Set<string>();
  const enqueue = (url: string, archive: ReadArchive, depth: number): void => {
    if (queued.has(url)) return;
    queued.add(url);
    queue.push({ url, archive, depth });
  };
  for (const [real, archive] of read) {
    const paths = [real, ...(ctx.links.hasLinks ? ctx.links.aliases(real) : [])];
    for (const p of paths)
      if (isOnClassPath(p)) {
        archive.listed = true;
        enqueue(jarUrl(mount, p), archive, 0);
        const name = p.slice(p.lastIndexOf('/') + 1);
        if (/[#%]/.test(name))
          out.findings.push(
            refused(
              p,
              `${NAME}: ${p} is on the class path under a name holding '#' or '%': Lambda's Java runtime makes its URL of the name unencoded, so the class loader drops what follows a '#' and decodes a '%' escape, and opens another file (${JSON.stringify(name)} is ${JSON.stringify(openedName(name))} to it) than the jar lamina read`
            )
          );
      }
  }
  let followed = 0;
  const indexed = new Set<ReadArchive>();
  for (let q = 0; q < queue.length; q++) {
    const { url, archive, depth } = queue[q]!;
    const where = `${archive.display}!/META-INF/MANIFEST.MF`;
    // A JarIndex makes the URLClassLoader of Java 8 to 17 open the jars it lists (each relative to
    // this jar, whatever its name: `evil.dat#.jar` opens evil.dat) to find a class or resource in
    // a package it maps to them; lamina does not follow it. One naming only plain jar names
    // beside a jar in a listed directory (objenesis names itself, ant `ant.jar`) opens only jars
    // the runtime lists anyway, which lamina reads as it does every class path jar.
    if (
      archive.jarIndex !== undefined &&
      !indexed.has(archive) &&
      !indexStaysListed(archive.jarIndexJars, url, mount, isOnClassPath)
    ) {
      indexed.add(archive);
      out.findings.push(
        refused(
          `${archive.display}!/${archive.jarIndex}`,
          `${NAME}: ${archive.display} is on the class path and holds a JarIndex (${archive.jarIndex}): the URLClassLoader of Java 8 to 17 opens the jars it names, which lamina does not follow`
        )
      );
    }
    if (archive.manifest === undefined) continue;
    if ('error' in archive.manifest) {
      out.findings.push(
        parseErrorFinding(
          NAME,
          where,
          `${String(archive.manifest.error)}; the JVM follows its Class-Path, which lamina could not read`
        )
      );
      continue;
    }
    for (const token of classPathTokens(archive.manifest.classPath)) {
      if (++followed > MAX_CLASS_PATH_ENTRIES) {
        out.findings.push(
          refused(
            where,
            `${NAME}: more than ${MAX_CLASS_PATH_ENTRIES} Class-Path entries in this layer; ${archive.display} names ${JSON.stringify(token)} and the rest are not followed`
          )
        );
        return;
      }
      const target = resolveClassPathToken(url, mount, token);
      const about = `${NAME}: ${archive.display} has Class-Path ${JSON.stringify(token)}`;
      const error = (code: Finding['code'], why: string): void => {
        out.findings.push({ code, severity: 'error', path: where, message: `${about}, ${why}` });
      };
      if (target.kind === 'url') {
        error('ABSOLUTE_PATH', 'a URL lamina does not follow: the JVM may load classes from it');
        continue;
      }
      if (target.kind === 'absolute') {
        error(
          'ABSOLUTE_PATH',
          'an absolute path: what the JVM loads from it is not in this layer for lamina to read'
        );
        continue;
      }
      if (target.kind === 'undecodable') {
        error('PARSE_ERROR', 'whose percent escapes do not decode');
        continue;
      }
      const r = ctx.links.resolve(target.path);
      if (!r.ok) {
        if (r.reason === 'outside')
          error(
            'PATH_TRAVERSAL',
            'which leads out of the layer: the JVM loads classes from there, and lamina cannot read them'
          );
        else if (r.reason === 'loop')
          error('SYMLINK_LOOP', `which does not resolve within its links`);
        else
          out.findings.push({
            code: 'CLASS_PATH_DANGLING',
            severity: 'warning',
            path: where,
            message: `${about}, which leads to nothing in this layer (another layer mounted at /opt may provide it)`,
          });
        continue;
      }
      const kind = r.entry?.kind ?? 'dir';
      if (target.directory) {
        if (kind === 'dir')
          error(
            'SPECIAL_FILE',
            `the directory ${r.path || '/opt'}/: the JVM loads its classes, and lamina reads only jar files`
          );
        // A file named with a trailing slash, ENOTDIR: the JVM loads nothing from it.
        continue;
      }
      // A directory named without a trailing slash: the JVM opens it as a jar, and fails.
      if (kind !== 'file' || r.entry === undefined) continue;
      let found = read.get(r.path);
      if (!found) {
        const opened: ReadArchive = { display: r.path };
        found = opened;
        read.set(r.path, opened);
        try {
          found.pkg = await catalogArchive(
            ctx,
            {
              holder: ctx.source,
              entry: r.entry,
              display: r.path,
              depth: ctx.depth + 1,
              onClassPath: (m) => (opened.manifest = m),
              onJarIndex: (e, jars) => Object.assign(opened, { jarIndex: e, jarIndexJars: jars }),
            },
            out
          );
        } catch (err) {
          out.findings.push(parseErrorFinding(NAME, r.path, err));
        }
        // Not read as a jar (refused, with its finding), it is not recorded at all.
        found.pkg?.owns.push(r.path);
      }
      // On the class path only through a Class-Path (under a jar's name or not): code the JVM
      // loads that nothing names a version of is incomplete, like a module no metadata claims.
      if (found.pkg && !found.listed && found.classPathOf === undefined) {
        found.classPathOf = archive.display;
        found.pkg.properties['java:class-path-of'] = archive.display;
        if (found.pkg.version === undefined)
          out.findings.push({
            code: 'METADATA_INCOMPLETE',
            severity: 'error',
            path: found.display,
            message: `${about}, so the JVM loads ${r.path} as a jar, and neither pom.properties, its manifest nor its name gives a version: recorded as ${found.pkg.name} with no version`,
          });
      }
      if (found.pkg && archive.pkg && found.pkg !== archive.pkg)
        if (!archive.pkg.dependsOn.includes(found.pkg.id)) archive.pkg.dependsOn.push(found.pkg.id);
      if (depth + 1 >= MAX_CLASS_PATH_DEPTH) {
        if (found.manifest !== undefined || found.jarIndex !== undefined)
          out.findings.push(
            refused(
              `${found.display}!/META-INF/MANIFEST.MF`,
              `${NAME}: ${found.display} is ${depth + 1} Class-Path links from the class path, over ${MAX_CLASS_PATH_DEPTH}; its own Class-Path is not followed`
            )
          );
        continue;
      }
      // A jar reached again by another URL resolves its Class-Path against that URL too.
      enqueue(target.url, found, depth + 1);
    }
  }
}

/**
 * The file name Lambda's Java runtime opens for a jar it lists by `name`: its loader builds the
 * URL `file:<dir>/<name>` without encoding the name, so `java.net.URL` takes what follows a `#`
 * as a fragment and the class loader percent-decodes the rest (an escape that does not decode
 * is left as written here).
 */
function openedName(name: string): string {
  const file = name.split('#')[0]!;
  try {
    return decodeURIComponent(file);
  } catch {
    return file;
  }
}

/** The JVM (or a fat-jar launcher) could load what lamina did not open: incomplete. */
function refused(path: string, message: string): Finding {
  return { code: 'NESTED_ARCHIVE_REFUSED', severity: 'error', path, message };
}

/**
 * Metadata inside a jar that could not be read costs only the package's name:
 * the jar is still recorded with its hashes, under its file name.
 */
function metadataProblem(path: string, err: unknown): Finding {
  return parseErrorFinding(NAME, path, err, 'warning');
}

/**
 * Catalog one archive and what it nests; returns its own package (the one
 * that carries the archive hashes), if any. An archive refused for its depth,
 * size or structure is still reported from its file name and hashes (when
 * the name carries a version), so the layer accounts for it.
 */
async function catalogArchive(
  ctx: CatalogContext,
  ref: ArchiveRef,
  out: CatalogResult
): Promise<Package | undefined> {
  const { holder, entry, display, depth } = ref;
  const fromName = (hashes: Hashes | undefined): Package | undefined => {
    const fn = parseArchiveFileName(entry.path);
    if (!fn.version) return undefined;
    const pkg = buildPackage(ctx, display, fn.name, fn.name, fn.version);
    if (hashes) pkg.hashes = { ...hashes };
    out.packages.push(pkg);
    return pkg;
  };

  if (depth > ctx.limits.maxDepth) {
    out.findings.push(
      refused(
        display,
        `${display} is nested ${depth} archives deep, over --max-depth ${ctx.limits.maxDepth}; not opened`
      )
    );
    return fromName(await hashStream(holder, entry.path));
  }
  if (entry.size > ctx.limits.maxNestedSize) {
    out.findings.push(
      refused(
        display,
        `${display} is ${entry.size} bytes, over --max-nested-size ${ctx.limits.maxNestedSize}; not opened`
      )
    );
    return fromName(await hashStream(holder, entry.path));
  }

  const bytes = await holder.read(entry.path, ctx.limits.maxNestedSize);
  const hashes = hashBytes(bytes);
  let zip: FileSource;
  try {
    zip = await openZipBuffer(bytes, { name: display, limits: ctx.limits, depth });
  } catch (err) {
    if (!(err instanceof UnpackError)) throw err;
    out.findings.push(refused(display, `${display} not opened (${err.code}): ${err.message}`));
    return fromName(hashes);
  }
  try {
    for (const f of zip.findings)
      out.findings.push({ ...f, path: f.path === undefined ? display : `${display}!/${f.path}` });
    if (ref.onJarIndex) {
      const index = jarIndexEntry(zip);
      if (index !== undefined) ref.onJarIndex(index, await jarIndexJars(zip, index, ctx));
    }
    const main = await identify(ctx, zip, display, entry.path, out, ref.onClassPath);
    main.hashes = { ...hashes };
    const ext = /\.([A-Za-z]+)$/.exec(entry.path)?.[1]?.toLowerCase();
    if (ext) main.properties['java:archive-type'] = ext;

    for (const inner of zip.entries()) {
      if (inner.kind !== 'file' || !ARCHIVE_RE.test(inner.path)) continue;
      const innerDisplay = `${display}!/${inner.path}`;
      try {
        const nested = await catalogArchive(
          ctx,
          { holder: zip, entry: inner, display: innerDisplay, depth: depth + 1 },
          out
        );
        if (nested) main.dependsOn.push(nested.id);
      } catch (err) {
        out.findings.push(parseErrorFinding(NAME, innerDisplay, err));
      }
    }
    return main;
  } finally {
    await zip.close();
  }
}

/**
 * Name the archive from its contents. A shaded jar holds several
 * pom.properties: the one matching the file name (or the only one) is the
 * archive's own; the others become packages contained in it.
 */
async function identify(
  ctx: CatalogContext,
  zip: FileSource,
  display: string,
  fileName: string,
  out: CatalogResult,
  onClassPath?: (manifest: ManifestClassPath) => void
): Promise<Package> {
  const poms: { path: string; props: PomProperties }[] = [];
  for (const e of zip.entries()) {
    if (e.kind !== 'file' || !POM_PROPERTIES_RE.test(e.path)) continue;
    try {
      const text = (await zip.read(e.path, ctx.limits.maxFileSize)).toString('utf8');
      const props = parsePomProperties(text, e.path);
      if (props) poms.push({ path: e.path, props });
      else out.findings.push(metadataProblem(`${display}!/${e.path}`, 'no artifactId or version'));
    } catch (err) {
      out.findings.push(metadataProblem(`${display}!/${e.path}`, err));
    }
  }
  let manifest = new Map<string, string>();
  const manifestPath = manifestEntry(zip);
  if (manifestPath !== undefined) {
    try {
      manifest = parseManifest(
        (await zip.read(manifestPath, ctx.limits.maxFileSize)).toString('utf8')
      );
    } catch (err) {
      out.findings.push(metadataProblem(`${display}!/${manifestPath}`, err));
      // What the JVM loads through an unread manifest's Class-Path is not known.
      onClassPath?.({ error: err });
    }
  }
  const classPath = manifestClassPath(manifest);
  if (classPath !== undefined) onClassPath?.({ classPath });
  const fn = parseArchiveFileName(fileName);
  const own =
    poms.find((p) => p.props.artifactId === fn.name) ??
    poms
      .filter((p) => fn.name.startsWith(`${p.props.artifactId}-`))
      .sort((a, b) => b.props.artifactId.length - a.props.artifactId.length)[0] ??
    (poms.length === 1 ? poms[0] : undefined);

  let main: Package;
  const mi = manifestIdentity(manifest);
  if (own) {
    const { groupId, artifactId, version } = own.props;
    main = buildPackage(ctx, display, groupId, artifactId, version);
  } else {
    // No pom.properties: the file name is the artifactId Maven gave it, the manifest's version
    // is the build's own. The group is not derived from the manifest (Implementation-Vendor-Id
    // is a vendor such as `org.apache`; a symbolic name is not a groupId): a Maven purl needs
    // one, so it is the artifactId (as for commons-logging, aopalliance), marked as assumed.
    const name = fn.version !== undefined || !mi.name ? fn.name : mi.name;
    main = buildPackage(ctx, display, name, name, mi.version ?? fn.version);
    main.properties['java:group-assumed'] = 'true';
  }
  main.licenses = await licenses(ctx, zip, mi.license, own?.path);
  out.packages.push(main);

  for (const p of poms) {
    if (p === own) continue;
    const { groupId, artifactId, version } = p.props;
    const evidence = `${display}!/${p.path}`;
    const shaded = buildPackage(ctx, evidence, groupId, artifactId, version);
    shaded.properties['java:shaded-in'] = display;
    shaded.licenses = await licenses(ctx, zip, undefined, p.path);
    out.packages.push(shaded);
    main.dependsOn.push(shaded.id);
  }
  return main;
}

/**
 * The manifest entry: `META-INF/MANIFEST.MF`, else one named so in another case, which
 * `JarFile` also takes.
 */
function manifestEntry(zip: FileSource): string | undefined {
  const exact = 'META-INF/MANIFEST.MF';
  if (zip.get(exact)?.kind === 'file') return exact;
  return zip.entries().find((e) => e.kind === 'file' && e.path.toUpperCase() === exact)?.path;
}

/**
 * The JarIndex entry: `META-INF/INDEX.LIST` (what `JarIndex.getJarIndex` opens), else one named
 * so in another case (read as one too, to be safe).
 */
function jarIndexEntry(zip: FileSource): string | undefined {
  const exact = 'META-INF/INDEX.LIST';
  if (zip.get(exact)?.kind === 'file') return exact;
  return zip.entries().find((e) => e.kind === 'file' && e.path.toUpperCase() === exact)?.path;
}

/**
 * The jars a JarIndex names, as `JarIndex.read` finds them: every line (ended by LF, CR or CRLF,
 * read as UTF-8) that ends in `.jar`. Null when it cannot be read within the file size bound.
 */
async function jarIndexJars(
  zip: FileSource,
  entry: string,
  ctx: CatalogContext
): Promise<string[] | null> {
  try {
    const text = (await zip.read(entry, ctx.limits.maxFileSize)).toString('utf8');
    return text.split(/\r\n|\r|\n/).filter((line) => line.endsWith('.jar'));
  } catch {
    return null;
  }
}

/**
 * Whether every jar a JarIndex names is one the runtime lists: a plain file name (nothing a URL
 * resolves otherwise), resolved beside the jar at the URL path `url`, in a listed directory.
 */
function indexStaysListed(
  jars: readonly string[] | null | undefined,
  url: string,
  mount: readonly string[],
  isOnClassPath: (path: string) => boolean
): boolean {
  if (!jars || jars.length === 0) return false;
  let segments: string[];
  try {
    segments = url.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return false;
  }
  if (mount.some((m, i) => segments[i] !== m)) return false;
  const dir = segments.slice(mount.length, -1).join('/');
  return jars.every(
    (j) => /^[A-Za-z0-9._-]+\.jar$/.test(j) && isOnClassPath(dir ? `${dir}/${j}` : j)
  );
}

/** `Bundle-License` when it is SPDX, else the pom.xml next to pom.properties, else Bundle-License as a name. */
async function licenses(
  ctx: CatalogContext,
  zip: FileSource,
  bundleLicense: string | undefined,
  pomPropertiesPath: string | undefined
): Promise<License[]> {
  const spdxId = bundleLicense ? spdxIdOfLicenseUrl(bundleLicense) : undefined;
  const bundle = spdxId
    ? ({ $case: 'expression', expression: spdxId } as const)
    : bundleLicense
      ? licenseOf(bundleLicense)
      : undefined;
  if (bundle?.$case === 'expression') return [bundle];
  const pomXml = pomPropertiesPath?.replace(/pom\.properties$/, 'pom.xml');
  if (pomXml && zip.get(pomXml)?.kind === 'file') {
    try {
      const xml = (await zip.read(pomXml, ctx.limits.maxFileSize)).toString('utf8');
      const found = pomLicenses(xml)
        .map(licenseOf)
        .filter((l): l is License => l !== undefined);
      if (found.length > 0) return found;
    } catch {
      // An unreadable pom.xml only costs the license; pom.properties already named the package.
    }
  }
  return bundle ? [bundle] : [];
}

/** A Maven package whose evidence is `evidence` (a layer path, `!/` inside archives). */
function buildPackage(
  ctx: CatalogContext,
  evidence: string,
  groupId: string,
  artifactId: string,
  version: string | undefined
): Package {
  return newPackage({
    id: `maven:${evidence}`,
    ecosystem: 'maven',
    name: artifactId,
    namespace: groupId,
    version,
    purl: mavenPurl(groupId, artifactId, version),
    foundBy: NAME,
    locations: [{ path: evidence, layerDigest: ctx.layerDigest }],
  });
}
