/**
 * License allow/deny rules over the SBOM. An SPDX expression is satisfied by the allow list when
 * some choice of its OR alternatives uses only allowed licenses; it is denied when every
 * alternative includes a denied one (the licensee can pick any alternative).
 */
import parseSpdx from 'spdx-expression-parse';
import type { Inventory } from '../../model/inventory.js';
import type { License } from '../../model/package.js';
import type { LicenseRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { noInventory } from './guard.js';

type Node =
  | { license: string; plus?: boolean; exception?: string }
  | { conjunction: 'and' | 'or'; left: Node; right: Node };

/** Alternatives of an expression, each a set of license ids that must all be accepted. */
function alternatives(node: Node): string[][] {
  if ('license' in node) return [[node.license]];
  const l = alternatives(node.left);
  const r = alternatives(node.right);
  if (node.conjunction === 'or') return [...l, ...r];
  return l.flatMap((a) => r.map((b) => [...a, ...b]));
}

function licenseAlternatives(lic: License): string[][] {
  if (lic.$case === 'id') return [[lic.id]];
  if (lic.$case === 'name') return [[lic.name]];
  try {
    return alternatives(parseSpdx(lic.expression));
  } catch {
    return [[lic.expression]];
  }
}

const norm = (s: string): string => s.toLowerCase();

/** Evaluate the rule over every package with a purl or a license. */
export function evaluateLicenses(rule: LicenseRule, inventory: Inventory | undefined): RawCheck {
  if (!inventory) return noInventory('licenses', 'license');
  const base = { id: 'licenses', kind: 'licenses' as const };
  const allow = rule.allow ? new Set(rule.allow.map(norm)) : undefined;
  const deny = new Set((rule.deny ?? []).map(norm));
  const unknown = rule.unknown ?? (allow ? 'deny' : 'allow');
  const bad: { package: string; licenses: string; why: string }[] = [];
  for (const p of inventory.packages) {
    if (p.type === 'file') continue;
    const label = p.purl ?? p.id;
    if (p.licenses.length === 0) {
      if (unknown === 'deny')
        bad.push({ package: label, licenses: '(none)', why: 'no license stated' });
      continue;
    }
    // Every stated license must be acceptable (several entries mean all apply).
    for (const lic of p.licenses) {
      const alts = licenseAlternatives(lic);
      const text =
        lic.$case === 'expression' ? lic.expression : lic.$case === 'id' ? lic.id : lic.name;
      const ok = alts.some((ids) =>
        ids.every((id) => !deny.has(norm(id)) && (!allow || allow.has(norm(id))))
      );
      if (!ok) {
        const denied = alts.every((ids) => ids.some((id) => deny.has(norm(id))));
        bad.push({
          package: label,
          licenses: text,
          why: denied ? 'denied' : 'not in the allow list',
        });
      }
    }
  }
  if (bad.length > 0) {
    return {
      ...base,
      status: 'fail',
      detail: `License violations: ${bad.map((b) => `${b.package} ${b.licenses} (${b.why})`).join(', ')}.`,
      evidence: { violations: bad },
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `Licenses of ${inventory.packages.length} package(s) satisfy the rule.`,
    evidence: {},
  };
}
