/**
 * Amazon ECR's API over its JSON 1.1 protocol (`X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Operation>`), served from the estate's repositories:
 * GetAuthorizationToken, DescribeRepositories, DescribeImages, BatchGetImage,
 * ListImageReferrers, GetDownloadUrlForLayer.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Operations.html
 */
import { readFileSync } from 'node:fs';
import type { HandlerContext } from './context.js';
import type { EcrImage, EcrRepository } from './ecr-store.js';
import { regionIndex } from './estate-index.js';
import { ApiError, type ApiResult } from './wire.js';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

type Body = Record<string, unknown>;
type EcrHandler = (ctx: HandlerContext, body: Body) => ApiResult;

const HANDLERS: Record<string, EcrHandler> = {
  GetAuthorizationToken: getAuthorizationToken,
  DescribeRepositories: describeRepositories,
  DescribeImages: describeImages,
  BatchGetImage: batchGetImage,
  ListImageReferrers: listImageReferrers,
  GetDownloadUrlForLayer: getDownloadUrlForLayer,
};

/** The handler for an `X-Amz-Target` value, or undefined for an operation not served. */
export function routeEcr(
  method: string,
  target: string | undefined
): { op: string; handle: (ctx: HandlerContext) => ApiResult } | undefined {
  if (method !== 'POST' || !target?.startsWith(ECR_TARGET_PREFIX)) return undefined;
  const op = target.slice(ECR_TARGET_PREFIX.length);
  const h = HANDLERS[op];
  if (!h) return undefined;
  return {
    op,
    handle: (ctx) => {
      let body: unknown;
      try {
        body = ctx.body === '' ? {} : JSON.parse(ctx.body);
      } catch {
        throw new ApiError(400, 'SerializationException', 'request body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new ApiError(400, 'SerializationException', 'request body is not a JSON object');
      return h(ctx, body as Body);
    },
  };
}

const epoch = (d: Date): number => d.getTime() / 1000;

function invalid(message: string): ApiError {
  return new ApiError(400, 'InvalidParameterException', message);
}

function text(body: Body, key: string, required: true): string;
function text(body: Body, key: string, required?: false): string | undefined;
function text(body: Body, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(`${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`${key} must be a string`);
  return v;
}

function registryOf(ctx: HandlerContext, body: Body): string {
  const id = text(body, 'registryId') ?? ctx.caller.account;
  if (!/^\d{12}$/.test(id)) throw invalid(`Invalid registryId ${id}`);
  return id;
}

function repositoryArn(ctx: HandlerContext, account: string, name: string): string {
  return `arn:${ctx.estate.partition}:ecr:${ctx.region}:${account}:repository/${name}`;
}

function readable(ctx: HandlerContext, account: string, repo: EcrRepository): boolean {
  return account === ctx.caller.account || repo.sharedWith.includes(ctx.caller.account);
}

/** A repository the caller may read, or the error ECR gives. */
function repository(
  ctx: HandlerContext,
  body: Body,
  action: string
): {
  account: string;
  repo: EcrRepository;
} {
  const account = registryOf(ctx, body);
  const name = text(body, 'repositoryName', true);
  const repo = regionIndex(ctx.estate, account, ctx.region).repositoriesByName.get(name);
  if (!repo)
    throw new ApiError(
      400,
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${account}'`
    );
  if (!readable(ctx, account, repo))
    throw new ApiError(
      400,
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to perform: ecr:${action} on resource: ${repositoryArn(ctx, account, name)} because no resource-based policy allows the ecr:${action} action`
    );
  return { account, repo };
}

/** Offset pages with an opaque token, as ECR's `nextToken`. */
function pageOf<T>(items: T[], body: Body, list: string, max = 100): { items: T[]; next?: string } {
  const raw = body['maxResults'];
  const size =
    typeof raw === 'number' && Number.isInteger(raw) && raw > 0 ? Math.min(raw, 1000) : max;
  let start = 0;
  const token = text(body, 'nextToken');
  if (token !== undefined) {
    const m = /^([A-Za-z]+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m || m[1] !== list || Number(m[2]) > items.length) throw invalid('Invalid nextToken');
    start = Number(m[2]);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { next: Buffer.from(`${list}:${end}`).toString('base64url') } : {}),
  };
}

function getAuthorizationToken(ctx: HandlerContext, body: Body): ApiResult {
  const raw = body['registryIds'];
  const ids =
    Array.isArray(raw) && raw.length > 0
      ? raw.map((x) => {
          if (typeof x !== 'string' || !/^\d{12}$/.test(x))
            throw invalid(`Invalid registryId ${String(x)}`);
          return x;
        })
      : [ctx.caller.account];
  const token = ctx.ecr.issueToken(ctx.caller.account);
  return {
    body: {
      authorizationData: ids.map((id) => ({
        authorizationToken: token.authorizationToken,
        expiresAt: epoch(token.expiresAt),
        proxyEndpoint:
          ctx.ecr.proxyEndpoint(id, ctx.region) ??
          `https://${id}.dkr.ecr.${ctx.region}.amazonaws.com`,
      })),
    },
  };
}

