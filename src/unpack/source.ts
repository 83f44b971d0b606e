import type { Readable } from 'node:stream';
import type { Finding } from '../model/finding.js';

/**
 * What an entry is. `special` (devices and FIFOs, in container images) is
 * listed but never read.
 */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'special';

/** One entry of a layer, as the archive's central directory (or the file system) describes it. */
export interface FileEntry {
  /** Layer-relative path: '/'-separated, no leading '/', no trailing '/' (even for directories). */
  path: string;
  kind: EntryKind;
  /** Uncompressed size in bytes (declared by the archive; reads never return more). */
  size: number;
  /** Compressed size in bytes (equal to size for directories and plain files on disk). */
  compressedSize: number;
  /** Unix permission bits (e.g. 0o755), 0 when the archive does not record them. */
  mode: number;
  /** For symlinks: the link target as stored. */
  linkTarget?: string;
}

/**
 * A read-only view of a layer's files. Implementations never extract to disk
 * and never follow a symlink out of the layer; every read is bounded.
 */
export interface FileSource {
  /** Human name of the input (file name, directory, ARN). */
  readonly name: string;
  /** sha256 (hex) of the archive bytes, or of a stable tree listing for a directory. */
  readonly digest: string;
  /** Size of the archive in bytes (sum of file sizes for a directory). */
  readonly size: number;
  /** Every entry, sorted by path (byte order of the UTF-8 path). */
  entries(): readonly FileEntry[];
  /** Look up one entry by layer-relative path. */
  get(path: string): FileEntry | undefined;
  /**
   * Read a whole regular file into memory.
   * @throws UnpackError `ENTRY_TOO_LARGE` when the entry is larger than `maxBytes`.
   */
  read(path: string, maxBytes?: number): Promise<Buffer>;
  /** Read at most the first `n` bytes of a regular file (cheap: stops decompressing early). */
  head(path: string, n: number): Promise<Buffer>;
  /** Stream a whole regular file (for hashing large files without buffering them). */
  stream(path: string): Promise<Readable>;
  /** Findings about the archive itself (odd names, symlinks, case collisions). */
  readonly findings: readonly Finding[];
  /** Release file handles. */
  close(): Promise<void>;
}

/**
 * Bounds applied while reading untrusted archives. Every field has a documented
 * default (DEFAULT_LIMITS) and a CLI flag.
 */
export interface Limits {
  /** Most entries an archive may list. `--max-entries` */
  maxEntries: number;
  /** Most bytes all entries may declare uncompressed, summed. `--max-total-size` */
  maxTotalSize: number;
  /** Highest uncompressed/compressed ratio for one entry (checked for entries over ratioFloor). `--max-ratio` */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked (tiny files compress extremely well). */
  ratioFloor: number;
  /** How deep archives may nest (a jar in a jar in the layer is depth 2). `--max-depth` */
  maxDepth: number;
  /** Largest single metadata file a cataloger reads into memory. `--max-file-size` */
  maxFileSize: number;
  /** Largest nested archive (jar) read into memory to open it. `--max-nested-size` */
  maxNestedSize: number;
  /** Most bytes re-hashed to check RECORD-listed files, over the whole layer. `--max-rehash-size` */
  maxRehashSize: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxEntries: 200_000,
  maxTotalSize: 2 * 1024 * 1024 * 1024,
  // Above deflate's 1032:1, the most a stored or deflated entry (all lamina reads) can expand:
  // only a declared size no stream reaches is refused. At 250, onnx's wheel was (a 2 MiB test
  // tensor of zeros, 1016:1); the total size bounds the work.
  maxRatio: 1100,
  ratioFloor: 1024 * 1024,
  maxDepth: 4,
  maxFileSize: 32 * 1024 * 1024,
  maxNestedSize: 256 * 1024 * 1024,
  // Above Lambda's 250 MB unzipped limit, so a deployable layer is always checked in full.
  maxRehashSize: 1024 * 1024 * 1024,
});
