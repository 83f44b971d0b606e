/**
 * Package-level drift across an estate (pure): per layer, what differs between the versions in
 * use and the newest; per layer version number, what differs between regions; per package, which
 * versions the functions actually see through their merged layers; and what moving to the newest
 * version would change for each function.
 */
import { comparableFromInventory, identify, type ComparableInventory } from '../diff/comparable.js';
import { diffInventories, type PackageDiff } from '../diff/diff.js';
import { ecosystemVersionOrder, type VersionOrder } from '../diff/version-order.js';
import { mergeLayers, type MergeLayerInput, type MergedView } from '../merge/merge.js';
import type { Inventory } from '../model/inventory.js';
import type { Package } from '../model/package.js';
import { isGapFinding } from '../inventory/completeness.js';
import type { ScanFunction, ScanResult } from '../scan/result.js';
import type { FileEntry } from '../unpack/source.js';
import type {
  CatchUpEffect,
  EstatePackage,
  EstatePackageVersion,
  LayerDiff,
  LayerVersionInUse,
  PackageDrift,
  RegionDiff,
} from '../scan/package-drift.js';
import { fnv1a32 } from '../util/fnv.js';
import { FunctionGroups, sortedUnique } from './function-groups.js';
import { NONE, sameList, sized } from '../util/intern.js';
import { cmp } from '../util/compare.js';

export interface EstateOptions {
  /** The inventory of a layer zip by digest (`sha256:<hex>`); undefined when it could not be read. */
  inventoryOf(digest: string): Inventory | undefined;
  /**
   * Every entry of the layer zip, when known, so shadowing is decided on every file. Without it
   * a layer is taken to write only its packages' evidence files: a package counts as hidden
   * when a later layer has a package file at the same path.
   */
  entriesOf?(digest: string): readonly FileEntry[] | undefined;
  versionOrder?: VersionOrder;
}

/** Append to the list under `k` (in place: estates have thousands of functions per version). */
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Memoised per-digest facts and per-pair diffs, so each is computed once per estate. */
class Cache {
  readonly #comparable = new Map<string, ComparableInventory | undefined>();
  readonly #diffs = new Map<string, PackageDiff>();
  readonly #views = new Map<string, ViewFacts>();
  readonly #footprints = new Map<string, Footprint>();
  readonly #sides = new Map<string, PackageDiff['from']>();
  readonly #summaries = new Map<string, PackageDiff['summary']>();
  constructor(readonly options: EstateOptions) {}

  /** Drop the memoised comparable forms, diffs and sides; later calls compute them again. */
  forgetComparisons(): void {
    this.#comparable.clear();
    this.#diffs.clear();
    // Sides are shared within a layer (its newest version); most summaries across the estate.
    this.#sides.clear();
  }

  inventory(digest: string | null): Inventory | undefined {
    return digest === null ? undefined : this.options.inventoryOf(digest);
  }

  comparable(digest: string | null): ComparableInventory | undefined {
    if (digest === null) return undefined;
    if (!this.#comparable.has(digest)) {
      const inv = this.options.inventoryOf(digest);
      const c = inv ? comparableFromInventory(inv) : undefined;
      // The estate's own string for the digest, not the comparable's equal copy: every diff
      // side keeps it to the end of the analysis (20,000 of them at 100,000 functions).
      if (c?.digest === digest) c.digest = digest;
      this.#comparable.set(digest, c);
    }
    return this.#comparable.get(digest);
  }

