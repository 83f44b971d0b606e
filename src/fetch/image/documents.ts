/**
 * Pure parsing and validation of image manifests, indexes and configs. No I/O:
 * callers hand over bytes they have already hashed and compared with the
 * digest that names them (see `verifyDigest`), so nothing here ever sees bytes
 * that were not asked for. It lives in `fetch/image` because only the fetch
 * stage turns bytes into these documents; later stages receive the typed
 * results (`src/model/oci.ts`).
 *
 * Specs: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md,
 * image-index.md, config.md, descriptor.md; Docker schema 2:
 * https://distribution.github.io/distribution/spec/manifest-v2-2/.
 */
import { createHash } from 'node:crypto';
import {
  MEDIA_TYPES,
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageIndex,
  type ImageLayer,
  type ImageManifest,
  type LayerCompression,
  type Platform,
} from '../../model/oci.js';
import { ImageError, printable, tooLarge } from './errors.js';
import { parseStrictJson } from './json.js';
import { normalizePlatform } from './platform.js';

/** Caps on what lamina reads into memory. distribution refuses manifests over 4 MiB. */
export const DOCUMENT_LIMITS = Object.freeze({
  manifestBytes: 4 * 1024 * 1024,
  configBytes: 8 * 1024 * 1024,
  indexEntries: 1024,
  layers: 1024,
});

const SHA256 = /^sha256:[0-9a-f]{64}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** sha256 of the bytes, as a digest. */
export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Validates a digest string: sha256 only (lamina's caches and checks are sha256). */
export function parseDigest(value: unknown, what: string): Digest {
  if (typeof value === 'string' && SHA256.test(value)) return value as Digest;
  if (typeof value === 'string' && ANY_DIGEST.test(value)) {
    throw new ImageError({
      code: 'UNSUPPORTED_DIGEST',
      message: `${what}: digest "${printable(value, 80)}" is not sha256 with 64 lowercase hex digits`,
    });
  }
  throw new ImageError({
    code: 'MALFORMED_DOCUMENT',
    message: `${what}: "${printable(String(value), 80)}" is not a digest`,
  });
}

/**
 * The check that runs before any parse: the bytes must hash to `expected`.
 * Throws `DIGEST_MISMATCH` naming both digests.
 */
export function verifyDigest(bytes: Uint8Array, expected: Digest, what: string): void {
  const got = sha256Digest(bytes);
  if (got !== expected) {
    throw new ImageError({
      code: 'DIGEST_MISMATCH',
      message: `${what}: bytes hash to ${got}, expected ${expected}`,
    });
  }
}

/** Checks a blob against its descriptor: size first, then digest. */
export function verifyBlob(bytes: Uint8Array, descriptor: Descriptor, what: string): void {
  if (bytes.length !== descriptor.size) {
    throw new ImageError({
      code: 'SIZE_MISMATCH',
      message: `${what}: ${bytes.length} bytes, descriptor says ${descriptor.size}`,
    });
  }
  verifyDigest(bytes, descriptor.digest, what);
}

// Field names of the schemas above, for the case-folding check in parseStrictJson.
const DOCUMENT_KEYS = new Set([
  'schemaVersion',
  'mediaType',
  'artifactType',
  'config',
  'layers',
  'manifests',
  'subject',
  'annotations',
  'digest',
  'size',
  'urls',
  'data',
  'platform',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'features',
  'fsLayers',
  'signatures',
  'history',
  'blobSum',
  'name',
  'tag',
]);
const CONFIG_KEYS = new Set([
  'created',
  'author',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'config',
  'rootfs',
  'type',
  'diff_ids',
  'history',
  'created_by',
  'comment',
  'empty_layer',
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
]);
const FREE_FORM = new Set(['annotations', 'Labels', 'ExposedPorts', 'Volumes']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function malformed(what: string, why: string): never {
  throw new ImageError({ code: 'MALFORMED_DOCUMENT', message: `${what}: ${why}` });
}

function optString(o: Json, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') malformed(what, `"${key}" is not a string`);
  return v;
}

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) malformed(what, 'expected an object of strings');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') malformed(what, `"${printable(k, 60)}" is not a string`);
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true });
  }
  return out;
}

