import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { siphash } from './siphash.js';

const hex = (x: bigint): string => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(x);
  return b.toString('hex');
};

describe('siphash', () => {
  it('gives the reference SipHash-2-4 output (key 00..0f, messages 00.. of each length to 15)', () => {
    const key = Buffer.from([...Array(16).keys()]);
    const [k0, k1] = [key.readBigUInt64LE(0), key.readBigUInt64LE(8)];
    const message = (n: number) => Buffer.from([...Array(n).keys()]);
    // The paper's appendix vectors: the empty message, and 00..0e.
    expect(hex(siphash(k0, k1, message(0), 2, 4))).toBe('310e0edd47db6f72');
    expect(hex(siphash(k0, k1, message(15), 2, 4))).toBe('e545be4961ca29a1');
  });

  it("gives what this machine's CPython gives for a pyc's source hash, for sources of every length to 20", () => {
    const script =
      'import _imp, importlib.util as u, sys\n' +
      'k = int.from_bytes(u.MAGIC_NUMBER, "little")\n' +
      'print(k)\n' +
      'for n in range(21): print(_imp.source_hash(k, bytes(range(n))).hex())';
    const [key, ...want] = execFileSync('python3', ['-c', script], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const version = execFileSync(
      'python3',
      ['-c', 'import sys; print(sys.version_info >= (3, 11))'],
      {
        encoding: 'utf8',
      }
    ).trim();
    const [c, d] = version === 'True' ? [1, 3] : [2, 4];
    const got = want.map((_, n) =>
      hex(siphash(BigInt(key!), 0n, Buffer.from([...Array(n).keys()]), c, d))
    );
    expect(got).toEqual(want);
  });
});
