#!/usr/bin/env node
// Start-up and zip-open benchmark (issue 14), as ratios against a peer run side by side:
//   - `lamina sbom` of a one-file layer, and `lamina sbom --help`, against Node's own start-up
//     (`node -e 0`);
//   - opening a 150,000-entry zip with lamina's reader alone (scripts/bench/zip-open.mjs: end
//     records, central directory, every check, every entry inflated and CRC-checked, the path
//     index), and the whole `lamina sbom` of it, against `unzip -t` of the same zip;
//   - the zip open again where every entry carries Info-ZIP's two Unix extra fields in both
//     headers, as layers built with `zip -r` do.
// Each lamina command runs right after its peer, --runs times (default 5), so both meet the
// same load; the medians of wall time, CPU time (user + system) and peak RSS (GNU time's %M)
// are reported. With --baseline DIST the same lamina rows run from another build too (the
// figures before a change), interleaved with the others.
// Needs `npm run build`, GNU time (/usr/bin/time), unzip, python3.
//
// usage: node scripts/bench-startup.mjs [--runs N] [--entries N] [--baseline DIST]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureGroups } from './bench/side-by-side.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench', 'startup');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const ZIP_OPEN = join(ROOT, 'scripts', 'bench', 'zip-open.mjs');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    entries: { type: 'string', default: '150000' },
    baseline: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const ENTRIES = Number(values.entries);

// Zips written by Python's zipfile (an independent writer): one npm package.json, and ENTRIES
// small files spread over directories with one package.json among them; the same again with
// the two extra fields Info-ZIP's zip writes on Unix in both headers of every entry (extended
// timestamp, Unix UID/GID): most layers are built with Info-ZIP, and their extra fields are
// parsed and checked three times per entry.
const MAKE_ZIPS = `
import struct, sys, zipfile
small, big, extra, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pkg = '{"name":"left-pad","version":"1.3.0","license":"MIT"}'
with zipfile.ZipFile(small, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('nodejs/node_modules/left-pad/package.json', pkg)
ut = struct.pack('<HHBI', 0x5455, 5, 1, 1764720000)
ux = struct.pack('<HHBBIBI', 0x7875, 11, 1, 4, 0, 4, 0)
for path, fields in ((big, b''), (extra, ut + ux)):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        def add(name, data):
            info = zipfile.ZipInfo(name, (2026, 12, 3, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.extra = fields
            z.writestr(info, data)
        add('nodejs/node_modules/left-pad/package.json', pkg)
        for i in range(n - 1):
            add(f'nodejs/data/d{i // 1000}/f{i}.txt', f'entry {i}\\n')
`;

rmSync(BENCH, { recursive: true, force: true });
mkdirSync(BENCH, { recursive: true });
const small = join(BENCH, 'one-file.zip');
const big = join(BENCH, `entries-${ENTRIES}.zip`);
const extra = join(BENCH, `entries-${ENTRIES}-extra-fields.zip`);
writeFileSync(join(BENCH, 'make.py'), MAKE_ZIPS);
const made = spawnSync('python3', [join(BENCH, 'make.py'), small, big, extra, String(ENTRIES)], {
  stdio: 'inherit',
});
if (made.status !== 0) throw new Error('python3 could not write the zips');

const out = join(BENCH, 'sbom.json');
const builds = [['', DIST]];
if (values.baseline) builds.push([' (baseline)', values.baseline]);
const node = process.execPath;
const cli = (dist) => join(dist, 'src/cli/main.js');
const results = measureGroups(RUNS, [
  {
    peer: ['node -e 0', [node, '-e', '0']],
    rows: builds.flatMap(([tag, dist]) => [
      [`lamina sbom one-file.zip${tag}`, [node, cli(dist), 'sbom', small, '-o', out]],
      [`lamina sbom --help${tag}`, [node, cli(dist), 'sbom', '--help']],
    ]),
  },
  {
    peer: [`unzip -tqq (${ENTRIES} entries)`, ['unzip', '-tqq', big]],
    rows: builds.flatMap(([tag, dist]) => [
      [`lamina zip open (${ENTRIES} entries)${tag}`, [node, ZIP_OPEN, dist, big]],
      [`lamina sbom (${ENTRIES} entries)${tag}`, [node, cli(dist), 'sbom', big, '-o', out]],
    ]),
  },
  {
    peer: [`unzip -tqq (${ENTRIES} entries, extra fields)`, ['unzip', '-tqq', extra]],
    rows: builds.flatMap(([tag, dist]) => [
      [`lamina zip open (${ENTRIES} entries, extra fields)${tag}`, [node, ZIP_OPEN, dist, extra]],
    ]),
  },
]);
console.log(JSON.stringify({ runs: RUNS, entries: ENTRIES, results }, null, 2));
