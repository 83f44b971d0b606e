import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import {
  parseErrorFinding,
  perEntry,
  type CatalogContext,
  type CatalogResult,
  type Cataloger,
} from '../cataloger.js';
import { parseJsonLenient, stripBom } from '../json.js';
import { npmPurl } from '../purl.js';
import { npmLicenses } from './license.js';
import { integrityHashes, parseLockfile, type LockEntry } from './lockfile.js';
import { projectRoot, resolvePackageDir } from './resolve.js';
import { bareModules, type BareModule } from './bare.js';
import {
  IMAGE_NODE_PATH_DIRS,
  NODE_PATH_PACKAGE_JSON_GLOBS,
  NPM_GLOBS,
  PACKAGE_JSON_GLOBS,
} from './globs.js';
import { globMatcher } from '../cataloger.js';
import { leadsOutOf, linkLeadsOutOf } from '../binary/ownership.js';

const NAME = NPM_GLOBS.name;
const isPackageJson = globMatcher(PACKAGE_JSON_GLOBS);
const isNodePathPackageJson = globMatcher(NODE_PATH_PACKAGE_JSON_GLOBS);

/** Lockfiles a project directory may hold, most authoritative for the installed tree first. */
const LOCKFILES = ['node_modules/.package-lock.json', 'npm-shrinkwrap.json', 'package-lock.json'];

interface Installed {
  pkg: Package;
  dir: string;
  json: Record<string, unknown>;
}

/**
 * Installed npm packages: every package root `package.json` under a
 * `node_modules` directory at any depth (`nodejs/node_modules`,
 * `nodejs/node20/node_modules`, nested and scoped packages). Integrity and
 * dependency names come from the project's lockfile when its entry matches the
 * installed version, else from the package.json dependency fields; edges are
 * resolved with Node's lookup to packages this cataloger found.
 */
export const npmCataloger: Cataloger = {
  ...NPM_GLOBS,
  catalog,
};

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const byDir = new Map<string, Installed>();
  const inImage = ctx.root === 'image';
  const manifests = ctx.matches.filter(
    (e) =>
      isPackageJson(e.path) ||
      (inImage && isNodePathPackageJson(e.path) && nodePathPackage(e.path) !== undefined)
  );
  const result = await perEntry({ ...ctx, matches: manifests }, NAME, async (entry) => {
    const dir = entry.path.slice(0, -'/package.json'.length);
    const findings: Finding[] = [];
    const obj = await readPackageJson(ctx, entry.path, findings);
    let name = typeof obj?.name === 'string' && obj.name ? obj.name : undefined;
    const version = typeof obj?.version === 'string' && obj.version ? obj.version : undefined;
    if (name === undefined || version === undefined) {
      // Node loads `require('<dir name>')` whatever package.json says: name it from the path.
      const fromPath = packageNameFromDir(dir);
      if (obj)
        findings.push({
          code: 'METADATA_INCOMPLETE',
          severity: 'warning',
          path: entry.path,
          message: `${NAME}: ${entry.path} has no ${name === undefined ? 'name' : 'version'}; recorded as ${fromPath}${version ? `@${version}` : ''} from its directory`,
        });
      name ??= fromPath;
    }
    const pkg = toPackage(obj ?? {}, name, version, dir, entry.path, ctx.layerDigest);
    const escape = mainOutside(obj?.main, dir);
    if (escape !== undefined)
      findings.push({
        code: 'PATH_TRAVERSAL',
        severity: 'error',
        path: entry.path,
        message: `${NAME}: ${entry.path} has main ${JSON.stringify(escape)}, outside ${dir}/: require('${name}') runs code that is not this package's`,
      });
    const inst: Installed = { pkg, dir, json: obj ?? {} };
    byDir.set(dir, inst);
    // pnpm and `npm link` layouts: the package is also installed under each link path.
    const aliases = aliasDirs(ctx, entry.path);
    for (const alias of aliases) if (!byDir.has(alias)) byDir.set(alias, inst);
    // `require` finds a package by its directory's name, whatever package.json says.
    const requiredAs = requireNamesOtherThan(name, [dir, ...aliases], inImage);
    if (requiredAs.length > 0) pkg.properties['npm:required-as'] = requiredAs.join(',');
    return { packages: [pkg], findings };
  });

  // Node loads these too, with nothing to say what they are: recorded by name, without a version.
  const bare = bareModules(
    ctx.matches.map((e) => e.path),
    (dir) => byDir.has(dir) || ctx.source.get(`${dir}/package.json`)?.kind === 'file'
  );
  for (const m of bare) {
    const pkg = bareModulePackage(m, ctx.layerDigest);
    result.packages.push(pkg);
    if (m.kind === 'directory' && !byDir.has(m.path))
      byDir.set(m.path, { pkg, dir: m.path, json: {} });
  }

  result.findings.push(...linksOutOfPackages(ctx, byDir));
  const locks = await loadLockfiles(ctx, byDir, result.findings);
  const installed = new Set(byDir.keys());
  for (const [dir, inst] of byDir) if (dir === inst.dir) link(inst, locks, installed, byDir);
  markRootDependencies(locks, installed, byDir);
  return result;
}

