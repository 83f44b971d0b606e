/**
 * The image resolver every command shares: an image reference (OCI layout,
 * docker-archive, registry) in, a verified description of one platform's
 * image out (index digest, manifest digest, manifest, config, layers), plus a
 * handle that brings each layer into the cache uncompressed and verified.
 *
 * Order of trust: the manifest bytes are hashed first (by digest: compared;
 * by tag: the hash is the digest), then parsed; the config is fetched by the
 * digest the manifest names and hashed before it is parsed; layers are
 * checked against the manifest (digest, size) and the config (diffID).
 */
import type { Descriptor, Digest, Platform } from '../../model/oci.js';
import { connectRegistry, type RegistryClientOptions } from '../registry/client.js';
import { RegistryStore } from '../registry/store.js';
import { openDockerArchive, type ArchiveIndexer } from './docker-archive.js';
import {
  DOCUMENT_LIMITS,
  imageLayers,
  isImageConfigType,
  parseImageConfig,
  parseManifestOrIndex,
} from './documents.js';
import { ImageError, printable } from './errors.js';
import { ImageHandle, type ResolvedImage } from './handle.js';
import { OciLayoutStore } from './layout.js';
import {
  checkPlatform,
  DEFAULT_PLATFORM,
  isAttestationEntry,
  selectPlatformEntry,
} from './platform.js';
import { classifyImageInput, formatImageReference, type ImageReference } from './reference.js';
import type { BlobStore, ManifestBytes } from './store.js';

/** Indexes inside indexes are followed at most this deep. */
export const MAX_INDEX_DEPTH = 4;

export interface ResolveOptions {
  /**
   * The platform wanted. When absent, an index resolves to linux/amd64 and a
   * single manifest is taken whatever its platform; when given, a single
   * manifest's config must match it too.
   */
  platform?: Platform;
  /** Registry transport and credentials. */
  registry?: RegistryClientOptions;
  /** Reads the outer tar of a docker-archive (see docker-archive.ts). */
  archiveIndexer?: ArchiveIndexer;
}

/**
 * Resolves an image reference (a string as typed, or parsed) to one platform's
 * verified image. Throws `ImageError`; exit classes in `IMAGE_ERROR_EXIT`.
 */
export async function resolveImage(
  input: string | ImageReference,
  options: ResolveOptions = {}
): Promise<ImageHandle> {
  const reference = typeof input === 'string' ? await classifyImageInput(input) : input;
  const name = typeof input === 'string' ? input : formatImageReference(input);
  switch (reference.transport) {
    case 'oci': {
      const store = await OciLayoutStore.open(reference.dir);
      const first = await layoutRoot(store, reference, options.platform);
      return fromStore(store, reference, name, first, options, undefined);
    }
    case 'registry': {
      const client = await connectRegistry(reference.registry, options.registry);
      const store = new RegistryStore(client, reference.repository);
      try {
        const first = reference.digest
          ? await store.manifestByDigest(reference.digest)
          : await store.manifestByTag(reference.tag ?? 'latest');
        return await fromStore(store, reference, name, first, options, {
          host: reference.registry,
          repository: reference.repository,
        });
      } catch (err) {
        await store.close();
        throw err;
      }
    }
    case 'docker-archive':
      return openDockerArchive(reference, name, options);
  }
}

/**
 * The document an OCI layout reference starts from: a digest names a blob; a
 * ref names index.json entries (several entries with one name are chosen
 * between by platform, like an index); no ref means index.json's only entry,
 * or a choice by platform when every entry has one.
 */
async function layoutRoot(
  store: OciLayoutStore,
  reference: Extract<ImageReference, { transport: 'oci' }>,
  platform: Platform | undefined
): Promise<ManifestBytes> {
  if (reference.digest) return store.manifestByDigest(reference.digest);
  const all = store.index.manifests;
  const named = reference.ref !== undefined ? store.entriesNamed(reference.ref) : all;
  if (named.length === 0) {
    const refs = store.refNames();
    throw new ImageError({
      code: 'MANIFEST_NOT_FOUND',
      message: `${store.description} has no image named ${printable(reference.ref ?? '', 100)}; names: ${
        refs.length > 0 ? refs.map((r) => printable(r, 60)).join(', ') : 'none'
      }`,
    });
  }
  const digests = new Set(named.map((d) => d.digest));
  if (digests.size === 1) return store.manifestByDigest(named[0]!.digest, named[0]);
  if (named.every((d) => d.platform || isAttestationEntry(d))) {
    const chosen = selectPlatformEntry(named, platform ?? DEFAULT_PLATFORM, store.description);
    return store.manifestByDigest(chosen.digest, chosen);
  }
  const refs = store.refNames();
  throw new ImageError({
    code: 'BAD_REFERENCE',
    message: `${store.description} holds ${digests.size} images; name one (oci:DIR:NAME or oci:DIR@sha256:…)${
      refs.length > 0 ? `; names: ${refs.map((r) => printable(r, 60)).join(', ')}` : ''
    }`,
  });
}

async function fromStore(
  store: BlobStore,
  reference: ImageReference,
  name: string,
  first: ManifestBytes,
  options: ResolveOptions,
  registry: ResolvedImage['registry']
): Promise<ImageHandle> {
  let current = first;
  let doc = parseManifestOrIndex(current.bytes, current.claimedType, `${name} manifest`);
  let indexDigest: Digest | undefined;
  let via: Descriptor | undefined;
  for (let depth = 0; doc.kind === 'index'; depth++) {
    if (depth >= MAX_INDEX_DEPTH) {
      throw new ImageError({
        code: 'NESTING_TOO_DEEP',
        message: `${name}: indexes nested deeper than ${MAX_INDEX_DEPTH}`,
      });
    }
    indexDigest ??= current.digest;
    via = selectPlatformEntry(
      doc.manifests,
      options.platform ?? DEFAULT_PLATFORM,
      `${name} index ${current.digest}`
    );
    current = await store.manifestByDigest(via.digest, via);
    doc = parseManifestOrIndex(current.bytes, via.mediaType, `${name} manifest ${via.digest}`);
  }
  const manifest = doc;
  const what = `${name} manifest ${current.digest}`;
  if (!isImageConfigType(manifest.config.mediaType)) {
    throw new ImageError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `${what}: config media type ${printable(manifest.config.mediaType, 100)} is not an image config (an artifact, not an image)`,
    });
  }
  const configBytes = await store.readBlob(manifest.config, DOCUMENT_LIMITS.configBytes);
  const config = parseImageConfig(configBytes, `${name} config ${manifest.config.digest}`);
  checkPlatform(config, via, options.platform, name);
  const layers = imageLayers(manifest, config, what);
  const image: ResolvedImage = {
    reference,
    name,
    manifestDigest: current.digest,
    manifestMediaType: manifest.mediaType,
    manifestBytes: current.bytes,
    manifest,
    configDigest: manifest.config.digest,
    configMediaType: manifest.config.mediaType,
    configBytes,
    config,
    platform: config.platform,
    layers,
  };
  if (indexDigest) image.indexDigest = indexDigest;
  if (registry) image.registry = registry;
  return new ImageHandle(
    image,
    (layer) =>
      store.openBlob({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }),
    store.remote,
    () => store.close()
  );
}
