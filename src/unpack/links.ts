import type { Finding } from '../model/finding.js';
import type { Readable } from 'node:stream';
import { UnpackError } from '../errors.js';
import { cmp } from '../util/compare.js';
import type { FileEntry, FileSource } from './source.js';

/**
 * Symlinks inside a layer, followed the way the Linux kernel follows them for
 * a runtime that opens `/opt/<path>`: component by component, a relative
 * target against the directory holding the link, `..` against the directory
 * reached so far (not lexically), at most 40 links per lookup (Linux
 * `MAXSYMLINKS`; ELOOP past it), and never out of the layer: a path that
 * leaves `/opt` for anything but `/opt` again is "outside".
 * https://man7.org/linux/man-pages/man7/path_resolution.7.html
 */

/** Links followed in one lookup before the kernel gives up with ELOOP. */
export const MAX_LINK_HOPS = 40;
/** Longest path the kernel accepts in one lookup (PATH_MAX, with its NUL). */
export const PATH_MAX = 4096;
/** Link paths kept per file (shortest first): enough for real layouts, bounded for cycles. */
export const MAX_ALIASES = 32;

/** Why a path could not be resolved to an entry of the layer. */
export type UnresolvedReason =
  /** A component does not exist in the layer (or is a file where a directory is needed). */
  | 'missing'
  /** More than MAX_LINK_HOPS links: a cycle or a chain the kernel refuses (ELOOP). */
  | 'loop'
  /** The path leaves the layer's mount point. */
  | 'outside';

export type Resolution =
  | {
      ok: true;
      /** Layer-relative path with every symlink resolved ('' for the layer root). */
      path: string;
      /** The regular file or directory reached; undefined for the layer root or an implied directory. */
      entry: FileEntry | undefined;
      /** Links followed on the way (0 when the path named the entry itself). */
      hops: number;
    }
  | { ok: false; reason: UnresolvedReason };

/** One path component of the layer's tree. */
interface Node {
  name: string;
  entry?: FileEntry;
  kids?: Map<string, Node>;
  /** Symlink entries whose resolved target is this node. */
  linkedFrom?: string[];
}

/**
 * The layer's symlinks as a runtime sees them: resolves paths through them
 * (`realpath`) and answers the reverse question, through which link paths a
 * runtime also reaches a given file (its aliases). Built once per layer from
 * its entries as a tree of path components, so every lookup costs the length
 * of the path, bounded by MAX_LINK_HOPS, PATH_MAX and MAX_ALIASES.
 */
export class LinkIndex {
  readonly #root: Node = { name: '' };
  readonly #entries: readonly FileEntry[];
  #built = false;
  readonly #mount: string[];
  readonly #aliasCache = new Map<string, readonly string[]>();
  readonly #findings: Finding[] = [];
  #truncated = false;
  /** True when the layer has at least one symlink that resolves inside it. */
  readonly hasLinks: boolean;