  diff(from: string, to: string): PackageDiff | undefined {
    const k = `${from}\0${to}`;
    let d = this.#diffs.get(k);
    if (!d) {
      const a = this.comparable(from);
      const b = this.comparable(to);
      if (!a || !b) return undefined;
      d = this.#shareParts(
        diffInventories(a, b, {
          versionOrder: this.options.versionOrder ?? ecosystemVersionOrder,
        })
      );
      this.#diffs.set(k, d);
    }
    return d;
  }

  /**
   * `d` with its sides and summary shared with the estate's other diffs that have equal ones
   * (frozen): every version of a layer is diffed against the same newest one, and most diffs
   * of an estate count alike. The analysis keeps every diff it makes to its end.
   */
  #shareParts(d: PackageDiff): PackageDiff {
    const share = <T extends object>(m: Map<string, T>, part: T): T => {
      const k = JSON.stringify(part);
      const got = m.get(k);
      if (got) return got;
      m.set(k, Object.freeze(part));
      return part;
    };
    d.from = share(this.#sides, d.from);
    d.to = share(this.#sides, d.to);
    d.summary = share(this.#summaries, d.summary);
    return d;
  }

  /**
   * What a layer could interact with in a merged view: its package keys, and every path it
   * writes with the directories above them (as hashes: see {@link Footprint}).
   */
  footprint(digest: string, read?: Inventory): Footprint | undefined {
    let f = this.#footprints.get(digest);
    if (f === undefined) {
      const inventory = read ?? this.inventory(digest);
      if (!inventory) return undefined;
      const keys = new Set(comparableFromInventory(inventory).entries.map((e) => fnv1a32(e.key)));
      const leaves = new Set<number>();
      const dirs = new Set<number>();
      for (const e of this.options.entriesOf?.(digest) ?? evidenceEntries(inventory)) {
        (e.kind === 'dir' ? dirs : leaves).add(fnv1a32(e.path));
        for (let i = e.path.lastIndexOf('/'); i > 0; i = e.path.lastIndexOf('/', i - 1))
          dirs.add(fnv1a32(e.path.slice(0, i)));
      }
      f = footprintOf(keys, leaves, dirs);
      this.#footprints.set(digest, f);
    }
    return f;
  }

  /**
   * The packages one layer shows when nothing else is attached, each distinct (key, version)
   * once, in its inventory's order; undefined without an inventory. Not kept here: the package
   * view keeps them while it runs.
   */
  ownPackages(digest: string): OwnPackage[] | undefined {
    const inventory = this.inventory(digest);
    if (!inventory) return undefined;
    // Its footprint from the same read: the package view and the layer diffs both use it.
    this.footprint(digest, inventory);
    return ownPackages(inventory);
  }

  /**
   * Whether no two of these layers can affect each other in a merged view (see
   * {@link independent}): then each shows exactly its own packages, all visible.
   */
  independentLayers(digests: readonly string[]): boolean {
    const prints: Footprint[] = [];
    for (const d of digests) {
      const f = this.footprint(d);
      if (!f) return false;
      for (const other of prints) if (!independent(other, f)) return false;
      prints.push(f);
    }
    return true;
  }

  /**
   * The merged view of layers given by digest, in attach order; undefined if any is unknown.
   * Kept for later calls unless `keep` is false (a view used once need not stay in memory).
   */
  view(digests: readonly (string | null)[], keep = true): ViewFacts | undefined {
    if (digests.some((d) => d === null)) return undefined;
    const k = digests.join('\0');
    if (this.#views.has(k)) return this.#views.get(k);
    const inputs: MergeLayerInput[] = [];
    for (const [i, d] of digests.entries()) {
      const inventory = this.inventory(d);
      if (!inventory) return undefined;
      const entries = this.options.entriesOf?.(d!) ?? evidenceEntries(inventory);
      inputs.push({ arn: `layer:${i}`, entries, inventory });
    }
    const facts = viewFacts(mergeLayers(inputs));
    if (keep) this.#views.set(k, facts);
    return facts;
  }
}

/**
 * A layer's package keys, the paths it writes (leaves) and every directory above them, as 32-bit
 * hashes sorted in one list: `[keys end, leaves end, ...keys, ...leaves, ...dirs]`. Every
 * digest's footprint is kept through the layer diffs, and hashes in one list cost a fraction of
 * the strings in three. Two layers that share a hash go the exact way (their merged views are
 * built and diffed), so a collision costs time, never a wrong answer.
 */
type Footprint = readonly number[];

function footprintOf(keys: Set<number>, leaves: Set<number>, dirs: Set<number>): Footprint {
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  // Copied to size: a literal of spreads grows as pushes do (20 slots for 8 hashes), and at
  // 100,000 functions the 20,000 footprints held 3.4 MB of slots.
  return sized([
    2 + keys.size,
    2 + keys.size + leaves.size,
    ...sorted(keys),
    ...sorted(leaves),
    ...sorted(dirs),
  ]);
}

/** Whether the sorted ranges [a0, a1) of `a` and [b0, b1) of `b` share an element. */
function intersects(
  a: Footprint,
  a0: number,
  a1: number,
  b: Footprint,
  b0: number,
  b1: number
): boolean {
  let i = a0;
  let j = b0;
  while (i < a1 && j < b1) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i += 1;
    else j += 1;
  }
  return false;
}

/**
 * True when two layers cannot affect each other in a merged view: no package key in common (the
 * diff would pair them) and no path one writes where the other has a file or directory.
 */
function independent(a: Footprint, b: Footprint): boolean {
  const [ak, al] = [a[0]!, a[1]!];
  const [bk, bl] = [b[0]!, b[1]!];
  return !(
    intersects(a, 2, ak, b, 2, bk) ||
    intersects(a, ak, al, b, bk, bl) ||
    intersects(a, ak, al, b, bl, b.length) ||
    intersects(b, bk, bl, a, al, a.length)
  );
}

/** Without the zip's listing: the files the inventory names as evidence. */
function evidenceEntries(inv: Inventory): FileEntry[] {
  const paths = new Set(inv.packages.flatMap((p) => p.locations.map((l) => l.path)));
  return [...paths].map((path) => ({ path, kind: 'file', size: 0, compressedSize: 0, mode: 0 }));
}

/** A package as the package view counts it (executables left out). */
interface OwnPackage {
  key: string;
  name: string;
  ecosystem: Package['ecosystem'];
  version: string | null;
}

/** What the estate analyses need from one merged view. */
interface ViewFacts {
  /** The visible packages as one comparable inventory (computed on first use). */
  comparable(): ComparableInventory;
  /** Each distinct (key, version) per layer index, visible or hidden. */
  packages: (OwnPackage & { layer: number; visible: boolean })[];
}

/** A package as the package view counts it; undefined for an unowned executable. */
function counted(p: Package): OwnPackage | undefined {
  const one = identify(p, p.locations[0]?.path);
  if (one.kind === 'executable') return undefined;
  return { key: one.key, name: one.name, ecosystem: p.ecosystem, version: p.version ?? null };
}

/** {@link viewFacts}'s packages of a layer alone: each distinct (key, version), in order. */
function ownPackages(inventory: Inventory): OwnPackage[] {
  const seen = new Set<string>();
  const out: OwnPackage[] = [];
  for (const pkg of inventory.packages) {
    const p = counted(pkg);
    if (!p) continue;
    const k = `${p.key}\0${p.version}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

function viewFacts(view: MergedView): ViewFacts {
  let comparable: ComparableInventory | undefined;
  const seen = new Set<string>();
  const packages: ViewFacts['packages'] = [];
  for (const mp of view.packages) {
    const p = counted(mp.package);
    if (!p) continue;
    const visible = mp.shadowedBy === undefined;
    const k = `${p.key}\0${p.version}\0${mp.layer}\0${visible}`;
    if (seen.has(k)) continue;
    seen.add(k);
    packages.push({ ...p, layer: mp.layer, visible });
  }
  return {
    packages,
    comparable: () =>
      (comparable ??= comparableFromInventory({
        artifact: { name: 'function', kind: 'zip', sha256: '', size: 0, properties: {} },
        packages: view.packages.filter((p) => p.shadowedBy === undefined).map((p) => p.package),
        findings: [],
        complete: view.complete,
      })),
  };
}

/**
 * Compute the package-level drift of a scan. `result.drift` must hold drift.layers and
 * drift.digestMismatches (computeDrift). Deterministic: every list is sorted.
 */
export function analyzeEstate(
  result: Pick<ScanResult, 'functions' | 'layers' | 'drift'>,
  options: EstateOptions
): PackageDrift {
  const cache = new Cache(options);
  const order = options.versionOrder ?? ecosystemVersionOrder;
  // The package view first: what it reads and merges (each digest's own packages, each layer
  // combination's view) is let go before the layer diffs are made, so the two never add up at
  // the analysis's fullest moment. It merges each layer combination once and keeps none.
  const view = packageView(result.functions, cache, order);
  const layers = layerDiffs(result, cache);
  const regions = regionDiffs(result, cache);
  return { layerDiffs: layers, regionDiffs: regions, ...view };
}

function unavailable(what: string, digest: string | null): string {
  return digest === null
    ? `${what} has no readable content`
    : `${what} (${digest}) has no inventory`;
}

function layerDiffs(
  result: Pick<ScanResult, 'functions' | 'layers' | 'drift'>,
  cache: Cache
): LayerDiff[] {
  const fnByArn = byArn(result.functions);
  // By layer, not by version: one key per layer name instead of one per version.
  const versionsOf = new Map<string, ScanResult['layers'][number]['versions']>();
  for (const l of result.layers) {
    const k = `${l.owner}\0${l.name}`;
    // A result read back could list a layer twice: its versions are then looked up in both.
    const seen = versionsOf.get(k);
    versionsOf.set(k, seen ? [...seen, ...l.versions] : l.versions);
  }

  const out: LayerDiff[] = [];
  for (const d of result.drift.layers) {
    // Read once: a scan's drift makes its rows anew on each read (computeDrift).
    const rows = d.functions;
    const byVersion = new Map<number, string[]>();
    for (const u of rows) push(byVersion, u.version, u.arn);
    const versions = versionsOf.get(`${d.owner}\0${d.name}`) ?? [];
    const record = (v: number): (typeof versions)[number] | undefined => {
      // The last listed wins, should a result list a version twice (as a map by version would).
      for (let i = versions.length - 1; i >= 0; i--) {
        const x = versions[i]!;
        if (x.region === d.region && x.version === v) return x;
      }
      return undefined;
    };
    // Version numbers are unique within a region: the newest number is the newest bytes.
    if ([...byVersion.keys()].every((v) => v === d.newestVersion)) continue;

    const inUse: LayerVersionInUse[] = [...byVersion.keys()]
      .sort((a, b) => a - b)
      .map((version) => {
        const rec = record(version);
        const dg = rec?.digest ?? null;
        const functions = sharedList([...new Set(byVersion.get(version))].sort(cmp), rec?.usedBy);
        const behind = rows.find((u) => u.version === version)?.behind ?? 0;
        if (version === d.newestVersion)
          return {
            version,
            digest: dg,
            behind,
            functions,
            diff: null,
            diffUnavailable: null,
            catchUp: [],
          };
        const why =
          dg === null || !cache.comparable(dg)
            ? unavailable(`v${version}`, dg)
            : d.newestDigest === null || !cache.comparable(d.newestDigest)
              ? unavailable(`the newest version v${d.newestVersion}`, d.newestDigest)
              : null;
        const diff = why === null ? cache.diff(dg!, d.newestDigest!)! : null;
        return {
          version,
          digest: dg,
          behind,
          functions,
          diff,
          diffUnavailable: why,
          catchUp: catchUp(functions, fnByArn, d, version, diff, cache),
        };
      });
    out.push({
      name: d.name,
      owner: d.owner,
      region: d.region,
      newestVersion: d.newestVersion,
      newestDigest: d.newestDigest,
      inUse,
    });
    // A layer's versions are compared among themselves: their comparable forms and diffs are
    // done with (footprints and views serve other layers' functions too, and stay).
    cache.forgetComparisons();
  }
  return out.sort(
    (a, b) => cmp(a.owner, b.owner) || cmp(a.name, b.name) || cmp(a.region, b.region)
  );
}

/**
 * The function with an ARN (the last listed, should a result list one twice), found by halves
 * in the functions' positions sorted by ARN: at 100,000 functions a map by ARN is 3.7 MB at the
 * analysis's fullest moment, the positions 0.4 MB.
 */
function byArn(functions: readonly ScanFunction[]): (arn: string) => ScanFunction | undefined {
  const order = Uint32Array.from(functions.keys());
  // Stable: equal ARNs stay in list order, so the last of a run is the last listed.
  order.sort((a, b) => cmp(functions[a]!.arn, functions[b]!.arn) || a - b);
  return (arn) => {
    let lo = 0;
    let hi = order.length;
    // The first position whose ARN sorts after `arn`; the one before it is the last equal.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (functions[order[mid]!]!.arn <= arn) lo = mid + 1;
      else hi = mid;
    }
    const fn = lo > 0 ? functions[order[lo - 1]!] : undefined;
    return fn?.arn === arn ? fn : undefined;
  };
}

/**
 * `list`, or `same` when it holds the same elements: a version's users are its record's
 * `usedBy` in a scan's own result, and at 100,000 functions a copy of each is 200,000 slots.
 */
function sharedList(list: string[], same: string[] | undefined): string[] {
  return same !== undefined && sameList(same, list) ? same : list;
}

/** Same differences, whatever the sides are called and however much is unchanged. */
function sameChanges(a: PackageDiff, b: PackageDiff): boolean {
  const strip = (d: PackageDiff) =>
    JSON.stringify([d.added, d.removed, d.versionChanged, d.contentChanged, d.executables]);
  return strip(a) === strip(b);
}

function catchUp(
  functions: string[],
  fnByArn: (arn: string) => ScanFunction | undefined,
  layer: { name: string; owner: string; newestDigest: string | null },
  version: number,
  layerDiff: PackageDiff | null,
  cache: Cache
): CatchUpEffect[] {
  const groups = new Map<string, CatchUpEffect>();
  const same = { sameAsLayerDiff: true, diff: null, unavailable: null };
  for (const arn of functions) {
    const fn = fnByArn(arn);
    let effect: Omit<CatchUpEffect, 'functions'>;
    const digests = fn?.layers.map((l) => l.digest) ?? [];
    const at = fn?.layers.findIndex(
      (l) => l.name === layer.name && l.owner === layer.owner && l.version === version
    );
    const target = at === undefined || at < 0 ? undefined : digests[at];
    // Fast path: when no other layer of the function can interact with the old or the new
    // content, the function sees exactly the layer's diff.
    const mine = [target, layer.newestDigest].map((d) => (d ? cache.footprint(d) : undefined));
    const others = digests
      .filter((_, i) => i !== at)
      .map((d) => (d ? cache.footprint(d) : undefined));
    if (
      layerDiff &&
      mine.every((f) => f !== undefined) &&
      others.every(
        (o) => o !== undefined && mine.every((m) => m !== undefined && independent(m, o))
      )
    ) {
      effect = same;
    } else {
      const before = cache.view(digests);
      const after =
        at === undefined || at < 0
          ? undefined
          : cache.view(digests.map((d, i) => (i === at ? layer.newestDigest : d)));
      if (!layerDiff || !before || !after) {
        const missing = fn?.layers.find((l) => l.digest === null || !cache.inventory(l.digest));
        effect = {
          sameAsLayerDiff: false,
          diff: null,
          unavailable: !layerDiff
            ? 'the layer diff is unavailable'
            : missing
              ? unavailable(`layer ${missing.arn}`, missing.digest)
              : unavailable('the newest version', layer.newestDigest),
        };
      } else {
        const d = diffInventories(before.comparable(), after.comparable(), {
          versionOrder: cache.options.versionOrder ?? ecosystemVersionOrder,
        });
        const equal = sameChanges(d, layerDiff);
        effect = { sameAsLayerDiff: equal, diff: equal ? null : viewDiff(d), unavailable: null };
      }
    }
    const k = JSON.stringify(effect);
    const g = groups.get(k);
    if (g) g.functions.push(arn);
    // Its fields written out: a spread would put them out of the object, 40 bytes more each.
    else
      groups.set(k, {
        functions: [arn],
        sameAsLayerDiff: effect.sameAsLayerDiff,
        diff: effect.diff,
        unavailable: effect.unavailable,
      });
  }
  const effects = [...groups.values()];
  // Usually every function catches up alike: that group is the version's own list, not a copy.
  if (effects.length === 1) effects[0]!.functions = functions;
  else for (const e of effects) e.functions = sized(e.functions);
  return effects.sort((a, b) => cmp(a.functions[0]!, b.functions[0]!));
}

/** A function-view diff: its sides are the function before and after, not layer zips. */
function viewDiff(d: PackageDiff): PackageDiff {
  return {
    ...d,
    from: { name: 'function view (current)', digest: '', complete: d.from.complete },
    to: { name: 'function view (after catching up)', digest: '', complete: d.to.complete },
  };
}

function regionDiffs(result: Pick<ScanResult, 'drift'>, cache: Cache): RegionDiff[] {
  const out: RegionDiff[] = [];
  for (const m of result.drift.digestMismatches) {
    const byDigest = new Map<string, string[]>();
    for (const r of m.regions) push(byDigest, r.digest, r.region);
    const groups = [...byDigest.entries()].map(([digest, regions]) => ({
      digest,
      regions: regions.sort(cmp),
    }));
    // Most regions first; ties by the first region's name.
    groups.sort((a, b) => b.regions.length - a.regions.length || cmp(a.regions[0]!, b.regions[0]!));
    const [base, ...rest] = groups;
    if (!base) continue;
    out.push({
      name: m.name,
      owner: m.owner,
      version: m.version,
      baseline: base,
      others: rest.map((g) => {
        const why = !cache.comparable(base.digest)
          ? unavailable(`the baseline ${base.regions.join(', ')}`, base.digest)
          : !cache.comparable(g.digest)
            ? unavailable(g.regions.join(', '), g.digest)
            : null;
        return {
          ...g,
          diff: why === null ? cache.diff(base.digest, g.digest)! : null,
          diffUnavailable: why,
        };
      }),
    });
  }
  return out;
}

function packageView(
  functions: readonly ScanFunction[],
  cache: Cache,
  order: VersionOrder
): Pick<PackageDrift, 'packages' | 'incompleteFunctions'> {
  interface Acc {
    name: string;
    ecosystem: Package['ecosystem'];
    // The layer combinations (groups below, by number) seeing each version, visible or hidden:
    // its lists of function ARNs are made from those when read.
    versions: Map<string | null, { shown: number[]; layers: string[]; hidden: number[] }>;
  }
  const byKey = new Map<string, Acc>();
  const incomplete: string[] = [];
  // Functions made alike share one layer list (the scan's result does): one group per list.
  const byList = new Map<ScanFunction['layers'], string[]>();
  for (const fn of functions) {
    if (fn.layers.length === 0) continue;
    const arns = byList.get(fn.layers);
    if (arns) arns.push(fn.arn);
    else byList.set(fn.layers, [fn.arn]);
  }
  // Lists with the same known layers (by ARN, in attach order) see the same merged view: each
  // combination's view is built once, used for all its functions, then dropped. Groups are
  // visited in the order of their first function, so every first sighting below (a package's
  // name and ecosystem) is the one a function-by-function walk would make.
  const groups = new Map<string, { known: ScanFunction['layers']; arns: string[][] }>();
  const idOf = layerIds();
  // Whether a digest's inventory can be read, asked once per digest: read again for each list
  // holding it, an estate's inventories were read several times over before any view was made
  // (they are read back from the scan's output or the history, a bounded number kept). The same
  // read gives the packages it shows alone, which is all a combination of layers that cannot
  // affect each other needs: most combinations are then never read again.
  const own = new Map<string, OwnPackage[] | null>();
  const present = (digest: string): boolean => {
    let got = own.get(digest);
    if (got === undefined) own.set(digest, (got = cache.ownPackages(digest) ?? null));
    return got !== null;
  };
  for (const [layers, arns] of byList) {
    // Layers whose inventory is missing are left out; the functions are listed as incomplete.
    const filtered = layers.filter((l) => l.digest !== null && present(l.digest));
    const known = filtered.length === layers.length ? layers : filtered;
    if (known.length < layers.length) for (const arn of arns) incomplete.push(arn);
    const k = known.map(idOf).join(',');
    const g = groups.get(k);
    if (g) g.arns.push(arns);
    else groups.set(k, { known, arns: [arns] });
  }
  byList.clear();
  const members = new FunctionGroups([...groups.values()].map((g) => g.arns));
  let group = -1;
  for (const { known, arns } of groups.values()) {
    group++;
    const see = (p: OwnPackage, layer: number, visible: boolean): void => {
      let acc = byKey.get(p.key);
      if (!acc)
        byKey.set(p.key, (acc = { name: p.name, ecosystem: p.ecosystem, versions: new Map() }));
      let v = acc.versions.get(p.version);
      if (!v) acc.versions.set(p.version, (v = { shown: [], layers: [], hidden: [] }));
      // Groups are seen one after another: a group seeing a version twice is listed once.
      const into = visible ? v.shown : v.hidden;
      if (into[into.length - 1] !== group) into.push(group);
      if (visible) v.layers.push(known[layer]!.arn);
    };
    // Known layers have a digest whose inventory was read (present).
    const digests = known.flatMap((l) => (l.digest === null ? [] : [l.digest]));
    if (cache.independentLayers(digests)) {
      // What the merged view would show: each layer's own packages, in attach order, all visible.
      for (const [i, d] of digests.entries()) for (const p of own.get(d) ?? []) see(p, i, true);
      continue;
    }
    const view = cache.view(digests, false);
    if (!view) {
      // An inventory read before could not be read again: their packages are not all here.
      for (const list of arns) for (const arn of list) incomplete.push(arn);
      continue;
    }
    for (const p of view.packages) see(p, p.layer, p.visible);
  }
  groups.clear();
  own.clear();
  const packages: EstatePackage[] = [...byKey.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([key, acc]) => ({
      key,
      ecosystem: acc.ecosystem,
      name: acc.name,
      versions: [...acc.versions.entries()]
        .sort(([a], [b]) => compareDeployed(acc.ecosystem, a, b, order))
        .map(
          ([version, v]) =>
            new UsedPackageVersion(
              version,
              sized(sortedUnique(v.layers)),
              sized(v.shown),
              sized(v.hidden),
              members
            )
        ),
    }));
  return { packages, incompleteFunctions: sortedUnique(incomplete) };
}

/**
 * A package version whose `functions` and `shadowedIn` are made from the groups seeing it each
 * time they are read, as a layer drift's rows are: JSON, spreads and every reader see the lists,
 * in the order the type gives. Its accessors are shared by every instance, so each keeps one
 * hidden class with its fields in the object (an accessor made per object would put each one's
 * properties in a dictionary of its own: the 100,000-function scan then held up to 10 MB more).
 */
class UsedPackageVersion implements EstatePackageVersion {
  declare version: string | null;
  declare readonly functions: string[];
  declare layers: string[];
  declare readonly shadowedIn: string[];
  readonly #shown: readonly number[];
  readonly #hidden: readonly number[];
  readonly #members: FunctionGroups;

  static readonly #functions: PropertyDescriptor = {
    enumerable: true,
    get(this: UsedPackageVersion): string[] {
      return this.#members.arns(this.#shown);
    },
  };

  static readonly #shadowedIn: PropertyDescriptor = {
    enumerable: true,
    // Hidden where it is also visible (another copy) is not hidden.
    get(this: UsedPackageVersion): string[] {
      return this.#members.arnsExcept(this.#hidden, this.#shown);
    },
  };

  constructor(
    version: string | null,
    layers: string[],
    shown: readonly number[],
    hidden: readonly number[],
    members: FunctionGroups
  ) {
    this.#shown = shown;
    this.#hidden = hidden;
    this.#members = members;
    this.version = version;
    Object.defineProperty(this, 'functions', UsedPackageVersion.#functions);
    this.layers = layers;
    Object.defineProperty(this, 'shadowedIn', UsedPackageVersion.#shadowedIn);
  }
}

/**
 * A number per distinct (layer version ARN, digest): the package view's key for a layer list is
 * then a few characters where the ARNs and digests are about 140 a layer, and an estate has as
 * many lists as distinct layer combinations (20,000 in the 100,000-function benchmark).
 */
function layerIds(): (l: ScanFunction['layers'][number]) => number {
  const byArn = new Map<string, number>();
  const digests: (string | null)[] = [];
  // A result read back could give one ARN two digests (hand-edited): those are keyed by both.
  const byBoth = new Map<string, number>();
  const add = (digest: string | null): number => digests.push(digest) - 1;
  return (l) => {
    const id = byArn.get(l.arn);
    if (id === undefined) {
      const n = add(l.digest);
      byArn.set(l.arn, n);
      return n;
    }
    if (digests[id] === l.digest) return id;
    const k = `${l.arn}\0${l.digest}`;
    let other = byBoth.get(k);
    if (other === undefined) byBoth.set(k, (other = add(l.digest)));
    return other;
  };
}

/** Ascending by version order; versions it cannot order after those, by text; no version last. */
function compareDeployed(
  ecosystem: Package['ecosystem'],
  a: string | null,
  b: string | null,
  order: VersionOrder
): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const oa = order.compare(ecosystem, a, a) !== undefined;
  const ob = order.compare(ecosystem, b, b) !== undefined;
  if (oa && ob) return order.compare(ecosystem, a, b) || cmp(a, b);
  if (oa !== ob) return oa ? -1 : 1;
  return cmp(a, b);
}

/**
 * The part of an inventory {@link analyzeEstate} reads, as a smaller inventory that gives the
 * same analysis: each package's identity, version, evidence, hashes, dependencies and binary
 * kind, and the findings that make an inventory incomplete. An estate's analysis holds every
 * layer's inventory at once; licenses, descriptions, ownership claims and the other properties
 * were most of that memory.
 */
export function estateInventory(inv: Inventory): Inventory {
  return {
    artifact: { ...inv.artifact, properties: NO_PROPERTIES },
    packages: inv.packages.map(estatePackage),
    findings: gapFindings(inv.findings),
    complete: inv.complete,
  };
}

// Shared by every slimmed inventory (frozen: nothing may add to it).
const NO_PROPERTIES = Object.freeze({}) as Record<string, string>;

function gapFindings<T extends Parameters<typeof isGapFinding>[0]>(findings: readonly T[]): T[] {
  const gaps = findings.filter(isGapFinding);
  return gaps.length === 0 ? NONE : gaps;
}

function estatePackage(p: Package): Package {
  const binaryKind = p.properties['binary:kind'];
  return {
    id: p.id,
    ecosystem: p.ecosystem,
    name: p.name,
    ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
    ...(p.version !== undefined ? { version: p.version } : {}),
    ...(p.purl !== undefined ? { purl: p.purl } : {}),
    type: p.type,
    licenses: NONE,
    hashes: p.hashes,
    locations: p.locations,
    foundBy: '',
    dependsOn: p.dependsOn.length === 0 ? NONE : p.dependsOn,
    owns: NONE,
    properties: binaryKind === undefined ? NO_PROPERTIES : { 'binary:kind': binaryKind },
    findings: gapFindings(p.findings),
  };
}
