/**
 * One scan result from the results of `lamina scan --shard i/n`: the same result a single scan
 * of every shard's accounts and regions writes. A layer version can appear in several shards (its
 * owner's listing in one, functions using it in others); the merge keeps what one scan would
 * have known: listed if any shard listed it, read if any shard read it, used by every user. An
 * image digest in repositories of several shards (replicated to other Regions, say) is read as
 * one scan reads it: from the first repository by name that can serve it.
 */
import { UsageError } from '../errors.js';
import { parseFunctionArn, parseLayerVersionArn } from '../model/arn.js';
import { cmp } from '../util/compare.js';
import { computeDrift } from './drift.js';
import { computeImageDrift } from './image-drift.js';
import { archivedImageReason, type ScanImage, type ScanImageRepository } from './image-result.js';
import {
  sortScanLayers,
  type Drift,
  type ScanFailure,
  type ScanFunction,
  type ScanFunctionLayer,
  type ScanLayer,
  type ScanLayerVersion,
  type ScanResult,
  type ScanShard,
} from './result.js';

/** The merged result, and which shard's SBOM file each SBOM path of it comes from. */
export interface MergedScan {
  result: ScanResult;
  /** SBOM path (relative, as in the result) → index of the shard whose file to take. */
  sbomSource: Map<string, number>;
}

/**
 * A shard's result as the merge reads it: its drift is worked out again from the merged
 * functions and layers, so only whether it had image drift is read (the rest of a large shard's
 * drift, its layer and package analysis, need not be read at all).
 */
export type ShardResult = Omit<ScanResult, 'drift'> & { drift: Pick<Drift, 'images'> };

function mismatch(message: string): UsageError {
  return new UsageError({ code: 'BAD_INPUT', message });
}

/** How many missing shards a refusal names before it counts the rest. */
const MISSING_NAMED = 10;

/**
 * Every shard of one sharded scan, each once: the same count, the same accounts and regions in
 * the same numbering order, and each index from 1 to the count. A shard left out would drop its
 * accounts and regions from the merged result without a trace; shards that numbered different
 * accounts (one could not identify an account the others could) split the pairs differently, so
 * some pair was scanned by none of them.
 * @throws UsageError (BAD_INPUT) naming what does not fit
 */
export function checkShardSet(shards: readonly (ScanShard | undefined)[]): void {
  const label = (p: ScanShard): string => `${p.index}/${p.count}`;
  const plans = shards.map((p) => {
    if (!p) throw mismatch("a result to merge is not the output of 'lamina scan --shard I/N'");
    if (
      !Number.isSafeInteger(p.count) ||
      !Number.isSafeInteger(p.index) ||
      p.index < 1 ||
      p.index > p.count
    )
      throw mismatch(`not a shard number: ${JSON.stringify(`${p.index}/${p.count}`)}`);
    return p;
  });
  const first = plans[0];
  if (!first) throw mismatch('no shard results to merge');
  const seen = new Set<number>();
  for (const p of plans) {
    if (p.count !== first.count)
      throw mismatch(`shards ${label(first)} and ${label(p)} split the scan differently`);
    if (seen.has(p.index)) throw mismatch(`shard ${label(p)} is given twice`);
    seen.add(p.index);
    if (p.regions.join('\0') !== first.regions.join('\0'))
      throw mismatch(
        `shards ${label(first)} and ${label(p)} numbered different regions (${first.regions.join(' ')}; ${p.regions.join(' ')})`
      );
    if (p.accounts.join('\0') !== first.accounts.join('\0')) {
      const only = (a: string[], b: string[]): string[] => {
        const other = new Set(b);
        return a.filter((x) => !other.has(x));
      };
      const a = only(first.accounts, p.accounts);
      const b = only(p.accounts, first.accounts);
      const how =
        a.length + b.length === 0
          ? 'in another order'
          : `only in ${label(first)}: ${a.join(' ') || 'none'}; only in ${label(p)}: ${b.join(' ') || 'none'}`;
      throw mismatch(
        `shards ${label(first)} and ${label(p)} numbered different accounts (${how}): scan every shard again`
      );
    }
  }
  if (seen.size < first.count) {
    const missing: string[] = [];
    // At most seen.size + MISSING_NAMED steps, whatever the count claims.
    for (let i = 1; i <= first.count && missing.length < MISSING_NAMED; i++)
      if (!seen.has(i)) missing.push(`${i}/${first.count}`);
    const rest = first.count - seen.size - missing.length;
    throw mismatch(
      `shard${first.count - seen.size > 1 ? 's' : ''} ${missing.join(', ')}${rest > 0 ? ` and ${rest} more` : ''} missing: their accounts and regions would be left out of the merged scan`
    );
  }
}

