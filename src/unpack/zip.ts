/**
 * The untrusted zip reader: a FileSource over a layer zip (or a jar held in
 * memory) that refuses bombs and ambiguous archives at open time and bounds
 * every read.
 *
 * Why not unzipper (named in the issue): its `Open.*` parses the central
 * directory one record at a time through promise chains (slow for 20k-entry
 * layers), allocates `Array(numberOfRecords)` from the untrusted count,
 * looks for the EOCD only in the last 80 bytes (so archive comments break
 * it) and takes the first signature it meets rather than the one that ends
 * the file, always decodes names as UTF-8 (no CP437), and does not expose
 * what the checks below need (CD size against record count, local header
 * fields). The central directory is small and well specified, so it is
 * parsed here (zip-format.ts) from one buffer, with bounds on every field.
 */
import { constants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UnpackError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import {
  checkEntryAt,
  decodeEntry,
  entryStream,
  fitsInMemory,
  headEntry,
  readEntry,
  type EntryData,
  type RandomAccess,
} from './inflate.js';
import { bufferAccess, fileAccess } from './random-access.js';
import {
  compareCodePoints,
  normaliseEntryName,
  ordinaryName,
  plainEntryName,
  resolveLinkTarget,
} from './paths.js';
import {
  DEFAULT_LIMITS,
  type EntryKind,
  type FileEntry,
  type FileSource,
  type Limits,
} from './source.js';
import {
  checkDeclaredSizes,
  checkEntryName,
  checkNameFields,
  checkNames,
  entryKind,
  entryMode,
  MAX_LINK_TARGET,
  symlinkTarget,
} from './zip-checks.js';
import {
  CENTRAL_SIZE,
  EOCD_SEARCH,
  EOCD_SIZE,
  FLAG_CD_ENCRYPTED,
  FLAG_DESCRIPTOR,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  LOCAL_SIZE,
  SIG_DESCRIPTOR,
  SIG_LOCAL,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
  emptyLocalHeader,
  eocdCandidates,
  hasEocdSignature,
  localHeaderLength,
  parseCentralDirectory,
  parseEocd,
  parseLocalHeader,
  parseZip64Eocd,
  parseZip64Locator,
  zipError,
  type CentralDirectory,
  type EndRecord,
  type LocalHeader,
} from './zip-format.js';

/** What the central directory may take per entry `--max-entries` allows. */
export const CENTRAL_BYTES_PER_ENTRY = 1024;

/** Options for {@link openZipFile}. */
export interface OpenZipFileOptions {
  limits?: Limits;
  /** Name used in messages and as the source name (default: the path). */
  name?: string;
  /**
   * A zip of at most this many bytes is read whole, once, and opened from memory (default
   * {@link WHOLE_FILE_BYTES}); a larger one is read in ranges as it is parsed.
   */
  wholeFileBytes?: number;
}

/**
 * Zips up to this size are read into memory whole, in one synchronous read: a scan opens
 * thousands of layer zips of a few kilobytes, and each range read and hash read through the
 * thread pool cost more main-thread CPU than the bytes themselves (BENCHMARKS.md). It is the
 * window a larger zip is read through, so a small zip holds no more memory than a large one;
 * the digest and the parse then see the very same bytes.
 */
export const WHOLE_FILE_BYTES = 1024 * 1024;

/** Options for {@link openZipBuffer}. */
export interface OpenZipBufferOptions {
  name: string;
  limits?: Limits;
  /** Nesting depth of this archive: 0 for a layer, 1 for a jar in it, and so on. */
  depth?: number;
}

/** Bytes read at once when walking the entries in file order: covers many small entries per read. */
const WINDOW = 1024 * 1024;
/** Symlink hops followed when resolving a read, as Linux's ELOOP limit. */
const MAX_HOPS = 40;

/** Entry kinds as stored in a Uint8Array column. */
const KIND_CODE = { file: 0, dir: 1, symlink: 2 } as const;
const DIR = KIND_CODE.dir;
const SYMLINK = KIND_CODE.symlink;
const kindName = (code: number): EntryKind =>
  code === DIR ? 'dir' : code === SYMLINK ? 'symlink' : 'file';

/**
 * What a checked archive holds, as columns by entry index: the central records first (in
 * directory order), then the parents the archive does not list. Entry objects are made when
 * asked for; what a read needs (where the bytes are, the CRC) stays in typed arrays, which the
 * garbage collector does not walk.
 */
class ZipIndex {
  /** Central records; the entries from here on are implied parent directories. */
  readonly records: number;
  /** The listed entries' indices (the root's "./" left out), sorted by path. */
  readonly order: Uint32Array;
  readonly #compare: (a: string, b: string) => number;
  readonly #paths: readonly string[];
  readonly #names: readonly string[];
  readonly #kinds: Uint8Array;
  readonly #modes: Uint16Array;
  readonly #size: Float64Array;
  readonly #compressedSize: Float64Array;
  readonly #crc: Uint32Array;
  readonly #method: Uint16Array;
  readonly #dataOffset: Float64Array;
  readonly #linkTargets: ReadonlyMap<number, string>;
  readonly #made: (FileEntry | undefined)[] = [];

  constructor(
    dir: CentralDirectory,
    paths: readonly string[],
    kinds: Uint8Array,
    modes: Uint16Array,
    dataOffset: Float64Array,
    linkTargets: ReadonlyMap<number, string>,
    order: Uint32Array,
    compare: (a: string, b: string) => number
  ) {
    this.records = dir.count;
    this.#names = dir.names;
    this.#size = dir.size;
    this.#compressedSize = dir.compressedSize;
    this.#crc = dir.crc;
    this.#method = dir.method;
    this.#paths = paths;
    this.#kinds = kinds;
    this.#modes = modes;
    this.#dataOffset = dataOffset;
    this.#linkTargets = linkTargets;
    this.order = order;
    this.#compare = compare;
    // Filled up front: stores at scattered indices into an empty array would turn it into a
    // slow dictionary.
    for (let i = 0; i < paths.length; i++) this.#made.push(undefined);
  }

  /** The index of the entry at `path`. */
  find(path: string): number | undefined {
    return findPath(this.order, this.#paths, this.#compare, path);
  }

  kind(i: number): EntryKind {
    return i < this.records ? kindName(this.#kinds[i]!) : 'dir';
  }

  linkTarget(i: number): string | undefined {
    return this.#linkTargets.get(i);
  }

  /** Entry `i` as listed (made once, on first request). */
  entry(i: number): FileEntry {
    const made = this.#made[i];
    if (made) return made;
    const path = this.#paths[i]!;
    let e: FileEntry;
    if (i >= this.records) e = { path, kind: 'dir', size: 0, compressedSize: 0, mode: 0 };
    else {
      const kind = kindName(this.#kinds[i]!);
      const size = this.#size[i]!;
      const compressedSize = this.#compressedSize[i]!;
      const mode = this.#modes[i]!;
      e =
        kind === 'symlink'
          ? { path, kind, size, compressedSize, mode, linkTarget: this.#linkTargets.get(i) }
          : { path, kind, size, compressedSize, mode };
    }
    this.#made[i] = e;
    return e;
  }

  /** Where entry `i`'s bytes are: a file's or a symlink's (undefined for a directory). */
  data(i: number): EntryData | undefined {
    if (i >= this.records || this.#kinds[i] === DIR) return undefined;
    return {
      name: this.#names[i]!,
      method: this.#method[i]!,
      size: this.#size[i]!,
      compressedSize: this.#compressedSize[i]!,
      crc: this.#crc[i]!,
      dataOffset: this.#dataOffset[i]!,
    };
  }
}

/**
 * Open a layer zip on disk. One of at most {@link WHOLE_FILE_BYTES} (or `wholeFileBytes`) is read
 * whole, once; a larger one is read in the ranges its parse needs, never whole into memory.
 */
export async function openZipFile(
  path: string,
  opts: OpenZipFileOptions = {}
): Promise<FileSource> {
  const name = opts.name ?? path;
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw new UnpackError({
      code: 'NOT_FOUND',
      message: `${name}: cannot open (${errText(cause)})`,
      cause,
    });
  }
  const limits = opts.limits ?? DEFAULT_LIMITS;
  let bytes: Buffer | undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile())
      throw new UnpackError({ code: 'NOT_FOUND', message: `${name}: not a regular file` });
    if (st.size > (opts.wholeFileBytes ?? WHOLE_FILE_BYTES)) {
      const ra = fileAccess(fh, st.size);
      const parsed = await parseArchive(name, ra, limits);
      const digest = await hashFile(fh, st.size);
      return new ZipSource(name, digest, ra, parsed, limits);
    }
    bytes = readWhole(fh.fd, st.size);
  } catch (err) {
    await fh.close();
    throw err;
  }
  await fh.close();
  const ra = bufferAccess(bytes);
  const parsed = await parseArchive(name, ra, limits);
  const digest = createHash('sha256').update(bytes).digest('hex');
  return new ZipSource(name, digest, ra, parsed, limits);
}

/**
 * The bytes of the regular file open at `fd`, `size` of them as fstat said: fewer if it shrank
 * meanwhile, never more if it grew (what is parsed and what is hashed are these bytes).
 */
function readWhole(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let n = 0;
  while (n < size) {
    const r = readSync(fd, buf, n, size - n, n);
    if (r === 0) break;
    n += r;
  }
  return n === size ? buf : buf.subarray(0, n);
}

/** Open a zip held in memory (a nested jar). Refuses when `depth` is over `limits.maxDepth`. */
export async function openZipBuffer(buf: Buffer, opts: OpenZipBufferOptions): Promise<FileSource> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const depth = opts.depth ?? 0;
  if (depth > limits.maxDepth)
    throw zipError(
      'NESTING_TOO_DEEP',
      opts.name,
      `archive nested ${depth} deep, over the limit of ${limits.maxDepth} (--max-depth)`
    );
  const ra = bufferAccess(buf);
  const parsed = await parseArchive(opts.name, ra, limits);
  const digest = createHash('sha256').update(buf).digest('hex');
  return new ZipSource(opts.name, digest, ra, parsed, limits);
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
}

/**
 * sha256 of the archive, streamed through one reused buffer of at most 1 MiB. A small archive
 * gets a buffer its size: a scan hashes thousands of layer zips of a few kilobytes, and a
 * mebibyte each was most of its memory outside the heap.
 */
async function hashFile(fh: FileHandle, size: number): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(1, size)));
  for (let pos = 0; pos < size;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/** Locate and validate the end records. */
async function readEnd(archive: string, ra: RandomAccess): Promise<EndRecord> {
  const tailLen = Math.min(ra.size, EOCD_SEARCH);
  const tailStart = ra.size - tailLen;
  const tail = await ra.read(tailStart, tailLen);
  const candidates = tail.length >= EOCD_SIZE ? eocdCandidates(tail) : [];
  if (candidates.length > 1)
    throw zipError(
      'AMBIGUOUS_END_RECORD',
      archive,
      `${candidates.length} end of central directory records fit the end of the file (one hides in the archive comment)`
    );
  const at = candidates[0] ?? -1;
  if (at < 0) {
    if (tail.length >= EOCD_SIZE && hasEocdSignature(tail))
      throw zipError(
        'CORRUPT_ARCHIVE',
        archive,
        'bytes follow the end of central directory record (appended data)'
      );
    const head = await ra.read(0, 4);
    if (head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL)
      throw zipError(
        'TRUNCATED_ARCHIVE',
        archive,
        'starts like a zip but has no end of central directory record (cut short?)'
      );
    throw zipError('NOT_A_ZIP', archive, 'not a zip archive (no end of central directory record)');
  }
  // Python and Go take the last signature whose comment fits, not the one whose comment reaches the end.
  if (tail.subarray(at + 4).includes(EOCD_SIGNATURE))
    throw zipError(
      'AMBIGUOUS_END_RECORD',
      archive,
      'the archive comment holds an end of central directory signature'
    );
  const end = parseEocd(archive, tail, at, tailStart);
  if (end.eocdOffset >= ZIP64_LOCATOR_SIZE) {
    const locatorAt = end.eocdOffset - ZIP64_LOCATOR_SIZE;
    const recordAt = parseZip64Locator(archive, await ra.read(locatorAt, ZIP64_LOCATOR_SIZE));
    if (recordAt !== undefined) {
      if (recordAt + ZIP64_EOCD_SIZE > locatorAt)
        throw zipError('CORRUPT_ARCHIVE', archive, 'zip64 end record offset is impossible');
      return parseZip64Eocd(
        archive,
        await ra.read(recordAt, ZIP64_EOCD_SIZE),
        recordAt,
        locatorAt,
        end
      );
    }
  }
  // A 0xFFFF count with no zip64 record to give it: libarchive from a file gives up on the
  // central directory and reads the local headers (symlinks become files holding the target).
  if (!end.singleDisk)
    throw zipError(
      'CORRUPT_ARCHIVE',
      archive,
      'end record counts disagree (one marked for zip64) and there is no zip64 end record'
    );
  return end;
}

const EOCD_SIGNATURE = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const DESCRIPTOR_SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

/**
 * Parse and check the whole archive: the end records, the central
 * directory, every name and kind, the layout of every local header, data
 * descriptor and gap, and every entry's data (inflated, counted and
 * CRC-checked once here, so no later read can meet a corrupt entry).
 */
async function parseArchive(
  archive: string,
  ra: RandomAccess,
  limits: Limits
): Promise<{ index: ZipIndex; findings: Finding[] }> {
  const end = await readEnd(archive, ra);
  if (end.entries > limits.maxEntries)
    throw zipError(
      'TOO_MANY_ENTRIES',
      archive,
      `${end.entries} entries, over the limit of ${limits.maxEntries} (--max-entries)`
    );
  const cdEnd = end.cdOffset + end.cdSize;
  if (cdEnd > ra.size)
    throw zipError('TRUNCATED_ARCHIVE', archive, 'central directory runs past end of file');
  if (cdEnd > end.cdEnd)
    throw zipError('CORRUPT_ARCHIVE', archive, 'central directory overlaps the end record');
  if (cdEnd < end.cdEnd)
    // Offsets that do not account for leading bytes: a stub was prepended (or data hidden before the end record).
    throw zipError(
      'DATA_BEFORE_FIRST_ENTRY',
      archive,
      `${end.cdEnd - cdEnd} bytes the central directory does not account for (prepended stub?)`
    );
  // Checked before the directory is read into one buffer: its size is the attacker's.
  if (end.cdSize > end.entries * (CENTRAL_SIZE + 3 * 0xffff))
    throw zipError(
      'CORRUPT_ARCHIVE',
      archive,
      `central directory of ${end.cdSize} bytes is larger than its ${end.entries} declared entries can be`
    );
  // A real layer's central record is 100–200 bytes: 1 KiB per entry --max-entries allows bounds
  // the one buffer the directory is read into (200 MiB by default) with room to spare.
  const cdLimit = limits.maxEntries * CENTRAL_BYTES_PER_ENTRY;
  if (end.cdSize > cdLimit)
    throw zipError(
      'TOO_LARGE',
      archive,
      `central directory of ${end.cdSize} bytes, over the limit of ${cdLimit} (1 KiB per entry --max-entries allows)`
    );
  if (end.cdSize > constants.MAX_LENGTH)
    throw zipError(
      'TOO_LARGE',
      archive,
      `central directory of ${end.cdSize} bytes is larger than one buffer can hold (${constants.MAX_LENGTH})`
    );
  const dir = parseCentralDirectory(archive, await ra.read(end.cdOffset, end.cdSize), end.entries);
  checkDeclaredSizes(archive, dir, limits);

  const findings: Finding[] = [];
  const n = dir.count;
  const names = dir.names;
  const paths: string[] = [];
  const kinds = new Uint8Array(n);
  const modes = new Uint16Array(n);
  // Some path holds a surrogate: UTF-16 order is not UTF-8 order (see byCodeUnits).
  let wide = false;
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    // An ordinary name passes checkEntryName and is its own path: one scan, no expression.
    const ordinary = ordinaryName(name);
    if (!ordinary) checkEntryName(archive, name);
    const extra = dir.extraStart(i);
    checkNameFields(archive, dir, i, dir.cd, extra, extra + dir.extraLength[i]!, 'central');
    if (ordinary || plainEntryName(name)) paths.push(name);
    else {
      const normal = normaliseEntryName(name);
      for (const f of normal.findings) findings.push(f);
      paths.push(normal.path);
    }
    if (!ordinary && !wide) wide = /[\uD800-\uDFFF]/.test(paths[i]!);
    const kind = entryKind(archive, dir, i);
    // Checked before decoding so a long "target" is never inflated.
    if (kind === 'symlink' && dir.size[i]! > MAX_LINK_TARGET)
      throw zipError(
        'BAD_SYMLINK_TARGET',
        archive,
        `symlink target longer than ${MAX_LINK_TARGET} bytes`,
        [name]
      );
    kinds[i] = KIND_CODE[kind];
    modes[i] = entryMode(dir, i);
  }
  // The one index by path, a sorted order searched by halves (no map of 150,000 strings):
  // names checked here, parents added below.
  const compare = wide ? compareCodePoints : byCodeUnits;
  const sorted: number[] = [];
  for (let i = 0; i < n; i++) sorted.push(i);
  sortPaths(paths, sorted, compare);
  // One by one: a spread of many case-collision findings would overflow the call stack.
  for (const f of checkNames(archive, names, paths, sorted)) findings.push(f);
  for (let i = 0; i < n; i++)
    if (paths[i] === '' && kinds[i] !== DIR)
      throw zipError('CORRUPT_ARCHIVE', archive, 'entry with an empty name', [names[i]!]);
  const find = (path: string): number | undefined => findPath(sorted, paths, compare, path);
  const parents = checkParents(archive, paths, (i) => kindName(kinds[i]!), find);

  const byOffset = fileOrder(dir);
  const dataOffset = await checkLayout(archive, ra, dir, byOffset, end.cdOffset);
  const targets = await checkData(archive, ra, dir, byOffset, dataOffset, kinds);

  const linkTargets = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const path = paths[i]!;
    if (kinds[i] !== SYMLINK || path === '') continue;
    const target = symlinkTarget(archive, names[i]!, targets.get(i) ?? Buffer.alloc(0));
    linkTargets.set(i, target);
    if (resolveLinkTarget(path, target) === undefined)
      findings.push({
        code: 'SYMLINK_OUTSIDE_LAYER',
        severity: 'error',
        path,
        message: `symlink ${path} points out of the layer (${target}); not followed`,
      });
  }
  // "./" or "/", the layer root itself, sorts first and is not listed.
  const root = n > 0 && paths[sorted[0]!] === '' ? 1 : 0;
  const listed = mergeByPath(paths, sorted, root, sortPaths(paths, parents, compare), compare);
  const index = new ZipIndex(
    dir,
    paths,
    kinds,
    modes,
    dataOffset,
    linkTargets,
    Uint32Array.from(listed),
    compare
  );
  return { index, findings };
}

