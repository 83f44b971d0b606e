import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const HEAP = pathToFileURL(`${REPO_ROOT}dist/src/cli/heap.js`).href;
const UTIL_HEAP = pathToFileURL(`${REPO_ROOT}dist/src/util/heap.js`).href;

// A live set, then garbage that survives young collections (as objects in flight across awaits
// do in a scan): full collections come when the old generation reaches its growing limit.
const WORKLOAD = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
if (process.argv[1] === 'bound') (await import(${JSON.stringify(HEAP)})).boundHeapGrowth();
let majors = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });
const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'live-' + i }));
const ring = new Array(100_000);
for (let round = 0; round < 100; round++) {
  for (let i = 0; i < 100_000; i++) ring[i] = { round, i, s: 'x' + i + ':' + round };
  await new Promise((r) => setImmediate(r));
}
await new Promise((r) => setTimeout(r, 50));
process.stdout.write(JSON.stringify({ majors, live: live.length }));
`;

function run(mode: 'bound' | 'default'): { majors: number; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', WORKLOAD, mode], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return { ...(JSON.parse(r.stdout) as { majors: number }), stderr: r.stderr };
}

describe('lamina scan heap growth (src/cli/heap.ts)', () => {
  it('is a flag this Node recognizes, and V8 collects sooner with it', () => {
    const bound = run('bound');
    const standard = run('default');
    // An unknown V8 flag is reported on stderr, not thrown.
    expect(bound.stderr).toBe('');
    // The default lets the old generation grow up to 4 × its live size, the bound 1.5 ×.
    expect(bound.majors).toBeGreaterThan(standard.majors * 1.5);
  }, 60_000);
});

// Short-lived objects that survive a scavenge or two, the event loop turning between batches
// (as a scan's downloads and inventories do): V8 grows the young generation to its maximum.
const YOUNG = `
import { getHeapSpaceStatistics } from 'node:v8';
const cap = Number(process.argv[1]);
if (cap > 0) (await import(${JSON.stringify(UTIL_HEAP)})).capYoungGeneration(cap);
const ring = new Array(300_000);
let max = 0;
for (let r = 0; r < 600; r++) {
  for (let k = 0; k < 20_000; k++) {
    const i = (r * 20_000 + k) % ring.length;
    ring[i] = { r, i, s: 'x' + i };
  }
  await new Promise((res) => setImmediate(res));
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  max = Math.max(max, young.space_size);
}
process.stdout.write(JSON.stringify({ maxMiB: max / 1048576 }));
`;

function youngMax(capMiB: number): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', YOUNG, String(capMiB)], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { maxMiB: number }).maxMiB;
}

describe('capYoungGeneration (src/util/heap.ts)', () => {
  it('keeps the young generation well under the size V8 would grow it to', () => {
    const own = youngMax(0);
    const capped = youngMax(4);
    // V8's own maximum is 32 MiB (Node 20) or more (Node 24 on a large machine).
    expect(own).toBeGreaterThanOrEqual(32);
    // The cap is kept by the growth factor, checked after collections: V8 can pass it between
    // two checks (Node 24, on a loaded machine, reached 35 MiB for a cap of 8), never reach
    // its own maximum.
    expect(capped).toBeLessThanOrEqual(own / 2);
  }, 60_000);
});
