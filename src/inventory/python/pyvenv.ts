/**
 * A virtual environment's `pyvenv.cfg` as CPython reads it at start-up: beside the interpreter it
 * was started as (or one directory up), its `home` key is where the standard library is searched
 * from, so an image adding `/usr/pyvenv.cfg` with `home = /usr/share/doc/x` makes Debian's
 * `/usr/bin/python3.11` import `encodings` (at every start) and the rest of the standard library
 * from `/usr/share/doc/x/lib/python3.11`, files no cataloger reads, in place of the ones dpkg
 * checked.
 */
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { LinkIndex } from '../../unpack/links.js';
import type { FileEntry } from '../../unpack/source.js';
import type { CatalogContext } from '../cataloger.js';
import { osOwnership, type OwnershipIndex } from '../binary/ownership.js';

/** Largest pyvenv.cfg read: a real one is a few lines. */
const MAX_PYVENV_CFG = 64 * 1024;

/** The interpreter directories (`python3.N`, free-threaded `python3.Nt`) whose landmarks are looked for. */
const VERSIONS: readonly string[] = Array.from({ length: 20 }, (_, n) => [
  `3.${n}`,
  `3.${n}t`,
]).flat();

/**
 * The library directory names CPython's landmarks are under: its platlibdir, `lib`, or `lib64` in
 * a build that sets it so (Fedora's, Amazon Linux's). Which one the interpreter has is not known
 * here, so both are looked for.
 */
const PLATLIBDIRS: readonly string[] = ['lib', 'lib64'];

/**
 * CPython's landmarks of a prefix for one version and platlibdir (getpath: `lib/pythonX.Y/os.py`,
 * its `.pyc`, `lib/pythonXY.zip`): the first directory from `home` up holding its version's is
 * the prefix whose standard library (and zip, first on `sys.path`) it imports.
 */
function landmarks(version: string, libdir: string): string[] {
  const sub = `${libdir}/python${version}`;
  return [`${sub}/os.py`, `${sub}/os.pyc`, `${libdir}/python${version.replace('.', '')}.zip`];
}

/** Every `home` value of a pyvenv.cfg: CPython takes the first (its key in any case), older ones the exact key. */
export function pyvenvHomes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0 || line.slice(0, eq).trim().toLowerCase() !== 'home') continue;
    out.push(line.slice(eq + 1).trim());
  }
  return out;
}

/** The directory `path` names and each one above it, as CPython's search_up takes them (dirname). */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let p = path.replace(/\/+$/, ''); p !== ''; p = posix.dirname(p)) {
    out.push(p);
    if (p === '/') break;
  }
  if (out.at(-1) !== '/') out.push('/');
  return out;
}

/**
 * One `STDLIB_SHADOWED` error per `pyvenv.cfg` of an image (`found`: the files named so, with
 * the paths a runtime reaches them by) whose `home` leads CPython to a standard library that is
 * neither an installed interpreter's own (`bin/pythonX.Y` an executable beside that `lib/`, in
 * the same real directory) nor one an OS package lists (`earlier`: dpkg, rpm and apk check their
 * files' contents): every directory from `home` up is searched for each version's landmarks, since
 * the interpreter's version is not known here. A `home` that is relative (taken from the working
 * directory), and a file lamina cannot read, are reported the same way.
 */