/**
 * Refuse an entry that lives under another entry that is a file or a symlink
 * (`a` and `a/b`): extractors disagree on the result, and a symlinked parent
 * is the classic way to write through a link out of the tree. In the same walk the parents
 * the archive does not list are added to `paths`; returns their indices. `find` looks up the
 * archive's own entries.
 */
function checkParents(
  archive: string,
  paths: string[],
  kindOf: (i: number) => EntryKind,
  find: (path: string) => number | undefined
): number[] {
  const records = paths.length;
  const added = new Set<string>();
  const parents: number[] = [];
  // Entries of one directory are usually listed together: its parents are checked once.
  let checkedDir: string | undefined;
  for (let k = 0; k < records; k++) {
    const path = paths[k]!;
    if (path === '' || inDir(path, checkedDir)) continue;
    checkedDir = path.slice(0, Math.max(path.lastIndexOf('/'), 0));
    for (let cut = path.indexOf('/'); cut > 0; cut = path.indexOf('/', cut + 1)) {
      const parent = path.slice(0, cut);
      const at = find(parent);
      if (at === undefined) {
        if (!added.has(parent)) {
          added.add(parent);
          parents.push(paths.length);
          paths.push(parent);
        }
        continue;
      }
      const kind = kindOf(at);
      if (kind !== 'dir')
        throw zipError(
          'PATH_CONFLICT',
          archive,
          `an entry lies under a ${kind === 'symlink' ? 'symlink' : 'file'} entry`,
          [parent, path]
        );
    }
  }
  return parents;
}

