/**
 * The file system of a container image: its layers applied in order, with
 * whiteouts, exactly per the OCI image-spec "Image Layer Filesystem
 * Changeset" (https://github.com/opencontainers/image-spec/blob/main/layer.md),
 * presented as one read-only FileSource. Nothing is extracted: each file
 * remembers which layer's bytes (and where in that layer's tar) it is.
 *
 * Application rules, per layer:
 * 1. whiteouts first (opaque `DIR/.wh..wh..opq` hides every lower child of
 *    DIR; `DIR/.wh.NAME` removes the lower DIR/NAME), so they never touch the
 *    layer's own entries, whatever their order; one whose DIR goes through a
 *    lower-layer symlink removes nothing (see below);
 * 2. then the entries in archive order: a directory over a directory keeps
 *    the children, anything else replaces what was there (a whole subtree
 *    for a directory), parents are resolved through lower-layer symlinks
 *    inside the image root (as containerd's naive applier and umoci do),
 *    hardlinks copy their target as it is at that point.
 *
 * Two hardlinks readers extract differently: one whose header mode differs
 * from its target's is refused (containerd and Python's tarfile chmod the
 * shared inode to the link's mode, GNU tar, bsdtar and umoci keep the
 * target's; writers take both headers from one inode's stat, so they agree);
 * one whose target a whiteout of its own layer removed from a lower layer is
 * an error finding, and kept as that lower file (in-order extractors such as
 * umoci make the link before the whiteout deletes the other name; rule 1
 * leaves nothing to link to; overlay-based ones fail).
 *
 * Overlay-based runtimes (Docker's overlay2, containerd's overlayfs
 * snapshotter) unpack each layer into a directory of its own instead, where
 * no lower-layer symlink exists: a layer's `lib/x` over a lower `lib -> usr/lib`
 * makes `lib` a directory that hides the link, and `lib/.wh.x` deletes nothing
 * under `usr/lib`. Runtimes disagree there, so every entry or whiteout whose
 * parent goes through a lower-layer symlink is an error finding: the
 * inventory cannot say which files run.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Finding } from '../model/finding.js';
import { comparePaths, resolveInRoot } from './paths.js';
import { hashAccess, rangeStream, type RandomAccess } from './random-access.js';
import {
  DEFAULT_LIMITS,
  type EntryKind,
  type FileEntry,
  type FileSource,
  type Limits,
} from './source.js';
import { tarError } from './tar-format.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX, type TarEntry, type TarIndex } from './tar-index.js';

/** One layer to apply: its index, and positional reads over its uncompressed tar. */
export interface LayerInput {
  index: TarIndex;
  access: RandomAccess;
  /** `sha256:…` of the uncompressed tar (the config's diffID). */
  diffId: string;
  /** `sha256:…` of the blob as stored (compressed), when known. */
  digest?: string;
}

/** Which layer an entry of the image came from. */
export interface LayerRef {
  /** 0 for the base layer. */
  index: number;
  diffId: string;
  digest?: string;
}

/** An entry of the squashed file system and the layer that wrote it. */
export interface ImageEntry extends FileEntry {
  /** Index of the layer whose entry produced this one. */
  layer: number;
  /** For `special` entries: what they are. */
  device?: 'char' | 'block' | 'fifo';
}

/** Something a lower layer put in the image that a later layer removed or replaced. */
export interface HiddenEntry {
  path: string;
  kind: EntryKind;
  /** Layer that wrote it. */
  layer: number;
  /** Layer whose whiteout or entry removed it. */
  removedBy: number;
}

/** Bounds for a whole image. Defaults: {@link DEFAULT_IMAGE_LIMITS}. */
export interface ImageLimits {
  /** Most entries the squashed image may hold. `--max-entries` */
  maxEntries: number;
  /** Most uncompressed bytes all layers may have together (Lambda's image limit is 10 GB). `--max-image-size` */
  maxImageSize: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxEntries: 1_000_000,
  maxImageSize: 10 * 1024 ** 3,
});

export interface SquashOptions {
  /** Name used in messages and as the source name. */
  name?: string;
  /** sha256 (hex) to report as the source digest (default: the ChainID of the diffIDs). */
  digest?: string;
  limits?: Partial<ImageLimits>;
  /** Limits for catalogers' reads (maxFileSize). */
  readLimits?: Limits;
  /** Close the layers' readers on close() (default true; views share them). */
  closeLayers?: boolean;
}

interface Node {
  kind: EntryKind;
  mode: number;
  size: number;
  layer: number;
  linkTarget?: string;
  device?: 'char' | 'block' | 'fifo';
  /** Where a regular file's bytes are. */
  data?: { layer: number; offset: number };
  children?: Map<string, Node>;
}