  constructor(source: Pick<FileSource, 'entries'>, mount = '/opt') {
    this.#mount = mount.split('/').filter((p) => p !== '');
    this.#entries = source.entries();
    const links = this.#entries.filter((e) => e.kind === 'symlink');
    // Without links every path is its own real path: the tree is built only if asked.
    if (links.length > 0) this.#tree();
    let any = false;
    // An image is the whole file system; a layer is one of the zips mounted at /opt.
    const image = this.#mount.length === 0;
    for (const e of links) {
      const r = this.resolve(e.path);
      if (r.ok) {
        if (r.path === '' || r.path === e.path) continue;
        const node = this.#node(r.path);
        if (!node) continue;
        (node.linkedFrom ??= []).push(e.path);
        any = true;
      } else if (r.reason === 'loop') {
        this.#findings.push({
          code: 'SYMLINK_LOOP',
          severity: 'error',
          path: e.path,
          message: `symlink ${e.path} -> ${e.linkTarget ?? ''} does not resolve within ${MAX_LINK_HOPS} links${image ? '' : '; a later layer mounted at /opt could make it lead somewhere this layer does not show'}`,
        });
      } else if (r.reason === 'missing') {
        this.#findings.push({
          code: 'SYMLINK_DANGLING',
          severity: 'warning',
          path: e.path,
          message: image
            ? `symlink ${e.path} -> ${e.linkTarget ?? ''} leads to nothing in the image (the runtime may provide it, as it does /proc)`
            : `symlink ${e.path} -> ${e.linkTarget ?? ''} leads to nothing in this layer (another layer mounted at /opt may provide it)`,
        });
      }
      // 'outside' is reported by the source itself (SYMLINK_OUTSIDE_LAYER).
    }
    this.hasLinks = any;
  }

  /** The tree of path components, built on first use. */
  #tree(): Node {
    if (!this.#built) {
      this.#built = true;
      const dirs = new Map<string, Node>([['', this.#root]]);
      for (const e of this.#entries) this.#insert(e, dirs);
    }
    return this.#root;
  }

  /**
   * Add an entry under its parent, found by path (entries come sorted, parents
   * first), so building costs the total length of the paths, not their depth squared.
   */
  #insert(e: FileEntry, dirs: Map<string, Node>): void {
    const slash = e.path.lastIndexOf('/');
    const parentPath = slash < 0 ? '' : e.path.slice(0, slash);
    let parent = dirs.get(parentPath);
    if (!parent) {
      // A parent the source did not list: walk down from the root, once.
      parent = this.#root;
      for (const part of parentPath.split('/')) parent = this.#child(parent, part);
      dirs.set(parentPath, parent);
    }
    const n = this.#child(parent, slash < 0 ? e.path : e.path.slice(slash + 1));
    n.entry = e;
    if (e.kind === 'dir') dirs.set(e.path, n);
  }

  #child(n: Node, part: string): Node {
    n.kids ??= new Map();
    let k = n.kids.get(part);
    if (!k) {
      k = { name: part };
      n.kids.set(part, k);
    }
    return k;
  }

  #node(path: string): Node | undefined {
    let n: Node | undefined = this.#root;
    if (path === '') return n;
    for (const part of path.split('/')) {
      n = n.kids?.get(part);
      if (!n) return undefined;
    }
    return n;
  }

  /** Findings about the links themselves (loops, dangling links, aliases left out). */
  get findings(): readonly Finding[] {
    if (!this.#truncated) return this.#findings;
    return [
      ...this.#findings,
      {
        code: 'SYMLINK_CYCLE',
        severity: 'warning',
        message: `symlinked directories form a cycle, so some files are reachable under endless names: each is cataloged at its real path, with the first ${MAX_ALIASES} link paths`,
      },
    ];
  }

  /**
   * Resolve a layer-relative path through every symlink on it, as `realpath`
   * would under the mount point.
   */
  resolve(path: string): Resolution {
    if (path.length >= PATH_MAX) return { ok: false, reason: 'missing' };
    const root = this.#tree();
    const depth = this.#mount.length;
    // Components still to walk; the next one is last.
    const todo = path.split('/').reverse();
    // Real directories from the layer root to where the walk stands.
    const stack: Node[] = [];
    // Levels above the layer root (the mount point's own directories), 0 inside the layer.
    let up = 0;
    let hops = 0;
    while (todo.length > 0) {
      const part = todo.pop()!;
      if (up > 0) {
        if (part === '' || part === '.') continue;
        if (part === '..') up = Math.min(depth, up + 1);
        else if (part === this.#mount[depth - up]) up--;
        // Anywhere else on the host is not the layer.
        else return { ok: false, reason: 'outside' };
        continue;
      }
      const cur = stack[stack.length - 1] ?? root;
      // Anything after a file, even `.` or a trailing '/', is ENOTDIR.
      if (cur.entry && cur.entry.kind !== 'dir') return { ok: false, reason: 'missing' };
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) {
          if (depth === 0) continue;
          up = 1;
        } else stack.pop();
        continue;
      }
      const next = cur.kids?.get(part);
      if (!next) return { ok: false, reason: 'missing' };
      if (next.entry?.kind === 'symlink') {
        if (++hops > MAX_LINK_HOPS) return { ok: false, reason: 'loop' };
        const target = next.entry.linkTarget ?? '';
        if (target === '') return { ok: false, reason: 'missing' };
        if (target.startsWith('/')) {
          stack.length = 0;
          up = depth;
        }
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
        continue;
      }
      stack.push(next);
    }
    if (up > 0) return { ok: false, reason: 'outside' };
    const last = stack[stack.length - 1];
    return { ok: true, path: stack.map((n) => n.name).join('/'), entry: last?.entry, hops };
  }

  /**
   * The link paths through which a runtime also reaches `realPath` (a path
   * with no symlink on it), shortest first, without `realPath` itself. Empty
   * when no symlink leads to it or to a directory above it.
   */
  aliases(realPath: string): readonly string[] {
    if (!this.hasLinks || realPath.length >= PATH_MAX) return [];
    const cached = this.#aliasCache.get(realPath);
    if (cached) return cached;
    const out: string[] = [];
    const seen = new Set<string>([realPath]);
    // Each state: a path that reaches realPath, and how much of its front has no link on it.
    const queue: { path: string; real: number }[] = [{ path: realPath, real: realPath.length }];
    for (let q = 0; q < queue.length && !this.#full(out); q++) {
      const { path, real } = queue[q]!;
      for (const { cut, links } of this.#targetsAlong(path, real)) {
        for (const link of links) {
          const alias = link + path.slice(cut);
          if (alias.length >= PATH_MAX || seen.has(alias)) continue;
          seen.add(alias);
          if (this.#full(out)) break;
          out.push(alias);
          queue.push({ path: alias, real: link.length });
        }
      }
    }
    out.sort((a, b) => a.length - b.length || cmp(a, b));
    if (out.length > 0) this.#aliasCache.set(realPath, out);
    return out;
  }

  #full(out: string[]): boolean {
    if (out.length < MAX_ALIASES) return false;
    this.#truncated = true;
    return true;
  }

  /** Directories (and the file) along `path.slice(0, real)` that symlinks resolve to. */
  #targetsAlong(path: string, real: number): { cut: number; links: string[] }[] {
    const found: { cut: number; links: string[] }[] = [];
    let n: Node | undefined = this.#root;
    let start = 0;
    while (start < real) {
      let end = path.indexOf('/', start);
      if (end < 0 || end > real) end = real;
      n = n.kids?.get(path.slice(start, end));
      if (!n) break;
      if (n.linkedFrom) found.push({ cut: end, links: n.linkedFrom });
      start = end + 1;
    }
    return found;
  }
}