/**
 * True when `dir` is `path`'s directory (all before its last `/`; '' when it has none), without
 * cutting a string out of `path` for each entry.
 */
function inDir(path: string, dir: string | undefined): boolean {
  if (dir === undefined) return false;
  if (dir === '') return !path.includes('/');
  return (
    path.charCodeAt(dir.length) === 0x2f &&
    path.startsWith(dir) &&
    path.indexOf('/', dir.length + 1) < 0
  );
}

/**
 * `a` from `from` on and `b`, both sorted by path, as one sorted list (paths are unique). `b`,
 * the implied parents, is usually short: each of its entries is placed by halves, so most of
 * `a` is copied without a comparison.
 */
function mergeByPath(
  paths: readonly string[],
  a: readonly number[],
  from: number,
  b: readonly number[],
  compare: (a: string, b: string) => number
): number[] {
  const out: number[] = [];
  for (const j of b) {
    let lo = from;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(paths[a[mid]!]!, paths[j]!) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; from < lo; from++) out.push(a[from]!);
    out.push(j);
  }
  for (; from < a.length; from++) out.push(a[from]!);
  return out;
}

/**
 * Order by the UTF-8 bytes of the path. For strings without surrogates, UTF-16 code unit
 * order is code point order, which is UTF-8 byte order: the common case compares natively.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sort entry indices by their paths, in place. A plain array: V8 sorts it with a comparator
 * several times faster than a typed array. The sort is stable, so equal paths stay in index
 * order (checkNames relies on it).
 */
