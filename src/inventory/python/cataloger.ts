import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import { INTERPRETER_SITE, INTERPRETER_STDLIB } from '../binary/globs.js';
import type { FileEntry } from '../../unpack/source.js';
import type { CatalogContext, CatalogResult, Cataloger } from '../cataloger.js';
import {
  filesAndLinks,
  optPrefix,
  withLinkPaths,
  parseErrorFinding,
  perEntry,
  unclaimedModule,
} from '../cataloger.js';
import { pep503, pypiPurl } from '../purl.js';
import { pythonLicenses } from './license.js';
import { CoreMetadata } from './metadata.js';
import {
  hasCheckableHash,
  parseRecord,
  recordPathInLayer,
  verifyRecordFiles,
  type RecordCheck,
} from './record.js';
import { parseRequirement, parseRequiresTxt, type Requirement } from './requirements.js';
import { barePythonModules, MODULE_FILE, type BarePythonModule } from './bare.js';
import { bytecodeFindings, cachedSource } from './bytecode.js';
import { isLambdaSite, PYTHON_GLOBS } from './globs.js';
import { unlistedModuleFindings, type ListedDistribution } from './unlisted.js';
import { pthDirs } from './pth.js';
import { inRuntimeSite, stdlibShadowFindings } from './stdlib.js';
import { osOwnership, type OwnershipIndex } from '../binary/ownership.js';
import { buildTreeFindings, pyvenvFindings, unownedStdlibFindings } from './pyvenv.js';

const NAME = PYTHON_GLOBS.name;

/** Files hashed at once while checking RECORDs. */
const HASH_CONCURRENCY = 8;

type Layout = 'dist-info' | 'egg-info' | 'egg-info-file' | 'egg';

interface Found {
  pkg: Package;
  site: string;
  requirements: Requirement[];
  recordChecks: RecordCheck[];
  /** RECORD rows lamina cannot check (no hash on a file Python runs, an unknown algorithm). */
  recordUnchecked: Finding[];
  /** Its file list (RECORD, installed-files.txt), when it has one. */
  list: ListedDistribution['list'];
}

