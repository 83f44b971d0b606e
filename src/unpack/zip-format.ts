/**
 * Byte-level parsing of zip structures: end of central directory (with
 * zip64), central directory records and local file headers.
 *
 * Format: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 * (sections 4.3.6 to 4.3.16, 4.5.3 for zip64 extra fields).
 *
 * Every function here is pure over buffers and throws UnpackError with a
 * one-line message; the I/O lives in zip.ts.
 */
import { UnpackError, type UnpackErrorCode } from '../errors.js';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_SIZE = 56;
export const CENTRAL_SIZE = 46;
export const LOCAL_SIZE = 30;
/** The longest an EOCD record can be: fixed part plus a 65535-byte comment. */
export const EOCD_SEARCH = EOCD_SIZE + 0xffff;

/** Internal file attributes bit 2: "control field records precede logical records". */
const INTERNAL_RECORDS = 0x0004;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DESCRIPTOR = 0x0008;
/** "Compressed patched data": Python skips such an entry, the other readers extract it. */
export const FLAG_PATCHED = 0x0020;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
/** Central directory encryption: the local headers' values are masked (APPNOTE 4.4.4 bit 13). */
export const FLAG_CD_ENCRYPTED = 0x2000;
export const SIG_DESCRIPTOR = 0x08074b50;
/** Compression method 99 marks WinZip AES encryption (APPNOTE 4.4.5). */
export const METHOD_AES = 99;

/** Build the one-line error the whole module throws: `<archive>: <what> (<entries>)`. */
export function zipError(
  code: UnpackErrorCode,
  archive: string,
  what: string,
  entries: readonly string[] = []
): UnpackError {
  const shown = entries.slice(0, 5).map((e) => JSON.stringify(e));
  if (entries.length > 5) shown.push(`and ${entries.length - 5} more`);
  const tail = shown.length > 0 ? ` (${shown.join(', ')})` : '';
  // Names come from the archive: no raw control character (C0, DEL, C1) reaches a terminal.
  const message = `${archive}: ${what}${tail}`.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
  return new UnpackError({ code, message });
}

/** Where the central directory is, as the end records declare it. */
export interface EndRecord {
  /** Offset of the EOCD record in the file. */
  eocdOffset: number;
  /** Where the central directory should end: the zip64 EOCD record if any, else the EOCD record. */
  cdEnd: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  zip64: boolean;
}

/**
 * Every offset in `tail` where an EOCD signature sits whose comment length
 * reaches exactly to the end, last first. More than one means a record hides
 * in another's comment: readers that scan differently would see different archives.
 */
export function eocdCandidates(tail: Buffer): number[] {
  const out: number[] = [];
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    if (i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) out.push(i);
  }
  return out;
}

/** True when an EOCD signature appears in `tail` at all (used to explain trailing bytes). */
export function hasEocdSignature(tail: Buffer): boolean {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--)
    if (tail.readUInt32LE(i) === SIG_EOCD) return true;
  return false;
}

/** Parse the EOCD record at `eocd` (an offset in `tail`, which starts at file offset `tailStart`). */
export function parseEocd(
  archive: string,
  tail: Buffer,
  eocd: number,
  tailStart: number
): EndRecord & { needsZip64: boolean; singleDisk: boolean } {
  const disk = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  const onDisk = tail.readUInt16LE(eocd + 8);
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  const needsZip64 =
    entries === 0xffff || onDisk === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  const singleDisk = disk === 0 && cdDisk === 0 && onDisk === entries;
  if (!needsZip64 && !singleDisk)
    throw zipError('CORRUPT_ARCHIVE', archive, 'multi-disk (spanned) archives are not supported');
  const eocdOffset = tailStart + eocd;
  return {
    eocdOffset,
    cdEnd: eocdOffset,
    entries,
    cdSize,
    cdOffset,
    zip64: false,
    needsZip64,
    singleDisk,
  };
}

/** Read a little-endian uint64 that must fit a JS number. */
function u64(archive: string, b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER))
    throw zipError('CORRUPT_ARCHIVE', archive, `impossible 64-bit size or offset ${v}`);
  return Number(v);
}

