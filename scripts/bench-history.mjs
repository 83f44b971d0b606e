#!/usr/bin/env node
// History benchmark (issue 13): records 100 scans of a bench-like estate (10,000 functions over
// 2,000 layer versions, as scripts/bench-scan.mjs generates) into a fresh history database, the
// estate drifting a little between scans, and reports the database size as it grows, the time
// to record a scan, to load two scans and compute their changes, and to prune.
//
// Between consecutive scans: 100 functions move one of their layers to another version, and every
// fifth scan publishes a new version of 5 layers (new digests, new inventories).
//
// usage: node scripts/bench-history.mjs [--functions N] [--layer-versions N] [--scans N] [--keep N]
// Needs `npm run build`. Writes .bench/history/ (the database) and .bench/history.json.
import { mkdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const OUT = join(ROOT, '.bench', 'history');
const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { HistoryStore } = await load('src/history/store.js');
const { computeChanges } = await load('src/history/changes.js');
const { computeDrift } = await load('src/scan/drift.js');
const { serializeScanResult } = await load('src/scan/result.js');
const { serializeSbom } = await load('src/sbom/cyclonedx.js');
const { createHash } = await import('node:crypto');

const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '10000' },
    'layer-versions': { type: 'string', default: '2000' },
    scans: { type: 'string', default: '100' },
    keep: { type: 'string', default: '10' },
  },
});
const FUNCTIONS = Number(values.functions);
const LAYERS = Math.ceil(Number(values['layer-versions']) / 10);
const SCANS = Number(values.scans);
const KEEP = Number(values.keep);
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

const lvArn = (l, v) => `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:layer-${l}:${v}`;
const hexOf = (l, v) => createHash('sha256').update(`layer-${l}:${v}`).digest('hex');

/** The inventory of layer l version v: one npm package, as in the scan benchmark. */
function sbom(l, v) {
  const sha256 = hexOf(l, v);
  const pkg = {
    id: `nodejs/node_modules/pkg-${l}`,
    ecosystem: 'npm',
    name: `pkg-${l}`,
    version: `1.0.${v}`,
    purl: `pkg:npm/pkg-${l}@1.0.${v}`,
    type: 'library',
    licenses: [{ $case: 'expression', expression: 'MIT' }],
    hashes: {},
    locations: [{ path: `nodejs/node_modules/pkg-${l}/package.json`, layerDigest: sha256 }],
    foundBy: 'npm-installed',
    dependsOn: [],
    owns: [`nodejs/node_modules/pkg-${l}/`],
    properties: {},
    findings: [],
  };
  return serializeSbom(
    {
      artifact: {
        name: lvArn(l, v),
        kind: 'zip',
        sha256,
        size: 226,
        properties: { layerVersionArn: lvArn(l, v) },
      },
      packages: [pkg],
      findings: [],
      complete: true,
    },
    { format: 'cyclonedx-json', specVersion: '1.6' }
  );
}

// The estate's state: versions per layer, and each function's two layer versions.
const versionsOf = Array.from({ length: LAYERS }, () => 10);
const fnLayers = Array.from({ length: FUNCTIONS }, (_, i) => {
  const a = i % (LAYERS * 10);
  const b = (i * 7 + 3) % (LAYERS * 10);
  return [
    [Math.floor(a / 10), (a % 10) + 1],
    [Math.floor(b / 10), (b % 10) + 1],
  ];
});
let seed = 42;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

/** Digest (hex) → [layer, version], for the SBOMs the store asks for. */
const byHex = new Map();

