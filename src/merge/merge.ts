/**
 * The merged view of a function's layers: Lambda extracts each layer into
 * /opt in the order Configuration.Layers lists them, so a later layer's file
 * at the same path replaces an earlier one. This module decides, without any
 * I/O, which files and packages a later layer shadows.
 * See https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html
 */
import { isInventoryComplete } from '../inventory/completeness.js';
import type { Inventory } from '../model/inventory.js';
import type { Package } from '../model/package.js';
import type { FileEntry } from '../unpack/source.js';

/** One layer as the function attaches it, with what was found in it. */
export interface MergeLayerInput {
  /** Layer version ARN (or any label unique within the function). */
  arn: string;
  /** Every entry of the layer's zip (FileSource.entries()). */
  entries: readonly FileEntry[];
  /** The layer's own inventory (its artifact carries digest and size). */
  inventory: Inventory;
}

/** A file of an earlier layer that a later layer replaces at runtime. */
export interface ShadowedFile {
  /** Layer-relative path. */
  path: string;
  /** Index (0-based, attach order) of the layer whose file is hidden. */
  layer: number;
  /** Index of the last layer that writes this path: the one visible in /opt. */
  by: number;
}

/** A package of one layer in the merged view. */
export interface MergedPackage {
  /** Index of the layer it came from. */
  layer: number;
  /**
   * A copy of the layer's package: id and dependsOn prefixed with the layer so
   * they stay unique across layers; properties `layer` (the layer ARN) and,
   * when every evidence file is shadowed, `shadowed-by` (the later layer's ARN).
   */
  package: Package;
  /** Index of the layer that hides all its evidence files; undefined if any is visible. */
  shadowedBy: number | undefined;
}

export interface MergedView {
  layers: readonly MergeLayerInput[];
  /** Packages of every layer, in layer order then the inventory's order. */
  packages: MergedPackage[];
  /** Every shadowed file (evidence or not), by layer then path. */
  shadowed: ShadowedFile[];
  /** Shadowed files that are not evidence of any package of their layer. */
  shadowedNonEvidence: ShadowedFile[];
  /** True when every layer's inventory is complete. */
  complete: boolean;
}

/** Paths a layer writes: non-directories (files, symlinks) and directories (listed or implied). */
interface Written {
  leaves: Set<string>;
  dirs: Set<string>;
}

function writtenBy(entries: readonly FileEntry[]): Written {
  const leaves = new Set<string>();
  const dirs = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'dir') dirs.add(e.path);
    else leaves.add(e.path);
    // Every ancestor of an entry exists as a directory once extracted.
    for (let i = e.path.lastIndexOf('/'); i > 0; i = e.path.lastIndexOf('/', i - 1))
      dirs.add(e.path.slice(0, i));
  }
  return { leaves, dirs };
}

/** Whether extracting a layer that writes `w` removes or replaces the earlier leaf at `path`. */
function replaces(w: Written, path: string): boolean {
  if (w.leaves.has(path) || w.dirs.has(path)) return true;
  // A file or symlink at an ancestor path leaves no room for the earlier file below it.
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1))
    if (w.leaves.has(path.slice(0, i))) return true;
  return false;
}

/**
 * Apply layers in order and mark what later layers shadow. Pure: the input is
 * not modified; packages are copied.
 */
export function mergeLayers(layers: readonly MergeLayerInput[]): MergedView {
  const written = layers.map((l) => writtenBy(l.entries));
  const shadowed: ShadowedFile[] = [];
  const byLayer = layers.map(() => new Map<string, number>());
  layers.forEach((layer, i) => {
    for (const e of layer.entries) {
      if (e.kind === 'dir') continue;
      let by: number | undefined;
      for (let j = layers.length - 1; j > i && by === undefined; j--)
        if (replaces(written[j]!, e.path)) by = j;
      if (by === undefined) continue;
      shadowed.push({ path: e.path, layer: i, by });
      byLayer[i]!.set(e.path, by);
    }
  });

  const packages: MergedPackage[] = [];
  const evidence: Set<string>[] = layers.map(() => new Set());
  layers.forEach((layer, i) => {
    const prefix = `layer${i + 1}:`;
    for (const p of layer.inventory.packages) {
      const paths = p.locations.map((l) => l.path);
      for (const path of paths) evidence[i]!.add(path);
      const hiders = paths.map((path) => byLayer[i]!.get(path));
      const all = hiders.length > 0 && hiders.every((h) => h !== undefined);
      // Evidence hidden by different layers: name the last one, whose files are visible.
      const shadowedBy = all ? Math.max(...hiders.map((h) => h ?? -1)) : undefined;
      const properties: Record<string, string> = { ...p.properties, layer: layer.arn };
      if (shadowedBy !== undefined) properties['shadowed-by'] = layers[shadowedBy]!.arn;
      packages.push({
        layer: i,
        shadowedBy,
        package: {
          ...p,
          id: prefix + p.id,
          dependsOn: p.dependsOn.map((d) => prefix + d),
          properties,
        },
      });
    }
  });

  return {
    layers,
    packages,
    shadowed,
    shadowedNonEvidence: shadowed.filter((s) => !evidence[s.layer]!.has(s.path)),
    complete: layers.every((l) => isInventoryComplete(l.inventory)),
  };
}
