/**
 * Package drift of a scan: read back the SBOMs the scan wrote (one per digest) and hand them to
 * the pure estate analysis. Kept out of pipeline/scan.ts so the scan only calls it once.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { analyzeEstate, estateInventory } from '../estate/analyze.js';
import type { Inventory } from '../model/inventory.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import type { PackageDrift } from '../scan/package-drift.js';
import type { ScanResult } from '../scan/result.js';
import { mapLimit } from '../util/pool.js';

/**
 * The inventories of a scan's inventoried layer versions, by digest, read from `outDir/sboms/`.
 * A missing or unreadable SBOM leaves its digest out: the analysis reports it as unavailable.
 * `keep` is what is kept of each inventory as it is read (default: all of it).
 */
export async function scanInventories(
  result: Pick<ScanResult, 'layers'>,
  outDir: string,
  concurrency = 4,
  keep: (inventory: Inventory) => Inventory = (inventory) => inventory
): Promise<Map<string, Inventory>> {
  const files = new Map<string, string>();
  for (const l of result.layers)
    for (const v of l.versions)
      if (v.status === 'inventoried' && v.digest && v.sbom === sbomPathOf(v.digest))
        files.set(v.digest, v.sbom);
  const out = new Map<string, Inventory>();
  await mapLimit([...files], concurrency, async ([digest, sbom]) => {
    try {
      const text = await readFile(join(resolve(outDir), sbom), 'utf8');
      out.set(digest, keep(inventoryFromCycloneDx(text, { name: sbom })));
    } catch {
      // Left out on purpose: analyzeEstate says "has no inventory" for it.
    }
  });
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

/** The package-level drift of a scan whose SBOMs are in `outDir` (scan.json's `drift` additions). */
export async function scanPackageDrift(result: ScanResult, outDir: string): Promise<PackageDrift> {
  // Only what the analysis reads is kept: all of an estate's inventories are held at once.
  const inventories = await scanInventories(result, outDir, 4, estateInventory);
  return analyzeEstate(result, { inventoryOf: (d) => inventories.get(d) });
}