/** `I/N` of a shard's result, for messages. */
const shardLabel = (s: ShardResult | undefined): string =>
  s?.shard ? `${s.shard.index}/${s.shard.count}` : '?';

/**
 * A shard as a scan writes it: each layer version its functions attach is listed in it (the
 * scan notes every one, even one it could not read) with the digest they see, and each version
 * it lists is used by exactly its functions that attach it. Merged, a shard that is not (made by
 * hand, or edited) would give a function a layer no shard describes, nothing failed, content
 * its layer does not have, or users no function has: a result no scan of the estate writes.
 * @throws UsageError (BAD_INPUT) naming the first function or layer version that does not fit
 */
function checkShardWhole(s: ShardResult): void {
  const label = `shard ${shardLabel(s)}`;
  const refuse = (why: string): UsageError => mismatch(`${label} does not hold together: ${why}`);
  const attaches = (f: ScanFunction | undefined, arn: string): boolean =>
    f?.layers.some((l) => l.arn === arn) ?? false;
  const functionOf = new Map<string, ScanFunction>();
  // Per layer version ARN, how many of the shard's functions attach it. Counts, not lists of
  // users to sort and compare: at 100,000 functions those cost the merge a second.
  const attached = new Map<string, number>();
  const plan = s.shard;
  for (const f of s.functions) {
    // Its own, of one of the pairs it scanned: another's would be a function two shards list
    // or none should, and the merge works out from it which pair saw what.
    const p = parseFunctionArn(f.arn);
    if (p?.account !== f.account || p.region !== f.region)
      throw refuse(`${f.arn} is not the ARN of a function of ${f.account} in ${f.region}`);
    const k = plan ? pairNumber(plan, f.account, f.region) : -1;
    if (plan && (k < 0 || k % plan.count !== plan.index - 1))
      throw refuse(`it holds ${f.arn}, and ${f.account}/${f.region} is not a pair it scanned`);
    functionOf.set(f.arn, f);
    f.layers.forEach((l, i) => {
      // A layer attached twice is one use.
      if (f.layers.findIndex((o) => o.arn === l.arn) === i)
        attached.set(l.arn, (attached.get(l.arn) ?? 0) + 1);
    });
  }
  const firstAttaching = (arn: string, except: ReadonlySet<string>): string | undefined =>
    s.functions.find((f) => !except.has(f.arn) && attaches(f, arn))?.arn;
  const listed = new Map<string, ScanLayerVersion>();
  // What a scan names each layer reference by its ARN (parsed once per ARN), and whether the
  // ARN is a layer version's.
  type Named = Pick<ScanFunctionLayer, 'name' | 'owner' | 'version'>;
  const named = new Map<string, { as: Named; layer: boolean }>();
  for (const layer of s.layers)
    for (const v of layer.versions) {
      // Filed where its ARN says: a version under another layer or Region would merge into a
      // layer, and drift, it is not part of.
      const p = parseLayerVersionArn(v.arn);
      if (!p) throw refuse(`it lists ${JSON.stringify(v.arn)}, which is not a layer version ARN`);
      if (
        p.name !== layer.name ||
        p.owner !== layer.owner ||
        p.region !== v.region ||
        p.version !== v.version
      )
        throw refuse(
          `it lists ${v.arn} as version ${v.version} of ${layer.owner}'s ${layer.name} in ${v.region}`
        );
      listed.set(v.arn, v);
      named.set(v.arn, { as: { name: p.name, owner: p.owner, version: p.version }, layer: true });
      // Named in order, each once, each a function attaching it, and as many as attach it: so
      // exactly the functions attaching it.
      v.usedBy.forEach((arn, i) => {
        if (i > 0 && !(v.usedBy[i - 1]! < arn))
          throw refuse(`${v.arn}'s users are not each named once, in order`);
        if (!attaches(functionOf.get(arn), v.arn))
          throw refuse(`it says ${arn} uses ${v.arn}, and no function of it attaches that`);
      });
      if (v.usedBy.length !== (attached.get(v.arn) ?? 0))
        throw refuse(
          `${firstAttaching(v.arn, new Set(v.usedBy))} attaches ${v.arn}, and the version's users leave it out`
        );
    }
  // Each function sees a version as its shard lists it; an ARN that is not a layer version's is
  // never listed, and a scan shows it as it came: no owner, version or content.
  const namedAs = (arn: string): { as: Named; layer: boolean } => {
    let n = named.get(arn);
    if (!n) {
      const p = parseLayerVersionArn(arn);
      n = p
        ? { as: { name: p.name, owner: p.owner, version: p.version }, layer: true }
        : { as: { name: arn, owner: '', version: 0 }, layer: false };
      named.set(arn, n);
    }
    return n;
  };
  for (const f of s.functions)
    for (const l of f.layers) {
      const { as, layer } = namedAs(l.arn);
      if (l.name !== as.name || l.owner !== as.owner || l.version !== as.version)
        throw refuse(
          `${f.arn} names ${JSON.stringify(l.arn)} ${JSON.stringify({ name: l.name, owner: l.owner, version: l.version })}, and a scan names it ${JSON.stringify(as)}`
        );
      const v = listed.get(l.arn);
      if (!v) {
        if (layer) throw refuse(`${f.arn} attaches ${l.arn}, which it does not list`);
        if (l.digest !== null)
          throw refuse(
            `${f.arn} sees ${JSON.stringify(l.arn)}, not a layer version ARN, as ${l.digest}`
          );
      } else if (l.digest !== v.digest)
        throw refuse(`${f.arn} sees ${l.arn} as ${l.digest}, and it lists that as ${v.digest}`);
    }
  checkShardImages(s, functionOf, refuse);
}

