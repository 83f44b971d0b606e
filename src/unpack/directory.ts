import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
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
      const abs = join(this.#root, e.path);
      if (e.size <= 8 * 1024 * 1024)
        return createHash('sha256')
          .update(await readFile(abs))
          .digest('hex');
      const fh = createHash('sha256');
      for await (const chunk of createReadStream(abs)) fh.update(chunk as Buffer);
      return fh.digest('hex');
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

  async head(path: string, n: number): Promise<Buffer> {
    this.#file(path);
    const fh = await open(join(this.#root, path), 'r');
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

  stream(path: string): Promise<Readable> {
    this.#file(path);
    return Promise.resolve(createReadStream(join(this.#root, path)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