function describeRepositories(ctx: HandlerContext, body: Body): ApiResult {
  const account = registryOf(ctx, body);
  const idx = regionIndex(ctx.estate, account, ctx.region);
  const names = body['repositoryNames'];
  let repos: EcrRepository[];
  if (Array.isArray(names) && names.length > 0) {
    repos = names.map(
      (n) =>
        repository(ctx, { registryId: account, repositoryName: n }, 'DescribeRepositories').repo
    );
  } else {
    repos = [...idx.repositoriesByName.values()]
      .filter((r) => readable(ctx, account, r))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  const p = pageOf(repos, body, 'DescribeRepositories');
  return {
    body: {
      repositories: p.items.map((r) => ({
        repositoryArn: repositoryArn(ctx, account, r.name),
        registryId: account,
        repositoryName: r.name,
        repositoryUri: `${account}.dkr.ecr.${ctx.region}.amazonaws.com/${r.name}`,
        createdAt: epoch(r.createdAt),
        imageTagMutability: r.imageTagMutability,
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: 'AES256' },
      })),
      ...(p.next ? { nextToken: p.next } : {}),
    },
  };
}

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

function imageIds(body: Body): ImageId[] | undefined {
  const raw = body['imageIds'];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw invalid('imageIds must be a list');
  return raw.map((x) => {
    const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
    return {
      ...(typeof o['imageDigest'] === 'string' ? { imageDigest: o['imageDigest'] } : {}),
      ...(typeof o['imageTag'] === 'string' ? { imageTag: o['imageTag'] } : {}),
    };
  });
}

type Lookup = { image: EcrImage } | { failureCode: string; failureReason: string };

