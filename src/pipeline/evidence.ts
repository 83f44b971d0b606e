/**
 * Gathering what the pure verifier needs about a layer: its zip (a local file, or a published
 * version through the digest-checking cache), its inventory, its Sigstore bundles, and for a
 * published version its AWS Signer evidence.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { LayerContent } from '../fetch/aws/enumerate.js';
import type { SdkSignerEvidence } from '../fetch/aws/signer.js';
import { collectBundles, parseBundle, type FetchLike } from '../fetch/bundles.js';
import { FetchError } from '../fetch/errors.js';
import { parseLayerVersionArn } from '../model/arn.js';
import type { FoundBundle, LayerEvidence, LayerFacts } from '../model/evidence.js';
import type { Inventory } from '../model/inventory.js';
import type { Limits } from '../unpack/source.js';
import { MAX_BUNDLE_BYTES, MAX_BYTES_FOR_SIGSTORE } from '../verify/evidence.js';
import { loadPolicyFile } from '../verify/policy/load.js';
import { findRule } from '../verify/policy/match.js';
import type { LoadedPolicy } from '../verify/policy/types.js';
import { fetchLayer, type AwsSession, type LayerRef } from './aws.js';
import { inventoryPath, inventoryZipFile } from './inventory.js';
import type { PolicyInput } from './options.js';
import { readNamedFileSync } from '../util/fs.js';

/** A layer's evidence plus notes on what could not be gathered. */
export interface GatheredLayer {
  evidence: LayerEvidence;
  /** Signer calls that gave no evidence (the signer check then fails closed). */
  problems: string[];
}

/**
 * `--bundle` files the user named, in order.
 * @throws UsageError when one cannot be read
 */
export function readBundleFiles(paths: readonly string[]): FoundBundle[] {
  const out: FoundBundle[] = [];
  for (const path of paths)
    out.push(
      parseBundle(path, readNamedFileSync(path, 'bundle', MAX_BUNDLE_BYTES).toString('utf8'))
    );
  return out;
}

/** The `bundles:` sources of the rule that applies to a layer. */
function ruleBundleSources(
  loaded: LoadedPolicy,
  name: string | undefined,
  arn: string | undefined,
  facts: LayerFacts = {}
) {
  const index = findRule(loaded.policy.layers, { name, arn, ...facts });
  return (index >= 0 ? loaded.policy.layers?.[index]?.bundles : []) ?? [];
}

/** Options for {@link localLayerEvidence}. */
export interface LocalLayerEvidenceOptions {
  /** The layer zip. */
  zip: string;
  /** The name rules match (`--layer-name`). */
  layerName: string;
  /** The layer version ARN it is or will be published as, if known. */
  layerArn?: string;
  /** The account and region it will be published in, if known (rules may match on them). */
  facts?: LayerFacts;
  policy: LoadedPolicy;
  bundleFiles: readonly string[];
  limits: Limits;
}

/**
 * Evidence for a local layer zip: inventory, `--bundle` files and the matching rule's bundle
 * sources other than `s3://` (a local run has no AWS settings).
 * @throws UsageError for a missing path, a directory, or an unreadable bundle file; UnpackError
 *   for a refused zip
 */
export async function localLayerEvidence(o: LocalLayerEvidenceOptions): Promise<LayerEvidence> {
  const inventory = await inventoryPath(o.zip, o.limits, {
    kind: 'zip',
    why: 'verify needs a layer zip (its digest is what is pinned)',
  });
  const { sha256, size, name } = inventory.artifact;
  const files = readBundleFiles(o.bundleFiles);
  const sources = ruleBundleSources(o.policy, o.layerName, o.layerArn, o.facts);
  const found = await collectBundles(sha256, sources, { baseDir: o.policy.baseDir });
  const bundles = [...files, ...found.bundles];
  return {
    name,
    layerName: o.layerName,
    ...(o.layerArn !== undefined ? { arn: o.layerArn } : {}),
    ...o.facts,
    sha256,
    // Held in memory only when a bundle needs it and the layer is small enough.
    ...(bundles.length > 0 && size <= MAX_BYTES_FOR_SIGSTORE
      ? { bytes: await readFile(o.zip) }
      : {}),
    inventory,
    bundles,
    bundleErrors: found.errors,
  };
}