function sortPaths(
  paths: readonly string[],
  order: number[],
  compare: (a: string, b: string) => number
): number[] {
  return order.sort((a, b) => compare(paths[a]!, paths[b]!));
}

/** The index in `order` (sorted by `compare`) whose path is `path`, by halves. */
function findPath(
  order: ArrayLike<number>,
  paths: readonly string[],
  compare: (a: string, b: string) => number,
  path: string
): number | undefined {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = order[mid]!;
    const c = compare(paths[at]!, path);
    if (c === 0) return paths[at] === path ? at : undefined;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

/** Record indices in file order (by local header offset, then index); most archives are already. */
function fileOrder(dir: CentralDirectory): Uint32Array {
  const lo = dir.localOffset;
  const order: number[] = [];
  let sorted = true;
  for (let i = 0; i < dir.count; i++) {
    order.push(i);
    if (i > 0 && lo[i]! < lo[i - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => lo[a]! - lo[b]! || a - b);
  return Uint32Array.from(order);
}

/**
 * Positional reads through one reused window. Entries are contiguous, so
 * walking them in offset order reads each byte about once. Where the access
 * can fill a buffer, one buffer is refilled (no megabyte of garbage per
 * window): a view the window hands out is valid only until its next read.
 */
class Window {
  #buf: Buffer = Buffer.alloc(0);
  #start = 0;
  #own: Buffer | undefined;
  constructor(
    private readonly ra: RandomAccess,
    private readonly size: number
  ) {}

  /** Bytes [pos, pos + len) when the window holds them (no await per small entry). */
  peek(pos: number, len: number): Buffer | undefined {
    if (pos < this.#start || pos + len > this.#start + this.#buf.length) return undefined;
    return this.#buf.subarray(pos - this.#start, pos - this.#start + len);
  }

  /** The bytes held (offsets from {@link offset} and {@link load} index into it). */
  get buf(): Buffer {
    return this.#buf;
  }

  /** Where bytes [pos, pos + len) are in `buf`, or -1 when the window does not hold them. */
  offset(pos: number, len: number): number {
    return pos < this.#start || pos + len > this.#start + this.#buf.length ? -1 : pos - this.#start;
  }

  /** Read from `pos` on (at least `len` bytes, fewer only at end of file); returns its offset in `buf`. */
  async load(pos: number, len: number): Promise<number> {
    await this.#read(pos, len);
    return 0;
  }

  async #read(pos: number, len: number): Promise<void> {
    // No more than the file holds: a scan reads thousands of layer zips of a few kilobytes, and
    // a full window each was most of its memory outside the heap.
    const want = Math.max(len, Math.min(this.size, this.ra.size - pos));
    if (!this.ra.readInto) this.#buf = await this.ra.read(pos, want);
    else {
      if (!this.#own || this.#own.length < want) this.#own = Buffer.allocUnsafe(want);
      // Emptied first: a failed read must not leave old bytes labelled with the new position.
      this.#buf = Buffer.alloc(0);
      this.#buf = this.#own.subarray(0, await this.ra.readInto(this.#own, pos));
    }
    this.#start = pos;
  }

  /** Bytes [pos, pos + len), fewer only at end of file. */
  async get(pos: number, len: number): Promise<Buffer> {
    if (pos < this.#start || pos + len > this.#start + this.#buf.length) await this.#read(pos, len);
    return this.#buf.subarray(pos - this.#start, pos - this.#start + len);
  }
}

/**
 * Walk the local headers in file order and refuse any byte the central
 * directory does not account for. A streaming reader (libarchive from a
 * pipe, Java's ZipInputStream) reads local headers one after the other, so
 * a gap can hold whole entries only it sees (UNLISTED_DATA). Each local
 * header must say what its central record says (HEADER_MISMATCH), and a data
 * descriptor must sit right after the data and repeat the central CRC and
 * sizes (AMBIGUOUS_DATA_DESCRIPTOR). `byOffset` holds the record indices in
 * file order; returns each record's data offset.
 */
async function checkLayout(
  archive: string,
  ra: RandomAccess,
  dir: CentralDirectory,
  byOffset: Uint32Array,
  cdOffset: number
): Promise<Float64Array> {
  const { names, localOffset, compressedSize, flags } = dir;
  const dataOffset = new Float64Array(dir.count);
  const win = new Window(ra, WINDOW);
  // One header refilled per entry, as checkData's entry: nothing keeps it past its entry.
  const local = emptyLocalHeader();
  let prev = -1;
  let prevEnd = 0;
  for (let k = 0; k < byOffset.length; k++) {
    const i = byOffset[k]!;
    const name = names[i]!;
    const o = localOffset[i]!;
    if (o + LOCAL_SIZE > cdOffset)
      throw zipError('CORRUPT_ARCHIVE', archive, 'local header offset points past the entries', [
        name,
      ]);
    if (prev < 0 && o !== 0)
      throw zipError(
        'DATA_BEFORE_FIRST_ENTRY',
        archive,
        `${o} bytes before the first entry (self-extractor stub?)`,
        [name]
      );
    if (prev >= 0 && o < prevEnd)
      throw zipError(
        'OVERLAPPING_ENTRIES',
        archive,
        'entries share bytes (overlapping zip bomb?)',
        [names[prev]!, name]
      );
    if (prev >= 0 && o > prevEnd)
      throw zipError(
        'UNLISTED_DATA',
        archive,
        `${o - prevEnd} bytes between two entries that no central record lists`,
        [names[prev]!, name]
      );
    // Parsed where the window holds it: no view per entry.
    let at = win.offset(o, LOCAL_SIZE);
    if (at < 0) at = await win.load(o, LOCAL_SIZE);
    const hl = localHeaderLength(win.buf, at);
    if (hl >= 0 && win.offset(o, hl) < 0) at = await win.load(o, hl);
    const header = win.buf;
    if (hl < 0 || at + hl > header.length)
      throw zipError('TRUNCATED_ARCHIVE', archive, 'local header runs past end of file', [name]);
    const lh = parseLocalHeader(archive, header, at, name, local);
    const dataStart = o + lh.headerLength;
    const dataEnd = dataStart + compressedSize[i]!;
    if (dataEnd > ra.size)
      throw zipError('TRUNCATED_ARCHIVE', archive, 'entry data runs past end of file', [name]);
    if (dataEnd > cdOffset)
      throw zipError('CORRUPT_ARCHIVE', archive, 'entry data runs into the central directory', [
        name,
      ]);
    checkAgreement(archive, dir, i, lh, header);
    // The names agree by now: the central name bytes are the local ones.
    checkNameFields(archive, dir, i, header, lh.nameEnd, lh.extraEnd, 'local');
    dataOffset[i] = dataStart;
    const next = k + 1 < byOffset.length ? localOffset[byOffset[k + 1]!]! : cdOffset;
    // With a descriptor, `next` bounds what is read; an overlapping next entry is refused below.
    prevEnd =
      flags[i]! & FLAG_DESCRIPTOR && next >= dataEnd
        ? dataEnd +
          descriptorLength(
            archive,
            dir,
            i,
            await win.get(dataEnd, Math.min(24, next - dataEnd)),
            lh.zip64
          )
        : dataEnd;
    prev = i;
  }
  if (prevEnd > cdOffset)
    throw zipError(
      'AMBIGUOUS_DATA_DESCRIPTOR',
      archive,
      'data descriptor runs into the central directory',
      prev >= 0 ? [names[prev]!] : []
    );
  if (prevEnd < cdOffset)
    throw zipError(
      prev >= 0 ? 'UNLISTED_DATA' : 'DATA_BEFORE_FIRST_ENTRY',
      archive,
      `${cdOffset - prevEnd} bytes before the central directory that no central record lists`,
      prev >= 0 ? [names[prev]!] : []
    );
  return dataOffset;
}

/**
 * The length of the data descriptor at the start of `b`, which must repeat
 * the central CRC and sizes (APPNOTE 4.3.9): with or without its signature
 * (with it for a stored entry),
 * sizes in 4 bytes, or 8 when an entry needs zip64 (as Java's
 * ZipInputStream reads them; a zip64 field in the local header of a smaller
 * entry is refused, `zip64Local`). `b` ends where the next header starts.
 */
function descriptorLength(
  archive: string,
  dir: CentralDirectory,
  i: number,
  b: Buffer,
  zip64Local: boolean
): number {
  const size = dir.size[i]!;
  const compressedSize = dir.compressedSize[i]!;
  const wide = size >= 0xffffffff || compressedSize >= 0xffffffff;
  // With a zip64 field in the local header libarchive reads 8-byte sizes, Java's
  // ZipInputStream 4 while they fit: below 4 GiB neither form reads alike.
  if (zip64Local && !wide)
    throw zipError(
      'AMBIGUOUS_DATA_DESCRIPTOR',
      archive,
      'data descriptor of an entry whose local header has a zip64 extra field (libarchive reads its sizes as 8 bytes, ZipInputStream as 4)',
      [dir.names[i]!]
    );
  const w = wide ? 8 : 4;
  const num = (at: number): number => (wide ? Number(b.readBigUInt64LE(at)) : b.readUInt32LE(at));
  for (const sig of [4, 0]) {
    const len = sig + 4 + 2 * w;
    if (b.length < len) continue;
    if (sig > 0 && b.readUInt32LE(0) !== SIG_DESCRIPTOR) continue;
    if (
      b.readUInt32LE(sig) === dir.crc[i] &&
      num(sig + 4) === compressedSize &&
      num(sig + 4 + w) === size
    ) {
      // libarchive from a pipe finds a stored entry's end by the signature alone: without
      // one it reads the entries after it as the entry's data.
      if (sig === 0 && dir.method[i] === 0)
        throw zipError(
          'AMBIGUOUS_DATA_DESCRIPTOR',
          archive,
          "stored entry's data descriptor has no signature (a streaming reader reads on past it)",
          [dir.names[i]!]
        );
      return len;
    }
  }
  throw zipError(
    'AMBIGUOUS_DATA_DESCRIPTOR',
    archive,
    'data descriptor missing or disagreeing with the central directory',
    [dir.names[i]!]
  );
}

/** Whether a local field says other than the central one (with a descriptor it may be zero). */
function differs(local: number, central: number, optional: boolean): boolean {
  return local !== central && !(optional && local === 0);
}

/** The general-purpose flag bits that change how a reader reads an entry. */
const READING_FLAGS =
  FLAG_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_UTF8 | FLAG_CD_ENCRYPTED;

/**
 * The local header must say what the central record says (APPNOTE 4.4: both
 * describe the same entry): streaming readers use only the local one. With a
 * data descriptor the local CRC and sizes may be zero, but libarchive still
 * uses them when they are not, so they must then agree too.
 */
function checkAgreement(
  archive: string,
  dir: CentralDirectory,
  i: number,
  lh: LocalHeader,
  header: Buffer
): void {
  const flags = dir.flags[i]!;
  const method = dir.method[i]!;
  const crc = dir.crc[i]!;
  const compressedSize = dir.compressedSize[i]!;
  const size = dir.size[i]!;
  const optional = (flags & FLAG_DESCRIPTOR) !== 0;
  // The common case, all agreeing, without building the list of differences.
  if (
    dir.nameIs(i, header, lh.nameStart, lh.nameEnd) &&
    lh.method === method &&
    !((lh.flags ^ flags) & READING_FLAGS) &&
    !differs(lh.crc, crc, optional) &&
    !differs(lh.compressedSize, compressedSize, optional) &&
    !differs(lh.size, size, optional)
  )
    return;
  const diffs: string[] = [];
  if (!dir.nameIs(i, header, lh.nameStart, lh.nameEnd))
    diffs.push(`name ${JSON.stringify(header.toString('latin1', lh.nameStart, lh.nameEnd))}`);
  if (lh.method !== method) diffs.push(`method ${lh.method} vs ${method}`);
  if ((lh.flags ^ flags) & READING_FLAGS)
    diffs.push(`flags 0x${lh.flags.toString(16)} vs 0x${flags.toString(16)}`);
  if (differs(lh.crc, crc, optional)) diffs.push('CRC-32');
  if (differs(lh.compressedSize, compressedSize, optional))
    diffs.push(`compressed size ${lh.compressedSize} vs ${compressedSize}`);
  if (differs(lh.size, size, optional)) diffs.push(`size ${lh.size} vs ${size}`);
  if (diffs.length > 0)
    throw zipError(
      'HEADER_MISMATCH',
      archive,
      `local header disagrees with central directory: ${diffs.join(', ')}`,
      [dir.names[i]!]
    );
}

/**
 * Decode every entry once, in file order: sizes, CRC-32 and the end of each
 * deflate stream are checked whichever entry it is, so a bomb or a corrupt
 * entry refuses the archive at open (never a read error a cataloger would
 * turn into a finding). A stored entry with a data descriptor must not hold
 * the descriptor signature: libarchive's streaming reader ends the entry at
 * the first one whose CRC matches. `byOffset` is in file order (checkLayout's
 * result). Returns symlink targets by record index.
 */
async function checkData(
  archive: string,
  ra: RandomAccess,
  dir: CentralDirectory,
  byOffset: Uint32Array,
  dataOffset: Float64Array,
  kinds: Uint8Array
): Promise<Map<number, Buffer>> {
  const targets = new Map<number, Buffer>();
  const win = new Window(ra, WINDOW);
  // One object refilled per entry (no 150,000 short-lived ones): decodeEntry keeps nothing of
  // it; the stream path gets its own copy.
  const e: EntryData = { name: '', method: 0, size: 0, compressedSize: 0, crc: 0, dataOffset: 0 };
  // By index: an iterator here, in an async function, makes a result object per entry.
  for (let k = 0; k < byOffset.length; k++) {
    const i = byOffset[k]!;
    e.name = dir.names[i]!;
    e.method = dir.method[i]!;
    e.size = dir.size[i]!;
    e.compressedSize = dir.compressedSize[i]!;
    e.crc = dir.crc[i]!;
    e.dataOffset = dataOffset[i]!;
    // A directory stored as an empty deflate entry has no stream to check.
    if (kinds[i] === DIR && e.size === 0 && e.compressedSize === 0) continue;
    const scan = e.method === 0 && (dir.flags[i]! & FLAG_DESCRIPTOR) !== 0;
    const symlink = kinds[i] === SYMLINK;
    if (fitsInMemory(e) && !scan && !symlink) {
      // Checked where it lies in the window: no view, no output kept.
      let at = win.offset(e.dataOffset, e.compressedSize);
      if (at < 0) at = await win.load(e.dataOffset, e.compressedSize);
      if (win.buf.length - at < e.compressedSize)
        throw zipError('TRUNCATED_ARCHIVE', archive, 'entry data ends past end of file', [e.name]);
      checkEntryAt(archive, e, win.buf, at);
      continue;
    }
    if (fitsInMemory(e)) {
      const raw =
        win.peek(e.dataOffset, e.compressedSize) ?? (await win.get(e.dataOffset, e.compressedSize));
      if (raw.length !== e.compressedSize)
        throw zipError('TRUNCATED_ARCHIVE', archive, 'entry data ends past end of file', [e.name]);
      const out = decodeEntry(archive, e, raw, false);
      if (scan && out.includes(DESCRIPTOR_SIGNATURE)) throw hiddenDescriptor(archive, e);
      // A copy: `out` may be a view of the window, which the next read refills.
      if (symlink) targets.set(i, Buffer.from(out));
      continue;
    }
    let carry = Buffer.alloc(0);
    const kept: Buffer[] = [];
    for await (const chunk of entryStream(archive, ra, { ...e })) {
      // A symlink's declared size is at most PATH_MAX, and the stream never yields more.
      if (symlink) kept.push(chunk as Buffer);
      if (!scan) continue;
      const seen = Buffer.concat([carry, chunk as Buffer]);
      if (seen.includes(DESCRIPTOR_SIGNATURE)) throw hiddenDescriptor(archive, e);
      carry = seen.subarray(Math.max(0, seen.length - 3));
    }
    if (symlink) targets.set(i, Buffer.concat(kept));
  }
  return targets;
}

function hiddenDescriptor(archive: string, e: EntryData): UnpackError {
  return zipError(
    'AMBIGUOUS_DATA_DESCRIPTOR',
    archive,
    'stored entry with a data descriptor holds the descriptor signature (a streaming reader would end it there)',
    [e.name]
  );
}

/** A FileSource over a checked zip archive. */
class ZipSource implements FileSource {
  readonly size: number;
  readonly findings: readonly Finding[];
  readonly #index: ZipIndex;
  #listed: readonly FileEntry[] | undefined;

  constructor(
    readonly name: string,
    readonly digest: string,
    private readonly ra: RandomAccess,
    parsed: { index: ZipIndex; findings: Finding[] },
    private readonly limits: Limits
  ) {
    this.size = ra.size;
    this.findings = parsed.findings;
    this.#index = parsed.index;
  }

  readonly entries = (): readonly FileEntry[] => {
    if (this.#listed) return this.#listed;
    const { order } = this.#index;
    const listed: FileEntry[] = [];
    for (let k = 0; k < order.length; k++) listed.push(this.#index.entry(order[k]!));
    return (this.#listed = listed);
  };

  readonly get = (path: string): FileEntry | undefined => {
    const i = this.#index.find(path);
    return i === undefined ? undefined : this.#index.entry(i);
  };

  /**
   * The regular file `path` names, following symlinks only while they stay
   * inside the layer (as Lambda would see it under /opt).
   */
  #file(path: string): EntryData {
    const index = this.#index;
    const direct = index.find(path);
    const at = direct !== undefined && index.kind(direct) === 'file' ? direct : this.#resolve(path);
    const data = at !== undefined && index.kind(at) === 'file' ? index.data(at) : undefined;
    if (!data)
      throw zipError('NOT_FOUND', this.name, 'no regular file at this path inside the layer', [
        path,
      ]);
    return data;
  }

  /** The index of the entry `path` leads to, symlinks followed. */
  #resolve(path: string): number | undefined {
    const index = this.#index;
    const queue = path.split('/');
    let done: string[] = [];
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift() ?? '';
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (done.length === 0) return undefined;
        done.pop();
        continue;
      }
      done.push(part);
      const here = done.join('/');
      const at = index.find(here);
      if (at === undefined || index.kind(at) !== 'symlink') continue;
      if (++hops > MAX_HOPS) return undefined;
      const target = resolveLinkTarget(here, index.linkTarget(at) ?? '');
      if (target === undefined) return undefined;
      queue.unshift(...target.split('/'));
      done = [];
    }
    return index.find(done.join('/'));
  }

  /**
   * Read a whole regular file (symlinks inside the layer are followed).
   * @param maxBytes bound on the entry's size (default: limits.maxFileSize)
   * @throws UnpackError ENTRY_TOO_LARGE, NOT_FOUND, CORRUPT_ARCHIVE, UNSUPPORTED_COMPRESSION
   */
  async read(path: string, maxBytes = this.limits.maxFileSize): Promise<Buffer> {
    const f = this.#file(path);
    if (f.size > maxBytes)
      throw zipError('ENTRY_TOO_LARGE', this.name, `entry is ${f.size} bytes, over ${maxBytes}`, [
        path,
      ]);
    return readEntry(this.name, this.ra, f);
  }

  async head(path: string, n: number): Promise<Buffer> {
    return headEntry(this.name, this.ra, this.#file(path), n);
  }

  stream(path: string): Promise<Readable> {
    try {
      return Promise.resolve(entryStream(this.name, this.ra, this.#file(path)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close(): Promise<void> {
    return this.ra.close();
  }
}
