/**
 * Which rule applies to a subject: the first rule, in file order, whose every `match` field
 * matches. Selection never depends on which facts happen to be known: a rule that asks for a
 * fact the subject lacks (a local zip has no account or region) is neither skipped nor taken;
 * if it comes before the rule that would otherwise apply, the selection is undecided and names
 * the missing facts, so `gate`, `pin` and `verify` of a local zip get the rule the published
 * layer would get, or fail.
 */
import type Picomatch from 'picomatch';
import { requireCjs } from '../../util/cjs.js';
import { parseArn } from '../../model/arn.js';
import type { Match } from './types.js';

const picomatch = requireCjs('picomatch') as typeof Picomatch;

/** Facts a rule can match on. */
export type Fact = 'name' | 'arn' | 'function' | 'account' | 'region';

/** What is known about the subject. Account and region also come from the ARN. */
export interface MatchSubject {
  name?: string | undefined;
  /** Images: the function the image is deployed to. */
  function?: string | undefined;
  arn?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
}

/** The outcome of {@link selectRule}. */
export type RuleSelection =
  /** Rule `index` applies whatever the unknown facts are. */
  | { kind: 'rule'; index: number }
  /** No rule can apply: the policy's default does. */
  | { kind: 'default' }
  /**
   * Rules `candidates` (in order) may apply depending on `missing` facts and come before
   * `fallback` (the rule that applies otherwise; -1 for the default), so nothing can be chosen.
   * `conflicts` names facts given twice with different values (e.g. `--account` and the ARN).
   */
  | {
      kind: 'undecided';
      missing: Fact[];
      conflicts: Fact[];
      candidates: number[];
      fallback: number;
    };

interface Facts {
  name?: string | undefined;
  function?: string | undefined;
  arn?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
  conflicts: Fact[];
}

/** Merge given facts with those the ARN implies; a disagreement makes the fact unknown. */
function resolveFacts(s: MatchSubject): Facts {
  const parts = s.arn !== undefined ? parseArn(s.arn) : undefined;
  const conflicts: Fact[] = [];
  const pick = (
    fact: 'account' | 'region',
    given?: string,
    implied?: string
  ): string | undefined => {
    if (given !== undefined && implied !== undefined && given !== implied) {
      conflicts.push(fact);
      return undefined;
    }
    return given ?? implied;
  };
  return {
    name: s.name,
    arn: s.arn,
    function: s.function,
    account: pick('account', s.account, parts?.account),
    region: pick('region', s.region, parts?.region),
    conflicts,
  };
}

type Tri = { result: 'yes' } | { result: 'no' } | { result: 'unknown'; missing: Fact[] };

function evaluate(m: Match, f: Facts): Tri {
  const missing: Fact[] = [];
  const glob = (fact: 'name' | 'arn' | 'function', pattern: string | undefined): boolean => {
    if (pattern === undefined) return true;
    const value = f[fact];
    if (value === undefined) {
      missing.push(fact);
      return true;
    }
    return picomatch.isMatch(value, pattern, { dot: true });
  };
  const oneOf = (fact: 'account' | 'region', allowed: string[] | undefined): boolean => {
    if (allowed === undefined) return true;
    const value = f[fact];
    if (value === undefined) {
      missing.push(fact);
      return true;
    }
    return allowed.includes(value);
  };
  // Every field is evaluated, so a known mismatch wins over an unknown fact.
  const ok = [
    glob('name', m.name),
    glob('arn', m.arn),
    glob('function', m.function),
    oneOf('account', m.account),
    oneOf('region', m.region),
  ].every(Boolean);
  if (!ok) return { result: 'no' };
  return missing.length > 0 ? { result: 'unknown', missing } : { result: 'yes' };
}

/**
 * Select the rule for a subject (pure). First match wins; a rule that may match depending on
 * unknown facts, before the first rule that certainly matches, makes the selection undecided.
 */
export function selectRule(
  rules: readonly { match: Match }[] | undefined,
  subject: MatchSubject
): RuleSelection {
  const facts = resolveFacts(subject);
  const candidates: number[] = [];
  const missing = new Set<Fact>();
  const undecided = (fallback: number): RuleSelection => ({
    kind: 'undecided',
    missing: (['name', 'arn', 'function', 'account', 'region'] as const).filter((x) =>
      missing.has(x)
    ),
    conflicts: facts.conflicts,
    candidates,
    fallback,
  });
  const list = rules ?? [];
  for (let i = 0; i < list.length; i++) {
    const r = evaluate(list[i]!.match, facts);
    if (r.result === 'no') continue;
    if (r.result === 'yes')
      return candidates.length === 0 ? { kind: 'rule', index: i } : undecided(i);
    candidates.push(i);
    for (const x of r.missing) missing.add(x);
  }
  return candidates.length === 0 ? { kind: 'default' } : undecided(-1);
}

/** Index of the rule that certainly applies, or -1 (no rule, or undecided). */
export function findRule(rules: readonly { match: Match }[] | undefined, s: MatchSubject): number {
  const sel = selectRule(rules, s);
  return sel.kind === 'rule' ? sel.index : -1;
}

/** One sentence on why a selection is undecided, naming the facts and how to give them. */
export function describeUndecided(
  sel: Extract<RuleSelection, { kind: 'undecided' }>,
  section: 'layers' | 'functions' | 'images'
): string {
  const rules = sel.candidates.map((i) => `${section}[${i}]`).join(', ');
  const other = sel.fallback >= 0 ? `${section}[${sel.fallback}]` : "the policy's default";
  const facts = [...sel.missing, ...sel.conflicts.filter((c) => !sel.missing.includes(c))];
  const how: string[] = [];
  if (facts.includes('account') || facts.includes('region'))
    how.push('--account and --region, or the layer version ARN');
  if (facts.includes('arn')) how.push('the layer version ARN (--layer-arn)');
  if (facts.includes('name')) how.push(section === 'images' ? '--repository' : '--layer-name');
  if (facts.includes('function')) how.push('the function the image is deployed to');
  const conflict =
    sel.conflicts.length > 0
      ? ` (${sel.conflicts.join(' and ')} given with values that disagree with the ARN)`
      : '';
  return `Cannot tell which rule applies: ${rules} may apply, before ${other}, but ${facts.join(', ')} ${facts.length === 1 ? 'is' : 'are'} not known${conflict}. Give ${how.join('; ')}.`;
}
