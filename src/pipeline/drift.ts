/**
 * Package drift of a scan: read back the SBOMs the scan wrote (one per digest) and hand them to
 * the pure estate analysis. Kept out of pipeline/scan.ts so the scan only calls it once.
 */
import { join, resolve } from 'node:path';
import type { Inventory } from '../model/inventory.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import type { PackageDrift } from '../scan/package-drift.js';
import type { ScanLayerVersion, ScanResult } from '../scan/result.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { readRegularFileSync } from '../util/fs.js';
import { giveBackMemory, withHeapGrowth } from '../util/heap.js';

/** Largest JSON input (SBOM or scan result) read into memory. */
export const MAX_JSON_INPUT = 512 * 1024 * 1024;

/**
 * The inventories of a scan's inventoried layer versions, by digest, read from `outDir/sboms/`
 * when asked for, and the most recently used kept up to `maxBytes` of SBOM text (the rest are
 * read again when asked for again). An estate's analysis needs a few at a time, and all of them
 * at once would grow with the estate: a layer of a few hundred packages is a few hundred
 * kilobytes. A missing or unreadable SBOM is undefined: the analysis says it has no inventory.
 */
export function scanInventoryReader(
  result: Pick<ScanResult, 'layers'>,
  outDir: string,
  keep: (inventory: Inventory) => Inventory = (inventory) => inventory,
  maxBytes = INVENTORY_CACHE_BYTES
): (digest: string) => Inventory | undefined {
  const files = sbomFiles(result);
  return boundedInventories((digest) => {
    const v = files.get(digest);
    if (!v?.sbom) return undefined;
    const got = readScanInventory(outDir, v.sbom, keep);
    // The result's string for the layer version ARN that names the SBOM, not the SBOM's equal
    // copy: diffs keep it to the end of the analysis (20,000 at 100,000 functions).
    if (got?.inventory.artifact.name === v.arn) got.inventory.artifact.name = v.arn;
    return got;
  }, maxBytes);
}

/**
 * Inventories by digest from `load` (one and the size of the text it was read from; undefined
 * when there is none), the most recently used kept up to `maxBytes` of that text and the others
 * loaded again when asked for again. A digest without one is asked for once: one answer for it
 * through the whole analysis.
 */
export function boundedInventories(
  load: (digest: string) => { inventory: Inventory; bytes: number } | undefined,
  maxBytes = INVENTORY_CACHE_BYTES
): (digest: string) => Inventory | undefined {
  const cache = new BoundedCache<string, Inventory>(maxBytes);
  const missing = new Set<string>();
  return (digest) => {
    const kept = cache.get(digest);
    if (kept) return kept;
    if (missing.has(digest)) return undefined;
    const got = load(digest);
    if (!got) {
      missing.add(digest);
      return undefined;
    }
    cache.set(digest, got.inventory, got.bytes);
    return got.inventory;
  };
}

/** SBOM text kept by {@link scanPackageDrift}'s reader: a few thousand small layers' worth. */
export const INVENTORY_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Digest → the inventoried layer version whose SBOM is where scan puts it; of several with one
 * digest, the smallest ARN, which scan names the SBOM after.
 */
function sbomFiles(result: Pick<ScanResult, 'layers'>): Map<string, ScanLayerVersion> {
  const files = new Map<string, ScanLayerVersion>();
  for (const l of result.layers)
    for (const v of l.versions)
      if (v.status === 'inventoried' && v.digest && v.sbom === sbomPathOf(v.digest)) {
        const had = files.get(v.digest);
        if (!had || v.arn < had.arn) files.set(v.digest, v);
      }
  return files;
}

/** One SBOM of a scan directory as an inventory, and its size; undefined when unreadable. */
function readScanInventory(
  outDir: string,
  sbom: string,
  keep: (inventory: Inventory) => Inventory
): { inventory: Inventory; bytes: number } | undefined {
  try {
    // Read synchronously: one small file per digest, thousands in a large scan, where the
    // promise API's round trips cost more CPU than the reads. `lamina diff` reads scan
    // directories it did not write: a FIFO or device there is left out, not waited on.
    const bytes = readRegularFileSync(join(resolve(outDir), sbom), MAX_JSON_INPUT);
    return {
      inventory: keep(inventoryFromCycloneDx(bytes.toString('utf8'), { name: sbom })),
      bytes: bytes.length,
    };
  } catch {
    // Left out on purpose: analyzeEstate says "has no inventory" for it.
    return undefined;
  }
}

