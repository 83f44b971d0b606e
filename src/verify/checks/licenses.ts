/**
 * License allow/deny rules over the SBOM, on SPDX license expressions
 * (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/):
 * - deprecated ids are read as their current ones (`AGPL-3.0` is `AGPL-3.0-only`, `GPL-2.0+`
 *   is `GPL-2.0-or-later`, `GPL-2.0-with-classpath-exception` is `GPL-2.0-only WITH
 *   Classpath-exception-2.0`); ids compare case-insensitively;
 * - `X-or-later` (or `X+`) lets the licensee choose X or any later version: for the GNU
 *   families it is the choice among the versions that exist, so it is denied only when every
 *   such version is; in a rule's lists it stands for all of them. For other licenses `X+` is
 *   denied when `X` or `X+` is, allowed when either is;
 * - `X WITH exception` is denied when the exact form or plain `X` is denied (unless the allow
 *   list names the exact form), and allowed when either is allowed;
 * - `AND` needs every operand acceptable, `OR` some operand (an OR is denied only when every
 *   branch is). Several licenses on one package all apply.
 */
import type ParseSpdx from 'spdx-expression-parse';
import { requireCjs } from '../../util/cjs.js';
import type { Inventory } from '../../model/inventory.js';
import type { License } from '../../model/package.js';
import type { LicenseRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { noInventory } from './guard.js';

const parseSpdx = requireCjs('spdx-expression-parse') as typeof ParseSpdx;

type Node =
  | { license: string; plus?: boolean; exception?: string }
  | { conjunction: 'and' | 'or'; left: Node; right: Node };

/** Deprecated SPDX license ids → their current expression (SPDX license list, deprecated ids). */
const DEPRECATED: Record<string, string> = {
  'agpl-1.0': 'AGPL-1.0-only',
  'agpl-3.0': 'AGPL-3.0-only',
  'bsd-2-clause-freebsd': 'BSD-2-Clause',
  'bsd-2-clause-netbsd': 'BSD-2-Clause',
  'gfdl-1.1': 'GFDL-1.1-only',
  'gfdl-1.2': 'GFDL-1.2-only',
  'gfdl-1.3': 'GFDL-1.3-only',
  'gpl-1.0': 'GPL-1.0-only',
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-3.0': 'GPL-3.0-only',
  'lgpl-2.0': 'LGPL-2.0-only',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-3.0': 'LGPL-3.0-only',
  'gpl-2.0-with-gcc-exception': 'GPL-2.0-only WITH GCC-exception-2.0',
  'gpl-2.0-with-autoconf-exception': 'GPL-2.0-only WITH Autoconf-exception-2.0',
  'gpl-2.0-with-bison-exception': 'GPL-2.0-or-later WITH Bison-exception-2.2',
  'gpl-2.0-with-classpath-exception': 'GPL-2.0-only WITH Classpath-exception-2.0',
  'gpl-2.0-with-font-exception': 'GPL-2.0-only WITH Font-exception-2.0',
  'gpl-3.0-with-gcc-exception': 'GPL-3.0-only WITH GCC-exception-3.1',
  'gpl-3.0-with-autoconf-exception': 'GPL-3.0-only WITH Autoconf-exception-3.0',
  nunit: 'zlib-acknowledgement',
  'standardml-nj': 'SMLNJ',
  'bzip2-1.0.5': 'bzip2-1.0.6',
  'ecos-2.0': 'GPL-2.0-or-later WITH eCos-exception-2.0',
  wxwindows: 'LGPL-2.0-or-later WITH WxWindows-exception-3.1',
};

/** GNU license families whose "or later" choices are known. */
const FAMILIES: Record<string, readonly string[]> = {
  gpl: ['1.0', '2.0', '3.0'],
  lgpl: ['2.0', '2.1', '3.0'],
  agpl: ['1.0', '3.0'],
  gfdl: ['1.1', '1.2', '1.3'],
};

/** One license choice: the names it is known by (lowercase) and its exception, if any. */
interface Choice {
  names: string[];
  exception?: string;
}

/** The choices one license term (id, `+`, `WITH`) gives the licensee. */
function choicesOf(id: string, plus: boolean, exception: string | undefined): Choice[] {
  const mapped = DEPRECATED[id.toLowerCase()];
  if (mapped !== undefined) {
    const [lic, exc] = mapped.split(' WITH ') as [string, string | undefined];
    return choicesOf(lic, plus, exception ?? exc);
  }
  let lower = id.toLowerCase();
  let orLater = plus;
  if (lower.endsWith('-or-later')) {
    orLater = true;
    lower = lower.slice(0, -'-or-later'.length);
  } else if (lower.endsWith('-only')) lower = lower.slice(0, -'-only'.length);
  const exc = exception?.toLowerCase();
  const m = /^(gpl|lgpl|agpl|gfdl)-(\d\.\d)$/.exec(lower);
  const versions = m ? FAMILIES[m[1]!] : undefined;
  if (m && versions?.includes(m[2]!)) {
    const from = versions.indexOf(m[2]!);
    const chosen = orLater ? versions.slice(from) : [m[2]!];
    return chosen.map((v) => ({
      names: [`${m[1]}-${v}-only`],
      ...(exc ? { exception: exc } : {}),
    }));
  }
  const base = /-only$/.test(id.toLowerCase()) ? id.toLowerCase() : lower;
  return [{ names: orLater ? [base, `${base}+`] : [base], ...(exc ? { exception: exc } : {}) }];
}

/** Parse a license as stated; text that is not an SPDX expression is one license name. */
function parseLicense(text: string): Node {
  try {
    return parseSpdx(text.trim());
  } catch {
    // A lone id in the wrong case ("gpl-2.0+") still names that license.
    const m = /^([A-Za-z0-9.-]+?)(\+?)$/.exec(text.trim());
    return m ? { license: m[1]!, plus: m[2] === '+' } : { license: text.trim() };
  }
}

/** Every name a rule list entry stands for (an or-later entry stands for each choice). */
function listNames(entries: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const node = parseLicense(e);
    if (!('license' in node)) {
      out.add(e.toLowerCase());
      continue;
    }
    for (const c of choicesOf(node.license, node.plus === true, node.exception)) {
      // An unknown-family `X+` entry names exactly `X+`, not plain `X`.
      const names = node.plus === true && c.names.length === 2 ? [c.names[1]!] : c.names;
      for (const n of names) out.add(c.exception ? `${n} with ${c.exception}` : n);
    }
  }
  return out;
}

