/**
 * Modules Python imports from a Lambda site directory (`python/`,
 * `python/lib/pythonX.Y/site-packages/`) that no installed distribution claims. The import
 * system looks in each `sys.path` directory for the package directory `x/` (with or without an
 * `__init__.py`: a directory is a namespace package) and for the file `x` with an extension,
 * source or bytecode suffix (`x.cpython-312-x86_64-linux-gnu.so`, `x.abi3.so`, `x.so`,
 * `x.py`, `x.pyc`), whatever metadata says: https://docs.python.org/3/reference/import.html
 */

import type { BareModule } from '../cataloger.js';

/** A top-level module of a site directory: the name `import` takes it by and where it is. */
export interface BarePythonModule extends BareModule {
  /** The site directory it is in. */
  site: string;
}

/** A file the import system loads a module from, and its module name. */
export const MODULE_FILE = /^([^.]+)\.(?:py|pyc|(?:[^/]*\.)?so)$/;

/**
 * A path in one of Lambda's site directories, and its path there. The longer directory first:
 * a file under `python/lib/python3.12/site-packages/` is that directory's, not `python/`'s
 * (from `python/` it is not importable by name: `python3.12` cannot be part of a module name).
 */
const IN_SITE = /^(python\/lib\/python\d+(?:\.\d+)?\/site-packages|python)\/(.+)$/;

/** True when `import` reaches a file under these directories by a dotted name. */
export function importableDirs(dirs: readonly string[]): boolean {
  return dirs.every((d) => d !== '' && d !== '__pycache__' && !d.includes('.'));
}

/**
 * The top-level modules among `entries` (paths relative to the source's root, sorted; the site
 * directories under `prefix`: `opt/` in an image, none when null) that `claimed` says no
 * distribution claims. `claimed` is asked with the path a distribution's files would claim: the
 * module file's own path, or the package directory's with a trailing '/', and the directory
 * searched. A directory counts
 * when it holds a module file at an importable depth (`python/bin/` of console scripts does not);
 * a symbolic link at the top of a site directory counts as the module it names (Python follows
 * it). Names that start with '.' and metadata directories (`x.dist-info`: not importable by
 * name) are not modules. `more` are other directories on `sys.path` searched the same way (those
 * a site directory's `.pth` file adds).
 */
export function barePythonModules(
  entries: Iterable<{ path: string; kind: string }>,
  claimed: (path: string, site: string) => boolean,
  prefix: string | null = '',
  more: ReadonlySet<string> = new Set()
): BarePythonModule[] {
  const out = new Map<string, BarePythonModule>();
  for (const e of entries) {
    if (e.kind !== 'file' && e.kind !== 'symlink') continue;
    const m =
      prefix !== null && e.path.startsWith(prefix)
        ? IN_SITE.exec(e.path.slice(prefix.length))
        : null;
    if (m) found(out, e, `${prefix}${m[1]!}`, m[2]!, claimed);
    if (more.size === 0) continue;
    // Every added directory above it ('' when the layer root itself was added).
    for (let at = e.path.lastIndexOf('/'); at > 0; at = e.path.lastIndexOf('/', at - 1)) {
      const dir = e.path.slice(0, at);
      if (more.has(dir)) found(out, e, dir, e.path.slice(at + 1), claimed);
    }
    if (more.has('')) found(out, e, '', e.path, claimed);
  }
  return [...out.values()];
}

/** Record the module `e` is part of, at `rest` below the directory `site`, unless claimed. */
function found(
  out: Map<string, BarePythonModule>,
  e: { path: string; kind: string },
  site: string,
  rest: string,
  claimed: (path: string, site: string) => boolean
): void {
  const parts = rest.split('/');
  const base = parts[parts.length - 1]!;
  const file = MODULE_FILE.exec(base);
  if (parts.length === 1) {
    // A link without a suffix may name a package directory (or a file Python never loads:
    // failing closed on such a link costs little, missing a linked package would not).
    const name = file?.[1] ?? (e.kind === 'symlink' && !base.includes('.') ? base : undefined);
    if (name === undefined || name === '' || out.has(e.path) || claimed(e.path, site)) return;
    const kind = file ? 'file' : 'directory';
    out.set(e.path, { name, site, path: e.path, kind, evidence: e.path });
    return;
  }
  if (!file || e.kind !== 'file' || !importableDirs(parts.slice(0, -1))) return;
  const dir = site === '' ? parts[0]! : `${site}/${parts[0]!}`;
  if (out.has(dir) || claimed(`${dir}/`, site)) return;
  out.set(dir, { name: parts[0]!, site, path: dir, kind: 'directory', evidence: e.path });
}