/** Parse the zip64 end-of-central-directory locator; returns the offset of the zip64 EOCD record. */
export function parseZip64Locator(archive: string, b: Buffer): number | undefined {
  if (b.length < ZIP64_LOCATOR_SIZE || b.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) return undefined;
  if (b.readUInt32LE(4) !== 0 || b.readUInt32LE(16) !== 1)
    throw zipError(
      'CORRUPT_ARCHIVE',
      archive,
      'multi-disk (spanned) zip64 archives are not supported'
    );
  return u64(archive, b, 8);
}

/**
 * Parse a zip64 EOCD record (its fixed 56-byte part) found at file offset
 * `at`, whose locator sits at `locatorAt`, and check it against the classic
 * record. Go's archive/zip reads the zip64 record only when a classic field
 * is saturated (0xFFFF / 0xFFFFFFFF), Python's zipfile whenever a locator is
 * present and only 56 bytes before it: a zip64 record that says something
 * else than the classic one, or that carries extensible data, gives two
 * readers two different central directories (ZIP64_END_MISMATCH).
 */
export function parseZip64Eocd(
  archive: string,
  b: Buffer,
  at: number,
  locatorAt: number,
  classic: EndRecord
): EndRecord {
  if (b.length < ZIP64_EOCD_SIZE || b.readUInt32LE(0) !== SIG_ZIP64_EOCD)
    throw zipError('CORRUPT_ARCHIVE', archive, 'bad zip64 end of central directory signature');
  const recordSize = b.readBigUInt64LE(4);
  if (recordSize !== BigInt(ZIP64_EOCD_SIZE - 12) || at + ZIP64_EOCD_SIZE !== locatorAt)
    throw zipError(
      'ZIP64_END_MISMATCH',
      archive,
      'the zip64 end record does not end where its locator begins (extensible data, or bytes between them)'
    );
  const disk = b.readUInt32LE(16);
  const cdDisk = b.readUInt32LE(20);
  const onDisk = u64(archive, b, 24);
  const entries = u64(archive, b, 32);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== entries)
    throw zipError('CORRUPT_ARCHIVE', archive, 'multi-disk (spanned) archives are not supported');
  const end: EndRecord = {
    eocdOffset: classic.eocdOffset,
    cdEnd: at,
    entries,
    cdSize: u64(archive, b, 40),
    cdOffset: u64(archive, b, 48),
    zip64: true,
  };
  const differs: string[] = [];
  if (classic.entries !== 0xffff && classic.entries !== end.entries) differs.push('entry count');
  if (classic.cdSize !== 0xffffffff && classic.cdSize !== end.cdSize)
    differs.push('central directory size');
  if (classic.cdOffset !== 0xffffffff && classic.cdOffset !== end.cdOffset)
    differs.push('central directory offset');
  if (differs.length > 0)
    throw zipError(
      'ZIP64_END_MISMATCH',
      archive,
      `the zip64 end record and the classic one disagree on the ${differs.join(', ')}`
    );
  return end;
}

/**
 * The central directory as columns, one slot per record in directory order, zip64 values
 * applied: no object per record (150,000 of them were a good part of the open's garbage), and
 * names and extra fields stay where they are in `cd`.
 */
export class CentralDirectory {
  readonly versionMadeBy: Uint16Array;
  /** "Version needed to extract": its low byte the version, its high byte a host (VMS: 2). */
  readonly versionNeeded: Uint16Array;
  readonly flags: Uint16Array;
  readonly method: Uint16Array;
  readonly crc: Uint32Array;
  /** Float64: zip64 sizes and offsets pass 2^32. */
  readonly compressedSize: Float64Array;
  readonly size: Float64Array;
  readonly externalAttr: Uint32Array;
  readonly localOffset: Float64Array;
  /**
   * Record `i`'s name bytes are `cd[nameStart[i], nameStart[i] + nameLength[i])`, its extra field
   * right after. Float64: from Node 22 a directory may pass 4 GiB, and a position cut to 32 bits
   * would compare a local name, and check a Unicode Path field, against an earlier record's bytes.
   */
  readonly nameStart: Float64Array;
  readonly nameLength: Uint16Array;
  readonly extraLength: Uint16Array;
  /** Names decoded: UTF-8 when flag bit 11 is set, else ASCII (see decodeName). */
  readonly names: string[] = [];

