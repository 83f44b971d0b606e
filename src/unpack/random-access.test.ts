import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYNC_READ_BYTES, hashAccess, openFileAccess } from './random-access.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-ra-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openFileAccess', () => {
  it('reads the same bytes small (on the main thread) and large (through the pool)', async () => {
    const bytes = randomBytes(3 * SYNC_READ_BYTES + 17);
    const path = join(dir, 'f');
    await writeFile(path, bytes);
    const ra = await openFileAccess(path);
    try {
      for (const [pos, len] of [
        [0, 1],
        [5, SYNC_READ_BYTES],
        [5, SYNC_READ_BYTES + 1],
        [SYNC_READ_BYTES - 3, 2 * SYNC_READ_BYTES],
        [bytes.length - 10, 10],
      ] as const)
        expect((await ra.read(pos, len)).equals(bytes.subarray(pos, pos + len))).toBe(true);
      // Past the end: what there is, then nothing.
      expect((await ra.read(bytes.length - 4, 100)).equals(bytes.subarray(-4))).toBe(true);
      expect((await ra.read(bytes.length, 100)).length).toBe(0);
      const into = Buffer.alloc(SYNC_READ_BYTES);
      expect(await ra.readInto!(into, 100)).toBe(SYNC_READ_BYTES);
      expect(into.equals(bytes.subarray(100, 100 + SYNC_READ_BYTES))).toBe(true);
      expect(await hashAccess(ra)).toBe(createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await ra.close();
    }
    // Closed: a read fails rather than reading another file that took the descriptor.
    await expect(ra.read(0, 10)).rejects.toThrow();
  });
});
