/**
 * Lookup tables over a loaded estate, built once per estate so that every
 * request is a map lookup or an O(page) slice instead of a scan over the whole
 * estate (the 10,000-function scan benchmark makes ~12,000 requests).
 * An estate is never modified after parseEstate, so the index never goes stale.
 */
import type { EcrRepository } from './ecr-store.js';
import type {
  CodeSigningConfig,
  Estate,
  FunctionVersion,
  LambdaFunction,
  Layer,
  LayerVersion,
  RegionEstate,
  SigningJob,
  SigningProfile,
} from './estate.js';

/** One row of ListFunctions: $LATEST (version undefined) or a published version. */
export interface FunctionEntry {
  fn: LambdaFunction;
  version: FunctionVersion | undefined;
}

/** A layer and its versions by number. */
export interface IndexedLayer {
  layer: Layer;
  versions: Map<number, LayerVersion>;
}

/** Lookups for one account+region. */
export interface RegionIndex {
  region: RegionEstate;
  functionsByName: Map<string, LambdaFunction>;
  /** Sorted by name, as ListFunctions returns them. */
  functionsSorted: LambdaFunction[];
  /** ListFunctions rows without `FunctionVersion=ALL`: one $LATEST per function. */
  latestEntries: FunctionEntry[];
  /** ListFunctions rows with `FunctionVersion=ALL`: $LATEST then each published version. */
  allEntries: FunctionEntry[];
  layersByName: Map<string, IndexedLayer>;
  /** Sorted by name, as ListLayers returns them. */
  layersSorted: Layer[];
  signingJobsById: Map<string, SigningJob>;
  signingProfilesByName: Map<string, SigningProfile>;
  codeSigningConfigsById: Map<string, CodeSigningConfig>;
  repositoriesByName: Map<string, EcrRepository>;
}

const EMPTY_REGION: RegionEstate = {
  layers: [],
  functions: [],
  signingProfiles: [],
  signingJobs: [],
  codeSigningConfigs: [],
  revokedCertificateHashes: [],
  repositories: [],
};

const byName = <T extends { name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** Keeps the first of duplicate keys, like `Array.prototype.find` did. */
function mapFirst<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T> {
  const m = new Map<K, T>();
  for (const it of items) if (!m.has(key(it))) m.set(key(it), it);
  return m;
}

function indexRegion(region: RegionEstate): RegionIndex {
  const functionsSorted = [...region.functions].sort(byName);
  const latestEntries: FunctionEntry[] = [];
  const allEntries: FunctionEntry[] = [];
  for (const fn of functionsSorted) {
    latestEntries.push({ fn, version: undefined });
    allEntries.push({ fn, version: undefined });
    for (const version of fn.versions) allEntries.push({ fn, version });
  }
  const layersByName = new Map<string, IndexedLayer>();
  for (const layer of region.layers) {
    if (layersByName.has(layer.name)) continue;
    layersByName.set(layer.name, { layer, versions: mapFirst(layer.versions, (v) => v.version) });
  }
  return {
    region,
    functionsByName: mapFirst(region.functions, (f) => f.name),
    functionsSorted,
    latestEntries,
    allEntries,
    layersByName,
    layersSorted: [...region.layers].sort(byName),
    signingJobsById: mapFirst(region.signingJobs, (j) => j.jobId),
    signingProfilesByName: mapFirst(region.signingProfiles, (p) => p.name),
    codeSigningConfigsById: mapFirst(region.codeSigningConfigs, (c) => c.id),
    repositoriesByName: mapFirst(region.repositories, (r) => r.name),
  };
}

/** Per-estate cache of region indexes, built lazily on first lookup of each region. */
const cache = new WeakMap<Estate, Map<string, RegionIndex>>();
const EMPTY_INDEX = indexRegion(EMPTY_REGION);

/** The index of one account+region; an empty one when the estate has none. */
export function regionIndex(estate: Estate, account: string, region: string): RegionIndex {
  let regions = cache.get(estate);
  if (!regions) {
    regions = new Map();
    cache.set(estate, regions);
  }
  const key = `${account}\0${region}`;
  let idx = regions.get(key);
  if (!idx) {
    const re = estate.accounts.get(account)?.regions.get(region);
    if (!re) return EMPTY_INDEX;
    idx = indexRegion(re);
    regions.set(key, idx);
  }
  return idx;
}