/**
 * A layer as a runtime sees it: `get`, `read`, `head` and `stream` follow
 * symlinks inside the layer (stat semantics, as `open` does) and refuse links
 * that leave it; `entries` still lists what the archive holds (links as
 * links). Catalogers are handed this view.
 */
export class LayerView implements FileSource {
  readonly links: LinkIndex;
  readonly #inner: FileSource;

  constructor(inner: FileSource, links: LinkIndex = new LinkIndex(inner)) {
    this.#inner = inner;
    this.links = links;
  }

  get name(): string {
    return this.#inner.name;
  }
  get digest(): string {
    return this.#inner.digest;
  }
  get size(): number {
    return this.#inner.size;
  }
  get findings(): readonly Finding[] {
    return this.#inner.findings;
  }

  entries(): readonly FileEntry[] {
    return this.#inner.entries();
  }

  /** The entry `path` leads to, following symlinks inside the layer; undefined when it leads nowhere. */
  get(path: string): FileEntry | undefined {
    const direct = this.#inner.get(path);
    if (direct && direct.kind !== 'symlink') return direct;
    if (!this.links.hasLinks) return undefined;
    const r = this.links.resolve(path);
    return r.ok ? r.entry : undefined;
  }

  /** The entry at `path` itself, not following a final symlink (as `lstat` does). */
  lstat(path: string): FileEntry | undefined {
    return this.#inner.get(path);
  }

  /** The path with every symlink on it resolved, or undefined when it leads nowhere in the layer. */
  realPath(path: string): string | undefined {
    const direct = this.#inner.get(path);
    if (direct && direct.kind !== 'symlink') return path;
    if (!this.links.hasLinks) return undefined;
    const r = this.links.resolve(path);
    return r.ok ? r.path : undefined;
  }

  /** Where to read `path`; a path that leads nowhere is NOT_FOUND here, whatever the source would guess. */
  #real(path: string): Promise<string> {
    const real = this.realPath(path);
    if (real !== undefined) return Promise.resolve(real);
    return Promise.reject(
      new UnpackError({
        code: 'NOT_FOUND',
        message: `${this.name}: ${path} leads to no file inside the layer`,
      })
    );
  }

  async read(path: string, maxBytes?: number): Promise<Buffer> {
    return this.#inner.read(await this.#real(path), maxBytes);
  }

  async head(path: string, n: number): Promise<Buffer> {
    return this.#inner.head(await this.#real(path), n);
  }

  async stream(path: string): Promise<Readable> {
    return this.#inner.stream(await this.#real(path));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
