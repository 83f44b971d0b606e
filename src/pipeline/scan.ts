/**
 * The scan use case: enumerate the estate, bring each distinct layer zip into the cache once,
 * inventory it once, write its SBOM and the scan result.
 */
import { join, resolve } from 'node:path';
import { UnpackError, UsageError } from '../errors.js';
import { type ApiStats } from '../fetch/aws/clients.js';
import {
  enumerateEstate,
  type Enumeration,
  type EnumerationCost,
  type FunctionRecord,
  type LayerVersionRecord,
} from '../fetch/aws/enumerate.js';
import { fetchLayerZip } from '../fetch/aws/layer.js';
import { addRemoved, codeSha256ToHex, type ContentCache, type Removed } from '../fetch/cache.js';
import { FetchError } from '../fetch/errors.js';
import { RETRY, type RetryPlan } from '../fetch/retry.js';
import { computeDrift } from '../scan/drift.js';
import { scanResultChunks } from '../scan/result-stream.js';
import { resultFunction } from '../scan/result-function.js';
import { computeImageDrift } from '../scan/image-drift.js';
import {
  SCAN_RESULT_SCHEMA_VERSION,
  type ScanFailure,
  type ScanFunction,
  type ScanFunctionEnvironment,
  type ScanFunctionLayer,
  type ScanLayer,
  type ScanLayerVersion,
  type ScanResult,
} from '../scan/result.js';
import type { Limits } from '../unpack/source.js';
import { formatBytes } from '../util/format.js';
import { makeNamedDir, writeFileAtomic, writeFileAtomicIfChangedSync } from '../util/fs.js';
import { withHeapGrowth } from '../util/heap.js';

import { mapLimit, workQueue } from '../util/pool.js';
import { LAMINA_VERSION } from '../version.js';
import { withAwsSession, type AwsSession } from './aws.js';
import {
  ANALYSIS_HEAP_GROWING_PERCENT,
  giveBackBeforeEnd,
  sbomPathOfHex,
  scanPackageDrift,
} from './drift.js';
import { resultLayerVersion } from './result-layer-version.js';
import { openScanReuse, type ScanReuse } from './scan-reuse.js';
import { resolveLimits, type AwsAccessOptions } from './options.js';
import type { ImageScan, ImageScanStats } from './scan-images.js';
import { cmp } from '../util/compare.js';

/** Options for {@link scanEstate}. */
export interface ScanOptions extends AwsAccessOptions {
  regions: string[];
  /** Roles to assume; the base credentials' own account is always scanned too. */
  roleArns?: string[];
  /** Where scan.json and sboms/ go. */
  outDir: string;
  /** In-flight API calls and downloads (default 4). */
  concurrency?: number;
  /** Page size for List* calls. */
  pageSize?: number;
  /** Our own retries for downloads and for API calls the SDK gave up on (default RETRY.estate). */
  retry?: RetryPlan;
  /** Archive limits; any not given keeps its default. */
  limits?: Partial<Limits>;
  /** Progress messages (the CLI shows them on a terminal). */
  onProgress?: (message: string) => void;
  /**
   * Reuse what earlier scans recorded in the cache: layer version descriptions and SBOMs
   * (default true; false describes and inventories everything again).
   */
  reuse?: boolean;
  /** Accounts × regions listed at once (default 4). */
  targetConcurrency?: number;
  /** Scan one shard of the accounts × regions (`lamina merge` combines the shards' outputs). */
  shard?: { index: number; count: number };
  /**
   * After scan.json is written, remove from the cache every layer zip, kept SBOM and layer
   * version record this scan did not use; not with `shard` (a shard uses part of an estate).
   */
  pruneCache?: boolean;
}

/** What `pruneCache` did: what it removed, or why it removed nothing. */
export type CachePrune = { removed: Removed } | { skipped: string };

