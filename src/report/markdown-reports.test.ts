import { describe, expect, it } from 'vitest';
import { analyzeEstate } from '../estate/analyze.js';
import {
  estate,
  fnArn,
  inventory,
  type FunctionSpec,
  type VersionSpec,
} from '../estate/testing/estate.js';
import { computeChanges, failingKinds, parseFailOn } from '../history/changes.js';
import { INVENTORIES as CHANGE_INVENTORIES, scans } from '../history/testing/scans.js';
import type { ScanResult } from '../scan/result.js';
import type { Verdict } from '../verify/verdict.js';
import { renderChangesJson, renderChangesMarkdown, renderChangesText } from './changes.js';
import { renderScanMarkdown } from './scan-markdown.js';
import { expectGolden } from './testing/golden.js';
import { expectWellFormedMarkdown } from './testing/markdown-check.js';
import { renderVerdictsMarkdown } from './verdict-markdown.js';

const E = 'us-east-1';
const W = 'eu-west-1';
const EVIL = 'evil|<img src=x onerror=alert(1)>\u001b[2J';

function driftedEstate(): ScanResult {
  const inventories = new Map(
    [
      inventory('base-1', { lodash: '4.17.20', [EVIL]: '1.0.0' }),
      inventory('base-2', { lodash: '4.17.21', [EVIL]: '1.0.1' }),
      inventory('base-1-eu', { lodash: '4.17.19' }),
      inventory('hotfix-1', { lodash: '4.17.21' }),
    ].map((i) => [`sha256:${i.artifact.sha256}`, i])
  );
  const versions: VersionSpec[] = [
    { region: E, name: 'base', version: 1, tag: 'base-1' },
    { region: E, name: 'base', version: 2, tag: 'base-2' },
    { region: W, name: 'base', version: 1, tag: 'base-1-eu' },
    { region: E, name: 'hotfix', version: 1, tag: 'hotfix-1' },
    { region: E, name: 'gone', version: 1, tag: null },
  ];
  const functions: FunctionSpec[] = [
    [E, 'api', [['base', 1]]],
    [
      E,
      'worker',
      [
        ['base', 1],
        ['hotfix', 1],
      ],
    ],
    [E, 'new', [['base', 2]]],
    [W, 'eu', [['base', 1]]],
    [E, 'broken', [['gone', 1]]],
  ];
  const result = estate(versions, functions);
  result.failures.push({
    scope: 'layer-version',
    subject: 'arn:aws:lambda:us-east-1:111111111111:layer:gone:1',
    code: 'NOT_FOUND',
    reason: `GetLayerVersion: ResourceNotFoundException | ${EVIL}`,
  });
  Object.assign(result.drift, analyzeEstate(result, { inventoryOf: (d) => inventories.get(d) }));
  return result;
}

describe('Markdown reports', () => {
  it('scan: summary table first, then drift, package differences and failures folded', () => {
    const md = renderScanMarkdown(driftedEstate());
    expectWellFormedMarkdown(md);
    expectGolden('scan.md', md);
    const lines = md.split('\n');
    // Title, scope line, then the summary table before anything folded.
    expect(lines.findIndex((l) => l.startsWith('| '))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('<details>'))
    );
    expect(md).toContain('<details><summary>Package differences: base in <code>us-east-1</code>');
    expect(md).not.toContain('<img');
  });

  it('scan: bounds every table', () => {
    const big = estate(
      [
        { region: E, name: 'l', version: 1, tag: 't' },
        { region: E, name: 'l', version: 2, tag: 't2' },
      ],
      Array.from({ length: 30 }, (_, i): FunctionSpec => [E, `f${i}`, [['l', 1]]])
    );
    big.failures = Array.from({ length: 30 }, (_, i) => ({
      scope: 'function' as const,
      subject: fnArn(E, `f${i}`),
      code: 'ACCESS_DENIED',
      reason: 'denied',
    }));
    const md = renderScanMarkdown(big, { maxRows: 10 });
    expectWellFormedMarkdown(md);
    expect(md).toContain('… and 20 more not shown');
  });

  it('verify: counts, failing subjects, then every check folded', () => {
    const check = (id: string, outcome: 'pass' | 'fail' | 'warn') => ({
      id,
      kind: 'digest' as const,
      outcome,
      detail: `${id} ${outcome} | detail`,
      evidence: {},
    });
    const verdicts: Verdict[] = [
      {
        subject: { kind: 'layer', name: 'base:1', arn: 'arn:aws:lambda:us-east-1:1:layer:base:1' },
        mode: 'enforce',
        ok: false,
        checks: [check('digest', 'fail'), check('signer:ci', 'pass')],
      },
      {
        subject: { kind: 'layer', name: 'base:2' },
        mode: 'warn',
        ok: true,
        checks: [check('packages', 'warn')],
      },
      {
        subject: {
          kind: 'function',
          name: 'api',
          arn: 'arn:aws:lambda:us-east-1:1:function:api:3',
        },
        mode: 'enforce',
        ok: true,
        checks: [check('function', 'pass')],
      },
    ];
    const md = renderVerdictsMarkdown(verdicts);
    expectWellFormedMarkdown(md);
    expectGolden('verify.md', md);
    expect(md.split('\n')[0]).toBe('## lamina verify: 1 failed');
  });

  it('changes: text, JSON and Markdown', () => {
    const { a, b } = scans();
    const c = computeChanges(a, b, {
      inventoryOf: (d) => CHANGE_INVENTORIES.get(d),
      isDenied: (p) => p.key === 'pkg:npm/event-stream',
    });
    const failing = failingKinds(c, parseFailOn('digest-changed,package-denied'));
    expectGolden('changes.txt', renderChangesText(c, failing));
    const md = renderChangesMarkdown(c, failing);
    expectGolden('changes.md', md);
    expectWellFormedMarkdown(md);
    const json = JSON.parse(renderChangesJson(c, failing));
    expect(json.failing).toEqual(['digest-changed', 'package-denied']);
    expect(json.summary).toEqual(c.summary);
  });
});
