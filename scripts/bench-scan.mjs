#!/usr/bin/env node
// Scan benchmark (issue 3): a generated estate of 10,000 functions sharing
// 2,000 tiny layer versions, served by the local AWS endpoint, scanned by
// lamina's real fetcher in a child process. Prints wall time, peak RSS of the
// scan (and its CPU time), API requests made, content requests, bytes downloaded, and checks
// that each distinct layer version was downloaded exactly once.
// A second, warm run (same cache) must download nothing, and with layer version records and
// SBOMs reused it makes list calls plus descriptions of unlisted versions only. Reports API calls
// against the floor the scan counts itself (issue 14) and the warm run's calls and CPU against the
// cold run's.
//
// usage: node scripts/bench-scan.mjs [--functions N] [--layer-versions N] [--concurrency N]
//        [--faults SPEC]    (the local endpoint's fault spec, e.g. throttle=0.05)
//        [--rate N]         (a quota-like rate: Lambda requests per second per account and
//                            Region, above which the endpoint throttles; the fault spec's rate=N)
//        [--skip-warm]      (cold run only)
//        [--history]        (record each run in a history database in DIR, as
//                            `lamina scan --history` does: the warm run is the second scan
//                            recorded, with its changes since the first; its cost is in the
//                            run's peak RSS and CPU, and reported as historyMs)
//        [--cpu-prof DIR]   (write V8 CPU profiles of the scan children into DIR)
//        [--gc-trace DIR]   (write each scan child's memory record into DIR as
//                            <cold|warm>-f<F>.json: RSS every 20 ms, and at each full collection
//                            the heap and each V8 space's size and use, and the peak RSS
//                            as each phase of the scan began; scripts/bench/gc-trace.mjs)
//        [--heap-growing-percent N]  (V8's heap growing factor for the scan, as `lamina scan`
//                            sets it: default src/cli/heap.ts's; 0 keeps V8's own)
//        [--dir DIR]        (where the estate, cache and output go; default .bench/scan)
//        [--sizes F1,F2,..] (one estate per size, each with F/5 layer versions unless
//                            --layer-versions is given, in DIR/f<F>; ends with a summary of peak
//                            RSS, API calls and warm cost per size and the peak RSS ratio of each
//                            size to the one before, e.g. --sizes 1000,10000,100000)
//        [--rounds N]       (with --sizes: every size N times, round after round, so a
//                            machine's drift falls on all sizes alike; the summary then gives
//                            each size's median peak RSS and CPU with every run's peak, and each
//                            ratio of medians with the lowest and highest ratio of one round)
// The scan child runs with MALLOC_ARENA_MAX=2 and the young generation's maximum where
// `lamina scan` would start itself again with them (Node with process.execve on Linux, the
// variable not set: src/cli/arenas.ts).
// Needs `npm run build` and `npm run build:aws-local` (npm run bench:scan does both).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DEFAULT = join(ROOT, '.bench', 'scan');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const GC_TRACE = join(ROOT, 'scripts', 'bench', 'gc-trace.mjs');

const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '10000' },
    'layer-versions': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    faults: { type: 'string' },
    rate: { type: 'string' },
    'skip-warm': { type: 'boolean', default: false },
    history: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'gc-trace': { type: 'string' },
    'heap-growing-percent': { type: 'string' },
    dir: { type: 'string' },
    sizes: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
// Set per estate (several with --sizes).
let BENCH = values.dir ?? BENCH_DEFAULT;
let FUNCTIONS = Number(values.functions);
let LAYER_VERSIONS = layerVersionsFor(FUNCTIONS);

function layerVersionsFor(functions) {
  return values['layer-versions'] ? Number(values['layer-versions']) : Math.ceil(functions / 5);
}
const VERSIONS_PER_LAYER = 10;
const REGION = 'us-east-1';
const ACCOUNT = '111111111111';