function stringArray(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    malformed(what, 'expected an array of strings');
  }
  return v;
}

function parsePlatformObject(v: unknown, what: string): Platform | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) malformed(what, '"platform" is not an object');
  const os = optString(v, 'os', what);
  const architecture = optString(v, 'architecture', what);
  if (os === undefined || architecture === undefined) {
    malformed(what, 'a platform needs "os" and "architecture"');
  }
  const variant = optString(v, 'variant', what);
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

/** Validates one descriptor. An embedded `data` field must match the digest and size. */
export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) malformed(what, 'descriptor is not an object');
  const mediaType = optString(v, 'mediaType', what);
  if (mediaType === undefined) malformed(what, 'descriptor has no mediaType');
  const digest = parseDigest(v['digest'], what);
  const size = v['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    malformed(what, '"size" is not a non-negative integer');
  }
  const d: Descriptor = { mediaType, digest, size };
  const annotations = stringMap(v['annotations'], `${what} annotations`);
  if (annotations) d.annotations = annotations;
  const platform = parsePlatformObject(v['platform'], what);
  if (platform) d.platform = platform;
  const artifactType = optString(v, 'artifactType', what);
  if (artifactType !== undefined) d.artifactType = artifactType;
  if (v['urls'] !== undefined) {
    // Foreign/non-distributable content fetched from elsewhere: a reader that
    // follows the URLs and one that does not would see different bytes.
    throw new ImageError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `${what}: descriptors with "urls" (foreign content) are not read`,
    });
  }
  const data = v['data'];
  if (data !== undefined) {
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
      malformed(what, '"data" is not base64');
    }
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length !== size || sha256Digest(bytes) !== digest) {
      throw new ImageError({
        code: 'DIGEST_MISMATCH',
        message: `${what}: embedded "data" does not match the descriptor's digest and size`,
      });
    }
  }
  return d;
}

/**
 * The media type an HTTP `Content-Type` or parent descriptor claims, without
 * parameters; undefined for generic types that claim nothing.
 */
export function claimedType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  // Generic types say nothing about which document this is.
  if (
    t === '' ||
    t === 'application/json' ||
    t === 'application/octet-stream' ||
    t === 'text/plain'
  ) {
    return undefined;
  }
  return t;
}

const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
]);
const INDEX_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
]);
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.dockerSchema1,
  MEDIA_TYPES.dockerSchema1Signed,
]);

/** True for the media types of image manifests and indexes lamina reads. */
export function isManifestOrIndexType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType) || INDEX_TYPES.has(mediaType);
}

/** The `Accept` header for manifest requests: every type lamina reads, so no registry converts. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
].join(', ');

/**
 * Parse verified manifest or index bytes. `claimed` is what the transport says
 * the document is (HTTP Content-Type, or the referring descriptor's
 * mediaType); it must agree with the document's own `mediaType` and shape.
 */