/**
 * Read a package.json as Node does: one byte order mark stripped, then
 * JSON.parse. What JSON.parse refuses but a lenient read identifies is recorded
 * with a warning (Node 20 will not load that package; Node 22 and later read only the
 * fields they use, so a fault elsewhere does not stop them); what no reading can identify is an
 * error, and the package is still recorded from its directory.
 */
async function readPackageJson(
  ctx: CatalogContext,
  path: string,
  findings: Finding[]
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = (await ctx.source.read(path, ctx.limits.maxFileSize)).toString('utf8');
  } catch (err) {
    findings.push(parseErrorFinding(NAME, path, err));
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(text));
  } catch (strictErr) {
    try {
      const lenient = parseJsonLenient(text);
      doc = lenient.value;
      findings.push(
        parseErrorFinding(
          NAME,
          path,
          `${strictErr instanceof Error ? strictErr.message : String(strictErr)}; Node 20 refuses to load this package, Node 22 and later too unless the fault is in a field they do not read; lamina read it leniently (${lenient.tolerated.join(', ')})`,
          'warning'
        )
      );
    } catch {
      findings.push(parseErrorFinding(NAME, path, strictErr));
      return undefined;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    findings.push(parseErrorFinding(NAME, path, 'package.json is not a JSON object'));
    return undefined;
  }
  if (mayGiveMainTwice(text))
    findings.push({
      code: 'AMBIGUOUS_METADATA',
      severity: 'error',
      path,
      message: `${NAME}: ${path} gives "main" more than once (or lamina could not tell): Node 20 loads the last, Node 22 and later the last that is a string, so which file require() runs depends on the runtime`,
    });
  return doc as Record<string, unknown>;
}

/**
 * Whether package.json text that JSON.parse read gives the top-level key `main` twice. Node 20
 * reads package.json with JSON.parse (the last value); Node 22 and later with a C++ reader that
 * skips a `main` that is not a string, so `{"main": "../../x.js", "main": 0}` loads x.js there
 * and the package's index.js on Node 20, where lamina sees no main at all. Exact only when the
 * text spells `"main"` twice or escapes a character (a key may be spelt `"m\u0061in"`); true
 * when the exact reading fails.
 */
function mayGiveMainTwice(text: string): boolean {
  const first = text.indexOf('"main"');
  if (!(first >= 0 && text.includes('"main"', first + 1)) && !text.includes('\\u')) return false;
  try {
    return parseJsonLenient(text).topLevelDuplicates.includes('main');
  } catch {
    return true;
  }
}

/**
 * A module Node loads with no package.json: a package named as `require` names it, with no
 * version (a deny rule naming it matches whatever the version), and an `error` finding, since
 * nothing says which package or version that code is. One deep inside another package (its
 * test fixtures, as pino and resolve publish) gets a `warning`: it is recorded, so a deny rule
 * still sees it, but only that package's own files there find it, and failing completeness for
 * every layer that has such a package would refuse ordinary layers.
 */
function bareModulePackage(m: BareModule, layerDigest: string): Package {
  const what =
    m.kind === 'file'
      ? `${m.path} is a module with no package.json`
      : `${m.path}/ holds no package.json`;
  const pkg = toPackage({}, m.name, undefined, m.path, m.evidence, layerDigest);
  if (m.kind === 'file') {
    pkg.owns = [m.path];
    delete pkg.installDir;
  }
  pkg.properties['npm:package-json'] = 'missing';
  pkg.findings.push({
    code: 'METADATA_INCOMPLETE',
    severity: m.deep ? 'warning' : 'error',
    path: m.evidence,
    message: m.deep
      ? `${NAME}: ${what}, inside another package; require('${m.name}') from that package's files there loads it: recorded as ${m.name} with no version`
      : `${NAME}: ${what}, yet require('${m.name}') loads it: recorded as ${m.name} with no version`,
  });
  return pkg;
}

/**
 * A package.json `main` that leads out of the package directory (Node resolves it with
 * `path.resolve`, so `../x` and absolute paths are loaded as given), else undefined. `exports`
 * targets cannot: Node refuses any that is not `./` inside the package.
 */
function mainOutside(main: unknown, dir: string): string | undefined {
  if (typeof main !== 'string' || main === '') return undefined;
  return leadsOutOf(dir, main) ? main : undefined;
}