const newDir = (layer: number, mode = 0o755): Node => ({
  kind: 'dir',
  mode,
  size: 0,
  layer,
  children: new Map(),
});

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

/** The first prefix of `path` that is a symlink in the tree (no link followed before it). */
function firstLink(
  path: string,
  node: (p: string) => { kind: EntryKind } | undefined
): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    const n = node(p);
    if (n?.kind === 'symlink') return p;
    if (n?.kind !== 'dir') return undefined;
  }
  return undefined;
}

/**
 * ChainID of a list of diffIDs (OCI image-spec config.md "Layer ChainID"):
 * the identity of the file system the layers make together.
 */
export function chainId(diffIds: readonly string[]): string {
  let chain = '';
  for (const d of diffIds)
    chain = chain ? `sha256:${createHash('sha256').update(`${chain} ${d}`).digest('hex')}` : d;
  return chain;
}

/**
 * Apply `layers` (base first) and return the image's file system.
 * @throws UnpackError PATH_CONFLICT (an entry under a lower-layer file),
 *   AMBIGUOUS_HEADER (a hardlink whose mode is not its target's), TOO_MANY_ENTRIES, TOO_LARGE
 */
export function squashLayers(
  layers: readonly LayerInput[],
  opts: SquashOptions = {}
): SquashedImage {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...opts.limits };
  const name = opts.name ?? 'image';
  let total = 0;
  for (const l of layers) total += l.index.size;
  if (total > limits.maxImageSize)
    throw tarError(
      'TOO_LARGE',
      name,
      `layers hold ${total} bytes uncompressed, over ${limits.maxImageSize} (--max-image-size)`
    );
  const state = new Squasher(name, limits);
  layers.forEach((l, i) => state.apply(l, i));
  return new SquashedImage(layers, state, opts, total);
}

/** Builds the tree layer by layer and records what each layer hid. */
class Squasher {
  readonly root = newDir(-1);
  readonly hidden: HiddenEntry[] = [];
  readonly findings: Finding[] = [];
  count = 0;
  /** What the current layer's whiteouts removed, by path (step 1). */
  readonly #whitedOut = new Map<string, Node>();

  constructor(
    readonly name: string,
    readonly limits: ImageLimits
  ) {}

  /** The node at a resolved path (no symlink following). */
  node(path: string): Node | undefined {
    if (path === '') return this.root;
    let cur: Node | undefined = this.root;
    for (const part of path.split('/')) {
      cur = cur.children?.get(part);
      if (!cur) return undefined;
    }
    return cur;
  }

  resolve(path: string, followLast: boolean): string | undefined {
    return resolveInRoot(path, (p) => this.node(p), followLast);
  }

