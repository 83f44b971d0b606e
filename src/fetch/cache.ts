import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
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

/**
 * A content-addressed store: `<root>/sha256/<hex>.<extension>`, layer zips
 * (`zip`, keyed by CodeSha256) and uncompressed image layers (`tar`, keyed by
 * diffID) side by side. Entries
 * are only ever created by renaming a fully verified temporary file, so a
 * crash or a bad download never leaves a wrong entry behind; a corrupt entry
 * (disk damage, manual edits) is detected on lookup and treated as a miss.
 */
export class ContentCache {
  constructor(
    readonly root: string,
    readonly extension: 'zip' | 'tar' = 'zip'
  ) {}

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
   * The entry's path if it exists, has `size` bytes (when given) and hashes
   * to `hex`; a mismatching entry is deleted and reported as a miss.
   */
  async lookup(hex: string, size?: number): Promise<string | undefined> {
    const path = this.pathFor(hex);
    // On the main thread, and no error built for a miss: a cold scan misses thousands of times.
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    if (size === undefined || st.size === size) {
      const hash = createHash('sha256');
      await pipeline(createReadStream(path), hash);
      if (hash.digest('hex') === hex) return path;
    }
    await rm(path, { force: true });
    return undefined;
  }
}
