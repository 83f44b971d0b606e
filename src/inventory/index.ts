import { compareFindings, type Finding } from '../model/finding.js';
import type { Artifact, Inventory } from '../model/inventory.js';
import type { Package } from '../model/package.js';
import { comparePaths } from '../unpack/paths.js';
import { DEFAULT_LIMITS, type FileSource, type Limits } from '../unpack/source.js';
import { matchEntries, type Cataloger } from './cataloger.js';
import { DEFAULT_CATALOGERS } from './catalogers.js';
import { isInventoryComplete } from './completeness.js';

export interface InventoryOptions {
  limits?: Limits;
  /** Catalogers to run, in order; the binary cataloger must come last. Default: all. */
  catalogers?: readonly Cataloger[];
  /** Depth of this source in an archive nesting (0 for a layer). */
  depth?: number;
}

/**
 * Run every cataloger over a layer and collect packages and findings.
 * A cataloger that throws does not stop the others: its error becomes a finding.
 */
export async function buildInventory(
  source: FileSource,
  artifact: Artifact,
  options: InventoryOptions = {}
): Promise<Inventory> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const catalogers = options.catalogers ?? DEFAULT_CATALOGERS;
  const packages: Package[] = [];
  const findings: Finding[] = [...source.findings];
  const entries = source.entries();
  for (const cataloger of catalogers) {
    const matches = matchEntries(cataloger, entries);
    if (matches.length === 0) continue;
    try {
      const result = await cataloger.catalog({
        source,
        matches,
        limits,
        layerDigest: artifact.sha256,
        depth: options.depth ?? 0,
        earlier: packages,
      });
      packages.push(...result.packages);
      findings.push(...result.findings);
    } catch (err) {
      findings.push({
        code: 'PARSE_ERROR',
        severity: 'error',
        message: `cataloger ${cataloger.name} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  packages.sort(comparePackages);
  findings.sort(compareFindings);
  const kept = dedupeFindings(findings);
  return {
    artifact,
    packages,
    findings: kept,
    complete: isInventoryComplete({ packages, findings: kept }),
  };
}

function comparePackages(a: Package, b: Package): number {
  return (
    (a.purl ?? '').localeCompare(b.purl ?? '', 'en') ||
    comparePaths(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    comparePaths(a.id, b.id)
  );
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.code}\0${f.path ?? ''}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