  /** Record `node` (and its subtree) at `path` as removed by `layer`. */
  #hide(path: string, node: Node, layer: number): void {
    if (node.layer < layer)
      this.hidden.push({ path, kind: node.kind, layer: node.layer, removedBy: layer });
    this.count--;
    for (const [n, child] of node.children ?? []) this.#hide(join(path, n), child, layer);
  }

  #remove(dir: Node, name: string, path: string, layer: number): void {
    const old = dir.children?.get(name);
    if (!old) return;
    dir.children!.delete(name);
    this.#hide(path, old, layer);
  }

  #whiteOut(dir: Node, name: string, path: string, layer: number): void {
    const old = dir.children?.get(name);
    if (old) this.#whitedOut.set(path, old);
    this.#remove(dir, name, path, layer);
  }

  /** The node at `path` that the current layer's whiteouts removed (itself or inside a removed directory). */
  #removedByWhiteout(path: string): Node | undefined {
    for (let cut = path.length; cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      let node = this.#whitedOut.get(path.slice(0, cut));
      if (!node) continue;
      for (const part of path.slice(cut + 1).split('/'))
        if (part !== '') node = node?.children?.get(part);
      return node;
    }
    return undefined;
  }

  /** Create missing directories along a resolved path; refuse a non-directory on the way. */
  #mkdirs(path: string, layer: number, entry: TarEntry): Node {
    let cur = this.root;
    if (path === '') return cur;
    for (const part of path.split('/')) {
      let next = cur.children!.get(part);
      if (!next) {
        next = newDir(layer);
        cur.children!.set(part, next);
        this.#added();
      } else if (next.kind !== 'dir') {
        throw tarError(
          'PATH_CONFLICT',
          this.name,
          `layer ${layer} puts an entry under a ${next.kind} of a lower layer`,
          undefined,
          [entry.name]
        );
      }
      cur = next;
    }
    return cur;
  }

  #added(): void {
    if (++this.count > this.limits.maxEntries)
      throw tarError(
        'TOO_MANY_ENTRIES',
        this.name,
        `more than ${this.limits.maxEntries} entries in the image (--max-entries)`
      );
  }

  /**
   * Resolve an entry's parent through the tree; `report` says whether to note a symlink on the
   * way (an error finding: overlay-based runtimes do not follow it, extractors do).
   */
  #resolveParent(e: TarEntry, layer: number, report = true): string {
    const parent = dirName(e.path);
    const resolved = this.resolve(parent, true);
    if (resolved === undefined)
      throw tarError(
        'PATH_CONFLICT',
        this.name,
        `layer ${layer}: a symlink loop in the parents of an entry`,
        undefined,
        [e.name]
      );
    if (report && resolved !== parent) {
      const base = baseName(e.path);
      const at = join(resolved, base);
      const whiteout = base.startsWith(WHITEOUT_PREFIX);
      const link = firstLink(parent, (p) => this.node(p)) ?? parent;
      this.findings.push({
        code: 'WRITE_THROUGH_SYMLINK',
        severity: 'error',
        path: e.path,
        message: whiteout
          ? `layer ${layer} whites out ${base === OPAQUE_WHITEOUT ? `everything in ${parent}` : join(parent, base.slice(WHITEOUT_PREFIX.length))} through the lower-layer symlink ${link}: overlay-based runtimes (Docker overlay2, containerd overlayfs) make ${link} a directory and keep ${resolved} whole, extractors that follow the link delete under ${resolved}; lamina keeps it`
          : `layer ${layer} writes ${e.path} through the lower-layer symlink ${link}: lamina places it at ${at}; overlay-based runtimes (Docker overlay2, containerd overlayfs) make ${link} a directory that hides the link and leave ${at} as the lower layers have it`,
      });
    }
    return resolved;
  }

  apply(layer: LayerInput, li: number): void {
    const entries = layer.index.entries;
    // 1. whiteouts, against the lower layers only.
    const whiteouts = new Map<string, number>();
    this.#whitedOut.clear();
    for (const e of entries) {
      const base = baseName(e.path);
      if (!base.startsWith(WHITEOUT_PREFIX)) continue;
      // Judged here, against the lower layers: this layer may replace the link (an entry
      // `bin/` over a lower `bin -> usr/bin`), after which step 2 sees a plain directory.
      // Through a lower-layer symlink it is reported and not applied: overlay-based runtimes
      // keep what is behind the link, so lamina keeps seeing it too (never less than runs).
      const dir = this.#resolveParent(e, li);
      if (dir !== dirName(e.path)) continue;
      const node = this.node(dir);
      if (node?.kind !== 'dir') continue;
      if (base === OPAQUE_WHITEOUT) {
        for (const child of [...node.children!.keys()])
          this.#whiteOut(node, child, join(dir, child), li);
      } else {
        const target = base.slice(WHITEOUT_PREFIX.length);
        this.#whiteOut(node, target, join(dir, target), li);
        whiteouts.set(join(dirName(e.path), target), e.order);
      }
    }
    // 2. the entries, in order.
    for (const e of entries) {
      const base = baseName(e.path);
      const isWhiteout = base.startsWith(WHITEOUT_PREFIX);
      const parentPath = this.#resolveParent(e, li, !isWhiteout);
      const parent = this.#mkdirs(parentPath, li, e);
      if (isWhiteout) continue;
      const at = join(parentPath, base);
      const wo = whiteouts.get(e.path);
      if (wo !== undefined && wo > e.order)
        this.findings.push({
          code: 'WHITEOUT_SAME_LAYER',
          severity: 'warning',
          path: e.path,
          message: `layer ${li} whites out ${e.path} after adding it: the OCI rule keeps it, extractors that apply entries in order delete it`,
        });
      const node = this.#nodeFor(e, li, at);
      if (!node) continue;
      const old = parent.children!.get(base);
      if (old?.kind === 'dir' && node.kind === 'dir') {
        old.mode = node.mode;
        old.layer = li;
        continue;
      }
      if (old) this.#remove(parent, base, at, li);
      parent.children!.set(base, node);
      this.#added();
    }
  }

  #nodeFor(e: TarEntry, li: number, at: string): Node | undefined {
    switch (e.type) {
      case 'dir':
        return newDir(li, e.mode);
      case 'file':
        return {
          kind: 'file',
          mode: e.mode,
          size: e.size,
          layer: li,
          data: { layer: li, offset: e.dataOffset },
        };
      case 'symlink':
        return { kind: 'symlink', mode: e.mode, size: 0, layer: li, linkTarget: e.linkName ?? '' };
      case 'hardlink':
        return this.#hardlink(e, li, at);
      default:
        this.findings.push({
          code: 'SPECIAL_FILE',
          severity: 'info',
          path: at,
          message: `layer ${li}: ${at} is a ${e.type === 'fifo' ? 'FIFO' : `${e.type} device`}; listed, never read`,
        });
        return { kind: 'special', mode: e.mode, size: 0, layer: li, device: e.type };
    }
  }

  /**
   * A hardlink is the node its target is at this point (link(2) does not follow a final symlink).
   * @throws UnpackError AMBIGUOUS_HEADER when its header mode is not its target's
   */
  #hardlink(e: TarEntry, li: number, at: string): Node | undefined {
    const targetPath = this.resolve(e.linkPath ?? '', false);
    let target = targetPath === undefined ? undefined : this.node(targetPath);
    const gone =
      target || targetPath === undefined ? undefined : this.#removedByWhiteout(targetPath);
    if (gone && gone.kind !== 'dir') {
      // Whiteouts first (the OCI rule) leave nothing to link to; an extractor that applies
      // entries in order links before the whiteout deletes the other name, and keeps the file.
      target = gone;
      this.findings.push({
        code: 'HARDLINK_TO_WHITED_OUT',
        severity: 'error',
        path: at,
        message: `layer ${li}: hardlink ${at} names ${targetPath ?? ''} of layer ${gone.layer}, which the same layer whites out: extractors that apply entries in order (umoci) keep ${at} as that file, overlay-based runtimes fail the link, the OCI rule (whiteouts first) leaves it dangling; lamina keeps it`,
      });
    } else if (!target || target.kind === 'dir' || targetPath === '') {
      this.findings.push({
        code: 'DANGLING_HARDLINK',
        severity: 'warning',
        path: at,
        message: `layer ${li}: hardlink ${at} names ${JSON.stringify(e.linkName)}, which is ${target ? 'a directory' : 'not in the image'} at that point; extractors fail on it`,
      });
      return undefined;
    }
    if (target.kind !== 'symlink' && e.mode !== target.mode)
      // Writers take a hardlink's header from the inode they already wrote, so the modes agree.
      throw tarError(
        'AMBIGUOUS_HEADER',
        this.name,
        `layer ${li}: hardlink ${at} says mode ${octal(e.mode)}, its target ${targetPath ?? ''} ${octal(target.mode)} (containerd and Python's tarfile give the shared file the link's mode, GNU tar, bsdtar and umoci keep the target's)`,
        undefined,
        [e.name, e.linkName ?? '']
      );
    if (!gone && target.layer < li)
      this.findings.push({
        code: 'HARDLINK_TO_LOWER_LAYER',
        severity: 'info',
        path: at,
        message: `layer ${li}: hardlink ${at} names ${targetPath ?? ''} of layer ${target.layer} (extracting it may fail, says the OCI layer format)`,
      });
    const copy: Node = { ...target, layer: li };
    delete copy.children;
    return copy;
  }
}

