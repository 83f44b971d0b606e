import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { UnpackError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { comparePaths } from './paths.js';
import type { FileEntry, FileSource } from './source.js';

/** Contents for an in-memory layer: a file's bytes, or a symlink. */
export type MemoryFile =
  Buffer | string | { symlink: string } | { data: Buffer | string; mode: number };

/**
 * A FileSource over in-memory files. Used for nested archives already read
 * into memory and for unit tests.
 */
export class MemorySource implements FileSource {
  readonly name: string;
  readonly digest: string;
  readonly size: number;
  readonly findings: Finding[] = [];
  readonly #entries: FileEntry[];
  readonly #byPath = new Map<string, FileEntry>();
  readonly #data = new Map<string, Buffer>();

  constructor(name: string, files: Record<string, MemoryFile>, digest?: string) {
    this.name = name;
    const dirs = new Set<string>();
    let size = 0;
    for (const [path, content] of Object.entries(files)) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      if (typeof content === 'object' && 'symlink' in content) {
        this.#add({
          path,
          kind: 'symlink',
          size: 0,
          compressedSize: 0,
          mode: 0o777,
          linkTarget: content.symlink,
        });
        continue;
      }
      const isPlain = Buffer.isBuffer(content) || typeof content === 'string';
      const buf = Buffer.from(isPlain ? content : content.data);
      const mode = isPlain ? 0o644 : content.mode;
      this.#data.set(path, buf);
      size += buf.length;
      this.#add({ path, kind: 'file', size: buf.length, compressedSize: buf.length, mode });
    }
    for (const d of dirs)
      if (!this.#byPath.has(d))
        this.#add({ path: d, kind: 'dir', size: 0, compressedSize: 0, mode: 0o755 });
    this.#entries = [...this.#byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
    this.size = size;
    this.digest =
      digest ??
      createHash('sha256')
        .update(this.#entries.map((e) => `${e.path}\0${e.size}`).join('\n'))
        .digest('hex');
  }

  #add(e: FileEntry): void {
    this.#byPath.set(e.path, e);
  }

  readonly entries = (): readonly FileEntry[] => this.#entries;
  readonly get = (path: string): FileEntry | undefined => this.#byPath.get(path);

  #bytes(path: string): Buffer {
    const b = this.#data.get(path);
    if (!b) throw new UnpackError({ code: 'NOT_FOUND', message: `${this.name}: no file ${path}` });
    return b;
  }

  read(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const b = this.#bytes(path);
    if (b.length > maxBytes) {
      return Promise.reject(
        new UnpackError({
          code: 'ENTRY_TOO_LARGE',
          message: `${this.name}: ${path} is ${b.length} bytes, over ${maxBytes}`,
        })
      );
    }
    return Promise.resolve(b);
  }

  head(path: string, n: number): Promise<Buffer> {
    return Promise.resolve(this.#bytes(path).subarray(0, n));
  }

  stream(path: string): Promise<Readable> {
    return Promise.resolve(Readable.from([this.#bytes(path)]));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
