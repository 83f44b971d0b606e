import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip, type ZipEntry } from '../../../scripts/lib/zipwriter.mjs';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';

// What the cap saves in peak RSS is measured by benchmarks (BENCHMARKS.md); here, that the
// commands reading one layer keep V8's young generation under the size the same work grows it
// to without them.

/** Preload: the largest the young generation got, as the last line of stderr. */
const PRELOAD = `
import { writeSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
let max = 0;
const see = () => {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (young) max = Math.max(max, young.space_size);
};
new PerformanceObserver(see).observe({ entryTypes: ['gc'] });
process.on('exit', () => {
  see();
  writeSync(2, '\\nlamina-test-young-mib ' + max / 1048576 + '\\n');
});
`;

const INVENTORY = pathToFileURL(join(REPO_ROOT, 'dist/src/pipeline/inventory.js')).href;
const OPTIONS = pathToFileURL(join(REPO_ROOT, 'dist/src/pipeline/options.js')).href;
/** The inventory `lamina sbom` makes, without the command around it. */
const UNCAPPED = `
const { inventoryPath } = await import(${JSON.stringify(INVENTORY)});
const { resolveLimits } = await import(${JSON.stringify(OPTIONS)});
const inventory = await inventoryPath(process.argv[1], resolveLimits(undefined));
if (inventory.packages.length !== 1) throw new Error('expected one package');
`;

let dir: string;
let zip: string;
let preload: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-sbom-heap-'));
  zip = join(dir, 'many.zip');
  preload = join(dir, 'young.mjs');
  writeFileSync(preload, PRELOAD);
  // Many small entries: the reader's per-entry objects are made and dropped in quick succession.
  // Stored, not deflated: deflating 60,000 entries one by one would take the writer seconds.
  const entries: ZipEntry[] = [
    {
      name: 'nodejs/node_modules/left-pad/package.json',
      data: '{"name":"left-pad","version":"1.3.0"}',
    },
  ];
  for (let i = 0; i < 60_000; i++)
    entries.push({
      name: `nodejs/data/d${Math.floor(i / 1000)}/f${i}.txt`,
      data: `entry ${i}\n`,
      method: 'store',
    });
  writeFileSync(zip, writeZip(entries));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function youngMiB(args: string[], status = 0): number {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(status);
  const line = r.stderr.trim().split('\n').at(-1) ?? '';
  expect(line).toMatch(/^lamina-test-young-mib /);
  return Number(line.slice('lamina-test-young-mib '.length));
}

describe('the young generation of commands that read one layer (src/cli/heap.ts)', () => {
  it('lamina sbom keeps it at most half of what the same inventory grows it to', () => {
    const own = youngMiB(['--input-type=module', '-e', UNCAPPED, zip]);
    const sbom = youngMiB([BUILT_CLI, 'sbom', zip, '-o', join(dir, 'sbom.json'), '-q']);
    // V8's own maximum is 32 MiB (Node 20) or more (Node 24 on a large machine); the cap is 4,
    // which V8 can pass between two checks.
    expect(own).toBeGreaterThanOrEqual(32);
    expect(sbom).toBeLessThanOrEqual(own / 2);
  }, 60_000);

  // No rule of the policy names the layer, so the verdict is a failure (exit 1), but the layer is
  // read and inventoried as for a pass.
  const POLICY = join(REPO_ROOT, 'policies', 'production.yaml');
  it.each(['verify', 'gate'])(
    'lamina %s keeps it there too',
    (command) => {
      const got = youngMiB(
        [BUILT_CLI, command, zip, '--policy', POLICY, '--layer-name', 'unlisted', '-q'],
        1
      );
      expect(got).toBeLessThanOrEqual(16);
    },
    60_000
  );

  it('lamina diff of two layers keeps it there too', () => {
    const got = youngMiB([BUILT_CLI, 'diff', zip, zip]);
    expect(got).toBeLessThanOrEqual(16);
  }, 60_000);
});
