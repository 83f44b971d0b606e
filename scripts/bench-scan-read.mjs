#!/usr/bin/env node
// Reading large scan results back (issue 14): `lamina diff` of two scans and `lamina merge` of a
// shard, against Node reading one of the same scan.json files whole (`JSON.parse` of its text),
// run side by side (scripts/bench/side-by-side.mjs: medians of wall time, CPU and peak RSS).
//
// From one scan's output directory (by default the 100,000-function one `npm run bench:scan`
// leaves in .bench/scan/f100000/out), this writes next to it:
//   - a later scan of the same estate: every tenth function moved to another version of its
//     first layer, and 200 layer versions republished with another version's content (so the
//     changes diff 200 pairs of SBOMs);
//   - the same scan as the one shard of `lamina scan --shard 1/1`, whose merge must be
//     byte-identical to the scan.
// Both share the scan's sboms/ (a symbolic link). With --baseline DIST the lamina rows run from
// another build too, interleaved, and each build's diff output must be the same.
// Needs `npm run build`, GNU time (/usr/bin/time), and the scan (npm run bench:scan, or
// node scripts/bench-scan.mjs --functions 100000 --skip-warm --dir DIR, then --scan DIR/out).
//
// usage: node scripts/bench-scan-read.mjs [--scan DIR] [--runs N] [--baseline DIST]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureGroups } from './bench/side-by-side.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const { values } = parseArgs({
  options: {
    scan: { type: 'string', default: join(ROOT, '.bench', 'scan', 'f100000', 'out') },
    runs: { type: 'string', default: '3' },
    baseline: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const A = resolve(values.scan);
if (!existsSync(join(A, 'scan.json')))
  throw new Error(`no scan.json in ${A}: run npm run bench:scan first, or give --scan DIR`);
const WORK = join(dirname(A), 'read');

// Written by a child with room to spare: the figures below are of other processes.
const DERIVE = `
const fs = require('fs');
const [a, later, shard] = process.argv.slice(1);
const o = JSON.parse(fs.readFileSync(a + '/scan.json', 'utf8'));
const r = { schemaVersion: o.schemaVersion, tool: o.tool, scope: o.scope,
  shard: { index: 1, count: 1, accounts: o.scope.accounts, regions: o.scope.regions } };
for (const k of Object.keys(o)) if (!(k in r)) r[k] = o[k];
fs.writeFileSync(shard + '/scan.json', JSON.stringify(r, null, 2));
const byArn = new Map();
for (const l of o.layers) for (const v of l.versions) byArn.set(v.arn, v);
o.functions.forEach((f, i) => {
  const l = f.layers[0];
  if (i % 10 !== 0 || !l) return;
  const arn = l.arn.replace(/:(\\d+)$/, (_, n) => ':' + (Number(n) > 1 ? Number(n) - 1 : 2));
  const v = byArn.get(arn);
  if (v) f.layers[0] = { ...l, arn, version: v.version, digest: v.digest };
});
for (const l of o.layers.slice(0, 200)) {
  const [x, y] = l.versions;
  if (x && y) Object.assign(x, { digest: y.digest, sbom: y.sbom });
}
fs.writeFileSync(later + '/scan.json', JSON.stringify(o, null, 2));
`;

rmSync(WORK, { recursive: true, force: true });
const later = join(WORK, 'later');
const shard = join(WORK, 'shard');
for (const d of [later, shard]) {
  mkdirSync(d, { recursive: true });
  symlinkSync(join(A, 'sboms'), join(d, 'sboms'));
}
const derived = spawnSync(
  process.execPath,
  ['--max-old-space-size=8192', '-e', DERIVE, A, later, shard],
  { stdio: 'inherit' }
);
if (derived.status !== 0) throw new Error('could not write the later scan and the shard');

const node = process.execPath;
const builds = [['', DIST]];
if (values.baseline) builds.push([' (baseline)', resolve(values.baseline)]);
const cli = (dist) => join(dist, 'src/cli/main.js');
const diffOut = (tag) => join(WORK, `diff${tag ? '-baseline' : ''}.json`);
const mergeOut = (tag) => join(WORK, `merged${tag ? '-baseline' : ''}`);
const results = measureGroups(RUNS, [
  {
    peer: [
      'node: JSON.parse of one scan.json',
      [
        node,
        '-e',
        `JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))`,
        join(A, 'scan.json'),
      ],
    ],
    rows: builds.flatMap(([tag, dist]) => [
      [
        `lamina diff of two scans${tag}`,
        [
          node,
          cli(dist),
          'diff',
          join(A, 'scan.json'),
          join(later, 'scan.json'),
          '--format',
          'json',
          '-o',
          diffOut(tag),
        ],
      ],
      [
        `lamina merge of one shard${tag}`,
        [node, cli(dist), 'merge', '--out', mergeOut(tag), shard],
      ],
    ]),
  },
]);

// What was measured did what it should.
const problems = [];
const merged = readFileSync(join(mergeOut(''), 'scan.json'));
if (!merged.equals(readFileSync(join(A, 'scan.json'))))
  problems.push('the merged shard is not byte-identical to the scan');
const changes = JSON.parse(readFileSync(diffOut(''), 'utf8'));
if (changes.summary['digest-changed'] !== 200 || changes.summary['function-moved'] === 0)
  problems.push(`unexpected changes: ${JSON.stringify(changes.summary)}`);
if (values.baseline && !readFileSync(diffOut('')).equals(readFileSync(diffOut(' (baseline)'))))
  problems.push('the diff differs from the baseline build');
console.log(JSON.stringify({ runs: RUNS, scan: A, results, problems }, null, 2));
if (problems.length) process.exitCode = 1;