/**
 * Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`
 * and single-file `*.egg-info`, in any site directory (Lambda's `python/` and
 * `python/lib/pythonX.Y/site-packages/`). Edges come from Requires-Dist (or an
 * egg's requires.txt) resolved by PEP 503 name; every hashed RECORD file is
 * checked, and a changed or missing file becomes a finding.
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 */
export const pythonCataloger: Cataloger = {
  ...PYTHON_GLOBS,
  catalog,
};

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const found: Found[] = [];
  const entries = ctx.source.entries();
  const children = childIndex(entries);
  const metadata = ctx.matches.filter((e) => layoutOf(e.path) !== undefined);
  const pyvenvs = ctx.matches.filter((e) => posix.basename(e.path) === 'pyvenv.cfg');
  const buildMarkers = ctx.matches.filter(
    (e) => posix.basename(e.path) === 'pybuilddir.txt' || e.path.endsWith('/Modules/Setup.local')
  );
  const result = await perEntry({ ...ctx, matches: metadata }, NAME, async (entry) => {
    const f = await parseDistribution(ctx, entry, children);
    if (!f) return undefined;
    found.push(f.found);
    return { packages: [f.found.pkg], findings: f.findings };
  });
  linkRequirements(found);
  await verifyRecords(ctx, found, result.findings);
  const prefix = optPrefix(ctx.root);
  // In an image, the function's directory is on sys.path too; the globs do not reach it.
  const taskRoot = ctx.root === 'image' ? ctx.taskRoot : undefined;
  const onPath = (dir: string): boolean =>
    isLambdaSite(dir, ctx.root) || (taskRoot !== undefined && dir === taskRoot);
  // The directories the site directories' .pth files add to sys.path (each .pth under every
  // path Python finds it by: a link may put it in a site directory).
  const pths = withLinkPaths(
    ctx.matches.filter((e) => e.path.endsWith('.pth')),
    ctx.links
  ).filter((e) => e.kind === 'file' && isLambdaSite(parent(e.path), ctx.root));
  const added = await pthDirs(ctx.source, ctx.links, ctx.root, pths, onPath);
  result.findings.push(...added.findings);
  const more = new Set(added.dirs.keys());
  const inMore = (path: string): boolean => {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1))
      if (more.has(path.slice(0, at))) return true;
    return more.has('');
  };
  // Their module files, and the function directory's, which the globs do not reach (pycs
  // they do).
  const extra =
    taskRoot === undefined && more.size === 0
      ? []
      : entries.filter(
          (e) =>
            e.kind === 'file' &&
            MODULE_FILE.test(posix.basename(e.path)) &&
            ((taskRoot !== undefined && e.path.startsWith(`${taskRoot}/`)) ||
              (more.size > 0 && inMore(e.path)))
        );
  // Every path a file is reached by: the globs take one, and a link may put it on sys.path.
  // The module files as matched (under a link's path when a link puts them in a site directory)
  // and the links themselves.
  const files = withLinkPaths(
    filesAndLinks(unique([...ctx.matches, ...extra]), entries),
    ctx.links
  );
  // Modules the runtime imports in place of the standard library's.
  const front =
    ctx.root === 'image'
      ? [...files, ...entries.filter((e) => e.kind === 'file' && inRuntimeSite(e.path))]
      : files;
  result.findings.push(
    ...stdlibShadowFindings(front, prefix, ctx.root === 'image' ? { taskRoot } : undefined)
  );
  // A pyvenv.cfg, or a build tree's marker, taking the interpreter's standard library from elsewhere.
  // And a standard library no OS package installed (the runtime's /var/lang, /usr/local's).
  if (ctx.root === 'image')
    result.findings.push(
      ...(await pyvenvFindings(ctx, pyvenvs)),
      ...buildTreeFindings(buildMarkers, entries),
      ...unownedStdlibFindings(ctx, entries)
    );
  // What Python imports from a package directory whose files a list names, beyond them.
  const searchedSite = (site: string): boolean => onPath(site) || more.has(site);
  for (const finding of unlistedModuleFindings(found.map(listedDistribution), files, searchedSite))
    result.findings.push(finding);
  // Python imports these too, with nothing to say what they are: recorded by name, no version.
  const claims = siteClaims(found);
  const addedClaims = addedDirClaims(found, more);
  const claimed = (p: string, site: string): boolean =>
    more.has(site) ? addedClaims.has(p) || addedClaims.has(`${site}/`) : claims.has(p);
  for (const m of barePythonModules(files, claimed, prefix, more))
    result.packages.push(bareModulePackage(m, ctx.layerDigest, added.dirs.get(m.site)));
  if (ctx.root === 'image')
    for (const m of interpreterSiteModules(ctx, entries, claims, searchedSite))
      result.packages.push(bareModulePackage(m, ctx.layerDigest));
  // Bytecode Python may run instead of the sources the RECORD check hashed; a pyc that is a
  // link too (Python follows it). In an image, the function's directory is on sys.path too, and
  // so is every directory a .pth file adds.
  const searched = [`${prefix}python/`];
  if (taskRoot) searched.push(`${taskRoot}/`);
  for (const d of more) searched.push(d === '' ? '' : `${d}/`);
  const pycs = files.filter(
    (e) => e.path.endsWith('.pyc') && searched.some((d) => e.path.startsWith(d))
  );
  result.findings.push(...(await bytecodeFindings(ctx.source, pycs, ctx.limits.maxFileSize)));
  if (ctx.root === 'image') {
    const elsewhere = imagePycs(ctx, entries, pycs);
    result.findings.push(
      ...(await bytecodeFindings(ctx.source, elsewhere, ctx.limits.maxFileSize, IMAGE_REMEDY))
    );
  }
  return result;
}

/**
 * The top-level modules of an image's interpreters' own site directories (any
 * `lib/pythonX.Y/site-packages` or `dist-packages`: the runtime's `/var/lang`'s, `/usr/local`'s,
 * Debian's `/usr/lib/python3/dist-packages`) and of the standard library directories an OS
 * package installed (`lib/pythonX.Y`, its `lib-dynload`: its `os.py` a file the package lists
 * and checked) that neither a distribution installed there (`claims`) nor an OS package claims (a
 * module file whose digest it checked, a directory it lists), those `searched` already left out:
 * `import x` loads one as it loads a module in `/opt/python`, and Debian's python3 searches
 * `/usr/lib/python3.11` and `/usr/local/lib/python3.11/dist-packages` before the directory dpkg's
 * `requests` is in. A standard library no OS package installed is one gap of its own.
 */
