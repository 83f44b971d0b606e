/**
 * What a scan takes from earlier scans (layer version descriptions, SBOMs, the package drift)
 * and leaves for the next, through the cache's {@link ScanCache}; a no-op when reuse is off.
 */
import { createHash } from 'node:crypto';
import type { Enumeration, LayerContent, LayerVersionRecord } from '../fetch/aws/enumerate.js';
import type { Removed } from '../fetch/cache.js';
import { ScanCache, type CachedSbom, type SbomSummary } from '../fetch/scan-cache.js';
import type { EstatePackage, LayerDiff, PackageDrift } from '../scan/package-drift.js';
import type { ScanResult } from '../scan/result.js';
import type { Limits } from '../unpack/source.js';
import { LAMINA_VERSION } from '../version.js';

/** What the package drift of a scan is computed from, besides the SBOMs its layers name. */
export type PackageDriftInputs = Pick<ScanResult, 'functions' | 'layers' | 'drift'>;

/** The reuse of one scan. */
export interface ScanReuse {
  /** Recorded content facts of a listed layer version (undefined: describe it). */
  known: (lv: LayerVersionRecord) => LayerContent | undefined;
  /**
   * Put the cached SBOM of the zip `hex` written under the name `arn` at `path` (unless the file
   * there already holds it); what the scan result says of it, or undefined when none is cached.
   */
  placeSbom(hex: string, arn: string, path: string): SbomSummary | undefined;
  /** Keep an SBOM for the next scan. */
  keepSbom(hex: string, arn: string, sbom: CachedSbom): void;
  /**
   * Record the enumeration's described layer versions for the next scan; with `prune`, forget
   * the records of every other layer version.
   */
  save(en: Enumeration, prune?: boolean): Promise<void>;
  /** Remove the kept SBOMs this scan neither placed nor kept (nothing when reuse is off). */
  pruneSboms(): Promise<Removed>;
  /**
   * The package drift of `inputs`: the one an earlier scan kept, when it was computed from
   * equal inputs by this lamina with these limits (so from equal SBOMs); otherwise
   * `compute()`'s, kept for the next scan. `reused` says which.
   */
  packageDrift(
    inputs: PackageDriftInputs,
    compute: () => Promise<PackageDrift>
  ): Promise<{ drift: PackageDrift; reused: boolean }>;
  /**
   * What the cache could not keep for the next scan, the first failure (undefined: none). What
   * is kept is only for the next scan, so a failure to keep it never fails this one; after an
   * SBOM could not be kept no other is tried.
   */
  keepFailure(): string | undefined;
}

const NONE: ScanReuse = {
  known: () => undefined,
  placeSbom: () => undefined,
  keepSbom: () => undefined,
  save: () => Promise.resolve(),
  pruneSboms: () => Promise.resolve({ files: 0, bytes: 0 }),
  packageDrift: async (_inputs, compute) => ({ drift: await compute(), reused: false }),
  keepFailure: () => undefined,
};

/**
 * Open the reuse of a scan over the cache at `cacheRoot`; `enabled` false reuses nothing.
 * `trackUse` notes what the scan uses, for a prune at its end.
 */
export async function openScanReuse(
  cacheRoot: string,
  enabled: boolean,
  limits: Limits,
  trackUse = false
): Promise<ScanReuse> {
  if (!enabled) return NONE;
  const cache = await ScanCache.open(cacheRoot, { trackUse });
  // The SBOM's bytes depend on lamina's version, the limits and the name it is written under.
  const key = ScanCache.sbomKeys(LAMINA_VERSION, limits);
  let failure: string | undefined;
  let sbomsFailed = false;
  const failed = (what: string, err: unknown): void => {
    failure ??= `could not keep ${what} for the next scan (${err instanceof Error ? err.message : String(err)})`;
  };
  return {
    known: (lv) => cache.known(lv),
    placeSbom: (hex, arn, path) => cache.placeSbom(hex, key(arn), path),
    keepSbom: (hex, arn, sbom) => {
      if (sbomsFailed) return;
      try {
        cache.writeSbom(hex, key(arn), sbom);
      } catch (err) {
        sbomsFailed = true;
        failed('the SBOMs', err);
      }
    },
    save: async (en, prune) => {
      for (const lv of en.layerVersions.values()) if (!lv.failure) cache.remember(lv);
      try {
        await cache.save({ prune: prune ?? false });
      } catch (err) {
        failed('the layer version records', err);
      }
      // The scan's last use of them.
      cache.forget();
    },
    pruneSboms: () => cache.pruneSboms(),
    packageDrift: async (inputs, compute) => {
      const key = packageDriftKey(inputs, limits);
      const kept = readPackageDrift(cache, key, inputs);
      if (kept) return { drift: kept, reused: true };
      const drift = await compute();
      try {
        await cache.writeDerived(PACKAGE_DRIFT, key, packageDriftLines(drift));
      } catch (err) {
        failed('the package drift', err);
      }
      return { drift, reused: false };
    },
    keepFailure: () => failure,
  };
}