/** Estate YAML: LAYER_VERSIONS/10 layers of 10 versions; function i uses two of them. */
function estateYaml() {
  const layers = Math.ceil(LAYER_VERSIONS / VERSIONS_PER_LAYER);
  const out = [
    `homeAccount: '${ACCOUNT}'`,
    'accounts:',
    `  '${ACCOUNT}':`,
    '    accessKeys:',
    '      - { accessKeyId: AKIABENCH00000000001, secretAccessKey: bench-secret }',
    '    regions:',
    `      ${REGION}:`,
    // Three code signing configs; every 10th function has one.
    '        codeSigningConfigs:',
    ...[0, 1, 2].map(
      (c) =>
        `          - { id: csc-${String(c).repeat(17)}, allowedPublishers: ['arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/P${c}/V1'], policy: Enforce }`
    ),
    '        layers:',
  ];
  let made = 0;
  for (let l = 0; l < layers; l++) {
    out.push(`          - name: layer-${l}`, '            versions:');
    for (let v = 1; v <= VERSIONS_PER_LAYER && made < LAYER_VERSIONS; v++, made++) {
      const pkg = JSON.stringify({ name: `pkg-${l}`, version: `1.0.${v}`, license: 'MIT' });
      out.push(
        `              - generate: { files: { 'nodejs/node_modules/pkg-${l}/package.json': '${pkg}' } }`
      );
    }
  }
  out.push('        functions:');
  // Spread the functions so that every layer version is used at least once.
  for (let i = 0; i < FUNCTIONS; i++) {
    const a = i % made;
    const b = (i * 7 + 3) % made;
    const ref = (k) =>
      `layer-${Math.floor(k / VERSIONS_PER_LAYER)}:${(k % VERSIONS_PER_LAYER) + 1}`;
    const csc = i % 10 === 0 ? `, codeSigningConfig: csc-${String((i / 10) % 3).repeat(17)}` : '';
    out.push(`          - { name: fn-${i}, layers: ['${ref(a)}', '${ref(b)}']${csc} }`);
  }
  return { yaml: out.join('\n') + '\n', versions: made };
}

const { restartFlags, wantsFewerArenas, SCAN_MALLOC_ARENAS } = await import(
  pathToFileURL(join(DIST, 'src/cli/arenas.js')).href
);

// The scan runs in a child so that its peak RSS is its own, not the endpoint's.
const CHILD = `
// As \`lamina scan\` does (src/cli/heap.ts), unless --heap-growing-percent 0 keeps V8's default.
const hg = process.env.LAMINA_BENCH_HEAP_GROWING_PERCENT;
if (hg !== '0') {
  const { boundHeapGrowth } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'src/cli/heap.js')).href)});
  if (hg === undefined) boundHeapGrowth();
  else boundHeapGrowth(Number(hg));
}
const { scanEstate } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'src/pipeline/scan.js')).href)});
const [url, cache, out, concurrency, historyDb] = process.argv.slice(1);
// As \`lamina scan --history\` does (src/cli/commands/scan.ts): the history opened first.
const history = historyDb
  ? await import(${JSON.stringify(pathToFileURL(join(DIST, 'src/pipeline/history.js')).href)})
  : undefined;
if (history) history.prepareHistory(historyDb);
const startedAt = new Date();
// Its own peak, not its parent's (scripts/bench/peak-rss.mjs).
const { peakRssKiB } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'scripts', 'bench', 'peak-rss.mjs')).href)});
const t0 = process.hrtime.bigint();
const o = await scanEstate({
  regions: [${JSON.stringify(REGION)}], roleArns: [],
  aws: { endpointUrl: url, credentials: { accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench-secret' } },
  cacheDir: cache, outDir: out, concurrency: Number(concurrency),
  // With --gc-trace: the phases its record notes (scripts/bench/gc-trace.mjs).
  onProgress: globalThis[Symbol.for('lamina.bench.phase')],
});
const t1 = process.hrtime.bigint();
const recorded = history?.recordScanHistory({
  db: historyDb, result: o.result, outDir: out, startedAt, finishedAt: new Date(),
});
const historyMs = Number(process.hrtime.bigint() - t1) / 1e6;
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({
  // CPU time next to wall time: on a shared machine wall time mostly measures the neighbours.
  wallMs, cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
  maxRssKiB: peakRssKiB(),
  functions: o.result.functions.length,
  layerVersions: o.result.layers.reduce((n, l) => n + l.versions.length, 0),
  failures: o.result.failures.length,
  apiRequests: o.stats.api.requests, apiFloor: o.stats.apiFloor, throttled: o.stats.api.throttled,
  byOperation: Object.fromEntries([...o.stats.api.byOperation].sort()),
  contentRequests: o.stats.contentRequests,
  bytesDownloaded: o.stats.bytesDownloaded, downloads: o.stats.downloads, cacheHits: o.stats.cacheHits,
  sbomsReused: o.stats.sbomsReused, inventoried: o.stats.inventoried, cost: o.stats.cost,
  ...(recorded ? {
    historyMs, historyScanId: recorded.scanId,
    historyChanges: recorded.changes ? Object.values(recorded.changes.summary).reduce((a, b) => a + b, 0) : null,
  } : {}),
}));
`;

