/**
 * A deployed container-image function's image, as both the scan and verify read it: the image
 * Lambda resolved at deploy (GetFunction's `ResolvedImageUri`, an ECR image by digest), why the
 * function's own repository cannot serve it (ACCESS_DENIED, IMAGE_ARCHIVED), and the image
 * opened from ECR with a token for the function's principal, for the function's architecture;
 * and, for `sbom --function`, that image inventoried with what Lambda says about the function
 * (ARN, CodeSha256, image URIs and its own EntryPoint, Command and WorkingDirectory).
 */
import { BaseError, UnpackError } from '../errors.js';
import {
  EcrAccess,
  getImageFunctionCode,
  parseEcrImageUri,
  type EcrImageUri,
  type ImageFunctionCode,
  type RepositoryFacts,
} from '../fetch/aws/ecr-images.js';
import type { FunctionRecord, Lookup } from '../fetch/aws/enumerate.js';
import type { ApiFailure } from '../fetch/aws/errors.js';
import { ImageError } from '../fetch/image/errors.js';
import type { ClientFactory, Principal } from '../fetch/aws/clients.js';
import type { RegistryClientOptions } from '../fetch/registry/client.js';
import type { RetryPolicy } from '../fetch/retry.js';
import type { FunctionInfo } from '../fetch/aws/function.js';
import { failureError } from '../fetch/aws/errors.js';
import type { Platform } from '../model/oci.js';
import { archivedImageReason } from '../scan/image-result.js';
import type { ImageFunctionFacts } from '../sbom/image.js';
import type { AwsSession } from './aws.js';
import { functionPlatform, withEcrImage, type EcrImageAccess } from './ecr-image.js';
import { inventoryHandle, type ImageInventory } from './image.js';
import type { LimitOptions } from './options.js';

/** Why a function's image could not be read. */
export interface ImageFailure {
  code: string;
  reason: string;
  /**
   * A fact about the estate rather than something lamina could not read: the image is archived,
   * gone, or its documents are refused. Verify fails the image's verdict without making the run
   * incomplete (as for a deleted layer version).
   */
  fact?: boolean;
}

/** An image function's deployed image: its URIs and the ECR image by digest. */
export interface DeployedImage {
  code: ImageFunctionCode;
  image: EcrImageUri & { digest: string };
}

/** `host/repository` of an ECR image. */
export const repositoryKey = (i: EcrImageUri): string => `${i.host}/${i.repository}`;

/**
 * Who reads an image's repository: its owner where the run identified the owner's account (a
 * function's account may be granted a pull and no listing, or nothing), else `fallback` (the
 * function's own principal).
 */
export function repositoryReader(
  image: EcrImageUri,
  principals: ReadonlyMap<string, Principal> | undefined,
  fallback: Lookup
): Lookup {
  const owner = principals?.get(image.account);
  return owner ? { principal: owner, region: image.region } : fallback;
}

/** The image an image function runs (GetFunction), or why it cannot be told. */
export async function deployedImage(
  factory: ClientFactory,
  fn: Pick<FunctionRecord, 'name' | 'arn' | 'version'>,
  lookup: Lookup,
  retry: RetryPolicy
): Promise<DeployedImage | ApiFailure> {
  const got = await getImageFunctionCode(factory, fn, lookup, retry);
  if (!('resolvedImageUri' in got)) return got;
  const image = parseEcrImageUri(got.resolvedImageUri);
  if (!image?.digest)
    return {
      code: 'API_ERROR',
      reason: `${fn.arn}: ResolvedImageUri ${got.resolvedImageUri} is not an ECR image by digest`,
    };
  return { code: got, image: { ...image, digest: image.digest } };
}

/** Why a function cannot read its image from its own repository, if it cannot. */
export function repositoryFailure(
  facts: RepositoryFacts | ApiFailure | undefined,
  image: EcrImageUri
): ImageFailure | undefined {
  if (!facts) return { code: 'API_ERROR', reason: `${repositoryKey(image)}: not described` };
  if ('code' in facts) return facts;
  const detail = facts.images.find((i) => i.imageDigest === image.digest);
  if (detail?.imageStatus === 'ARCHIVED' && image.digest)
    return {
      code: 'IMAGE_ARCHIVED',
      reason: archivedImageReason(repositoryKey(image), image.digest),
      fact: true,
    };
  return undefined;
}

/**
 * {@link withEcrImage} at `digest` as `lookup`'s principal, with the failure said rather than
 * thrown: errors from lamina's own stages (BaseError) are the image's failure, image and layer
 * refusals marked as facts about the estate; anything else is thrown.
 */
export async function tryEcrImage<T>(
  ecr: EcrAccess,
  lookup: Lookup,
  image: EcrImageUri,
  digest: string,
  options: {
    platform: Platform | undefined;
    retry: RetryPolicy;
    onRequest?: RegistryClientOptions['onRequest'];
  },
  use: (access: EcrImageAccess) => Promise<T>
): Promise<{ ok: true; value: T } | { ok: false; failure: ImageFailure }> {
  try {
    const value = await withEcrImage(
      ecr,
      { ...image, digest },
      {
        lookup,
        retry: options.retry,
        ...(options.platform ? { platform: options.platform } : {}),
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      },
      use
    );
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof BaseError)) throw err;
    const code = (err as BaseError<string>).code;
    const fact = err instanceof ImageError || err instanceof UnpackError;
    return { ok: false, failure: { code, reason: err.message, ...(fact ? { fact } : {}) } };
  }
}

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
  // Lambda starts the image with the function's own entry point, command and working directory.
  const config = fn.image?.config;
  const inventory = await withEcrImage(
    new EcrAccess(session.factory, session.retry.api),
    image,
    { retry, ...(platform ? { platform } : {}) },
    ({ handle }) =>
      inventoryHandle(handle, {
        cacheDir: session.cache.root,
        ...(options.limits ? { limits: options.limits } : {}),
        retry,
        ...(config ? { functionConfig: config } : {}),
      })
  );
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
