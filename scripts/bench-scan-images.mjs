#!/usr/bin/env node
// Image scan benchmark (issue 12): an estate of N container-image functions over M distinct
// images in one ECR repository, served by the local endpoint and Debian's docker-registry,
// scanned by lamina's real pipeline in a child process (its peak RSS is its own). Prints API
// and registry requests against the floor (one token per account and Region, one manifest GET
// per digest, one blob GET per distinct blob: a config and a layer per image) and the peak
// RSS of a run with N/4 functions next to the full run: it must not grow with N.
//
// usage: node scripts/bench-scan-images.mjs [--functions N] [--images M] [--concurrency N]
// Needs `npm run build` and `npm run build:aws-local` (npm run bench:scan-images does both).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeImage, makeLayer, REF_NAME, writeLayout } from './lib/ociwriter.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, '.bench', 'scan-images');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '2000' },
    images: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
  },
});
const FUNCTIONS = Number(values.functions);
const IMAGES = Number(values.images);
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

/** One OCI layout with IMAGES tiny images (ref `v<i>`), each one distinct layer. */
function writeImages(dir) {
  const blobs = new Map();
  const entries = [];
  for (let i = 0; i < IMAGES; i++) {
    const layer = makeLayer([
      { name: 'var/', type: 'dir' },
      { name: 'var/task/', type: 'dir' },
      { name: 'var/task/index.mjs', data: `export const handler = async () => ${i};\n` },
    ]);
    const image = makeImage({ layers: [layer], config: { WorkingDir: '/var/task' } });
    for (const [d, b] of image.blobs) blobs.set(d, b);
    blobs.set(image.manifest.descriptor.digest, image.manifest.bytes);
    entries.push({ ...image.manifest.descriptor, annotations: { [REF_NAME]: `v${i}` } });
  }
  writeLayout(dir, { blobs, entries });
}

function estateYaml(functions) {
  const out = [
    `homeAccount: '${ACCOUNT}'`,
    'accounts:',
    `  '${ACCOUNT}':`,
    '    accessKeys:',
    '      - { accessKeyId: AKIABENCH00000000001, secretAccessKey: bench-secret }',
    '    regions:',
    `      ${REGION}:`,
    '        ecr:',
    '          repositories:',
    '            - name: bench',
    '              images:',
  ];
  for (let i = 0; i < IMAGES; i++)
    out.push(
      `                - { layout: layout, ref: v${i}, tags: [v${i}], pushedAt: '${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()}' }`
    );
  out.push('        functions:');
  for (let i = 0; i < functions; i++)
    out.push(
      `          - { name: fn-${i}, packageType: Image, imageUri: ${HOST}/bench:v${i % IMAGES} }`
    );
  return out.join('\n') + '\n';
}

const CHILD = `
const { scanEstate } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'src/pipeline/scan.js')).href)});
const [url, cache, out, concurrency] = process.argv.slice(1);
// Its own peak, not its parent's (scripts/bench/peak-rss.mjs).
const { peakRssKiB } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'scripts', 'bench', 'peak-rss.mjs')).href)});
const t0 = process.hrtime.bigint();
const o = await scanEstate({
  regions: [${JSON.stringify(REGION)}], roleArns: [],
  aws: { endpointUrl: url, credentials: { accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench-secret' } },
  cacheDir: cache, outDir: out, concurrency: Number(concurrency),
});
process.stdout.write(JSON.stringify({
  wallMs: Number(process.hrtime.bigint() - t0) / 1e6,
  cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
  maxRssKiB: peakRssKiB(),
  functions: o.result.functions.length,
  failures: o.result.failures.length,
  apiRequests: o.stats.api.requests, tokenRequests: o.stats.tokenRequests, imagesRead: o.stats.imagesRead,
}));
`;

function runScan(url, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        CHILD,
        url,
        join(dir, 'cache'),
        join(dir, 'out'),
        values.concurrency,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`scan failed (exit ${code}):\n${err}`))
    );
  });
}

async function run(functions) {
  const { startAwsEndpoint } = await import(
    pathToFileURL(join(ROOT, 'aws-local/dist/server.js')).href
  );
  const dir = join(BENCH, `f${functions}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(BENCH, `estate-${functions}.yaml`), estateYaml(functions));
  const endpoint = await startAwsEndpoint({ estate: join(BENCH, `estate-${functions}.yaml`) });
  try {
    const scan = await runScan(endpoint.url, dir);
    const count = (pred) => endpoint.log.filter(pred).length;
    const registry = {
      manifestGets: count((r) => r.service === 'registry' && r.op === 'GetManifest'),
      blobGets: count((r) => r.service === 'registry' && r.op === 'GetBlob'),
      pings: count((r) => r.service === 'registry' && r.op === 'Ping'),
    };
    const tokens = count((r) => r.op === 'GetAuthorizationToken');
    // Floor: one token; one manifest and two blobs (config, layer) per image.
    const floor = { tokens: 1, manifestGets: IMAGES, blobGets: 2 * IMAGES };
    return { functions, scan, registry, tokens, floor };
  } finally {
    await endpoint.close();
  }
}

rmSync(BENCH, { recursive: true, force: true });
mkdirSync(BENCH, { recursive: true });
writeImages(join(BENCH, 'layout'));
const small = await run(Math.max(1, Math.floor(FUNCTIONS / 4)));
const full = await run(FUNCTIONS);
const ratio = {
  registry:
    (full.registry.manifestGets + full.registry.blobGets) /
    (full.floor.manifestGets + full.floor.blobGets),
  tokens: full.tokens / full.floor.tokens,
  rssFullOverQuarter: full.scan.maxRssKiB / small.scan.maxRssKiB,
};
console.log(JSON.stringify({ images: IMAGES, small, full, ratio }, null, 2));
const problems = [];
if (full.scan.functions !== FUNCTIONS) problems.push(`scanned ${full.scan.functions} functions`);
if (full.scan.failures !== 0) problems.push(`${full.scan.failures} failures`);
if (full.scan.imagesRead !== IMAGES)
  problems.push(`read ${full.scan.imagesRead} images, want ${IMAGES}`);
if (ratio.registry > 1.1)
  problems.push(`registry requests ${ratio.registry.toFixed(2)} x the floor`);
if (ratio.tokens > 1.1) problems.push(`${full.tokens} tokens, the floor is 1`);
for (const p of problems) console.error(`bench-scan-images: ${p}`);
process.exitCode = problems.length ? 1 : 0;