function interpreterSiteModules(
  ctx: CatalogContext,
  entries: readonly FileEntry[],
  claims: ReadonlySet<string>,
  searched: (site: string) => boolean
): BarePythonModule[] {
  const sites = new Set<string>();
  const stdlibs = new Set<string>();
  for (const e of entries) {
    if ((e.kind !== 'dir' && e.kind !== 'symlink') || searched(e.path)) continue;
    if (INTERPRETER_SITE.test(e.path)) sites.add(e.path);
    else if (INTERPRETER_STDLIB.test(e.path)) stdlibs.add(e.path);
  }
  const topOf = (claim: string): boolean => sites.has(parent(claim)) || stdlibs.has(parent(claim));
  // Where the links at their tops lead (Debian's sitecustomize.py, to a conffile in /etc).
  const targets = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'symlink' || !topOf(e.path)) continue;
    const to = ctx.links.resolve(e.path);
    if (to.ok) targets.add(to.path);
  }
  const os = osOwnership(
    ctx.earlier,
    (claim) => topOf(claim) || targets.has(claim) || claim.endsWith('/os.py')
  );
  for (const dir of stdlibs) {
    const home = dir.endsWith('/lib-dynload') ? parent(dir) : dir;
    const landmark = ctx.links.resolve(`${home}/os.py`);
    if (landmark.ok && landmark.path === `${home}/os.py` && os.has(landmark.path)) sites.add(dir);
  }
  if (sites.size === 0) return [];
  // A link an OS package lists is not among what it owns (dpkg's owns a link only as the file it
  // leads to, which has no digest of its own): Debian's _sysconfigdata__linux_x86_64-linux-gnu.py
  // is one, to the module libpython3.11-minimal checked. The file it leads to is what Python loads.
  const claimed = (path: string): boolean => {
    if (claims.has(path)) return true;
    const p = path.endsWith('/') ? path.slice(0, -1) : path;
    const real = ctx.links.resolve(p);
    return os.has(p) || (real.ok && real.entry?.kind === 'file' && os.has(real.path));
  };
  // A sitecustomize or usercustomize module file there is a start-up file the binary cataloger
  // checks (unowned, it is UNOWNED_EXECUTABLE); recorded here, the module would own it. A package
  // directory of that name it does not read.
  return barePythonModules(withLinkPaths(entries, ctx.links), claimed, null, sites).filter(
    (m) => m.kind !== 'file' || (m.name !== 'sitecustomize' && m.name !== 'usercustomize')
  );
}

/** What to do about bytecode elsewhere in an image, which no pip install wrote. */
const IMAGE_REMEDY =
  'no package records a digest of it; delete it from the image (Python compiles the source in memory) or allow it by path';

/**
 * The pycs of an image outside the directories the layer-style check covers (`covered`): any
 * interpreter may import from where they are (the OS's, `/usr/local`'s, the runtime's
 * `/var/lang`, a `PYTHONPATH` directory), and a dpkg-owned source whose digest checked out says
 * nothing of the bytecode Python runs in its place, which Debian writes at install (py3compile)
 * and records nowhere. A pyc an OS package installed and records a digest of (rpm and apk ship
 * them), compared by its cataloger, is that package's and left out, and so is one the layer that
 * installed every Debian package claiming its source wrote (see debInstallLayer); each file is
 * taken once, where it is, and where a link puts it beside a source if it has none there.
 */