const PACKAGE_DRIFT = 'package-drift';
const DRIFT_LISTS = ['layerDiffs', 'regionDiffs', 'packages', 'incompleteFunctions'] as const;

/**
 * The key of a package drift: the sha256 of lamina's version, the limits and every input as
 * scan.json holds them. The analysis reads the functions, the layers and the layer drift, and
 * the SBOMs the layers name, whose bytes follow from the zip digest and layer version ARN (both
 * in the layers), lamina's version and the limits (as for the cached SBOMs themselves). The
 * long lists are hashed an element at a time (each JSON text after a newline, which JSON.stringify
 * never writes), never as one text.
 */
export function packageDriftKey(inputs: PackageDriftInputs, limits: Limits): string {
  const hash = createHash('sha256');
  const { layers: layerDrift, ...drift } = inputs.drift;
  hash.update(JSON.stringify([LAMINA_VERSION, limits, drift]));
  for (const list of [inputs.functions, inputs.layers, layerDrift]) {
    hash.update(`\n${list.length}`);
    for (const element of list) {
      hash.update('\n');
      hash.update(JSON.stringify(element));
    }
  }
  return hash.digest('hex');
}

/** A package drift as lines: each element of each list as `[list, element]`, then the counts. */
function* packageDriftLines(drift: PackageDrift): Generator<string> {
  for (const list of DRIFT_LISTS)
    for (const element of drift[list]) yield JSON.stringify([list, element]);
  yield JSON.stringify(['end', DRIFT_LISTS.map((list) => drift[list].length)]);
}

/**
 * The package drift kept under `key`; undefined unless every line and the counts check out.
 * The function ARNs its lists repeat are read back as the strings of `inputs`' functions, as
 * the analysis shares them: parsed line by line, each would be a copy of its own, and a
 * re-scan of 100,000 functions peaked ~40 MiB above the scan that computed the drift
 * (BENCHMARKS.md).
 */
function readPackageDrift(
  cache: ScanCache,
  key: string,
  inputs: PackageDriftInputs
): PackageDrift | undefined {
  // Made at the first line of a drift kept under this key: a scan that computes its drift
  // (every first scan, at its fullest moment) never holds it.
  let arns: Map<string, string> | undefined;
  const drift: PackageDrift = {
    layerDiffs: [],
    regionDiffs: [],
    packages: [],
    incompleteFunctions: [],
  };
  let ended = false;
  const read = cache.readDerived(PACKAGE_DRIFT, key, (line) => {
    const got = JSON.parse(line) as unknown;
    if (!Array.isArray(got) || got.length !== 2 || ended) throw new Error('not a drift line');
    const [list, value] = got as [unknown, unknown];
    if (list === 'end') {
      const counts = DRIFT_LISTS.map((l) => drift[l].length);
      if (JSON.stringify(value) !== JSON.stringify(counts)) throw new Error('counts differ');
      ended = true;
      return;
    }
    if (!DRIFT_LISTS.includes(list as (typeof DRIFT_LISTS)[number])) throw new Error('not a list');
    // The renderers walk each element: an object (a function ARN in incompleteFunctions).
    const fits =
      list === 'incompleteFunctions'
        ? typeof value === 'string'
        : typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!fits) throw new Error('not a drift element');
    (drift[list as (typeof DRIFT_LISTS)[number]] as unknown[]).push(
      shareFunctionArns(
        list as (typeof DRIFT_LISTS)[number],
        value,
        (arns ??= new Map(inputs.functions.map((f) => [f.arn, f.arn])))
      )
    );
  });
  return read && ended ? drift : undefined;
}

/**
 * A kept drift element with the function ARNs of its lists replaced by the instances in `arns`
 * (in place; an ARN not there stays as parsed). Only its kind was checked: a list that is not
 * an array is passed over, and an element that cannot be walked throws (a miss).
 */
function shareFunctionArns(
  list: (typeof DRIFT_LISTS)[number],
  element: unknown,
  arns: ReadonlyMap<string, string>
): unknown {
  const share = (names: unknown): void => {
    if (!Array.isArray(names)) return;
    for (let i = 0; i < names.length; i++) {
      const arn = arns.get(names[i] as string);
      if (arn !== undefined) names[i] = arn;
    }
  };
  const each = <T>(xs: unknown, fn: (x: T) => void): void => {
    if (Array.isArray(xs)) for (const x of xs) fn(x as T);
  };
  switch (list) {
    case 'incompleteFunctions':
      return arns.get(element as string) ?? element;
    case 'layerDiffs':
      each<LayerDiff['inUse'][number]>((element as LayerDiff).inUse, (u) => {
        share(u.functions);
        each<LayerDiff['inUse'][number]['catchUp'][number]>(u.catchUp, (c) => share(c.functions));
      });
      return element;
    case 'packages':
      each<EstatePackage['versions'][number]>((element as EstatePackage).versions, (v) => {
        share(v.functions);
        share(v.shadowedIn);
      });
      return element;
    case 'regionDiffs':
      return element;
  }
}
