/**
 * Positional reads over archive bytes: an open file or a buffer. Archive
 * readers (zip, tar) never hold a whole layer in memory; they read the
 * ranges they need.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { UnpackError } from '../errors.js';
import type { RandomAccess } from './inflate.js';

export type { RandomAccess } from './inflate.js';

/** Reads of at most this many bytes are made synchronously (see {@link fileAccess}). */
export const SYNC_READ_BYTES = 64 * 1024;

/** Positional reads over an open file of `size` bytes; closing closes the handle. */
export function fileAccess(fh: FileHandle, size: number): RandomAccess {
  let closed = false;
  const fill = async (buf: Buffer, pos: number, want: number): Promise<number> => {
    let off = 0;
    while (off < want) {
      const n = want - off;
      // A small read on the main thread: through the thread pool, its round trip costs several
      // times the system call (a layer's inventory reads tens of thousands of small entries).
      const bytesRead =
        n <= SYNC_READ_BYTES && !closed
          ? readSync(fh.fd, buf, off, n, pos + off)
          : (await fh.read(buf, off, n, pos + off)).bytesRead;
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off;
  };
  return {
    size,
    async read(pos, len) {
      const want = Math.max(0, Math.min(len, size - pos));
      const buf = Buffer.allocUnsafe(want);
      const off = await fill(buf, pos, want);
      return off === want ? buf : buf.subarray(0, off);
    },
    readInto: (buf, pos) => fill(buf, pos, Math.max(0, Math.min(buf.length, size - pos))),
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

/** Positional reads over a buffer. */
export function bufferAccess(buf: Buffer): RandomAccess {
  return {
    size: buf.length,
    read: (pos, len) => Promise.resolve(buf.subarray(pos, Math.min(buf.length, pos + len))),
    close: () => Promise.resolve(),
  };
}

/**
 * Open a regular file for positional reads.
 * @throws UnpackError NOT_FOUND when it cannot be opened or is not a regular file
 */
export async function openFileAccess(path: string, name = path): Promise<RandomAccess> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.replace(/\s+/g, ' ') : String(cause);
    throw new UnpackError({ code: 'NOT_FOUND', message: `${name}: cannot open (${why})`, cause });
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new UnpackError({ code: 'NOT_FOUND', message: `${name}: not a regular file` });
  }
  return fileAccess(fh, st.size);
}

/** Bytes read at once when hashing or streaming a range. */
const CHUNK = 256 * 1024;

/** sha256 (hex) of every byte, read in 1 MiB positional reads. */
export async function hashAccess(ra: RandomAccess): Promise<string> {
  const h = createHash('sha256');
  for (let pos = 0; pos < ra.size;) {
    const buf = await ra.read(pos, CHUNK);
    if (buf.length === 0) break;
    h.update(buf);
    pos += buf.length;
  }
  return h.digest('hex');
}

/** Stream `size` bytes at `offset`; a short read (the file shrank) fails the stream. */
export function rangeStream(
  ra: RandomAccess,
  offset: number,
  size: number,
  what: string
): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let done = 0; done < size;) {
      const buf = await ra.read(offset + done, Math.min(CHUNK, size - done));
      if (buf.length === 0)
        throw new UnpackError({ code: 'TRUNCATED_ARCHIVE', message: `${what}: data ends early` });
      done += buf.length;
      yield buf;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