  constructor(
    readonly cd: Buffer,
    /** Records declared (parsing refuses the directory unless it holds exactly these). */
    readonly count: number
  ) {
    // Room for no more records than `cd` can hold: the declared count is the attacker's
    // (--max-entries may be raised far), and parsing stops at the first one that does not fit.
    const room = Math.min(count, Math.floor(cd.length / CENTRAL_SIZE));
    this.versionMadeBy = new Uint16Array(room);
    this.versionNeeded = new Uint16Array(room);
    this.flags = new Uint16Array(room);
    this.method = new Uint16Array(room);
    this.crc = new Uint32Array(room);
    this.compressedSize = new Float64Array(room);
    this.size = new Float64Array(room);
    this.externalAttr = new Uint32Array(room);
    this.localOffset = new Float64Array(room);
    this.nameStart = new Float64Array(room);
    this.nameLength = new Uint16Array(room);
    this.extraLength = new Uint16Array(room);
  }

  /** Record `i`'s name bytes as stored (a view: only the rare check that needs them asks). */
  nameBytes(i: number): Buffer {
    return this.cd.subarray(this.nameStart[i], this.nameStart[i]! + this.nameLength[i]!);
  }

  /** Where record `i`'s extra field starts in `cd` (right after its name). */
  extraStart(i: number): number {
    return this.nameStart[i]! + this.nameLength[i]!;
  }

  /** True when `b[start, end)` holds exactly record `i`'s stored name bytes. */
  nameIs(i: number, b: Buffer, start: number, end: number): boolean {
    const cd = this.cd;
    const from = this.nameStart[i]!;
    if (end - start !== this.nameLength[i]) return false;
    for (let k = 0; k < end - start; k++) if (b[start + k] !== cd[from + k]) return false;
    return true;
  }
}

/**
 * Where the data of the extra field whose header is at `buf[at]` ends (a header's fields run to
 * `end`), or -1 when fewer than four bytes are left there (every reader ignores such a tail).
 * Walking a header's fields with it makes no view and no array per field: most entries of a
 * layer built by Info-ZIP zip carry two fields in each of their two headers.
 */
export function extraFieldEnd(
  archive: string,
  buf: Buffer,
  at: number,
  end: number,
  name: string
): number {
  if (at + 4 > end) return -1;
  const dataEnd = at + 4 + buf.readUInt16LE(at + 2);
  if (dataEnd > end)
    throw zipError('CORRUPT_ARCHIVE', archive, 'extra field runs past its header', [name]);
  return dataEnd;
}

/**
 * Parse every central directory record in `cd` (exactly `count` of them,
 * filling exactly the declared size: leftover bytes would be records some
 * readers see and others do not).
 */
