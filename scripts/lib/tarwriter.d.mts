/** Raw header fields, written as given (for hostile archives). */
export interface HeaderFields {
  name?: string | Buffer;
  linkname?: string | Buffer;
  prefix?: string | Buffer;
  typeflag?: string;
  mode?: number;
  size?: number;
  /** Raw 12-byte (size, mtime) or 8-byte (mode, uid, gid) field bytes. */
  sizeField?: Buffer;
  modeField?: Buffer;
  uidField?: Buffer;
  gidField?: Buffer;
  mtimeField?: Buffer;
  /** Magic and version (8 bytes at 257): default POSIX `ustar\0` `00`. */
  magic?: string;
  uname?: string;
  gname?: string;
  /** Write this checksum instead of the right one. */
  checksum?: number;
  /** Bytes written at offsets after everything else (before the checksum). */
  raw?: [number, Buffer | number[]][];
}

/** One archive entry. Without overrides the archive is well formed. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  data?: Buffer | string;
  mode?: number;
  linkname?: string;
  /** Declared size (default: the data length for files, 0 otherwise). */
  size?: number;
  /** Typeflag character written instead of the type's. */
  typeflag?: string;
  /** PAX records for this entry (path/linkpath are added when needed). */
  pax?: [string, string | Buffer][];
  /** The name stored in the ustar header (default: the name, or Go's fallback when a PAX path is written). */
  ustarName?: string | Buffer;
  ustarLinkname?: string | Buffer;
  /** Never add PAX records for long or non-ASCII names. */
  noPax?: boolean;
  /** Write a GNU `L` (long name) / `K` (long link) header before the entry. */
  gnuLongName?: string;
  gnuLongLink?: string;
  /** Extra raw header fields. */
  header?: HeaderFields;
  /** Write these bytes as they are instead of an entry. */
  rawBlocks?: Buffer;
}

export interface TarOptions {
  /** Write the end-of-archive blocks (default true). */
  end?: boolean;
  /** How many zero blocks end the archive (default 2). */
  endBlocks?: number;
  /** Bytes written after the end blocks. */
  trailer?: Buffer;
}

export function headerBlock(h: HeaderFields): Buffer;
export function paxRecords(records: [string, string | Buffer][]): Buffer;
export function writeTar(entries: TarEntry[], opts?: TarOptions): Buffer;
