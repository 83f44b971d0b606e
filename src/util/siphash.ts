/**
 * SipHash with a 128-bit key (k0, k1) and 64-bit output, `c` compression and `d` finalization
 * rounds (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): SipHash-2-4 and
 * SipHash-1-3, the two CPython keys its hash-based pycs with. BigInt arithmetic: it is run on a
 * few source files, not on every entry of a layer.
 */

const MASK = (1n << 64n) - 1n;

const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-c-d of `data` under (k0, k1), as an unsigned 64-bit integer. */
export function siphash(k0: bigint, k1: bigint, data: Uint8Array, c: number, d: number): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const compress = (m: bigint): void => {
    v3 ^= m;
    for (let i = 0; i < c; i++) round();
    v0 ^= m;
  };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const whole = data.byteLength - (data.byteLength % 8);
  for (let i = 0; i < whole; i += 8) compress(view.getBigUint64(i, true));
  // The last block: the remaining bytes, little-endian, and the length's low byte on top.
  let last = BigInt(data.byteLength & 0xff) << 56n;
  for (let i = whole; i < data.byteLength; i++) last |= BigInt(data[i]!) << BigInt(8 * (i - whole));
  compress(last);
  v2 ^= 0xffn;
  for (let i = 0; i < d; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}