function lookup(repo: EcrRepository, id: ImageId): Lookup {
  if (!id.imageDigest && !id.imageTag)
    return {
      failureCode: 'MissingDigestAndTag',
      failureReason: 'Missing image digest and image tag',
    };
  if (id.imageDigest && !/^sha256:[a-f0-9]{64}$/.test(id.imageDigest))
    return {
      failureCode: 'InvalidImageDigest',
      failureReason: 'Invalid request parameters: image digest should satisfy the regex',
    };
  const byDigest = id.imageDigest
    ? repo.images.find((i) => i.digest === id.imageDigest)
    : undefined;
  const byTag = id.imageTag ? repo.images.find((i) => i.tags.includes(id.imageTag!)) : undefined;
  if (id.imageDigest && id.imageTag && byDigest && byTag && byDigest !== byTag)
    return {
      failureCode: 'ImageTagDoesNotMatchDigest',
      failureReason: 'Invalid request parameters: tag does not match digest',
    };
  const image = byDigest ?? byTag;
  if (!image || (id.imageDigest && !byDigest) || (id.imageTag && !byTag))
    return { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
  return { image };
}

function detail(account: string, repo: EcrRepository, i: EcrImage): Body {
  const config = i.manifest.blobs[0];
  return {
    registryId: account,
    repositoryName: repo.name,
    imageDigest: i.digest,
    ...(i.tags.length ? { imageTags: [...i.tags] } : {}),
    imageSizeInBytes: i.sizeInBytes,
    imagePushedAt: epoch(i.pushedAt),
    imageManifestMediaType: i.manifest.mediaType,
    ...(config ? { artifactMediaType: i.manifest.artifactType ?? config.mediaType } : {}),
    ...(i.manifest.subject ? { subjectManifestDigest: i.manifest.subject } : {}),
    imageStatus: i.archived ? 'ARCHIVED' : 'ACTIVE',
    ...(i.archived ? { lastArchivedAt: epoch(i.pushedAt) } : {}),
  };
}

function describeImages(ctx: HandlerContext, body: Body): ApiResult {
  const { account, repo } = repository(ctx, body, 'DescribeImages');
  const ids = imageIds(body);
  let images: EcrImage[];
  if (ids) {
    images = ids.map((id) => {
      const r = lookup(repo, id);
      if ('failureCode' in r)
        throw new ApiError(
          400,
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${account}'`
        );
      return r.image;
    });
  } else {
    const filter = (body['filter'] ?? {}) as Record<string, unknown>;
    const status = typeof filter['imageStatus'] === 'string' ? filter['imageStatus'] : 'ACTIVE';
    const tagStatus = typeof filter['tagStatus'] === 'string' ? filter['tagStatus'] : 'ANY';
    images = repo.images.filter(
      (i) =>
        (status === 'ANY' || (status === 'ARCHIVED') === i.archived) &&
        (tagStatus === 'ANY' || (tagStatus === 'TAGGED') === i.tags.length > 0)
    );
  }
  const p = pageOf(images, body, 'DescribeImages');
  return {
    body: {
      imageDetails: p.items.map((i) => detail(account, repo, i)),
      ...(p.next ? { nextToken: p.next } : {}),
    },
  };
}

function batchGetImage(ctx: HandlerContext, body: Body): ApiResult {
  const { account, repo } = repository(ctx, body, 'BatchGetImage');
  const ids = imageIds(body);
  if (!ids || ids.length === 0) throw invalid('imageIds must name at least one image');
  if (ids.length > 100) throw invalid('imageIds: at most 100');
  const rawAccepted = body['acceptedMediaTypes'];
  const accepted = Array.isArray(rawAccepted)
    ? rawAccepted.filter((x): x is string => typeof x === 'string')
    : undefined;
  const images: Body[] = [];
  const failures: Body[] = [];
  for (const id of ids) {
    const r = lookup(repo, id);
    if ('failureCode' in r) {
      failures.push({ imageId: id, ...r });
      continue;
    }
    if (r.image.archived) {
      failures.push({
        imageId: id,
        failureCode: 'ImageInaccessible',
        failureReason: 'The image is archived; restore it before pulling',
      });
      continue;
    }
    if (accepted && accepted.length > 0 && !accepted.includes(r.image.manifest.mediaType)) {
      throw new ApiError(
        400,
        'UnsupportedImageTypeException',
        `The image's manifest media type ${r.image.manifest.mediaType} is not among acceptedMediaTypes`
      );
    }
    images.push({
      registryId: account,
      repositoryName: repo.name,
      imageId: { imageDigest: r.image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
      imageManifest: r.image.manifest.bytes.toString('utf8'),
      imageManifestMediaType: r.image.manifest.mediaType,
    });
  }
  return { body: { images, failures } };
}

function listImageReferrers(ctx: HandlerContext, body: Body): ApiResult {
  const { repo } = repository(ctx, body, 'ListImageReferrers');
  const subject = (body['subjectId'] ?? {}) as Record<string, unknown>;
  const digest = subject['imageDigest'];
  if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest))
    throw invalid('subjectId.imageDigest must be a sha256 digest');
  const filter = (body['filter'] ?? {}) as Record<string, unknown>;
  const types = Array.isArray(filter['artifactTypes'])
    ? (filter['artifactTypes'] as unknown[])
    : undefined;
  const referrers = repo.images.filter(
    (i) =>
      i.manifest.subject === digest &&
      (!types || types.length === 0 || types.includes(i.manifest.artifactType))
  );
  const p = pageOf(referrers, body, 'ListImageReferrers', 50);
  return {
    body: {
      referrers: p.items.map((i) => ({
        digest: i.digest,
        mediaType: i.manifest.mediaType,
        ...(i.manifest.artifactType ? { artifactType: i.manifest.artifactType } : {}),
        size: i.manifest.bytes.length,
        ...(i.manifest.annotations ? { annotations: i.manifest.annotations } : {}),
        artifactStatus: i.archived ? 'ARCHIVED' : 'ACTIVE',
      })),
      ...(p.next ? { nextToken: p.next } : {}),
    },
  };
}

function getDownloadUrlForLayer(ctx: HandlerContext, body: Body): ApiResult {
  const { account, repo } = repository(ctx, body, 'GetDownloadUrlForLayer');
  const digest = text(body, 'layerDigest', true);
  const path = repo.blobPaths.get(digest);
  if (!path)
    throw new ApiError(
      400,
      'LayersNotFoundException',
      `The layer with digest ${digest} does not exist in the repository '${repo.name}' in the registry '${account}'`
    );
  const item = ctx.content.add(`ecr:${account}:${ctx.region}:${repo.name}@${digest}`, () =>
    readFileSync(path)
  );
  return { body: { downloadUrl: ctx.presign(item), layerDigest: digest } };
}
