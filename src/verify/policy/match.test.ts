import { describe, expect, it } from 'vitest';
import { loadPolicy } from './load.js';
import { describeUndecided, findRule, selectRule, type RuleSelection } from './match.js';
import { verifyFunction, verifyLayer } from '../verifier.js';
import type { Match } from './types.js';
import { functionEnvironment } from '../../model/function-environment.js';
import { ZIP_START } from '../testing/helpers.js';

const NO_ENV = functionEnvironment(undefined);

const HOME = '111122223333';
const OTHER = '444455556666';
const arn = (acct: string, region = 'us-east-1', name = 'utils') =>
  `arn:aws:lambda:${region}:${acct}:layer:${name}:3`;

/** A strict rule for one account first, then a lax rule for every name. */
const rules: { match: Match }[] = [
  { match: { name: 'utils', account: [HOME], region: ['us-east-1'] } },
  { match: { name: 'utils', account: [OTHER] } },
  { match: { name: '*' } },
];

describe('selectRule', () => {
  it('takes the first rule whose every field matches, when all facts are known', () => {
    expect(selectRule(rules, { name: 'utils', arn: arn(HOME) })).toEqual({
      kind: 'rule',
      index: 0,
    });
    expect(selectRule(rules, { name: 'utils', arn: arn(OTHER) })).toEqual({
      kind: 'rule',
      index: 1,
    });
    expect(selectRule(rules, { name: 'utils', arn: arn(HOME, 'eu-west-1') })).toEqual({
      kind: 'rule',
      index: 2,
    });
    expect(selectRule(rules, { name: 'utils', account: HOME, region: 'us-east-1' })).toEqual({
      kind: 'rule',
      index: 0,
    });
  });

  it('never skips a rule for a missing fact: undecided, naming the facts', () => {
    const sel = selectRule(rules, { name: 'utils' });
    expect(sel).toEqual({
      kind: 'undecided',
      missing: ['account', 'region'],
      conflicts: [],
      candidates: [0, 1],
      fallback: 2,
    });
    const text = describeUndecided(sel as Extract<RuleSelection, { kind: 'undecided' }>, 'layers');
    expect(text).toMatch(/layers\[0\], layers\[1\] may apply, before layers\[2\]/);
    expect(text).toMatch(/account, region are not known/);
    expect(text).toMatch(/--account and --region/);
    // The laxer rule is not taken as if the strict one could not apply.
    expect(findRule(rules, { name: 'utils' })).toBe(-1);
  });

  it('a known mismatch rules a rule out even when other facts are unknown', () => {
    expect(selectRule(rules, { name: 'other' })).toEqual({ kind: 'rule', index: 2 });
    // Region known and wrong for rule 0; account unknown still leaves rule 1 open.
    expect(selectRule(rules, { name: 'utils', region: 'eu-west-1' })).toMatchObject({
      kind: 'undecided',
      candidates: [1],
      missing: ['account'],
    });
  });

  it('an undecided rule with no certain match after it falls back to the default', () => {
    const only = [{ match: { account: [HOME] } }];
    expect(selectRule(only, { name: 'x' })).toMatchObject({ kind: 'undecided', fallback: -1 });
    expect(selectRule(only, { name: 'x', account: OTHER })).toEqual({ kind: 'default' });
    expect(selectRule([], { name: 'x' })).toEqual({ kind: 'default' });
  });

  it('an arn glob needs the ARN', () => {
    const byArn = [{ match: { arn: `arn:aws:lambda:*:${HOME}:layer:*` } }, { match: {} }];
    expect(selectRule(byArn, { name: 'utils', account: HOME })).toMatchObject({
      kind: 'undecided',
      missing: ['arn'],
    });
    expect(selectRule(byArn, { arn: arn(HOME) })).toEqual({ kind: 'rule', index: 0 });
  });

  it('facts that disagree with the ARN are unknown, not either value', () => {
    const sel = selectRule(rules, { name: 'utils', arn: arn(HOME), account: OTHER });
    expect(sel).toMatchObject({ kind: 'undecided', conflicts: ['account'] });
  });
});

describe('rule selection in verdicts', () => {
  const loaded = loadPolicy(
    `version: 1
default: allow
layers:
  - match: { name: utils, account: ['${HOME}'] }
    mode: enforce
    pins: [{ sha256: '${'b'.repeat(64)}' }]
  - match: { name: '*' }
    mode: audit
functions:
  - match: { account: ['${HOME}'] }
    codeSigning: { required: true }
`,
    'p.yaml'
  );
  const inventory = {
    artifact: { name: 'l.zip', kind: 'zip' as const, sha256: 'a', size: 0, properties: {} },
    packages: [],
    findings: [],
    complete: true,
  };
  const ev = { name: 'l.zip', layerName: 'utils', sha256: 'a'.repeat(64), bundles: [], inventory };
  const now = new Date();

  it('a local zip without account fails under the strictest possible mode, naming it', () => {
    const v = verifyLayer(ev, loaded, { now });
    expect(v.ok).toBe(false);
    expect(v.mode).toBe('enforce');
    expect(v.rule).toBeUndefined();
    expect(v.checks).toEqual([
      expect.objectContaining({
        id: 'rule',
        outcome: 'fail',
        evidence: expect.objectContaining({ missing: ['account'] }),
      }),
    ]);
  });

  it('with the account given, the rule the published layer gets applies', () => {
    const v = verifyLayer({ ...ev, account: HOME }, loaded, { now });
    expect(v.rule?.index).toBe(0);
    expect(v.checks.find((c) => c.id === 'digest')?.outcome).toBe('fail');
    const other = verifyLayer({ ...ev, account: OTHER }, loaded, { now });
    expect(other.rule?.index).toBe(1);
    expect(other.ok).toBe(true);
  });

  it('a function with no ARN cannot skip the account rule', () => {
    const v = verifyFunction(
      { name: 'api', layers: [], environment: NO_ENV, start: ZIP_START },
      loaded
    );
    expect(v.ok).toBe(false);
    expect(v.checks[0]?.id).toBe('rule');
  });
});
