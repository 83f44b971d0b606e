/**
 * One pass over a tar archive's bytes that lists its entries (with where
 * their data is) and refuses what mainstream tar readers would extract
 * differently. It is fed chunks (a gunzipped stream) or told to skip entry
 * data (a file read by offset), so the same rules hold in both modes and
 * memory is bounded by the entry list, never by the archive.
 */
import { createHash, type Hash } from 'node:crypto';
import type { UnpackError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import { cleanImagePath } from './paths.js';
import {
  BLOCK,
  MAX_OCTAL_SIZE,
  NAME_FIELD,
  decodeName,
  fallbackAgrees,
  isZeroBlock,
  parseHeaderBlock,
  parsePaxRecords,
  tarError,
  ustarName,
  type RawHeader,
} from './tar-format.js';

/** Entry types lamina reads from a layer; everything else is refused. */
export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One entry of a tar archive, in archive order. */
export interface TarEntry {
  /** Layer-relative path: cleaned, '/'-separated, no leading or trailing '/'. */
  path: string;
  /** The name as the archive gives it (PAX `path` or GNU long name applied). */
  name: string;
  type: TarEntryType;
  /** Bytes of data (0 for everything but regular files). */
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target or hardlink target as stored. */
  linkName?: string;
  /** For hardlinks: the target as a cleaned layer-relative path. */
  linkPath?: string;
  /** Offset of the entry's first header block (extended headers included). */
  headerOffset: number;
  /** Offset of the first data byte. */
  dataOffset: number;
  /** Position in the archive (0-based, counting entries, not headers). */
  order: number;
}

/** What an archive contains, as one pass read it. */
export interface TarIndex {
  name: string;
  /** Entries in archive order. */
  entries: TarEntry[];
  /** Odd names and other things that do not stop the read. */
  findings: Finding[];
  /** Bytes read, end blocks and trailing zeros included. */
  size: number;
  /** sha256 (hex) of every byte, when the indexer hashed them. */
  sha256?: string;
  /** Data of the entries the caller asked to capture, by `order`. */
  captured: Map<number, Buffer>;
}

/** Bounds for reading one tar archive. */
export interface TarLimits {
  /** Most entries one archive may hold. */
  maxEntries: number;
  /** Most bytes the archive may have (uncompressed), end blocks and padding included. */
  maxSize: number;
  /** Largest PAX extended header or GNU long name. */
  maxMetaSize: number;
}

export const DEFAULT_TAR_LIMITS: Readonly<TarLimits> = Object.freeze({
  maxEntries: 1_000_000,
  maxSize: 10 * 1024 ** 3,
  maxMetaSize: 1024 * 1024,
});

export interface TarIndexerOptions {
  limits?: Partial<TarLimits>;
  /** Hash every byte fed (sha256); not possible when data is skipped. */
  hash?: boolean;
  /** Keep the data of these regular files in memory (each at most `maxCapture` bytes). */
  capture?: (path: string, size: number) => boolean;
  maxCapture?: number;
}

type State = 'header' | 'meta' | 'data' | 'end';

interface Pending {
  /** Offset of the first extended header of the entry. */
  at: number;
  pax?: Map<string, Buffer>;
  longName?: Buffer;
  longLink?: Buffer;
}

const SPECIAL: Record<string, TarEntryType> = {
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** PAX keys Python reads to decode names: a reader without it decodes differently. */
const REFUSED_PAX = new Set(['hdrcharset']);

/**
 * An overlay filesystem's own attributes, as PAX keys (GNU tar's and libarchive's xattr
 * records): an applier that sets them (containerd sets every `SCHILY.xattr`) leaves an overlayfs
 * runtime a directory marked opaque (hiding what lower layers hold there) or redirected to
 * another's contents, which no whiteout in the layer says.
 */
const OVERLAY_XATTR = /^(?:SCHILY|LIBARCHIVE)\.xattr\.(?:trusted|user)\.overlay\./;

/** A PAX key with libarchive's %-encoding of xattr names undone (`trusted%2Eoverlay%2Eopaque`). */
function overlayKey(key: string): string {
  if (!key.startsWith('LIBARCHIVE.xattr.')) return key;
  return key.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * An old-style directory: type NUL (a pre-POSIX regular file) with a name ending in a slash. GNU
 * tar, bsdtar, Python and Go make a directory of it, tar-stream an empty file; current writers
 * give a directory type 5.
 */
function oldStyleDirectory(archive: string, at: number, name: string): UnpackError {
  return tarError(
    'AMBIGUOUS_HEADER',
    archive,
    'old-style directory (type NUL, name ending in a slash), which some readers take for a file',
    at,
    [name]
  );
}

const ZEROS = Buffer.alloc(64 * 1024);

function allZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i += ZEROS.length) {
    const part = b.subarray(i, i + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

/**
 * Incremental tar reader. Feed bytes with {@link write} (or {@link skip} over
 * entry data when reading a file by offset), then call {@link end}.
 */
export class TarIndexer {
  readonly #name: string;
  readonly #limits: TarLimits;
  readonly #hash: Hash | undefined;
  readonly #capture: TarIndexerOptions['capture'];
  readonly #maxCapture: number;
  readonly #entries: TarEntry[] = [];
  readonly #findings: Finding[] = [];
  readonly #captured = new Map<number, Buffer>();
  #state: State = 'header';
  #pos = 0;
  /** Partial header or extended-header block. */
  #blk = Buffer.alloc(BLOCK);
  #blkFill = 0;
  /** Bytes still to go in the current meta or data state (padding included). */
  #remaining = 0;
  #meta: { type: string; size: number; at: number; buf: Buffer; fill: number } | undefined;
  #pending: Pending | undefined;
  #captureBuf: { order: number; buf: Buffer; fill: number } | undefined;
  #skipped = false;
  #sawEnd = false;
  #headers = 0;

  constructor(name: string, opts: TarIndexerOptions = {}) {
    this.#name = name;
    this.#limits = { ...DEFAULT_TAR_LIMITS, ...opts.limits };
    this.#hash = opts.hash ? createHash('sha256') : undefined;
    this.#capture = opts.capture;
    this.#maxCapture = opts.maxCapture ?? 32 * 1024 * 1024;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.#pos;
  }

  /** Entry data bytes that may be skipped rather than read (0 when bytes are needed). */
  get skippable(): number {
    return this.#state === 'data' && !this.#captureBuf ? this.#remaining : 0;
  }

  /** Advance over `n` bytes of entry data without reading them (at most {@link skippable}). */
  skip(n: number): void {
    if (n > this.skippable) throw new RangeError('skip past entry data');
    this.#skipped = true;
    this.#advance(n);
    this.#remaining -= n;
    if (this.#remaining === 0) this.#state = 'header';
  }

  #advance(n: number): void {
    this.#pos += n;
    if (this.#pos > this.#limits.maxSize)
      throw tarError(
        'TOO_LARGE',
        this.#name,
        `more than ${this.#limits.maxSize} bytes uncompressed (--max-image-size)`
      );
  }

  /** Feed the next bytes of the archive. */
  write(chunk: Buffer): void {
    this.#hash?.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      switch (this.#state) {
        case 'header': {
          const n = Math.min(BLOCK - this.#blkFill, chunk.length - off);
          chunk.copy(this.#blk, this.#blkFill, off, off + n);
          this.#blkFill += n;
          off += n;
          if (this.#blkFill === BLOCK) {
            this.#blkFill = 0;
            const at = this.#pos;
            this.#advance(BLOCK);
            this.#onHeader(this.#blk, at);
          }
          break;
        }
        case 'meta': {
          const n = Math.min(this.#remaining, chunk.length - off);
          const m = this.#meta!;
          const take = Math.max(0, Math.min(n, m.size - m.fill));
          chunk.copy(m.buf, m.fill, off, off + take);
          m.fill += take;
          off += n;
          this.#advance(n);
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#meta = undefined;
            this.#state = 'header';
            this.#onMeta(m.type, m.buf, m.at);
          }
          break;
        }
        case 'data': {
          const n = Math.min(this.#remaining, chunk.length - off);
          const c = this.#captureBuf;
          if (c) {
            const take = Math.max(0, Math.min(n, c.buf.length - c.fill));
            chunk.copy(c.buf, c.fill, off, off + take);
            c.fill += take;
          }
          off += n;
          this.#advance(n);
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (c) this.#captured.set(c.order, c.buf);
            this.#captureBuf = undefined;
            this.#state = 'header';
          }
          break;
        }
        case 'end': {
          const rest = chunk.subarray(off);
          if (!allZero(rest))
            throw tarError(
              'DATA_AFTER_END',
              this.#name,
              'bytes after the end-of-archive block (Go and Python stop at the end block; other readers go on)',
              this.#pos + rest.findIndex((b) => b !== 0)
            );
          this.#advance(rest.length);
          off = chunk.length;
          break;
        }
      }
    }
  }

  /** Finish: refuse truncation and cross-entry ambiguities; return the index. */
  end(): TarIndex {
    if (this.#state !== 'end') {
      if (this.#blkFill !== 0 || this.#state !== 'header' || this.#pending)
        throw tarError('TRUNCATED_ARCHIVE', this.#name, 'archive ends inside an entry');
      if (this.#pos === 0) throw tarError('NOT_A_TAR', this.#name, 'empty archive');
      this.#findings.push({
        code: 'TAR_NO_END_BLOCKS',
        severity: 'info',
        message: `${this.#name}: archive ends without end-of-archive blocks`,
      });
    }
    this.#findings.push(...checkEntries(this.#name, this.#entries));
    return {
      name: this.#name,
      entries: this.#entries,
      findings: this.#findings,
      size: this.#pos,
      ...(this.#hash && !this.#skipped ? { sha256: this.#hash.digest('hex') } : {}),
      captured: this.#captured,
    };
  }

  #onHeader(block: Buffer, at: number): void {
    if (isZeroBlock(block)) {
      if (this.#pending)
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          'extended header with no entry after it',
          at
        );
      this.#state = 'end';
      this.#sawEnd = true;
      return;
    }
    if (
      ++this.#headers > this.#limits.maxEntries * 4 ||
      this.#entries.length >= this.#limits.maxEntries
    )
      throw tarError(
        'TOO_MANY_ENTRIES',
        this.#name,
        `more than ${this.#limits.maxEntries} entries (--max-entries)`
      );
    const h = parseHeaderBlock(this.#name, block, at);
    const t = h.typeflag;
    if (t === 'x' || t === 'g' || t === 'L' || t === 'K') {
      if (h.size > this.#limits.maxMetaSize)
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          `extended header of ${h.size} bytes, over ${this.#limits.maxMetaSize}`,
          at
        );
      this.#meta = { type: t, size: h.size, at, buf: Buffer.alloc(h.size), fill: 0 };
      this.#remaining = padded(h.size);
      this.#state = 'meta';
      if (this.#remaining === 0) {
        this.#meta = undefined;
        this.#state = 'header';
        this.#onMeta(t, Buffer.alloc(0), at);
      }
      return;
    }
    this.#onEntry(h, at);
  }

  #onMeta(type: string, data: Buffer, at: number): void {
    if (type === 'g') {
      // Python and GNU tar apply global records to every later entry; Go ignores
      // them. Only a comment (as `git archive` writes) means the same to all.
      if (this.#pending)
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          'global header between an extended header and its entry',
          at
        );
      const recs = parsePaxRecords(this.#name, data, at);
      const keys = [...recs.keys()].filter((k) => k !== 'comment');
      if (keys.length > 0)
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          `global PAX header sets ${keys.map((k) => JSON.stringify(k)).join(', ')} (Go ignores global headers, GNU tar and Python apply them)`,
          at
        );
      return;
    }
    const p = (this.#pending ??= { at });
    // Stacked headers of one kind: Go keeps the last, Python the first.
    if (type === 'x') {
      if (p.pax)
        throw tarError('AMBIGUOUS_HEADER', this.#name, 'two PAX headers for one entry', at);
      p.pax = parsePaxRecords(this.#name, data, at);
    } else if (type === 'L') {
      if (p.longName)
        throw tarError('AMBIGUOUS_HEADER', this.#name, 'two GNU long names for one entry', at);
      p.longName = cut(data);
    } else {
      if (p.longLink)
        throw tarError('AMBIGUOUS_HEADER', this.#name, 'two GNU long link names for one entry', at);
      p.longLink = cut(data);
    }
  }

  #onEntry(h: RawHeader, at: number): void {
    const p = this.#pending;
    this.#pending = undefined;
    const headerOffset = p?.at ?? at;
    const pax = p?.pax ?? new Map<string, Buffer>();
    for (const key of pax.keys()) {
      if (key.startsWith('GNU.sparse.'))
        throw tarError(
          'SPARSE_ENTRY',
          this.#name,
          'PAX sparse entry (readers without sparse support see the map as data)',
          at
        );
      if (REFUSED_PAX.has(key))
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          `PAX key ${key} changes how names decode`,
          at
        );
      if (OVERLAY_XATTR.test(overlayKey(key)))
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          `PAX key ${key} is an overlay filesystem attribute (an overlayfs runtime reads it as an opaque or redirected directory; the layer's whiteouts say nothing of it)`,
          at
        );
    }
    const t = h.typeflag;
    if (t === 'S') throw tarError('SPARSE_ENTRY', this.#name, 'GNU sparse entry', at);

    // --- the name
    const paxPath = pax.get('path');
    const paxLink = pax.get('linkpath');
    if (paxPath && p?.longName && !paxPath.equals(p.longName))
      // Go prefers the GNU long name; Python prefers whichever header came first.
      throw tarError('AMBIGUOUS_HEADER', this.#name, 'both a PAX path and a GNU long name', at);
    if (paxLink && p?.longLink && !paxLink.equals(p.longLink))
      throw tarError(
        'AMBIGUOUS_HEADER',
        this.#name,
        'both a PAX linkpath and a GNU long link name',
        at
      );
    const longName = paxPath ?? p?.longName;
    const longLink = paxLink ?? p?.longLink;
    const field = ustarName(h);
    const bare = h.prefixField.length === 0 ? h.nameField : undefined;
    let name: string;
    if (longName) {
      if (longName.length === 0)
        throw tarError('AMBIGUOUS_HEADER', this.#name, 'empty PAX path or GNU long name', at);
      name = decodeName(this.#name, longName, 'entry name', at);
      if (t === '\0' && field[field.length - 1] === 0x2f)
        // Readers take an old-style directory from the ustar name's trailing slash before the
        // long name is applied; refused below however the long name ends.
        throw oldStyleDirectory(this.#name, at, name);
      if (!fallbackAgrees(name, field, bare, NAME_FIELD, t === '5'))
        throw tarError(
          'NAME_MISMATCH',
          this.#name,
          'the ustar name disagrees with the PAX or GNU long name (a reader that skips extended headers sees another file)',
          at,
          [field.toString('latin1'), name]
        );
    } else {
      name = decodeName(this.#name, field, 'entry name', at);
    }

    let type: TarEntryType;
    if (t === '0' || t === '\0') {
      if (name.endsWith('/')) {
        if (t === '\0') throw oldStyleDirectory(this.#name, at, name);
        // GNU tar and bsdtar make a directory; Go, Python and tar-stream a file.
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          'regular file whose name ends in a slash',
          at,
          [name]
        );
      }
      type = 'file';
    } else {
      const special = SPECIAL[t];
      if (!special)
        throw tarError(
          'UNKNOWN_ENTRY_TYPE',
          this.#name,
          `entry type ${JSON.stringify(t)} (readers treat it as a file, skip it, or fail)`,
          at,
          [name]
        );
      type = special;
    }
    if (type !== 'dir' && name.endsWith('/'))
      throw tarError('AMBIGUOUS_HEADER', this.#name, `${type} whose name ends in a slash`, at, [
        name,
      ]);

    // --- the size
    let size = h.size;
    const paxSize = pax.get('size');
    if (paxSize) {
      const text = paxSize.toString('latin1');
      if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text)))
        throw tarError('AMBIGUOUS_HEADER', this.#name, 'malformed PAX size', at, [name]);
      const v = Number(text);
      // Writers put a PAX size only when the octal field cannot hold it.
      if (v !== h.size && !(v > MAX_OCTAL_SIZE && h.size === 0))
        throw tarError(
          'AMBIGUOUS_HEADER',
          this.#name,
          `PAX size ${v} disagrees with the header size ${h.size}`,
          at,
          [name]
        );
      size = v;
    }
    if (type !== 'file' && size !== 0)
      // Go and Python read the next header right after these; others skip `size` bytes.
      throw tarError(
        'AMBIGUOUS_HEADER',
        this.#name,
        `${type} entry declares ${size} bytes of data`,
        at,
        [name]
      );

    // --- the link
    let linkName: string | undefined;
    if (type === 'symlink' || type === 'hardlink') {
      if (longLink) {
        if (longLink.length === 0)
          throw tarError(
            'AMBIGUOUS_HEADER',
            this.#name,
            'empty PAX linkpath or GNU long link',
            at,
            [name]
          );
        linkName = decodeName(this.#name, longLink, 'link name', at);
        if (!fallbackAgrees(linkName, h.linkField, h.linkField, NAME_FIELD, false))
          throw tarError(
            'NAME_MISMATCH',
            this.#name,
            'the ustar link name disagrees with the PAX or GNU long link name',
            at,
            [h.linkField.toString('latin1'), linkName]
          );
      } else {
        linkName = decodeName(this.#name, h.linkField, 'link name', at);
      }
      if (linkName === '')
        throw tarError('CORRUPT_ARCHIVE', this.#name, `${type} with an empty target`, at, [name]);
    } else if (longLink) {
      throw tarError(
        'AMBIGUOUS_HEADER',
        this.#name,
        'link name on an entry that is not a link',
        at,
        [name]
      );
    }

    const cleaned = cleanImagePath(name);
    this.#findings.push(...cleaned.findings);
    const entry: TarEntry = {
      path: cleaned.path,
      name,
      type,
      size,
      mode: h.mode & 0o7777,
      uid: h.uid,
      gid: h.gid,
      headerOffset,
      dataOffset: this.#pos,
      order: this.#entries.length,
    };
    if (linkName !== undefined) entry.linkName = linkName;
    if (type === 'hardlink' && linkName !== undefined) {
      const target = cleanImagePath(linkName);
      this.#findings.push(...target.findings);
      entry.linkPath = target.path;
    }
    if (entry.path === '') {
      if (type !== 'dir')
        throw tarError('CORRUPT_ARCHIVE', this.#name, `${type} entry at the archive root`, at, [
          name,
        ]);
    } else {
      this.#entries.push(entry);
    }
    this.#remaining = padded(size);
    if (this.#remaining > 0) {
      this.#state = 'data';
      if (type === 'file' && size <= this.#maxCapture && this.#capture?.(entry.path, size))
        this.#captureBuf = { order: entry.order, buf: Buffer.alloc(size), fill: 0 };
    } else if (type === 'file' && this.#capture?.(entry.path, 0)) {
      this.#captured.set(entry.order, Buffer.alloc(0));
    }
  }

  /** True once the first end-of-archive block was read. */
  get ended(): boolean {
    return this.#sawEnd;
  }
}

/** GNU long names end at the first NUL. */
function cut(data: Buffer): Buffer {
  const nul = data.indexOf(0);
  return nul < 0 ? data : data.subarray(0, nul);
}

/** Whiteout file names (OCI image-spec layer.md "Whiteouts"). */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * Checks over all entries of one archive: duplicate paths (refused; two
 * directories are reported), entries under a file or symlink entry,
 * whiteouts the OCI layer format does not allow, and names equal after
 * Unicode NFC (reported: Linux keeps both).
 */
export function checkEntries(archive: string, entries: readonly TarEntry[]): Finding[] {
  const findings: Finding[] = [];
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const seen = byPath.get(e.path);
    if (seen) {
      if (seen.type === 'dir' && e.type === 'dir') {
        findings.push({
          code: 'DUPLICATE_DIRECTORY',
          severity: 'info',
          path: e.path,
          message: `${archive}: directory ${e.path} is listed twice; the later entry's attributes apply`,
        });
        continue;
      }
      throw tarError(
        'DUPLICATE_ENTRY',
        archive,
        'two entries for one path (the OCI layer format forbids it; extractors keep different ones)',
        undefined,
        [seen.name, e.name]
      );
    }
    byPath.set(e.path, e);
  }
  for (const e of entries) {
    for (let cut = e.path.indexOf('/'); cut > 0; cut = e.path.indexOf('/', cut + 1)) {
      const parent = byPath.get(e.path.slice(0, cut));
      if (parent && parent.type !== 'dir')
        throw tarError(
          'PATH_CONFLICT',
          archive,
          `an entry lies under a ${parent.type} entry`,
          undefined,
          [parent.name, e.name]
        );
    }
    checkWhiteout(archive, e);
  }
  const byNfc = new Map<string, string>();
  for (const e of entries) {
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(e.path)) continue;
    const key = e.path.normalize('NFC');
    const seen = byNfc.get(key);
    if (seen !== undefined && seen !== e.path)
      findings.push({
        code: 'NORMALIZATION_TWIN',
        severity: 'warning',
        path: e.path,
        message: `${JSON.stringify(seen)} and ${JSON.stringify(e.path)} are equal after Unicode NFC normalisation (one file on macOS, two on Linux)`,
      });
    else byNfc.set(key, e.path);
  }
  return findings;
}

function checkWhiteout(archive: string, e: TarEntry): void {
  const base = e.path.slice(e.path.lastIndexOf('/') + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return;
  const bad = (why: string): never => {
    throw tarError('INVALID_WHITEOUT', archive, why, undefined, [e.name]);
  };
  if (e.type !== 'file' || e.size !== 0) bad('a whiteout must be an empty regular file');
  if (base === OPAQUE_WHITEOUT) return;
  const target = base.slice(WHITEOUT_PREFIX.length);
  if (target === '') bad('whiteout with no name');
  if (target === '.' || target === '..') bad('whiteout of . or ..');
  // `.wh..wh.*` names are reserved for aufs metadata: containerd skips them, others delete.
  if (target.startsWith(WHITEOUT_PREFIX))
    bad('reserved .wh..wh. name other than the opaque marker');
}
