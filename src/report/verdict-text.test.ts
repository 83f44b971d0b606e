import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { newPackage } from '../model/package.js';
import { loadPolicy } from '../verify/policy/load.js';
import type { Verdict } from '../verify/verdict.js';
import { verifyFunction, verifyLayer } from '../verify/verifier.js';
import { renderVerdictText, splitDetail, verdictSummary, wrap } from './verdict-text.js';
import { functionEnvironment } from '../model/function-environment.js';
import { ZIP_START } from '../verify/testing/helpers.js';

const NO_ENV = functionEnvironment(undefined);

const NOW = new Date('2026-06-01T00:00:00Z');
const SHA = 'ad9b432190653d24062b04fcb9ca2cced9c10f1c1047c870112452e55f39e04a';

const POLICY = loadPolicy(
  [
    'version: 1',
    'default: deny',
    'anchors:',
    '  platform-signer:',
    '    kind: aws-signer',
    '    profileArn: arn:aws:signer:us-east-1:111122223333:/signing-profiles/PlatformLayers',
    'layers:',
    '  - match: { name: platform-* }',
    '    pins:',
    `      - sha256: '${SHA}'`,
    '        version: 8',
    '    signers: { anyOf: [platform-signer] }',
    '  - match: { name: tools }',
    '    mode: warn',
    '    signers: { anyOf: [platform-signer] }',
    'functions:',
    '  - match: { name: orders-api }',
    '    codeSigning: { required: true, enforce: true }',
    '',
  ].join('\n'),
  'policies/prod.yaml'
);

const inventory: Inventory = {
  artifact: { name: 'l.zip', kind: 'zip', sha256: SHA, size: 1, properties: {} },
  packages: [
    newPackage({
      id: 'file:bin/helper',
      ecosystem: 'generic',
      name: 'helper',
      type: 'file',
      foundBy: 'binary-cataloger',
      locations: [{ path: 'bin/helper' }],
    }),
  ],
  findings: [],
  complete: false,
};

const layer = (layerName: string, arn: string): Verdict =>
  verifyLayer({ name: arn, layerName, arn, sha256: SHA, inventory, bundles: [] }, POLICY, {
    now: NOW,
  });

const VERDICTS: Verdict[] = [
  verifyFunction(
    {
      name: 'orders-api',
      arn: 'arn:aws:lambda:us-east-1:111122223333:function:orders-api',
      layers: [],
      environment: NO_ENV,
      start: ZIP_START,
    },
    POLICY
  ),
  layer('platform-utils', 'arn:aws:lambda:us-east-1:111122223333:layer:platform-utils:8'),
  layer('tools', 'arn:aws:lambda:us-east-1:111122223333:layer:tools:3'),
  layer('stray', 'arn:aws:lambda:eu-west-1:111122223333:layer:stray:1'),
];

/** A line over the width holds one word that cannot be broken (after its prefix). */
function overflowIsOneWord(line: string, width: number): boolean {
  if (line.length <= width) return true;
  const body = line.replace(/^\s*(?:(?:PASS|FAIL|WARN|SKIP) \S+: |(?:OK {2}|WARN|FAIL) \w+ )?/, '');
  return !body.includes(' ');
}

