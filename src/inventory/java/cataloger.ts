import { createHash } from 'node:crypto';
import { digestEntry } from '../../unpack/hash.js';
import { UnpackError } from '../../errors.js';
import type { Finding } from '../../model/finding.js';
import { newPackage, type License, type Package } from '../../model/package.js';
import type { FileEntry, FileSource } from '../../unpack/source.js';
import { openZipBuffer } from '../../unpack/zip.js';
import {
  parseErrorFinding,
  type Cataloger,
  type CatalogContext,
  type CatalogResult,
} from '../cataloger.js';
import { mavenPurl } from '../purl.js';
import { licenseOf, spdxIdOfLicenseUrl } from '../license.js';
import {
  manifestIdentity,
  parseArchiveFileName,
  parseManifest,
  parsePomProperties,
  pomLicenses,
  type PomProperties,
} from './metadata.js';
import { EXPLODED_JAR, JAVA_GLOBS, EXTENSIONS } from './globs.js';

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
    for (const entry of ctx.matches) {
      const dir = EXPLODED_JAR.exec(entry.path)?.[1];
      if (dir !== undefined && !exploded.has(dir)) exploded.set(dir, entry.path);
      if (!ARCHIVE_RE.test(entry.path)) continue;
      try {
        await catalogTopLevel(ctx, entry, out);
      } catch (err) {
        out.findings.push(parseErrorFinding(NAME, entry.path, err));
      }
    }
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
}

async function catalogTopLevel(
  ctx: CatalogContext,
  entry: FileEntry,
  out: CatalogResult
): Promise<void> {
  const pkg = await catalogArchive(
    ctx,
    { holder: ctx.source, entry, display: entry.path, depth: ctx.depth + 1 },
    out
  );
  if (pkg) pkg.owns.push(entry.path);
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
    const main = await identify(ctx, zip, display, entry.path, out);
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
  out: CatalogResult
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
  if (zip.get('META-INF/MANIFEST.MF')?.kind === 'file') {
    try {
      manifest = parseManifest(
        (await zip.read('META-INF/MANIFEST.MF', ctx.limits.maxFileSize)).toString('utf8')
      );
    } catch (err) {
      out.findings.push(metadataProblem(`${display}!/META-INF/MANIFEST.MF`, err));
    }
  }
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
