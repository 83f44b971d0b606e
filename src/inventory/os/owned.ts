/**
 * What OS package catalogers share: the files a package lists, placed where
 * they are in the image (usrmerge images list `/lib/x` that lives at
 * `usr/lib/x` behind the `lib` symlink), and the check that each listed file
 * still has the checksum its package database recorded.
 */
import { LayerView } from '../../unpack/links.js';
import { createHash } from 'node:crypto';
import type { Finding } from '../../model/finding.js';
import { digestEntry } from '../../unpack/hash.js';
import { resolveInRoot } from '../../unpack/paths.js';
import type { FileSource } from '../../unpack/source.js';
import { mapLimit } from '../../util/pool.js';

/** Files hashed at once. */
const CONCURRENCY = 8;
/** Missing files named in one finding. */
const SHOWN = 5;

/** A root-relative path as the package lists it (`/usr/bin/x` → `usr/bin/x` under `root`). */
export function underRoot(root: string, listed: string): string {
  const rel = listed.replace(/^\/+/, '').replace(/\/+$/, '');
  return rel === '.' ? root.replace(/\/$/, '') : `${root}${rel}`;
}

/**
 * Paths a package owns: each listed path under `root`, and where it really
 * is when a parent directory is a symlink inside the image.
 */
export function ownedPaths(source: FileSource, root: string, listed: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const l of listed) {
    const p = underRoot(root, l);
    if (p === '' || p === '.') continue;
    out.add(p);
    out.add(physicalPath(source, p));
  }
  return [...out];
}

/**
 * Where `path` is, every link above its last component followed and that component kept, as
 * `lstat` takes it: `lib/x/libc.so.6` behind `lib -> usr/lib` is `usr/lib/x/libc.so.6`. The
 * links are read as links (a view's `get` would follow them before they could be seen).
 */
function physicalPath(source: FileSource, path: string): string {
  const lookup = (p: string): ReturnType<FileSource['get']> =>
    source instanceof LayerView ? source.lstat(p) : source.get(p);
  return resolveInRoot(path, lookup, false) ?? path;
}

/** One file a package database records a digest for. */
export interface RecordedFile {
  /** Path under the image root. */
  path: string;
  /** A node:crypto hash name: md5, sha1, sha256 … */
  algorithm: string;
  /** The recorded digest, lowercase hex. */
  hex: string;
  /**
   * The database hashes a symlink's target text (apk does); without it a
   * symlink where a file was recorded is a modification.
   */
  symlinkTargetDigest?: boolean;
}

/**
 * Compare listed files with their recorded digests. A changed file is a
 * PACKAGE_FILE_MODIFIED error (the package no longer describes what runs);
 * missing files (images often drop docs) are one info finding per package.
 */
export async function checkRecordedFiles(
  source: FileSource,
  owner: string,
  files: readonly RecordedFile[]
): Promise<Finding[]> {
  const missing: string[] = [];
  const results = await mapLimit(files, CONCURRENCY, async (f): Promise<Finding | undefined> => {
    const path = physicalPath(source, f.path);
    // A recorded symlink is checked as the link itself (apk hashes its target text).
    const entry = source instanceof LayerView ? source.lstat(path) : source.get(path);
    if (entry?.kind !== 'file' && entry?.kind !== 'symlink') {
      missing.push(f.path);
      return undefined;
    }
    let actual: string;
    try {
      if (entry.kind === 'symlink' && f.symlinkTargetDigest)
        actual = createHash(f.algorithm)
          .update(entry.linkTarget ?? '')
          .digest('hex');
      else {
        const [d] = await digestEntry(source, path, [f.algorithm]);
        actual = d!.toString('hex');
      }
    } catch {
      missing.push(f.path);
      return undefined;
    }
    if (actual === f.hex) return undefined;
    return {
      code: 'PACKAGE_FILE_MODIFIED',
      severity: 'error',
      path,
      message: `${path} differs from what ${owner} installed (${f.algorithm} ${actual}, recorded ${f.hex})`,
    };
  });
  const findings = results.filter((r): r is Finding => r !== undefined);
  if (missing.length > 0) {
    missing.sort();
    const shown = missing.slice(0, SHOWN).join(', ');
    findings.push({
      code: 'PACKAGE_FILE_MISSING',
      severity: 'info',
      path: missing[0]!,
      message: `${missing.length} file(s) ${owner} installed are not in the image: ${shown}${missing.length > SHOWN ? ', …' : ''}`,
    });
  }
  return findings;
}
