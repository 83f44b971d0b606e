import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { loadPolicy } from './policy/load.js';
import { locateVerdict, policyLine } from './locate.js';
import { verifyFunction, verifyLayer } from './verifier.js';
import { functionEnvironment } from '../model/function-environment.js';
import { ZIP_START } from './testing/helpers.js';

const NO_ENV = functionEnvironment(undefined);

const SHA = 'a'.repeat(64);
const NOW = new Date('2026-06-01T00:00:00Z');

/** Line numbers are asserted below: keep each marked line where its comment says. */
const POLICY = [
  'version: 1', // 1
  'default: deny', // 2
  'anchors:', // 3
  '  a:', // 4
  '    kind: aws-signer', // 5
  '    profileArn: arn:aws:signer:us-east-1:111122223333:/signing-profiles/A', // 6
  '  b:', // 7
  '    kind: aws-signer', // 8
  '    profileArn: arn:aws:signer:us-east-1:111122223333:/signing-profiles/B', // 9
  'layers:', // 10
  '  - match: { name: strict }', // 11
  '    pins:', // 12
  `      - sha256: '${'b'.repeat(64)}'`, // 13
  `      - sha256: '${SHA}'`, // 14
  '    signers:', // 15
  '      anyOf:', // 16
  '        - a', // 17
  '        - b', // 18
  '      threshold: 2', // 19
  '    packages:', // 20
  '      deny: [{ purl: pkg:npm/left-pad }]', // 21
  '    licenses: { deny: [AGPL-3.0-only] }', // 22
  '  - match: { name: lax }', // 23
  '    mode: warn', // 24
  'functions:', // 25
  '  - match: { name: fn }', // 26
  '    codeSigning: { required: true }', // 27
  "    layerAccounts: ['111122223333']", // 28
  '',
].join('\n');

const inventory: Inventory = {
  artifact: { name: 'l.zip', kind: 'zip', sha256: SHA, size: 1, properties: {} },
  packages: [],
  findings: [],
  complete: true,
};

const ev = (layerName: string) => ({
  name: `${layerName}.zip`,
  layerName,
  sha256: SHA,
  inventory,
  bundles: [],
});

describe('policy lines in verdicts', () => {
  const loaded = loadPolicy(POLICY, 'p.yaml');

  it('records the line of each rule entry by JSON pointer', () => {
    expect(policyLine(loaded, '/layers/0')).toBe(11);
    expect(policyLine(loaded, '/layers/0/signers/anyOf/1')).toBe(18);
    expect(policyLine(loaded, '/functions/0/layerAccounts')).toBe(28);
    // A node that is not there: its nearest ancestor.
    expect(policyLine(loaded, '/layers/1/inventory')).toBe(23);
    expect(policyLine({ ...loaded, lines: undefined }, '/layers/0')).toBeUndefined();
  });

  it('puts each check of a layer verdict on the line it rests on', () => {
    const v = verifyLayer(ev('strict'), loaded, { now: NOW });
    expect(v.rule?.line).toBe(11);
    const lines = Object.fromEntries(v.checks.map((c) => [c.id, c.line]));
    expect(lines).toEqual({
      digest: 14, // the pin that matched
      'signer:a': 17,
      'signer:b': 18,
      'signers:threshold': 19,
      packages: 21,
      licenses: 22,
      'inventory:complete': 11, // no inventory section: the rule itself
    });
  });

  it('an unpinned digest points at the pins; the default and undecided rules at their lines', () => {
    const unpinned = verifyLayer({ ...ev('strict'), sha256: 'c'.repeat(64) }, loaded, {
      now: NOW,
    });
    expect(unpinned.checks.find((c) => c.id === 'digest')?.line).toBe(12);
    const none = verifyLayer(ev('other'), loaded, { now: NOW });
    expect(none.rule).toBeUndefined();
    expect(none.checks.map((c) => [c.id, c.line])).toEqual([
      ['default', 2],
      ['inventory:complete', 2],
    ]);
    const undecided = verifyLayer({ ...ev('strict'), layerName: undefined }, loaded, { now: NOW });
    expect(undecided.checks.map((c) => [c.id, c.line])).toEqual([['rule', 11]]);
  });

  it('function checks point at codeSigning and layerAccounts, and the environment and handler at the rule without a section', () => {
    const v = verifyFunction(
      {
        name: 'fn',
        layers: [{ arn: 'arn:aws:lambda:us-east-1:999999999999:layer:x:1' }],
        environment: NO_ENV,
        start: ZIP_START,
      },
      loaded
    );
    expect(v.rule?.line).toBe(26);
    expect(v.checks.map((c) => [c.id, c.line])).toEqual([
      ['function:code-signing', 27],
      ['function:layer-accounts', 28],
      ['function:environment', 26],
      ['function:handler', 26],
    ]);
  });

  it('locateVerdict fills a verdict built elsewhere and keeps lines already set', () => {
    const v = locateVerdict(
      {
        subject: { kind: 'layer', name: 'x' },
        rule: { section: 'layers', index: 1, match: { name: 'lax' } },
        mode: 'warn',
        ok: true,
        checks: [
          { id: 'fetch', kind: 'digest', outcome: 'warn', detail: 'd', evidence: {} },
          { id: 'other', kind: 'digest', outcome: 'warn', detail: 'd', evidence: {}, line: 3 },
        ],
      },
      loaded
    );
    expect(v.rule?.line).toBe(23);
    expect(v.checks.map((c) => c.line)).toEqual([23, 3]);
  });
});
