/** One tar entry. */
export interface TarEntry {
  /** Archive path; a trailing '/' (or type 'dir') makes a directory. */
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  data?: Buffer | string;
  /** Permission bits (default 0o644 files, 0o755 directories, 0o777 symlinks). */
  mode?: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
}

/** Build a deterministic tar archive (ustar, PAX records for long names) in memory. */
export function writeTar(entries: TarEntry[]): Buffer;
