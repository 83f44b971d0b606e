/**
 * `inventory:complete`: a layer whose inventory could not see everything a runtime could load
 * fails, because every other check (packages, licenses) only covers what the inventory saw.
 * A rule relaxes it only explicitly, per gap code (and optionally per path), never by default.
 */
import type Picomatch from 'picomatch';
import { requireCjs } from '../../util/cjs.js';
import { inventoryGaps, type InventoryGap } from '../../inventory/completeness.js';
import type { Inventory } from '../../model/inventory.js';
import type { InventoryAllowance, InventoryRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';

const picomatch = requireCjs('picomatch') as typeof Picomatch;

/** Gaps named in a check's detail; the evidence lists them all. */
const SHOWN = 10;

interface Allowance {
  code: string;
  matches: (path: string | undefined) => boolean;
  reason?: string;
}

function compile(a: InventoryAllowance): Allowance {
  if (typeof a === 'string') return { code: a, matches: () => true };
  const globs = a.paths;
  const isMatch = globs ? picomatch(globs, { dot: true }) : undefined;
  return {
    code: a.code,
    matches: (path) => !isMatch || (path !== undefined && isMatch(path)),
    reason: a.reason,
  };
}

const label = (g: InventoryGap): string => `${g.code}${g.path !== undefined ? ` ${g.path}` : ''}`;

function listed(gaps: readonly InventoryGap[]): string {
  const shown = gaps.slice(0, SHOWN).map(label).join('; ');
  return gaps.length > SHOWN ? `${shown}; and ${gaps.length - SHOWN} more` : shown;
}

/** Evaluate a layer's inventory against the rule's `inventory` section (absent: allow nothing). */
export function evaluateInventory(
  rule: InventoryRule | undefined,
  inventory: Inventory | undefined
): RawCheck {
  const base = { id: 'inventory:complete', kind: 'inventory' as const };
  if (!inventory) {
    return {
      ...base,
      status: 'fail',
      detail:
        'No inventory was built for this layer, so what it contains is unknown and nothing about its contents can pass.',
      evidence: { inventory: 'missing' },
    };
  }
  const allowances = (rule?.allow ?? []).map(compile);
  const gaps = inventoryGaps(inventory);
  const causes: InventoryGap[] = [];
  const allowed: (InventoryGap & { reason?: string })[] = [];
  for (const g of gaps) {
    const a = allowances.find((x) => x.code === g.code && x.matches(g.path));
    if (a) allowed.push({ ...g, ...(a.reason !== undefined ? { reason: a.reason } : {}) });
    else causes.push(g);
  }
  const allowedNote =
    allowed.length > 0 ? ` ${allowed.length} gap(s) allowed by the rule: ${listed(allowed)}.` : '';
  if (causes.length > 0) {
    const codes = [...new Set(causes.map((c) => c.code))].sort();
    return {
      ...base,
      status: 'fail',
      detail: `The inventory is incomplete (${codes.join(', ')}): ${causes.length} entr${causes.length === 1 ? 'y' : 'ies'} a runtime could load that no package rule could see: ${listed(causes)}.${allowedNote}`,
      evidence: { causes, allowed },
    };
  }
  return {
    ...base,
    status: 'pass',
    detail:
      allowed.length > 0
        ? `Every gap in the inventory is allowed by the rule.${allowedNote}`
        : `The inventory is complete: ${inventory.packages.length} package(s), no unread entry, no unowned executable.`,
    evidence: { causes: [], allowed },
  };
}
