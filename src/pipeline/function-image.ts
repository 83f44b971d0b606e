/**
 * A deployed container-image function's image, as both the scan and verify read it: the image
 * Lambda resolved at deploy (GetFunction's `ResolvedImageUri`, an ECR image by digest), why the
 * function's own repository cannot serve it (ACCESS_DENIED, IMAGE_ARCHIVED), and the image
 * opened from ECR with a token for the function's principal, for the function's architecture.
 */
import { BaseError, UnpackError } from '../errors.js';
import {
  ecrRegistryOptions,
  getImageFunctionCode,
  parseEcrImageUri,
  type EcrAccess,
  type EcrImageUri,
  type ImageFunctionCode,
  type RepositoryFacts,
} from '../fetch/aws/ecr-images.js';
import type { FunctionRecord, Lookup } from '../fetch/aws/enumerate.js';
import type { ApiFailure } from '../fetch/aws/errors.js';
import type { ImageHandle } from '../fetch/image/handle.js';
import { ImageError } from '../fetch/image/errors.js';
import { resolveImage } from '../fetch/image/resolve.js';
import type { RegistryClientOptions } from '../fetch/registry/client.js';
import type { ClientFactory } from '../fetch/aws/clients.js';
import type { RetryPolicy } from '../fetch/retry.js';
import type { Digest, Platform } from '../model/oci.js';

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
  if (detail?.imageStatus === 'ARCHIVED')
    return {
      code: 'IMAGE_ARCHIVED',
      reason: `${repositoryKey(image)}@${image.digest} is archived in ECR; restore it to read it`,
      fact: true,
    };
  return undefined;
}

const ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

/** The platform a function runs on, from its Architectures (default x86_64). */
export function functionPlatform(architectures: readonly string[]): Platform | undefined {
  const arch = ARCH[architectures[0] ?? 'x86_64'];
  return arch ? { os: 'linux', architecture: arch } : undefined;
}

/** A resolved ECR image and how to reach its repository again (signatures, indexes). */
export interface EcrImageAccess {
  handle: ImageHandle;
  /** `host[:port]` of the registry API and client options carrying the token to it only. */
  registry: { host: string; options: RegistryClientOptions };
}

/**
 * Resolve `image` at `digest` from ECR as `lookup`'s principal and run `use` on it (the handle is
 * closed after), or say why it could not be read. A token the registry refuses is renewed once; then the refusal stands. Errors
 * from lamina's own stages (BaseError) are returned as the image's failure; others are thrown.
 */
export async function withEcrImage<T>(
  ecr: EcrAccess,
  lookup: Lookup,
  image: EcrImageUri,
  digest: string,
  options: { platform: Platform | undefined; retry: RetryPolicy },
  use: (access: EcrImageAccess) => Promise<T>
): Promise<{ ok: true; value: T } | { ok: false; failure: ImageFailure }> {
  for (let attempt = 0; ; attempt++) {
    const session = await ecr.session(lookup, image);
    if ('code' in session) return { ok: false, failure: session };
    const registry = ecrRegistryOptions(image, session, options.retry);
    try {
      const handle = await resolveImage(
        {
          transport: 'registry',
          registry: registry.host,
          repository: image.repository,
          digest: digest as Digest,
        },
        { registry: registry.options, ...(options.platform ? { platform: options.platform } : {}) }
      );
      try {
        return { ok: true, value: await use({ handle, registry }) };
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (!(err instanceof BaseError)) throw err;
      const code = (err as BaseError<string>).code;
      // An expired or revoked token: one fresh token, then the refusal stands.
      if (code === 'AUTH_FAILED' && attempt === 0) {
        ecr.renew(lookup, image);
        continue;
      }
      const fact = err instanceof ImageError || err instanceof UnpackError;
      return { ok: false, failure: { code, reason: err.message, ...(fact ? { fact } : {}) } };
    }
  }
}
