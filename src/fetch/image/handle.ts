import type { Readable } from 'node:stream';
import type { Digest, ImageConfig, ImageLayer, ImageManifest, Platform } from '../../model/oci.js';
import { mapLimit } from '../../util/pool.js';
import type { ContentCache } from '../cache.js';
import { REGISTRY_RETRY } from '../registry/client.js';
import type { RetryPolicy } from '../retry.js';
import { ImageError, RegistryError } from './errors.js';
import type { ImageReference } from './reference.js';
import { spoolLayer, type SpooledLayer } from './spool.js';

/** Lambda's limit on an image's uncompressed size, the default cap on spooled bytes. */
export const DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 ** 3;

/** A resolved image: one platform, every document verified. */
export interface ResolvedImage {
  reference: ImageReference;
  /** The reference as text. */
  name: string;
  /** The index the reference named, when it named one (the outermost). */
  indexDigest?: Digest;
  /** The platform manifest's digest; absent for a docker-archive, which has none. */
  manifestDigest?: Digest;
  manifestMediaType?: string;
  /** The verified manifest bytes (absent for a docker-archive). */
  manifestBytes?: Buffer;
  manifest?: ImageManifest;
  configDigest: Digest;
  configMediaType: string;
  configBytes: Buffer;
  config: ImageConfig;
  /** The platform of the image (from its config). */
  platform: Platform;
  layers: readonly ImageLayer[];
  /** `registry` only: the registry host and repository. */
  registry?: { host: string; repository: string };
}

/** Options for bringing layers into the cache. */
export interface LayerFetchOptions {
  /** Cap on the uncompressed size of all layers together (default 10 GiB). */
  maxImageBytes?: number;
  /** Layers fetched at once (default 2). */
  concurrency?: number;
  retry?: RetryPolicy;
}

/** A resolved image and the means to bring its layers in. Call `close` when done. */
export class ImageHandle {
  constructor(
    readonly image: ResolvedImage,
    private readonly openLayer: (layer: ImageLayer) => Promise<Readable>,
    private readonly remote: boolean,
    private readonly closer: () => Promise<void>
  ) {}

  /**
   * Every layer into `cache` (a `ContentCache` with extension `tar`), in
   * manifest order, each verified against digest, size and diffID.
   */
  async spoolLayers(cache: ContentCache, options: LayerFetchOptions = {}): Promise<SpooledLayer[]> {
    if (cache.extension !== 'tar') {
      throw new RegistryError({
        code: 'CACHE_ERROR',
        message: 'image layers need a cache with extension tar',
      });
    }
    const max = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
    let used = 0;
    return mapLimit(this.image.layers, options.concurrency ?? 2, async (layer) => {
      const s = await spoolLayer(layer, () => this.openLayer(layer), cache, {
        maxBytes: Math.max(0, max - used),
        remote: this.remote,
        retry: options.retry ?? REGISTRY_RETRY,
      });
      used += s.size;
      if (used > max) {
        throw new ImageError({
          code: 'LAYER_TOO_LARGE',
          message: `${this.image.name}: layers expand beyond ${max} bytes`,
        });
      }
      return s;
    });
  }

  /** One layer's stored (compressed) bytes, unverified: for callers that verify themselves. */
  openStoredLayer(layer: ImageLayer): Promise<Readable> {
    return this.openLayer(layer);
  }

  close(): Promise<void> {
    return this.closer();
  }
}
