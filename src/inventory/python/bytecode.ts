/**
 * Compiled bytecode Python may run in place of the source lamina read. Importing `x` from a
 * directory holding `x.py`, Python loads `__pycache__/x.<tag>.pyc` instead when its header
 * says it is current: a timestamp pyc whose recorded size (and modification time) match the
 * source's, a checked hash-based pyc whose hash matches, and an unchecked hash-based pyc always.
 * With no `x.py` (nor `x/` or an extension module) the legacy `x.pyc` beside it is imported
 * instead. pip lists its pycs in RECORD without a hash, so nothing ties the bytecode to the
 * source whose hash RECORD checks: a layer can ship clean sources and other code to run.
 * lamina cannot compile Python, so a pyc Python may load is code it did not see. Pycs Python
 * never loads are left alone: no source beside one in `__pycache__`, a header Python rejects
 * (`_classify_pyc`: bad magic, unknown flags, short), a timestamp pyc whose recorded size is
 * not the source's (`_validate_timestamp_pyc`), a checked hash-based pyc whose hash is not the
 * source's (`_validate_hash_pyc`). The modification time is not compared: whether
 * Lambda keeps the zip's times when it extracts a layer is not something lamina can know.
 * https://docs.python.org/3/reference/import.html#cached-bytecode-invalidation
 */
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import { DEFAULT_LIMITS, type FileEntry, type FileSource } from '../../unpack/source.js';
import { mapLimit } from '../../util/pool.js';
import { siphash } from '../../util/siphash.js';

/** `DIR/__pycache__/STEM.TAG.pyc` or `DIR/__pycache__/STEM.TAG.opt-N.pyc` (importlib's cache_from_source). */
const CACHED = /^(?:(.*)\/)?__pycache__\/([^/.]+)\.[^/.]+(?:\.opt-\d+)?\.pyc$/;
/**
 * The source `DIR/STEM.py` whose cache `DIR/__pycache__/STEM.TAG[.opt-N].pyc` is, as Python looks
 * for it; undefined for a path of another shape.
 */
export function cachedSource(pycPath: string): string | undefined {
  const cached = CACHED.exec(pycPath);
  return cached ? `${cached[1] === undefined ? '' : `${cached[1]}/`}${cached[2]!}.py` : undefined;
}

/** A legacy (sourceless) `DIR/STEM.pyc`, outside `__pycache__`. */
const LEGACY = /^(?:(.*)\/)?([^/.]+)\.pyc$/;

/** How Python reads a pyc's 16-byte header. */
export type PycHeader =
  | { kind: 'invalid' }
  | { kind: 'timestamp'; size: number }
  | { kind: 'checked-hash'; hash: Buffer }
  | { kind: 'unchecked-hash' };

/**
 * The header as `importlib._bootstrap_external._classify_pyc` reads it. Every version's magic
 * number ends in `\r\n`; which version's it is is not checked (the runtime is not known here).
 */
export function classifyPyc(head: Buffer): PycHeader {
  if (head.length < 16 || head[2] !== 0x0d || head[3] !== 0x0a) return { kind: 'invalid' };
  const flags = head.readUInt32LE(4);
  if (flags === 0) return { kind: 'timestamp', size: head.readUInt32LE(12) };
  if (flags === 1) return { kind: 'unchecked-hash' };
  if (flags === 3) return { kind: 'checked-hash', hash: head.subarray(8, 16) };
  return { kind: 'invalid' };
}

/** A pyc Python may load, and why. */
interface Loadable {
  path: string;
  why: string;
}

/** Pyc headers read at once. */
const READ_CONCURRENCY = 8;

/** Pycs named in one finding's message; the count covers the rest. */
const SHOWN = 3;

/** What a layer's builder can do about its bytecode. */
const LAYER_REMEDY = 'build the layer without it (pip install --no-compile) or allow it by path';

/**
 * One `BYTECODE_NOT_VERIFIED` finding (severity error) per directory whose pycs Python may run
 * instead of their sources, among `pycs` (the `.pyc` files and links under `python/`), ending
 * with `remedy`.
 */
