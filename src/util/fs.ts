import { createHash, randomUUID } from 'node:crypto';
import { lstat, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * What an output file is written from: text, bytes, or text in chunks (a large document, such as
 * scan.json or the report of a large estate, never has to exist as one string).
 */
export type OutputData = string | Buffer | Iterable<string>;

/** `data` as the pieces to write: text or bytes whole, chunks joined into about 64 KiB each. */
export function outputPieces(data: OutputData): Iterable<string | Buffer> {
  return typeof data === 'string' || Buffer.isBuffer(data) ? [data] : batched(data);
}

/** `chunks` joined into pieces of about `size` characters (the last may be shorter). */
export function* batched(chunks: Iterable<string>, size = 65536): Generator<string> {
  let buffered: string[] = [];
  let length = 0;
  for (const c of chunks) {
    buffered.push(c);
    length += c.length;
    if (length >= size) {
      yield buffered.join('');
      buffered = [];
      length = 0;
    }
  }
  if (buffered.length) yield buffered.join('');
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * `mkdir -p`: `dir` and every missing directory above it. Node's own (`recursive: true`) never
 * returns where mkdir(2) says ENOENT for a directory whose parent exists (`/proc/x`: Node 20 and
 * 24 spin there); here each level is tried once, so that is the error thrown. EEXIST for
 * anything at `dir` that is not a directory, as Node's.
 */
export function makeDirSync(dir: string): void {
  // Most calls find it made (every file a scan writes asks): one stat, no error to build. Any
  // other answer goes the way below, whose mkdir names what is wrong (ENOTDIR, EACCES, EEXIST).
  if (isDirectorySync(dir)) return;
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'EEXIST') {
      if (!statSync(dir).isDirectory()) throw err;
      return;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    makeDirSync(parent);
    // Once more, now that the parent is there; another process may have made it meanwhile.
    try {
      mkdirSync(dir);
    } catch (again) {
      if (errnoOf(again) !== 'EEXIST') throw again;
    }
  }
}

/** Whether `path` is a directory (through links); false for anything stat cannot tell. */
function isDirectorySync(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/**
 * {@link makeDirSync} as a promise (a failure rejects). A few mkdir calls: through the thread
 * pool they would cost more than they do here (see {@link writeFileAtomicSync}).
 */
export function makeDir(dir: string): Promise<void> {
  return new Promise((done) => done(makeDirSync(dir)));
}

/**
 * {@link makeDir} of a directory the user's arguments name: one that cannot be made (a file in
 * the way, no such place) is the path's fault, a usage error `${what} (${reason})`, before any
 * work that would fail on it.
 * @throws UsageError BAD_ARGUMENT
 */
export async function makeNamedDir(dir: string, what: string): Promise<void> {
  await makeDir(dir).catch((err: unknown) => {
    throw new UsageError({ code: 'BAD_ARGUMENT', message: `${what} (${(err as Error).message})` });
  });
}

/** Write a file atomically (temp file + rename) so a failed run never leaves half a file. */
export async function writeFileAtomic(path: string, data: OutputData): Promise<void> {
  await makeDir(dirname(path));
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, outputPieces(data), { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * {@link writeFileAtomic} without leaving the main thread. For the many small files of a scan
 * (an SBOM and its cache entries per layer zip): there the promise API's mkdir, open, write,
 * close and rename, each a round trip through libuv's thread pool, cost several times the CPU
 * of the system calls themselves (BENCHMARKS.md, "Small files without the thread pool").
 */
export function writeFileAtomicSync(path: string, data: string | Buffer): void {
  makeDirSync(dirname(path));
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * {@link writeFileAtomicSync}, unless `path` is already a regular file of one name holding
 * exactly `data`: a re-scan into the same directory leaves its unchanged SBOMs as they are, where
 * writing and renaming each again cost several times the read (thousands of files at 100,000
 * functions). A link, a file with other names (a hard link), a FIFO, a device, anything
 * unreadable or any other content there is replaced as writeFileAtomicSync replaces it.
 * @returns whether the file was written
 */
export function writeFileAtomicIfChangedSync(path: string, data: string): boolean {
  const bytes = Buffer.from(data, 'utf8');
  if (holdsExactly(path, bytes)) return false;
  writeFileAtomicSync(path, bytes);
  return true;
}

/** True when `path` is a regular file of one name, not a link, whose bytes are `bytes`. */
function holdsExactly(path: string, bytes: Buffer): boolean {
  // Nothing there (every SBOM of a first scan): known without an error to build.
  if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return false;
  return readOwnFileSync(path, bytes.length)?.equals(bytes) ?? false;
}

/**
 * True when `path` is a regular file of one name, not a link, of `size` bytes whose sha256 is
 * `sha256` (hex): what {@link writeFileAtomicIfChangedSync} would leave in place, known from the
 * digest of the data rather than the data itself (a re-scan's cached SBOMs). Where nothing is
 * at the path the open's error is the answer: this is asked where a file is expected.
 */
export function holdsDigestSync(path: string, size: number, sha256: string): boolean {
  const got = readOwnFileSync(path, size);
  return got !== undefined && createHash('sha256').update(got).digest('hex') === sha256;
}

/**
 * The bytes of `path` when it is a regular file of one name, not a link, of exactly `size`
 * bytes; otherwise (a link, a hard link, a FIFO, a device, another size, anything unreadable)
 * undefined.
 */
function readOwnFileSync(path: string, size: number): Buffer | undefined {
  let fd: number;
  try {
    // O_NOFOLLOW: a link there is replaced, never read through; O_NONBLOCK: a FIFO is not waited on.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || st.size !== size) return undefined;
    // One byte more than expected: a file grown since fstat is not the same file.
    const got = Buffer.allocUnsafe(size + 1);
    let n = 0;
    while (n < got.length) {
      const want = got.length - n;
      const r = readSync(fd, got, n, want, n);
      n += r;
      // Short of what was asked: a regular file's end, without a second read to find it.
      if (r < want) break;
    }
    return n === size ? got.subarray(0, n) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * `path` open for appending, as a regular file of one name (made when missing, with the mode
 * `mode`). A link, a hard link, a FIFO or a device there is replaced by a new empty file, never
 * written through: O_NOFOLLOW refuses a link, and O_NONBLOCK keeps the open of a FIFO that no
 * process reads from failing at once (ENXIO) instead of waiting for a reader.
 * @throws Error when no file can be opened there (a directory, no permission)
 */
export function openAppendSync(path: string, mode = 0o644): number {
  const fd = openOwnForAppend(path, mode);
  if (fd !== undefined) return fd;
  // Not recursive: a directory there is an error, never emptied.
  rmSync(path, { force: true });
  const again = openOwnForAppend(path, mode);
  if (again === undefined) throw new Error(`${path}: not a regular file`);
  return again;
}

/** `path` open for appending when it is (or is made as) a regular file of one name. */
function openOwnForAppend(path: string, mode: number): number | undefined {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, mode);
  } catch (err) {
    // ELOOP: a link; ENXIO: a FIFO without a reader.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.nlink === 1) return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  closeSync(fd);
  return undefined;
}

/**
 * Read a file that should be a regular one of at most `max` bytes, synchronously (see
 * {@link writeFileAtomicSync}). A FIFO, device or socket at the path is refused rather than read:
 * O_NONBLOCK keeps the open of a FIFO from waiting for a writer, and a device such as
 * `/dev/zero` would never end. With `links: 'refuse'` a link at the path is refused too: for
 * bytes that are copied out as they are, where a link would carry any file the process can read.
 * @throws Error for anything else at the path, or a file over `max` bytes
 */
export function readRegularFileSync(
  path: string,
  max: number,
  options: { links?: 'follow' | 'refuse' } = {}
): Buffer {
  const noFollow = options.links === 'refuse' ? constants.O_NOFOLLOW : 0;
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path}: not a regular file`);
    const over = (): Error => new Error(`${path}: over ${max} bytes`);
    if (st.size > max) throw over();
    // The size fstat gave bounds nothing for a file that grows meanwhile, or one of /proc's,
    // which says 0 and then gives its text: what is read is bounded.
    const bytes = readFdBoundedSync(fd, max, st.size);
    if (bytes === undefined) throw over();
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Each line of a regular file (without its `\n`; a last line without one counts) to `onLine`,
 * read a block at a time, so a large file of lines is never one string or buffer in memory.
 * Reading stops where `onLine` returns false.
 * @throws Error for anything but a regular file at the path, or a line over `maxLine` bytes
 */
export function readLinesSync(
  path: string,
  maxLine: number,
  onLine: (line: string) => boolean | void
): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path}: not a regular file`);
    const block = Buffer.allocUnsafe(1 << 20);
    // The start of a line that runs past the blocks read so far.
    let carried: Buffer[] = [];
    let carriedBytes = 0;
    const tooLong = (): Error => new Error(`${path}: a line over ${maxLine} bytes`);
    for (;;) {
      const n = readSync(fd, block, 0, block.length, null);
      if (n === 0) break;
      const data = block.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        if (carriedBytes + nl - start > maxLine) throw tooLong();
        const line = carriedBytes
          ? Buffer.concat([...carried, data.subarray(start, nl)]).toString('utf8')
          : data.toString('utf8', start, nl);
        carried = [];
        carriedBytes = 0;
        start = nl + 1;
        if (onLine(line) === false) return;
      }
      if (carriedBytes + n - start > maxLine) throw tooLong();
      if (start === n) continue;
      // Copied: the block is read into again.
      carried.push(Buffer.from(data.subarray(start)));
      carriedBytes += n - start;
    }
    if (carriedBytes) onLine(Buffer.concat(carried).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the file's first bytes, blanks skipped, open a JSON object: how lamina tells a JSON
 * document (a scan result, an SBOM) from an archive or a directory before reading it.
 */
export function startsWithBraceSync(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1').trimStart().startsWith('{');
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a file of at most `max` bytes, whatever it is: a regular file, a FIFO (`<(...)`), a
 * device. Reading stops at `max + 1` bytes, so `/dev/zero` or a file still growing can neither
 * fill memory nor run forever (a size from stat says nothing for either).
 * @returns the bytes, or undefined when there are more than `max`
 */
export function readBoundedSync(path: string, max: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    return readFdBoundedSync(fd, max);
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything left to read from `fd`, or undefined when that is more than `max` bytes: never
 * more than `max + 1` bytes read. `expected` (what fstat says, if anything) sizes the first read.
 */
function readFdBoundedSync(fd: number, max: number, expected = 0): Buffer | undefined {
  let buf = Buffer.allocUnsafe(Math.min(max, expected) + 1);
  let used = 0;
  for (;;) {
    if (used === buf.length) {
      if (used > max) return undefined;
      const more = Buffer.allocUnsafe(Math.min(max + 1, Math.max(buf.length * 2, 65536)));
      buf.copy(more, 0, 0, used);
      buf = more;
    }
    const n = readSync(fd, buf, used, buf.length - used, null);
    if (n === 0) break;
    used += n;
  }
  return used > max ? undefined : buf.subarray(0, used);
}

/**
 * {@link readBoundedSync} as a promise (a failure rejects). The files read so are small and
 * bounded; a FIFO's writer is waited for on the main thread, as a shell's `<` would.
 */
export function readBounded(path: string, max: number): Promise<Buffer | undefined> {
  return new Promise((done) => done(readBoundedSync(path, max)));
}

/**
 * {@link readBoundedSync} of a file the user named (`what`: "bundle", "key", …): one that cannot
 * be read, or holds more than `max` bytes, is a usage error naming it.
 * @throws UsageError BAD_INPUT
 */
export function readNamedFileSync(path: string, what: string, max: number): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = readBoundedSync(path, max);
  } catch (err) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `cannot read ${what} ${path}: ${errnoOf(err) ?? String(err)}`,
    });
  }
  if (bytes === undefined)
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${what} ${path} is larger than ${max} bytes: refused`,
    });
  return bytes;
}

/** A fresh name beside `path`, opened exclusively: nothing planted there is written through. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomHex8()}.tmp`);
}

/**
 * Eight random hex digits from the system's CSPRNG. `randomUUID` draws from a cached batch (a
 * scan names thousands of temporary files; `randomBytes` went to OpenSSL for each); a version 4
 * UUID's first eight digits are random.
 */
export function randomHex8(): string {
  return randomUUID().slice(0, 8);
}

/**
 * Write an output file the way `-o FILE` promises: a regular file (or a new one) is replaced
 * atomically; a FIFO, character device or socket (`/dev/null`, `>(cmd)`, a named pipe) is
 * written in place, never replaced; a symlink is followed and its target handled by the same
 * rules (the link itself stays); a directory is refused.
 * @throws UsageError for a directory
 */
export async function writeOutputFile(path: string, data: OutputData): Promise<void> {
  const link = await lstat(path).catch(() => undefined);
  const target = link?.isSymbolicLink() ? await realpath(path).catch(() => undefined) : path;
  const st = target === undefined ? undefined : await stat(target).catch(() => undefined);
  if (st?.isDirectory()) {
    throw new UsageError({ code: 'BAD_ARGUMENT', message: `-o ${path}: is a directory` });
  }
  if (st && !st.isFile()) {
    await writeFile(target!, outputPieces(data));
    return;
  }
  // A dangling symlink: create its target, as a shell's `>` would.
  const file = target ?? (await danglingTarget(path));
  await makeNamedDir(dirname(file), `-o ${path}: cannot make its directory`);
  await writeFileAtomic(file, data);
}

async function danglingTarget(path: string): Promise<string> {
  const { readlink } = await import('node:fs/promises');
  const to = await readlink(path);
  return to.startsWith('/') ? to : join(dirname(path), to);
}
