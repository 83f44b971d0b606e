import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write text chunks to a file atomically (temp file + rename), in writes of about 64 KiB, so a
 * large document never has to exist as one string.
 */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const file = await open(tmp, 'w');
  try {
    let buffered: string[] = [];
    let size = 0;
    for (const c of chunks) {
      buffered.push(c);
      size += c.length;
      if (size >= 65536) {
        await file.write(buffered.join(''));
        buffered = [];
        size = 0;
      }
    }
    if (buffered.length) await file.write(buffered.join(''));
  } catch (err) {
    await file.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await file.close();
  await rename(tmp, path);
}