/**
 * The images half of {@link checkShardWhole}: each user of an image a shard lists is one of its
 * functions running that image from that repository, and each of its functions running an
 * image is among that image's users in the repository it runs from, which the shard lists (a scan
 * lists every repository its image functions run from, described or not).
 */
function checkShardImages(
  s: ShardResult,
  functionOf: ReadonlyMap<string, ScanFunction>,
  refuse: (why: string) => UsageError
): void {
  const repos = new Map<string, Map<string, ScanImage>>();
  for (const r of s.images ?? []) {
    const key = `${r.registry}/${r.name}`;
    const images = new Map<string, ScanImage>();
    repos.set(key, images);
    for (const i of r.images) {
      images.set(i.digest, i);
      i.usedBy.forEach((arn, n) => {
        if (n > 0 && !(i.usedBy[n - 1]! < arn))
          throw refuse(`${key}@${i.digest}'s users are not each named once, in order`);
        const image = functionOf.get(arn)?.image;
        if (image?.repository !== key || image.digest !== i.digest)
          throw refuse(`it says ${arn} runs ${key}@${i.digest}, and no function of it does`);
      });
    }
  }
  // Counted as the layer versions' users are: the users named are runners, each once.
  const runners = new Map<ScanImage, number>();
  for (const f of s.functions) {
    const { repository, digest } = f.image ?? {};
    if (!repository) continue;
    const images = repos.get(repository);
    if (!images) throw refuse(`${f.arn} runs an image from ${repository}, which it does not list`);
    if (!digest) continue;
    const image = images.get(digest);
    if (!image) throw refuse(`${f.arn} runs ${repository}@${digest}, which it does not list`);
    runners.set(image, (runners.get(image) ?? 0) + 1);
  }
  for (const [key, images] of repos)
    for (const i of images.values())
      if (i.usedBy.length !== (runners.get(i) ?? 0)) {
        const named = new Set(i.usedBy);
        const left = s.functions.find(
          (f) => f.image?.repository === key && f.image.digest === i.digest && !named.has(f.arn)
        );
        throw refuse(`${left?.arn} runs ${key}@${i.digest}, and the image's users leave it out`);
      }
}