/** Figures about a run; not part of scan.json because they differ between identical scans. */
export interface ScanStats {
  api: ApiStats;
  /** HTTP requests to content URLs, retries included. */
  contentRequests: number;
  bytesDownloaded: number;
  /** Distinct zips fetched over the network in this run. */
  downloads: number;
  cacheHits: number;
  inventoried: number;
  /** SBOMs read back from the cache instead of inventorying the zip again. */
  sbomsReused: number;
  /** Whether the package drift was an earlier scan's, computed from the same inputs. */
  packageDriftReused: boolean;
  /** What the enumeration could not have avoided (list pages, descriptions, identities). */
  cost: EnumerationCost;
  /**
   * The API calls a scan of this estate needs at the least: STS identity and role calls,
   * list pages, and one description per layer version not known from an earlier scan.
   */
  apiFloor: number;
  /** ECR GetAuthorizationToken calls. */
  tokenRequests: number;
  /** Distinct images read from registries. */
  imagesRead: number;
  /** The image work against its floor (the API part is also in `api` and `apiFloor`). */
  images: ImageScanStats | null;
  /** With `pruneCache`: what the prune of the cache did. */
  cachePrune?: CachePrune;
  /** What the cache could not keep for the next scan (the scan itself is whole). */
  cacheWarning?: string;
}

export interface ScanOutcome {
  result: ScanResult;
  stats: ScanStats;
  /** Path of scan.json. */
  resultPath: string;
}

/** What happened to one distinct zip (by digest). */
interface ArtifactOutcome {
  status: 'inventoried' | 'failed';
  failure: { code: string; reason: string } | null;
  sbom: string | null;
  packageCount: number | null;
  complete: boolean | null;
}

/**
 * `lamina scan`: enumerate the estate, bring each distinct layer zip into the cache once,
 * inventory it once, write its SBOM (`sboms/<hex>.cdx.json`) and the scan result
 * (`scan.json`). Per-item failures are recorded, never thrown.
 */
