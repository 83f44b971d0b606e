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
  /**
   * Configuration the administrator may change (dpkg's conffiles, rpm's %config, apk's etc/):
   * another digest is no finding, but the file is not the package's then.
   */
  mayChange?: boolean;
}

/** What comparing one recorded file with the image found. */
type Checked = 'same' | 'differs' | 'missing';

/**
 * What a package database owns, and what of it changed: every path it lists (`listed`, as the
 * database spells them, under `root`) where the image holds a regular file only when that file
 * was compared with a digest the database records (`recorded`), since a file listed with none
 * (dpkg's `.list` without an `.md5sums` line, rpm's %ghost, apk's without `Z:`) or configuration
 * that changed could be anything, and so is the package's in name only; directories and links
 * stay owned. A recorded file that differs is a PACKAGE_FILE_MODIFIED error (configuration
 * excepted), missing ones are one info finding.
 */
export async function checkOwnedFiles(
  source: FileSource,
  owner: string,
  root: string,
  listed: Iterable<string>,
  recorded: readonly RecordedFile[]
): Promise<{ owns: string[]; findings: Finding[] }> {
  const checked = await mapLimit(recorded, CONCURRENCY, (f) => checkFile(source, f));
  const verified = new Set<string>();
  const missing: string[] = [];
  const findings: Finding[] = [];
  recorded.forEach((f, i) => {
    const c = checked[i]!;
    if (c.result === 'missing') missing.push(f.path);
    else if (c.result === 'same' || !f.mayChange) verified.add(f.path);
    if (c.result === 'differs' && !f.mayChange)
      findings.push({
        code: 'PACKAGE_FILE_MODIFIED',
        severity: 'error',
        path: c.path,
        message: `${c.path} differs from what ${owner} installed (${f.algorithm} ${c.actual ?? ''}, recorded ${f.hex})`,
      });
  });
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
  const kept = [...listed].filter((l) => {
    const p = underRoot(root, l);
    return source.get(p)?.kind !== 'file' || verified.has(p);
  });
  return { owns: ownedPaths(source, root, kept), findings };
}

/** One recorded file against the image: where it is, and whether its digest is the recorded one. */
async function checkFile(
  source: FileSource,
  f: RecordedFile
): Promise<{ path: string; result: Checked; actual?: string }> {
  const path = physicalPath(source, f.path);
  // A recorded symlink is checked as the link itself (apk hashes its target text).
  const entry = source instanceof LayerView ? source.lstat(path) : source.get(path);
  if (entry?.kind !== 'file' && entry?.kind !== 'symlink') return { path, result: 'missing' };
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
    return { path, result: 'missing' };
  }
  return { path, result: actual === f.hex ? 'same' : 'differs', actual };
}
