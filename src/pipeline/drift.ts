/**
 * Package drift of a scan: read back the SBOMs the scan wrote (one per digest) and hand them to
 * the pure estate analysis. Kept out of pipeline/scan.ts so the scan only calls it once.
 */
import { join, resolve } from 'node:path';
import { analyzeEstate, estateInventory } from '../estate/analyze.js';
import type { Inventory } from '../model/inventory.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import type { PackageDrift } from '../scan/package-drift.js';
import type { ScanResult } from '../scan/result.js';
import { readRegularFileSync } from '../util/fs.js';
import { withHeapGrowth } from '../util/heap.js';

/** Largest JSON input (SBOM or scan result) read into memory. */
export const MAX_JSON_INPUT = 512 * 1024 * 1024;

/**
 * The inventories of a scan's inventoried layer versions, by digest, read from `outDir/sboms/`.
 * A missing or unreadable SBOM leaves its digest out: the analysis reports it as unavailable.
 * `keep` is what is kept of each inventory as it is read (default: all of it).
 */
export function scanInventories(
  result: Pick<ScanResult, 'layers'>,
  outDir: string,
  keep: (inventory: Inventory) => Inventory = (inventory) => inventory
): Map<string, Inventory> {
  const files = new Map<string, string>();
  for (const l of result.layers)
    for (const v of l.versions)
      if (v.status === 'inventoried' && v.digest && v.sbom === sbomPathOf(v.digest))
        files.set(v.digest, v.sbom);
  const out = new Map<string, Inventory>();
  for (const [digest, sbom] of files) {
    try {
      // Read synchronously: one small file per digest, thousands in a large scan, where the
      // promise API's round trips cost more CPU than the reads. `lamina diff` reads scan
      // directories it did not write: a FIFO or device there is left out, not waited on.
      const text = readRegularFileSync(join(resolve(outDir), sbom), MAX_JSON_INPUT).toString(
        'utf8'
      );
      out.set(digest, keep(inventoryFromCycloneDx(text, { name: sbom })));
    } catch {
      // Left out on purpose: analyzeEstate says "has no inventory" for it.
    }
  }
  return out;
}

/**
 * Where scan puts a digest's SBOM, relative to its output directory. A scan.json read back
 * (`lamina diff`) that names any other path is not followed: only this file is read.
 */
export function sbomPathOf(digest: string): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  return m ? `sboms/${m[1]}.cdx.json` : undefined;
}

/**
 * The package-level drift of a scan whose SBOMs are in `outDir` (scan.json's `drift` additions).
 * V8's heap growing factor is {@link ANALYSIS_HEAP_GROWING_PERCENT} while it runs, then what it was.
 */
export function scanPackageDrift(result: ScanResult, outDir: string): PackageDrift {
  // The fullest moment of a scan: the whole result, every inventory and the analysis. What it
  // allocates is mostly short-lived, so a tight bound on the heap's growth costs a few more
  // full collections here and keeps the peak near what is live (BENCHMARKS.md, issue 14).
  return withHeapGrowth(ANALYSIS_HEAP_GROWING_PERCENT, () => {
    // Only what the analysis reads is kept: all of an estate's inventories are held at once.
    const inventories = scanInventories(result, outDir, estateInventory);
    return analyzeEstate(result, { inventoryOf: (d) => inventories.get(d) });
  });
}

/** The old generation may grow to (1 + this / 100) × its live size during the package drift. */
export const ANALYSIS_HEAP_GROWING_PERCENT = 10;
