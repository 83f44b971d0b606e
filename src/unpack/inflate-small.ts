/**
 * A raw-deflate decoder (RFC 1951, https://www.rfc-editor.org/rfc/rfc1951)
 * for small zip entries, after Mark Adler's reference decoder puff.c.
 *
 * Why: Node's zlib costs a stream object and a native inflater per call
 * (`zlib.inflateRawSync` cannot reuse one), about 9 µs and a few KiB of
 * garbage per entry, which is most of the cost of opening a zip of 150,000
 * small files. Decoding a few hundred bytes in JavaScript costs far less.
 *
 * It only ever says yes or "ask zlib": it returns the output when the
 * stream is one zlib accepts (it keeps zlib's refusals: incomplete or
 * over-subscribed codes, a missing end-of-block code, bad repeats, stored
 * lengths whose complement disagrees, distances before the start, the codes
 * 286, 287, 30 and 31), yields exactly `size` bytes and ends exactly at the
 * end of `raw`; on anything else it returns undefined and the caller runs
 * zlib, whose error is then the verdict. Its work is bounded by `size` and
 * the length of `raw`, both small.
 */

const MAXBITS = 15;
const MAXLCODES = 286;
const MAXDCODES = 30;
const FIXLCODES = 288;

/** Bits looked up at once; longer codes are decoded a bit at a time. */
const FAST_BITS = 9;

/**
 * A canonical Huffman code: how many codes of each length, the symbols in
 * code order, and a table by the next FAST_BITS input bits of
 * `symbol << 4 | length` for codes up to FAST_BITS long (0: decode slowly).
 */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
  fast: Int32Array;
}

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const LEN_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** Order of the code length code lengths in a dynamic block header. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Thrown inside the decoder to mean "not for this decoder, ask zlib" (a shared object: no stack to build). */
const BAIL = new Error('inflate-small: ask zlib');

const EMPTY = Buffer.alloc(0);

// The decoder's state: module-level, since a decode is synchronous and never re-entered.
let input: Buffer = EMPTY;
let inPos = 0;
/** Where the entry's bytes end in `input`. */
let inEnd = 0;
let bitBuf = 0;
let bitCnt = 0;
let out: Buffer = EMPTY;
let outPos = 0;
/** The size the entry declares: the output may not pass it. */
let outEnd = 0;

function bits(need: number): number {
  let val = bitBuf;
  while (bitCnt < need) {
    if (inPos >= inEnd) throw BAIL; // the stream runs past the entry's bytes
    val |= input[inPos++]! << bitCnt;
    bitCnt += 8;
  }
  bitBuf = val >>> need;
  bitCnt -= need;
  return val & ((1 << need) - 1);
}

/**
 * Build a code from code lengths. Returns 0 for a complete code, a negative
 * number when over-subscribed, a positive one when incomplete (puff's construct).
 */
function construct(h: Huffman, lengths: Uint8Array, n: number): number {
  h.count.fill(0);
  h.fast.fill(0);
  for (let s = 0; s < n; s++) h.count[lengths[s]!]!++;
  if (h.count[0] === n) return 1 << MAXBITS; // no codes: incomplete, but allowed for distances
  let left = 1;
  for (let len = 1; len <= MAXBITS; len++) {
    left <<= 1;
    left -= h.count[len]!;
    if (left < 0) return left;
  }
  offs[1] = 0;
  for (let len = 1; len < MAXBITS; len++) offs[len + 1] = offs[len]! + h.count[len]!;
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) h.symbol[offs[lengths[s]!]!++] = s;
  // The fast table: canonical codes are assigned in symbol order within a length (RFC 1951 3.2.2)
  // and sent most significant bit first, so the table is indexed by the bit-reversed code.
  let code = 0;
  for (let len = 1; len <= FAST_BITS; len++) {
    code = (code + (len > 1 ? h.count[len - 1]! : 0)) << 1;
    nextCode[len] = code;
  }
  for (let s = 0; s < n; s++) {
    const len = lengths[s]!;
    if (len === 0 || len > FAST_BITS) continue;
    const c = nextCode[len]!++;
    let rev = 0;
    for (let b = 0; b < len; b++) rev |= ((c >> b) & 1) << (len - 1 - b);
    for (let k = rev; k < 1 << FAST_BITS; k += 1 << len) h.fast[k] = (s << 4) | len;
  }
  return left;
}

