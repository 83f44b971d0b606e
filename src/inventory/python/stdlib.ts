/**
 * Standard library modules a layer's module of the same name replaces. Lambda's Python bootstrap
 * puts the function's directory, `/opt/python/lib/pythonX.Y/site-packages` and `/opt/python`
 * at the front of `sys.path`, before the standard library's own directories, so a top-level
 * `uuid.py` (or a `json/` package with an `__init__`) in a layer is what `import uuid` loads,
 * wherever the import is: the handler, boto3, the runtime itself. The file may belong to a
 * distribution whose name says nothing of it; its code runs without anything importing that
 * distribution. Built-in and frozen modules (`sys`, `os`) cannot be replaced this way; they are
 * listed anyway, since a layer file of that name has no business there either.
 */
import type { Finding } from '../../model/finding.js';
import { STDLIB_MODULES } from '../../model/python-stdlib.js';
import { MODULE_FILE } from './bare.js';

export { STDLIB_MODULES };

/** Lambda's site directories, at the front of `sys.path`, and the path below one. */
const FRONT = /^(python\/lib\/python\d+(?:\.\d+)?\/site-packages|python)\/(.+)$/;

/**
 * In an image, the runtime's own directories too: from Python 3.11 the bootstrap puts its site
 * directory at the front as well (before 3.11 after the standard library), and `/var/runtime`
 * (the bootstrap's, and up to 3.10 the bundled SDK's) comes before the standard library.
 */
const RUNTIME_SITE = /^(var\/lang\/lib\/python\d+(?:\.\d+)?\/site-packages|var\/runtime)\/(.+)$/;

/** A package's `__init__` file: what makes a directory a regular package, which shadows. */
const INIT = /^__init__\.(?:py|pyc|(?:[^/]*\.)?so)$/;

/**
 * Whether `path` may be a top-level module of a directory at the front of `sys.path` in an
 * image (the runtime's site directory): the entries a caller adds for it, beyond the
 * catalogers' matches.
 */
export function inRuntimeSite(path: string): boolean {
  const m = RUNTIME_SITE.exec(path);
  if (!m) return false;
  const parts = m[2]!.split('/');
  return parts.length === 1 || (parts.length === 2 && INIT.test(parts[1]!));
}

/**
 * One `STDLIB_SHADOWED` error per top-level module of a site directory at the front of
 * `sys.path` that has a standard library module's name: a module file (`uuid.py`,
 * `_json.cpython-312-x86_64-linux-gnu.so`), a regular package (`json/__init__.py`) or a
 * symbolic link. A directory without an `__init__` is a namespace portion, which the standard
 * library's regular package of that name wins over. `entries` are source-relative paths (sorted);
 * Lambda's site directories are under `prefix` (`opt/` in an image). In an image (`image`), the
 * function's directory (`taskRoot`, searched first of all) and the runtime's site directory are
 * at the front too.
 */
export function stdlibShadowFindings(
  entries: Iterable<{ path: string; kind: string }>,
  prefix: string,
  image?: { taskRoot?: string | undefined }
): Finding[] {
  const taskRoot = image?.taskRoot;
  const out = new Map<string, Finding>();
  for (const e of entries) {
    if (e.kind !== 'file' && e.kind !== 'symlink') continue;
    let site: string | undefined;
    let rest: string | undefined;
    const m = e.path.startsWith(prefix) ? FRONT.exec(e.path.slice(prefix.length)) : null;
    const runtime = image ? RUNTIME_SITE.exec(e.path) : null;
    if (m) [site, rest] = [`${prefix}${m[1]!}`, m[2]!];
    else if (runtime) [site, rest] = [runtime[1]!, runtime[2]!];
    else if (taskRoot && e.path.startsWith(`${taskRoot}/`))
      [site, rest] = [taskRoot, e.path.slice(taskRoot.length + 1)];
    if (site === undefined || rest === undefined) continue;
    const parts = rest.split('/');
    let name: string | undefined;
    if (parts.length === 1)
      name = MODULE_FILE.exec(parts[0]!)?.[1] ?? (e.kind === 'symlink' ? parts[0] : undefined);
    else if (parts.length === 2 && INIT.test(parts[1]!)) name = parts[0];
    if (name === undefined || !STDLIB_MODULES.has(name)) continue;
    const path = parts.length === 1 ? e.path : `${site}/${parts[0]!}`;
    if (out.has(path)) continue;
    out.set(path, {
      code: 'STDLIB_SHADOWED',
      severity: 'error',
      path,
      message: `${path} is the module '${name}' in ${site}/, which Lambda puts on sys.path before the standard library: import ${name} runs it instead of the standard library's, from wherever it is imported`,
    });
  }
  return [...out.values()];
}
