/**
 * `docker save` archives (`docker-archive:FILE[:NAME:TAG]`): an outer tar
 * holding `manifest.json` (`[{Config, RepoTags, Layers}]`), the config and
 * one tar (possibly compressed) per layer, under `<id>/layer.tar`,
 * `<hex>.tar` or, since Docker 25, `blobs/sha256/<hex>`. There is no manifest
 * and so no manifest digest: the image's identity is its config digest and
 * its diffIDs, and every layer is checked against its diffID.
 *
 * The outer tar is read by an {@link ArchiveIndexer} (lamina's tar reader,
 * which refuses ambiguous archives); this module only resolves member names,
 * following symlinks and hardlinks inside the archive, never out of it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  MEDIA_TYPES,
  type Digest,
  type ImageLayer,
  type LayerCompression,
  type Platform,
} from '../../model/oci.js';
import { DOCUMENT_LIMITS, parseImageConfig, sha256Digest } from './documents.js';
import { ImageError, printable, tooLarge } from './errors.js';
import { parseStrictJson } from './json.js';
import type { ImageReference } from './reference.js';
import { ImageHandle, type ResolvedImage } from './handle.js';
import { checkPlatform } from './platform.js';
import { sniffCompression } from './spool.js';

/** One member of the outer tar, as the tar reader reports it. */
export interface ArchiveMember {
  /** The member's name as the reader resolved it (PAX `path` over ustar), without a leading `./`. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  /** Data bytes (regular files). */
  size: number;
  /** Offset of the member's data in the archive file. */
  dataOffset: number;
  /** Target of a symlink (relative to the member's directory) or hardlink (archive-relative). */
  linkname?: string;
}

/**
 * Lists the members of a tar file, refusing ambiguous archives (duplicate
 * names, PAX/ustar disagreements, data after the end blocks) with its own
 * coded errors. At most `maxMembers` members.
 */
export type ArchiveIndexer = (
  file: string,
  limits: { maxMembers: number }
) => Promise<ArchiveMember[]>;

const MAX_MEMBERS = 100_000;
const MAX_LINK_HOPS = 8;
const MANIFEST_JSON_LIMIT = 1024 * 1024;
const ARCHIVE_KEYS = new Set(['Config', 'RepoTags', 'Layers', 'Parent', 'LayerSources']);

function invalid(file: string, why: string): never {
  throw new ImageError({
    code: 'ARCHIVE_INVALID',
    message: `docker-archive:${printable(file, 200)}: ${why}`,
  });
}

/** Archive-relative names: `./a//b` → `a/b`; absolute or `..` names are refused. */
function normalizeName(name: string, file: string): string {
  if (name.startsWith('/') || name.includes('\0'))
    invalid(file, `member name "${printable(name, 100)}" is absolute`);
  const n = posix.normalize(name).replace(/^\.\//, '').replace(/\/$/, '');
  if (n === '..' || n.startsWith('../'))
    invalid(file, `member name "${printable(name, 100)}" leaves the archive`);
  return n;
}

class Members {
  private readonly byName = new Map<string, ArchiveMember>();

  constructor(
    members: readonly ArchiveMember[],
    private readonly file: string
  ) {
    for (const m of members) {
      const n = normalizeName(m.name, file);
      if (this.byName.has(n)) invalid(file, `member "${printable(n, 100)}" appears twice`);
      this.byName.set(n, m);
    }
  }

  /** The regular file a name leads to, following links inside the archive. */
  file_(name: string): ArchiveMember {
    let n = normalizeName(name, this.file);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const m = this.byName.get(n);
      if (!m) invalid(this.file, `"${printable(name, 100)}" is not in the archive`);
      if (m.type === 'file') return m;
      if (m.type === 'symlink' && m.linkname !== undefined) {
        n = normalizeName(posix.join(posix.dirname(n), m.linkname), this.file);
      } else if (m.type === 'hardlink' && m.linkname !== undefined) {
        n = normalizeName(m.linkname, this.file);
      } else {
        invalid(this.file, `"${printable(n, 100)}" is not a regular file`);
      }
    }
    invalid(this.file, `"${printable(name, 100)}" is a chain of more than ${MAX_LINK_HOPS} links`);
  }
}