const offs = new Uint16Array(MAXBITS + 1);
const nextCode = new Uint16Array(FAST_BITS + 1);

/** Decode one symbol: looked up when short, else a bit at a time (puff's decode). */
function decode(h: Huffman): number {
  while (bitCnt < FAST_BITS && inPos < inEnd) {
    bitBuf |= input[inPos++]! << bitCnt;
    bitCnt += 8;
  }
  const hit = h.fast[bitBuf & ((1 << FAST_BITS) - 1)]!;
  const len = hit & 15;
  if (hit !== 0 && len <= bitCnt) {
    bitBuf >>>= len;
    bitCnt -= len;
    return hit >> 4;
  }
  return decodeSlow(h);
}

/** Decode one symbol a bit at a time; a code the set lacks bails. */
function decodeSlow(h: Huffman): number {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAXBITS; len++) {
    code |= bits(1);
    const count = h.count[len]!;
    if (code - count < first) return h.symbol[index + (code - first)]!;
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  throw BAIL;
}

function stored(): void {
  // Skip to a byte boundary; whole bytes already loaded go back to the input.
  inPos -= bitCnt >> 3;
  bitBuf = 0;
  bitCnt = 0;
  if (inPos + 4 > inEnd) throw BAIL;
  const len = input[inPos]! | (input[inPos + 1]! << 8);
  const nlen = input[inPos + 2]! | (input[inPos + 3]! << 8);
  inPos += 4;
  if (len !== (~nlen & 0xffff)) throw BAIL;
  if (inPos + len > inEnd || outPos + len > outEnd) throw BAIL;
  input.copy(out, outPos, inPos, inPos + len);
  inPos += len;
  outPos += len;
}

function codes(lencode: Huffman, distcode: Huffman): void {
  for (;;) {
    let symbol = decode(lencode);
    if (symbol < 256) {
      if (outPos >= outEnd) throw BAIL;
      out[outPos++] = symbol;
    } else if (symbol === 256) return;
    else {
      symbol -= 257;
      if (symbol >= 29) throw BAIL; // codes 286 and 287 (fixed code only)
      const len = LEN_BASE[symbol]! + bits(LEN_EXTRA[symbol]!);
      const dsym = decode(distcode);
      if (dsym >= 30) throw BAIL; // codes 30 and 31 (fixed code only)
      const dist = DIST_BASE[dsym]! + bits(DIST_EXTRA[dsym]!);
      if (dist > outPos || outPos + len > outEnd) throw BAIL;
      // Byte by byte: a copy may overlap its own output (a run).
      for (let i = 0; i < len; i++, outPos++) out[outPos] = out[outPos - dist]!;
    }
  }
}

function makeHuffman(n: number): Huffman {
  return {
    count: new Uint16Array(MAXBITS + 1),
    symbol: new Uint16Array(n),
    fast: new Int32Array(1 << FAST_BITS),
  };
}

const fixedLen = makeHuffman(FIXLCODES);
const fixedDist = makeHuffman(MAXDCODES);
{
  const l = new Uint8Array(FIXLCODES);
  l.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  construct(fixedLen, l, FIXLCODES);
  construct(fixedDist, new Uint8Array(MAXDCODES).fill(5), MAXDCODES);
}

// Reused tables for dynamic blocks.
const dynLen = makeHuffman(MAXLCODES);
const dynDist = makeHuffman(MAXDCODES);
const clCode = makeHuffman(19);
const lengths = new Uint8Array(MAXLCODES + MAXDCODES);