describe('renderVerdictText', () => {
  const text = renderVerdictText(VERDICTS);
  const lines = text.trimEnd().split('\n');

  it('fits 80 columns: only unbreakable words (ARNs, digests) may overflow', () => {
    for (const l of lines) expect(overflowIsOneWord(l, 80), l).toBe(true);
  });

  it('one entry per check, and a header and a rule line per subject', () => {
    const checks = VERDICTS.flatMap((v) => v.checks);
    expect(lines.filter((l) => /^ {2}(PASS|FAIL|WARN|SKIP) /.test(l))).toHaveLength(checks.length);
    expect(lines.filter((l) => /^(OK {2}|WARN|FAIL) (layer|function) /.test(l))).toEqual([
      'FAIL function orders-api',
      'FAIL layer arn:aws:lambda:us-east-1:111122223333:layer:platform-utils:8',
      'WARN layer arn:aws:lambda:us-east-1:111122223333:layer:tools:3',
      'FAIL layer arn:aws:lambda:eu-west-1:111122223333:layer:stray:1',
    ]);
    expect(lines).toContain('     rule: layers[0] (line 8), mode: enforce, sha256:ad9b43219065…');
    expect(lines).toContain(
      "     rule: none (the policy's default), mode: enforce, sha256:ad9b43219065…"
    );
    // Subjects are set apart by a blank line.
    expect(text).toContain('UNOWNED_EXECUTABLE bin/helper.\n\nWARN layer');
  });

  it('leaves the account of what was checked, and the mode prefix, to verbose', () => {
    expect(text).not.toContain('Not checked:');
    expect(text).not.toContain('Checked:');
    expect(text).not.toContain('[warn]');
    expect(text).toContain('  WARN signer:platform-signer: No AWS Signer evidence for this layer');
  });

  it('ends with the summary line', () => {
    expect(lines.at(-1)).toBe('3 layers, 1 function: 3 failed, 1 warned, 0 passed');
    expect(lines.at(-2)).toBe('');
  });

  it('verbose: the whole detail, each repeated sentence once as a note, the full digest', () => {
    const verbose = renderVerdictText(VERDICTS, {
      verbose: true,
      policyPath: 'policies/prod.yaml',
    });
    for (const l of verbose.trimEnd().split('\n')) expect(overflowIsOneWord(l, 80), l).toBe(true);
    expect(verbose).toContain(`sha256:${SHA}`);
    expect(verbose).toContain('rule: layers[0] at policies/prod.yaml:8');
    const notChecked = /Not checked: the signature bytes inside the zip/g;
    expect(verbose.match(notChecked)).toHaveLength(1);
    expect(verbose).toMatch(/\n\nNotes:\n {2}\[1\] Not checked: the signature bytes/);
    // Each signer check that repeats it refers to the note.
    expect(verbose.match(/\[note 1\]/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('shows a verdict repeated in one run once, and counts it once', () => {
    const twice = renderVerdictText([VERDICTS[1]!, VERDICTS[1]!]);
    expect(twice.match(/^FAIL layer/gm)).toHaveLength(1);
    expect(twice.trimEnd().split('\n').at(-1)).toBe(
      '1 layer, 0 functions: 1 failed, 0 warned, 0 passed'
    );
  });

  it('the exact layout of one verdict', () => {
    const v: Verdict = {
      subject: { kind: 'layer', name: 'platform-utils.zip', sha256: SHA },
      rule: { section: 'layers', index: 0, match: { name: 'platform-*' }, line: 8 },
      mode: 'enforce',
      ok: false,
      checks: [
        {
          id: 'packages',
          kind: 'packages',
          outcome: 'fail',
          detail:
            'Denied package(s): pkg:npm/ms@2.0.0 at nodejs/node_modules/ms/package.json (rule pkg:npm/ms <2.1.0, reason ReDoS).',
          evidence: {},
        },
        {
          id: 'licenses',
          kind: 'licenses',
          outcome: 'pass',
          detail: 'Licenses of 3 package(s) satisfy the rule.',
          evidence: {},
        },
      ],
    };
    expect(renderVerdictText([v])).toBe(
      [
        'FAIL layer platform-utils.zip',
        '     rule: layers[0] (line 8), mode: enforce, sha256:ad9b43219065…',
        '  FAIL packages: Denied package(s): pkg:npm/ms@2.0.0 at',
        '       nodejs/node_modules/ms/package.json (rule pkg:npm/ms <2.1.0, reason',
        '       ReDoS).',
        '  PASS licenses: Licenses of 3 package(s) satisfy the rule.',
        '',
        '1 layer, 0 functions: 1 failed, 0 warned, 0 passed',
        '',
      ].join('\n')
    );
  });
});

describe('text helpers', () => {
  it('wrap breaks at spaces and never cuts a long word', () => {
    const long = 'arn:aws:lambda:us-east-1:123456789012:layer:a-very-long-layer-name-indeed:12';
    expect(wrap('  FAIL x: ', `in ${long} ok`, 40)).toEqual([
      '  FAIL x: in',
      `       ${long}`,
      '       ok',
    ]);
    expect(wrap('a: ', '', 10)).toEqual(['a: ']);
  });

  it('splitDetail separates the account of what was checked', () => {
    expect(splitDetail('Signed by X (job Y). Checked: a; b. Not checked: c.')).toEqual({
      headline: 'Signed by X (job Y).',
      account: ['Checked: a; b.', 'Not checked: c.'],
    });
    expect(splitDetail('No Checked: here.').account).toEqual([]);
  });

  it('verdictSummary counts subjects', () => {
    expect(verdictSummary([])).toBe('0 layers, 0 functions: 0 failed, 0 warned, 0 passed');
  });

  it('images among functions and layers get a section per kind, named by their function', () => {
    const image: Verdict = {
      subject: {
        kind: 'image',
        name: '111122223333.dkr.ecr.us-east-1.amazonaws.com/app:prod',
        arn: 'arn:aws:lambda:us-east-1:111122223333:function:thumbs:$LATEST',
        digest: `sha256:${SHA}`,
      },
      mode: 'enforce',
      ok: false,
      checks: [{ id: 'fetch', kind: 'digest', outcome: 'fail', detail: 'Denied.', evidence: {} }],
    };
    const [fn, ...layers] = VERDICTS;
    const text = renderVerdictText([fn!, image, ...layers]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Functions (1):');
    const at = lines.indexOf('Images (1):');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 2]).toBe(
      'FAIL image 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:prod (function thumbs:$LATEST)'
    );
    expect(lines).toContain(`Layers (${layers.length}):`);
    expect(text).toMatch(/^1 image, \d+ layers?, 1 function: /m);
    // Without images, the report reads as before: no headings.
    expect(renderVerdictText(VERDICTS)).not.toMatch(/^(Functions|Layers) \(/m);
  });
});