export function parseManifestOrIndex(
  bytes: Uint8Array,
  claimed: string | undefined,
  what = 'manifest'
): ImageManifest | ImageIndex {
  if (bytes.length > DOCUMENT_LIMITS.manifestBytes) {
    throw tooLarge(what, bytes.length, DOCUMENT_LIMITS.manifestBytes);
  }
  const claim = claimedType(claimed);
  if (claim !== undefined && SCHEMA1_TYPES.has(claim)) {
    throw new ImageError({
      code: 'SCHEMA1_REFUSED',
      message: `${what} is a Docker schema 1 manifest (${claim}), which lamina does not read`,
    });
  }
  const doc = parseStrictJson(bytes, { knownKeys: DOCUMENT_KEYS, freeForm: FREE_FORM, what });
  if (!isObject(doc)) malformed(what, 'not a JSON object');
  if (doc['schemaVersion'] === 1 || 'fsLayers' in doc) {
    throw new ImageError({
      code: 'SCHEMA1_REFUSED',
      message: `${what} is a Docker schema 1 manifest, which lamina does not read`,
    });
  }
  if (doc['schemaVersion'] !== 2) malformed(what, '"schemaVersion" is not 2');
  const hasManifests = 'manifests' in doc;
  const hasImageFields = 'layers' in doc || 'config' in doc;
  if (hasManifests && hasImageFields) {
    throw new ImageError({
      code: 'AMBIGUOUS_DOCUMENT',
      message: `${what} has both "manifests" and "layers"/"config": it reads as an index and as a manifest`,
    });
  }
  const own = optString(doc, 'mediaType', what);
  if (own !== undefined && claim !== undefined && own !== claim) {
    throw new ImageError({
      code: 'AMBIGUOUS_DOCUMENT',
      message: `${what} says it is ${printable(own, 100)} but was served as ${printable(claim, 100)}`,
    });
  }
  // OCI made mediaType optional early on; infer only from an unambiguous shape.
  const type =
    own ??
    claim ??
    (hasManifests ? MEDIA_TYPES.ociIndex : hasImageFields ? MEDIA_TYPES.ociManifest : undefined);
  if (type === undefined) malformed(what, 'neither "manifests" nor "layers"');
  if (SCHEMA1_TYPES.has(type)) {
    throw new ImageError({
      code: 'SCHEMA1_REFUSED',
      message: `${what} is a Docker schema 1 manifest, which lamina does not read`,
    });
  }
  if (INDEX_TYPES.has(type)) {
    if (!hasManifests) {
      throw new ImageError({
        code: 'AMBIGUOUS_DOCUMENT',
        message: `${what} is typed as an index but has no "manifests"`,
      });
    }
    return parseIndexBody(doc, type, what);
  }
  if (MANIFEST_TYPES.has(type)) {
    if (hasManifests || !('layers' in doc) || !('config' in doc)) {
      throw new ImageError({
        code: 'AMBIGUOUS_DOCUMENT',
        message: `${what} is typed as a manifest but lacks "config" or "layers"`,
      });
    }
    return parseManifestBody(doc, type, what);
  }
  throw new ImageError({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `${what} has media type ${printable(type, 100)}, which is not an image manifest or index`,
  });
}

