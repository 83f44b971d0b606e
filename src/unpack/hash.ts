import { createHash } from 'node:crypto';
import type { FileSource } from './source.js';

/** Files up to this size are read whole (one read, one inflate); larger ones are streamed. */
const READ_WHOLE = 1024 * 1024;

/**
 * Digest one regular file of a layer with several algorithms at once, e.g.
 * `['sha1', 'sha256']`, returning the raw digests in the same order. Small
 * files take one bounded read; large ones are streamed so memory stays flat.
 */
export async function digestEntry(
  source: FileSource,
  path: string,
  algorithms: readonly string[]
): Promise<Buffer[]> {
  const hashes = algorithms.map((a) => createHash(a));
  const entry = source.get(path);
  if (entry && entry.kind === 'file' && entry.size <= READ_WHOLE) {
    const buf = await source.read(path, READ_WHOLE);
    for (const h of hashes) h.update(buf);
  } else {
    for await (const chunk of await source.stream(path))
      for (const h of hashes) h.update(chunk as Buffer);
  }
  return hashes.map((h) => h.digest());
}

/** SHA-256 (hex) of one regular file of a layer. */
export async function sha256Entry(source: FileSource, path: string): Promise<string> {
  const [d] = await digestEntry(source, path, ['sha256']);
  return d!.toString('hex');
}
