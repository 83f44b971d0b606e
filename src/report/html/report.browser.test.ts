/**
 * The HTML report in a real browser: Debian's headless Chromium driven by playwright-core
 * (which never downloads a browser of its own). Asserts on the rendered DOM, the console, an
 * axe-core accessibility check, and measures a 10,000-function report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeEstate } from '../../estate/analyze.js';
import {
  estate,
  inventory,
  type FunctionSpec,
  type VersionSpec,
} from '../../estate/testing/estate.js';
import { computeChanges, failingKinds, parseFailOn } from '../../history/changes.js';
import { INVENTORIES as CHANGE_INVENTORIES, scans } from '../../history/testing/scans.js';
import type { ScanResult } from '../../scan/result.js';
import type { Verdict } from '../../verify/verdict.js';
import { escapeTerminal } from '../../util/escape.js';
import { EVIL, driftedEstate, imagedEstate } from '../testing/estates.js';
import { renderHtmlReport } from './report.js';

/** Where measurements go (gitignored). */
const BENCH_DIR = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const CHROMIUM = process.env['LAMINA_CHROMIUM'] ?? '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const E = 'us-east-1';

const VERDICTS: Verdict[] = [
  {
    subject: {
      kind: 'layer',
      name: 'base:1',
      arn: 'arn:aws:lambda:us-east-1:111111111111:layer:base:1',
    },
    mode: 'enforce',
    ok: false,
    checks: [
      { id: 'signer:ci', kind: 'signer', outcome: 'fail', detail: 'not signed', evidence: {} },
    ],
  },
  {
    subject: {
      kind: 'function',
      name: 'fresh',
      arn: 'arn:aws:lambda:us-east-1:111111111111:function:fresh:$LATEST',
    },
    mode: 'enforce',
    ok: true,
    checks: [{ id: 'function', kind: 'function', outcome: 'pass', detail: 'ok', evidence: {} }],
  },
];

/**
 * A bench-like estate: `n` functions over 200 layers of 10 versions (one package each), two
 * layers per function.
 */
function bigScan(n: number): ScanResult {
  const versions: VersionSpec[] = [];
  for (let l = 0; l < 200; l++)
    for (let v = 1; v <= 10; v++)
      versions.push({ region: E, name: `layer-${l}`, version: v, tag: `l${l}v${v}` });
  const functions: FunctionSpec[] = Array.from({ length: n }, (_, i) => {
    const a = i % 2000;
    const b = (i * 7 + 3) % 2000;
    return [
      E,
      `fn-${i}`,
      [
        // Every fifth function is up to date on both layers.
        [`layer-${Math.floor(a / 10)}`, i % 5 === 0 ? 10 : (a % 10) + 1],
        [`layer-${Math.floor(b / 10)}`, i % 5 === 0 ? 10 : (b % 10) + 1],
      ],
    ];
  });
  const result = estate(versions, functions);
  const inv = new Map(
    versions.map((v) => {
      const i = inventory(v.tag!, { [`pkg-${v.name}`]: `1.0.${v.version}` });
      return [`sha256:${i.artifact.sha256}`, i];
    })
  );
  const t0 = performance.now();
  Object.assign(result.drift, analyzeEstate(result, { inventoryOf: (d) => inv.get(d) }));
  analyzeMs = performance.now() - t0;
  return result;
}
let analyzeMs = 0;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-html-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
  requests: string[];
}

/** The table whose caption starts with `caption (`: a diff list, not the summary. */
const byCaption = (scope: Locator, caption: string) =>
  scope.locator('table', {
    has: scope.page().locator('caption', { hasText: new RegExp(`^${caption} \\(`) }),
  });

const activeText = (page: Page) =>
  page.evaluate('document.activeElement && document.activeElement.textContent');

async function open(html: string, name: string): Promise<Opened> {
  const file = join(dir, name);
  writeFileSync(file, html);
  // A fresh context per report: its own profile state, nothing shared between tests.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  return { context, page, errors, requests };
}

/** axe-core's WCAG 2.1 AA and best-practice rules on the page as it is now. */
async function axeRun(
  page: Page
): Promise<{ violations: { id: string; impact: string; nodes: number }[]; passes: number }> {
  // evaluate() is not subject to the page's CSP, unlike an injected script tag.
  return page.evaluate(
    `(async () => {
      ${AXE}
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
      });
      return {
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
        passes: r.passes.length,
      };
    })()`
  );
}