/**
 * Merge shard results: every shard of one `lamina scan --shard I/N`, each once
 * ({@link checkShardSet}), from the same lamina version; functions are disjoint between shards
 * (each target is in one shard). The merged result has no `shard`.
 * @throws UsageError (BAD_INPUT) when the shards do not fit together
 */
export function mergeShardResults(shards: readonly ShardResult[]): MergedScan {
  const first = shards[0];
  if (!first) throw mismatch('no shard results to merge');
  for (const s of shards) {
    if (s.schemaVersion !== first.schemaVersion || s.tool.version !== first.tool.version)
      throw mismatch(
        `shards come from different lamina versions (${first.tool.version}, ${s.tool.version})`
      );
    if (s.scope.regions.join() !== first.scope.regions.join())
      throw mismatch(
        `shards scanned different regions (${first.scope.regions.join(' ')}; ${s.scope.regions.join(' ')})`
      );
  }

  checkShardSet(shards.map((s) => s.shard));

  // Merged in shard order, whatever order they came in (a shell's glob puts shard 10 before
  // shard 2): where shards disagree and none is right (two that could not read a layer version
  // for different reasons), the same shard's answer is kept either way.
  const order = shards
    .map((_, i) => i)
    .sort((a, b) => shardNumber(shards[a]) - shardNumber(shards[b]));
  const merged = mergeInShardOrder(order.map((i) => shards[i]!));
  for (const [path, k] of merged.sbomSource) merged.sbomSource.set(path, order[k]!);
  return merged;
}

/** 2: read; 1: described (its content known), not read; 0: not even described. */
const readingRank = (v: ScanLayerVersion): number =>
  v.status === 'inventoried' ? 2 : v.digest !== null ? 1 : 0;

const sameFailure = (a: ScanLayerVersion, b: ScanLayerVersion): boolean =>
  a.failure?.code === b.failure?.code && a.failure?.reason === b.failure?.reason;

/**
 * Which shard (its position, shards in shard order) made the call whose failure one scan would
 * report for a layer version no account could describe. One scan asks each (account, Region)
 * pair that sees the version, the owner's listing first and the others in the pairs' order, and
 * keeps the last failure; a failure's reason names its caller, so each shard's differs. The
 * pairs that see it: the owner's, where listed, and each user's.
 */
function lastLookupShard(v: ScanLayerVersion, owner: string, plan: ScanShard): number | undefined {
  const listing = v.listed ? pairNumber(plan, owner, v.region) : -1;
  let last = -1;
  for (const arn of v.usedBy) {
    const f = parseFunctionArn(arn);
    const k = f ? pairNumber(plan, f.account, f.region) : -1;
    if (k !== listing && k > last) last = k;
  }
  if (last < 0) last = listing;
  return last < 0 ? undefined : last % plan.count;
}

/**
 * The number of an (account, Region) pair as scan numbers them for shards (accounts in order,
 * each with every Region in order, from 0); -1 for a pair outside the plan.
 */
function pairNumber(plan: ScanShard, account: string, region: string): number {
  const a = plan.accounts.indexOf(account);
  const r = plan.regions.indexOf(region);
  return a < 0 || r < 0 ? -1 : a * plan.regions.length + r;
}

/** `arn`'s record in a shard, and its layer. */
function versionIn(
  s: ShardResult | undefined,
  arn: string
): { v: ScanLayerVersion; layer: ScanLayer } | undefined {
  for (const layer of s?.layers ?? [])
    for (const v of layer.versions) if (v.arn === arn) return { v, layer };
  return undefined;
}

/** A shard's number (checked by {@link checkShardSet} before it is asked for). */
const shardNumber = (s: ShardResult | undefined): number => s?.shard?.index ?? 0;

