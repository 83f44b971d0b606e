/** Header fields of the local file header that may be made to disagree with the central record. */
export interface LocalOverrides {
  name?: string;
  /** Raw name bytes for the local header. */
  rawName?: Buffer;
  method?: number;
  flags?: number;
  crc?: number;
  compressedSize?: number;
  size?: number;
  /** Raw extra field bytes for the local header. */
  extra?: Buffer;
}

/** One archive entry. Without overrides the archive is a well-formed zip. */
export interface ZipEntry {
  /** Entry name as stored; a trailing '/' makes a directory. */
  name: string;
  data?: Buffer | string;
  /** Unix permission bits (default 0o644 files, 0o755 dirs, 0o777 symlinks). */
  mode?: number;
  /** Make the entry a symlink to this target. */
  symlink?: string;
  dir?: boolean;
  /** Default: deflate when there is data, store otherwise; a number writes that method code. */
  method?: 'store' | 'deflate' | number;
  /** Bytes written as the entry's data instead of compressing `data`. */
  compressed?: Buffer;
  /** Raw name bytes (for CP437 or invalid UTF-8 names). */
  rawName?: Buffer;
  /** Set the UTF-8 flag (bit 11); default: when the name is not ASCII. */
  utf8?: boolean;
  /** Set the encryption flag (bit 0). */
  encrypted?: boolean;
  /** Use a data descriptor (bit 3). */
  dataDescriptor?: boolean;
  /** Replace the general-purpose flags in both headers. */
  flags?: number;
  /** Declared values in the central record (and local header unless overridden there). */
  crc?: number;
  compressedSize?: number;
  size?: number;
  versionMadeBy?: number;
  /** The central record's "version needed to extract" (default 20); the local header keeps 20. */
  versionNeeded?: number;
  externalAttr?: number;
  /** Lie in the local header. */
  local?: LocalOverrides;
  /** Write no local header: point the central record at entry `offsetOf`'s local header. */
  offsetOf?: number;
  /** Add this to the local header offset recorded in the central record. */
  offsetDelta?: number;
  /** Raw extra field bytes for the central record. */
  extra?: Buffer;
  /** Override what the data descriptor says (with dataDescriptor or flag bit 3). */
  descriptor?: DescriptorOverrides;
  /** Bytes written after this entry (and its descriptor), listed by no central record. */
  gapAfter?: Buffer;
}

/** Fields of a data descriptor. */
export interface DescriptorOverrides {
  /** Write the optional 0x08074b50 signature (default true). */
  signature?: boolean;
  crc?: number;
  compressedSize?: number;
  size?: number;
  /** 8-byte sizes (zip64). */
  zip64?: boolean;
}

/** Values of a zip64 end of central directory record (and its locator) written before the end record. */
export interface Zip64EndOverrides {
  entries?: number;
  cdSize?: number;
  cdOffset?: number;
  /** Extensible data after the fixed part. */
  extensible?: Buffer;
  /** Where the locator says the zip64 record is. */
  recordOffset?: number;
}

/** Overrides for the end of central directory record. */
export interface EndOverrides {
  disk?: number;
  cdDisk?: number;
  entriesOnDisk?: number;
  entries?: number;
  cdSize?: number;
  cdOffset?: number;
}

export interface ZipOptions {
  /** Bytes before the first local header (e.g. a self-extractor stub). */
  prefix?: Buffer;
  /** Whether offsets count the prefix (default true). */
  shiftOffsets?: boolean;
  /** Archive comment (latin1). */
  comment?: string;
  end?: EndOverrides;
  /** Write a zip64 end record and locator (values default to the real ones). */
  zip64End?: Zip64EndOverrides;
  /** Leave out the end of central directory record. */
  omitEnd?: boolean;
  /** Keep only the first `truncate` bytes. */
  truncate?: number;
}

/** An Info-ZIP Unicode Path extra field (0x7075) giving `name` for the stored bytes `forName`. */
export function unicodePathExtra(name: string, forName: Buffer): Buffer;

/** Build a zip archive in memory. */
export function writeZip(entries: ZipEntry[], options?: ZipOptions): Buffer;

/** An entry for writeZipFile: stored, its data given whole or as chunks. */
export interface StreamEntry {
  name: string;
  data?: Buffer | string;
  chunks?: Iterable<Buffer>;
  mode?: number;
}

/** Write a stored zip to `path`, streaming entry data (for very large archives). */
export function writeZipFile(path: string, entries: StreamEntry[]): Promise<void>;

/** Zip a directory deterministically (sorted, fixed timestamps, symlinks kept as links). */
export function zipDirectory(dir: string): Buffer;

/** The entries zipDirectory writes for a directory (sorted, symlinks kept), to extend first. */
export function directoryEntries(dir: string): ZipEntry[];
