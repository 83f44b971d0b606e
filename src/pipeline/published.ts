/**
 * Reading what is published in AWS for the SBOM use cases: a layer version's zip, or a
 * function's configuration and each of its layers' zips, into the content cache. Loaded only
 * when an SBOM is asked of AWS, so a local zip never loads the AWS SDK.
 */
import { getFunctionInfo, type FunctionInfo } from '../fetch/aws/function.js';
import { RETRY } from '../fetch/retry.js';
import {
  asNamedInput,
  fetchLayer,
  layerArtifactFacts,
  requireZipFunction,
  withAwsSession,
  type AwsSession,
} from './aws.js';
import type { AwsAccessOptions } from './options.js';

/** A layer zip in the cache and what its inventory's artifact says about it. */
export interface CachedLayerZip {
  arn: string;
  path: string;
  /** The sha256 (hex) the zip is cached under: its CodeSha256. */
  hex: string;
  facts: { name: string; properties: Record<string, string> };
}

/**
 * A layer version the user named by ARN.
 * @throws UsageError for a malformed or unknown ARN; FetchError when it could not be fetched
 */
export async function fetchPublishedLayer(
  access: AwsAccessOptions,
  arn: string
): Promise<CachedLayerZip> {
  return withAwsSession(access, RETRY.lookup, async (session) => {
    const layer = await fetchLayer(session, arn, 'named');
    return { arn, path: layer.path, hex: layer.hex, facts: layerArtifactFacts(layer) };
  });
}

/** A function and its code: each layer of a zip function, or what `readImage` made of its image. */
export interface FunctionCode<T> {
  fn: FunctionInfo;
  /** Zip functions: each layer, in attach order. */
  layers: CachedLayerZip[];
  /** Image functions: `readImage`'s result. */
  image?: T;
}

/**
 * A function (GetFunction) and, for a zip function, each of its layers in attach order; for an
 * image function, `readImage` run with the same AWS session.
 * @throws UsageError when the function does not exist (or is an image function and no
 *   `readImage` is given); FetchError when it or one of its layers could not be fetched
 */
export async function fetchFunctionLayers<T = never>(
  access: AwsAccessOptions,
  name: string,
  region: string,
  readImage?: (session: AwsSession, fn: FunctionInfo) => Promise<T>
): Promise<FunctionCode<T>> {
  return withAwsSession(access, RETRY.lookup, async (session) => {
    const fn = await getFunctionInfo(session.factory, name, region, session.retry.api).catch(
      asNamedInput
    );
    if (fn.packageType === 'Image' && readImage)
      return { fn, layers: [], image: await readImage(session, fn) };
    requireZipFunction(fn, 'sbom --function');
    const layers: CachedLayerZip[] = [];
    for (const arn of fn.layers) {
      // The user named the function, not this ARN: a layer version it can no longer read
      // (deleted, not shared) means the SBOM cannot be completed.
      const layer = await fetchLayer(session, arn, 'listed');
      layers.push({ arn, path: layer.path, hex: layer.hex, facts: layerArtifactFacts(layer) });
    }
    return { fn, layers };
  });
}