export function parseCentralDirectory(
  archive: string,
  cd: Buffer,
  count: number
): CentralDirectory {
  const out = new CentralDirectory(cd, count);
  let p = 0;
  for (let index = 0; index < count; index++) {
    if (p + CENTRAL_SIZE > cd.length)
      throw zipError(
        'CORRUPT_ARCHIVE',
        archive,
        `central directory ends after ${index} of ${count} declared entries`
      );
    if (cd.readUInt32LE(p) !== SIG_CENTRAL)
      throw zipError(
        'CORRUPT_ARCHIVE',
        archive,
        `bad central directory signature at record ${index}`
      );
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const end = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (end > cd.length)
      throw zipError(
        'CORRUPT_ARCHIVE',
        archive,
        `central directory record ${index} runs past its end`
      );
    const flags = cd.readUInt16LE(p + 8);
    const nameStart = p + CENTRAL_SIZE;
    const nameEnd = nameStart + nameLen;
    const name = decodeName(archive, cd, nameStart, nameEnd, flags, cd.readUInt8(p + 5));
    let size = cd.readUInt32LE(p + 24);
    let compressedSize = cd.readUInt32LE(p + 20);
    let localOffset = cd.readUInt32LE(p + 42);
    const diskStart = cd.readUInt16LE(p + 34);
    for (
      let f = nameEnd, e: number;
      (e = extraFieldEnd(archive, cd, f, nameEnd + extraLen, name)) >= 0;
      f = e
    ) {
      if (cd.readUInt16LE(f) !== 0x0001) continue;
      const data = cd.subarray(f + 4, e);
      // Zip64 extended information: only the fields saturated in the record are present, in order.
      let q = 0;
      const need = (what: string): number => {
        if (q + 8 > data.length)
          throw zipError('CORRUPT_ARCHIVE', archive, `zip64 extra field lacks the ${what}`, [name]);
        const v = u64(archive, data, q);
        q += 8;
        return v;
      };
      if (size === 0xffffffff) size = need('uncompressed size');
      if (compressedSize === 0xffffffff) compressedSize = need('compressed size');
      if (localOffset === 0xffffffff) localOffset = need('local header offset');
    }
    if (diskStart !== 0 && diskStart !== 0xffff)
      throw zipError('CORRUPT_ARCHIVE', archive, 'entry on another disk', [name]);
    // Bit 2 says record control fields precede the data (mainframe formats): unzip 6.0 then
    // extracts an entry with a symlink mode as a regular file. No writer on Unix sets it.
    if (cd.readUInt16LE(p + 36) & INTERNAL_RECORDS)
      throw zipError(
        'AMBIGUOUS_ENTRY_KIND',
        archive,
        'internal attributes say record control fields precede the data (unzip extracts a symlink so marked as a file)',
        [name]
      );
    out.versionMadeBy[index] = cd.readUInt16LE(p + 4);
    out.versionNeeded[index] = cd.readUInt16LE(p + 6);
    out.flags[index] = flags;
    out.method[index] = cd.readUInt16LE(p + 10);
    out.crc[index] = cd.readUInt32LE(p + 16);
    out.compressedSize[index] = compressedSize;
    out.size[index] = size;
    out.externalAttr[index] = cd.readUInt32LE(p + 38);
    out.localOffset[index] = localOffset;
    out.nameStart[index] = nameStart;
    out.nameLength[index] = nameLen;
    out.extraLength[index] = extraLen;
    out.names.push(name);
    p = end;
  }
  if (p !== cd.length)
    throw zipError(
      'CORRUPT_ARCHIVE',
      archive,
      `central directory holds ${cd.length - p} bytes beyond its ${count} declared entries`
    );
  return out;
}

/**
 * The fields of a local file header that must agree with the central record.
 * The name and extra field are where they lie in the buffer parsed (no view per entry).
 */
export interface LocalHeader {
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** The name bytes are `b[nameStart, nameEnd)` of the buffer parsed. */
  nameStart: number;
  nameEnd: number;
  /** The extra field bytes are `b[nameEnd, extraEnd)`. */
  extraEnd: number;
  /** With flag bit 3: the local extra field holds a zip64 field (8-byte descriptor sizes to libarchive). */
  zip64: boolean;
  /** Length of the whole header (fixed part, name, extra): the data starts here. */
  headerLength: number;
}

/** A local header to fill: a walk over every entry refills one (see {@link parseLocalHeader}). */
export function emptyLocalHeader(): LocalHeader {
  return {
    flags: 0,
    method: 0,
    crc: 0,
    compressedSize: 0,
    size: 0,
    nameStart: 0,
    nameEnd: 0,
    extraEnd: 0,
    zip64: false,
    headerLength: 0,
  };
}

/** Length of the local header starting at `b[0]`, or -1 when `b` is too short to tell. */
export function localHeaderLength(b: Buffer, at: number): number {
  if (at + LOCAL_SIZE > b.length) return -1;
  return LOCAL_SIZE + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
}

/**
 * Parse the local header at `b[at]` into `out` (overwriting every field) and return it; the
 * caller ensures the whole header is in `b`.
 */