export async function pyvenvFindings(
  ctx: Pick<CatalogContext, 'source' | 'links' | 'earlier'>,
  found: readonly FileEntry[]
): Promise<Finding[]> {
  const out: Finding[] = [];
  if (found.length === 0) return out;
  // Only what a standard library's landmark can be is asked about: a whole system's file lists
  // cost tens of MiB.
  const os = osOwnership(ctx.earlier, (claim) => STDLIB_CLAIM.test(claim));
  const report = (path: string, why: string): void => {
    out.push({
      code: 'STDLIB_SHADOWED',
      severity: 'error',
      path,
      message: `${path}: ${why}; Python started beside it (or one directory below it) imports that standard library, code no package accounts for`,
    });
  };
  for (const e of found) {
    if (e.kind !== 'file') continue;
    if (e.size > MAX_PYVENV_CFG) {
      report(
        e.path,
        `${e.size} bytes, over the ${MAX_PYVENV_CFG} lamina reads, so where its home leads is unknown`
      );
      continue;
    }
    let text: string;
    try {
      text = (await ctx.source.read(e.path, MAX_PYVENV_CFG)).toString('utf8');
    } catch (err) {
      report(e.path, `it could not be read (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    for (const home of pyvenvHomes(text)) {
      if (!home.startsWith('/')) {
        report(
          e.path,
          `its home ${JSON.stringify(home)} is relative, taken from the working directory`
        );
        continue;
      }
      const why = foreignStdlib(home, ctx.links, os);
      if (why !== undefined) report(e.path, `its home ${home} ${why}`);
    }
  }
  return out;
}

/** A claim in a standard library directory (`lib/python3.11/…`) or a `lib/python311.zip`. */
const STDLIB_CLAIM = /(?:^|\/)lib(?:64)?\/python\d/;

/**
 * Why a standard library CPython could find from `home` is not an interpreter's own or an OS
 * package's, or undefined when every one it could find is.
 */
function foreignStdlib(home: string, links: LinkIndex, os: OwnershipIndex): string | undefined {
  const resolve = (p: string): { path: string; entry: FileEntry | undefined } | undefined => {
    const r = links.resolve(p);
    return r.ok ? r : undefined;
  };
  for (const dir of ancestors(home)) {
    const at = dir.replace(/^\/+/, '');
    const join = (p: string): string => (at === '' ? p : `${at}/${p}`);
    const shown = at === '' ? '' : `/${at}`;
    for (const libdir of PLATLIBDIRS)
      for (const version of VERSIONS) {
        const mark = landmarks(version, libdir)
          .map((m) => resolve(join(m)))
          .find((r) => r?.entry?.kind === 'file');
        if (mark === undefined) continue;
        // An OS package's standard library: the landmark a file it lists, where the directory is
        // (a link named os.py in another directory would vouch for that directory's other files).
        const stdlib = resolve(join(`${libdir}/python${version}`))?.path;
        const inPlace = mark.path.endsWith('.zip') || mark.path.startsWith(`${stdlib ?? ''}/`);
        if (inPlace && os.has(mark.path)) continue;
        // The interpreter's own: its real file is bin/pythonX.Y of the same real directory.
        const exe = resolve(join(`bin/python${version}`));
        const prefix = at === '' ? '' : resolve(at)?.path;
        if (
          exe?.entry?.kind === 'file' &&
          (exe.entry.mode & 0o111) !== 0 &&
          prefix !== undefined &&
          exe.path === (prefix === '' ? `bin/python${version}` : `${prefix}/bin/python${version}`)
        )
          continue;
        return `leads to the standard library ${shown}/${libdir}/python${version} (${mark.path}), which is neither beside its interpreter (${shown}/bin/python${version}) nor an OS package's`;
      }
  }
  return undefined;
}

/**
 * A standard library's landmark: `PREFIX/lib/pythonX.Y/os.py`, `os.pyc`, `PREFIX/lib/pythonXY.zip`
 * (prefix, version, and the zip's version digits), under `lib64` for a build whose platlibdir it
 * is (Fedora's, Amazon Linux's), where CPython looks for them then.
 */
const LANDMARK = /^(?:(.*)\/)?lib(?:64)?\/(?:python(\d+\.\d+t?)\/os\.pyc?|python(\d)(\d+t?)\.zip)$/;

/**
 * One `UNOWNED_EXECUTABLE` error per standard library of an image (`entries`: its files and links,
 * a link named like a landmark one too) that an interpreter beside it (`PREFIX/bin/pythonX.Y`)
 * imports and no OS package installed: the landmark it is found by (`os.py`, else a sourceless
 * `os.pyc`, or the zip) is not, where it is, a file an OS package lists and whose digest it
 * checked. Every module there is code nothing records the contents of (`/var/lang`'s, the
 * runtime's, `/usr/local`'s): `/var/lang/lib/python3.12/json/__init__.py` changed runs at
 * `import json`, and the interpreter's own gap, allowed by its path, does not name it. One with no
 * interpreter beside it is data: what moves an interpreter to it (a pyvenv.cfg, a build tree's
 * marker, PYTHONHOME) is reported where it is.
 */
export function unownedStdlibFindings(
  ctx: Pick<CatalogContext, 'links' | 'earlier'>,
  entries: readonly FileEntry[]
): Finding[] {
  const os = osOwnership(ctx.earlier, (claim) => LANDMARK.test(claim));
  const real = (path: string): string | undefined => {
    const r = ctx.links.resolve(path);
    return r.ok ? r.path : undefined;
  };
  const reported = new Map<string, string>();
  for (const e of entries) {
    const m = LANDMARK.exec(e.path);
    if (!m || (e.kind !== 'file' && e.kind !== 'symlink')) continue;
    const at = (p: string): string => (m[1] === undefined ? p : `${m[1]}/${p}`);
    const version = m[2] ?? `${m[3]!}.${m[4]!}`;
    if (real(at(`bin/python${version}`)) === undefined) continue;
    const base = posix.basename(e.path);
    const dir = real(posix.dirname(e.path)) ?? posix.dirname(e.path);
    const inDir = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
    // A sourceless os.pyc is the landmark only where no os.py is.
    if (base === 'os.pyc' && real(inDir('os.py')) !== undefined) continue;
    // The file itself where the directory is: a link named os.py to an owned file elsewhere would
    // vouch for this directory's other modules.
    if (real(e.path) === inDir(base) && os.has(inDir(base))) continue;
    const stdlib = base.endsWith('.zip') ? inDir(base) : dir;
    if (!reported.has(stdlib)) reported.set(stdlib, e.path);
  }
  return [...reported].map(([stdlib, mark]) => ({
    code: 'UNOWNED_EXECUTABLE',
    severity: 'error',
    path: stdlib,
    message: `${stdlib} is a Python standard library no package owns (${mark} is no file an OS package installed and checked): the interpreter beside it imports its modules, whose contents nothing records`,
  }));
}

/** An interpreter's file name, as CPython's build and installs name it. */
const INTERPRETER = /^python(?:\d+(?:\.\d+)?t?)?$/;

/**
 * One `STDLIB_SHADOWED` error per build tree marker of an image beside an interpreter (`found`:
 * the files named `pybuilddir.txt` or `Modules/Setup.local`; `entries`: the image's): CPython
 * started from a directory holding either takes itself to run in its build tree, and imports the
 * standard library from that directory's `Lib/` (`/usr/bin/Lib/encodings/__init__.py` at every
 * start, with `/usr/bin/pybuilddir.txt` beside Debian's `/usr/bin/python3.11`) and extension
 * modules from the directory the file names. An installed Python has neither.
 */
export function buildTreeFindings(
  found: readonly FileEntry[],
  entries: readonly FileEntry[]
): Finding[] {
  const markers = new Map<string, string>();
  for (const e of found) {
    const dir = e.path.endsWith('/Modules/Setup.local')
      ? posix.dirname(posix.dirname(e.path))
      : posix.basename(e.path) === 'pybuilddir.txt'
        ? posix.dirname(e.path)
        : undefined;
    if (dir !== undefined) markers.set(dir === '.' ? '' : dir, e.path);
  }
  const out: Finding[] = [];
  if (markers.size === 0) return out;
  for (const e of entries) {
    const dir = posix.dirname(e.path);
    const marker = markers.get(dir === '.' ? '' : dir);
    if (marker === undefined || !INTERPRETER.test(posix.basename(e.path))) continue;
    markers.delete(dir === '.' ? '' : dir);
    out.push({
      code: 'STDLIB_SHADOWED',
      severity: 'error',
      path: marker,
      message: `${marker} marks ${dir === '.' ? '/' : `/${dir}`} as a CPython build tree: ${e.path} started from there imports the standard library from its Lib/ directory (and extension modules from where the file says), code no package accounts for`,
    });
  }
  return out;
}
