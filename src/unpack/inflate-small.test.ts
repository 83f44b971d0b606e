import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Range, inflateSmall, inflateSmallCrc } from './inflate-small.js';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** zlib's verdict on a raw deflate stream: its output when it accepts all of `raw`. */
function zlibVerdict(raw: Buffer): Buffer | undefined {
  try {
    const r = inflateRawSync(raw, { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    return r.engine.bytesWritten === raw.length ? r.buffer : undefined;
  } catch {
    return undefined;
  }
}

/** Plain inputs of the kinds layers hold: text, repeats, random bytes, empty. */
function plainInputs(rand: () => number): Buffer[] {
  const text = Buffer.from(
    'export function x(a) { return a + 1; }\n{"name":"left-pad","version":"1.3.0"}\n'
  );
  const out: Buffer[] = [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(1024, 0x41)];
  for (let i = 0; i < 60; i++) {
    const n = Math.floor(rand() * 1024);
    const b = Buffer.alloc(n);
    const kind = i % 3;
    for (let j = 0; j < n; j++)
      b[j] =
        kind === 0
          ? text[(j + i) % text.length]!
          : kind === 1
            ? Math.floor(rand() * 4) + 97
            : Math.floor(rand() * 256);
    out.push(b);
  }
  return out;
}

const STRATEGIES = [
  constants.Z_DEFAULT_STRATEGY,
  constants.Z_FILTERED,
  constants.Z_HUFFMAN_ONLY,
  constants.Z_RLE,
  constants.Z_FIXED,
];

/**
 * One final fixed-Huffman block (RFC 1951 3.2.6): `[literal]` or `[length symbol, distance
 * code]` items (no extra bits), then end-of-block.
 */
function fixedBlock(items: number[][]): number[] {
  const bytes: number[] = [];
  let acc = 0;
  let n = 0;
  const put = (v: number, len: number): void => {
    for (let i = 0; i < len; i++) {
      acc |= ((v >> i) & 1) << n++;
      if (n < 8) continue;
      bytes.push(acc);
      acc = 0;
      n = 0;
    }
  };
  // Huffman codes go most significant bit first.
  const code = (c: number, len: number): void => {
    for (let i = len - 1; i >= 0; i--) put((c >> i) & 1, 1);
  };
  const lit = (s: number): void => {
    if (s < 144) code(0x30 + s, 8);
    else if (s < 256) code(0x190 + s - 144, 9);
    else if (s < 280) code(s - 256, 7);
    else code(0xc0 + s - 280, 8);
  };
  put(1, 1);
  put(1, 2);
  for (const [a, d] of items) {
    lit(a!);
    if (d !== undefined) code(d, 5);
  }
  lit(256);
  if (n > 0) bytes.push(acc);
  return bytes;
}

describe('inflateSmall', () => {
  const rand = rng(14);
  const streams: { plain: Buffer; raw: Buffer }[] = [];
  for (const plain of plainInputs(rand))
    for (const level of [0, 1, 6, 9])
      for (const strategy of STRATEGIES)
        streams.push({ plain, raw: deflateRawSync(plain, { level, strategy }) });

  it('decodes what zlib writes, at every level and strategy (stored, fixed and dynamic blocks)', () => {
    let same = 0;
    for (const { plain, raw } of streams)
      if (inflateSmall(raw, plain.length)?.equals(plain)) same++;
    expect(same).toBe(streams.length);
  });

  it('declines a stream whose output is not exactly the declared size', () => {
    for (const { plain, raw } of streams.slice(0, 200)) {
      expect(inflateSmall(raw, plain.length + 1)).toBeUndefined();
      if (plain.length > 0) expect(inflateSmall(raw, plain.length - 1)).toBeUndefined();
    }
  });

  it('declines a stream that ends before its bytes do, or runs past them', () => {
    for (const { plain, raw } of streams.slice(0, 200)) {
      expect(inflateSmall(Buffer.concat([raw, Buffer.from([0])]), plain.length)).toBeUndefined();
      expect(inflateSmall(raw.subarray(0, raw.length - 1), plain.length)).toBeUndefined();
    }
  });

  it('never accepts a damaged stream that zlib refuses, nor decodes one differently', () => {
    // Flipped bits reach every refusal: bad block types, stored lengths, incomplete and
    // over-subscribed codes, bad repeats, missing end-of-block codes, distances too far back.
    let accepted = 0;
    let declined = 0;
    for (const { raw } of streams)
      for (let k = 0; k < 8; k++) {
        const bad = Buffer.from(raw);
        const flips = 1 + Math.floor(rand() * 3);
        for (let f = 0; f < flips; f++) bad[Math.floor(rand() * bad.length)]! ^= 1 << (k % 8);
        const want = zlibVerdict(bad);
        const got = inflateSmall(bad, want?.length ?? 0);
        // Buffer.equals: a deep toEqual of every byte would take most of the test's time.
        if (want === undefined) {
          if (got !== undefined) expect.fail(`accepted what zlib refuses: ${bad.toString('hex')}`);
          declined++;
        } else {
          if (!got?.equals(want))
            expect.fail(`decoded otherwise than zlib: ${bad.toString('hex')}`);
          accepted++;
        }
      }
    // Both outcomes occur, so both directions were exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });

  it('agrees with zlib on every single-bit change to a dynamic block header', () => {
    // The header (HLIT, HDIST, HCLEN, the code length code, the first code lengths) is where
    // incomplete and over-subscribed codes, bad repeats and missing end-of-block codes arise.
    const dynamic = streams.filter(({ raw }) => ((raw[0]! >> 1) & 3) === 2).slice(0, 60);
    expect(dynamic.length).toBe(60);
    let declined = 0;
    for (const { raw } of dynamic)
      for (let bit = 0; bit < Math.min(raw.length, 16) * 8; bit++) {
        const bad = Buffer.from(raw);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const want = zlibVerdict(bad);
        const got = inflateSmall(bad, want?.length ?? 0);
        if (want === undefined) {
          if (got !== undefined) expect.fail(`accepted what zlib refuses: ${bad.toString('hex')}`);
          declined++;
        } else if (!got?.equals(want))
          expect.fail(`decoded otherwise than zlib: ${bad.toString('hex')}`);
      }
    expect(declined).toBeGreaterThan(500);
  });

  it('declines the refusals zlib makes, written by hand', () => {
    const cases: [string, number[]][] = [
      ['block type 3', [0x07, 0x00]],
      ['stored length whose complement disagrees', [0x01, 0x01, 0x00, 0xff, 0xff, 0x41]],
      ['distance too far back', fixedBlock([[0x61], [257, 1]])],
      ['length code 286', fixedBlock([[0x61], [286, 0]])],
      ['distance code 30', fixedBlock([[0x61], [257, 30]])],
    ];
    for (const [what, bytes] of cases) {
      const raw = Buffer.from(bytes);
      expect(zlibVerdict(raw), what).toBeUndefined();
      for (const size of [0, 1, 4]) expect(inflateSmall(raw, size), what).toBeUndefined();
    }
  });
});

describe('inflateSmallCrc: a stream checked where it lies', () => {
  const rand = rng(41);
  const streams = plainInputs(rand).map((plain) => ({ plain, raw: deflateRawSync(plain) }));
  /** `raw` between `before` and `after` random bytes: the decoder may read neither. */
  const embed = (raw: Buffer, before: number, after: number): Buffer => {
    const b = Buffer.alloc(before + raw.length + after);
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    raw.copy(b, before);
    return b;
  };

  it('gives the CRC-32 of what zlib writes, from inside a larger buffer', () => {
    for (const { plain, raw } of streams) {
      const b = embed(raw, 7, 9);
      expect(inflateSmallCrc(b, 7, 7 + raw.length, plain.length)).toBe(crc32(plain));
    }
  });

  it('declines a range that ends before the stream does, or after it, or another size', () => {
    for (const { plain, raw } of streams) {
      const b = embed(raw, 3, 5);
      const end = 3 + raw.length;
      // The bytes past `end` are there, but not the entry's: reading them would be a yes.
      expect(inflateSmallCrc(b, 3, end - 1, plain.length)).toBe(-1);
      expect(inflateSmallCrc(b, 3, end + 1, plain.length)).toBe(-1);
      expect(inflateSmallCrc(b, 3, end, plain.length + 1)).toBe(-1);
      if (plain.length > 0) expect(inflateSmallCrc(b, 3, end, plain.length - 1)).toBe(-1);
    }
  });

  it('declines a range outside its buffer', () => {
    const { plain, raw } = streams[5]!;
    expect(inflateSmallCrc(raw, 0, raw.length + 1, plain.length)).toBe(-1);
    expect(inflateSmallCrc(raw, -1, raw.length, plain.length)).toBe(-1);
  });

  it("crc32Range is zlib's CRC-32 of the range", () => {
    for (const { plain } of streams) {
      const b = embed(plain, 2, 3);
      expect(crc32Range(b, 2, 2 + plain.length)).toBe(crc32(plain));
    }
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
