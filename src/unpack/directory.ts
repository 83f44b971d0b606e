import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { UnpackError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { mapLimit } from '../util/pool.js';
import { comparePaths, resolveLinkTarget } from './paths.js';
import { DEFAULT_LIMITS, type FileEntry, type FileSource, type Limits } from './source.js';

/**
 * A FileSource over a directory holding an unzipped layer. Walks with lstat
 * and never follows symlinks: a link is recorded as an entry, and one that
 * points out of the layer is reported as a finding.
 */
export class DirectorySource implements FileSource {
  readonly name: string;
  readonly findings: Finding[] = [];
  digest = '';
  size = 0;
  readonly #root: string;
  #entries: FileEntry[] = [];
  readonly #byPath = new Map<string, FileEntry>();
  // Each file's inode as the walk saw it: a read must open that very file. Only the inode: a
  // file system reporting other device numbers for one file through lstat and fstat (as older
  // overlay file systems could) would otherwise refuse every read.
  readonly #inode = new Map<string, number>();

  private constructor(root: string) {
    this.#root = root;
    this.name = root;
  }

  /** Walk `root` (bounded by `limits.maxEntries`) and hash its contents. */
  static async open(root: string, limits: Limits = DEFAULT_LIMITS): Promise<DirectorySource> {
    const st = await lstat(root).catch((cause: unknown) => {
      throw new UnpackError({
        code: 'NOT_FOUND',
        message: `${root}: no such file or directory`,
        cause,
      });
    });
    if (!st.isDirectory())
      throw new UnpackError({ code: 'NOT_FOUND', message: `${root}: not a directory` });
    const src = new DirectorySource(root);
    await src.#walk('', limits);
    src.#entries.sort((a, b) => comparePaths(a.path, b.path));
    await src.#hash();
    return src;
  }

  async #walk(rel: string, limits: Limits): Promise<void> {
    const names = (await readdir(join(this.#root, rel))).sort();
    // lstat a directory's children together: a serial walk is dominated by syscall latency.
    const stats = await mapLimit(names, 32, (n) =>
      lstat(join(this.#root, rel ? `${rel}/${n}` : n))
    );
    const subdirs: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const path = rel ? `${rel}/${names[i]!}` : names[i]!;
      const st = stats[i]!;
      let entry: FileEntry;
      if (st.isSymbolicLink()) {
        const target = await readlink(join(this.#root, path));
        entry = {
          path,
          kind: 'symlink',
          size: 0,
          compressedSize: 0,
          mode: st.mode & 0o7777,
          linkTarget: target,
        };
        if (resolveLinkTarget(path, target) === undefined) {
          this.findings.push({
            code: 'SYMLINK_OUTSIDE_LAYER',
            severity: 'error',
            path,
            message: `symlink ${path} points out of the layer (${target}); not followed`,
          });
        }
      } else if (st.isDirectory()) {
        entry = { path, kind: 'dir', size: 0, compressedSize: 0, mode: st.mode & 0o7777 };
        subdirs.push(path);
      } else if (st.isFile()) {
        entry = {
          path,
          kind: 'file',
          size: st.size,
          compressedSize: st.size,
          mode: st.mode & 0o7777,
        };
        this.#inode.set(path, st.ino);
        this.size += st.size;
        if (this.size > limits.maxTotalSize) {
          throw new UnpackError({
            code: 'TOO_LARGE',
            message: `${this.#root}: more than ${limits.maxTotalSize} bytes of files (--max-total-size)`,
          });
        }
      } else {
        this.findings.push({
          code: 'SPECIAL_FILE',
          severity: 'warning',
          path,
          message: `${path} is not a regular file, directory or symlink; skipped`,
        });
        continue;
      }
      this.#entries.push(entry);
      this.#byPath.set(path, entry);
      if (this.#entries.length > limits.maxEntries) {
        throw new UnpackError({
          code: 'TOO_MANY_ENTRIES',
          message: `${this.#root}: more than ${limits.maxEntries} entries (--max-entries)`,
        });
      }
    }
    for (const d of subdirs) await this.#walk(d, limits);
  }

  /** Tree digest: sha256 over "path NUL kind NUL sha256(content or link target)" lines, in path order. */
  async #hash(): Promise<void> {
    const hashes = await mapLimit(this.#entries, 16, async (e) => {
      if (e.kind === 'symlink') return e.linkTarget ?? '';
      if (e.kind !== 'file') return '';
      const hash = createHash('sha256');
      if (e.size <= 8 * 1024 * 1024) {
        const bytes = await this.head(e.path, e.size);
        if (bytes.length !== e.size) throw changed(this.name, e.path);
        return hash.update(bytes).digest('hex');
      }
      let n = 0;
      for await (const chunk of await this.stream(e.path)) {
        n += (chunk as Buffer).length;
        hash.update(chunk as Buffer);
      }
      if (n !== e.size) throw changed(this.name, e.path);
      return hash.digest('hex');
    });
    const tree = createHash('sha256');
    this.#entries.forEach((e, i) => tree.update(`${e.path}\0${e.kind}\0${hashes[i]!}\n`));
    this.digest = tree.digest('hex');
  }

  readonly entries = (): readonly FileEntry[] => this.#entries;
  readonly get = (path: string): FileEntry | undefined => this.#byPath.get(path);

  #file(path: string): FileEntry {
    const e = this.#byPath.get(path);
    if (!e || e.kind !== 'file')
      throw new UnpackError({
        code: 'NOT_FOUND',
        message: `${this.name}: no regular file ${path}`,
      });
    return e;
  }

  async read(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const e = this.#file(path);
    if (e.size > maxBytes) {
      throw new UnpackError({
        code: 'ENTRY_TOO_LARGE',
        message: `${this.name}: ${path} is ${e.size} bytes, over ${maxBytes}`,
      });
    }
    return this.head(path, e.size);
  }

  /**
   * Open a file the walk listed as it was listed: the same file (its inode), regular, of the
   * size seen. A link or FIFO put in its place since is not followed or waited on
   * (O_NOFOLLOW, O_NONBLOCK), a directory above it swapped for a link leads to another file and
   * is refused, so a read never leaves the directory, never blocks, and never reads past what
   * the walk saw.
   */
  async #open(e: FileEntry): Promise<FileHandle> {
    let fh: FileHandle;
    try {
      fh = await open(
        join(this.#root, e.path),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
      );
    } catch (cause) {
      throw changed(this.name, e.path, cause);
    }
    const st = await fh.stat().catch(async (cause: unknown) => {
      await fh.close();
      throw changed(this.name, e.path, cause);
    });
    if (!st.isFile() || st.size !== e.size || st.ino !== this.#inode.get(e.path)) {
      await fh.close();
      throw changed(this.name, e.path);
    }
    return fh;
  }

  async head(path: string, n: number): Promise<Buffer> {
    const fh = await this.#open(this.#file(path));
    try {
      const buf = Buffer.alloc(n);
      let off = 0;
      while (off < n) {
        const { bytesRead } = await fh.read(buf, off, n - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  async stream(path: string): Promise<Readable> {
    const e = this.#file(path);
    const fh = await this.#open(e);
    if (e.size === 0) {
      await fh.close();
      return Readable.from([]);
    }
    // The bytes the walk saw, no more, should the file grow.
    return fh.createReadStream({ start: 0, end: e.size - 1 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function changed(name: string, path: string, cause?: unknown): UnpackError {
  return new UnpackError({
    code: 'CHANGED_WHILE_READ',
    message: `${name}: ${path} is no longer the regular file of the size it was when listed`,
    ...(cause === undefined ? {} : { cause }),
  });
}