/**
 * A link inside an installed package's directory that leads out of it (`node_modules/shim/lib ->
 * ../../vendor/ms`): Node follows it, so `require('shim')` runs what is there as that package's
 * code, as with a `main` outside the package (`PATH_TRAVERSAL`). npm never installs one. The
 * package directory itself may be a link (pnpm, `npm link`): the directory it leads to is the
 * package.
 */
function linksOutOfPackages(ctx: CatalogContext, byDir: ReadonlyMap<string, Installed>): Finding[] {
  if (!ctx.links.hasLinks) return [];
  const out: Finding[] = [];
  for (const e of ctx.source.entries()) {
    // Node parses a `.json` file as data, whatever it is reached through (a linked package.json).
    if (e.kind !== 'symlink' || e.path.endsWith('.json')) continue;
    const dir = packageDirOf(e.path);
    if (dir === undefined || dir === e.path) continue;
    const target = byDir.has(dir) ? linkLeadsOutOf(ctx.links, e.path, dir) : undefined;
    if (target === undefined) continue;
    out.push({
      code: 'PATH_TRAVERSAL',
      severity: 'error',
      path: e.path,
      message: `${NAME}: ${e.path} is a link to ${target}, outside ${dir}/: require('${packageNameFromDir(dir)}') runs code through it that is not this package's`,
    });
  }
  return out;
}

/** The package directory (`…/node_modules/x`, `…/node_modules/@s/x`) a path is in or is. */
function packageDirOf(path: string): string | undefined {
  const parts = path.split('/');
  const nm = parts.lastIndexOf('node_modules');
  const first = parts[nm + 1];
  if (nm < 0 || first === undefined) return undefined;
  const end = first.startsWith('@') ? nm + 2 : nm + 1;
  return end < parts.length ? parts.slice(0, end + 1).join('/') : undefined;
}

/** `nodejs/node_modules/@s/x` → `@s/x`; `node_modules/x` → `x`. */
function packageNameFromDir(dir: string): string {
  const parts = dir.split('/');
  const last = parts[parts.length - 1] ?? dir;
  const scope = parts[parts.length - 2];
  return scope?.startsWith('@') ? `${scope}/${last}` : last;
}

/**
 * The names `require` reaches a package by (its `node_modules/<name>` directories) whose purl is
 * not the one its package.json name gives: an npm alias (`npm install x@npm:y` puts y in
 * node_modules/x), or a package renamed to pass for another. Sorted, each once.
 */
function requireNamesOtherThan(name: string, dirs: readonly string[], inImage: boolean): string[] {
  const own = npmPurl(name, undefined);
  const out = new Set<string>();
  for (const dir of dirs) {
    const m =
      /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(dir) ??
      (inImage ? NODE_PATH_DIR.exec(dir) : null);
    if (m && npmPurl(m[1]!, undefined) !== own) out.add(m[1]!);
  }
  return [...out].sort();
}

/** A package directory directly in one of an image's other `NODE_PATH` directories. */
const NODE_PATH_DIR = new RegExp(
  `^(?:${IMAGE_NODE_PATH_DIRS.map((d) => d.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})\\/((?:@[^/]+\\/)?[^/]+)$`
);

/** The name `require` finds the package of this package.json by in a NODE_PATH directory. */
function nodePathPackage(pjPath: string): string | undefined {
  const name = NODE_PATH_DIR.exec(pjPath.slice(0, -'/package.json'.length))?.[1];
  // npm's own names (`.bin`) and a nested node_modules (its own glob) are not packages here.
  if (name === undefined || /(?:^|\/)\./.test(name) || name === 'node_modules') return undefined;
  return name;
}

/** The other `node_modules/<name>` directories a runtime reaches this package.json through. */
function aliasDirs(ctx: CatalogContext, pjPath: string): string[] {
  if (!ctx.links.hasLinks) return [];
  const r = ctx.links.resolve(pjPath);
  const real = r.ok ? r.path : pjPath;
  const out: string[] = [];
  for (const p of [real, ...ctx.links.aliases(real)]) {
    if (p === pjPath || !p.endsWith('/package.json')) continue;
    const dir = p.slice(0, -'/package.json'.length);
    if (projectRoot(dir)) out.push(dir);
  }
  return out;
}

function toPackage(
  json: Record<string, unknown>,
  fullName: string,
  version: string | undefined,
  dir: string,
  path: string,
  layerDigest: string
): Package {
  const scoped = /^(@[^/]+)\/(.+)$/.exec(fullName);
  const pkg = newPackage({
    id: `npm:${dir}`,
    ecosystem: 'npm',
    name: scoped?.[2] ?? fullName,
    namespace: scoped?.[1],
    ...(version !== undefined ? { version } : {}),
    purl: npmPurl(fullName, version),
    foundBy: NAME,
    locations: [{ path, layerDigest }],
    licenses: npmLicenses(json),
    owns: [`${dir}/`],
    installDir: dir,
    properties: { 'npm:path': dir },
    description: nonEmpty(json.description),
    author: personName(json.author),
    homepage: nonEmpty(json.homepage),
  });
  if (json.private === true) pkg.properties['npm:private'] = 'true';
  return pkg;
}