function choiceDenied(c: Choice, l: LicenseLists): boolean {
  const full = c.exception ? c.names.map((n) => `${n} with ${c.exception}`) : [];
  if (full.some((n) => l.deny.has(n))) return true;
  // An exception only adds permissions: a denied base stays denied unless its exact
  // WITH form is explicitly allowed.
  return c.names.some((n) => l.deny.has(n)) && !full.some((n) => l.allow?.has(n));
}

function choiceAllowed(c: Choice, l: LicenseLists): boolean {
  if (choiceDenied(c, l)) return false;
  if (!l.allow) return true;
  const full = c.exception ? c.names.map((n) => `${n} with ${c.exception}`) : [];
  return [...c.names, ...full].some((n) => l.allow!.has(n));
}

/** `ok`: some reading is acceptable; `denied`: every reading includes a denied license. */
function evaluate(node: Node, l: LicenseLists): { ok: boolean; denied: boolean } {
  if ('license' in node) {
    const choices = choicesOf(node.license, node.plus === true, node.exception);
    return {
      ok: choices.some((c) => choiceAllowed(c, l)),
      denied: choices.every((c) => choiceDenied(c, l)),
    };
  }
  const a = evaluate(node.left, l);
  const b = evaluate(node.right, l);
  return node.conjunction === 'or'
    ? { ok: a.ok || b.ok, denied: a.denied && b.denied }
    : { ok: a.ok && b.ok, denied: a.denied || b.denied };
}

const licenseText = (lic: License): string =>
  lic.$case === 'expression' ? lic.expression : lic.$case === 'id' ? lic.id : lic.name;

/** A rule's allow and deny lists, as the names they stand for. */
export interface LicenseLists {
  allow: Set<string> | undefined;
  deny: Set<string>;
}

/** Expand a rule's lists once (deprecated ids, or-later entries). */
export function compileLicenseRule(rule: Pick<LicenseRule, 'allow' | 'deny'>): LicenseLists {
  return {
    allow: rule.allow ? listNames(rule.allow) : undefined,
    deny: listNames(rule.deny ?? []),
  };
}

/** Whether one stated license passes the rule's lists, and if not why. */
export function judgeLicense(
  lic: License,
  lists: LicenseLists
): { ok: boolean; why?: 'denied' | 'not in the allow list' } {
  const r = evaluate(parseLicense(licenseText(lic)), lists);
  if (r.ok) return { ok: true };
  return { ok: false, why: r.denied ? 'denied' : 'not in the allow list' };
}

/** Evaluate the rule over every package with a purl or a license. */
export function evaluateLicenses(rule: LicenseRule, inventory: Inventory | undefined): RawCheck {
  if (!inventory) return noInventory('licenses', 'license');
  const base = { id: 'licenses', kind: 'licenses' as const };
  const unknown = rule.unknown ?? (rule.allow ? 'deny' : 'allow');
  const lists = compileLicenseRule(rule);
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
      const j = judgeLicense(lic, lists);
      if (!j.ok) bad.push({ package: label, licenses: licenseText(lic), why: j.why! });
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
