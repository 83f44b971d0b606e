/**
 * Hostile layouts aimed at the zip reader's shortcuts: the file-order walk skips its sort when
 * the central directory is already in file order, parent conflicts and implied parents are
 * found in one walk that checks each directory once, and paths are searched by halves in
 * UTF-8 order. Each case is one an attacker would try where a shortcut could look away.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip, type ZipEntry } from '../../scripts/lib/zipwriter.mjs';
import { UnpackError } from '../errors.js';
import { DEFAULT_LIMITS, type FileSource } from './source.js';
import { reverseCentralDirectory } from './testing/hostile-zips.js';
import { CENTRAL_BYTES_PER_ENTRY, openZipBuffer, openZipFile } from './zip.js';

const open = (buf: Buffer): Promise<FileSource> =>
  openZipBuffer(buf, { name: 'test.zip', limits: DEFAULT_LIMITS });

async function refusal(buf: Buffer): Promise<{ code: string; message: string }> {
  const err = await open(buf).then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(UnpackError);
  const { code, message } = err as UnpackError;
  return { code, message };
}

describe('local headers listed out of file order', () => {
  const padded = (): ZipEntry => ({ name: 'a', data: 'a'.repeat(100), method: 'store' });

  it('still finds an entry whose header sits inside the previous entry', async () => {
    const zip = writeZip([padded(), { name: 'b', data: 'b', offsetDelta: -40 }]);
    expect(await refusal(zip)).toMatchObject({ code: 'OVERLAPPING_ENTRIES' });
    // Listed last-first, the records are not in file order: the walk must sort them first.
    expect(await refusal(reverseCentralDirectory(zip))).toEqual({
      code: 'OVERLAPPING_ENTRIES',
      message: 'test.zip: entries share bytes (overlapping zip bomb?) ("a", "b")',
    });
  });

  it('still finds bytes between entries that no record lists', async () => {
    const zip = writeZip([
      { name: 'a', data: 'a', gapAfter: Buffer.from('PK hidden') },
      { name: 'b', data: 'b' },
      { name: 'c', data: 'c' },
    ]);
    expect(await refusal(reverseCentralDirectory(zip))).toEqual({
      code: 'UNLISTED_DATA',
      message: 'test.zip: 9 bytes between two entries that no central record lists ("a", "b")',
    });
  });
});

describe('parents', () => {
  // U+FF5A sorts after the surrogates of U+1F600 in UTF-16 and before them in UTF-8: a search
  // in the wrong order would miss one of these parents.
  const wide = ['\uff5a', '\u{1f600}', '\ue000'];

  it.each(wide)('refuses a symlink %j listed after the entries that lie under it', async (dir) => {
    const zip = writeZip([
      // A sibling first: the next entry lies one directory deeper and must be walked.
      { name: 'p/f', data: 'f' },
      { name: `p/${dir}/a`, data: 'a' },
      // Same directory as the entry before: its parents are not walked again.
      { name: `p/${dir}/b`, data: 'b' },
      { name: 'p/\u{1f601}', data: 'sorts among them' },
      { name: `p/${dir}`, symlink: '/etc' },
    ]);
    expect(await refusal(zip)).toEqual({
      code: 'PATH_CONFLICT',
      message: `test.zip: an entry lies under a symlink entry (${JSON.stringify(`p/${dir}`)}, ${JSON.stringify(`p/${dir}/a`)})`,
    });
  });

  it('lists and finds implied parents whose names sort apart in UTF-16 and UTF-8', async () => {
    const zip = writeZip(wide.map((d, i) => ({ name: `q/${d}/f${i}`, data: `${i}` })));
    const src = await open(zip);
    try {
      const paths = src.entries().map((e) => e.path);
      const sorted = [...paths].sort((a, b) =>
        Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
      );
      expect(paths).toEqual(sorted);
      expect(paths).toHaveLength(1 + 2 * wide.length);
      for (const [i, d] of wide.entries()) {
        expect(src.get(`q/${d}`)).toMatchObject({ kind: 'dir', size: 0 });
        expect((await src.read(`q/${d}/f${i}`)).toString()).toBe(`${i}`);
      }
    } finally {
      await src.close();
    }
  });
});

describe('a central directory declared larger than it can be', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lamina-ziphostile-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /**
   * A sparse file of zeros (no disk, no memory) ending in zip64 end records that declare
   * `entries` records in a central directory of `cdSize` bytes at offset 0.
   */
  function sparseZip(name: string, entries: number, cdSize: number): string {
    const tail = Buffer.alloc(56 + 20 + 22);
    tail.writeUInt32LE(0x06064b50, 0);
    tail.writeBigUInt64LE(44n, 4);
    tail.writeUInt16LE(45, 12);
    tail.writeUInt16LE(45, 14);
    tail.writeBigUInt64LE(BigInt(entries), 24);
    tail.writeBigUInt64LE(BigInt(entries), 32);
    tail.writeBigUInt64LE(BigInt(cdSize), 40);
    tail.writeUInt32LE(0x07064b50, 56);
    tail.writeBigUInt64LE(BigInt(cdSize), 64);
    tail.writeUInt32LE(1, 72);
    tail.writeUInt32LE(0x06054b50, 76);
    tail.writeUInt16LE(0xffff, 84);
    tail.writeUInt16LE(0xffff, 86);
    tail.writeUInt32LE(0xffffffff, 88);
    tail.writeUInt32LE(0xffffffff, 92);
    const path = join(tmp, name);
    const fd = openSync(path, 'w');
    try {
      ftruncateSync(fd, cdSize + tail.length);
      writeSync(fd, tail, 0, tail.length, cdSize);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  async function fileRefusal(path: string): Promise<{ code: string; message: string }> {
    const err = await openZipFile(path, { name: 'big.zip' }).then(
      (src) => src.close(),
      (e: unknown) => e
    );
    // A RangeError from the allocation (Node 20) or a 4 GiB read (Node 22 on) before this.
    expect(err).toBeInstanceOf(UnpackError);
    const { code, message } = err as UnpackError;
    return { code, message };
  }

  const past4GiB = 2 ** 32 + 4096;

  it('is refused before it is read when its declared entries cannot fill it', async () => {
    expect(await fileRefusal(sparseZip('one.zip', 1, past4GiB))).toEqual({
      code: 'CORRUPT_ARCHIVE',
      message: `big.zip: central directory of ${past4GiB} bytes is larger than its 1 declared entries can be`,
    });
  });

  it('is refused before it is read when it is over 1 KiB per entry --max-entries allows', async () => {
    // 200,000 entries could fill 4 GiB (declared count × the largest record), so only the
    // limit refuses it: on Node 20 reading it would throw a RangeError, from Node 22 on it would
    // take 4 GiB of memory.
    const limit = DEFAULT_LIMITS.maxEntries * CENTRAL_BYTES_PER_ENTRY;
    expect(await fileRefusal(sparseZip('many.zip', 200_000, past4GiB))).toEqual({
      code: 'TOO_LARGE',
      message: `big.zip: central directory of ${past4GiB} bytes, over the limit of ${limit} (1 KiB per entry --max-entries allows)`,
    });
    // Just over the limit, with a realistic count: refused the same way.
    expect(await fileRefusal(sparseZip('over.zip', 150_000, limit + 1))).toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});