function dynamic(): void {
  const nlen = bits(5) + 257;
  const ndist = bits(5) + 1;
  const ncode = bits(4) + 4;
  if (nlen > MAXLCODES || ndist > MAXDCODES) throw BAIL;
  lengths.fill(0, 0, 19);
  for (let i = 0; i < ncode; i++) lengths[CL_ORDER[i]!] = bits(3);
  if (construct(clCode, lengths, 19) !== 0) throw BAIL; // the code length code must be complete
  for (let i = 0; i < nlen + ndist;) {
    let symbol = decode(clCode);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let len = 0;
    if (symbol === 16) {
      if (i === 0) throw BAIL; // repeat with no previous length
      len = lengths[i - 1]!;
      symbol = 3 + bits(2);
    } else if (symbol === 17) symbol = 3 + bits(3);
    else symbol = 11 + bits(7);
    if (i + symbol > nlen + ndist) throw BAIL;
    while (symbol-- > 0) lengths[i++] = len;
  }
  if (lengths[256] === 0) throw BAIL; // no end-of-block code
  // Incomplete codes are allowed only as a single code of one bit (zlib's inflate_table).
  let err = construct(dynLen, lengths, nlen);
  if (err < 0 || (err > 0 && nlen !== dynLen.count[0]! + dynLen.count[1]!)) throw BAIL;
  err = construct(dynDist, lengths.subarray(nlen), ndist);
  if (err < 0 || (err > 0 && ndist !== dynDist.count[0]! + dynDist.count[1]!)) throw BAIL;
  codes(dynLen, dynDist);
}

/**
 * Decode raw[start, end) into `into` (at least `size` bytes long): true when the stream is valid,
 * decodes to exactly `size` bytes and ends exactly at `end`.
 */
function run(raw: Buffer, start: number, end: number, into: Buffer, size: number): boolean {
  if (start < 0 || end > raw.length || size > into.length) return false;
  input = raw;
  inPos = start;
  inEnd = end;
  bitBuf = 0;
  bitCnt = 0;
  out = into;
  outPos = 0;
  outEnd = size;
  try {
    let last: number;
    do {
      last = bits(1);
      const type = bits(2);
      if (type === 0) stored();
      else if (type === 1) codes(fixedLen, fixedDist);
      else if (type === 2) dynamic();
      else throw BAIL;
    } while (!last);
  } catch {
    // BAIL, or anything unforeseen: either way zlib judges the entry.
    return false;
  } finally {
    input = EMPTY;
    out = EMPTY;
  }
  // Bytes used: zlib counts the last partly used byte as consumed too, not whole bytes looked ahead.
  const consumed = inPos - (bitCnt >> 3);
  return outPos === size && consumed === end;
}

/**
 * Inflate the raw deflate stream `raw` when it is valid, decodes to exactly
 * `size` bytes and ends exactly at the end of `raw`; otherwise undefined
 * (run zlib for the verdict).
 */
export function inflateSmall(raw: Buffer, size: number): Buffer | undefined {
  const result = Buffer.allocUnsafe(size);
  return run(raw, 0, raw.length, result, size) ? result : undefined;
}

/** Output of {@link inflateSmallCrc}, reused: only its CRC-32 leaves. */
let scratch: Buffer = EMPTY;

/**
 * The CRC-32 of what the raw deflate stream raw[start, end) inflates to, when
 * {@link inflateSmall} would return it; otherwise -1 (run zlib for the verdict).
 * For an entry that is only checked: no buffer is made for it.
 */
export function inflateSmallCrc(raw: Buffer, start: number, end: number, size: number): number {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 1024));
  return run(raw, start, end, scratch, size) ? crc32Range(scratch, 0, size) : -1;
}

/** CRC-32 (ISO-HDLC, zlib's) lookup table, a byte at a time. */
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/**
 * zlib's CRC-32 of buf[start, end), unsigned. For a few hundred bytes at most: zlib's own
 * needs a view of the range, an object per entry.
 */
export function crc32Range(buf: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