function imagePycs(
  ctx: CatalogContext,
  entries: readonly FileEntry[],
  covered: readonly FileEntry[]
): FileEntry[] {
  const real = (path: string): string => {
    const r = ctx.links.resolve(path);
    return r.ok ? r.path : path;
  };
  const seen = new Set(covered.flatMap((e) => [e.path, real(e.path)]));
  const os = osOwnership(ctx.earlier, (claim) => claim.endsWith('.pyc'));
  let debSources: { owned: OwnershipIndex; claimants: Map<string, Package[]> } | undefined;
  const installed = new Map<Package, number | undefined>();
  const installedWithSource = (e: FileEntry): boolean => {
    const m = PEP3147_PYC.exec(e.path);
    const layer = layerOf(e);
    if (!m || layer === undefined) return false;
    const source = real(`${m[1] ?? ''}${m[2]!}.py`);
    if (!debSources) {
      const debs = ctx.earlier.filter((p) => p.ecosystem === 'deb');
      const isSource = (claim: string): boolean => claim.endsWith('.py');
      debSources = { owned: osOwnership(debs, isSource), claimants: claimantsOf(debs, isSource) };
    }
    if (!debSources.owned.has(source)) return false;
    // Every package whose list names the source: one a later layer added to the database,
    // claiming a file another package installed, does not vouch for it.
    return (debSources.claimants.get(source) ?? []).every((pkg) => {
      if (!installed.has(pkg)) installed.set(pkg, debInstallLayer(ctx, pkg));
      return installed.get(pkg) === layer;
    });
  };
  // A pyc Python finds through a link (a `__pycache__` that leads elsewhere) is judged where
  // Python finds it, unless it is already where a source beside it makes Python look.
  const besideSource = (path: string): boolean => {
    const py = cachedSource(path);
    return py !== undefined && ctx.source.get(py) !== undefined;
  };
  const found: FileEntry[] = [];
  for (const e of entries) {
    if ((e.kind !== 'file' && e.kind !== 'symlink') || !e.path.endsWith('.pyc')) continue;
    found.push(e);
    if (e.kind !== 'file' || !ctx.links.hasLinks || besideSource(e.path)) continue;
    for (const alias of ctx.links.aliases(e.path))
      if (besideSource(alias)) found.push({ ...e, path: alias });
  }
  return found.filter(
    (e) =>
      !seen.has(e.path) && !(e.kind === 'file' && (os.has(real(e.path)) || installedWithSource(e)))
  );
}

/** `DIR/__pycache__/NAME.TAG[.opt-N].pyc`: groups 1 and 2 are `DIR/` and `NAME`. */
const PEP3147_PYC = /^(.*\/)?__pycache__\/([^/.]+)\.[A-Za-z]+-\d+(?:\.opt-[12])?\.pyc$/;

/** The image layer an entry of a squashed image came from (undefined outside an image). */
function layerOf(e: FileEntry): number | undefined {
  const layer = (e as { layer?: unknown }).layer;
  return typeof layer === 'number' ? layer : undefined;
}

/** Each path `keep` takes among the claims of `packages`, and the packages that claim it. */
function claimantsOf(
  packages: readonly Package[],
  keep: (claim: string) => boolean
): Map<string, Package[]> {
  const out = new Map<string, Package[]>();
  for (const pkg of packages)
    for (const raw of pkg.owns) {
      const claim = raw.replace(/^\/+/, '');
      if (!keep(claim)) continue;
      const list = out.get(claim) ?? [];
      if (!list.includes(pkg)) list.push(pkg);
      out.set(claim, list);
    }
  return out;
}

/**
 * The layer that installed a Debian package: the lowest that wrote its record of what it
 * installed (`info/NAME.list`, `info/NAME.md5sums`, with `:ARCH` or without), under the record's
 * name or where a link there leads, versions later layers replaced included; undefined when
 * that is not known. The bytecode py3compile writes at install is recorded nowhere; one that
 * layer wrote (the same `apt-get install`) is as much the image's own as the digests lamina
 * trusts from it. One a later layer wrote is not, even with the record written again beside it
 * (unchanged, or as an upgrade would): whatever a layer writes, it can write that too.
 */
function debInstallLayer(ctx: CatalogContext, pkg: Package): number | undefined {
  if (!ctx.firstLayer) return undefined;
  const arch = pkg.id.slice(pkg.id.lastIndexOf(':') + 1);
  const stems = [pkg.name, ...(arch ? [`${pkg.name}:${arch}`] : [])];
  let first: number | undefined;
  for (const stem of stems)
    for (const ext of ['list', 'md5sums']) {
      const path = `var/lib/dpkg/info/${stem}.${ext}`;
      const to = ctx.links.resolve(path);
      for (const p of to.ok && to.path !== path ? [path, to.path] : [path]) {
        const layer = ctx.firstLayer(p);
        if (layer !== undefined && (first === undefined || layer < first)) first = layer;
      }
    }
  return first;
}

/** Entries by path, each once (the first). */
function unique(entries: readonly FileEntry[]): FileEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.path) && seen.add(e.path) !== undefined);
}

/** A distribution as the unlisted-module check sees it. */
function listedDistribution(f: Found): ListedDistribution {
  const { pkg } = f;
  return {
    site: f.site,
    list: f.list,
    label: `${pkg.name}${pkg.version !== undefined ? ` ${pkg.version}` : ''}`,
  };
}

/**
 * What the distributions claim at the top of their site directories: each module file's path,
 * and each package directory's with a trailing '/' (any claim under it claims the directory:
 * whether every file in it is listed is the RECORD check's business). Only claims inside the
 * claiming distribution's own site directory count.
 */