async function main() {
  const { startAwsEndpoint } = await import(
    pathToFileURL(join(ROOT, 'aws-local/dist/server.js')).href
  );
  rmSync(BENCH, { recursive: true, force: true });
  mkdirSync(BENCH, { recursive: true });
  if (values['gc-trace']) mkdirSync(values['gc-trace'], { recursive: true });
  const { yaml, versions } = estateYaml();
  const estateFile = join(BENCH, 'estate.yaml');
  writeFileSync(estateFile, yaml);
  const faults = [values.faults, values.rate ? `rate=${values.rate}` : undefined]
    .filter(Boolean)
    .join(',');
  const endpoint = await startAwsEndpoint({ estate: estateFile, ...(faults ? { faults } : {}) });
  try {
    // Run asynchronously so the in-process endpoint keeps serving: spawnSync would block it.
    const cold = await runAsync(endpoint.url, 'cold');
    const warm = values['skip-warm'] ? undefined : await runAsync(endpoint.url, 'warm');
    const contentRequests = endpoint.log.filter((r) => r.service === 'content').length;
    const report = {
      functions: FUNCTIONS,
      layerVersions: versions,
      cold,
      warm,
      endpointContentRequests: contentRequests,
      ratios: {
        coldApiCallsPerFloor: round(cold.apiRequests / cold.apiFloor),
        ...(warm
          ? {
              warmApiCallsPerCold: round(warm.apiRequests / cold.apiRequests),
              warmCpuPerCold: round(warm.cpuMs / cold.cpuMs),
              warmRssPerCold: round(warm.maxRssKiB / cold.maxRssKiB),
            }
          : {}),
      },
      // At a quota of N requests per second the calls alone take calls / N seconds: the time a
      // scan of this estate needs on real AWS at that quota, whatever the machine.
      ...(values.rate
        ? {
            quota: {
              ratePerSecond: Number(values.rate),
              coldSecondsAtQuota: round(cold.apiRequests / Number(values.rate)),
              ...(warm
                ? { warmSecondsAtQuota: round(warm.apiRequests / Number(values.rate)) }
                : {}),
            },
          }
        : {}),
    };
    console.log(JSON.stringify(report, null, 2));
    const problems = [];
    if (cold.functions !== FUNCTIONS)
      problems.push(`scanned ${cold.functions} functions, want ${FUNCTIONS}`);
    if (cold.layerVersions !== versions)
      problems.push(`accounted for ${cold.layerVersions} layer versions, want ${versions}`);
    if (cold.downloads !== versions || contentRequests !== versions)
      problems.push(
        `downloads ${cold.downloads}, content requests ${contentRequests}: want exactly ${versions}`
      );
    if (warm && warm.downloads !== 0) problems.push(`cached run downloaded ${warm.downloads}`);
    if (cold.failures !== 0) problems.push(`${cold.failures} failures`);
    if (warm && warm.inventoried !== 0) problems.push(`warm run inventoried ${warm.inventoried}`);
    // The estate does not change between the runs: the second scan recorded has no changes.
    if (values.history && (cold.historyScanId !== 1 || (warm && warm.historyChanges !== 0)))
      problems.push(
        `history: cold recorded as scan ${cold.historyScanId}, warm with ${warm?.historyChanges} changes`
      );
    for (const p of problems) console.error(`bench-scan: ${p}`);
    if (problems.length) process.exitCode = 1;
    return report;
  } finally {
    await endpoint.close();
  }

  function runAsync(url, label) {
    // As `lamina scan` starts itself again where Node can (src/cli/arenas.ts).
    const restarts = wantsFewerArenas(['scan'], {
      platform: process.platform,
      env: process.env,
      canExecve: typeof process.execve === 'function',
    });
    return new Promise((resolve, reject) => {
      {
        const child = spawn(
          process.execPath,
          [
            ...(restarts ? restartFlags([], process.env) : []),
            // NODE_OPTIONS refuses --cpu-prof, so profiling the child needs its own flag.
            ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []),
            ...(values['gc-trace'] ? ['--import', pathToFileURL(GC_TRACE).href] : []),
            '--input-type=module',
            '-e',
            CHILD,
            url,
            join(BENCH, 'cache'),
            join(BENCH, 'out'),
            values.concurrency,
            ...(values.history ? [join(BENCH, 'history.db')] : []),
          ],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: {
              ...process.env,
              ...(restarts ? { MALLOC_ARENA_MAX: String(SCAN_MALLOC_ARENAS) } : {}),
              ...(values['heap-growing-percent'] !== undefined
                ? { LAMINA_BENCH_HEAP_GROWING_PERCENT: values['heap-growing-percent'] }
                : {}),
              ...(values['gc-trace']
                ? {
                    LAMINA_BENCH_GC_TRACE: join(
                      resolvePath(values['gc-trace']),
                      `${label}-f${FUNCTIONS}.json`
                    ),
                  }
                : {}),
            },
          }
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.on('close', (code) => {
          if (code !== 0) reject(new Error(`${label} scan failed (exit ${code}):\n${err}`));
          else resolve(JSON.parse(out));
        });
      }
    });
  }
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}

