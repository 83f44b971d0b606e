/**
 * The image half of `lamina scan`: every container-image function version (none skipped), the
 * ECR repository behind it, and one read and one SBOM per distinct image digest. A function
 * whose image cannot be read is a failure with its reason (ACCESS_DENIED for a repository the
 * account may not pull from, IMAGE_ARCHIVED for an archived image), never left out.
 */
import { join } from 'node:path';
import { DEFAULT_PRINCIPAL } from '../fetch/aws/clients.js';
import {
  EcrAccess,
  indexChildren,
  isIndexMediaType,
  type EcrImageUri,
  type ImageFunctionCode,
  type RepositoryFacts,
} from '../fetch/aws/ecr-images.js';
import type { Enumeration, FunctionRecord, Lookup } from '../fetch/aws/enumerate.js';
import type { ApiFailure } from '../fetch/aws/errors.js';
import type { ScanFunctionImage, ScanImage, ScanImageRepository } from '../scan/image-result.js';
import type { ScanFailure } from '../scan/result.js';
import type { Limits } from '../unpack/source.js';
import { writeFileAtomic } from '../util/fs.js';
import { mapLimit } from '../util/pool.js';
import type { ImageWorkFigures } from '../report/scan-stats.js';
import type { AwsSession } from './aws.js';
import { functionPlatform } from './ecr-image.js';
import {
  deployedImage,
  repositoryFailure,
  repositoryKey,
  repositoryReader,
  tryEcrImage,
} from './function-image.js';
import { imageSubject, inventoryOpened, openResolvedImage, type ImageInventory } from './image.js';
import { serializeImageSbom } from '../sbom/image.js';
import { cmp } from '../util/compare.js';

export interface ImageScanOptions {
  session: AwsSession;
  limits: Limits;
  /** `<out>/sboms` */
  sbomDir: string;
  concurrency: number;
  onProgress?: (message: string) => void;
}

export interface ImageScan {
  /** By function version ARN. */
  functions: Map<string, ScanFunctionImage>;
  repositories: ScanImageRepository[];
  failures: ScanFailure[];
  /** What reading the images cost, against its floor, for statistics. */
  stats: ImageScanStats;
}

/** The image work of a scan against its floor (the shape `scan --stats` renders). */
export type ImageScanStats = ImageWorkFigures;

/** Counters readImage adds to. */
interface ReadCounters {
  registry: ImageScanStats['registry'];
  /** `principal account region` of every registry an image was read from. */
  registries: Set<string>;
  configs: Set<string>;
  /** Layers brought over the network (not in the cache). */
  layersFetched: Set<string>;
}

interface Deployed {
  fn: FunctionRecord;
  lookup: Lookup;
  code: ImageFunctionCode | undefined;
  image: EcrImageUri | undefined;
  failure: ApiFailure | { code: string; reason: string } | undefined;
}

interface ImageOutcome {
  architecture: string | null;
  failure: { code: string; reason: string } | null;
  sbom: string | null;
  packageCount: number | null;
  complete: boolean | null;
}

