import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { newPackage } from '../model/package.js';
import { npmPurl } from '../inventory/purl.js';
import { loadPolicy } from '../verify/policy/load.js';
import type { Verdict } from '../verify/verdict.js';
import { verifyFunction, verifyLayer } from '../verify/verifier.js';
import { githubSarifViolations, sarifSchemaErrors } from './testing/sarif-rules.js';
import { MAX_SARIF_RESULTS, pathToUri, renderVerdictSarif } from './verdict-sarif.js';
import { functionEnvironment } from '../model/function-environment.js';
import { ZIP_START } from '../verify/testing/helpers.js';

const NO_ENV = functionEnvironment(undefined);

const NOW = new Date('2026-06-01T00:00:00Z');
const SHA = 'a'.repeat(64);

const POLICY_TEXT = [
  'version: 1',
  'default: deny',
  'anchors:',
  '  a:',
  '    kind: aws-signer',
  '    profileArn: arn:aws:signer:us-east-1:111122223333:/signing-profiles/A',
  'layers:',
  '  - match: { name: strict, account: ["111122223333"] }',
  '    pins:',
  `      - sha256: '${'b'.repeat(64)}'`,
  '    signers:',
  '      anyOf:',
  '        - a',
  '    packages:',
  '      deny: [{ purl: pkg:npm/left-pad }]',
  '    licenses: { deny: [AGPL-3.0-only] }',
  '  - match: { name: lax }',
  '    mode: warn',
  '    packages:',
  '      deny: [{ purl: pkg:npm/left-pad }]',
  'functions:',
  '  - match: { name: fn }',
  '    codeSigning: { required: true, enforce: true }',
  '',
].join('\n');
const POLICY_LINES = POLICY_TEXT.split('\n');

const inventory: Inventory = {
  artifact: { name: 'l.zip', kind: 'zip', sha256: SHA, size: 1, properties: {} },
  packages: [
    newPackage({
      id: 'npm:left-pad',
      ecosystem: 'npm',
      name: 'left-pad',
      version: '1.3.0',
      purl: npmPurl('left-pad', '1.3.0'),
      licenses: [{ $case: 'expression', expression: 'AGPL-3.0-only' }],
      foundBy: 'npm',
      locations: [{ path: 'nodejs/node_modules/left-pad/package.json' }],
    }),
    newPackage({
      id: 'file:bin/tool',
      ecosystem: 'generic',
      name: 'tool',
      type: 'file',
      foundBy: 'binary-cataloger',
      locations: [{ path: 'bin/tool' }],
    }),
  ],
  findings: [],
  complete: false,
};

function verdicts(): Verdict[] {
  const loaded = loadPolicy(POLICY_TEXT, 'policies/prod policy.yaml');
  const layer = (layerName: string, arn?: string) =>
    verifyLayer(
      {
        name: arn ?? `${layerName}.zip`,
        layerName,
        ...(arn ? { arn } : {}),
        sha256: SHA,
        inventory,
        bundles: [],
      },
      loaded,
      { now: NOW }
    );
  return [
    layer('strict', 'arn:aws:lambda:us-east-1:111122223333:layer:strict:1'),
    layer('strict', 'arn:aws:lambda:us-east-1:111122223333:layer:strict:2'),
    layer('lax'),
    layer('other'),
    layer('strict'), // a local zip: the account is unknown, the rule undecided
    verifyFunction({ name: 'fn', layers: [], environment: NO_ENV, start: ZIP_START }, loaded),
  ];
}

type Log = {
  runs: {
    tool: { driver: { rules: { id: string }[]; informationUri?: string } };
    automationDetails: { id: string };
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
      }[];
      relatedLocations?: unknown[];
      partialFingerprints: { primaryLocationLineHash: string };
      properties: { checkId: string };
    }[];
  }[];
};