async function readMember(
  file: string,
  m: ArchiveMember,
  max: number,
  what: string
): Promise<Buffer> {
  if (m.size > max) {
    throw tooLarge(what, m.size, max);
  }
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(m.size);
    let n = 0;
    while (n < m.size) {
      const { bytesRead } = await fh.read(buf, n, m.size - n, m.dataOffset + n);
      if (bytesRead === 0) invalid(file, `${what} is cut short`);
      n += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

function memberStream(file: string, m: ArchiveMember): Readable {
  // `end` is inclusive, so an empty member needs no file at all.
  return m.size === 0
    ? Readable.from([])
    : createReadStream(file, { start: m.dataOffset, end: m.dataOffset + m.size - 1 });
}

const HEX_NAME = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.json|\.tar)?$/;

const LAYER_MEDIA: Readonly<Record<LayerCompression, string>> = {
  none: MEDIA_TYPES.ociLayer,
  gzip: MEDIA_TYPES.ociLayerGzip,
  zstd: MEDIA_TYPES.ociLayerZstd,
};

/** Resolves a docker-archive reference; see the module comment. */
export async function openDockerArchive(
  reference: Extract<ImageReference, { transport: 'docker-archive' }>,
  name: string,
  options: { platform?: Platform; archiveIndexer?: ArchiveIndexer }
): Promise<ImageHandle> {
  const file = reference.file;
  const indexer = options.archiveIndexer;
  if (!indexer) {
    throw new ImageError({
      code: 'ARCHIVE_INVALID',
      message: `docker-archive:${printable(file, 200)}: no tar reader is configured for docker-archive inputs`,
    });
  }
  const st = await stat(file).catch(() => undefined);
  if (!st) invalid(file, 'no such file');
  if (!st.isFile()) invalid(file, 'not a regular file');
  const members = new Members(await indexer(file, { maxMembers: MAX_MEMBERS }), file);

  const manifestBytes = await readMember(
    file,
    members.file_('manifest.json'),
    MANIFEST_JSON_LIMIT,
    'manifest.json'
  );
  const doc = parseStrictJson(manifestBytes, {
    knownKeys: ARCHIVE_KEYS,
    freeForm: new Set(),
    what: `docker-archive:${file} manifest.json`,
  });
  if (!Array.isArray(doc) || doc.length === 0)
    invalid(file, 'manifest.json is not a non-empty array');
  const entries = doc.map((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      invalid(file, `manifest.json[${i}] is not an object`);
    const o = e as Record<string, unknown>;
    const config = o['Config'];
    const layers = o['Layers'];
    const tags = o['RepoTags'] ?? [];
    if (typeof config !== 'string') invalid(file, `manifest.json[${i}].Config is not a string`);
    if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) {
      invalid(file, `manifest.json[${i}].Layers is not an array of names`);
    }
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
      invalid(file, `manifest.json[${i}].RepoTags is not an array of names`);
    }
    const sources = o['LayerSources'];
    if (sources !== undefined && sources !== null && Object.keys(sources).length > 0) {
      throw new ImageError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `docker-archive:${printable(file, 200)}: foreign layers (LayerSources) are not read`,
      });
    }
    return { config, layers: layers, tags: tags };
  });
  let entry;
  if (reference.ref !== undefined) {
    const matches = entries.filter((e) => e.tags.includes(reference.ref!));
    if (matches.length !== 1) {
      throw new ImageError({
        code: matches.length === 0 ? 'MANIFEST_NOT_FOUND' : 'BAD_REFERENCE',
        message: `docker-archive:${printable(file, 200)} has ${matches.length} images tagged ${printable(reference.ref, 100)}; tags: ${
          entries
            .flatMap((e) => e.tags)
            .map((t) => printable(t, 60))
            .join(', ') || 'none'
        }`,
      });
    }
    entry = matches[0]!;
  } else {
    if (entries.length !== 1) {
      throw new ImageError({
        code: 'BAD_REFERENCE',
        message: `docker-archive:${printable(file, 200)} holds ${entries.length} images; name one as docker-archive:FILE:NAME:TAG (tags: ${
          entries
            .flatMap((e) => e.tags)
            .map((t) => printable(t, 60))
            .join(', ') || 'none'
        })`,
      });
    }
    entry = entries[0]!;
  }

  const configMember = members.file_(entry.config);
  const configBytes = await readMember(file, configMember, DOCUMENT_LIMITS.configBytes, 'config');
  const configDigest = sha256Digest(configBytes);
  checkNamedDigest(entry.config, configDigest, file, 'config');
  const config = parseImageConfig(configBytes, `${name} config ${configDigest}`);
  checkPlatform(config, undefined, options.platform, name);
  if (config.diffIds.length !== entry.layers.length) {
    throw new ImageError({
      code: 'DIFF_ID_COUNT_MISMATCH',
      message: `${name}: ${entry.layers.length} layers but ${config.diffIds.length} diff_ids in the config`,
    });
  }

  const byLayer = new Map<ImageLayer, ArchiveMember>();
  const layers: ImageLayer[] = [];
  for (const [index, layerName] of entry.layers.entries()) {
    const m = members.file_(layerName);
    const head = await readMember(file, { ...m, size: Math.min(6, m.size) }, 6, `layer ${index}`);
    const magic = sniffCompression(head);
    if (magic === 'bzip2' || magic === 'xz') {
      throw new ImageError({
        code: 'UNSUPPORTED_COMPRESSION',
        message: `${name} layer ${index}: ${magic} layers are not read`,
      });
    }
    const compression: LayerCompression = magic === 'other' ? 'none' : magic;
    const diffId = config.diffIds[index]!;
    // Stored uncompressed, the stored digest is the diffID (checked when spooled);
    // compressed, it is the name's digest (also checked) or the hash of the bytes.
    const digest: Digest =
      compression === 'none' ? diffId : (namedDigest(layerName) ?? (await hashMember(file, m)));
    const layer: ImageLayer = {
      index,
      digest,
      size: m.size,
      mediaType: LAYER_MEDIA[compression],
      compression,
      diffId,
    };
    layers.push(layer);
    byLayer.set(layer, m);
  }

  const image: ResolvedImage = {
    reference,
    name,
    configDigest,
    configMediaType: MEDIA_TYPES.dockerConfig,
    configBytes,
    config,
    platform: config.platform,
    layers,
  };
  return new ImageHandle(
    image,
    (layer) => Promise.resolve(memberStream(file, byLayer.get(layer)!)),
    false,
    () => Promise.resolve()
  );
}

function namedDigest(name: string): Digest | undefined {
  const m = HEX_NAME.exec(name);
  return m ? `sha256:${m[1]!}` : undefined;
}

/** A config stored as `<hex>.json` or `blobs/sha256/<hex>` must hash to that hex. */
function checkNamedDigest(name: string, digest: Digest, file: string, what: string): void {
  const named = namedDigest(name);
  if (named && named !== digest) {
    throw new ImageError({
      code: 'DIGEST_MISMATCH',
      message: `docker-archive:${printable(file, 200)}: ${what} ${printable(name, 100)} hashes to ${digest}`,
    });
  }
}

async function hashMember(file: string, m: ArchiveMember): Promise<Digest> {
  const h = createHash('sha256');
  await pipeline(memberStream(file, m), h);
  return `sha256:${h.digest('hex')}`;
}
