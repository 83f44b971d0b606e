/**
 * Bringing a layer version's zip into the content cache: the one path every command takes
 * (scan, verify, sbom): GetLayerVersionByArn when its Content is not known yet, then the
 * digest-checking download, asking for a fresh presigned URL whenever one expires.
 */
import { codeSha256ToHex, type ContentCache } from '../cache.js';
import { downloadToCache } from '../download.js';
import type { RetryPlan } from '../retry.js';
import type { ClientFactory } from './clients.js';
import { describeLayerVersion, type LayerContent, type LayerVersionRecord } from './enumerate.js';
import type { ApiFailure } from './errors.js';

/**
 * A layer version whose zip is in the cache, verified against CodeSha256 and CodeSize when it
 * was written; open it with `inventoryZipFile`, which checks it still hashes to `hex`.
 */
export interface FetchedLayer {
  arn: string;
  region: string;
  owner: string;
  name: string;
  version: number;
  content: LayerContent;
  /** sha256 (hex) of the zip: CodeSha256 decoded. */
  hex: string;
  /** Path of the zip in the content cache. */
  path: string;
  /** True when the zip was already in the cache (no content request made). */
  cached: boolean;
}

/** Options for {@link fetchLayerZip}. */
export interface FetchLayerZipOptions {
  cache: ContentCache;
  retry: RetryPlan;
  /** Called with the byte count of every chunk received. */
  onBytes?: (n: number) => void;
  /** Called once per HTTP request made for content. */
  onRequest?: () => void;
}

/**
 * What {@link fetchLayerZip} brings back: the layer, or why it could not, and at which step
 * (`describe`: GetLayerVersionByArn; `content`: its CodeSha256 or the download).
 */
export type LayerZipOutcome =
  { ok: true; layer: FetchedLayer } | ({ ok: false; step: 'describe' | 'content' } & ApiFailure);

/**
 * The zip of an (enumerated or named) layer version, in the cache. Uses `lv.content` when the
 * enumeration already described it. Never throws for a failure AWS or the content host reports;
 * the outcome carries it.
 */
export async function fetchLayerZip(
  factory: ClientFactory,
  lv: LayerVersionRecord,
  options: FetchLayerZipOptions
): Promise<LayerZipOutcome> {
  let content = lv.content;
  if (!content) {
    const got = await describeLayerVersion(factory, lv, options.retry.api);
    if ('code' in got) return { ok: false, step: 'describe', ...got };
    content = got;
  }
  const hex = codeSha256ToHex(content.codeSha256);
  if (!hex) {
    return {
      ok: false,
      step: 'content',
      code: 'API_ERROR',
      reason: `CodeSha256 ${content.codeSha256} is not a sha256`,
    };
  }
  const dl = await downloadToCache(
    options.cache,
    {
      hex,
      size: content.codeSize,
      url: content.location,
      refreshUrl: async () => {
        const fresh = await describeLayerVersion(factory, lv, options.retry.api);
        return 'code' in fresh ? fresh : { url: fresh.location };
      },
    },
    {
      retry: options.retry.download,
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    }
  );
  if (!dl.ok) return { ok: false, step: 'content', code: dl.code, reason: dl.reason };
  const { arn, region, owner, name, version } = lv;
  return {
    ok: true,
    layer: { arn, region, owner, name, version, content, hex, path: dl.path, cached: dl.cached },
  };
}