/**
 * A container image's squashed file system: a FileSource whose entries know
 * their layer, plus what later layers hid (for the all-layers scope).
 */
export class SquashedImage implements FileSource {
  readonly name: string;
  readonly digest: string;
  /** Uncompressed bytes of all layers. */
  readonly size: number;
  readonly findings: readonly Finding[];
  /** The layers, base first. */
  readonly layers: readonly LayerRef[];
  /** Everything a later layer removed or replaced, in the order it happened. */
  readonly hidden: readonly HiddenEntry[];
  readonly #inputs: readonly LayerInput[];
  readonly #entries: ImageEntry[];
  readonly #byPath = new Map<string, { entry: ImageEntry; node: Node }>();
  readonly #hiddenBy = new Map<string, number>();
  readonly #opts: SquashOptions;
  readonly #readLimits: Limits;
  readonly #state: Squasher;

  constructor(inputs: readonly LayerInput[], state: Squasher, opts: SquashOptions, size: number) {
    this.#inputs = inputs;
    this.#opts = opts;
    this.#state = state;
    this.#readLimits = opts.readLimits ?? DEFAULT_LIMITS;
    this.name = opts.name ?? 'image';
    this.layers = inputs.map((l, index) => ({
      index,
      diffId: l.diffId,
      ...(l.digest !== undefined ? { digest: l.digest } : {}),
    }));
    this.digest = opts.digest ?? chainId(inputs.map((l) => l.diffId)).replace(/^sha256:/, '');
    this.size = size;
    this.hidden = state.hidden;
    for (const h of state.hidden) this.#hiddenBy.set(`${h.layer}\0${h.path}`, h.removedBy);
    this.findings = [...inputs.flatMap((l) => l.index.findings), ...state.findings];
    this.#entries = [];
    const walk = (node: Node, path: string): void => {
      for (const [n, child] of node.children ?? []) {
        const p = join(path, n);
        const entry: ImageEntry = {
          path: p,
          kind: child.kind,
          size: child.size,
          compressedSize: child.size,
          mode: child.mode,
          layer: child.layer,
          ...(child.kind === 'symlink' ? { linkTarget: child.linkTarget ?? '' } : {}),
          ...(child.device ? { device: child.device } : {}),
        };
        this.#entries.push(entry);
        this.#byPath.set(p, { entry, node: child });
        if (child.kind === 'dir') walk(child, p);
      }
    };
    walk(state.root, '');
    this.#entries.sort((a, b) => comparePaths(a.path, b.path));
  }