/** Reads every image function's image; see the file comment. */
export async function scanImages(en: Enumeration, options: ImageScanOptions): Promise<ImageScan> {
  const { session } = options;
  const retry = session.retry;
  const ecr = new EcrAccess(session.factory, retry.api);
  const deployed: Deployed[] = en.functions
    .filter((f) => f.packageType === 'Image')
    .sort((a, b) => cmp(a.arn, b.arn))
    .map((fn) => ({
      fn,
      lookup: fn.lookup ?? { principal: DEFAULT_PRINCIPAL, region: fn.region },
      code: undefined,
      image: undefined,
      failure: undefined,
    }));

  await mapLimit(deployed, options.concurrency, async (d) => {
    const got = await deployedImage(session.factory, d.fn, d.lookup, retry.api);
    if (!('image' in got)) {
      d.failure = got;
      return;
    }
    d.code = got.code;
    d.image = got.image;
  });

  // Repository facts, once per repository, read as its owner or the first function using it
  // (repositoryReader).
  const repos = new Map<
    string,
    { image: EcrImageUri; lookup: Lookup; facts?: RepositoryFacts | ApiFailure }
  >();
  for (const d of deployed)
    if (d.image && !d.failure && !repos.has(repositoryKey(d.image)))
      repos.set(repositoryKey(d.image), {
        image: d.image,
        lookup: repositoryReader(d.image, en.principals, d.lookup),
      });
  await mapLimit([...repos.values()], options.concurrency, async (r) => {
    r.facts = await ecr.repository(r.lookup, r.image);
  });

  // Children of the repositories' tagged indexes: a function deployed from a multi-platform tag
  // runs a child, and the tag has not moved while the index still lists it.
  const children = new Map<string, string[]>();
  let indexCalls = 0;
  await mapLimit([...repos], options.concurrency, async ([key, r]) => {
    if (!r.facts || 'code' in r.facts) return;
    for (const i of r.facts.images) {
      if (!i.imageDigest || !i.imageTags?.length || !isIndexMediaType(i.imageManifestMediaType))
        continue;
      indexCalls += 1;
      const got = await indexChildren(session.factory, r.lookup, r.image, i.imageDigest, retry.api);
      // An index whose children cannot be read only loses this relation; drift says so.
      if (Array.isArray(got)) children.set(`${key}@${i.imageDigest}`, got);
    }
  });

  // One read per distinct digest, from the first repository (by name) that can serve it.
  const byDigest = new Map<string, Deployed[]>();
  for (const d of deployed) {
    if (!d.image?.digest || d.failure) continue;
    const list = byDigest.get(d.image.digest) ?? [];
    list.push(d);
    byDigest.set(d.image.digest, list);
  }
  const outcomes = new Map<string, ImageOutcome>();
  const digests = [...byDigest.keys()].sort();
  let done = 0;
  let imagesRead = 0;
  const counters: ReadCounters = {
    registry: { manifests: 0, blobs: 0, other: 0 },
    registries: new Set(),
    configs: new Set(),
    layersFetched: new Set(),
  };
  await mapLimit(digests, options.concurrency, async (digest) => {
    const users = byDigest
      .get(digest)!
      .sort(
        (a, b) => cmp(repositoryKey(a.image!), repositoryKey(b.image!)) || cmp(a.fn.arn, b.fn.arn)
      );
    let outcome: ImageOutcome | undefined;
    for (const d of users) {
      const repo = repos.get(repositoryKey(d.image!));
      const facts = repo?.facts;
      if (!facts || 'code' in facts) {
        outcome ??= failedImage(facts ?? { code: 'API_ERROR', reason: 'repository not described' });
        continue;
      }
      const unreadable = repositoryFailure(facts, d.image!);
      if (unreadable) {
        outcome = failedImage(unreadable);
        continue;
      }
      outcome = await readImage(d, repo.lookup, digest, ecr, options, counters);
      imagesRead += 1;
      break;
    }
    outcomes.set(digest, outcome!);
    options.onProgress?.(`images ${++done}/${digests.length}`);
  });

  // Per-function results and failures.
  const functions = new Map<string, ScanFunctionImage>();
  const failures: ScanFailure[] = [];
  for (const d of deployed) {
    const digest = d.image?.digest ?? null;
    functions.set(d.fn.arn, {
      uri: d.code?.imageUri ?? null,
      resolvedUri: d.code?.resolvedImageUri ?? null,
      digest,
      codeSha256: d.fn.codeSha256 ?? null,
      repository: d.image ? repositoryKey(d.image) : null,
      ...(d.code?.config ? { config: d.code.config } : {}),
    });
    // The function's own repository decides first: the same bytes read from another
    // repository do not make an unreadable or archived one readable for this function.
    const failure =
      d.failure ??
      (d.image
        ? repositoryFailure(repos.get(repositoryKey(d.image))?.facts, d.image)
        : undefined) ??
      (digest ? outcomes.get(digest)?.failure : undefined) ??
      undefined;
    if (failure)
      failures.push({
        scope: 'function',
        subject: d.fn.arn,
        code: failure.code,
        reason: failure.reason,
      });
  }

  return {
    functions,
    repositories: buildRepositories(deployed, repos, outcomes, children),
    failures,
    stats: {
      imageFunctions: deployed.length,
      tokenRequests: ecr.tokenRequests,
      tokenFloor: counters.registries.size,
      ecrFloor: repos.size + ecr.describeImagesPages + indexCalls,
      imagesRead,
      registry: counters.registry,
      registryFloor: {
        manifests: imagesRead,
        blobs: counters.configs.size + counters.layersFetched.size,
      },
    },
  };
}

function failedImage(f: { code: string; reason: string }): ImageOutcome {
  return {
    architecture: null,
    failure: { code: f.code, reason: f.reason },
    sbom: null,
    packageCount: null,
    complete: null,
  };
}

/**
 * Fetch, inventory and write the SBOM of one image, pulled as `lookup` (its repository's); a
 * refused token is renewed once.
 */
