/**
 * The `sys.path` entries of a site directory's `.pth` files, as `site.addpackage` reads them:
 * lines starting with `#` are skipped, blank lines too, lines starting with `import ` or
 * `import\t` are executed; every other line, right-stripped, is joined to the site directory,
 * made absolute (lexically: `..` is not resolved through links) and appended to `sys.path` when
 * it exists. Python 3.12 and later decode the file as UTF-8 (a byte order mark dropped), falling
 * back to the locale's encoding, and split it with `str.splitlines()`; earlier versions read it
 * in the locale's encoding with universal newlines. Both readings are taken: an entry either
 * makes counts. https://github.com/python/cpython/blob/main/Lib/site.py (addpackage)
 */
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { LinkIndex } from '../../unpack/links.js';
import type { FileEntry, FileSource } from '../../unpack/source.js';
import type { SourceRoot } from '../cataloger.js';

/** Bytes of a `.pth` file read; a larger one is reported, not read. */
export const MAX_PTH_BYTES = 1024 * 1024;
/** Path entries followed per `.pth` file; the rest are reported. */
export const MAX_PTH_PATHS = 1000;

/** Characters `str.isspace()` holds true for, which `str.strip()` removes. */
const PY_SPACE =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** `str.rstrip()`. */
function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && PY_SPACE.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** Line breaks of `str.splitlines()` (Python 3.12 and later). */
// eslint-disable-next-line no-control-regex -- these control characters are line breaks to Python
const SPLITLINES = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
/** Universal newlines (text files, up to Python 3.11). */
const NEWLINES = /\r\n|\r|\n/;

/** One path line of a `.pth` file: its number (1-based) and the path as Python joins it. */
export interface PthPath {
  line: number;
  path: string;
}

/**
 * The path lines of a `.pth` file, as either reading takes them, each path once, in order.
 * Bytes that are not UTF-8 are read as Latin-1 (a locale encoding that maps every byte: what a
 * fallback could make of them), never refused.
 */
export function pthPaths(bytes: Buffer): PthPath[] {
  let modern: string;
  let legacy: string;
  try {
    // Python 3.12+: utf-8-sig; up to 3.11: the locale's (UTF-8 on Lambda), the mark kept.
    modern = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    legacy = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    modern = legacy = bytes.toString('latin1');
  }
  const out = new Map<string, PthPath>();
  const take = (text: string, split: RegExp): void => {
    text.split(split).forEach((line, i) => {
      if (line.startsWith('#') || pyRstrip(line) === '') return;
      if (line.startsWith('import ') || line.startsWith('import\t')) return;
      const path = pyRstrip(line);
      if (!out.has(path)) out.set(path, { line: i + 1, path });
    });
  };
  take(modern, SPLITLINES);
  take(legacy, NEWLINES);
  return [...out.values()];
}

/** What a `.pth` file's path entries put on `sys.path`, as far as the layer shows. */
export interface PthDirs {
  /** Directories in the source (real paths) each entry leading to one adds, and the `.pth` adding it. */
  dirs: Map<string, string>;
  findings: Finding[];
}

/**
 * Read the `.pth` files `pths` (each under the site-directory path Python finds it by) and
 * follow their path entries: one leading to a directory of the source gives that directory
 * (`skip` says which are searched anyway: the site directories); one leading to a file (a zip or
 * egg, which zipimport imports from), out of the layer or into a link loop is a
 * `PTH_PATH_NOT_INSPECTED` error, and one leading to nothing in this layer a warning (another
 * layer mounted at `/opt` may hold it).
 */
export async function pthDirs(
  source: FileSource,
  links: LinkIndex,
  root: SourceRoot,
  pths: readonly FileEntry[],
  skip: (dir: string) => boolean
): Promise<PthDirs> {
  const dirs = new Map<string, string>();
  const findings: Finding[] = [];
  const finding = (path: string, severity: Finding['severity'], message: string): void => {
    findings.push({ code: 'PTH_PATH_NOT_INSPECTED', severity, path, message });
  };
  // Where the source is mounted: a layer at /opt, an image at the root.
  const mount = root === 'image' ? '/' : '/opt';
  for (const pth of pths) {
    if (pth.size > MAX_PTH_BYTES) {
      finding(
        pth.path,
        'error',
        `${pth.path} is ${pth.size} bytes, over the ${MAX_PTH_BYTES} lamina reads of a .pth file: the directories its lines put on sys.path were not looked at`
      );
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await source.read(pth.path, MAX_PTH_BYTES);
    } catch (err) {
      findings.push({
        code: 'READ_ERROR',
        severity: 'error',
        path: pth.path,
        message: `could not read ${pth.path}, whose lines Python adds to sys.path: ${err instanceof Error ? err.message : String(err)}`,
      });
      continue;
    }
    const site = posix.dirname(pth.path);
    const paths = pthPaths(bytes);
    if (paths.length > MAX_PTH_PATHS)
      finding(
        pth.path,
        'error',
        `${pth.path} has ${paths.length} path lines; lamina followed the first ${MAX_PTH_PATHS}`
      );
    for (const { line, path } of paths.slice(0, MAX_PTH_PATHS)) {
      const at = `${pth.path} line ${line} (${JSON.stringify(path)})`;
      // os.path.join then abspath: lexical, from the site directory as Python names it.
      const abs = posix.resolve(posix.join(mount, site), path);
      const inSource =
        root === 'image'
          ? abs.slice(1)
          : abs === '/opt'
            ? ''
            : abs.startsWith('/opt/')
              ? abs.slice('/opt/'.length)
              : undefined;
      if (inSource === undefined) {
        finding(
          pth.path,
          'error',
          `${at} puts ${abs} on sys.path, outside the layer: lamina cannot see what Python imports from there`
        );
        continue;
      }
      const r = links.resolve(inSource);
      if (!r.ok) {
        if (r.reason === 'missing')
          finding(
            pth.path,
            'warning',
            `${at} names ${abs}, which this layer does not hold (another layer mounted at /opt may: Python would import from it)`
          );
        else
          finding(
            pth.path,
            'error',
            `${at} puts ${abs} on sys.path, which ${r.reason === 'loop' ? 'does not resolve within 40 links' : 'a link leads out of the layer'}: lamina cannot see what Python imports from there`
          );
        continue;
      }
      if (r.entry !== undefined && r.entry.kind !== 'dir') {
        finding(
          pth.path,
          'error',
          `${at} puts the file ${r.path} on sys.path: Python imports from a zip or egg there (zipimport), which lamina does not open`
        );
        continue;
      }
      if (skip(r.path) || skip(inSource)) continue;
      if (!dirs.has(r.path)) dirs.set(r.path, pth.path);
    }
  }
  return { dirs, findings };
}
