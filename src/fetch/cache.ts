import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeDir, randomHex8 } from '../util/fs.js';

/**
 * Default cache root: `$XDG_CACHE_HOME/lamina`, else `~/.cache/lamina`
 * (XDG Base Directory Specification).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return xdg && xdg.startsWith('/') ? join(xdg, 'lamina') : join(homedir(), '.cache', 'lamina');
}

/** Lambda's CodeSha256 (base64) as lowercase hex; undefined if it is not a sha256. */
export function codeSha256ToHex(codeSha256: string): string | undefined {
  const b = Buffer.from(codeSha256, 'base64');
  return b.length === 32 && b.toString('base64') === codeSha256 ? b.toString('hex') : undefined;
}

/** Whether the file at `path` hashes (sha256) to `hex`. */
export async function hashesTo(path: string, hex: string): Promise<boolean> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex') === hex;
}

/** What a prune of the cache removed: files, and their bytes. */
export interface Removed {
  files: number;
  bytes: number;
}

/** `a` and `b` added up. */
export const addRemoved = (a: Removed, b: Removed): Removed => ({
  files: a.files + b.files,
  bytes: a.bytes + b.bytes,
});

/**
 * Remove each file or link in `dir` whose name matches `own` and that `unused` (given the match)
 * says is not used; names of any other form, and directories, stay. A missing `dir` is nothing
 * removed.
 */
export async function pruneDir(
  dir: string,
  own: RegExp,
  unused: (m: RegExpExecArray) => boolean
): Promise<Removed> {
  const removed: Removed = { files: 0, bytes: 0 };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names.sort()) {
    const m = own.exec(name);
    if (m && unused(m)) await removeEntry(dir, name, removed);
  }
  return removed;
}

/**
 * Remove the file or link `name` in `dir` (never a directory, never through a link), counting
 * a regular file's bytes into `into`. Gone already, or not removable (replaced by a directory
 * meanwhile), is nothing removed.
 */
async function removeEntry(dir: string, name: string, into: Removed): Promise<void> {
  const path = join(dir, name);
  const st = await lstat(path).catch(() => undefined);
  if (!st || !(st.isFile() || st.isSymbolicLink())) return;
  try {
    await rm(path, { force: true });
  } catch {
    return;
  }
  into.files += 1;
  if (st.isFile()) into.bytes += st.size;
}

/** How a {@link ContentCache} treats its entries on lookup. */
export interface ContentCacheOptions {
  /**
   * Hash an entry whose size is known on every lookup (a mismatch is a miss), instead of
   * trusting its name. An entry looked up without a size is always hashed.
   */
  rehash?: boolean;
}

/**
 * A content-addressed store: `<root>/sha256/<hex>.<extension>`, layer zips
 * (`zip`, keyed by CodeSha256) and uncompressed image layers (`tar`, keyed by
 * diffID) side by side. Entries are only ever created by renaming a fully
 * verified temporary file, so a crash or a bad download never leaves a wrong
 * entry behind. An entry of the size asked for is trusted by its name (hashing
 * every read cost a warm command a full read of each zip before its own); what
 * reads it hashes what it reads and fails on a mismatch (`inventoryZipFile`), and
 * `rehash` hashes on lookup, treating a changed entry (disk damage, manual edits)
 * as a miss.
 */
export class ContentCache {
  readonly rehash: boolean;

  constructor(
    readonly root: string,
    readonly extension: 'zip' | 'tar' = 'zip',
    options: ContentCacheOptions = {}
  ) {
    this.rehash = options.rehash ?? false;
  }

  private dir(): string {
    return join(this.root, 'sha256');
  }

  /** Path an entry with this digest lives at (whether or not it exists). */
  pathFor(hex: string): string {
    return join(this.dir(), `${hex}.${this.extension}`);
  }

  /** A fresh, unique temporary path next to the entries (same filesystem, so rename is atomic). */
  async tempPath(hex: string): Promise<string> {
    await makeDir(this.dir());
    return join(this.dir(), `${hex}.${this.extension}.partial-${randomHex8()}`);
  }

  /** Move a verified temporary file into place. */
  async commit(temp: string, hex: string): Promise<string> {
    const path = this.pathFor(hex);
    await rename(temp, path);
    return path;
  }

  /**
   * Remove every entry (and every temporary file a stopped download left) whose digest is not
   * in `keep` (hex). Only names of this cache's own form under `<root>/sha256` are touched, and
   * only files and links: whatever else is there stays, as do the entries of the other
   * extension (a scan's prune leaves the image layers `verify` keeps).
   */
  prune(keep: ReadonlySet<string>): Promise<Removed> {
    const own = new RegExp(`^([0-9a-f]{64})\\.${this.extension}(\\.partial-[0-9a-f]{8})?$`);
    return pruneDir(this.dir(), own, (m) => m[2] !== undefined || !keep.has(m[1]!));
  }

  /**
   * The entry's path if it exists and has `size` bytes; without a size, or with `rehash`, only
   * if it also hashes to `hex`. A mismatching entry is deleted and reported as a miss.
   */
  async lookup(hex: string, size?: number): Promise<string | undefined> {
    const path = this.pathFor(hex);
    // On the main thread, and no error built for a miss: a cold scan misses thousands of times.
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    if (size !== undefined && st.size === size && !this.rehash) return path;
    if ((size === undefined || st.size === size) && (await hashesTo(path, hex))) return path;
    await rm(path, { force: true });
    return undefined;
  }
}