async function readImage(
  d: Deployed,
  lookup: Lookup,
  digest: string,
  ecr: EcrAccess,
  options: ImageScanOptions,
  counters: ReadCounters
): Promise<ImageOutcome> {
  const image = d.image!;
  const retry = options.session.retry;
  counters.registries.add(`${lookup.principal.label} ${image.account} ${image.region}`);
  const got = await tryEcrImage(
    ecr,
    lookup,
    image,
    digest,
    {
      platform: functionPlatform(d.fn.architectures),
      retry: retry.download,
      onRequest: (kind) => {
        const k = kind === 'manifest' ? 'manifests' : kind === 'blob' ? 'blobs' : 'other';
        counters.registry[k] += 1;
      },
    },
    async ({ handle }): Promise<ImageOutcome> => {
      const opened = await openResolvedImage(handle, {
        cacheDir: options.session.cache.root,
        limits: options.limits,
        retry: retry.download,
      });
      counters.configs.add(handle.image.configDigest);
      for (const l of opened.layers) if (!l.cached) counters.layersFetched.add(l.layer.digest);
      let inv: ImageInventory;
      try {
        inv = await inventoryOpened(opened, { limits: options.limits });
      } finally {
        await opened.close();
      }
      const file = `${digest.slice('sha256:'.length)}.cdx.json`;
      await writeFileAtomic(
        join(options.sbomDir, file),
        serializeImageSbom(imageSubject(inv), { format: 'cyclonedx-json', specVersion: '1.6' })
      );
      return {
        architecture: handle.image.platform.architecture,
        failure: null,
        sbom: `sboms/${file}`,
        packageCount: inv.inventory.packages.length,
        complete: inv.inventory.complete,
      };
    }
  );
  return got.ok ? got.value : failedImage(got.failure);
}

function buildRepositories(
  deployed: Deployed[],
  repos: Map<string, { image: EcrImageUri; facts?: RepositoryFacts | ApiFailure }>,
  outcomes: Map<string, ImageOutcome>,
  children: Map<string, string[]>
): ScanImageRepository[] {
  const out: ScanImageRepository[] = [];
  for (const [key, r] of repos) {
    const facts = r.facts && !('code' in r.facts) ? r.facts : undefined;
    const failure =
      r.facts && 'code' in r.facts ? { code: r.facts.code, reason: r.facts.reason } : null;
    // Push order over top-level pushes; ties (an index and its children) keep ECR's order.
    const listed = (facts?.images ?? [])
      .map((i, n) => ({ i, n }))
      .sort(
        (a, b) =>
          (a.i.imagePushedAt?.getTime() ?? 0) - (b.i.imagePushedAt?.getTime() ?? 0) || a.n - b.n
      )
      .map((x) => x.i);
    const order = new Map(listed.map((i, n) => [i.imageDigest ?? '', n + 1]));
    const newest =
      [...listed]
        .reverse()
        .find((i) => i.imageStatus !== 'ARCHIVED' && (i.imageTags?.length ?? 0) > 0)?.imageDigest ??
      null;
    const usedBy = new Map<string, string[]>();
    for (const d of deployed)
      if (d.image && repositoryKey(d.image) === key && d.image.digest) {
        const list = usedBy.get(d.image.digest) ?? [];
        list.push(d.fn.arn);
        usedBy.set(d.image.digest, list);
      }
    const digests = new Set([...usedBy.keys(), ...(newest ? [newest] : [])]);
    const images: ScanImage[] = [...digests].map((digest) => {
      const detail = listed.find((i) => i.imageDigest === digest);
      const o = usedBy.has(digest) ? outcomes.get(digest) : undefined;
      return {
        digest,
        tags: [...(detail?.imageTags ?? [])].sort(),
        pushedAt: detail?.imagePushedAt?.toISOString() ?? null,
        pushOrder: order.get(digest) ?? null,
        imageStatus: detail?.imageStatus ?? null,
        mediaType: detail?.imageManifestMediaType ?? null,
        size: detail?.imageSizeInBytes ?? null,
        architecture: o?.architecture ?? null,
        usedBy: [...(usedBy.get(digest) ?? [])].sort(),
        indexes: [...children]
          .filter(([k, list]) => k.startsWith(`${key}@`) && list.includes(digest))
          .map(([k]) => k.slice(key.length + 1))
          .sort(),
        status: o ? (o.failure ? 'failed' : 'inventoried') : 'not-read',
        failure: o?.failure ?? null,
        sbom: o?.sbom ?? null,
        packageCount: o?.packageCount ?? null,
        inventoryComplete: o?.complete ?? null,
      };
    });
    images.sort(
      (a, b) => (a.pushOrder ?? Infinity) - (b.pushOrder ?? Infinity) || cmp(a.digest, b.digest)
    );
    out.push({
      registry: r.image.host,
      account: r.image.account,
      region: r.image.region,
      name: r.image.repository,
      tagMutability: facts?.tagMutability ?? null,
      imageCount: facts ? facts.images.length : null,
      tags: listed
        .flatMap((i) =>
          (i.imageTags ?? []).map((tag) => ({
            tag,
            digest: i.imageDigest ?? '',
            pushedAt: i.imagePushedAt?.toISOString() ?? null,
          }))
        )
        .sort((a, b) => cmp(a.tag, b.tag)),
      newestDigest: newest,
      images,
      failure,
    });
  }
  return out.sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.name, b.name)
  );
}
