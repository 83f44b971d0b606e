import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { UnpackError } from '../errors.js';
import { checkNameFields } from './zip-checks.js';
import { CENTRAL_SIZE, SIG_CENTRAL, parseCentralDirectory } from './zip-format.js';

/** One central record at `cd[p]`: the given name, no data; returns where the next one starts. */
function record(
  cd: Buffer,
  p: number,
  name: Buffer,
  extra: Buffer | number,
  commentLength: number
): number {
  const extraLength = typeof extra === 'number' ? extra : extra.length;
  cd.writeUInt32LE(SIG_CENTRAL, p);
  cd.writeUInt16LE((3 << 8) | 20, p + 4);
  cd.writeUInt16LE(name.length, p + 28);
  cd.writeUInt16LE(extraLength, p + 30);
  cd.writeUInt16LE(commentLength, p + 32);
  name.copy(cd, p + CENTRAL_SIZE);
  if (typeof extra === 'number') {
    // One unknown field filling the whole extra area: parsed in one step, its bytes never touched.
    cd.writeUInt16LE(0xcafe, p + CENTRAL_SIZE + name.length);
    cd.writeUInt16LE(extra - 4, p + CENTRAL_SIZE + name.length + 2);
  } else extra.copy(cd, p + CENTRAL_SIZE + name.length);
  return p + CENTRAL_SIZE + name.length + extraLength + commentLength;
}

describe('CentralDirectory', () => {
  // Node 22 and later allow buffers past 4 GiB (Node 20 stops at 2^32 bytes, where no record's
  // name can start beyond 32 bits). 200,000 records of up to 192 KiB each make such a directory.
  it("keeps a record's name and extra field where they are past 4 GiB into the directory", () => {
    if (constants.MAX_LENGTH <= 2 ** 32) {
      // This Node cannot hold such a directory (the reader refuses it: zip.hostile.test.ts).
      expect(() => Buffer.alloc(2 ** 32 + 1)).toThrow(RangeError);
      return;
    }
    // Mostly never written: zero-filled pages cost no memory until touched.
    const cd = Buffer.alloc(2 ** 32 + 200_000);
    const filler = Buffer.from('f');
    let p = 0;
    let count = 0;
    while (p < 2 ** 32) {
      p = record(cd, p, filler, 0xffff, 0xffff);
      count++;
    }
    // The record past 4 GiB carries a Unicode Path field naming another file.
    const name = Buffer.from('harmless.txt');
    const unicodePath = Buffer.concat([
      Buffer.from([0x75, 0x70, 10, 0, 1, 0, 0, 0, 0]),
      Buffer.from('x.pth'),
    ]);
    const end = record(cd, p, name, unicodePath, 0);
    count++;
    const dir = parseCentralDirectory('big.zip', cd.subarray(0, end), count);
    const last = count - 1;
    expect(dir.names[last]).toBe('harmless.txt');
    expect(dir.nameBytes(last).toString('latin1')).toBe('harmless.txt');
    const extra = dir.extraStart(last);
    expect(cd.subarray(extra, extra + dir.extraLength[last]!).equals(unicodePath)).toBe(true);
    // What the wrong bytes would hide: the central Unicode Path check.
    expect(() =>
      checkNameFields('big.zip', dir, last, cd, extra, extra + unicodePath.length, 'central')
    ).toThrow(expect.objectContaining({ code: 'UNICODE_PATH_MISMATCH' }) as UnpackError);
  });
});
