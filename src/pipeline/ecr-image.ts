/**
 * Reading one image from Amazon ECR with a registry token from `ecr:GetAuthorizationToken`: the
 * one path `lamina scan` (each image function's digest), `sbom --function` and a registry
 * reference to an ECR host share. The token goes only to the registry it was issued for, or to
 * the loopback front a local endpoint names as its `proxyEndpoint` (see {@link EcrAccess}); a
 * token the registry refuses (expired, revoked) is renewed once, then the refusal stands.
 */
import { BaseError } from '../errors.js';
import { DEFAULT_PRINCIPAL } from '../fetch/aws/clients.js';
import {
  ecrRegistryOptions,
  parseEcrImageUri,
  type EcrAccess,
  type EcrImageUri,
} from '../fetch/aws/ecr-images.js';
import type { Lookup } from '../fetch/aws/enumerate.js';
import { failureError } from '../fetch/aws/errors.js';
import type { ImageHandle } from '../fetch/image/handle.js';
import { resolveImage } from '../fetch/image/resolve.js';
import type { RegistryClientOptions } from '../fetch/registry/client.js';
import type { RetryPolicy } from '../fetch/retry.js';
import type { Platform } from '../model/oci.js';

/** Lambda's architecture names as OCI platforms. */
const ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

/** The platform a function with these `Architectures` runs (Lambda has one per function). */
export function functionPlatform(architectures: readonly string[]): Platform | undefined {
  const arch = ARCH[architectures[0] ?? 'x86_64'];
  return arch ? { os: 'linux', architecture: arch } : undefined;
}

/** Options for {@link withEcrImage}. */
export interface EcrImageOptions {
  /** The principal and Region whose token to use; default the caller's, in the image's Region. */
  lookup?: Lookup;
  platform?: Platform;
  /** Retries of registry requests. */
  retry?: RetryPolicy;
  /** Called for every registry request, by kind (statistics). */
  onRequest?: RegistryClientOptions['onRequest'];
}

/** A resolved ECR image and how to reach its repository again (signatures, indexes). */
export interface EcrImageAccess {
  handle: ImageHandle;
  /** The registry host and client options carrying the token to its API host only. */
  registry: { host: string; options: RegistryClientOptions };
}

/**
 * Resolve an ECR image (by digest, else by tag) and run `use` on its handle, which is closed
 * afterwards. A registry refusing the token (`AUTH_FAILED`), in resolving or in `use`, gets one
 * fresh token and a second try.
 * @throws FetchError when no token could be had (code as AWS answered, e.g. ACCESS_DENIED);
 *   ImageError and RegistryError as {@link resolveImage}; whatever `use` throws
 */
export async function withEcrImage<T>(
  ecr: EcrAccess,
  image: EcrImageUri,
  options: EcrImageOptions,
  use: (access: EcrImageAccess) => Promise<T>
): Promise<T> {
  const lookup = options.lookup ?? { principal: DEFAULT_PRINCIPAL, region: image.region };
  for (let attempt = 0; ; attempt++) {
    const session = await ecr.session(lookup, image);
    if ('code' in session) throw failureError(session);
    const reached = ecrRegistryOptions(
      image,
      session,
      options.retry ?? { attempts: 4, baseMs: 250, capMs: 8_000 }
    );
    const host = reached.host;
    const registry = options.onRequest
      ? { ...reached.options, onRequest: options.onRequest }
      : reached.options;
    try {
      const handle = await resolveImage(
        {
          transport: 'registry',
          registry: host,
          repository: image.repository,
          ...(image.digest
            ? { digest: image.digest as `sha256:${string}` }
            : { tag: image.tag ?? 'latest' }),
        },
        { registry, ...(options.platform ? { platform: options.platform } : {}) }
      );
      try {
        return await use({ handle, registry: { host, options: registry } });
      } finally {
        await handle.close();
      }
    } catch (err) {
      // An expired or revoked token: one fresh token, then the refusal stands.
      if (err instanceof BaseError && err.code === 'AUTH_FAILED' && attempt === 0) {
        ecr.renew(lookup, image);
        continue;
      }
      throw err;
    }
  }
}

/** The ECR image a registry reference names, or undefined when its host is not ECR. */
export function ecrImageOf(reference: {
  transport: string;
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
}): EcrImageUri | undefined {
  if (reference.transport !== 'registry' || !reference.registry || !reference.repository)
    return undefined;
  const at = reference.digest ? `@${reference.digest}` : `:${reference.tag ?? 'latest'}`;
  return parseEcrImageUri(`${reference.registry}/${reference.repository}${at}`);
}