/** {@link mergeShardResults} of a checked set of shards, in shard order. */
function mergeInShardOrder(shards: readonly ShardResult[]): MergedScan {
  // Every shard has the same lamina version, schema and regions (checked).
  const first = shards[0]!;
  const seenFunctions = new Set<string>();
  const functions: ScanFunction[] = [];
  for (const s of shards)
    for (const f of s.functions) {
      if (seenFunctions.has(f.arn)) throw mismatch(`${f.arn} is in two shards`);
      seenFunctions.add(f.arn);
      functions.push(f);
    }
  // Each function once (above): a layer version's users can then be counted.
  for (const s of shards) checkShardWhole(s);

  // Per layer version ARN: the best record any shard has, with the shard it came from.
  const versions = new Map<string, { v: ScanLayerVersion; shard: number; layer: ScanLayer }>();
  // Versions no shard could describe, whose shards give different failures.
  const undescribed = new Set<string>();
  shards.forEach((s, shard) => {
    for (const layer of s.layers)
      for (const v of layer.versions) {
        const had = versions.get(v.arn);
        if (!had) {
          versions.set(v.arn, { v: { ...v, usedBy: [...v.usedBy] }, shard, layer });
          continue;
        }
        // A version's content never changes: two shards that read different content for it
        // are not of one scan (one scan reads it once).
        if (had.v.digest !== null && v.digest !== null && had.v.digest !== v.digest)
          throw mismatch(
            `shards ${shardLabel(shards[had.shard])} and ${shardLabel(s)} read different content for ${v.arn} (${had.v.digest}; ${v.digest})`
          );
        const usedBy = [...new Set([...had.v.usedBy, ...v.usedBy])].sort();
        const listed = had.v.listed || v.listed;
        // Read beats described, described beats neither: one scan asks every account that
        // sees a version until one answers.
        const better = readingRank(v) > readingRank(had.v);
        if (readingRank(v) === 0 && readingRank(had.v) === 0 && !sameFailure(v, had.v))
          undescribed.add(v.arn);
        const keep = better ? { v: { ...v }, shard, layer } : had;
        keep.v.usedBy = usedBy;
        keep.v.listed = listed;
        versions.set(v.arn, keep);
      }
  });
  for (const arn of undescribed) {
    const had = versions.get(arn)!;
    if (readingRank(had.v) > 0) continue;
    const last = lastLookupShard(had.v, had.layer.owner, first.shard!);
    const rec = last === undefined ? undefined : versionIn(shards[last], arn);
    if (rec && last !== undefined)
      versions.set(arn, {
        v: { ...rec.v, usedBy: had.v.usedBy, listed: had.v.listed },
        shard: last,
        layer: rec.layer,
      });
  }

  // A function's view of a layer: the digest one scan would have read.
  for (const f of functions)
    for (const l of f.layers)
      if (l.digest === null) l.digest = versions.get(l.arn)?.v.digest ?? null;

  const layers = new Map<string, ScanLayer>();
  for (const { v, layer } of versions.values()) {
    const key = `${layer.owner}\0${layer.name}`;
    const merged = layers.get(key) ?? {
      name: layer.name,
      owner: layer.owner,
      regions: [],
      versions: [],
    };
    layers.set(key, merged);
    if (!merged.regions.includes(v.region)) merged.regions.push(v.region);
    merged.versions.push(v);
  }
  const layerList = sortScanLayers(layers.values());

  // One SBOM per digest: one scan names it after the smallest ARN with that digest.
  const sbomSource = new Map<string, number>();
  const nameOf = new Map<string, string>();
  for (const { v, shard } of versions.values()) {
    if (!v.sbom) continue;
    const arn = nameOf.get(v.sbom);
    if (arn === undefined || v.arn < arn) {
      nameOf.set(v.sbom, v.arn);
      sbomSource.set(v.sbom, shard);
    }
  }

  const { repositories, repos, readings } = mergeRepositories(shards, sbomSource);
  const failures = new Map<string, ScanFailure>();
  for (const s of shards)
    for (const failure of s.failures) {
      let f = failure;
      const v = f.scope === 'layer-version' ? versions.get(f.subject)?.v : undefined;
      if (v) {
        // A layer version some shard could read is not a failure of the whole scan; one no
        // shard could read failed as its merged record says (one scan lists one failure for it).
        if (v.status === 'inventoried' || !v.failure) continue;
        f = { scope: f.scope, subject: f.subject, ...v.failure };
      }
      failures.set(`${f.scope}\0${f.subject}\0${f.code}`, f);
    }
  imageFailuresAsOneScan(functions, repos, readings, failures);
  const failureList = [...failures.values()].sort(
    (a, b) => cmp(a.scope, b.scope) || cmp(a.subject, b.subject) || cmp(a.code, b.code)
  );

  const sortedFunctions = functions.sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.arn, b.arn)
  );
  const imageFunctions = sortedFunctions.flatMap((f) =>
    f.image ? [{ ...f, image: f.image }] : []
  );
  return {
    result: {
      schemaVersion: first.schemaVersion,
      tool: first.tool,
      scope: {
        accounts: [...new Set(shards.flatMap((s) => s.scope.accounts))].sort(),
        regions: first.scope.regions,
      },
      functions: sortedFunctions,
      layers: layerList,
      ...(shards.some((s) => s.images) ? { images: repositories } : {}),
      failures: failureList,
      drift: {
        ...computeDrift(sortedFunctions, layerList),
        ...(shards.some((s) => s.drift.images)
          ? { images: computeImageDrift(imageFunctions, repositories) }
          : {}),
      },
    },
    sbomSource,
  };
}

