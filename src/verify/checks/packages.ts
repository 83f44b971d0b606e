/** Package deny rules over the layer's SBOM (inventory): purl without version plus a version range. */
import type { Inventory } from '../../model/inventory.js';
import type { PackageDeny } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { parseRange, satisfies } from './version-range.js';
import { noInventory } from './guard.js';

/**
 * The purl of a package without version, qualifiers and subpath, for comparison with a rule.
 * pypi names compare case-insensitively with `-`/`_`/`.` folded (PEP 503); others exactly.
 */
export function purlBase(purl: string): string {
  let s = purl.split('#')[0]!.split('?')[0]!;
  const slash = s.lastIndexOf('/');
  const at = s.indexOf('@', slash + 1);
  if (at >= 0) s = s.slice(0, at);
  s = decodeURIComponentSafe(s);
  if (s.startsWith('pkg:pypi/')) s = s.toLowerCase().replace(/[-_.]+/g, '-');
  return s;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Fail when any package matches a deny rule. */
export function evaluatePackages(
  deny: readonly PackageDeny[],
  inventory: Inventory | undefined
): RawCheck {
  if (!inventory) return noInventory('packages', 'package');
  const base = { id: 'packages', kind: 'packages' as const };
  const rules = deny.map((d) => ({
    d,
    base: purlBase(d.purl),
    range: d.versions ? parseRange(d.versions) : undefined,
  }));
  const hits: { purl: string; path?: string; rule: string; reason?: string }[] = [];
  for (const p of inventory.packages) {
    if (!p.purl) continue;
    const b = purlBase(p.purl);
    for (const r of rules) {
      if (r.base !== b) continue;
      if (r.range && (p.version === undefined || !satisfies(p.version, r.range))) continue;
      hits.push({
        purl: p.purl,
        ...(p.locations[0] ? { path: p.locations[0].path } : {}),
        rule: `${r.d.purl}${r.d.versions ? ` ${r.d.versions}` : ''}`,
        ...(r.d.reason !== undefined ? { reason: r.d.reason } : {}),
      });
    }
  }
  if (hits.length > 0) {
    return {
      ...base,
      status: 'fail',
      detail: `Denied package(s): ${hits.map((h) => `${h.purl} (${h.rule})`).join(', ')}.`,
      evidence: { denied: hits },
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `None of ${inventory.packages.length} package(s) matches the ${deny.length} deny rule(s).`,
    evidence: { packages: inventory.packages.length },
  };
}
