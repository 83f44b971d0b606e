import { UsageError } from '../../errors.js';
import type { Artifact } from '../../model/inventory.js';
import { ContentCache, codeSha256ToHex } from '../cache.js';
import { downloadToCache } from '../download.js';
import { FetchError } from '../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import type { ClientFactory, Principal } from './clients.js';
import {
  describeLayerVersion,
  parseLayerVersionArn,
  type LayerContent,
  type LayerVersionRecord,
} from './enumerate.js';
import type { ApiFailure } from './errors.js';

/** A layer version whose zip is in the cache, verified against CodeSha256 and CodeSize. */
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

export interface FetchLayerOptions {
  cacheDir: string;
  /** Our retries for API calls (on top of the SDK's) and for the download. */
  apiRetry?: RetryPolicy;
  downloadRetry?: RetryPolicy;
  /** Whose credentials look the ARN up (default: the base credentials). */
  principal?: Principal;
}

/**
 * GetLayerVersionByArn (in the ARN's region) and bring the zip into the cache
 * through the same digest-checking downloader the scan uses.
 *
 * @throws UsageError when the ARN is malformed or AWS says it does not exist
 *   (ResourceNotFound, InvalidParameterValue): the user typed a bad ARN (exit 2).
 * @throws FetchError when it could not be read (access denied, unreachable
 *   endpoint, bad digest...): exit 3.
 */
export async function fetchLayerVersion(
  factory: ClientFactory,
  arn: string,
  options: FetchLayerOptions
): Promise<FetchedLayer> {
  const parsed = parseLayerVersionArn(arn);
  if (!parsed) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION): ${arn}`,
    });
  }
  const apiRetry = options.apiRetry ?? DEFAULT_RETRY;
  const record: LayerVersionRecord = {
    arn,
    ...parsed,
    listed: false,
    content: undefined,
    failure: undefined,
    lookups: [
      {
        principal: options.principal ?? { label: 'default', credentials: undefined },
        region: parsed.region,
      },
    ],
  };
  const got = await describeLayerVersion(factory, record, apiRetry);
  if ('code' in got) throw failureError(got);
  const hex = layerHex(arn, got.codeSha256);
  const dl = await downloadToCache(
    new ContentCache(options.cacheDir),
    {
      hex,
      size: got.codeSize,
      url: got.location,
      refreshUrl: async () => {
        const fresh = await describeLayerVersion(factory, record, apiRetry);
        return 'code' in fresh ? fresh : { url: fresh.location };
      },
    },
    { retry: options.downloadRetry ?? DEFAULT_RETRY }
  );
  if (!dl.ok) throw new FetchError({ code: dl.code, message: `${arn}: ${dl.reason}` });
  return { arn, ...parsed, content: got, hex, path: dl.path, cached: dl.cached };
}

/** The artifact facts of a fetched layer, for inventory and the SBOM's layer component. */
export function layerArtifact(layer: FetchedLayer, size: number): Artifact {
  const properties: Record<string, string> = {
    'lambda:layer-version-arn': layer.arn,
    'lambda:layer-version': String(layer.version),
  };
  if (layer.content.signingProfileVersionArn)
    properties['lambda:signing-profile-version-arn'] = layer.content.signingProfileVersionArn;
  if (layer.content.signingJobArn)
    properties['lambda:signing-job-arn'] = layer.content.signingJobArn;
  return { name: layer.arn, kind: 'zip', sha256: layer.hex, size, properties };
}

/**
 * An API failure as the CLI reports it: "it does not exist" or "that is not a
 * valid ARN" is the user's input (exit 2); everything else is exit 3.
 */
export function failureError(f: ApiFailure): UsageError | FetchError {
  if (f.code === 'NOT_FOUND' || /InvalidParameterValueException/.test(f.reason))
    return new UsageError({ code: 'BAD_INPUT', message: f.reason });
  return new FetchError({ code: f.code, message: f.reason });
}

/** CodeSha256 (base64) as hex; a value that is not a sha256 is an API error. */
export function layerHex(arn: string, codeSha256: string): string {
  const hex = codeSha256ToHex(codeSha256);
  if (!hex) {
    throw new FetchError({
      code: 'API_ERROR',
      message: `${arn}: CodeSha256 ${codeSha256} is not a sha256`,
    });
  }
  return hex;
}