describe('renderVerdictSarif for GitHub code scanning', () => {
  const vs = verdicts();
  const text = renderVerdictSarif(vs, {
    policyPath: 'policies/prod policy.yaml',
    inputPath: 'build/layer.zip',
    automationId: 'lamina/verify/',
  });
  const log = JSON.parse(text) as Log;
  const results = log.runs[0]!.results;

  it('is valid SARIF 2.1.0 and breaks no GitHub ingestion rule', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifViolations(log)).toEqual([]);
  });

  it('has one result per failed or warned check, every kind of rule exercised', () => {
    const expected = vs.flatMap((v) =>
      v.checks.filter((c) => c.outcome !== 'pass' && c.outcome !== 'skip')
    );
    expect(results).toHaveLength(expected.length);
    expect(new Set(results.map((r) => r.ruleId))).toEqual(
      new Set([
        'lamina/digest',
        'lamina/signer',
        'lamina/packages',
        'lamina/licenses',
        'lamina/inventory',
        'lamina/default',
        'lamina/rule',
        'lamina/function',
      ])
    );
    expect(
      results
        .filter((r) => r.level === 'warning')
        .map((r) => r.properties.checkId)
        .sort()
    ).toEqual(['inventory:complete', 'packages']);
  });

  it('locates each result at the policy line of the entry that failed', () => {
    expect(
      new Set(results.map((r) => r.locations[0]!.physicalLocation!.artifactLocation.uri))
    ).toEqual(new Set(['policies/prod%20policy.yaml']));
    const lineOf = (checkId: string, n = 0) =>
      POLICY_LINES[
        results.filter((r) => r.properties.checkId === checkId)[n]!.locations[0]!.physicalLocation!
          .region.startLine - 1
      ];
    expect(lineOf('digest')).toBe('    pins:');
    expect(lineOf('signer:a')).toBe('        - a');
    expect(lineOf('packages')).toBe('      deny: [{ purl: pkg:npm/left-pad }]');
    expect(lineOf('licenses')).toBe('    licenses: { deny: [AGPL-3.0-only] }');
    expect(lineOf('inventory:complete')).toBe(
      '  - match: { name: strict, account: ["111122223333"] }'
    );
    expect(lineOf('default')).toBe('default: deny');
    expect(lineOf('rule')).toBe('  - match: { name: strict, account: ["111122223333"] }');
    expect(lineOf('function:code-signing')).toBe(
      '    codeSigning: { required: true, enforce: true }'
    );
    // The zip is a related location.
    expect(results.every((r) => r.relatedLocations?.length === 1)).toBe(true);
  });

  it('keeps one alert per subject and check: fingerprints differ across layers, repeat across runs', () => {
    const digest = results.filter((r) => r.properties.checkId === 'digest');
    expect(digest).toHaveLength(2);
    expect(digest[0]!.partialFingerprints.primaryLocationLineHash).not.toBe(
      digest[1]!.partialFingerprints.primaryLocationLineHash
    );
    expect(
      renderVerdictSarif(verdicts(), {
        policyPath: 'policies/prod policy.yaml',
        inputPath: 'build/layer.zip',
        automationId: 'lamina/verify/',
      })
    ).toBe(text);
  });

  it('rules carry help, tags and a security severity; no placeholder URL', () => {
    const driver = log.runs[0]!.tool.driver;
    expect(driver.informationUri).toBeUndefined();
    expect(driver.rules.map((r) => r.id)).toContain('lamina/inventory');
    expect(log.runs[0]!.automationDetails.id).toBe('lamina/verify/');
  });

  it('without a policy path, locates results at the layer zip', () => {
    const zipOnly = JSON.parse(renderVerdictSarif(vs, { inputPath: 'build/my layer.zip' })) as Log;
    expect(githubSarifViolations(zipOnly)).toEqual([]);
    expect(zipOnly.runs[0]!.results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri).toBe(
      'build/my%20layer.zip'
    );
    expect(zipOnly.runs[0]!.automationDetails.id).toBe('lamina/verify/');
  });

  it('caps the results GitHub would refuse and says how many were left out', () => {
    const capped = JSON.parse(
      renderVerdictSarif(vs, { policyPath: 'p.yaml', maxResults: 3 })
    ) as Log;
    expect(capped.runs[0]!.results).toHaveLength(3);
    expect(capped.runs[0]!.results.every((r) => r.level === 'error')).toBe(true);
    expect(capped.runs[0]!.invocations[0]!.toolExecutionNotifications?.[0]?.message.text).toMatch(
      new RegExp(`^${results.length - 3} more failed or warned check`)
    );
    expect(MAX_SARIF_RESULTS).toBe(25_000);
    expect(sarifSchemaErrors(capped)).toEqual([]);
  });

  it('writes paths as URI references', () => {
    expect(pathToUri('./a/b c#d?.yaml')).toEqual({
      uri: 'a/b%20c%23d%3F.yaml',
      uriBaseId: '%SRCROOT%',
    });
    expect(pathToUri('/abs/p.yaml')).toEqual({ uri: 'file:///abs/p.yaml' });
    expect(pathToUri('../up/p.yaml').uri).toBe('../up/p.yaml');
  });
});

describe('the GitHub rule checks catch what they are for', () => {
  const base = JSON.parse(renderVerdictSarif(verdicts(), { policyPath: 'p.yaml' })) as Record<
    string,
    unknown
  >;
  const mutate = (f: (log: Log & Record<string, unknown>) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(base)) as Log & Record<string, unknown>;
    f(copy);
    return githubSarifViolations(copy);
  };

  it.each([
    ['GH1001', (l: Log) => void (l.runs[0]!.results[0]!.locations = [])],
    ['GH1016', (l: Log) => void delete l.runs[0]!.results[0]!.locations[0]!.physicalLocation],
    [
      'GH1003',
      (l: Log) =>
        void (l.runs[0]!.results[0]!.locations[0]!.physicalLocation!.region.startLine = 0),
    ],
    [
      'GH1005',
      (l: Log) =>
        void (l.runs[0]!.results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri =
          'https://x/p.yaml'),
    ],
    [
      'GH1006',
      (l: Log) =>
        void (l.runs[0]!.results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri =
          'file:///tmp/p.yaml'),
    ],
    ['GH1007', (l: Log) => void (l.runs[0]!.results[0]!.message.text = '')],
    [
      'GH2012',
      (l: Log) => void delete (l.runs[0]!.tool.driver.rules[0] as Record<string, unknown>)['help'],
    ],
    [
      'GH1011',
      (l: Log & Record<string, unknown>) =>
        void (l['$schema'] = 'https://example.com/sarif-2.0.0.json'),
    ],
    [
      'docs: /runs/0/results/1',
      (l: Log) =>
        void (l.runs[0]!.results[1] = JSON.parse(
          JSON.stringify(l.runs[0]!.results[0])
        ) as Log['runs'][0]['results'][0]),
    ],
  ] as const)('%s', (rule, f) => {
    const v = mutate(f);
    expect(v.some((m) => m.startsWith(rule))).toBe(true);
  });

  it('results without any physical location are flagged', () => {
    const bare = JSON.parse(renderVerdictSarif(verdicts())) as unknown;
    expect(githubSarifViolations(bare).some((m) => m.startsWith('GH1016'))).toBe(true);
    expect(sarifSchemaErrors(bare)).toEqual([]);
  });
});