/** What gathering published layers needs; one per run. */
export interface GatherContext {
  session: AwsSession;
  signer: SdkSignerEvidence;
  policy: LoadedPolicy;
  limits: Limits;
  /** `--bundle` files, added to every layer's bundles. */
  bundleFiles: readonly FoundBundle[];
  /** Bundle URL fetches (tests substitute their own). */
  fetch?: FetchLike;
  /** Inventories by zip digest, so a zip published as several versions is read once. */
  inventories: Map<string, Promise<Inventory>>;
}

/**
 * Evidence for a layer version whose zip is already in the cache at `path` (named by its
 * digest `hex`) and whose Content is known.
 * @throws UnpackError when the zip is refused; FetchError when Signer or S3 cannot be reached,
 *   or CACHE_CHANGED when the entry no longer hashes to `hex`
 */
export async function cachedLayerEvidence(
  arn: string,
  content: LayerContent,
  hex: string,
  path: string,
  ctx: GatherContext
): Promise<GatheredLayer> {
  const layerName = parseLayerVersionArn(arn)?.name;
  let inventory = ctx.inventories.get(hex);
  if (!inventory) {
    inventory = inventoryZipFile({ path, hex }, { name: arn, properties: {} }, ctx.limits).then(
      (l) => l.inventory
    );
    ctx.inventories.set(hex, inventory);
  }
  const [inv, found, signer] = await Promise.all([
    inventory,
    collectBundles(hex, ruleBundleSources(ctx.policy, layerName, arn), {
      baseDir: ctx.policy.baseDir,
      s3: ctx.signer.s3,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
    ctx.signer.forContent(content),
  ]);
  const bundles = [...ctx.bundleFiles, ...found.bundles];
  // Held in memory only when a bundle needs it and the layer is small enough.
  const bytes =
    bundles.length > 0 && content.codeSize <= MAX_BYTES_FOR_SIGSTORE
      ? await readFile(path)
      : undefined;
  // Read after the inventory's open checked the entry: the bundles are verified over these
  // bytes, so they too must be the ones the cache entry is named by.
  if (bytes && createHash('sha256').update(bytes).digest('hex') !== hex) {
    throw new FetchError({
      code: 'CACHE_CHANGED',
      message: `${arn}: the cached zip ${path} changed on disk while it was read`,
    });
  }
  return {
    evidence: {
      name: arn,
      ...(layerName !== undefined ? { layerName } : {}),
      arn,
      sha256: hex,
      codeSha256: content.codeSha256,
      ...(bytes ? { bytes } : {}),
      inventory: inv,
      bundles,
      bundleErrors: found.errors,
      signer: signer.evidence,
    },
    problems: signer.problems,
  };
}

/**
 * Evidence for a published layer version: GetLayerVersionByArn, download (digest checked),
 * inventory, bundles, Signer evidence.
 * @throws as {@link fetchLayer} says; UnpackError when the zip is refused
 */
export async function publishedLayerEvidence(
  arn: string,
  ref: LayerRef,
  ctx: GatherContext
): Promise<GatheredLayer> {
  const layer = await fetchLayer(ctx.session, arn, ref);
  return cachedLayerEvidence(arn, layer.content, layer.hex, layer.path, ctx);
}

/** The policy, loaded. @throws PolicyError when the file cannot be read or is invalid */
export function resolvePolicy(policy: PolicyInput): LoadedPolicy {
  return typeof policy === 'string' ? loadPolicyFile(policy) : policy;
}