function parseIndexBody(doc: Json, mediaType: string, what: string): ImageIndex {
  const list = doc['manifests'];
  if (!Array.isArray(list)) malformed(what, '"manifests" is not an array');
  if (list.length > DOCUMENT_LIMITS.indexEntries) {
    throw tooLarge(what, list.length, DOCUMENT_LIMITS.indexEntries, 'manifests', 'lists');
  }
  const manifests = list.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`));
  const index: ImageIndex = { kind: 'index', mediaType, manifests };
  const annotations = stringMap(doc['annotations'], `${what} annotations`);
  if (annotations) index.annotations = annotations;
  return index;
}

function parseManifestBody(doc: Json, mediaType: string, what: string): ImageManifest {
  const config = parseDescriptor(doc['config'], `${what} config`);
  const list = doc['layers'];
  if (!Array.isArray(list)) malformed(what, '"layers" is not an array');
  if (list.length > DOCUMENT_LIMITS.layers) {
    throw tooLarge(what, list.length, DOCUMENT_LIMITS.layers, 'layers', 'lists');
  }
  const layers = list.map((l, i) => parseDescriptor(l, `${what} layers[${i}]`));
  const manifest: ImageManifest = { kind: 'manifest', mediaType, config, layers };
  const annotations = stringMap(doc['annotations'], `${what} annotations`);
  if (annotations) manifest.annotations = annotations;
  if (doc['subject'] !== undefined)
    manifest.subject = parseDescriptor(doc['subject'], `${what} subject`);
  const artifactType = optString(doc, 'artifactType', what);
  if (artifactType !== undefined) manifest.artifactType = artifactType;
  return manifest;
}

const CONFIG_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.ociConfig,
  MEDIA_TYPES.dockerConfig,
]);

/** True when a manifest's config descriptor names an image config (not an artifact's). */
export function isImageConfigType(mediaType: string): boolean {
  return CONFIG_TYPES.has(mediaType);
}

/** Parse verified image config bytes. */
export function parseImageConfig(bytes: Uint8Array, what = 'config'): ImageConfig {
  if (bytes.length > DOCUMENT_LIMITS.configBytes) {
    throw tooLarge(what, bytes.length, DOCUMENT_LIMITS.configBytes);
  }
  const doc = parseStrictJson(bytes, { knownKeys: CONFIG_KEYS, freeForm: FREE_FORM, what });
  if (!isObject(doc)) malformed(what, 'not a JSON object');
  const os = optString(doc, 'os', what);
  const architecture = optString(doc, 'architecture', what);
  if (!os || !architecture) malformed(what, 'needs "os" and "architecture"');
  const variant = optString(doc, 'variant', what);
  const rootfs = doc['rootfs'];
  if (!isObject(rootfs)) malformed(what, '"rootfs" is not an object');
  if (rootfs['type'] !== 'layers') malformed(what, '"rootfs.type" is not "layers"');
  const ids = rootfs['diff_ids'];
  if (!Array.isArray(ids)) malformed(what, '"rootfs.diff_ids" is not an array');
  if (ids.length > DOCUMENT_LIMITS.layers) {
    throw tooLarge(what, ids.length, DOCUMENT_LIMITS.layers, 'diff_ids', 'lists');
  }
  const diffIds = ids.map((d, i) => parseDigest(d, `${what} rootfs.diff_ids[${i}]`));
  const config: ImageConfig = {
    platform: normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) }),
    diffIds,
  };
  const created = optString(doc, 'created', what);
  if (created !== undefined) config.created = created;
  const run = doc['config'];
  if (run !== undefined && run !== null) {
    if (!isObject(run)) malformed(what, '"config" is not an object');
    const env = stringArray(run['Env'], `${what} Env`);
    if (env) config.env = env;
    const entrypoint = stringArray(run['Entrypoint'], `${what} Entrypoint`);
    if (entrypoint) config.entrypoint = entrypoint;
    const cmd = stringArray(run['Cmd'], `${what} Cmd`);
    if (cmd) config.cmd = cmd;
    const workingDir = optString(run, 'WorkingDir', what);
    if (workingDir) config.workingDir = workingDir;
    const user = optString(run, 'User', what);
    if (user) config.user = user;
    const labels = stringMap(run['Labels'], `${what} Labels`);
    if (labels) config.labels = labels;
  }
  return config;
}

const LAYER_TYPES: ReadonlyMap<string, LayerCompression> = new Map([
  [MEDIA_TYPES.ociLayer, 'none'],
  [MEDIA_TYPES.ociLayerGzip, 'gzip'],
  [MEDIA_TYPES.ociLayerZstd, 'zstd'],
  [MEDIA_TYPES.dockerLayerGzip, 'gzip'],
]);

/**
 * The compression a layer media type declares. Non-distributable and foreign
 * layer types, and anything else, are refused.
 */
export function layerCompression(mediaType: string, what: string): LayerCompression {
  const c = LAYER_TYPES.get(mediaType);
  if (c === undefined) {
    throw new ImageError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `${what}: layer media type ${printable(mediaType, 100)} is not read`,
    });
  }
  return c;
}

/** Pairs each manifest layer with its diffID; the counts must agree. */
export function imageLayers(
  manifest: ImageManifest,
  config: ImageConfig,
  what: string
): ImageLayer[] {
  if (config.diffIds.length !== manifest.layers.length) {
    throw new ImageError({
      code: 'DIFF_ID_COUNT_MISMATCH',
      message: `${what}: ${manifest.layers.length} layers but ${config.diffIds.length} diff_ids in the config`,
    });
  }
  return manifest.layers.map((d, index) => ({
    index,
    digest: d.digest,
    size: d.size,
    mediaType: d.mediaType,
    compression: layerCompression(d.mediaType, `${what} layers[${index}]`),
    diffId: config.diffIds[index]!,
  }));
}