export async function bytecodeFindings(
  source: FileSource,
  pycs: readonly FileEntry[],
  maxSourceBytes: number = DEFAULT_LIMITS.maxFileSize,
  remedy: string = LAYER_REMEDY
): Promise<Finding[]> {
  const byDir = new Map<string, Loadable[]>();
  // A file matched under a link's path and that link are one pyc to Python.
  const once = [...new Map(pycs.map((e) => [e.path, e])).values()];
  const found = await mapLimit(once, READ_CONCURRENCY, (e) => loadable(source, e, maxSourceBytes));
  for (const f of found) {
    if (!f) continue;
    const dir = posix.dirname(f.path);
    const list = byDir.get(dir) ?? [];
    list.push(f);
    byDir.set(dir, list);
  }
  return [...byDir.entries()].map(([dir, list]) => {
    const names = list.slice(0, SHOWN).map((l) => `${posix.basename(l.path)} (${l.why})`);
    const more = list.length > SHOWN ? `, and ${list.length - SHOWN} more` : '';
    return {
      code: 'BYTECODE_NOT_VERIFIED',
      severity: 'error',
      path: list.length === 1 ? list[0]!.path : dir,
      message:
        `Python may run ${list.length === 1 ? 'this compiled file' : `${list.length} compiled files here`} ` +
        `instead of the source lamina read: ${names.join(', ')}${more}. lamina cannot check ` +
        `bytecode against its source; ${remedy}`,
    };
  });
}

async function loadable(
  source: FileSource,
  e: FileEntry,
  maxSourceBytes: number
): Promise<Loadable | undefined> {
  // A link is read through (the source follows it); one that leads nowhere reads as unread.
  if (e.kind !== 'file' && e.kind !== 'symlink') return undefined;
  const pyPath = cachedSource(e.path);
  if (pyPath !== undefined) {
    const py = source.get(pyPath);
    // Python looks here only for the cache of a source it found.
    if (!py || (py.kind !== 'file' && py.kind !== 'symlink')) return undefined;
    const head = await headOf(source, e.path);
    if (!head) return { path: e.path, why: UNREAD };
    const header = classifyPyc(head);
    if (header.kind === 'invalid') return undefined;
    if (header.kind === 'unchecked-hash')
      return { path: e.path, why: 'hash-based, never checked against the source' };
    if (header.kind === 'checked-hash') {
      const matches = await hashMatches(source, pyPath, head, header.hash, maxSourceBytes);
      // Python recompiles the source when the hash differs: that pyc never runs.
      if (matches === false) return undefined;
      return {
        path: e.path,
        why: matches
          ? 'hash-based, its hash matches the source: Python runs it'
          : 'hash-based, its hash could not be checked against the source',
      };
    }
    // A link's target size is not known here: fail closed.
    if (py.kind === 'file' && header.size !== py.size % 2 ** 32) return undefined;
    return { path: e.path, why: "records the source's size" };
  }
  const legacy = LEGACY.exec(e.path);
  if (!legacy || e.path.split('/').includes('__pycache__')) return undefined;
  const stem = `${legacy[1] === undefined ? '' : `${legacy[1]}/`}${legacy[2]!}`;
  // A package directory or a source of the same name is found first (so is an extension
  // module, not looked for here: that pyc is reported though Python would not load it).
  if (source.get(stem) !== undefined || source.get(`${stem}.py`) !== undefined) return undefined;
  const head = await headOf(source, e.path);
  if (head && classifyPyc(head).kind === 'invalid') return undefined;
  return { path: e.path, why: head ? 'no source: Python imports the bytecode itself' : UNREAD };
}

/**
 * Magic numbers below this are of Pythons up to 3.14, whose source hash is known (hash-based
 * pycs came with 3.7, magic 3390): a later Python's pyc is never skipped on a hash that a
 * changed algorithm could make mean something else.
 */
const HASH_KNOWN_BELOW = 3650;

/**
 * Whether a checked hash-based pyc's hash is the source's, as importlib checks it:
 * `_imp.source_hash(MAGIC, source bytes)`, SipHash keyed by the pyc's own magic number (the only
 * one a Python that loads it can have): SipHash-1-3 from Python 3.11, SipHash-2-4 before. The
 * runtime's version is not known here, so a hash matching either counts; undefined when the
 * source cannot be read, or the magic is of a Python after those whose hash is known here (a
 * pyc that may run).
 */
async function hashMatches(
  source: FileSource,
  pyPath: string,
  head: Buffer,
  hash: Buffer,
  maxSourceBytes: number
): Promise<boolean | undefined> {
  if (head.readUInt16LE(0) >= HASH_KNOWN_BELOW) return undefined;
  let bytes: Buffer;
  try {
    bytes = await source.read(pyPath, maxSourceBytes);
  } catch {
    return undefined;
  }
  const key = BigInt(head.readUInt32LE(0));
  const recorded = hash.readBigUInt64LE(0);
  return siphash(key, 0n, bytes, 1, 3) === recorded || siphash(key, 0n, bytes, 2, 4) === recorded;
}

/** The first 16 bytes, or undefined when the entry cannot be read. */
async function headOf(source: FileSource, path: string): Promise<Buffer | undefined> {
  try {
    return await source.head(path, 16);
  } catch {
    return undefined;
  }
}

/** A pyc lamina could not read may be one Python loads (fail closed). */
const UNREAD = 'could not be read';