/** Lockfile entries per project root, merged with the most authoritative file winning. */
interface ProjectLock {
  path: string;
  entries: Map<string, LockEntry>;
}

async function loadLockfiles(
  ctx: CatalogContext,
  byDir: Map<string, Installed>,
  findings: Finding[]
): Promise<Map<string, ProjectLock[]>> {
  const roots = new Set<string>();
  for (const dir of byDir.keys()) {
    const r = projectRoot(dir);
    if (r) roots.add(r.root);
  }
  const out = new Map<string, ProjectLock[]>();
  for (const root of [...roots].sort()) {
    const locks: ProjectLock[] = [];
    for (const name of LOCKFILES) {
      const path = root ? `${root}/${name}` : name;
      if (ctx.source.get(path)?.kind !== 'file') continue;
      try {
        const text = (await ctx.source.read(path, ctx.limits.maxFileSize)).toString('utf8');
        locks.push({ path, entries: parseLockfile(text) });
      } catch (err) {
        // Node never reads lockfiles: only integrity and edges are lost.
        findings.push(parseErrorFinding(NAME, path, err, 'warning'));
      }
    }
    out.set(root, locks);
  }
  return out;
}

/** The first lockfile entry for `key` whose version matches the installed one. */
function lockEntryFor(
  locks: readonly ProjectLock[] | undefined,
  key: string,
  version: string | undefined
): { lock: ProjectLock; entry: LockEntry } | undefined {
  for (const lock of locks ?? []) {
    const entry = lock.entries.get(key);
    // The installed package.json is the truth; a stale lock entry tells us nothing about it.
    if (entry && entry.version === version) return { lock, entry };
  }
  return undefined;
}

function link(
  inst: Installed,
  locks: Map<string, ProjectLock[]>,
  installed: ReadonlySet<string>,
  byDir: Map<string, Installed>
): void {
  const { pkg, dir, json } = inst;
  const where = projectRoot(dir);
  const found = where ? lockEntryFor(locks.get(where.root), where.key, pkg.version) : undefined;
  let deps: { required: string[]; optional: string[]; peer: string[] };
  if (found) {
    pkg.properties['npm:lockfile'] = found.lock.path;
    if (found.entry.integrity) Object.assign(pkg.hashes, integrityHashes(found.entry.integrity));
    deps = {
      required: found.entry.dependencies,
      optional: found.entry.optionalDependencies,
      peer: found.entry.peerDependencies,
    };
  } else {
    deps = {
      required: depNames(json.dependencies),
      optional: depNames(json.optionalDependencies),
      peer: depNames(json.peerDependencies),
    };
  }
  const missing: string[] = [];
  const edges = new Set<string>();
  const optional = new Set([...deps.optional, ...deps.peer]);
  for (const name of new Set([...deps.required, ...deps.optional, ...deps.peer])) {
    const target = resolvePackageDir(dir, name, installed);
    const targetPkg = target === undefined ? undefined : byDir.get(target)?.pkg;
    if (targetPkg && targetPkg !== pkg) edges.add(targetPkg.id);
    else if (!targetPkg && !optional.has(name)) missing.push(name);
  }
  pkg.dependsOn = [...edges].sort();
  if (missing.length > 0) pkg.properties['npm:missing-dependencies'] = missing.sort().join(',');
}

/** Mark the packages the project root asks for (the lockfile's `""` entry). */
function markRootDependencies(
  locks: Map<string, ProjectLock[]>,
  installed: ReadonlySet<string>,
  byDir: Map<string, Installed>
): void {
  for (const [root, projectLocks] of locks) {
    const rootEntry = projectLocks.map((l) => l.entries.get('')).find((e) => e !== undefined);
    if (!rootEntry) continue;
    const names = [
      ...rootEntry.dependencies,
      ...rootEntry.optionalDependencies,
      ...rootEntry.peerDependencies,
    ];
    for (const name of names) {
      const target = resolvePackageDir(root, name, installed);
      const inst = target === undefined ? undefined : byDir.get(target);
      if (inst) inst.pkg.properties['npm:root-dependency'] = 'true';
    }
  }
}

function depNames(v: unknown): string[] {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** `author` is a string (`Name <mail> (url)`) or `{ name, email, url }`. */
function personName(v: unknown): string | undefined {
  if (typeof v === 'string') return nonEmpty(v);
  if (typeof v === 'object' && v !== null) return nonEmpty((v as { name?: unknown }).name);
  return undefined;
}
