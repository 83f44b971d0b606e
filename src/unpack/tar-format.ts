/**
 * Tar header fields, parsed strictly. Where GNU tar, Go's archive/tar,
 * Python's tarfile and tar-stream read the same bytes differently, the
 * parser refuses instead of picking one reading (each rule says which
 * readers disagree). Formats: POSIX ustar and pax (IEEE Std 1003.1-2017,
 * "pax"), GNU (https://www.gnu.org/software/tar/manual/html_node/Standard.html).
 */
import { UnpackError, type UnpackErrorCode } from '../errors.js';

/** Every tar header and data record is padded to this size. */
export const BLOCK = 512;

/** Field offsets of the ustar header block. */
const F = {
  name: [0, 100],
  mode: [100, 108],
  uid: [108, 116],
  gid: [116, 124],
  size: [124, 136],
  mtime: [136, 148],
  chksum: [148, 156],
  typeflag: [156, 157],
  linkname: [157, 257],
  magic: [257, 263],
  version: [263, 265],
  devmajor: [329, 337],
  devminor: [337, 345],
  prefix: [345, 500],
} as const;

export const NAME_FIELD = 100;

/** Largest size an octal size field holds (11 digits); larger sizes need base-256 or a PAX `size`. */
export const MAX_OCTAL_SIZE = 0o77777777777;

/** Header formats told apart by the magic field. */
export type TarFormat = 'ustar' | 'gnu' | 'v7';

/** What a header block says, before extended headers are applied. */
export interface RawHeader {
  /** Bytes of the name field up to its first NUL (the ustar prefix is not applied). */
  nameField: Buffer;
  /** Bytes of the ustar prefix field up to its first NUL (empty for GNU and v7). */
  prefixField: Buffer;
  linkField: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  format: TarFormat;
}

export function tarError(
  code: UnpackErrorCode,
  archive: string,
  what: string,
  at?: number,
  names: readonly string[] = []
): UnpackError {
  const shown = names.slice(0, 3).map((n) => JSON.stringify(n));
  const where = at !== undefined ? ` at offset ${at}` : '';
  const tail = shown.length > 0 ? ` (${shown.join(', ')})` : '';
  return new UnpackError({ code, message: `${archive}: ${what}${where}${tail}` });
}

/** Bytes up to the first NUL (the whole field when it has none). */
function cString(block: Buffer, [from, to]: readonly [number, number]): Buffer {
  const field = block.subarray(from, to);
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

/**
 * A numeric field: octal text, or base-256 when the first byte has its high
 * bit set. Accepted octal text is `spaces? digits (spaces|NULs)*`: Python cuts
 * the field at its first NUL and Go trims NULs at both ends, so a NUL before
 * or between digits gives them different numbers.
 * @returns the value, or undefined when the field is malformed.
 */
export function parseNumeric(field: Buffer): number | undefined {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) return undefined; // negative
    let v = first & 0x7f;
    for (let i = 1; i < field.length; i++) {
      v = v * 256 + (field[i] ?? 0);
      if (v > Number.MAX_SAFE_INTEGER) return undefined;
    }
    return v;
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const c = field[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < field.length; i++) {
    const c = field[i];
    if (c !== 0x20 && c !== 0) return undefined;
  }
  if (digits === 0 && field.some((c) => c !== 0 && c !== 0x20)) return undefined;
  return v;
}

function numeric(archive: string, block: Buffer, name: keyof typeof F, at: number): number {
  const [from, to] = F[name];
  const v = parseNumeric(block.subarray(from, to));
  if (v === undefined)
    throw tarError(
      'AMBIGUOUS_HEADER',
      archive,
      `malformed ${name} field (readers parse it differently)`,
      at
    );
  return v;
}

/** True for a block of 512 zero bytes (an end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) {
    if (block.readBigUInt64LE(i) !== 0n) return false;
  }
  return true;
}

/** The unsigned header checksum: every byte summed, the checksum field counted as spaces. */
export function headerChecksum(block: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i] ?? 0;
  return sum;
}

/**
 * Parse one header block (not all zeros).
 * @param at offset of the block in the archive, for messages
 * @throws UnpackError BAD_CHECKSUM, NOT_A_TAR (first block), AMBIGUOUS_HEADER
 */
export function parseHeaderBlock(archive: string, block: Buffer, at: number): RawHeader {
  const stored = parseNumeric(block.subarray(...F.chksum));
  // Only the unsigned sum: the signed variant is a historical Sun bug that
  // tar-stream does not accept.
  if (stored === undefined || stored !== headerChecksum(block)) {
    if (at === 0)
      throw tarError('NOT_A_TAR', archive, 'not a tar archive (first header checksum fails)');
    throw tarError(
      'BAD_CHECKSUM',
      archive,
      'header checksum fails (GNU tar skips ahead, Python stops, Go fails)',
      at
    );
  }
  const magic = block.toString('latin1', ...F.magic);
  const version = block.toString('latin1', ...F.version);
  let format: TarFormat;
  if (magic === 'ustar\0') format = 'ustar';
  else if (magic === 'ustar ' && version === ' \0') format = 'gnu';
  else if (block.subarray(...F.magic).every((b) => b === 0)) format = 'v7';
  else throw tarError('AMBIGUOUS_HEADER', archive, 'unknown header magic', at);
  const prefixField = cString(block, F.prefix);
  if (format !== 'ustar' && prefixField.length > 0)
    // Python's tarfile prepends the prefix field whatever the magic; Go and GNU tar
    // read those bytes as GNU times or ignore them.
    throw tarError(
      'AMBIGUOUS_HEADER',
      archive,
      'a non-ustar header has bytes in the ustar prefix field (Python reads them as a name prefix)',
      at
    );
  if (
    format === 'ustar' &&
    prefixField.length > 130 &&
    block.toString('latin1', 508, 512) === 'tar\0'
  )
    // Go reads this as a star header whose prefix is 131 bytes long.
    throw tarError('AMBIGUOUS_HEADER', archive, 'star trailer with a long ustar prefix', at);
  // Read by no one for a regular file, but Python parses both on every header and stops the
  // archive at a malformed one (as if it ended there), Go fails, GNU tar reads on.
  numeric(archive, block, 'devmajor', at);
  numeric(archive, block, 'devminor', at);
  return {
    nameField: cString(block, F.name),
    prefixField,
    linkField: cString(block, F.linkname),
    mode: numeric(archive, block, 'mode', at),
    uid: numeric(archive, block, 'uid', at),
    gid: numeric(archive, block, 'gid', at),
    size: numeric(archive, block, 'size', at),
    mtime: numeric(archive, block, 'mtime', at),
    typeflag: String.fromCharCode(block[156] ?? 0),
    format,
  };
}

