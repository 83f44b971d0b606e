#!/usr/bin/env node
// The sample run (issue 3): start the local AWS endpoint on
// testdata/estates/demo.yaml, run `lamina scan` against it as a user would,
// print the report, then show a function's merged-layer SBOM. No AWS account
// needed. The demo estate seeds problems on purpose (a function on a deleted
// layer version), so the scan exits 3; this script exits 0 when the scan found
// exactly what the estate seeds, 1 otherwise.
//
// usage: node scripts/demo.mjs [--out DIR]      (npm run demo builds first)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const CLI = join(DIST, 'src/cli/main.js');
const ESTATE = join(ROOT, 'testdata/estates/demo.yaml');
const REGIONS = ['us-east-1', 'eu-west-1'];
const HOME = '123456789012';
const EXAMPLE_FUNCTION = 'orders-worker';

/**
 * What the demo estate seeds (see the comments in demo.yaml): every scan of it
 * must find exactly these failures, and nothing else may go wrong.
 */
const EXPECTED_FAILURES = [
  {
    scope: 'layer-version',
    subject: `arn:aws:lambda:us-east-1:${HOME}:layer:python-common:2`,
    code: 'NOT_FOUND',
    why: 'a layer version deleted after a bad release, still used by reports-etl',
  },
];

/** Newest modification time under `dir` (ts sources only). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Build when dist is missing or older than the sources it is made from. */
function buildIfNeeded() {
  const server = join(DIST, 'test/aws-endpoint/server.js');
  const built = existsSync(CLI) && existsSync(server) ? statSync(CLI).mtimeMs : 0;
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'test/aws-endpoint')));
  if (built >= sources) return;
  console.log('demo: building lamina (npm run build)...');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 && !existsSync(CLI)) throw new Error('build failed');
}

/** Run the built CLI in a child (asynchronously: the endpoint in this process must keep serving). */
function lamina(args, env, { capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c) => (stdout += c));
    child.stderr?.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A path as short as it can be: relative below the working directory, else absolute. */
const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: join(ROOT, 'demo-out') } },
  });
  const out = values.out;
  buildIfNeeded();
  const { startAwsEndpoint } = await import(
    pathToFileURL(join(DIST, 'test/aws-endpoint/server.js')).href
  );
  const endpoint = await startAwsEndpoint({ estate: ESTATE });
  // The estate's home account keys, through the SDK's default credential chain,
  // exactly as a user's environment would give them; no AWS files involved.
  const env = { ...process.env };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[k];
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
    AWS_REGION: REGIONS[0],
    AWS_CONFIG_FILE: join(out, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-aws-credentials'),
    // The SDK warns about Node 20 on every start; the demo is not the place.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    NODE_NO_WARNINGS: '1',
  });
  const problems = [];
  try {
    console.log(`demo: local AWS endpoint at ${endpoint.url} serving ${rel(ESTATE)}`);
    const scanArgs = [
      'scan',
      ...REGIONS.flatMap((r) => ['--region', r]),
      '--endpoint-url',
      endpoint.url,
      '--out',
      out,
      '--cache-dir',
      join(out, 'cache'),
    ];
    console.log(`demo: lamina ${scanArgs.join(' ')}\n`);
    rmSync(join(out, 'sboms'), { recursive: true, force: true });
    const scan = await lamina(scanArgs, env);

    const result = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8'));
    const names = new Set(result.functions.map((f) => `${f.region}/${f.name}`));
    const sboms = existsSync(join(out, 'sboms')) ? readdirSync(join(out, 'sboms')) : [];
    console.log(
      `\ndemo: scan exited ${scan.code} (3: could not complete): ${result.failures.length} items could not be fetched.`
    );
    if (scan.code !== 3) problems.push(`scan exited ${scan.code}, the seeded failures make it 3`);
    if (names.size < 12) problems.push(`${names.size} functions scanned, the estate has 15`);
    if (result.scope.regions.join(',') !== [...REGIONS].sort().join(','))
      problems.push(`regions scanned: ${result.scope.regions.join(', ')}`);
    const key = (f) => `${f.scope} ${f.subject} ${f.code}`;
    const got = new Set(result.failures.map(key));
    const want = new Set(EXPECTED_FAILURES.map(key));
    for (const f of EXPECTED_FAILURES) {
      if (got.has(key(f)))
        console.log(
          `demo: expected failure ${f.code} ${f.subject}\n      this is one of the seeded problems: ${f.why}`
        );
      else problems.push(`the seeded failure ${key(f)} was not reported`);
    }
    for (const f of result.failures)
      if (!want.has(key(f))) problems.push(`unexpected failure: ${key(f)}: ${f.reason}`);
    const crossAccount = result.layers.filter((l) => l.owner !== HOME);
    if (crossAccount.length === 0) problems.push('no cross-account layer in the result');
    console.log(
      `demo: ${sboms.length} layer SBOMs in ${rel(join(out, 'sboms'))}/, the scan result in ${rel(join(out, 'scan.json'))}` +
        `; ${crossAccount.length} layer owned by another account (${crossAccount.map((l) => `${l.name}, ${l.owner}`).join('; ')})`
    );
    if (sboms.length === 0) problems.push('no SBOMs written');

    // One function's merged view: its layers applied in order into /opt.
    const fnOut = join(out, `${EXAMPLE_FUNCTION}.cdx.json`);
    const sbomArgs = [
      'sbom',
      '--function',
      EXAMPLE_FUNCTION,
      '--region',
      REGIONS[0],
      '--endpoint-url',
      endpoint.url,
    ];
    const cacheArgs = ['--cache-dir', join(out, 'cache'), '-o', fnOut, '--quiet'];
    const fn = await lamina([...sbomArgs, ...cacheArgs], env, { capture: true });
    if (fn.code !== 0) {
      problems.push(`sbom --function ${EXAMPLE_FUNCTION} exited ${fn.code}: ${fn.stderr.trim()}`);
    } else {
      const bom = JSON.parse(readFileSync(fnOut, 'utf8'));
      const comps = bom.components ?? [];
      const layers = comps.filter(
        (c) => (c['bom-ref'] ?? '').startsWith('layer:') && !c['bom-ref'].includes('/')
      );
      const pkgs = comps.length - layers.length;
      const shadowed = comps.filter((c) =>
        (c.properties ?? []).some((p) => p.name === 'lamina:shadowed-by')
      ).length;
      console.log(
        `\ndemo: merged view of ${EXAMPLE_FUNCTION}: ${pkgs} packages across ${layers.length} layers, ${shadowed} shadowed; written to ${rel(fnOut)}`
      );
      if (layers.length < 2)
        problems.push(`${EXAMPLE_FUNCTION}: ${layers.length} layers in its SBOM, want 2`);
    }
    console.log(
      [
        '',
        'Try it yourself: start the endpoint in one terminal',
        '  npm run aws-local -- --estate testdata/estates/demo.yaml',
        'export the lines it prints, then for example',
        `  node dist/src/cli/main.js sbom --function ${EXAMPLE_FUNCTION} --region ${REGIONS[0]}`,
        `  node dist/src/cli/main.js sbom arn:aws:lambda:us-east-1:${HOME}:layer:node-common:3`,
        '',
      ].join('\n')
    );
  } finally {
    await endpoint.close();
  }
  for (const p of problems) console.error(`demo: PROBLEM: ${p}`);
  console.log(
    problems.length
      ? 'demo: the results do NOT match what the estate seeds'
      : 'demo: OK, the results match what the estate seeds'
  );
  return problems.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`demo: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  }
);
