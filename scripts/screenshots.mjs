#!/usr/bin/env node
// Screenshots of the HTML report for the README (docs/img/report-*.png): runs the demo (two
// scans of the demo estate with a change between them, scripts/demo.mjs), opens the report of
// the second scan with its verdicts and the changes (what `lamina changes --html` wrote from the
// history) in headless Chromium through
// playwright-core, and captures the drift matrix, one cell's package diff, and the changes panel.
//
// usage: node scripts/screenshots.mjs      (needs Debian's chromium, or LAMINA_CHROMIUM=PATH)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMG = join(ROOT, 'docs', 'img');
const CHROMIUM = process.env.LAMINA_CHROMIUM ?? '/usr/bin/chromium';

const out = mkdtempSync(join(tmpdir(), 'lamina-screenshots-'));
try {
  const demo = spawnSync(process.execPath, [join(ROOT, 'scripts/demo.mjs'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (demo.status !== 0) {
    process.stderr.write(demo.stdout + demo.stderr);
    throw new Error(`the demo exited ${demo.status}`);
  }
  mkdirSync(IMG, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(out, 'changes.html')).href);
    await page.locator('#matrix td.cell').first().waitFor();

    // 1. The drift matrix: functions × layers, each cell the version used, its lag and state.
    const matrix = page.locator('section[aria-labelledby="matrix-h"]');
    await matrix.scrollIntoViewIfNeeded();
    await matrix.screenshot({ path: join(IMG, 'report-matrix.png') });

    // 2. payments-api runs node-common v1: what catching up to the newest would change.
    await page
      .locator('#matrix tbody tr', {
        has: page.locator('.fname', { hasText: /^payments-api$/ }),
      })
      .locator('td.cell')
      .first()
      .click();
    const detail = page.locator('#detail');
    await detail.waitFor({ state: 'visible' });
    await detail.screenshot({ path: join(IMG, 'report-diff.png') });
    await page.keyboard.press('Escape');

    // 3. What changed since the previous scan.
    const changes = page.locator('section[aria-labelledby="changes-h"]');
    await changes.scrollIntoViewIfNeeded();
    await changes.screenshot({ path: join(IMG, 'report-changes.png') });
    if (errors.length > 0) throw new Error(`the report logged errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
  console.log(
    `screenshots: ${['matrix', 'diff', 'changes'].map((n) => `docs/img/report-${n}.png`).join(', ')}`
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