function siteClaims(found: readonly Found[]): Set<string> {
  const out = new Set<string>();
  for (const { pkg, site } of found) {
    if (!site) continue;
    for (const claim of pkg.owns) {
      if (!claim.startsWith(`${site}/`)) continue;
      const rest = claim.slice(site.length + 1);
      const slash = rest.indexOf('/');
      out.add(slash < 0 ? claim : `${site}/${rest.slice(0, slash + 1)}`);
    }
  }
  return out;
}

/**
 * What the distributions claim at the top of the directories `dirs` that .pth files add to
 * sys.path, as siteClaims does for site directories; a claim counts from a distribution
 * installed in or above that directory (its RECORD naming `hidden.d/x.py`), and a directory
 * claim covering a whole added directory (an egg's) is returned as that directory with a
 * trailing '/'.
 */
function addedDirClaims(found: readonly Found[], dirs: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  if (dirs.size === 0) return out;
  for (const { pkg } of found) {
    const home = pkg.installDir;
    if (home === undefined) continue;
    const inHome = (p: string): boolean => home === '' || p === home || p.startsWith(`${home}/`);
    for (const claim of pkg.owns) {
      if (!inHome(claim.endsWith('/') ? claim.slice(0, -1) : claim)) continue;
      if (claim.endsWith('/'))
        for (const d of dirs) if (`${d}/`.startsWith(claim)) out.add(`${d}/`);
      for (
        let at = claim.lastIndexOf('/', claim.length - 2);
        at > 0;
        at = claim.lastIndexOf('/', at - 1)
      ) {
        const dir = claim.slice(0, at);
        if (!dirs.has(dir) || !inHome(dir)) continue;
        const rest = claim.slice(at + 1);
        const slash = rest.indexOf('/');
        out.add(slash < 0 ? claim : `${dir}/${rest.slice(0, slash + 1)}`);
      }
    }
  }
  return out;
}

/** A module Python imports with no distribution claiming it (see unclaimedModule). */
function bareModulePackage(m: BarePythonModule, layerDigest: string, pth?: string): Package {
  const what =
    m.kind === 'file'
      ? `${m.path} is a module no installed distribution claims`
      : `${m.path}/ holds modules no installed distribution claims`;
  return unclaimedModule(m, {
    ecosystem: 'pypi',
    purl: pypiPurl(m.name, undefined),
    foundBy: NAME,
    layerDigest,
    installDir: m.site,
    properties: {
      'python:site': m.site,
      'python:metadata': 'missing',
      ...(pth !== undefined ? { 'python:pth': pth } : {}),
    },
    message: `${what}, yet import ${m.name} loads it: recorded as ${m.name} with no version`,
  });
}

function layoutOf(path: string): Layout | undefined {
  if (path.endsWith('.dist-info/METADATA')) return 'dist-info';
  if (path.endsWith('.egg-info/PKG-INFO')) return 'egg-info';
  if (path.endsWith('.egg-info')) return 'egg-info-file';
  // An egg directory (easy_install, or a zip-safe egg unpacked): foo-1.0-py3.11.egg/EGG-INFO.
  if (path.endsWith('.egg/EGG-INFO/PKG-INFO')) return 'egg';
  return undefined;
}

/**
 * The path to read a distribution under: its own, unless it sits outside
 * Lambda's site directories and a symlink puts it inside one (Python finds
 * distributions by listing sys.path, under the link's name).
 */
function sitePath(ctx: CatalogContext, path: string): string {
  const siteOf = (p: string): string => {
    const layout = layoutOf(p);
    const meta = layout === 'egg-info-file' ? p : posix.dirname(p);
    return layout === 'egg' ? parent(parent(meta)) : parent(meta);
  };
  if (isLambdaSite(siteOf(path), ctx.root) || !ctx.links.hasLinks) return path;
  const real = ctx.links.resolve(path);
  const alias = ctx.links
    .aliases(real.ok ? real.path : path)
    .find((a) => layoutOf(a) === layoutOf(path) && isLambdaSite(siteOf(a), ctx.root));
  return alias ?? path;
}

/**
 * `requests-2.31.0.dist-info` → requests 2.31.0; `x-1.0-py3.11.egg-info` → x 1.0.
 * What pip and importlib.metadata fall back to when METADATA lacks a field.
 */
