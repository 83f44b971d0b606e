import type { Ecosystem, Package } from '../../model/package.js';
import type { LinkIndex } from '../../unpack/links.js';

/**
 * What a source's root is. A layer is mounted at `/opt`; an image is a whole file system, whose
 * `/opt` holds layer-style content and whose OS package databases describe the system.
 */
export type SourceRoot = 'layer' | 'image';

/**
 * Top-level layer directories whose files a runtime runs or loads by name:
 * `/opt/bin` is on PATH, `/opt/lib` on LD_LIBRARY_PATH (with the loader's
 * hardware-capability subdirectories), `/opt/extensions/*` are started by
 * Lambda. A package's metadata cannot claim files there, only the package
 * that is the file itself (a jar, a Go or Rust program).
 */
export const RUNTIME_DIRS: readonly string[] = ['bin', 'extensions', 'lib'];

/** Ecosystems whose database describes a whole system (dpkg, rpm, apk). */
export const OS_ECOSYSTEMS: ReadonlySet<Ecosystem> = new Set<Ecosystem>(['deb', 'rpm', 'apk']);

/**
 * The parts of a Lambda image that are not the OS's: layer content, function code and the
 * runtime. An OS package database may not claim files there.
 */
const LAMBDA_PARTS: readonly string[] = ['opt/', 'var/task/', 'var/runtime/', 'var/lang/'];

/** A node of the claims tree: one path component. */
interface Node {
  kids?: Map<string, Node>;
  /** Package owning this exact path. */
  exact?: Package;
  /** Package owning everything under this directory. */
  prefix?: Package;
  /** A package that claimed this path (or directory) and was refused. */
  refused?: Package;
}

/**
 * Whether `claim` (source-relative, '/'-terminated for a directory) is one a
 * package may make of a file where the runtime finds it: not in a runtime
 * directory, unless the claim is the package's own evidence file. In a layer,
 * an OS package database (dpkg, rpm, apk) is just files under `/opt` and owns
 * nothing; in an image it owns the system's files but none in the Lambda
 * parts ({@link LAMBDA_PARTS}), where the runtime directories are those of
 * `/opt`.
 */
export function acceptsClaim(pkg: Package, claim: string, root: SourceRoot = 'layer'): boolean {
  if (claim === '' || claim === '/') return false;
  const os = OS_ECOSYSTEMS.has(pkg.ecosystem);
  if (root === 'layer' && os) return false;
  if (root === 'image' && os) return !LAMBDA_PARTS.some((part) => claim.startsWith(part));
  const inLayer =
    root === 'image' ? (claim.startsWith('opt/') ? claim.slice(4) : undefined) : claim;
  if (inLayer === undefined) return true;
  const top = inLayer.split('/', 1)[0] ?? '';
  return !RUNTIME_DIRS.includes(top) || pkg.locations.some((l) => l.path === claim);
}

/**
 * In an image, the Lambda parts (and `/opt`'s runtime directories) that a symlink puts elsewhere:
 * real directory (`srv/app/`) → the part (`var/task/`). With `/var/task -> /srv/app` the function
 * code is under `srv/app`, and an OS package database claiming it there claims function code.
 */
export function redirectedParts(
  resolve: (path: string) => string | undefined
): Map<string, string> {
  const out = new Map<string, string>();
  const dirs = [...LAMBDA_PARTS, ...RUNTIME_DIRS.map((d) => `opt/${d}/`)];
  for (const part of dirs) {
    const real = resolve(part.slice(0, -1));
    if (real === undefined) continue;
    const at = real === '' ? '' : `${real}/`;
    if (at !== part) out.set(at, part);
  }
  return out;
}

/** `claim` with the longest redirected real directory it lies under replaced by its part. */
function logicalPath(claim: string, redirects: ReadonlyMap<string, string>): string {
  let best = '';
  let found = false;
  for (const real of redirects.keys())
    if (claim.startsWith(real) && (!found || real.length > best.length)) {
      best = real;
      found = true;
    }
  return found ? redirects.get(best)! + claim.slice(best.length) : claim;
}

/**
 * Move the claims outside the package's install directory from `owns` to
 * `disowned`: metadata cannot make a package own what it did not install.
 * Judged on the paths as the package names them (before symlinks are
 * resolved), so a module reached through a link inside its site directory
 * stays the distribution's.
 */
export function disownOutsideInstallDir(pkg: Package): void {
  const dir = pkg.installDir;
  if (dir === undefined || dir === '') return;
  const own = new Set(pkg.locations.map((l) => l.path));
  const keep: string[] = [];
  for (const claim of pkg.owns) {
    if (claim.startsWith(`${dir}/`) || own.has(claim)) keep.push(claim);
    else (pkg.disowned ??= []).push(claim);
  }
  pkg.owns = keep;
}

/**
 * Answers "which package owns this file?" from the `owns` lists of packages
 * found earlier, never on a package's word alone: claims outside a package's
 * install directory were already moved to `disowned`, and claims on files in
 * {@link RUNTIME_DIRS} are refused unless the claim is the package's own
 * evidence file. Claims are held in a tree of path components, so a lookup
 * costs the length of the path, and the deepest claim wins (a nested
 * `node_modules/a/node_modules/b/x.node` belongs to `b`).
 */