export async function scanEstate(options: ScanOptions): Promise<ScanOutcome> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const limits = resolveLimits(options.limits);
  const progress = options.onProgress ?? (() => undefined);
  // A region given twice is one region: listed twice, every function in it would be too.
  const regions = [...new Set(options.regions)];
  if (options.pruneCache && options.shard)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: '--prune-cache is not for a shard: it would remove what the other shards use',
    });
  if (options.pruneCache && options.reuse === false)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message:
        '--prune-cache is not for --no-reuse: a scan that reuses nothing would remove it all',
    });
  return withAwsSession(options, options.retry ?? RETRY.estate, async (session) => {
    const reuse = await openScanReuse(
      session.cache.root,
      options.reuse ?? true,
      limits,
      options.pruneCache ?? false
    );
    const stats: ScanStats = {
      api: session.factory.stats,
      contentRequests: 0,
      bytesDownloaded: 0,
      downloads: 0,
      cacheHits: 0,
      inventoried: 0,
      sbomsReused: 0,
      packageDriftReused: false,
      cost: { identities: 0, listPages: 0, described: 0, reused: 0, codeSigningFallbacks: 0 },
      apiFloor: 0,
      tokenRequests: 0,
      imagesRead: 0,
      images: null,
    };
    const sbomDir = join(resolve(options.outDir), 'sboms');
    // Before any call: a directory that cannot be made is its path's fault, not one failed
    // write per layer zip (the session made the cache directory).
    await makeNamedDir(sbomDir, `cannot make the output directory ${sbomDir}`);
    const ctx: ContentContext = { session, limits, sbomDir, stats, reuse };

    // Content work starts as each layer version's content is known, while listing goes on,
    // named after the first ARN seen with that zip; the pass below keeps it when that is
    // the smallest ARN of its group, as a scan that waited would have named it.
    const early = new Map<string, { arn: string; outcome?: ArtifactOutcome }>();
    let started = 0;
    const queue = workQueue<LayerVersionRecord>(concurrency, async (lv) => {
      const hex = codeSha256ToHex(lv.content!.codeSha256)!;
      early.get(hex)!.outcome = await fetchAndInventory(hex, lv, ctx);
      forgetLocation(lv);
      progress(`layers ${++started} while listing (${formatBytes(stats.bytesDownloaded)})`);
    });
    const onContent = (lv: LayerVersionRecord): void => {
      const hex = lv.content ? codeSha256ToHex(lv.content.codeSha256) : undefined;
      if (!hex) return;
      // Its zip is already on its way to the cache under another ARN.
      if (early.has(hex)) return forgetLocation(lv);
      early.set(hex, { arn: lv.arn });
      queue.push(lv);
    };
    const en = await enumerateEstate(session.factory, {
      regions,
      roleArns: options.roleArns ?? [],
      concurrency,
      retry: session.retry,
      onProgress: progress,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.targetConcurrency ? { targetConcurrency: options.targetConcurrency } : {}),
      known: reuse.known,
      ...(options.shard ? { shard: options.shard } : {}),
      onContent,
    });
    // Descriptions the content work needed (a recorded one without a cached zip) join the count.
    en.cost.described += stats.cost.described;
    stats.cost = en.cost;

    // One unit of work per distinct zip; the smallest ARN names it, so output is stable.
    const byHex = new Map<string, LayerVersionRecord[]>();
    const badSha: LayerVersionRecord[] = [];
    for (const lv of en.layerVersions.values()) {
      if (!lv.content) continue;
      const hex = codeSha256ToHex(lv.content.codeSha256);
      if (!hex) {
        badSha.push(lv);
        continue;
      }
      const group = byHex.get(hex) ?? [];
      group.push(lv);
      byHex.set(hex, group);
    }
    for (const lv of badSha) {
      lv.failure = {
        code: 'API_ERROR',
        reason: `CodeSha256 ${lv.content?.codeSha256} is not a sha256`,
      };
      en.failures.push({ scope: 'layer-version', subject: lv.arn, ...lv.failure });
    }

    await queue.drained();
    const hexes = [...byHex.keys()].sort();
    const outcomes = new Map<string, ArtifactOutcome>();
    let done = 0;
    await mapLimit(hexes, concurrency, async (hex) => {
      const first = byHex.get(hex)!.reduce((a, b) => (b.arn < a.arn ? b : a));
      const got = early.get(hex);
      const outcome =
        got?.arn === first.arn && got.outcome
          ? got.outcome
          : await fetchAndInventory(hex, first, ctx);
      outcomes.set(hex, outcome);
      progress(
        `layers ${++done}/${hexes.length} (${formatBytes(stats.bytesDownloaded)} downloaded)`
      );
    });

    // Each a string of 64 characters the async function's frame would keep to the end.
    hexes.length = 0;
    // An account or region not listed may use what the cache holds: no prune then.
    const unlisted = en.failures.filter((f) => f.scope === 'account' || f.scope === 'region');
    const prune = options.pruneCache === true && unlisted.length === 0;
    await reuse.save(en, prune);
    stats.apiFloor =
      en.cost.identities + (options.roleArns?.length ?? 0) + en.cost.listPages + en.cost.described;
    // The image stack (registries, OCI layouts, image SBOMs, the ECR client) loads only for an
    // estate that has image functions.
    const images = en.functions.some((f) => f.packageType === 'Image')
      ? await (
          await import('./scan-images.js')
        ).scanImages(en, { session, limits, sbomDir, concurrency, onProgress: progress })
      : noImages();
    stats.tokenRequests = images.stats.tokenRequests;
    stats.imagesRead = images.stats.imagesRead;
    stats.images = images.stats;
    // Image functions: GetFunction each, tokens and ECR listings.
    stats.apiFloor += images.stats.imageFunctions + images.stats.tokenFloor + images.stats.ecrFloor;
    // From here on the scan holds its whole result and allocates only what it writes out or
    // lets go: its heap may grow no further than the package drift's (BENCHMARKS.md, issue 14).
    // A large estate's end is its peak; what the downloads left of the young generation, and
    // the old generation's room for it, go first.
    const given = giveBackBeforeEnd();
    return withHeapGrowth(ANALYSIS_HEAP_GROWING_PERCENT, async () => {
      // The end of a large estate's scan takes seconds after its last download: say what runs.
      progress(
        `building the result (functions: ${en.functions.length}, layer versions: ${en.layerVersions.size})`
      );
      const result = buildResult(en, outcomes, regions, images, options.shard);
      // The result holds what they said; let them go before the package drift.
      for (const m of [en.layerVersions, early, byHex, outcomes]) m.clear();
      progress(`package drift (functions: ${result.functions.length})`);
      const packageDrift = await reuse.packageDrift(result, () =>
        scanPackageDrift(result, options.outDir)
      );
      stats.packageDriftReused = packageDrift.reused;
      result.drift = { ...result.drift, ...packageDrift.drift };
      const resultPath = join(resolve(options.outDir), 'scan.json');
      progress('writing scan.json');
      // Streamed: scan.json of a large estate is never one string in memory.
      await writeFileAtomic(resultPath, scanResultChunks(result));
      const notKept = reuse.keepFailure();
      if (notKept !== undefined) stats.cacheWarning = notKept;
      if (options.pruneCache)
        stats.cachePrune = prune
          ? await pruneCache(result, session.cache, reuse)
          : {
              skipped: `${unlisted.length} account(s) or region(s) could not be listed, and may use what the cache holds`,
            };
      return { result, stats, resultPath };
    }).finally(given.restore);
  });
}

