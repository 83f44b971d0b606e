/**
 * Package-level drift of an estate, as written into scan.json under `drift` (documented in
 * docs/scan-result.md, "Package drift").
 */
import type { Ecosystem } from '../model/package.js';
import type { PackageDiff } from '../diff/diff.js';

/** A layer (name, owner, region) whose functions do not all run its newest version's bytes. */
export interface LayerDiff {
  name: string;
  owner: string;
  region: string;
  newestVersion: number;
  newestDigest: string | null;
  /** Each version in use, oldest first; the newest one too when functions use it. */
  inUse: LayerVersionInUse[];
}

export interface LayerVersionInUse {
  version: number;
  digest: string | null;
  /** Existing versions published after this one (as in drift.layers). */
  behind: number;
  /** Function version ARNs using it, sorted. */
  functions: string[];
  /** Package diff from this version to the newest; null for the newest itself or when unavailable. */
  diff: PackageDiff | null;
  /** Why `diff` could not be computed (an inventory is missing), else null. */
  diffUnavailable: string | null;
  /**
   * What would change in each function's merged /opt if it moved to the newest version: functions
   * grouped by identical effect. Empty for the newest version.
   */
  catchUp: CatchUpEffect[];
}

export interface CatchUpEffect {
  /** Function version ARNs with this effect, sorted. */
  functions: string[];
  /** True when the effect is exactly the layer's own diff (no other layer hides any of it). */
  sameAsLayerDiff: boolean;
  /**
   * The diff of the function's merged package view before and after, when it differs from the
   * layer diff (a later layer shadows part of it, or an earlier one already provides a package);
   * null when sameAsLayerDiff or unavailable.
   */
  diff: PackageDiff | null;
  /** Why the effect could not be computed (an inventory of one of the function's layers is missing). */
  unavailable: string | null;
}

/** One layer version number whose bytes differ between regions, diffed against a baseline region. */
export interface RegionDiff {
  name: string;
  owner: string;
  version: number;
  /** The digest most regions have (ties: the first region's), and its regions. */
  baseline: { digest: string; regions: string[] };
  /** Every other digest, with the regions that have it and its diff from the baseline. */
  others: {
    digest: string;
    regions: string[];
    diff: PackageDiff | null;
    diffUnavailable: string | null;
  }[];
}

/** One package (purl without version) across the estate, through each function's merged view. */
export interface EstatePackage {
  key: string;
  ecosystem: Ecosystem;
  name: string;
  /** Deployed versions, ascending (versions that cannot be ordered last, then no version). */
  versions: EstatePackageVersion[];
}

export interface EstatePackageVersion {
  /** null when the metadata gives none. */
  version: string | null;
  /** Function version ARNs whose merged /opt has this version visible, sorted. */
  functions: string[];
  /** Layer version ARNs that bring it to those functions, sorted. */
  layers: string[];
  /** Function version ARNs where a layer carries it but a later layer hides every file of it. */
  shadowedIn: string[];
}

/** The package-level additions to `drift`. */
export interface PackageDrift {
  layerDiffs: LayerDiff[];
  regionDiffs: RegionDiff[];
  packages: EstatePackage[];
  /**
   * Function version ARNs whose package view misses a layer (its inventory could not be read):
   * their packages above are partial.
   */
  incompleteFunctions: string[];
}