export function identityFromDirName(metaPath: string): { name?: string; version?: string } {
  const base = posix.basename(metaPath).replace(/\.(dist-info|egg-info|egg)$/, '');
  const m = /^([^-]+)-([^-]+)(?:-.*)?$/.exec(base);
  if (m?.[1] && m[2]) return { name: m[1], version: m[2] };
  return base ? { name: base } : {};
}

async function parseDistribution(
  ctx: CatalogContext,
  matched: FileEntry,
  children: Map<string, string[]>
): Promise<{ found: Found; findings: Finding[] } | undefined> {
  const path = sitePath(ctx, matched.path);
  const layout = layoutOf(path);
  if (!layout) return undefined;
  const metaPath = layout === 'egg-info-file' ? path : posix.dirname(path);
  // An egg's metadata sits one level down, in its own directory inside the site dir.
  const site = layout === 'egg' ? parent(parent(metaPath)) : parent(metaPath);
  const findings: Finding[] = [];
  let meta: CoreMetadata;
  try {
    meta = new CoreMetadata((await ctx.source.read(path, ctx.limits.maxFileSize)).toString('utf8'));
  } catch (err) {
    // Python imports the distribution's modules whatever its metadata holds.
    findings.push(parseErrorFinding(NAME, path, err));
    meta = new CoreMetadata('');
  }
  let name = meta.get('name');
  let version = meta.get('version');
  if (name === undefined || version === undefined) {
    const fromDir = identityFromDirName(metaPath);
    const missing = [name === undefined ? 'Name' : '', version === undefined ? 'Version' : '']
      .filter(Boolean)
      .join(' and ');
    name ??= fromDir.name;
    version ??= fromDir.version;
    name ??= posix.basename(metaPath);
    if (findings.length === 0)
      findings.push({
        code: 'METADATA_INCOMPLETE',
        severity: 'warning',
        path,
        message: `${NAME}: ${path} has no ${missing}${meta.defects.length > 0 ? ` (${meta.defects[0]})` : ''}; named ${name}${version ? ` ${version}` : ''} from its directory`,
      });
  }
  name ??= posix.basename(metaPath);

  const pkg = newPackage({
    id: `pypi:${metaPath}`,
    ecosystem: 'pypi',
    name,
    ...(version !== undefined ? { version } : {}),
    purl: pypiPurl(name, version),
    foundBy: NAME,
    locations: [{ path, layerDigest: ctx.layerDigest }],
    licenses: pythonLicenses(meta),
    properties: { 'python:site': site },
    description: meta.get('summary'),
    author: meta.get('author') ?? meta.get('author-email'),
    homepage: meta.homepage,
  });

  const requirements = meta
    .all('requires-dist')
    .map(parseRequirement)
    .filter((r) => r !== undefined);
  const recordChecks: Found['recordChecks'] = [];
  const recordUnchecked: Finding[] = [];
  let list: Found['list'];
  const owns = new Set<string>();
  const readOptional = async (file: string): Promise<string | undefined> => {
    if (ctx.source.get(file)?.kind !== 'file') return undefined;
    try {
      return (await ctx.source.read(file, ctx.limits.maxFileSize)).toString('utf8');
    } catch (err) {
      findings.push(parseErrorFinding(NAME, file, err));
      return undefined;
    }
  };

  if (layout === 'egg-info-file') {
    owns.add(metaPath);
  } else if (layout === 'egg') {
    // The egg directory holds the distribution's code and its metadata.
    owns.add(`${parent(metaPath)}/`);
    const requiresTxt = await readOptional(`${metaPath}/requires.txt`);
    if (requiresTxt !== undefined) requirements.push(...parseRequiresTxt(requiresTxt));
  } else {
    owns.add(`${metaPath}/`);
    const listed =
      layout === 'dist-info'
        ? recordFiles(
            pkg.id,
            site,
            await readOptional(`${metaPath}/RECORD`),
            recordChecks,
            recordUnchecked,
            (path) => ctx.source.get(path) !== undefined
          )
        : installedFiles(metaPath, await readOptional(`${metaPath}/installed-files.txt`));
    if (listed) {
      for (const p of listed.paths) owns.add(p);
      list = {
        kind: layout === 'dist-info' ? 'RECORD' : 'installed-files.txt',
        paths: listed.paths,
        excusing: listed.excusing,
      };
    } else {
      const topLevel = await readOptional(`${metaPath}/top_level.txt`);
      for (const p of topLevelPaths(site, topLevel ?? '', children)) owns.add(p);
    }
    if (layout === 'egg-info') {
      const requiresTxt = await readOptional(`${metaPath}/requires.txt`);
      if (requiresTxt !== undefined) requirements.push(...parseRequiresTxt(requiresTxt));
    }
  }
  pkg.owns = [...owns].sort();
  // A distribution installs into its site directory (an egg into its own directory).
  pkg.installDir = layout === 'egg' ? parent(metaPath) : site;
  return { found: { pkg, site, requirements, recordChecks, recordUnchecked, list }, findings };
}

