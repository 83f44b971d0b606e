import type { Inventory } from '../model/inventory.js';
import { escapeLines } from '../util/escape.js';
import { isUnownedFile } from '../model/package.js';
import { inventoryGaps } from '../inventory/completeness.js';

/**
 * A few human lines about an inventory: packages per ecosystem, whether it is
 * complete (and the first of its gaps), what is unowned, how many findings. Pure; used on stderr when the
 * SBOM itself goes to a file.
 */
export function summarizeInventory(inv: Inventory): string {
  const byEco = new Map<string, number>();
  const unowned: string[] = [];
  let files = 0;
  for (const p of inv.packages) {
    if (p.type === 'file') {
      files++;
      if (isUnownedFile(p)) unowned.push(shorten(p.locations[0]?.path ?? p.name));
      continue;
    }
    byEco.set(p.ecosystem, (byEco.get(p.ecosystem) ?? 0) + 1);
  }
  const total = [...byEco.values()].reduce((a, b) => a + b, 0);
  const ecos = [...byEco.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([e, n]) => `${e} ${n}`)
    .join(', ');
  const lines = [`${inv.artifact.name}: ${total} packages${ecos ? ` (${ecos})` : ''}`];
  if (files > 0)
    lines.push(
      `  ${files} executable${files === 1 ? '' : 's'}, librar${files === 1 ? 'y' : 'ies'} or extension${files === 1 ? '' : 's'} as file components`
    );
  if (unowned.length > 0) {
    const shown = unowned.slice(0, 5).join(', ');
    lines.push(
      `  ${unowned.length} executable${unowned.length === 1 ? '' : 's'} or librar${unowned.length === 1 ? 'y' : 'ies'} no package owns: ${shown}${unowned.length > 5 ? ', …' : ''}`
    );
  }
  // The gaps are what `inventory: complete` fails on; most are on packages, not in the
  // inventory's own findings, so both are counted from everything.
  const gaps = inv.complete ? [] : inventoryGaps(inv);
  const shownGaps = gaps.slice(0, 5).map((g) => `${shorten(g.path ?? g.code)} ${g.code}`);
  const state = inv.complete
    ? 'complete'
    : gaps.length === 0
      ? 'incomplete'
      : `incomplete, ${gaps.length} gap${gaps.length === 1 ? '' : 's'}: ${shownGaps.join(', ')}${gaps.length > 5 ? ', …' : ''}`;
  const findings = inv.findings.length + inv.packages.reduce((n, p) => n + p.findings.length, 0);
  lines.push(`  inventory ${state}; ${findings} finding${findings === 1 ? '' : 's'}`);
  return escapeLines(lines).join('\n') + '\n';
}

/** A path cut to a readable length (a layer can hold paths thousands of characters long). */
function shorten(path: string): string {
  return path.length <= 120 ? path : `${path.slice(0, 58)}…${path.slice(-58)}`;
}