export function parseLocalHeader(
  archive: string,
  b: Buffer,
  at: number,
  name: string,
  out: LocalHeader = emptyLocalHeader()
): LocalHeader {
  if (b.readUInt32LE(at) !== SIG_LOCAL)
    throw zipError('CORRUPT_ARCHIVE', archive, 'bad local header signature', [name]);
  const nameLen = b.readUInt16LE(at + 26);
  const extraLen = b.readUInt16LE(at + 28);
  let size = b.readUInt32LE(at + 22);
  let compressedSize = b.readUInt32LE(at + 18);
  const nameEnd = at + LOCAL_SIZE + nameLen;
  const extraEnd = nameEnd + extraLen;
  const flags = b.readUInt16LE(at + 6);
  const sizesInZip64 = size === 0xffffffff || compressedSize === 0xffffffff;
  // Read for the sizes, or for how a data descriptor spells them.
  const read = sizesInZip64 || (flags & FLAG_DESCRIPTOR) !== 0;
  let zip64 = false;
  for (
    let f = nameEnd, e: number;
    read && (e = extraFieldEnd(archive, b, f, extraEnd, name)) >= 0;
    f = e
  ) {
    if (b.readUInt16LE(f) !== 0x0001) continue;
    zip64 = true;
    // In a local header the zip64 field always holds both sizes (APPNOTE 4.5.3).
    if (sizesInZip64 && e - f - 4 >= 16) {
      size = u64(archive, b, f + 4);
      compressedSize = u64(archive, b, f + 12);
    }
  }
  out.flags = flags;
  out.method = b.readUInt16LE(at + 8);
  out.crc = b.readUInt32LE(at + 14);
  out.compressedSize = compressedSize;
  out.size = size;
  out.nameStart = at + LOCAL_SIZE;
  out.nameEnd = nameEnd;
  out.extraEnd = extraEnd;
  out.zip64 = zip64;
  out.headerLength = LOCAL_SIZE + nameLen + extraLen;
  return out;
}

// ignoreBOM keeps a leading U+FEFF: the decoder would drop it, and every reader keeps the bytes
// (a link to "\uFEFFx" is not a link to "x").
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode strict UTF-8; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(b: Buffer): string | undefined {
  try {
    return utf8Decoder.decode(b);
  } catch {
    return undefined;
  }
}

/** "Made by" hosts whose names Info-ZIP unzip converts from CP437, even with flag bit 11 set. */
const OEM_HOSTS = new Set([0 /* FAT */, 6 /* HPFS */, 11 /* NTFS */]);

/**
 * Decode an entry name. Readers agree on ASCII; beyond it they do only for
 * a name flagged UTF-8 (bit 11) from a host Info-ZIP unzip does not convert
 * from CP437. Otherwise Python's zipfile decodes CP437, unzip converts
 * CP437 for FAT, HPFS and NTFS hosts (even when flagged), and Go, Java and
 * libarchive take the bytes as they are, so the same entry lands at
 * different paths (AMBIGUOUS_NAME_ENCODING). The name is `buf[start, end)`.
 */
export function decodeName(
  archive: string,
  buf: Buffer,
  start: number,
  end: number,
  flags: number,
  host: number
): string {
  const shown = buf.toString('latin1', start, end);
  let ascii = true;
  for (let i = start; i < end && ascii; i++) ascii = buf[i]! < 0x80;
  if (ascii) return shown;
  const b = buf.subarray(start, end);
  const refuse = (why: string): never => {
    throw zipError('AMBIGUOUS_NAME_ENCODING', archive, why, [shown]);
  };
  if (!(flags & FLAG_UTF8))
    refuse(
      'non-ASCII entry name without the UTF-8 flag (readers decode it as CP437 or as raw bytes)'
    );
  const name = decodeUtf8(b) ?? refuse('entry name flagged UTF-8 is not valid UTF-8');
  if (OEM_HOSTS.has(host))
    refuse(`non-ASCII entry name from a DOS/Windows host (${host}): unzip decodes it as CP437`);
  return name;
}