/**
 * Where scan puts a digest's SBOM, relative to its output directory. A scan.json read back
 * (`lamina diff`) that names any other path is not followed: only this file is read.
 */
export function sbomPathOf(digest: string): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  return m?.[1] ? sbomPathOfHex(m[1]) : undefined;
}

/**
 * Where scan puts the SBOM of the zip whose sha256 is `hex`. Joined, one flat string of 96
 * bytes: the result keeps one per layer version to the end of a scan (20,000 at 100,000
 * functions), where a template literal would keep cons strings over it as well.
 */
export function sbomPathOfHex(hex: string): string {
  return ['sboms/', hex, '.cdx.json'].join('');
}

/**
 * The package-level drift of a scan whose SBOMs are in `outDir` (scan.json's `drift` additions).
 * V8's heap growing factor is {@link ANALYSIS_HEAP_GROWING_PERCENT} while it runs, then what it was.
 */
export async function scanPackageDrift(result: ScanResult, outDir: string): Promise<PackageDrift> {
  // Loaded when asked for: with the version orderings behind it, ~45 ms of a re-scan's start
  // that a re-scan reusing the package drift (pipeline/scan-reuse.ts) does without.
  const { analyzeEstate, estateInventory } = await import('../estate/analyze.js');
  // The fullest moment of a scan: the whole result, every inventory and the analysis. What it
  // allocates is mostly short-lived, so a tight bound on the heap's growth costs a few more
  // full collections here and keeps the peak near what is live (BENCHMARKS.md, issue 14).
  return withHeapGrowth(ANALYSIS_HEAP_GROWING_PERCENT, () => {
    // Only what the analysis reads is kept of each, and only those used lately.
    return analyzeEstate(result, {
      inventoryOf: scanInventoryReader(result, outDir, estateInventory),
    });
  });
}

/** The old generation may grow to (1 + this / 100) × its live size during the package drift. */
export const ANALYSIS_HEAP_GROWING_PERCENT = 10;

/**
 * The young generation's size, at most, from the result's building (a scan) or the package
 * drift (a merge) to the end, once memory was given back there: the end makes the result and the
 * package drift, most of it short-lived or kept to the end. With 8 MiB a 100,000-function scan's
 * median peak fell 255 → 229 MiB on Node 24 and 222 → 203 on Node 22, and a merge of it 420 →
 * 345 MiB; a warm re-scan's CPU rose ~1 s of ~10, alike with 16 or 32 MiB, whose peaks were
 * higher (BENCHMARKS.md).
 */
const END_YOUNG_GENERATION_MIB = 8;

/**
 * From this old generation's use (MiB, garbage included) the end of a scan or merge starts with
 * memory given back ({@link giveBackMemory}). Measured on Node 24: the collection costs 35–90 ms
 * of CPU (150–190 at 100,000 functions); a 1,000-function re-scan holds ~13 MiB there (the
 * collection would be a tenth of its CPU), a 10,000-function scan ~34 MiB and peaks in its
 * downloads, a 100,000-function one 75–95 MiB and peaks at its end.
 */
const END_GIVE_BACK_FROM_MIB = 48;

/**
 * Give memory back before the end of a scan or a merge, where a large estate's peak is: what the
 * downloads or the reading left of the young generation, and the old generation's room for it
 * (see {@link giveBackMemory}). Its `restore` puts the young generation's cap back at the end.
 */
export function giveBackBeforeEnd(): ReturnType<typeof giveBackMemory> {
  return giveBackMemory({ youngMib: END_YOUNG_GENERATION_MIB, atLeastMib: END_GIVE_BACK_FROM_MIB });
}