/** The ustar name of a header: `prefix/name` when the prefix field is used. */
export function ustarName(h: RawHeader): Buffer {
  return h.prefixField.length > 0
    ? Buffer.concat([h.prefixField, Buffer.from('/'), h.nameField])
    : h.nameField;
}

/**
 * Parse the records of a PAX extended header (`LEN KEY=VALUE\n`, LEN counting
 * the whole record). A key given twice in one header is refused: readers keep
 * the first or the last.
 */
export function parsePaxRecords(archive: string, data: Buffer, at: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0 && data.subarray(i).every((b) => b === 0)) break; // NUL padding
    const sp = data.indexOf(0x20, i);
    const lenText = sp > i ? data.toString('latin1', i, sp) : '';
    if (!/^[1-9][0-9]{0,8}$/.test(lenText))
      throw tarError('AMBIGUOUS_HEADER', archive, 'malformed PAX record length', at);
    const len = Number(lenText);
    const end = i + len;
    if (end > data.length || data[end - 1] !== 0x0a)
      throw tarError('AMBIGUOUS_HEADER', archive, 'PAX record overruns its header', at);
    const rec = data.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw tarError('AMBIGUOUS_HEADER', archive, 'PAX record without a key', at);
    const key = rec.toString('utf8', 0, eq);
    if (out.has(key))
      throw tarError('AMBIGUOUS_HEADER', archive, `PAX key ${JSON.stringify(key)} given twice`, at);
    out.set(key, rec.subarray(eq + 1));
    i = end;
  }
  return out;
}

// ignoreBOM keeps a leading U+FEFF: the decoder would drop it, and every reader keeps the bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode a name or link name: it must be UTF-8 (Node would map bad bytes to
 * U+FFFD, merging names the file system keeps apart) and free of control
 * characters (which terminals and extractors treat differently).
 */
export function decodeName(archive: string, bytes: Buffer, what: string, at: number): string {
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    throw tarError(
      'BAD_NAME_ENCODING',
      archive,
      `${what} is not valid UTF-8 (${JSON.stringify(bytes.toString('latin1'))})`,
      at
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s))
    throw tarError('CONTROL_CHARACTER', archive, `${what} contains a control character`, at, [s]);
  return s;
}

/** Go's archive/tar PAX fallback: drop non-ASCII characters and NULs. */
function goAscii(s: string): Buffer {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80 && c !== 0) out += ch;
  }
  return Buffer.from(out, 'latin1');
}

/** Python's tarfile PAX fallback: each non-ASCII character becomes `?`. */
function pythonAscii(s: string): Buffer {
  let out = '';
  for (const ch of s) out += (ch.codePointAt(0) ?? 0) < 0x80 ? ch : '?';
  return Buffer.from(out, 'latin1');
}

/** Go's formatString: cut at the field size, never leaving a trailing slash when it cut. */
function goCut(b: Buffer, size: number): Buffer {
  if (b.length <= size) return b;
  const cut = b.subarray(0, size);
  if (cut[size - 1] !== 0x2f) return cut;
  let n = size - 1;
  while (n > 0 && cut[n - 1] === 0x2f) n--;
  return cut.subarray(0, n);
}

function stripSlashes(b: Buffer): Buffer {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0x2f) n--;
  return b.subarray(0, n);
}

/**
 * Does the name in the header block agree with the long name (PAX `path` or
 * `linkpath`, GNU `L`/`K`) that overrides it? Accepted: the same bytes, or
 * what writers store when the long name does not fit: the name cut at the
 * field size (GNU tar, Go's GNU writer), Go's ASCII-only cut, Python's `?`-for
 * non-ASCII cut. A reader that ignores the extended header then sees a
 * shortened name, never a different file.
 * @param field the ustar name as stored (prefix applied for names; bare field for links)
 * @param bareField the name field alone, or undefined when a prefix is used
 *   (fallback writers never split a name they cut)
 */
export function fallbackAgrees(
  long: string,
  field: Buffer,
  bareField: Buffer | undefined,
  size: number,
  isDir: boolean
): boolean {
  const longBytes = Buffer.from(long, 'utf8');
  const same = (a: Buffer, b: Buffer): boolean =>
    a.equals(b) || (isDir && stripSlashes(a).equals(stripSlashes(b)));
  if (same(field, longBytes)) return true;
  if (bareField === undefined) return false;
  const candidates = [
    longBytes.subarray(0, size),
    goCut(longBytes, size),
    goCut(goAscii(long), size),
    pythonAscii(long).subarray(0, size),
  ];
  return candidates.some((c) => same(bareField, c));
}
