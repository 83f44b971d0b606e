/**
 * The entry decoder on its own. Opening a zip already decodes every entry,
 * so these checks are what still guards each later read (a file changed
 * under an open handle, a caller that builds EntryData itself).
 */
import type { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UnpackError, type UnpackErrorCode } from '../errors.js';
import { entryStream, headEntry, readEntry, type EntryData, type RandomAccess } from './inflate.js';

function access(buf: Buffer): RandomAccess {
  return {
    size: buf.length,
    read: (pos, len) => Promise.resolve(buf.subarray(pos, Math.min(buf.length, pos + len))),
    close: () => Promise.resolve(),
  };
}

/** An entry whose compressed bytes are all of `raw`, declaring `data`'s size and CRC unless overridden. */
function entry(
  raw: Buffer,
  data: Buffer,
  over: Partial<EntryData> = {}
): { ra: RandomAccess; e: EntryData } {
  return {
    ra: access(raw),
    e: {
      name: 'f',
      method: 8,
      size: data.length,
      compressedSize: raw.length,
      crc: crc32(data),
      dataOffset: 0,
      ...over,
    },
  };
}

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function codeOf(p: Promise<unknown>): Promise<UnpackErrorCode | 'OK'> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (!(err instanceof UnpackError)) throw err;
    return err.code;
  }
}

const small = Buffer.from('lamina '.repeat(100));
const large = Buffer.alloc(6 * 1024 * 1024, 7); // over the synchronous limit: the streaming path

describe.each([
  ['small (one synchronous inflate)', small],
  ['large (streamed)', large],
])('%s', (_label, data) => {
  const deflated = deflateRawSync(data);
  const cases: [string, UnpackErrorCode | 'OK', () => { ra: RandomAccess; e: EntryData }][] = [
    ['intact', 'OK', () => entry(deflated, data)],
    ['CRC mismatch', 'CORRUPT_ARCHIVE', () => entry(deflated, data, { crc: 1 })],
    [
      'more bytes than declared',
      'CORRUPT_ARCHIVE',
      () => entry(deflated, data, { size: data.length - 1 }),
    ],
    [
      'fewer bytes than declared',
      'CORRUPT_ARCHIVE',
      () => entry(deflated, data, { size: data.length + 1 }),
    ],
    [
      'bytes after the end of the deflate stream',
      'TRAILING_COMPRESSED_DATA',
      () => entry(Buffer.concat([deflated, Buffer.from('PK\x03\x04')]), data),
    ],
    ['truncated deflate stream', 'CORRUPT_ARCHIVE', () => entry(deflated.subarray(0, -4), data)],
    ['method 12 (bzip2)', 'UNSUPPORTED_COMPRESSION', () => entry(deflated, data, { method: 12 })],
  ];

  it.each(cases)('%s → %s from readEntry and entryStream', async (_what, code, make) => {
    const { ra, e } = make();
    expect(await codeOf(readEntry('t.zip', ra, e))).toBe(code);
    expect(await codeOf(Promise.resolve().then(() => drain(entryStream('t.zip', ra, e))))).toBe(
      code
    );
    if (code === 'OK') expect((await readEntry('t.zip', ra, e)).equals(data)).toBe(true);
  });
});

describe('stored entries', () => {
  it('are copied, never a view of the archive, and CRC-checked', async () => {
    const data = Buffer.from('stored bytes');
    const { ra, e } = entry(data, data, { method: 0 });
    const out = await readEntry('t.zip', ra, e);
    out[0] = 0x58;
    expect(data.toString()).toBe('stored bytes');
    const bad = entry(data, data, { method: 0, crc: 5 });
    expect(await codeOf(readEntry('t.zip', bad.ra, bad.e))).toBe('CORRUPT_ARCHIVE');
  });
});

describe('headEntry', () => {
  it('stops after n bytes of a lying bomb without inflating the rest', async () => {
    const bomb = Buffer.alloc(64 * 1024 * 1024);
    const { ra, e } = entry(deflateRawSync(bomb), bomb, { size: 5 * 1024 * 1024 });
    expect(await headEntry('t.zip', ra, e, 16)).toEqual(Buffer.alloc(16));
  });

  it('gives the first bytes of a small entry (decoded whole) and of a large one (streamed)', async () => {
    for (const size of [100, 64 * 1024, 64 * 1024 + 1, 300 * 1024]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 7919) % 251;
      const { ra, e } = entry(deflateRawSync(data), data);
      expect(await headEntry('t.zip', ra, e, 16), String(size)).toEqual(data.subarray(0, 16));
      expect(await headEntry('t.zip', ra, e, size + 10), String(size)).toEqual(data);
    }
  });

  it('reads only the compressed bytes it needs', async () => {
    const data = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 251) ^ (i >> 9);
    const { ra, e } = entry(deflateRawSync(data), data);
    let read = 0;
    const counted: RandomAccess = {
      ...ra,
      read: (pos, len) => {
        read += len;
        return ra.read(pos, len);
      },
    };
    expect(await headEntry('t.zip', counted, e, 16)).toEqual(data.subarray(0, 16));
    expect(read).toBeLessThanOrEqual(8 * 1024);
    expect(e.compressedSize).toBeGreaterThan(64 * 1024);
  });

  it('an entry inflating past its declared size is refused, not buffered', async () => {
    const bomb = Buffer.alloc(8 * 1024 * 1024);
    const { ra, e } = entry(deflateRawSync(bomb), bomb, { size: 100 });
    expect(await codeOf(headEntry('t.zip', ra, e, 16))).toBe('CORRUPT_ARCHIVE');
  });

  it('an entry whose deflate data is not deflate is refused', async () => {
    const junk = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const { ra, e } = entry(junk, Buffer.from('x'.repeat(100)));
    expect(await codeOf(headEntry('t.zip', ra, e, 16))).toBe('CORRUPT_ARCHIVE');
  });
});