/**
 * Remove from the cache the layer zips no layer version of `result` has, and the SBOMs the scan
 * neither placed nor kept (the layer version records went with the scan's save). The scan is
 * done: a prune that cannot finish says why and leaves its result as it is.
 */
async function pruneCache(
  result: ScanResult,
  cache: ContentCache,
  reuse: ScanReuse
): Promise<CachePrune> {
  const keep = new Set<string>();
  for (const layer of result.layers)
    for (const v of layer.versions)
      if (v.digest?.startsWith('sha256:')) keep.add(v.digest.slice('sha256:'.length));
  const zips = await cache.prune(keep);
  try {
    return { removed: addRemoved(zips, await reuse.pruneSboms()) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      skipped: `the kept SBOMs could not be pruned (${why}); removed ${zips.files} layer zip(s)`,
    };
  }
}

/**
 * Let go of a layer version's download URL once its zip is (or is being) fetched: a presigned
 * URL is a few hundred bytes, and a large estate's records live until the result is built.
 * Content work that needs the zip again finds it in the cache, or describes the version anew.
 */
function forgetLocation(lv: LayerVersionRecord): void {
  if (lv.content && lv.content.location !== '') lv.content = { ...lv.content, location: '' };
}

/** What the content work of a scan shares. */
interface ContentContext {
  session: AwsSession;
  limits: Limits;
  sbomDir: string;
  stats: ScanStats;
  reuse: ScanReuse;
}

/** Fetch, inventory and write the SBOM of the zip `hex`, named after the layer version `first`. */
async function fetchAndInventory(
  hex: string,
  first: LayerVersionRecord,
  ctx: ContentContext
): Promise<ArtifactOutcome> {
  const file = `${hex}.cdx.json`;
  const sbom = sbomPathOfHex(hex);
  const cached = ctx.reuse.placeSbom(hex, first.arn, join(ctx.sbomDir, file));
  if (cached) {
    ctx.stats.cacheHits += 1;
    ctx.stats.sbomsReused += 1;
    return {
      status: 'inventoried',
      failure: null,
      sbom,
      packageCount: cached.packageCount,
      complete: cached.complete,
    };
  }
  // A description from a record has no download URL: describe it, unless the zip is cached.
  let lv = first;
  if (
    first.content?.location === '' &&
    !(await ctx.session.cache.lookup(hex, first.content.codeSize))
  ) {
    lv = { ...first, content: undefined };
    ctx.stats.cost.described += 1;
  }
  const got = await fetchLayerZip(ctx.session.factory, lv, {
    ...ctx.session,
    onBytes: (n) => (ctx.stats.bytesDownloaded += n),
    onRequest: () => (ctx.stats.contentRequests += 1),
  });
  if (!got.ok) return failed(got.code, got.reason);
  // A recorded description must still hold: the content of a version ARN never changes.
  if (got.layer.hex !== hex)
    return failed('API_ERROR', `${first.arn}: CodeSha256 differs from the recorded one`);
  if (got.layer.cached) ctx.stats.cacheHits += 1;
  else ctx.stats.downloads += 1;
  try {
    const { inventoryZipFile, serializeSbom } = await contentModules();
    const { inventory } = await inventoryZipFile(
      got.layer,
      { name: first.arn, properties: { layerVersionArn: first.arn } },
      ctx.limits
    );
    const text = serializeSbom(inventory, { format: 'cyclonedx-json', specVersion: '1.6' });
    writeFileAtomicIfChangedSync(join(ctx.sbomDir, file), text);
    ctx.reuse.keepSbom(hex, first.arn, {
      text,
      packageCount: inventory.packages.length,
      complete: inventory.complete,
    });
    ctx.stats.inventoried += 1;
    return {
      status: 'inventoried',
      failure: null,
      sbom,
      packageCount: inventory.packages.length,
      complete: inventory.complete,
    };
  } catch (err) {
    // An archive lamina refuses, or a cache entry changed on disk, is a failed artifact, not a
    // crash of the scan.
    if (err instanceof UnpackError || err instanceof FetchError)
      return failed(err.code, err.message);
    throw err;
  }
}

