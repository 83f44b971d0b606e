/**
 * What the binary cataloger reads, and the cheap test on a path and mode that picks the files
 * worth opening: kept apart from the ELF, Go and Rust parsers so a layer with nothing that runs
 * never loads them.
 */
import { posix } from 'node:path';
import { optPrefix, type CatalogContext, type CatalogerGlobs } from '../cataloger.js';
import type { FileEntry } from '../../unpack/source.js';
import type { SourceRoot } from './ownership.js';
import { isLambdaSite } from '../python/globs.js';
import { LD_SO_CACHE } from './ldcache.js';
import { LD_SO_PRELOAD } from './preload.js';
import { OPENSSL_CONFIGS } from './openssl.js';

export const BINARY_CATALOGER = 'binary-cataloger';

/** Every entry: what runs is told by mode, name and content, not by a file name pattern. */
export const BINARY_GLOBS: CatalogerGlobs = {
  name: BINARY_CATALOGER,
  globs: ['**'],
  allPaths: true,
};

/**
 * A path as Lambda's `/opt` sees it: a layer's paths are already relative to
 * `/opt`; in an image only what is under `opt/` is layer-style content (its
 * `bin/`, `lib/` and `extensions/` are the ones Lambda puts on PATH, on
 * LD_LIBRARY_PATH and starts), so other image paths have no such role.
 */
function optPath(path: string, root: SourceRoot): string | undefined {
  const prefix = optPrefix(root);
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/**
 * A file directly in `/opt` (a layer's top level; in an image `opt/<name>`): where Lambda finds a
 * custom runtime's `/opt/bootstrap`, and where layers put the script `AWS_LAMBDA_EXEC_WRAPPER`
 * names (`/opt/otel-instrument`, `/opt/datadog_wrapper`). Lambda execs such a file by path.
 */
export function atOptRoot(path: string, root: SourceRoot): boolean {
  const p = optPath(path, root);
  return p !== undefined && p !== '' && !p.includes('/');
}

/** Top-level `/opt` directories whose files run (or are loaded) even without an exec bit. */
export function topDir(path: string, root: SourceRoot): string | undefined {
  const p = optPath(path, root);
  if (p === undefined) return undefined;
  const i = p.indexOf('/');
  return i > 0 ? p.slice(0, i) : undefined;
}

/** `/opt/extensions/<name>`: what the Lambda runtime starts as an extension. */
export function isExtension(path: string, root: SourceRoot): boolean {
  const p = optPath(path, root);
  return (
    p !== undefined && p.startsWith('extensions/') && !p.slice('extensions/'.length).includes('/')
  );
}

export const LIB_NAME = /\.(so(\.[^/]*)?|node)$/;

/**
 * A `.pth` file in one of Lambda's Python site directories: the runtime's `site.addsitedir`
 * executes its `import` lines and adds its other lines to `sys.path` before the handler loads,
 * in every function the layer is attached to. In an image, also one in an interpreter's own site
 * directory, the `sitecustomize` and `usercustomize` modules there and in its standard library
 * directory, and a `._pth` file (beside an interpreter, it replaces `sys.path`).
 */
export function isSitePth(path: string, root: SourceRoot): boolean {
  const slash = path.lastIndexOf('/');
  if (slash <= 0) return false;
  const dir = path.slice(0, slash);
  if (root === 'image' && path.endsWith('._pth')) return true;
  // Lambda's Python runtime puts /var/runtime on PYTHONPATH, so `site` finds sitecustomize there.
  if (
    root === 'image' &&
    STARTUP_MODULE.test(path.slice(slash + 1)) &&
    (INTERPRETER_SITE.test(dir) || INTERPRETER_STDLIB.test(dir) || dir === 'var/runtime')
  )
    return true;
  if (!path.endsWith('.pth')) return false;
  return isLambdaSite(dir, root) || (root === 'image' && INTERPRETER_SITE.test(dir));
}

/**
 * An image's interpreters' site directories: any `lib/pythonX.Y/site-packages` (or Debian's
 * `dist-packages`), for Lambda's runtime under `/var/lang`, an OS or `/usr/local` Python, a
 * virtual environment (`/opt/venv`), a user site (`/root/.local`): `site` processes their .pth
 * files and imports their `sitecustomize` and `usercustomize` at every start of that Python.
 */
export const INTERPRETER_SITE =
  /(?:^|\/)lib(?:64)?\/python\d+(?:\.\d+)?t?\/(?:site|dist)-packages$/;

/**
 * An interpreter's standard library directories (`lib/pythonX.Y`, its `lib-dynload`), on
 * `sys.path` before the site directories: `site` imports a `sitecustomize` there too, and
 * Debian's `/usr/lib/python3.11/sitecustomize.py` is a link to the conffile
 * `/etc/python3.11/sitecustomize.py`.
 */
export const INTERPRETER_STDLIB = /(?:^|\/)lib(?:64)?\/python\d+(?:\.\d+)?t?(?:\/lib-dynload)?$/;

/** The modules `site` imports at start-up, as source, bytecode or an extension module. */
const STARTUP_MODULE = /^(?:site|user)customize(?:\.py|\.pyc|\..*\.so|\.so)$/;

/**
 * In an image, a RubyGems start-up hook: every `ruby` loads RubyGems, which requires
 * `rubygems/defaults/operating_system` and `rubygems/defaults/ruby` (its engine's) from the load
 * path, where `site_ruby` comes first (`/usr/local/lib/site_ruby/3.1.0/rubygems/defaults/
 * operating_system.rb` runs before Debian's own in vendor_ruby). Any file so named counts.
 */
export function isRubyStartup(path: string, root: SourceRoot): boolean {
  return root === 'image' && RUBYGEMS_HOOK.test(path);
}

const RUBYGEMS_HOOK = /(?:^|\/)rubygems\/defaults\/(?:operating_system|ruby)\.rb$/;

/**
 * A name that makes a file worth reading: a library name, a site directory's `.pth`, a RubyGems
 * start-up hook, or a top-level bin/, lib/, extensions/.
 */
function candidateName(path: string, root: SourceRoot): boolean {
  if (LIB_NAME.test(posix.basename(path)) || isSitePth(path, root) || isRubyStartup(path, root))
    return true;
  const top = topDir(path, root);
  return top === 'bin' || top === 'extensions' || top === 'lib';
}

/**
 * Cheap test before reading any bytes: could this file be something that
 * runs? `names` are the link paths a runtime also reaches it through (a
 * `lib/libfoo.so` link to a file named otherwise counts as a library).
 * `root` says whether paths are a layer's (relative to `/opt`) or an image's.
 */
export function isCandidate(
  e: FileEntry,
  names: readonly string[] = [],
  root: SourceRoot = 'layer'
): boolean {
  if (e.kind !== 'file') return false;
  if ((e.mode & 0o111) !== 0) return true;
  return candidateName(e.path, root) || names.some((n) => candidateName(n, root));
}

/**
 * Whether any entry the cataloger was handed is worth opening (or, in an image, the loader is
 * configured to load something: a preload list, a cache); when none is, it has nothing to do.
 */
export function anyCandidate(ctx: CatalogContext): boolean {
  if (
    ctx.root === 'image' &&
    ((ctx.loaded?.length ?? 0) > 0 ||
      ctx.source.get(LD_SO_PRELOAD) !== undefined ||
      ctx.source.get(LD_SO_CACHE) !== undefined ||
      OPENSSL_CONFIGS.some((p) => ctx.source.get(p) !== undefined))
  )
    return true;
  return ctx.matches.some((e) => isCandidate(e, [e.path, ...ctx.links.aliases(e.path)], ctx.root));
}
