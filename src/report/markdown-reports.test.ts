import { describe, expect, it } from 'vitest';
import { estate, fnArn, type FunctionSpec } from '../estate/testing/estate.js';
import { computeChanges, failingKinds, parseFailOn } from '../history/changes.js';
import { INVENTORIES as CHANGE_INVENTORIES, scans } from '../history/testing/scans.js';
import type { Verdict } from '../verify/verdict.js';
import { renderChangesJson, renderChangesMarkdown, renderChangesText } from './changes.js';
import { renderPackageDriftText } from './package-drift-text.js';
import { renderScanMarkdown } from './scan-markdown.js';
import { renderScanImagesText } from './scan-images-text.js';
import { driftedEstate, EVIL, imagedEstate } from './testing/estates.js';
import { expectGolden } from './testing/golden.js';
import { expectWellFormedMarkdown } from './testing/markdown-check.js';
import { renderVerdictsMarkdown } from './verdict-markdown.js';

const E = 'us-east-1';

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

  it('scan: an images section per repository, with image findings and failed image functions', () => {
    const result = imagedEstate();
    const md = renderScanMarkdown(result);
    expectWellFormedMarkdown(md);
    expectGolden('scan-images.md', md);
    expect(md).toContain('| Image functions | 3 |');
    expect(md).toContain('| Image functions whose image failed | 1 |');
    expect(md).toContain('<details><summary>Images: 3 image functions in 2 repositories</summary>');
    // The moved tag is a finding of thumbs; the broken image's function is listed with its reason.
    const images = md.slice(md.indexOf('<summary>Images:'));
    expect(images).toContain(
      '| warning | <code>tag-moved</code> | thumbs &#91;111111111111 us-east-1&#93; |'
    );
    expect(images).toMatch(/<code>LAYER&#95;REFUSED<\/code> \| a layer entry escapes the root/);
    // Untrusted text (a tag, a function name, a reason) cannot open markup or break a table.
    expect(md).not.toContain('<img');
    expect(md).not.toContain(EVIL);
    expect(md).not.toContain('\u001b');
    // The same facts as the text report, which shapes them the same way.
    const text = renderScanImagesText(result).join('\n');
    expect(text).toContain('Image findings (5):');
    expect(images).toContain('**Image findings (5)**');
    // Without image functions there is no images section.
    expect(renderScanMarkdown(driftedEstate())).not.toContain('Images:');
  });

  it('scan text: package drift, concisely', () => {
    const text = renderPackageDriftText(driftedEstate().drift);
    expectGolden('package-drift.txt', text);
    expect(text).not.toContain('\u001b');
    expect(renderPackageDriftText(estate([], []).drift)).toBe('');
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
    expect(md).not.toContain('Images');
    // With a function's image among them: an Images column, and the image named by its function.
    const image: Verdict = {
      subject: {
        kind: 'image',
        name: 'r.example/app:prod',
        arn: 'arn:aws:lambda:us-east-1:1:function:api:3',
      },
      mode: 'enforce',
      ok: false,
      checks: [check('fetch', 'fail')],
    };
    const mixed = renderVerdictsMarkdown([...verdicts, image]);
    expectWellFormedMarkdown(mixed);
    expect(mixed).toMatch(/\|\s*\| Images \| Layers \| Functions \|/);
    expect(mixed).toMatch(/\| Failed +\| +1 \| +1 \| +0 \|/);
    expect(mixed).toContain('r.example/app:prod (function api:3)');
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