  entries(): readonly ImageEntry[] {
    return this.#entries;
  }

  get(path: string): ImageEntry | undefined {
    return this.#byPath.get(path)?.entry;
  }

  /** The layer an entry of this view came from. */
  layerOf(path: string): LayerRef | undefined {
    const e = this.#byPath.get(path)?.entry;
    return e ? this.layers[e.layer] : undefined;
  }

  /**
   * The layer that removed `path` as written by layer `layer`, or undefined
   * when that version was never removed (it is in this view, or never existed).
   */
  removedBy(path: string, layer: number): number | undefined {
    return this.#hiddenBy.get(`${layer}\0${path}`);
  }

  /**
   * The lowest layer that wrote an entry at `path` (a path of the tree, no link followed), the
   * versions later layers removed or replaced included; undefined when no layer did.
   */
  firstWriter(path: string): number | undefined {
    for (let l = 0; l < this.layers.length; l++) if (this.#hiddenBy.has(`${l}\0${path}`)) return l;
    return this.#byPath.get(path)?.entry.layer;
  }

  /**
   * The file system as it was after layer `index` (for the all-layers scope:
   * what the image held before later layers hid it). Shares this image's
   * layer readers: close only the full image.
   */
  viewAt(index: number): SquashedImage {
    const inputs = this.#inputs.slice(0, index + 1);
    const opts: SquashOptions = { ...this.#opts };
    delete opts.digest;
    return squashLayers(inputs, {
      ...opts,
      name: `${this.name} (up to layer ${index})`,
      closeLayers: false,
    });
  }

  /** Regular file at `path`, following symlinks inside the image root. */
  #file(path: string): { node: Node; access: RandomAccess } {
    let node = this.#byPath.get(path)?.node;
    if (node?.kind !== 'file') {
      const resolved = this.#state.resolve(path, true);
      node = resolved === undefined ? undefined : this.#state.node(resolved);
    }
    const access = node?.data ? this.#inputs[node.data.layer]?.access : undefined;
    if (node?.kind !== 'file' || !access)
      throw tarError(
        'NOT_FOUND',
        this.name,
        'no regular file at this path in the image',
        undefined,
        [path]
      );
    return { node, access };
  }

  async read(path: string, maxBytes = this.#readLimits.maxFileSize): Promise<Buffer> {
    const { node, access } = this.#file(path);
    if (node.size > maxBytes)
      throw tarError(
        'ENTRY_TOO_LARGE',
        this.name,
        `entry is ${node.size} bytes, over ${maxBytes}`,
        undefined,
        [path]
      );
    const buf = await access.read(node.data!.offset, node.size);
    if (buf.length !== node.size)
      throw tarError('TRUNCATED_ARCHIVE', this.name, 'file data ends early', undefined, [path]);
    return buf;
  }

  async head(path: string, n: number): Promise<Buffer> {
    const { node, access } = this.#file(path);
    return access.read(node.data!.offset, Math.min(n, node.size));
  }

  stream(path: string): Promise<Readable> {
    try {
      const { node, access } = this.#file(path);
      return Promise.resolve(
        rangeStream(access, node.data!.offset, node.size, `${this.name}: ${path}`)
      );
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Close every layer reader (not for views from {@link viewAt}). */
  async close(): Promise<void> {
    if (this.#opts.closeLayers === false) return;
    for (const l of this.#inputs) await l.access.close();
  }
}

/** sha256 (hex) of an uncompressed layer read by offset (its diffID without the prefix). */
export function layerDigest(access: RandomAccess): Promise<string> {
  return hashAccess(access);
}