export class OwnershipIndex {
  readonly #root: Node = {};

  /**
   * @param redirects image root: where a symlink puts a Lambda part (see {@link redirectedParts});
   *   a claim under the real directory is judged as one under the part
   */
  constructor(
    packages: readonly Package[],
    root: SourceRoot = 'layer',
    redirects: ReadonlyMap<string, string> = new Map()
  ) {
    for (const p of packages) {
      for (const raw of p.owns) {
        const claim = raw.replace(/^\/+/, '');
        if (claim === '') continue;
        const dir = claim.endsWith('/');
        const node = this.#node(dir ? claim.slice(0, -1) : claim);
        if (!acceptsClaim(p, logicalPath(claim, redirects), root)) node.refused ??= p;
        else if (dir) node.prefix ??= p;
        else node.exact ??= p;
      }
      for (const raw of p.disowned ?? []) {
        const claim = raw.replace(/^\/+|\/+$/g, '');
        if (claim !== '') this.#node(claim).refused ??= p;
      }
    }
  }

  #node(path: string): Node {
    let n = this.#root;
    for (const part of path.split('/')) {
      n.kids ??= new Map();
      let k = n.kids.get(part);
      if (!k) {
        k = {};
        n.kids.set(part, k);
      }
      n = k;
    }
    return n;
  }

  /** The tree nodes along `path`, from its first component to (if claimed) the path itself. */
  #along(path: string): Node[] {
    const out: Node[] = [];
    let n: Node | undefined = this.#root;
    for (let start = 0; ;) {
      const end = path.indexOf('/', start);
      n = n.kids?.get(end < 0 ? path.slice(start) : path.slice(start, end));
      if (!n) return out;
      out.push(n);
      if (end < 0) return out;
      start = end + 1;
    }
  }

  /** The package owning `path` (layer-relative): its exact claim, else the deepest directory claim. */
  owner(path: string): Package | undefined {
    const nodes = this.#along(path);
    const depth = path.split('/').length;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      const owner = i === depth - 1 ? n.exact : n.prefix;
      if (owner) return owner;
    }
    return undefined;
  }

  /** True when some package owns `path`. */
  has(path: string): boolean {
    return this.owner(path) !== undefined;
  }

  /** A package that claimed `path` (or a directory above it) and was refused, if any. */
  refusedClaimant(path: string): Package | undefined {
    const nodes = this.#along(path);
    for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i]!.refused) return nodes[i]!.refused;
    return undefined;
  }
}

/**
 * True when some package owns `path`.
 * For many lookups, build an {@link OwnershipIndex} once and pass it instead.
 */
export function isOwned(path: string, packages: readonly Package[] | OwnershipIndex): boolean {
  const index = packages instanceof OwnershipIndex ? packages : new OwnershipIndex(packages);
  return index.has(path);
}

/**
 * `rel` (relative, possibly with `..`) joined to the layer directory `dir` and
 * normalised; undefined when it is absolute or climbs out of the layer. Where
 * it lands is for the ownership rules to judge, not this.
 */
export function joinInLayer(dir: string, rel: string): string | undefined {
  return joinLexically(dir, rel);
}

/**
 * True when `rel`, joined to `dir` as {@link joinInLayer} joins it, lands outside `dir` (or is
 * absolute, or climbs out of the layer): what a runtime loads there is not the code of the
 * package installed in `dir` (npm's `main`, a gem's `require_paths`).
 */
export function leadsOutOf(dir: string, rel: string): boolean {
  const target = joinInLayer(dir, rel);
  return target === undefined || (target !== dir && !target.startsWith(`${dir}/`));
}

/**
 * Where the link at `path`, inside the directory `dir` (a path with no link on it), leads when
 * that is out of `dir` as the kernel resolves it; undefined when it stays inside or leads to
 * nothing in the layer (reported as a dangling link or a link out of the layer). What a runtime
 * loads through such a link is not the code of the package installed in `dir`, as with
 * {@link leadsOutOf}.
 */
export function linkLeadsOutOf(links: LinkIndex, path: string, dir: string): string | undefined {
  const to = links.resolve(path);
  if (!to.ok) return undefined;
  return to.path === dir || to.path.startsWith(`${dir}/`) ? undefined : to.path;
}

function joinLexically(dir: string, rel: string): string | undefined {
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return undefined;
  const out = dir === '' ? [] : dir.split('/');
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.length > 0 ? out.join('/') : undefined;
}

/**
 * What the OS packages among `earlier` own in an image, of their claims those `keep` takes: an
 * index of a whole system's file lists costs tens of MiB, and a check asks about a few names.
 */
export function osOwnership(
  earlier: readonly Package[],
  keep: (claim: string) => boolean,
  root: SourceRoot = 'image'
): OwnershipIndex {
  const os = earlier.filter((p) => OS_ECOSYSTEMS.has(p.ecosystem));
  return new OwnershipIndex(
    os.map((p) => ({ ...p, owns: p.owns.filter(keep) })),
    root
  );
}
