// One package drift (`analyzeEstate`) of a generated estate, in this process, from a built
// lamina: the estate of scripts/bench-scan.mjs (layers of ten versions, two layers per
// function) with PACKAGES npm packages in each layer version, the inventories read back from
// their JSON text through the reader `lamina scan` uses (a bounded number kept). Prints one
// JSON line: CPU and wall time of the analysis, how many times an inventory was read, and a
// digest of the analysis's output (builds that agree print the same).
//
// usage: node scripts/bench/drift-run.mjs DIST FUNCTIONS PACKAGES
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [dist, functionsArg, packagesArg] = process.argv.slice(2);
if (!dist || !functionsArg || !packagesArg)
  throw new Error('usage: drift-run.mjs DIST FUNCTIONS PACKAGES');
const FUNCTIONS = Number(functionsArg);
const PACKAGES = Number(packagesArg);
const load = (path) => import(pathToFileURL(join(resolve(dist), path)).href);
const { analyzeEstate, estateInventory } = await load('src/estate/analyze.js');
const { boundedInventories } = await load('src/pipeline/drift.js');
const { computeDrift } = await load('src/scan/drift.js');

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const VERSIONS_PER_LAYER = 10;
const LAYER_VERSIONS = Math.max(VERSIONS_PER_LAYER, Math.ceil(FUNCTIONS / 5));
const hex = (n) => createHash('sha256').update(String(n)).digest('hex');

/** An inventory as `lamina scan` writes it and reads it back, as JSON text. */
function inventoryText(k, layer, version) {
  const packages = [];
  for (let p = 0; p < PACKAGES; p++) {
    const name = `p${layer}-${p}`;
    const v = `1.${p % 3}.${version}`;
    packages.push({
      id: `npm:${name}`,
      type: 'library',
      ecosystem: 'npm',
      name,
      version: v,
      purl: `pkg:npm/${name}@${v}`,
      foundBy: 'npm-installed',
      locations: [{ path: `nodejs/node_modules/${name}/package.json` }],
      licenses: [{ $case: 'id', id: 'MIT' }],
      hashes: {},
      dependsOn: [],
      owns: [],
      properties: { 'npm:path': `nodejs/node_modules/${name}` },
      findings: [],
    });
  }
  const artifact = {
    name: `layer-${layer}:${version}`,
    kind: 'zip',
    sha256: hex(k),
    size: 1,
    properties: {},
  };
  return JSON.stringify({ artifact, packages, findings: [], complete: true });
}

const texts = new Map();
const layers = [];
const versions = [];
for (let k = 0; k < LAYER_VERSIONS; k++) {
  const layer = Math.floor(k / VERSIONS_PER_LAYER);
  const version = (k % VERSIONS_PER_LAYER) + 1;
  if (version === 1)
    layers.push({ name: `layer-${layer}`, owner: ACCOUNT, regions: [REGION], versions: [] });
  const digest = `sha256:${hex(k)}`;
  texts.set(digest, inventoryText(k, layer, version));
  const v = {
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:layer-${layer}:${version}`,
    region: REGION,
    version,
    listed: true,
    digest,
    codeSha256: null,
    size: null,
    signingProfileVersionArn: null,
    signingJobArn: null,
    status: 'inventoried',
    failure: null,
    sbom: null,
    packageCount: PACKAGES,
    inventoryComplete: true,
    usedBy: [],
  };
  layers.at(-1).versions.push(v);
  versions.push(v);
}
const functions = [];
for (let i = 0; i < FUNCTIONS; i++) {
  const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-${i}`;
  const attached = [i % LAYER_VERSIONS, (i * 7 + 3) % LAYER_VERSIONS].map((k) => versions[k]);
  for (const v of new Set(attached)) v.usedBy.push(arn);
  functions.push({
    account: ACCOUNT,
    region: REGION,
    name: `fn-${i}`,
    arn,
    version: '$LATEST',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    architectures: ['x86_64'],
    packageType: 'Zip',
    codeSigningConfig: null,
    layers: attached.map((v) => ({
      arn: v.arn,
      name: v.arn.split(':')[6],
      owner: ACCOUNT,
      version: v.version,
      digest: v.digest,
    })),
  });
}
functions.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
for (const v of versions) v.usedBy.sort();
const result = { functions, layers, drift: computeDrift(functions, layers) };

let reads = 0;
const inventoryOf = boundedInventories((digest) => {
  const text = texts.get(digest);
  if (text === undefined) return undefined;
  reads += 1;
  return { inventory: estateInventory(JSON.parse(text)), bytes: text.length };
});
const cpu = process.cpuUsage();
const t0 = performance.now();
const drift = analyzeEstate(result, { inventoryOf });
const wallMs = performance.now() - t0;
const { user, system } = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    cpuMs: Math.round((user + system) / 1000),
    wallMs: Math.round(wallMs),
    reads,
    digests: texts.size,
    output: createHash('sha256').update(JSON.stringify(drift)).digest('hex').slice(0, 16),
  })
);