/**
 * The ECR repositories of every shard as one scan lists them: a repository seen by several
 * shards (functions of several accounts using it) keeps the record that described it, with each
 * image's users joined; each digest read as one scan reads it (below), its SBOM taken from the
 * shard that read it so.
 */
function mergeRepositories(
  shards: readonly ShardResult[],
  sbomSource: Map<string, number>
): {
  repositories: ScanImageRepository[];
  repos: ReadonlyMap<string, ScanImageRepository>;
  readings: Map<string, ScanImage['failure']>;
} {
  const repos = new Map<string, ScanImageRepository>();
  // Each merged image, and the shard whose reading of it it carries.
  const from = new Map<ScanImage, number>();
  shards.forEach((s, shard) => {
    for (const r of s.images ?? []) {
      const key = `${r.registry}/${r.name}`;
      const had = repos.get(key);
      // One scan describes a repository from the first function (by ARN) running an image from
      // it (as the repository's owner where the scan covers that account, which every shard
      // identifies, else as that function's account), and reads an image there as the first
      // running it: the shard holding that function.
      const base = !had || earlier(firstUser(r.images), firstUser(had.images)) ? r : had;
      const other = base === r ? had : r;
      const own = new Set(r.images);
      const shardOf = (i: ScanImage): number => (own.has(i) ? shard : from.get(i)!);
      const images = new Map<string, ScanImage>();
      for (const i of [...base.images, ...(other?.images ?? [])]) {
        const prev = images.get(i.digest);
        const read = prev && !earlier(i.usedBy[0], prev.usedBy[0]) ? prev : i;
        const merged = {
          ...read,
          usedBy: prev ? [...new Set([...prev.usedBy, ...i.usedBy])].sort() : [...i.usedBy],
        };
        images.set(i.digest, merged);
        from.set(merged, read === prev ? from.get(prev)! : shardOf(i));
      }
      repos.set(key, {
        ...base,
        images: [...images.values()].sort(
          (a, b) => (a.pushOrder ?? Infinity) - (b.pushOrder ?? Infinity) || cmp(a.digest, b.digest)
        ),
      });
    }
  });
  const readings = readAsOneScan(repos, from, sbomSource);
  const repositories = [...repos.values()].sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.name, b.name)
  );
  return { repositories, repos, readings };
}

/** Whether user ARN `a` sorts before `b`; no user (an image nobody runs) sorts last. */
const earlier = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && (b === undefined || a < b);

/** The first function (by ARN) running any of `images` (each image's users are sorted). */
function firstUser(images: readonly ScanImage[]): string | undefined {
  let first: string | undefined;
  for (const i of images) if (earlier(i.usedBy[0], first)) first = i.usedBy[0];
  return first;
}

