/**
 * Deterministic zips (sorted entries, fixed timestamps) with the repository's zip writer, the
 * same one the fixture scripts use. The relative path holds from src/ and from dist/.
 */
import * as zw from '../../scripts/lib/zipwriter.mjs';

/** Zips a directory deterministically (sorted, fixed timestamps). */
export function zipDirectory(dir: string): Buffer {
  return zw.zipDirectory(dir);
}

/** Zips layer-relative path → content pairs deterministically. */
export function zipFiles(files: Record<string, string>): Buffer {
  const names = Object.keys(files).sort();
  return zw.writeZip(names.map((name) => ({ name, data: files[name] ?? '' })));
}
