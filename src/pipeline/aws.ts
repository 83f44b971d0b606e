/**
 * One run's AWS access: the client factory, the run's retry plan and content cache, and the
 * step from what AWS answers to what it means for an input the user named.
 */
import { UsageError } from '../errors.js';
import { ContentCache } from '../fetch/cache.js';
import { FetchError } from '../fetch/errors.js';
import { ClientFactory, requireProfile } from '../fetch/aws/clients.js';
import { layerVersionRecord } from '../fetch/aws/enumerate.js';
import { failureError, namesNothing, type ApiFailure } from '../fetch/aws/errors.js';
import type { FunctionInfo } from '../fetch/aws/function.js';
import { fetchLayerZip, type FetchedLayer } from '../fetch/aws/layer.js';
import type { RetryPlan } from '../fetch/retry.js';
import { makeNamedDir } from '../util/fs.js';
import { resolveCacheDir, type AwsAccessOptions } from './options.js';

/** What every AWS step of one run shares. */
export interface AwsSession {
  factory: ClientFactory;
  retry: RetryPlan;
  cache: ContentCache;
}

/**
 * Run `fn` with a session; its clients are closed when it settles. With `downloads` (the
 * default) the cache directory is made first.
 * @throws UsageError BAD_ARGUMENT when the profile is not defined or the cache directory cannot
 *   be made, before any call
 */
export async function withAwsSession<T>(
  access: AwsAccessOptions,
  retry: RetryPlan,
  fn: (session: AwsSession) => Promise<T>,
  { downloads = true }: { downloads?: boolean } = {}
): Promise<T> {
  // An undefined profile is a usage error before any call, not a failure of each call.
  await requireProfile(access.aws?.profile);
  const root = resolveCacheDir(access.cacheDir);
  // Likewise a cache that cannot be made: not one failed download per zip, each retried.
  if (downloads) await makeNamedDir(root, `cannot make the cache directory ${root}`);
  const factory = new ClientFactory(access.aws ?? {});
  try {
    const cache = new ContentCache(root, 'zip', { rehash: access.rehashCache ?? false });
    return await fn({ factory, retry, cache });
  } finally {
    factory.destroy();
  }
}

/** The usage line for a malformed layer version ARN. */
export function notALayerVersionArn(arn: string): UsageError {
  return new UsageError({
    code: 'BAD_ARGUMENT',
    message: `not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION): ${arn}`,
  });
}

/**
 * An AWS failure about something the user named: "it does not exist" or "that is not a valid
 * name" is bad input (UsageError); anything else means the run could not complete (FetchError).
 */
export function namedInputError(f: ApiFailure): UsageError | FetchError {
  if (namesNothing(f)) return new UsageError({ code: 'BAD_INPUT', message: f.reason });
  return failureError(f);
}

/** Rethrow a FetchError about a named input as {@link namedInputError} says. */
export function asNamedInput(err: unknown): never {
  if (err instanceof FetchError) throw namedInputError({ code: err.code, reason: err.message });
  throw err;
}

/**
 * Who names a layer version: the user (`named`: AWS saying it does not exist is bad input), or
 * a function or the estate listing it (`listed`: its absence is a fact about them).
 */
export type LayerRef = 'named' | 'listed';

/**
 * A layer version, by ARN, in the cache.
 * @throws for a `named` layer, UsageError when the ARN is malformed or AWS says it does not
 *   exist; otherwise FetchError (code NOT_FOUND for those), also when AWS or the content
 *   could not be read
 */
export async function fetchLayer(
  session: AwsSession,
  arn: string,
  ref: LayerRef
): Promise<FetchedLayer> {
  const lv = layerVersionRecord(arn);
  if (!lv) {
    const bad = notALayerVersionArn(arn);
    throw ref === 'named' ? bad : failureError({ code: 'NOT_FOUND', reason: bad.message });
  }
  const got = await fetchLayerZip(session.factory, lv, session);
  if (got.ok) return got.layer;
  // Only the lookup speaks about the name; a failed download means the run could not complete.
  if (got.step === 'describe') throw ref === 'named' ? namedInputError(got) : failureError(got);
  throw failureError({ code: got.code, reason: `${arn}: ${got.reason}` });
}

/** Refuse what the function use cases cannot read yet. */
export function requireZipFunction(fn: FunctionInfo, useCase: string): void {
  if (fn.packageType === 'Image') {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${fn.arn}: container image functions: not supported by ${useCase} yet`,
    });
  }
}

/** The artifact facts of a fetched layer, for its inventory and the SBOM's layer component. */
export function layerArtifactFacts(layer: FetchedLayer): {
  name: string;
  properties: Record<string, string>;
} {
  const properties: Record<string, string> = {
    'lambda:layer-version-arn': layer.arn,
    'lambda:layer-version': String(layer.version),
  };
  if (layer.content.signingProfileVersionArn)
    properties['lambda:signing-profile-version-arn'] = layer.content.signingProfileVersionArn;
  if (layer.content.signingJobArn)
    properties['lambda:signing-job-arn'] = layer.content.signingJobArn;
  return { name: layer.arn, properties };
}
