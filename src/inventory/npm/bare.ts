/**
 * Modules Node loads from a `node_modules` directory with no package.json to say what they are.
 * `require('x')` looks in each `node_modules` for the file `x`, `x.js`, `x.json`, `x.node`, then
 * for the directory `x` (its package.json `main`, else `index.js`, `index.json`, `index.node`),
 * and `require('x/sub')` loads any file of that directory:
 * https://nodejs.org/api/modules.html#all-together
 */

/** A module with no package.json: the name `require` loads it by and where it is. */
export interface BareModule {
  /** Module name as `require` takes it (`lodash`, `@scope/x`). */
  name: string;
  /** The file directly in `node_modules`, or the package directory holding files. */
  path: string;
  kind: 'file' | 'directory';
  /** A file of the directory (its first, in path order); the file itself for a `file`. */
  evidence: string;
  /**
   * In a `node_modules` deeper inside a package (`pkg/lib/node_modules`, `pkg/test/fixtures/
   * node_modules`) rather than where installs put modules: only that package's files under
   * its parent directory find it by name.
   */
  deep: boolean;
}

/**
 * Whether the `node_modules` at `parts[nm]` is where installs put modules: outside any package
 * (`nodejs/node_modules`, `var/task/node_modules`) or directly in a package's directory
 * (`node_modules/a/node_modules`, a nested dependency). One deeper inside a package
 * (`pino/test/fixtures/eval/node_modules`: test fixtures several common packages publish) is
 * searched only by `require` in that package's files under its parent directory.
 */
function searchedFromPackageRoots(parts: readonly string[], nm: number): boolean {
  const above = parts.lastIndexOf('node_modules', nm - 1);
  if (above < 0) return true;
  const depth = nm - above; // node_modules/<name>/node_modules: 2; with a scope: 3
  return depth === 2 || (depth === 3 && parts[above + 1]!.startsWith('@'));
}

/** Extensions `require('x')` adds when it looks for the file `x` (require.extensions). */
const REQUIRE_EXTENSIONS = /(.)\.(js|json|node)$/; // `.js` itself is named `.js`

/**
 * What package managers write into a `node_modules` for themselves, directories with a trailing
 * `/`: npm's `.bin/` (links to packages' bins) and `.package-lock.json`, pnpm's store and state,
 * Yarn's state, and macOS Finder's `.DS_Store`. Node treats any other name starting with `.` as a
 * module name (`require('.x')` loads `node_modules/.x.js`, and @prisma/client requires
 * `.prisma/client`), so it is a module like any other.
 */
const BOOKKEEPING = new Set([
  '.bin/',
  '.package-lock.json',
  '.pnpm/',
  '.modules.yaml',
  '.pnpm-workspace-state.json',
  '.pnpm-workspace-state-v1.json',
  '.yarn-integrity',
  '.yarn-state.yml',
  '.DS_Store',
]);

/**
 * The bare modules among `paths` (layer-relative files, sorted): each file directly in a
 * `node_modules` (or a scope directory in it), and each package directory under a
 * `node_modules` that holds files but no `package.json` (`hasManifest` says). A package
 * manager's own entries (`.bin/`, `.pnpm/`, `.package-lock.json`) are not modules; any other
 * name starting with `.` is.
 */
export function bareModules(
  paths: Iterable<string>,
  hasManifest: (dir: string) => boolean
): BareModule[] {
  const out = new Map<string, BareModule>();
  const manifested = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    const nm = parts.lastIndexOf('node_modules');
    if (nm < 0) continue;
    const deep = !searchedFromPackageRoots(parts, nm);
    const first = parts[nm + 1];
    if (first === undefined || first === '') continue;
    const scoped = first.startsWith('@') && parts.length > nm + 2;
    const last = scoped ? nm + 2 : nm + 1;
    const base = parts[last]!;
    if (base === '' || BOOKKEEPING.has(last < parts.length - 1 ? `${base}/` : base)) continue;
    const name = scoped ? `${first}/${base}` : base;
    if (last === parts.length - 1) {
      const file = base.replace(REQUIRE_EXTENSIONS, '$1');
      out.set(path, {
        name: scoped ? `${first}/${file}` : file,
        path,
        kind: 'file',
        evidence: path,
        deep,
      });
      continue;
    }
    const dir = parts.slice(0, last + 1).join('/');
    if (out.has(dir) || manifested.has(dir)) continue;
    if (hasManifest(dir)) manifested.add(dir);
    else out.set(dir, { name, path: dir, kind: 'directory', evidence: path, deep });
  }
  return [...out.values()];
}