let content:
  | Promise<{
      inventoryZipFile: (typeof import('./inventory.js'))['inventoryZipFile'];
      serializeSbom: (typeof import('../sbom/cyclonedx.js'))['serializeSbom'];
    }>
  | undefined;

/**
 * The zip reader, the catalogers and the CycloneDX writer, loaded on the first zip a scan
 * inventories: a re-scan whose SBOMs all come from the cache needs none of them.
 */
function contentModules(): NonNullable<typeof content> {
  return (content ??= Promise.all([import('./inventory.js'), import('../sbom/cyclonedx.js')]).then(
    ([inv, sbom]) => ({ inventoryZipFile: inv.inventoryZipFile, serializeSbom: sbom.serializeSbom })
  ));
}

/** What an estate without image functions has of them: nothing, at no cost. */
function noImages(): ImageScan {
  return {
    functions: new Map(),
    repositories: [],
    failures: [],
    stats: {
      imageFunctions: 0,
      tokenRequests: 0,
      tokenFloor: 0,
      ecrFloor: 0,
      imagesRead: 0,
      registry: { manifests: 0, blobs: 0, other: 0 },
      registryFloor: { manifests: 0, blobs: 0 },
    },
  };
}

function failed(code: string, reason: string): ArtifactOutcome {
  return {
    status: 'failed',
    failure: { code, reason },
    sbom: null,
    packageCount: null,
    complete: null,
  };
}