/**
 * One scan reads each digest in use once, from the first repository by name that can serve it
 * (described, and the image not archived there), and every repository's image of that digest
 * says what that read found; it names the SBOM after that repository. A shard read it from its
 * own first such repository, or not at all when it had none (an archived replica of an image
 * another Region still serves): here every image of the digest takes the reading of the first
 * repository of all the shards', and the SBOM comes from the shard that made it.
 */
function readAsOneScan(
  repos: ReadonlyMap<string, ScanImageRepository>,
  from: ReadonlyMap<ScanImage, number>,
  sbomSource: Map<string, number>
): Map<string, ScanImage['failure']> {
  const readings = new Map<string, ScanImage['failure']>();
  const users = new Map<string, { key: string; repo: ScanImageRepository; image: ScanImage }[]>();
  for (const [key, repo] of repos)
    for (const image of repo.images) {
      // Listed only as the repository's newest: not read by any scan.
      if (image.usedBy.length === 0) continue;
      const list = users.get(image.digest);
      if (list) list.push({ key, repo, image });
      else users.set(image.digest, [{ key, repo, image }]);
    }
  for (const [digest, list] of users) {
    list.sort((a, b) => cmp(a.key, b.key));
    const first = list.find((u) => u.repo.failure === null && u.image.imageStatus !== 'ARCHIVED');
    if (!first) {
      // None can serve it, so one scan read it nowhere: its failure is the last archived
      // repository's, or else the first undescribed one's, as the scan comes to them in order.
      let failure: ScanImage['failure'] = null;
      for (const u of list)
        if (u.repo.failure) failure ??= u.repo.failure;
        else failure = { code: 'IMAGE_ARCHIVED', reason: archivedImageReason(u.key, digest) };
      for (const u of list) Object.assign(u.image, unread(failure));
      readings.set(digest, failure);
      continue;
    }
    const { architecture, status, failure, sbom, packageCount, inventoryComplete } = first.image;
    for (const u of list)
      Object.assign(u.image, {
        architecture,
        status,
        failure,
        sbom,
        packageCount,
        inventoryComplete,
      });
    if (sbom && status === 'inventoried') sbomSource.set(sbom, from.get(first.image)!);
    readings.set(digest, failure);
  }
  return readings;
}

/**
 * Each image function's failure as one scan gives it (`failures` holds its shard's): its own
 * repository's when that cannot serve its image (not described, or the image archived there),
 * else the one read of its digest's ({@link readAsOneScan}). Only that read gives a function
 * version (an image function's ARN) a failure, so the shard's are replaced whole.
 */
function imageFailuresAsOneScan(
  functions: readonly ScanFunction[],
  repos: ReadonlyMap<string, ScanImageRepository>,
  readings: ReadonlyMap<string, ScanImage['failure']>,
  failures: Map<string, ScanFailure>
): void {
  const keysOf = new Map<string, string[]>();
  for (const [key, f] of failures)
    if (f.scope === 'function') keysOf.set(f.subject, [...(keysOf.get(f.subject) ?? []), key]);
  const images = new Map<string, ScanImage>();
  for (const [key, repo] of repos) for (const i of repo.images) images.set(`${key}@${i.digest}`, i);
  for (const f of functions) {
    const { repository, digest } = f.image ?? {};
    const repo = repository ? repos.get(repository) : undefined;
    if (!repository || !digest || !repo) continue;
    const archived = images.get(`${repository}@${digest}`)?.imageStatus === 'ARCHIVED';
    const failure =
      repo.failure ??
      (archived
        ? { code: 'IMAGE_ARCHIVED', reason: archivedImageReason(repository, digest) }
        : (readings.get(digest) ?? null));
    for (const key of keysOf.get(f.arn) ?? []) failures.delete(key);
    if (failure)
      failures.set(`function\0${f.arn}\0${failure.code}`, {
        scope: 'function',
        subject: f.arn,
        code: failure.code,
        reason: failure.reason,
      });
  }
}

/** An image of a digest no repository could serve, as one scan writes it. */
const unread = (failure: ScanImage['failure']): Partial<ScanImage> => ({
  architecture: null,
  status: 'failed',
  failure,
  sbom: null,
  packageCount: null,
  inventoryComplete: null,
});