/**
 * Files Python imports or runs by their RECORD rows' paths: module sources and extension
 * modules (MODULE_FILE, bytecode aside: the bytecode check reports every pyc Python may run),
 * shared libraries (STRIPPED_BY_PACKAGERS' suffixes) and `.pth` files, whose `import` lines
 * `site` runs.
 */
function runsAsCode(path: string): boolean {
  const base = posix.basename(path);
  if (base.endsWith('.pyc')) return false;
  return MODULE_FILE.test(base) || /\.(?:so(?:\.\d+)*|pyd|dylib|pth)$/.test(base);
}

/**
 * RECORD rows as ownership claims and checks. A row may name any file (pip
 * writes `../../bin/x` for scripts); the ownership index accepts only claims
 * inside the site directory. Every row inside the layer with a hash lamina
 * computes is checked; the paths of those rows, and of unhashed rows of files
 * Python does not run, are the ones that excuse a module file from the
 * unlisted check. pip hashes every file it installs but RECORD itself and the
 * compiled `.pyc` files; a row of a file Python runs with no hash, and a row
 * of any file with an algorithm lamina cannot compute, is a
 * RECORD_NOT_VERIFIED error in `unchecked`.
 */
function recordFiles(
  owner: string,
  siteDir: string,
  text: string | undefined,
  checks: Found['recordChecks'],
  unchecked: Finding[],
  exists: (path: string) => boolean
): { paths: string[]; excusing: string[] } | undefined {
  if (text === undefined) return undefined;
  const paths: string[] = [];
  const excusing: string[] = [];
  for (const row of parseRecord(text)) {
    const path = rowPath(siteDir, row.path, exists);
    if (path === undefined) continue;
    // Rows outside the site dir (pip's `../../../bin/x`) are claims the ownership index refuses.
    paths.push(path);
    if (hasCheckableHash(row)) {
      checks.push({ path, row, owner });
      excusing.push(path);
      continue;
    }
    const code = runsAsCode(path);
    if (row.hash === undefined && !code) {
      // RECORD itself and compiled .pyc files are listed without a hash.
      excusing.push(path);
      continue;
    }
    if (!code) excusing.push(path);
    unchecked.push({
      code: 'RECORD_NOT_VERIFIED',
      severity: 'error',
      path,
      message:
        row.hash === undefined
          ? `listed in the RECORD of ${owner} without a hash, though Python runs it: nothing says it is what was installed`
          : `listed in the RECORD of ${owner} with a ${row.hash.algorithm} hash, an algorithm lamina cannot compute: a change to it after install would go unseen`,
    });
  }
  return { paths, excusing };
}

/**
 * Where a RECORD row's file is. `pip install --target DIR` installs into a temporary home
 * scheme, whose RECORD names a script `../../bin/x` from the site directory, then moves that
 * home's bin/ into DIR: so a `../../bin/x` row that leads nowhere in the layer while `DIR/bin/x`
 * exists names that file (jmespath's `jp.py`, which `import bin.jp` would load). Its hash is
 * checked as any row's.
 */
function rowPath(
  siteDir: string,
  path: string,
  exists: (path: string) => boolean
): string | undefined {
  const listed = recordPathInLayer(siteDir, path);
  const rest = /^\.\.\/\.\.\/bin\/(.+)$/.exec(path)?.[1];
  if (rest === undefined || (listed !== undefined && exists(listed))) return listed;
  if (rest.split('/').some((s) => s === '' || s === '.' || s === '..')) return listed;
  const moved = recordPathInLayer(siteDir, `bin/${rest}`);
  return moved !== undefined && exists(moved) ? moved : listed;
}

