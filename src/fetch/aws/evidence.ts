/**
 * Gathering what the pure verifier needs about published layers and functions: the zip (through
 * the digest-checking cache), its inventory, Sigstore bundles, AWS Signer evidence, and a
 * function's code signing config. Reuses fetchLayerVersion (layer.ts) and getFunctionInfo
 * (function.ts).
 */
import { readFile } from 'node:fs/promises';
import {
  GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
} from '@aws-sdk/client-lambda';
import { buildInventory } from '../../inventory/index.js';
import type { Inventory } from '../../model/inventory.js';
import type { Limits } from '../../unpack/source.js';
import { openZipFile } from '../../unpack/zip.js';
import {
  MAX_BYTES_FOR_SIGSTORE,
  type FunctionEvidence,
  type LayerEvidence,
} from '../../verify/evidence.js';
import { findRule } from '../../verify/policy/match.js';
import type { LoadedPolicy } from '../../verify/policy/types.js';
import { collectBundles, type FetchLike } from '../bundles.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import type { ClientFactory, Principal } from './clients.js';
import { parseLayerVersionArn, type LayerContent } from './enumerate.js';
import { classifyApiError, withRetry } from './errors.js';
import { fetchLayerVersion, failureError } from './layer.js';
import type { SdkSignerEvidence } from './signer.js';

/** What gathering needs; one per run. */
export interface GatherContext {
  factory: ClientFactory;
  signer: SdkSignerEvidence;
  loaded: LoadedPolicy;
  cacheDir: string;
  limits: Limits;
  /** `--bundle` files, added to every layer's bundles. */
  bundleFiles: readonly string[];
  retry?: RetryPolicy;
  principal?: Principal;
  fetch?: FetchLike;
  /** Inventories by zip digest, so a zip published as several versions is read once. */
  inventories?: Map<string, Promise<Inventory>>;
}

/** A layer's evidence plus notes on what could not be gathered. */
export interface GatheredLayer {
  evidence: LayerEvidence;
  /** Signer calls that gave no evidence (the signer check then fails closed). */
  problems: string[];
}

/**
 * Evidence for a layer version whose zip is already in the cache at `path` (digest checked by
 * the downloader) and whose Content is known.
 */
export async function layerEvidenceFromCache(
  arn: string,
  content: LayerContent,
  hex: string,
  path: string,
  ctx: GatherContext
): Promise<GatheredLayer> {
  const parsed = parseLayerVersionArn(arn);
  const layerName = parsed?.name;
  const inventories = ctx.inventories ?? new Map<string, Promise<Inventory>>();
  let inventory = inventories.get(hex);
  if (!inventory) {
    inventory = (async () => {
      const source = await openZipFile(path, { limits: ctx.limits, name: arn });
      try {
        return await buildInventory(
          source,
          { name: arn, kind: 'zip', sha256: source.digest, size: source.size, properties: {} },
          { limits: ctx.limits }
        );
      } finally {
        await source.close();
      }
    })();
    inventories.set(hex, inventory);
  }
  const ruleIndex = findRule(ctx.loaded.policy.layers, { name: layerName, arn });
  const sources = (ruleIndex >= 0 ? ctx.loaded.policy.layers?.[ruleIndex]?.bundles : []) ?? [];
  const [inv, found, signer] = await Promise.all([
    inventory,
    collectBundles(hex, ctx.bundleFiles, sources, {
      baseDir: ctx.loaded.baseDir,
      s3: ctx.signer.s3,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
    ctx.signer.forContent(content),
  ]);
  // Held in memory only when a bundle needs it and the layer is small enough.
  const bytes =
    found.bundles.length > 0 && content.codeSize <= MAX_BYTES_FOR_SIGSTORE
      ? await readFile(path)
      : undefined;
  return {
    evidence: {
      name: arn,
      ...(layerName !== undefined ? { layerName } : {}),
      arn,
      sha256: hex,
      codeSha256: content.codeSha256,
      ...(bytes ? { bytes } : {}),
      inventory: inv,
      bundles: found.bundles,
      bundleErrors: found.errors,
      signer: signer.evidence,
    },
    problems: signer.problems,
  };
}

/**
 * GetLayerVersionByArn, download (digest checked), inventory, bundles, Signer evidence.
 * @throws UsageError for a malformed or unknown ARN (exit 2); FetchError when AWS cannot be
 *   read (exit 3); UnpackError when the zip is refused (exit 2)
 */
export async function layerEvidenceByArn(arn: string, ctx: GatherContext): Promise<GatheredLayer> {
  const layer = await fetchLayerVersion(ctx.factory, arn, {
    cacheDir: ctx.cacheDir,
    ...(ctx.retry ? { apiRetry: ctx.retry, downloadRetry: ctx.retry } : {}),
    ...(ctx.principal ? { principal: ctx.principal } : {}),
  });
  return layerEvidenceFromCache(arn, layer.content, layer.hex, layer.path, ctx);
}

/** A function's code signing config as FunctionEvidence carries it. */
export type CodeSigningConfigEvidence = FunctionEvidence['codeSigningConfig'];

/**
 * GetFunctionCodeSigningConfig, then GetCodeSigningConfig when one is attached.
 * @returns undefined when the function has no code signing config
 * @throws UsageError when the function does not exist; FetchError when it could not be read
 */
export async function readFunctionCodeSigning(
  factory: ClientFactory,
  name: string,
  region: string,
  options: { retry?: RetryPolicy; principal?: Principal } = {}
): Promise<CodeSigningConfigEvidence> {
  const client = factory.lambda(
    options.principal ?? { label: 'default', credentials: undefined },
    region
  );
  const retry = options.retry ?? DEFAULT_RETRY;
  let cscArn: string | undefined;
  try {
    const res = await withRetry(retry, () =>
      client.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: name }))
    );
    cscArn = res.CodeSigningConfigArn || undefined;
  } catch (err) {
    throw failureError(classifyApiError(err, `GetFunctionCodeSigningConfig ${name}`));
  }
  if (!cscArn) return undefined;
  try {
    const res = await withRetry(retry, () =>
      client.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: cscArn }))
    );
    const c = res.CodeSigningConfig;
    return {
      CodeSigningConfigArn: c?.CodeSigningConfigArn ?? cscArn,
      AllowedPublishers: {
        SigningProfileVersionArns: [...(c?.AllowedPublishers?.SigningProfileVersionArns ?? [])],
      },
      CodeSigningPolicies: {
        UntrustedArtifactOnDeployment:
          c?.CodeSigningPolicies?.UntrustedArtifactOnDeployment ?? 'Warn',
      },
    };
  } catch (err) {
    // The function names a config we cannot read: that is not "no config", it is incomplete.
    const f = classifyApiError(err, `GetCodeSigningConfig ${cscArn}`);
    throw failureError(f.code === 'NOT_FOUND' ? { ...f, code: 'API_ERROR' } : f);
  }
}