function scanResult() {
  const functions = fnLayers.map((ls, i) => ({
    account: ACCOUNT,
    region: REGION,
    name: `fn-${i}`,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-${i}:$LATEST`,
    version: '$LATEST',
    runtime: 'nodejs20.x',
    architectures: ['x86_64'],
    packageType: 'Zip',
    codeSigningConfig: null,
    layers: ls.map(([l, v]) => ({
      arn: lvArn(l, v),
      name: `layer-${l}`,
      owner: ACCOUNT,
      version: v,
      digest: `sha256:${hexOf(l, v)}`,
    })),
  }));
  functions.sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const usedBy = new Map();
  for (const f of functions)
    for (const l of f.layers) usedBy.set(l.arn, [...(usedBy.get(l.arn) ?? []), f.arn]);
  const layers = versionsOf.map((n, l) => ({
    name: `layer-${l}`,
    owner: ACCOUNT,
    regions: [REGION],
    versions: Array.from({ length: n }, (_, k) => {
      const v = k + 1;
      const hex = hexOf(l, v);
      byHex.set(hex, [l, v]);
      return {
        arn: lvArn(l, v),
        region: REGION,
        version: v,
        listed: true,
        digest: `sha256:${hex}`,
        codeSha256: Buffer.from(hex, 'hex').toString('base64'),
        size: 226,
        signingProfileVersionArn: null,
        signingJobArn: null,
        status: 'inventoried',
        failure: null,
        sbom: `sboms/${hex}.cdx.json`,
        packageCount: 1,
        inventoryComplete: true,
        usedBy: [...new Set(usedBy.get(lvArn(l, v)) ?? [])].sort(),
      };
    }),
  }));
  layers.sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    schemaVersion: 1,
    tool: { name: 'lamina', version: 'bench' },
    scope: { accounts: [ACCOUNT], regions: [REGION] },
    functions,
    layers,
    failures: [],
    drift: computeDrift(functions, layers),
  };
}

function evolve(n) {
  for (let k = 0; k < 100; k++) {
    const f = fnLayers[rand(FUNCTIONS)];
    const which = rand(2);
    const [l] = f[which];
    f[which] = [l, 1 + rand(versionsOf[l])];
  }
  if (n % 5 === 0) for (let k = 0; k < 5; k++) versionsOf[rand(LAYERS)] += 1;
}

const sizeOf = (db) =>
  ['', '-wal', '-shm'].reduce((s, x) => s + (existsSync(db + x) ? statSync(db + x).size : 0), 0);
const MiB = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const db = join(OUT, 'history.db');
const store = HistoryStore.open(db, { create: true });
const recordMs = [];
const sizes = {};
let scanJsonBytes = 0;
const t0 = Date.now();
for (let n = 1; n <= SCANS; n++) {
  const result = scanResult();
  scanJsonBytes += Buffer.byteLength(serializeScanResult(result));
  const start = performance.now();
  store.recordScan({
    result,
    startedAt: new Date(t0 + n * 3600_000),
    finishedAt: new Date(t0 + n * 3600_000 + 60_000),
    sbomOf: (d) => {
      const lv = byHex.get(d.slice('sha256:'.length));
      return lv ? sbom(lv[0], lv[1]) : undefined;
    },
  });
  recordMs.push(performance.now() - start);
  if ([1, 10, 50, 100, SCANS].includes(n)) sizes[n] = sizeOf(db);
  evolve(n);
}
store.close();
const closedSize = statSync(db).size;

// `lamina changes`: open, load the last two scans, compute what changed.
let t = performance.now();
const reader = HistoryStore.open(db);
const openMs = performance.now() - t;
t = performance.now();
const last = reader.latestScan();
const prev = reader.resolveSince();
const a = reader.loadScan(prev);
const b = reader.loadScan(last);
const loadMs = performance.now() - t;
t = performance.now();
const changes = computeChanges(a, b, { inventoryOf: (d) => reader.inventory(d) });
const changesMs = performance.now() - t;

t = performance.now();
const pruned = reader.prune(KEEP);
const pruneMs = performance.now() - t;
reader.close();
const prunedSize = statSync(db).size;

const results = {
  functions: FUNCTIONS,
  layerVersions: LAYERS * 10,
  scans: SCANS,
  databaseBytes: sizes,
  databaseBytesClosed: closedSize,
  scanJsonBytesTotal: scanJsonBytes,
  recordMsMedian: Math.round(median(recordMs)),
  recordMsFirst: Math.round(recordMs[0]),
  openMs: Math.round(openMs),
  loadTwoScansMs: Math.round(loadMs),
  changesMs: Math.round(changesMs),
  changesSummary: changes.summary,
  prune: { keep: KEEP, ...pruned, ms: Math.round(pruneMs), bytesAfter: prunedSize },
};
writeFileSync(join(ROOT, '.bench', 'history.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`history of ${SCANS} scans, ${FUNCTIONS} functions, ${LAYERS * 10}+ layer versions`);
for (const [n, s] of Object.entries(sizes)) console.log(`  after ${n} scans: ${MiB(s)}`);
console.log(`  closed: ${MiB(closedSize)} (the ${SCANS} scan.json files: ${MiB(scanJsonBytes)})`);
console.log(
  `  record a scan: first ${results.recordMsFirst} ms, median ${results.recordMsMedian} ms`
);
console.log(
  `  changes between the last two: open ${results.openMs} ms, load ${results.loadTwoScansMs} ms, compute ${results.changesMs} ms`
);
console.log(
  `  prune --keep ${KEEP}: ${pruned.scans} scans, ${pruned.facts} facts, ${pruned.inventories} inventories removed in ${results.prune.ms} ms; ${MiB(prunedSize)} after`
);
