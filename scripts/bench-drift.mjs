#!/usr/bin/env node
// The package drift of a large estate with large layers (issue 14): `analyzeEstate` over the
// scan benchmark's estate shape (FUNCTIONS functions, one layer version per five functions,
// two layers each) where every layer version holds PACKAGES npm packages, its inventory read
// back from JSON text through the bounded reader `lamina scan` uses. The scan benchmark's
// layers hold one package each, so its package drift never reads an SBOM twice for its size.
// Each run is a child process (scripts/bench/drift-run.mjs); with --baseline DIST the same
// runs from another build alternate with this one's, and the two must give the same output.
// Reported: medians of the analysis's CPU and wall time, and how many times inventories were
// read against how many there are.
//
// usage: node scripts/bench-drift.mjs [--functions N] [--packages N] [--runs N] [--baseline DIST]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './bench/exec.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const RUN = join(ROOT, 'scripts', 'bench', 'drift-run.mjs');
const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '10000' },
    packages: { type: 'string', default: '150' },
    runs: { type: 'string', default: '3' },
    baseline: { type: 'string' },
  },
});
const positive = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench-drift: --${name} wants a positive integer, got ${values[name]}`);
    process.exit(2);
  }
  return n;
};
const [functions, packages, runs] = [positive('functions'), positive('packages'), positive('runs')];
const builds = [['this build', DIST], ...(values.baseline ? [['baseline', values.baseline]] : [])];

/** @type {Map<string, object[]>} */
const got = new Map(builds.map(([name]) => [name, []]));
for (let r = 0; r < runs; r++)
  for (const [name, dist] of builds) {
    const child = spawnSync(process.execPath, [RUN, dist, String(functions), String(packages)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) {
      console.error(`bench-drift: the ${name} run failed:\n${child.stderr}`);
      process.exit(3);
    }
    got.get(name).push(JSON.parse(child.stdout));
  }

const summary = [...got].map(([name, rs]) => ({
  build: name,
  cpuS: median(rs.map((x) => x.cpuMs)) / 1000,
  cpuSRuns: rs.map((x) => x.cpuMs / 1000),
  wallS: median(rs.map((x) => x.wallMs)) / 1000,
  inventoryReads: median(rs.map((x) => x.reads)),
  inventories: rs[0].digests,
  output: rs[0].output,
}));
console.log(JSON.stringify({ functions, packages, runs, summary }, null, 2));
const outputs = new Set([...got.values()].flat().map((x) => x.output));
if (outputs.size !== 1) {
  console.error('bench-drift: the runs gave different package drifts');
  process.exit(1);
}
