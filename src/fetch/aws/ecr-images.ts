/**
 * Reading the images of container-image functions: the function's image URIs (GetFunction),
 * ECR's facts about the repository (DescribeRepositories, DescribeImages), registry tokens per
 * registry (GetAuthorizationToken, cached until shortly before they expire, renewed once when
 * the registry refuses one), and a registry client for the token's `proxyEndpoint`.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import type { RegistryClientOptions } from '../registry/client.js';
import { decodeEcrToken, parseEcrHost, type EcrCredential } from '../registry/ecr.js';
import { isLoopbackHost } from '../registry/http.js';
import type { RetryPolicy } from '../retry.js';
import type { FunctionImageConfig } from '../../model/function-image-config.js';
import type { ClientFactory } from './clients.js';
import type { FunctionRecord, Lookup } from './enumerate.js';
import { classifyApiError, withRetry, type ApiFailure } from './errors.js';
import { functionImageConfig, imageConfigFailure } from './function.js';
import { ecrSdk } from './sdk.js';
import { lambdaSdk } from './sdk.js';

const { GetFunctionCommand } = lambdaSdk();

const {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
} = ecrSdk();

/** Where an image function's code comes from (GetFunction's `Code`). */
export interface ImageFunctionCode {
  imageUri: string;
  resolvedImageUri: string;
  /** The function's own entry point, command and working directory, when it sets any. */
  config?: FunctionImageConfig;
}

/** The image function's code location, or why it could not be read. */
export async function getImageFunctionCode(
  factory: ClientFactory,
  fn: Pick<FunctionRecord, 'name' | 'arn' | 'version'>,
  lookup: Lookup,
  retry: RetryPolicy
): Promise<ImageFunctionCode | ApiFailure> {
  try {
    const client = await factory.lambda(lookup.principal, lookup.region);
    const res = await withRetry(retry, () =>
      client.send(
        new GetFunctionCommand({
          FunctionName: fn.name,
          ...(fn.version !== '$LATEST' ? { Qualifier: fn.version } : {}),
        })
      )
    );
    const uri = res.Code?.ImageUri;
    const resolved = res.Code?.ResolvedImageUri;
    if (!resolved)
      return { code: 'API_ERROR', reason: `GetFunction ${fn.arn}: no ResolvedImageUri` };
    // What the function starts with is unknown: the image cannot be read as it runs.
    const failure = imageConfigFailure(res, fn.arn);
    if (failure) return failure;
    const config = functionImageConfig(res, fn.arn);
    return { imageUri: uri ?? resolved, resolvedImageUri: resolved, ...(config ? { config } : {}) };
  } catch (err) {
    return classifyApiError(err, `GetFunction ${fn.arn}`);
  }
}

