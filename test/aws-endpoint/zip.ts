/**
 * Deterministic zips via the repo's scripts/lib/zipwriter.mjs. It is loaded by
 * path from the repo root so the same code works from test/ (vitest) and from
 * dist/test/ (the compiled `aws-local` CLI), where a relative import would miss.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as ZipWriter from '../../scripts/lib/zipwriter.mjs';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lamina'
    )
      return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new Error(
        'cannot find the lamina repo root (package.json) above ' + fileURLToPath(import.meta.url)
      );
    dir = up;
  }
}

const zw = (await import(
  pathToFileURL(join(repoRoot(), 'scripts/lib/zipwriter.mjs')).href
)) as typeof ZipWriter;

/** Zips a directory deterministically (sorted, fixed timestamps). */
export function zipDirectory(dir: string): Buffer {
  return zw.zipDirectory(dir);
}

/** Zips layer-relative path → content pairs deterministically. */
export function zipFiles(files: Record<string, string>): Buffer {
  const names = Object.keys(files).sort();
  return zw.writeZip(names.map((name) => ({ name, data: files[name] ?? '' })));
}