function buildResult(
  en: Enumeration,
  outcomes: Map<string, ArtifactOutcome>,
  regions: string[],
  images: ImageScan,
  shard: { index: number; count: number } | undefined
): ScanResult {
  // One digest string and one layer reference per layer version, shared by every function that
  // attaches it: at 100,000 functions, copies per function would be most of the result.
  const digests = new Map<LayerVersionRecord, string | null>();
  const digestOf = (lv: LayerVersionRecord | undefined): string | null => {
    if (!lv) return null;
    let d = digests.get(lv);
    if (d === undefined) {
      const hex = lv.content ? codeSha256ToHex(lv.content.codeSha256) : undefined;
      // Joined, the string is flat (88 bytes); a template literal makes a 32-byte cons string
      // on top of it, one per layer version kept to the end of the scan.
      d = hex ? ['sha256:', hex].join('') : null;
      digests.set(lv, d);
    }
    return d;
  };
  const refs = new Map<string, ScanFunctionLayer>();
  const layerRef = (arn: string): ScanFunctionLayer => {
    let ref = refs.get(arn);
    if (!ref) {
      const lv = en.layerVersions.get(arn);
      ref = {
        // The version record's string: the function's own copy is let go with its record.
        arn: lv?.arn ?? arn,
        name: lv?.name ?? arn,
        owner: lv?.owner ?? '',
        version: lv?.version ?? 0,
        digest: digestOf(lv),
      };
      refs.set(arn, ref);
    }
    return ref;
  };
  // Records share their layer lists (see enumerate); so do the functions made from them.
  const lists = new Map<readonly string[], ScanFunctionLayer[]>();
  const sharedLayers = (arns: readonly string[]): ScanFunctionLayer[] => {
    let list = lists.get(arns);
    if (!list) {
      list = arns.map(layerRef);
      lists.set(arns, list);
    }
    return list;
  };
  const archs = new Map<string, string[]>();
  const architectures = (list: string[]): string[] => {
    const sorted = [...list].sort();
    const key = sorted.join('\0');
    const shared = archs.get(key);
    if (shared) return shared;
    archs.set(key, sorted);
    return sorted;
  };

  // Most versions set no loader variable: one environment for all of them.
  const noneSet: ScanFunctionEnvironment = { loaders: [] };

  // The records are let go one by one as they become functions of the result: at 100,000
  // functions, the two lists side by side were the scan's fullest moment after its downloads.
  const records: (FunctionRecord | undefined)[] = en.functions;
  en.functions = [];
  const toFunction = (f: FunctionRecord): ScanFunction =>
    resultFunction({
      account: f.account,
      region: f.region,
      name: f.name,
      arn: f.arn,
      version: f.version,
      runtime: f.runtime ?? null,
      ...(f.packageType === 'Image' ? {} : { handler: f.handler ?? null }),
      architectures: architectures(f.architectures),
      packageType: f.packageType,
      codeSigningConfig: f.codeSigningConfig ?? null,
      layers: sharedLayers(f.layers),
      ...(images.functions.has(f.arn) ? { image: images.functions.get(f.arn)! } : {}),
      // Every version's, none set included: a scan by a lamina that did not record them has
      // none, and `changes` must tell "not recorded" from "none set".
      environment: !f.environment
        ? noneSet
        : f.environment.read
          ? { loaders: f.environment.loaders }
          : { unread: f.environment.reason },
    });
  const functions: ScanFunction[] = [];
  for (let i = 0; i < records.length; i++) {
    functions.push(toFunction(records[i]!));
    records[i] = undefined;
  }
  records.length = 0;
  functions.sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.arn, b.arn)
  );

  const usedBy = new Map<string, string[]>();
  for (const f of functions)
    for (const l of f.layers) {
      const list = usedBy.get(l.arn);
      if (list) list.push(f.arn);
      else usedBy.set(l.arn, [f.arn]);
    }

  const failures: ScanFailure[] = [...en.failures.map((f) => ({ ...f })), ...images.failures];
  const layers = new Map<string, ScanLayer>();
  for (const lv of en.layerVersions.values()) {
    const key = `${lv.owner}\0${lv.name}`;
    const layer = layers.get(key) ?? { name: lv.name, owner: lv.owner, regions: [], versions: [] };
    layers.set(key, layer);
    if (!layer.regions.includes(lv.region)) layer.regions.push(lv.region);
    const digest = digestOf(lv);
    const outcome = digest ? outcomes.get(digest.slice('sha256:'.length)) : undefined;
    const failure = lv.failure ?? outcome?.failure ?? null;
    if (!lv.failure && outcome?.failure)
      failures.push({ scope: 'layer-version', subject: lv.arn, ...outcome.failure });
    const v: ScanLayerVersion = {
      arn: lv.arn,
      region: lv.region,
      version: lv.version,
      listed: lv.listed,
      digest,
      codeSha256: lv.content?.codeSha256 ?? null,
      size: lv.content?.codeSize ?? null,
      signingProfileVersionArn: lv.content?.signingProfileVersionArn ?? null,
      signingJobArn: lv.content?.signingJobArn ?? null,
      status: failure || !outcome ? 'failed' : 'inventoried',
      failure: failure ?? (outcome ? null : { code: 'API_ERROR', reason: 'not fetched' }),
      sbom: failure ? null : (outcome?.sbom ?? null),
      packageCount: failure ? null : (outcome?.packageCount ?? null),
      inventoryComplete: failure ? null : (outcome?.complete ?? null),
      usedBy: [...new Set(usedBy.get(lv.arn) ?? [])].sort(),
    };
    layer.versions.push(resultLayerVersion(v));
  }
  const layerList = [...layers.values()]
    .map((l) => ({
      ...l,
      regions: l.regions.sort(),
      versions: l.versions.sort((a, b) => cmp(a.region, b.region) || a.version - b.version),
    }))
    .sort((a, b) => cmp(a.owner, b.owner) || cmp(a.name, b.name));

  failures.sort(
    (a, b) => cmp(a.scope, b.scope) || cmp(a.subject, b.subject) || cmp(a.code, b.code)
  );
  const accounts = [...new Set(en.targets.map((t) => t.account))].sort();
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    tool: { name: 'lamina', version: LAMINA_VERSION },
    scope: { accounts, regions: [...new Set(regions)].sort() },
    // What lamina merge needs to tell a complete set of shards of one scan from anything else.
    ...(shard
      ? {
          shard: {
            index: shard.index,
            count: shard.count,
            accounts: en.accounts,
            regions: [...regions],
          },
        }
      : {}),
    functions,
    layers: layerList,
    images: images.repositories,
    failures,
    drift: {
      ...computeDrift(functions, layerList),
      images: computeImageDrift(
        functions.flatMap((f) => (f.image ? [{ ...f, image: f.image }] : [])),
        images.repositories
      ),
    },
  };
}