/** Layer-relative parent directory ('' at the layer root). */
function parent(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

/** setuptools' installed-files.txt: paths relative to the egg-info directory. */
function installedFiles(
  eggInfo: string,
  text: string | undefined
): { paths: string[]; excusing: string[] } | undefined {
  if (text === undefined) return undefined;
  const paths = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l)
    .map((l) => recordPathInLayer(eggInfo, l))
    .filter((p): p is string => p !== undefined);
  return { paths, excusing: paths };
}

/** Top-level modules named in top_level.txt, as the directories and files present in the site dir. */
function topLevelPaths(site: string, text: string, children: Map<string, string[]>): string[] {
  const out: string[] = [];
  const inSite = children.get(site) ?? [];
  for (const name of text.split(/\r\n|\r|\n/).map((l) => l.trim())) {
    if (!name || name.includes('/')) continue;
    const base = site ? `${site}/${name}` : name;
    for (const child of inSite) {
      if (child === `${name}/`) out.push(`${base}/`);
      // name.py, name.cpython-311-x86_64-linux-gnu.so, name.pyd ...
      else if (child.startsWith(`${name}.`) && !child.endsWith('/'))
        out.push(`${base}${child.slice(name.length)}`);
    }
  }
  return out;
}

/** Names of each directory's entries (directories with a trailing '/'), for top_level.txt lookups. */
function childIndex(entries: readonly FileEntry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const dir = parent(e.path);
    const list = out.get(dir) ?? [];
    list.push(posix.basename(e.path) + (e.kind === 'dir' ? '/' : ''));
    out.set(dir, list);
  }
  return out;
}

/**
 * Site directories on the same Lambda sys.path: `python` and
 * `python/lib/pythonX.Y/site-packages` both are, so a package in one may import
 * one in the other.
 */
function relatedSites(site: string, all: Iterable<string>): string[] {
  const up = /^(.*)\/lib\/python\d+(?:\.\d+)?\/site-packages$/.exec(site)?.[1];
  const out: string[] = [];
  for (const s of all) {
    if (s === site) continue;
    if (s === up || /^(.*)\/lib\/python\d+(?:\.\d+)?\/site-packages$/.exec(s)?.[1] === site)
      out.push(s);
  }
  return out.sort();
}

function linkRequirements(found: Found[]): void {
  const bySite = new Map<string, Map<string, string>>();
  for (const f of found) {
    const names = bySite.get(f.site) ?? new Map<string, string>();
    // Two copies of one name in a site dir: the first (path order) wins, as on sys.path listing order.
    if (!names.has(pep503(f.pkg.name))) names.set(pep503(f.pkg.name), f.pkg.id);
    bySite.set(f.site, names);
  }
  for (const f of found) {
    const sites = [f.site, ...relatedSites(f.site, bySite.keys())];
    const edges = new Set<string>();
    const missing = new Set<string>();
    for (const req of f.requirements) {
      if (req.kind === 'extra') continue;
      const key = pep503(req.name);
      const target = sites.map((s) => bySite.get(s)?.get(key)).find((id) => id !== undefined);
      if (target && target !== f.pkg.id) edges.add(target);
      else if (!target && req.kind === 'required') missing.add(key);
    }
    f.pkg.dependsOn = [...edges].sort();
    if (missing.size > 0)
      f.pkg.properties['python:missing-requires'] = [...missing].sort().join(',');
  }
}

async function verifyRecords(
  ctx: CatalogContext,
  found: Found[],
  findings: Finding[]
): Promise<void> {
  const byId = new Map(found.map((f) => [f.pkg.id, f.pkg]));
  const result = await verifyRecordFiles(
    ctx.source,
    found.flatMap((f) => f.recordChecks),
    ctx.limits.maxRehashSize,
    HASH_CONCURRENCY
  );
  for (const { owner, finding } of result.findings) {
    byId.get(owner)?.findings.push(finding);
    findings.push(finding);
  }
  for (const f of found)
    for (const finding of f.recordUnchecked) {
      f.pkg.findings.push(finding);
      findings.push(finding);
    }
  if (result.unverified.length > 0)
    findings.push({
      code: 'RECORD_NOT_VERIFIED',
      severity: 'error',
      path: result.unverified[0],
      message: `${result.unverified.length} RECORD-listed file${result.unverified.length === 1 ? ' was' : 's were'} not re-hashed: checking ${result.unverified.length === 1 ? 'it' : 'them'} would pass --max-rehash-size ${ctx.limits.maxRehashSize}; a change to ${result.unverified.length === 1 ? 'it' : 'them'} after install would go unseen`,
    });
}
