#!/usr/bin/env node
// Start-up and zip-open benchmark (issue 14), as ratios against a peer run side by side:
//   - `lamina sbom` of a one-file layer against Node's own start-up (`node -e 0`);
//   - `lamina sbom` of a 150,000-entry layer against `unzip -t` of the same zip (time, peak RSS).
// Each command runs --runs times (default 5); the median wall time and the median peak RSS
// (GNU time's %M) are reported. Needs `npm run build`, GNU time (/usr/bin/time), unzip, python3.
//
// usage: node scripts/bench-startup.mjs [--runs N] [--entries N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench', 'startup');
const CLI = join(process.env.LAMINA_DIST ?? join(ROOT, 'dist'), 'src/cli/main.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    entries: { type: 'string', default: '150000' },
  },
});
const RUNS = Number(values.runs);
const ENTRIES = Number(values.entries);

// Zips written by Python's zipfile (an independent writer): one npm package.json, and ENTRIES
// small files spread over directories with one package.json among them.
const MAKE_ZIPS = `
import sys, zipfile
small, big, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
pkg = '{"name":"left-pad","version":"1.3.0","license":"MIT"}'
with zipfile.ZipFile(small, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('nodejs/node_modules/left-pad/package.json', pkg)
with zipfile.ZipFile(big, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('nodejs/node_modules/left-pad/package.json', pkg)
    for i in range(n - 1):
        z.writestr(f'nodejs/data/d{i // 1000}/f{i}.txt', f'entry {i}\\n')
`;

function measure(label, argv) {
  const walls = [];
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
    const [wall, maxKiB] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    walls.push(wall);
    rss.push(maxKiB);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { label, wallS: median(walls), maxRssMiB: Math.round(median(rss) / 102.4) / 10 };
}

rmSync(BENCH, { recursive: true, force: true });
mkdirSync(BENCH, { recursive: true });
const small = join(BENCH, 'one-file.zip');
const big = join(BENCH, `entries-${ENTRIES}.zip`);
writeFileSync(join(BENCH, 'make.py'), MAKE_ZIPS);
const made = spawnSync('python3', [join(BENCH, 'make.py'), small, big, String(ENTRIES)], {
  stdio: 'inherit',
});
if (made.status !== 0) throw new Error('python3 could not write the zips');

const out = join(BENCH, 'sbom.json');
const node = measure('node -e 0', [process.execPath, '-e', '0']);
const sbomSmall = measure('lamina sbom one-file.zip', [
  process.execPath,
  CLI,
  'sbom',
  small,
  '-o',
  out,
]);
const unzip = measure(`unzip -t (${ENTRIES} entries)`, ['unzip', '-tqq', big]);
const sbomBig = measure(`lamina sbom (${ENTRIES} entries)`, [
  process.execPath,
  CLI,
  'sbom',
  big,
  '-o',
  out,
]);
const ratio = (a, b) => Math.round((a / b) * 100) / 100;
console.log(
  JSON.stringify(
    {
      runs: RUNS,
      results: [node, sbomSmall, unzip, sbomBig],
      ratios: {
        startupWall: ratio(sbomSmall.wallS, node.wallS),
        startupRss: ratio(sbomSmall.maxRssMiB, node.maxRssMiB),
        bigZipWall: ratio(sbomBig.wallS, unzip.wallS),
        bigZipRss: ratio(sbomBig.maxRssMiB, unzip.maxRssMiB),
      },
    },
    null,
    2
  )
);