if (values.sizes) {
  const base = values.dir ?? BENCH_DEFAULT;
  const sizes = values.sizes.split(',').map((x) => Number(x.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`bench-scan: --sizes wants positive integers, got ${values.sizes}`);
    process.exit(2);
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`bench-scan: --rounds wants a positive integer, got ${values.rounds}`);
    process.exit(2);
  }
  /** @type {object[][]} runs[size index][round] */
  const runs = sizes.map(() => []);
  for (let k = 0; k < rounds; k++)
    for (const [i, functions] of sizes.entries()) {
      FUNCTIONS = functions;
      LAYER_VERSIONS = layerVersionsFor(functions);
      BENCH = join(base, `f${functions}`);
      runs[i].push(await main());
    }
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const peakOf = (r) => round(r.cold.maxRssKiB / 1024);
  const rows = sizes.map((functions, i) => {
    const rs = runs[i];
    const r = rs[0];
    return {
      functions,
      layerVersions: r.layerVersions,
      peakRssMiB: round(median(rs.map(peakOf))),
      ...(rounds > 1 ? { peakRssMiBRuns: rs.map(peakOf) } : {}),
      cpuS: round(median(rs.map((x) => x.cold.cpuMs)) / 1000),
      ...(values.history
        ? { historyS: round(median(rs.map((x) => x.cold.historyMs)) / 1000) }
        : {}),
      coldApiCallsPerFloor: r.ratios.coldApiCallsPerFloor,
      ...(r.warm
        ? {
            warmApiCallsPerCold: round(median(rs.map((x) => x.ratios.warmApiCallsPerCold))),
            warmCpuPerCold: round(median(rs.map((x) => x.ratios.warmCpuPerCold))),
          }
        : {}),
    };
  });
  // Issue 14's memory targets are ratios between consecutive sizes (10k / 1k, 100k / 10k).
  const peakRssRatios = Object.fromEntries(
    rows
      .slice(1)
      .map((r, i) => [
        `${r.functions}/${rows[i].functions}`,
        round(r.peakRssMiB / rows[i].peakRssMiB),
      ])
  );
  // The spread of one round's ratios: a size's own spread moves them more than a change does.
  const peakRssRatioRange =
    rounds > 1
      ? Object.fromEntries(
          rows.slice(1).map((r, i) => {
            const perRound = runs[i + 1].map((x, k) => peakOf(x) / peakOf(runs[i][k]));
            return [
              `${r.functions}/${rows[i].functions}`,
              [round(Math.min(...perRound)), round(Math.max(...perRound))],
            ];
          })
        )
      : undefined;
  console.log(
    JSON.stringify(
      { summary: rows, peakRssRatios, ...(peakRssRatioRange ? { peakRssRatioRange } : {}) },
      null,
      2
    )
  );
} else await main();