describe('HTML report in headless Chromium', () => {
  it('renders the matrix, panels and tables with no errors, no requests and no injected markup', async () => {
    const { a, b } = scans();
    const changes = computeChanges(a, b, {
      inventoryOf: (d) => CHANGE_INVENTORIES.get(d),
      isDenied: (p) => p.key === 'pkg:npm/event-stream',
    });
    const html = renderHtmlReport({
      scan: driftedEstate(),
      verdicts: VERDICTS,
      changes,
      failing: failingKinds(changes, parseFailOn('digest-changed')),
    });
    const { context, page, errors, requests } = await open(html, 'demo.html');
    try {
      // The script ran under the page's own CSP and loaded nothing.
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);

      const matrix = page.locator('#matrix');
      await expect.poll(() => matrix.locator('tbody tr').count()).toBe(6);
      // Columns: most-used layer first.
      expect(await matrix.locator('thead th.layer .lname').allTextContents()).toEqual([
        'base',
        'tools',
        'gone',
        'hotfix',
      ]);
      const row = (name: string) =>
        matrix.locator('tbody tr', {
          has: page.locator('.fname', { hasText: new RegExp(`^${name}$`) }),
        });
      expect(await row('api').locator('td.cell').first().textContent()).toBe(
        'v1 · 1 behind · FAIL'
      );
      expect(await row('api').locator('td.cell').first().getAttribute('class')).toBe('cell s-fail');
      expect(await row('fresh').locator('td.cell').first().textContent()).toBe('v2 · newest');
      expect(await row('broken').locator('td.cell.s-failed').textContent()).toBe('v1 · FAILED');
      // The hostile function name is text, not markup.
      expect(await matrix.locator('.fname', { hasText: escapeTerminal(EVIL) }).count()).toBe(1);
      // Function verdict column.
      expect(await row('fresh').locator('td.v-pass').textContent()).toBe('PASS');

      // Keyboard: focus the grid, move right to api's base cell, open it.
      await matrix.locator('[tabindex="0"]').focus();
      // Rows sort by name: the hostile one ("<img…") first, then api. Column 1 is the verdict.
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await activeText(page)).toBe('v1 · 1 behind · FAIL');
      await page.keyboard.press('Enter');
      const detail = page.locator('#detail');
      await expect.poll(() => detail.isVisible()).toBe(true);
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
        'detail-h'
      );
      expect(await page.locator('#detail-h').textContent()).toBe('api: base v1');
      const versionTable = byCaption(detail, 'Version changed');
      expect(await versionTable.locator('tbody tr th').allTextContents()).toEqual([
        'lodash',
        'uuid',
      ]);
      expect(await byCaption(detail, 'Removed').locator('tbody th').allTextContents()).toEqual([
        escapeTerminal(EVIL),
      ]);
      // Escape returns to the cell.
      await page.keyboard.press('Escape');
      expect(await detail.isVisible()).toBe(false);
      expect(await activeText(page)).toBe('v1 · 1 behind · FAIL');

      // worker: the hotfix layer hides lodash, so catching up changes only uuid there.
      await row('worker').locator('td.cell').first().click();
      expect(await detail.locator('h3').allTextContents()).toEqual([
        'What moving to v2 changes in the layer',
        'What it changes in this function (other layers hide part of it)',
      ]);
      const fnDiff = detail.locator('.diff').nth(1);
      expect(
        await fnDiff
          .locator('table', { has: page.locator('caption', { hasText: /^Version changed \(/ }) })
          .locator('tbody th')
          .allTextContents()
      ).toEqual(['uuid']);

      // A layer header opens its versions; a diff opens on demand.
      await matrix.locator('thead th.layer').first().click();
      expect(await page.locator('#detail-h').textContent()).toBe('Layer base (owner 111111111111)');
      await detail.getByRole('button', { name: 'Show diff to v2' }).first().click();
      expect(await detail.locator('#col-diff h3').textContent()).toBe('us-east-1 v1 → v2');

      // Filters.
      await page.locator('#m-filter').fill('eu-');
      await expect.poll(() => matrix.locator('tbody tr').count()).toBe(1);
      await page.locator('#m-filter').fill('');
      await page.locator('#m-problems').check();
      await expect.poll(() => matrix.locator('tbody tr').count()).toBe(3);
      expect(await matrix.locator('tbody .fname').allTextContents()).toEqual([
        'api',
        'broken',
        'worker',
      ]);

      // Changes panel, verdicts and failures.
      expect(await page.locator('#changes-h').textContent()).toBe('Changes since scan 1');
      expect(await page.locator('#changes-body h3').first().textContent()).toBe(
        'Republished under the same version number (other bytes) (1)'
      );
      expect(
        await page.locator('#verdicts-table tbody tr').first().locator('td').nth(1).textContent()
      ).toBe('FAIL');
      expect(await page.locator('#failures-table tbody th').allTextContents()).toEqual([
        'arn:aws:lambda:us-east-1:111111111111:layer:gone:1',
      ]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(dir, 'demo.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical axe-core violations', async () => {
    const { a, b } = scans();
    const changes = computeChanges(a, b, { inventoryOf: (d) => CHANGE_INVENTORIES.get(d) });
    const { context, page } = await open(
      renderHtmlReport({ scan: driftedEstate(), verdicts: VERDICTS, changes }),
      'axe.html'
    );
    try {
      // Open the detail panel so its content is checked too.
      await page.locator('#matrix td.cell').first().click();
      const { violations, passes } = await axeRun(page);
      // The check ran (rules passed: contrast, names, grid roles, landmarks…) and found nothing serious.
      expect(passes).toBeGreaterThan(20);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        []
      );
    } finally {
      await context.close();
    }
  });

  it('shows the images: per repository, findings and failed image functions, escaped', async () => {
    const { context, page, errors, requests } = await open(
      renderHtmlReport({ scan: imagedEstate() }),
      'images.html'
    );
    try {
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('nav a[href="#images-h"]').textContent()).toBe('Images');
      const section = page.locator('section[aria-labelledby="images-h"]');
      expect(await section.locator('p').first().textContent()).toBe(
        '3 image functions in 2 repositories.'
      );
      const repo = (name: string) =>
        section.locator('table', {
          has: page.locator('caption', { hasText: `dkr.ecr.us-east-1.amazonaws.com/${name} (` }),
        });
      // thumbs: the deployed digest behind the newest; a hostile tag is text.
      const thumbs = repo('thumbs').locator('tbody tr');
      expect(await thumbs.count()).toBe(2);
      expect(await thumbs.nth(0).locator('td').allTextContents()).toEqual([
        'sha256:aaaaaaaaaaaa',
        'untagged; push #1',
        '12 packages, amd64',
        'thumbs [111111111111 us-east-1]',
      ]);
      expect(await thumbs.nth(1).locator('td').nth(1).textContent()).toBe(
        `tags prod, ${escapeTerminal(EVIL)}; push #2, newest`
      );
      expect(await repo('broken').locator('tbody td .s-failed').textContent()).toBe(
        'FAILED LAYER_REFUSED'
      );
      const findings = byCaption(section, 'Image findings');
      expect(await findings.locator('tbody tr').count()).toBe(5);
      expect(
        await findings
          .locator('tbody tr', { has: page.locator('code', { hasText: 'tag-moved' }) })
          .locator('td')
          .nth(2)
          .textContent()
      ).toBe('thumbs [111111111111 us-east-1]');
      const failed = byCaption(section, 'Image functions whose image failed');
      expect(await failed.locator('tbody td').allTextContents()).toEqual([
        `bad${escapeTerminal(EVIL)} [111111111111 us-east-1]`,
        `111111111111.dkr.ecr.us-east-1.amazonaws.com/broken@sha256:${'c'.repeat(64)}`,
        'LAYER_REFUSED',
        `a layer entry escapes the root ${escapeTerminal(EVIL)}`,
      ]);
      // The summary counts them.
      expect(
        await page
          .locator('table.summary tr', {
            has: page.locator('th', { hasText: /^Image functions$/ }),
          })
          .locator('td')
          .textContent()
      ).toBe('3');
      const { violations } = await axeRun(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        []
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the functions whose environment loads code, escaped, and counts them', async () => {
    const scan = driftedEstate();
    const fn = (name: string) => scan.functions.find((f) => f.name === name)!;
    fn('worker').environment = {
      loaders: [
        { name: 'NODE_OPTIONS', value: `--require /opt/nodejs/hook.js ${EVIL}` },
        { name: 'PYTHONPATH', value: '/opt/extra' },
      ],
    };
    fn('api').environment = { unread: `AccessDeniedException: KMS ${EVIL}` };
    const { context, page, errors, requests } = await open(
      renderHtmlReport({ scan }),
      'environment.html'
    );
    try {
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('nav a[href="#environment-h"]').textContent()).toBe('Environments');
      const section = page.locator('section[aria-labelledby="environment-h"]');
      const table = byCaption(section, 'Functions whose environment makes the runtime load code');
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(0).locator('th, td').allTextContents()).toEqual([
        'api [111111111111]',
        E,
        `variables not returned: AccessDeniedException: KMS ${escapeTerminal(EVIL)}`,
      ]);
      expect(await rows.nth(1).locator('th, td').allTextContents()).toEqual([
        'worker [111111111111]',
        E,
        // As the text report spells a variable, then made printable like every string shown.
        escapeTerminal(
          `NODE_OPTIONS=${JSON.stringify(`--require /opt/nodejs/hook.js ${EVIL}`)} PYTHONPATH="/opt/extra"`
        ),
      ]);
      expect(
        await page
          .locator('table.summary tr', {
            has: page.locator('th', { hasText: 'Functions whose environment makes' }),
          })
          .locator('td')
          .textContent()
      ).toBe('2');
      const { violations } = await axeRun(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        []
      );
    } finally {
      await context.close();
    }
    // Without such functions there is no section and no summary row.
    const plain = renderHtmlReport({ scan: driftedEstate() });
    expect(plain).not.toContain('<h2 id="environment-h"');
    expect(plain).not.toContain('<th scope="row">Functions whose environment');
  });

  it('lists the functions whose Handler loads code outside their own, escaped, and counts them', async () => {
    const scan = driftedEstate();
    const fn = (name: string) => scan.functions.find((f) => f.name === name)!;
    fn('worker').handler = `/opt/share/doc/${EVIL}.handler`;
    fn('api').handler = 'src/app.handler';
    const { context, page, errors, requests } = await open(
      renderHtmlReport({ scan }),
      'handlers.html'
    );
    try {
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('nav a[href="#handlers-h"]').textContent()).toBe('Handlers');
      const section = page.locator('section[aria-labelledby="handlers-h"]');
      const table = byCaption(
        section,
        'Functions whose Handler makes the runtime load code outside their own'
      );
      const rows = table.locator('tbody tr');
      // api's src/app.handler is its own code: in scan.json only.
      expect(await rows.count()).toBe(1);
      const cells = await rows.nth(0).locator('th, td').allTextContents();
      expect(cells.slice(0, 3)).toEqual([
        'worker [111111111111]',
        E,
        escapeTerminal(JSON.stringify(`/opt/share/doc/${EVIL}.handler`)),
      ]);
      expect(cells[3]).toContain("outside the function's directory /var/task");
      expect(
        await page
          .locator('table.summary tr', {
            has: page.locator('th', { hasText: 'Functions whose Handler makes' }),
          })
          .locator('td')
          .textContent()
      ).toBe('1');
      const { violations } = await axeRun(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        []
      );
    } finally {
      await context.close();
    }
    // index.handler everywhere: no section and no summary row.
    const plain = renderHtmlReport({ scan: driftedEstate() });
    expect(plain).not.toContain('<h2 id="handlers-h"');
    expect(plain).not.toContain('<th scope="row">Functions whose Handler');
  });

  it("lists the image functions' own entry points and commands, escaped, and counts them", async () => {
    const scan = driftedEstate();
    const fn = scan.functions.find((f) => f.name === 'worker')!;
    const entryPoint = ['/lib64/ld-linux-x86-64.so.2', `/usr/share/misc/magic.mgc ${EVIL}`];
    fn.packageType = 'Image';
    fn.image = {
      uri: null,
      resolvedUri: null,
      digest: null,
      codeSha256: null,
      repository: null,
      config: { entryPoint, workingDirectory: '/srv' },
    };
    const { context, page, errors, requests } = await open(
      renderHtmlReport({ scan }),
      'image-config.html'
    );
    try {
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('nav a[href="#image-config-h"]').textContent()).toBe(
        'Image settings'
      );
      const section = page.locator('section[aria-labelledby="image-config-h"]');
      const rows = byCaption(
        section,
        'Image functions with their own entry point, command or working directory'
      ).locator('tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.nth(0).locator('th, td').allTextContents()).toEqual([
        'worker [111111111111]',
        E,
        escapeTerminal(`EntryPoint=${JSON.stringify(entryPoint)} WorkingDirectory="/srv"`),
      ]);
      expect(
        await page
          .locator('table.summary tr', {
            has: page.locator('th', { hasText: 'Image functions with their own entry point' }),
          })
          .locator('td')
          .textContent()
      ).toBe('1');
      const { violations } = await axeRun(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        []
      );
    } finally {
      await context.close();
    }
    expect(renderHtmlReport({ scan: driftedEstate() })).not.toContain('<h2 id="image-config-h"');
  });

  it('stays responsive with 10,000 functions (measured, not asserted)', async () => {
    const t = performance.now();
    const scan = bigScan(10_000);
    const buildMs = performance.now() - t;
    const t0 = performance.now();
    const html = renderHtmlReport({ scan });
    const renderMs = performance.now() - t0;
    const { context, page, errors } = await open(html, 'big.html');
    try {
      const matrix = page.locator('#matrix');
      await expect.poll(() => matrix.locator('tbody tr').count()).toBe(50);
      const timing = await page.evaluate<{ domContentLoaded: number; load: number }>(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return { domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
      })()`);
      // Interactions, timed inside the page (synchronous redraws, no driver round trips).
      const inPage = (action: string, done: string) =>
        page.evaluate<number>(`(() => {
          const t = performance.now();
          ${action};
          if (!(${done})) throw new Error('not done: ' + ${JSON.stringify(done)});
          return performance.now() - t;
        })()`);
      const filterMs = await inPage(
        "const f = document.getElementById('m-filter'); f.value = 'fn-99'; f.dispatchEvent(new Event('input'))",
        "document.getElementById('m-count').textContent === '111 functions (filtered)'"
      );
      const unfilterMs = await inPage(
        "const f = document.getElementById('m-filter'); f.value = ''; f.dispatchEvent(new Event('input'))",
        "document.getElementById('m-count').textContent === '10000 functions'"
      );
      const pageMs = await inPage(
        'document.querySelector(\'#m-pager button[aria-label="Next page of functions"]\').click()',
        "document.querySelector('#m-pager .page').textContent === 'Page 2 of 200'"
      );
      const cellMs = await inPage(
        "document.querySelector('#matrix td.cell[data-fn]').click()",
        "!document.getElementById('detail').hidden"
      );
      const colMs = await inPage(
        "[...document.querySelectorAll('#m-colpager button')].find((b) => b.textContent === 'Next layers').click()",
        "document.querySelector('#m-colpager .page').textContent === 'Layers 13–24 of 200'"
      );
      const problemsMs = await inPage(
        "const c = document.getElementById('m-problems'); c.checked = true; c.dispatchEvent(new Event('change'))",
        "document.getElementById('m-count').textContent === '8000 functions (filtered)'"
      );
      expect(errors).toEqual([]);
      const figures = {
        functions: 10_000,
        buildEstateMs: Math.round(buildMs - analyzeMs),
        analyzeEstateMs: Math.round(analyzeMs),
        htmlBytes: Buffer.byteLength(html),
        renderMs: Math.round(renderMs),
        domContentLoadedMs: Math.round(timing.domContentLoaded),
        loadMs: Math.round(timing.load),
        filterMs: Math.round(filterMs),
        clearFilterMs: Math.round(unfilterMs),
        onlyProblemsMs: Math.round(problemsMs),
        nextPageMs: Math.round(pageMs),
        nextLayersMs: Math.round(colMs),
        openCellMs: Math.round(cellMs),
      };
      // Recorded (BENCHMARKS.md quotes them), not asserted: wall-clock on a shared machine.
      mkdirSync(BENCH_DIR, { recursive: true });
      writeFileSync(join(BENCH_DIR, 'html-report.json'), JSON.stringify(figures, null, 2) + '\n');
      expect(figures.htmlBytes).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