/** An ECR image URI split: registry, repository, and a tag or digest. */
export interface EcrImageUri {
  host: string;
  account: string;
  region: string;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const IMAGE_URI =
  /^([^/]+)\/([a-z0-9._/-]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** Splits an ECR image URI; undefined for anything else (another registry, a bad URI). */
export function parseEcrImageUri(uri: string): EcrImageUri | undefined {
  const m = IMAGE_URI.exec(uri);
  if (!m) return undefined;
  const reg = parseEcrHost(m[1]!);
  if (!reg) return undefined;
  return {
    host: reg.host,
    account: reg.accountId,
    region: reg.region,
    repository: m[2]!,
    tag: m[3],
    digest: m[4],
  };
}

/** What ECR says about one repository: mutability and every image (archived included). */
export interface RepositoryFacts {
  tagMutability: string;
  images: ImageDetail[];
}

/** A registry token and where to use it. */
export interface EcrSession {
  /** `host[:port]` of the registry API the token is for. */
  apiHost: string;
  credential: EcrCredential;
}

const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Registry tokens and repository facts for one run. Tokens are cached per principal, registry
 * account and Region until five minutes before `expiresAt`; {@link EcrAccess.renew} drops one
 * the registry refused, so the next call asks for a new one.
 */
export class EcrAccess {
  private readonly tokens = new Map<string, Promise<EcrSession | ApiFailure>>();
  private readonly repos = new Map<string, Promise<RepositoryFacts | ApiFailure>>();
  /** GetAuthorizationToken calls made, for statistics and tests. */
  tokenRequests = 0;
  /** DescribeImages pages a full listing of each repository described needed (no retries). */
  describeImagesPages = 0;
  /** Repositories described (one DescribeRepositories each, retries aside). */
  repositoriesDescribed = 0;

  constructor(
    private readonly factory: ClientFactory,
    private readonly retry: RetryPolicy
  ) {}

  private key(lookup: Lookup, image: EcrImageUri): string {
    return `${lookup.principal.label}\0${image.account}\0${image.region}`;
  }

  /** A token for the image's registry, as the principal of `lookup`. */
  async session(lookup: Lookup, image: EcrImageUri): Promise<EcrSession | ApiFailure> {
    const key = this.key(lookup, image);
    const hit = this.tokens.get(key);
    if (hit) {
      const s = await hit;
      const exp = 'credential' in s ? s.credential.expiresAt?.getTime() : undefined;
      if ('code' in s || exp === undefined || exp - Date.now() > RENEW_BEFORE_MS) return s;
    }
    const p = this.fetchToken(lookup, image);
    this.tokens.set(key, p);
    return p;
  }

  /** Forget the token for this registry (the registry refused it). */
  renew(lookup: Lookup, image: EcrImageUri): void {
    this.tokens.delete(this.key(lookup, image));
  }

  private async fetchToken(lookup: Lookup, image: EcrImageUri): Promise<EcrSession | ApiFailure> {
    const what = `GetAuthorizationToken for ${image.host}`;
    try {
      const client = await this.factory.ecr(lookup.principal, image.region);
      const out = await withRetry(this.retry, () => {
        this.tokenRequests += 1;
        return client.send(new GetAuthorizationTokenCommand({ registryIds: [image.account] }));
      });
      const data = out.authorizationData?.[0];
      if (!data?.authorizationToken) return { code: 'API_ERROR', reason: `${what}: no token` };
      const credential: EcrCredential = decodeEcrToken(data.authorizationToken);
      if (data.expiresAt) credential.expiresAt = data.expiresAt;
      let apiHost = image.host;
      if (data.proxyEndpoint) {
        const proxy = new URL(data.proxyEndpoint);
        // The token goes only to the registry it names or, for a local endpoint, to loopback.
        if (proxy.host !== image.host && !isLoopbackHost(proxy.hostname))
          return {
            code: 'API_ERROR',
            reason: `${what}: proxyEndpoint ${proxy.host} is not ${image.host}; the token is not sent there`,
          };
        apiHost = proxy.host;
      }
      return { apiHost, credential };
    } catch (err) {
      return classifyApiError(err, what);
    }
  }

  /** DescribeRepositories and DescribeImages (every status), once per repository. */
  repository(lookup: Lookup, image: EcrImageUri): Promise<RepositoryFacts | ApiFailure> {
    const key = `${lookup.principal.label}\0${image.account}\0${image.region}\0${image.repository}`;
    let p = this.repos.get(key);
    if (!p) {
      p = this.describe(lookup, image);
      this.repos.set(key, p);
    }
    return p;
  }

  private async describe(
    lookup: Lookup,
    image: EcrImageUri
  ): Promise<RepositoryFacts | ApiFailure> {
    const name = `${image.host}/${image.repository}`;
    try {
      const client = await this.factory.ecr(lookup.principal, image.region);
      const repo = await withRetry(this.retry, () =>
        client.send(
          new DescribeRepositoriesCommand({
            registryId: image.account,
            repositoryNames: [image.repository],
          })
        )
      );
      const images: ImageDetail[] = [];
      let pages = 0;
      await withRetry(this.retry, async () => {
        images.length = 0;
        pages = 0;
        let nextToken: string | undefined;
        do {
          pages += 1;
          const page = await client.send(
            new DescribeImagesCommand({
              registryId: image.account,
              repositoryName: image.repository,
              filter: { imageStatus: 'ANY' },
              maxResults: 1000,
              ...(nextToken ? { nextToken } : {}),
            })
          );
          images.push(...(page.imageDetails ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      });
      this.repositoriesDescribed += 1;
      this.describeImagesPages += pages;
      return {
        tagMutability: repo.repositories?.[0]?.imageTagMutability ?? 'MUTABLE',
        images,
      };
    } catch (err) {
      return classifyApiError(err, `DescribeImages ${name}`);
    }
  }
}

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** Whether a manifest media type is an index (a multi-platform image). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.includes(mediaType);
}

/**
 * The child manifest digests of an index in a repository (BatchGetImage), or why not. The index
 * bytes are hashed before they are parsed: a digest that does not match is a failure.
 */
export async function indexChildren(
  factory: ClientFactory,
  lookup: Lookup,
  image: EcrImageUri,
  digest: string,
  retry: RetryPolicy
): Promise<string[] | ApiFailure> {
  const what = `BatchGetImage ${image.host}/${image.repository}@${digest}`;
  try {
    const client = await factory.ecr(lookup.principal, image.region);
    const out = await withRetry(retry, () =>
      client.send(
        new BatchGetImageCommand({
          registryId: image.account,
          repositoryName: image.repository,
          imageIds: [{ imageDigest: digest }],
          acceptedMediaTypes: INDEX_TYPES,
        })
      )
    );
    const text = out.images?.[0]?.imageManifest;
    if (text === undefined)
      return {
        code: 'API_ERROR',
        reason: `${what}: ${out.failures?.[0]?.failureCode ?? 'no image'}`,
      };
    const bytes = Buffer.from(text, 'utf8');
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest)
      return { code: 'BAD_DIGEST', reason: `${what}: the manifest does not hash to its digest` };
    if (bytes.length > 4 * 1024 * 1024) return { code: 'API_ERROR', reason: `${what}: too large` };
    const doc = JSON.parse(text) as { manifests?: { digest?: unknown }[] };
    return (doc.manifests ?? [])
      .map((m) => m.digest)
      .filter((d): d is string => typeof d === 'string');
  } catch (err) {
    return classifyApiError(err, what);
  }
}

/**
 * Registry client options that send `session`'s token to its API host and nowhere else. The
 * client names the image's own ECR host (references, messages, the SBOM's repository) and
 * talks to the token's API host (the same host on AWS; a local endpoint's registry front).
 */
export function ecrRegistryOptions(
  image: EcrImageUri,
  session: EcrSession,
  retry: RetryPolicy
): { host: string; options: RegistryClientOptions } {
  const registry = { host: image.host, accountId: image.account, region: image.region };
  return {
    host: image.host,
    options: {
      ecrRegistry: (host) => (host === image.host ? registry : undefined),
      ecrToken: () => Promise.resolve(session.credential),
      apiHost: (host) => (host === image.host ? session.apiHost : undefined),
      basicFirst: true,
      retry,
    },
  };
}
