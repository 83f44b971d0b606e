/**
 * rpm header blobs as the rpm database stores them (no lead, no magic):
 * `il` (index entries) and `dl` (data bytes), both big-endian uint32, then
 * `il` 16-byte entries (tag, type, offset, count) and the data store.
 * https://rpm-software-management.github.io/rpm/manual/format_header.html
 * Every offset and count is checked against the blob; nothing is trusted.
 */

/** rpm's own bounds (lib/header.c HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;

const TYPE = { INT16: 3, INT32: 4, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  URL: 1020,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  FILEDIGESTS: 1035,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  FILEDIGESTALGO: 5011,
} as const;

/** %config files change by design; %ghost files are not shipped (rpmfiles.h). */
export const RPMFILE_CONFIG = 1 << 0;
export const RPMFILE_GHOST = 1 << 6;

/** PGP hash algorithm ids rpm uses for FILEDIGESTALGO (RFC 4880 9.4), as node:crypto names. */
export const DIGEST_ALGO: Record<number, string> = {
  1: 'md5',
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

interface Entry {
  type: number;
  offset: number;
  count: number;
}

/** A parsed header: typed accessors over the entries, each bounds-checked. */
export class RpmHeader {
  readonly #blob: Buffer;
  readonly #store: number;
  readonly #dl: number;
  readonly #entries = new Map<number, Entry>();

  /** @throws Error when the blob is not a well-formed header */
  constructor(blob: Buffer) {
    if (blob.length < 8) throw new Error('rpm header shorter than 8 bytes');
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_TAGS || dl > MAX_DATA) throw new Error('rpm header counts out of range');
    const store = 8 + il * 16;
    if (store + dl > blob.length) throw new Error('rpm header runs past its blob');
    this.#blob = blob;
    this.#store = store;
    this.#dl = dl;
    for (let i = 0; i < il; i++) {
      const o = 8 + i * 16;
      const tag = blob.readUInt32BE(o);
      const type = blob.readUInt32BE(o + 4);
      const offset = blob.readInt32BE(o + 8);
      const count = blob.readUInt32BE(o + 12);
      if (offset < 0 || offset > dl || count > dl + 1) continue;
      if (!this.#entries.has(tag)) this.#entries.set(tag, { type, offset, count });
    }
  }

  has(tag: number): boolean {
    return this.#entries.has(tag);
  }

  /** Strings of a STRING, I18NSTRING or STRING_ARRAY tag (the first translation of I18N). */
  strings(tag: number): string[] {
    const e = this.#entries.get(tag);
    if (!e) return [];
    if (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING)
      throw new Error(`rpm tag ${tag} is not a string`);
    const n = e.type === TYPE.STRING ? 1 : e.count;
    const out: string[] = [];
    let p = this.#store + e.offset;
    const end = this.#store + this.#dl;
    for (let i = 0; i < n; i++) {
      const nul = this.#blob.indexOf(0, p);
      if (nul < 0 || nul >= end) throw new Error(`rpm tag ${tag}: unterminated string`);
      out.push(this.#blob.toString('utf8', p, nul));
      p = nul + 1;
    }
    return out;
  }

  string(tag: number): string | undefined {
    return this.strings(tag)[0];
  }

  /** Values of an INT16 or INT32 tag. */
  ints(tag: number): number[] {
    const e = this.#entries.get(tag);
    if (!e) return [];
    const width = e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT16 ? 2 : 0;
    if (width === 0) throw new Error(`rpm tag ${tag} is not an integer`);
    const start = this.#store + e.offset;
    if (e.offset + e.count * width > this.#dl) throw new Error(`rpm tag ${tag} runs past the data`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++)
      out.push(
        width === 4
          ? this.#blob.readUInt32BE(start + i * 4)
          : this.#blob.readUInt16BE(start + i * 2)
      );
    return out;
  }

  int(tag: number): number | undefined {
    return this.ints(tag)[0];
  }

  /**
   * Installed file paths (absolute): BASENAMES joined to DIRNAMES by
   * DIRINDEXES, or OLDFILENAMES in headers from before rpm 4.
   */
  files(): string[] {
    if (!this.has(TAG.BASENAMES)) return this.strings(TAG.OLDFILENAMES);
    const base = this.strings(TAG.BASENAMES);
    const dirs = this.strings(TAG.DIRNAMES);
    const idx = this.ints(TAG.DIRINDEXES);
    if (idx.length !== base.length)
      throw new Error('rpm file list: DIRINDEXES and BASENAMES differ in length');
    return base.map((b, i) => {
      const d = dirs[idx[i] ?? -1];
      if (d === undefined) throw new Error('rpm file list: directory index out of range');
      return `${d}${b}`;
    });
  }
}
