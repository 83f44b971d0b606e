/** One tar entry. */
export interface TarEntry {
  /** Archive path; a trailing '/' (or type 'dir') makes a directory. */
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  data?: Buffer | string;
  /** Permission bits (default 0o644 files, 0o755 directories, 0o777 symlinks). */
  mode?: number;
  /** Seconds since the epoch (default 0). */
  mtime?: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
}

/** Build a deterministic tar archive (ustar, PAX records for long names) in memory. */
export function writeTar(entries: TarEntry[]): Buffer;

/** Tar a directory deterministically (sorted, mtime 0, symlinks kept as links). */
export function tarDirectory(dir: string): Buffer;
