/**
 * The image of a container-image function, for `sbom --function`: GetFunction's
 * `ResolvedImageUri` (the digest Lambda runs, not whatever the tag names now), read from ECR
 * with a registry token for its account and Region, for the platform of the function's
 * `Architectures`, and what Lambda says about the function (ARN, CodeSha256, image URIs and its
 * own EntryPoint, Command and WorkingDirectory).
 */
import { EcrAccess, parseEcrImageUri } from '../fetch/aws/ecr-images.js';
import type { FunctionInfo } from '../fetch/aws/function.js';
import { failureError } from '../fetch/aws/errors.js';
import type { ImageFunctionFacts } from '../sbom/image.js';
import type { AwsSession } from './aws.js';
import { functionPlatform, withEcrImage } from './ecr-image.js';
import { inventoryHandle, type ImageInventory } from './image.js';
import type { LimitOptions } from './options.js';

/** An image function's image, inventoried, and the function's facts for its SBOM. */
export interface FunctionImageInventory {
  inventory: ImageInventory;
  facts: ImageFunctionFacts;
}

/**
 * Read and inventory the image an image function runs.
 * @throws FetchError (API_ERROR) when GetFunction names no ECR image by digest, or no registry
 *   token could be had; ImageError and RegistryError as the registry read
 */
export async function readFunctionImage(
  session: AwsSession,
  fn: FunctionInfo,
  options: LimitOptions = {}
): Promise<FunctionImageInventory> {
  const resolved = fn.image?.resolvedImageUri;
  const image = resolved === undefined ? undefined : parseEcrImageUri(resolved);
  if (!image?.digest)
    throw failureError({
      code: 'API_ERROR',
      reason: `GetFunction ${fn.arn}: ${resolved === undefined ? 'no ResolvedImageUri' : `ResolvedImageUri ${resolved} is not an ECR image by digest`}`,
    });
  const platform = functionPlatform(fn.architectures);
  const retry = session.retry.download;
  const inventory = await withEcrImage(
    new EcrAccess(session.factory, session.retry.api),
    image,
    { retry, ...(platform ? { platform } : {}) },
    (handle) =>
      inventoryHandle(handle, {
        cacheDir: session.cache.root,
        ...(options.limits ? { limits: options.limits } : {}),
        retry,
      })
  );
  const config = fn.image?.config;
  return {
    inventory,
    facts: {
      functionArn: fn.arn,
      ...(fn.codeSha256 !== undefined ? { codeSha256: fn.codeSha256 } : {}),
      imageUri: fn.image?.imageUri ?? resolved!,
      resolvedImageUri: resolved!,
      architectures: fn.architectures,
      ...(config ? { imageConfig: config } : {}),
    },
  };
}
