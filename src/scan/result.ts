/**
 * The scan result written to `<out>/scan.json`: documented field by field in
 * docs/scan-result.md. Versioned by `schemaVersion`; every list is sorted so a
 * scan of an unchanged estate is byte-identical.
 */

import type { ImageDrift } from './image-drift.js';
import type { ScanFunctionImage, ScanImageRepository } from './image-result.js';
import type { PackageDrift } from './package-drift.js';
import { escapeJsonText } from '../util/escape.js';
import { cmp } from '../util/compare.js';

export const SCAN_RESULT_SCHEMA_VERSION = 1;

export interface ScanResult {
  schemaVersion: typeof SCAN_RESULT_SCHEMA_VERSION;
  tool: { name: 'lamina'; version: string };
  /** What was scanned: the accounts reached and the regions asked for. */
  scope: { accounts: string[]; regions: string[] };
  /** Only in the output of `lamina scan --shard I/N`: which shard, of what (lamina merge checks). */
  shard?: ScanShard;
  functions: ScanFunction[];
  layers: ScanLayer[];
  /** ECR repositories of the image functions' images (scans since images were read). */
  images?: ScanImageRepository[];
  failures: ScanFailure[];
  drift: Drift;
}

/**
 * The (account, region) pairs are numbered account by account in `accounts` order, each with
 * every region in `regions` order, from 0; shard `index` of `count` scans those whose number
 * modulo `count` is `index - 1`. Shards of one scan must agree on both lists.
 */
export interface ScanShard {
  /** 1-based. */
  index: number;
  count: number;
  /** Every account identified, in numbering order (not only this shard's). */
  accounts: string[];
  /** The regions asked for, in numbering order. */
  regions: string[];
}

export interface ScanFunction {
  account: string;
  region: string;
  name: string;
  arn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  runtime: string | null;
  /**
   * Zip functions only: the Handler the runtime loads (null when Lambda returned none). Absent
   * for image functions, which have none, and in scans by a lamina that did not record it.
   */
  handler?: string | null;
  architectures: string[];
  packageType: string;
  /** null when none is attached (or it could not be read: see failures). */
  codeSigningConfig: { arn: string; allowedPublishers: string[]; policy: string } | null;
  /** Layers in attach order. */
  layers: ScanFunctionLayer[];
  /** Image functions only: the image it runs. */
  image?: ScanFunctionImage;
  /**
   * The variables its configuration sets that make the runtime load code (`NODE_OPTIONS`,
   * `PYTHONPATH`, `AWS_LAMBDA_EXEC_WRAPPER`, ...; none is `{loaders: []}`), or why Lambda did
   * not return them. Absent in scans by a lamina that did not record it, and, in those by one
   * that recorded it only when set, for the versions that set none (see
   * {@link recordsEnvironments}).
   */
  environment?: ScanFunctionEnvironment;
}

/** The variables of a function's environment that load code (sorted by name), or why unread. */
export type ScanFunctionEnvironment =
  { loaders: { name: string; value: string }[] } | { unread: string };

/** Whether an environment as recorded makes the runtime load code: a variable set, or unread. */
export function loadsCode(
  env: ScanFunctionEnvironment | undefined
): env is ScanFunctionEnvironment {
  return env !== undefined && ('unread' in env || env.loaders.length > 0);
}

/**
 * Whether a scan recorded its functions' environments, so that a version without one set none.
 * This lamina writes `environment` for every version. An earlier one wrote it only for a version
 * that set a variable, but recorded environments before it recorded zip versions' `handler`, so
 * either field says the scan did; one with neither (by a lamina before both) says nothing of
 * what was set.
 */
export function recordsEnvironments(result: Pick<ScanResult, 'functions'>): boolean {
  return result.functions.some((f) => f.environment !== undefined || f.handler !== undefined);
}

export interface ScanFunctionLayer {
  arn: string;
  name: string;
  owner: string;
  version: number;
  /** `sha256:<hex>` of the layer zip, null when it could not be read. */
  digest: string | null;
}

/** A layer: a name in an owner account, across the regions it was found in. */
export interface ScanLayer {
  name: string;
  owner: string;
  regions: string[];
  versions: ScanLayerVersion[];
}

export type LayerVersionStatus = 'inventoried' | 'failed';

export interface ScanLayerVersion {
  arn: string;
  region: string;
  version: number;
  /** Listed by ListLayerVersions (false: only seen referenced by a function). */
  listed: boolean;
  digest: string | null;
  /** Lambda's CodeSha256 (base64), as the service reported it. */
  codeSha256: string | null;
  size: number | null;
  signingProfileVersionArn: string | null;
  signingJobArn: string | null;
  status: LayerVersionStatus;
  failure: { code: string; reason: string } | null;
  /** Path of the SBOM relative to the output directory. */
  sbom: string | null;
  packageCount: number | null;
  /** Whether the inventory accounts for every executable and parsed every metadata file. */
  inventoryComplete: boolean | null;
  /** ARNs of the function versions that use it. */
  usedBy: string[];
}

export interface ScanFailure {
  scope: 'account' | 'region' | 'function' | 'layer-version';
  subject: string;
  code: string;
  reason: string;
}

export interface Drift {
  /** Per layer and region: the newest version and how far behind each function is. */
  layers: LayerDrift[];
  /** Same layer name, owner and version number, different bytes in different regions. */
  digestMismatches: DigestMismatch[];
  /** Package-level drift (src/estate/analyze.ts); present when the scan computed it. */
  layerDiffs?: PackageDrift['layerDiffs'];
  regionDiffs?: PackageDrift['regionDiffs'];
  packages?: PackageDrift['packages'];
  incompleteFunctions?: PackageDrift['incompleteFunctions'];
  /** Image drift (tags moved, lag, findings); present when the scan read images. */
  images?: ImageDrift;
}

export interface LayerDrift {
  name: string;
  owner: string;
  region: string;
  newestVersion: number;
  newestDigest: string | null;
  functions: { arn: string; version: number; behind: number }[];
}

export interface DigestMismatch {
  name: string;
  owner: string;
  version: number;
  regions: { region: string; digest: string }[];
}

/**
 * Layers in scan.json order: by owner and name, each with its regions sorted and its versions by
 * region and version number (sorts the lists in place, returns a new array).
 */
export function sortScanLayers(layers: Iterable<ScanLayer>): ScanLayer[] {
  return [...layers]
    .map((l) => {
      l.regions.sort();
      l.versions.sort((a, b) => cmp(a.region, b.region) || a.version - b.version);
      return l;
    })
    .sort((a, b) => cmp(a.owner, b.owner) || cmp(a.name, b.name));
}

/**
 * Serialize with a trailing newline; key order is the construction order above. Names and
 * values come from AWS and layers: what a terminal would act on is a JSON escape (escapeJsonText).
 */
export function serializeScanResult(result: ScanResult): string {
  return escapeJsonText(JSON.stringify(result, null, 2)) + '\n';
}
