#!/usr/bin/env node
// The sample run (issues 3 and 4): inventory one layer zip, then start the
// local AWS endpoint on testdata/estates/demo.yaml and, as a user would, run
// `lamina scan` against it (report and SBOMs), show one function's merged-layer
// SBOM with what a later layer shadows, and `lamina verify --all` it against
// policies/demo.yaml. No AWS account needed. The estate seeds problems on
// purpose (listed at the top of demo.yaml), so the scan exits 3 and verify 1;
// this script exits 0 when every seeded problem was caught and every good layer
// passed, 1 otherwise.
//
// usage: node scripts/demo.mjs [--out DIR]      (npm run demo builds first)
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const CLI = join(DIST, 'src/cli/main.js');
/** The local AWS endpoint (its own package, built into aws-local/dist). */
const AWS_LOCAL = join(ROOT, 'aws-local/dist/server.js');
const ESTATE = join(ROOT, 'testdata/estates/demo.yaml');
const POLICY = 'policies/demo.yaml';
const SAMPLE_LAYER = 'testdata/layers/sample-layer.zip';
const REGIONS = ['us-east-1', 'eu-west-1'];
const HOME = '123456789012';
const VENDOR = '210987654321';
/** Its node-hotfix layer replaces a package of node-common: the merged view shadows it. */
const EXAMPLE_FUNCTION = 'orders-worker';

const layer = (region, name, v, acct = HOME) =>
  `arn:aws:lambda:${region}:${acct}:layer:${name}:${v}`;
const fn = (region, name) => `arn:aws:lambda:${region}:${HOME}:function:${name}:$LATEST`;

/**
 * What the demo estate seeds (see the comments in demo.yaml): every scan of it
 * must find exactly these failures, and nothing else may go wrong.
 */
const EXPECTED_FAILURES = [
  {
    scope: 'layer-version',
    subject: layer('us-east-1', 'python-common', 2),
    code: 'NOT_FOUND',
    why: 'a layer version deleted after a bad release, still used by reports-etl',
  },
];

/** Same layer name and version number, different bytes per region (the scan's drift). */
const EXPECTED_REGION_DIFFERENCES = [
  { name: 'node-common', owner: HOME, version: 1, why: 'eu-west-1 built v1 separately' },
];

/**
 * What `lamina verify --all --policy policies/demo.yaml` must conclude, per
 * subject (layer version or function ARN): `fail` (the verdict fails, and the
 * named check failed with a detail matching `detail`), `warn` (the verdict
 * passes, the check warned: a warn-mode rule) or `pass` (the verdict passes,
 * the named check passed). Any verdict not listed here must pass.
 */
const EXPECTED_VERDICTS = [
  // Seeded problems.
  {
    subject: layer('us-east-1', 'node-common', 1),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /not signed/,
    why: 'unsigned, used by payments-api',
  },
  {
    subject: layer('eu-west-1', 'node-common', 1),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /not signed/,
    why: 'unsigned, used by eu-orders-api',
  },
  {
    subject: layer('eu-west-1', 'node-common', 2),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /not signed/,
    why: 'unsigned, used by eu-ledger',
  },
  {
    subject: layer('us-east-1', 'node-common', 4),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /job was revoked/,
    why: 'its signing job was revoked afterwards (an unreviewed build)',
  },
  {
    subject: layer('us-east-1', 'node-common', 5),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /status is Failed/,
    why: 'published although its signing job failed',
  },
  {
    subject: layer('us-east-1', 'auth-common', 1),
    expect: 'fail',
    check: 'signer:platform-signer',
    detail: /Signature expired at 2024-01-10/,
    why: 'signed in 2023 with a 12-month validity',
  },
  {
    subject: layer('us-east-1', 'python-common', 2),
    expect: 'fail',
    check: 'fetch',
    detail: /NOT_FOUND/,
    why: 'deleted, still used by reports-etl',
  },
  {
    subject: layer('us-east-1', 'python-common', 3),
    expect: 'fail',
    check: 'signer:retired-signer',
    detail: /revoked effective 2024-06-01.*at or before the signing time/,
    why: 'signed by RetiredSigner after its revocation took effect',
  },
  {
    subject: layer('us-east-1', 'observability-ext', 7, VENDOR),
    expect: 'warn',
    check: 'signer:vendor-release',
    detail: /DescribeSigningJob .* is missing/,
    why: "vendor's signing job is in its own account (warn-only rule)",
  },
  {
    subject: layer('eu-west-1', 'observability-ext', 2, VENDOR),
    expect: 'warn',
    check: 'signer:vendor-release',
    detail: /not signed/,
    why: "vendor's eu-west-1 layer is unsigned (warn-only rule)",
  },
  {
    subject: fn('us-east-1', 'orders-api'),
    expect: 'fail',
    check: 'function:layer-accounts',
    detail: /210987654321/,
    why: "uses the vendor's layer",
  },
  {
    subject: fn('us-east-1', 'orders-api'),
    expect: 'fail',
    check: 'function:publishers',
    detail: /VendorRelease/,
    why: 'its Enforce config does not allow the vendor signer',
  },
  {
    subject: fn('us-east-1', 'reports-api'),
    expect: 'fail',
    check: 'function:layer-accounts',
    detail: /210987654321/,
    why: "uses the vendor's layer",
  },
  {
    subject: fn('eu-west-1', 'eu-orders-api'),
    expect: 'fail',
    check: 'function:layer-accounts',
    detail: /210987654321/,
    why: "uses the vendor's layer",
  },
  {
    subject: fn('us-east-1', 'payments-api'),
    expect: 'fail',
    check: 'function:code-signing',
    detail: /Warn mode/,
    why: 'code signing config in Warn mode',
  },
  {
    subject: layer('us-east-1', 'observability-ext', 7, VENDOR),
    expect: 'warn',
    check: 'inventory:complete',
    detail: /UNOWNED_EXECUTABLE.*extensions\/observability-ext/,
    why: "vendor's extension is a bare script no package describes (warn-only rule)",
  },
  // Good layers.
  {
    subject: layer('us-east-1', 'native-tools', 1),
    expect: 'pass',
    check: 'inventory:complete',
    detail: /allowed by the rule.*bin\/hello\.sh/,
    why: 'its two unowned files are allowed by path, with a reason',
  },
  {
    subject: layer('us-east-1', 'node-common', 2),
    expect: 'pass',
    check: 'signer:platform-signer',
    detail: /job 3f1e2d4c-0001/,
    why: 'signed by PlatformSigner',
  },
  {
    subject: layer('us-east-1', 'node-common', 3),
    expect: 'pass',
    check: 'signer:platform-signer',
    detail: /job 3f1e2d4c-0002/,
    why: 'signed by PlatformSigner',
  },
  {
    subject: layer('us-east-1', 'python-common', 1),
    expect: 'pass',
    check: 'signer:retired-signer',
    detail: /revoked effective 2024-06-01.*after signing at 2024-02-01/,
    why: 'signed by RetiredSigner BEFORE its revocation took effect',
  },
  ...[
    layer('us-east-1', 'node-hotfix', 1),
    layer('us-east-1', 'java-common', 1),
    layer('us-east-1', 'java-common', 2),
    layer('us-east-1', 'ruby-common', 1),
    layer('us-east-1', 'ruby-common', 2),
    layer('us-east-1', 'native-tools', 1),
    layer('eu-west-1', 'dotnet-common', 1),
  ].map((subject) => ({
    subject,
    expect: 'pass',
    check: 'licenses',
    detail: /satisfy/,
    why: 'internal layer: license floor only',
  })),
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

/** Build when a dist is missing or older than the sources it is made from. */
function buildIfNeeded() {
  for (const [built, sources, script] of [
    [CLI, join(ROOT, 'src'), 'build'],
    [AWS_LOCAL, join(ROOT, 'aws-local/src'), 'build:aws-local'],
  ]) {
    if (existsSync(built) && statSync(built).mtimeMs >= newest(sources)) continue;
    console.log(`demo: building (npm run ${script})...`);
    const r = spawnSync('npm', ['run', script, '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0 && !existsSync(built)) throw new Error(`npm run ${script} failed`);
  }
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

/** A path as the CLI child (cwd ROOT) should get it: relative when inside the repository. */
const arg = (p) => {
  const r = relative(ROOT, p);
  return r.startsWith('..') ? p : r;
};

/** A section header: the demo's output is read by people. */
const section = (title) => console.log(`\n== ${title}\n`);

/** Short label for an ARN: `name:version (region)`, the owner when not the home account. */
function label(arn) {
  const p = arn.split(':');
  const owner = p[4] === HOME ? '' : `, account ${p[4]}`;
  const q = p[7] === undefined || p[7] === '$LATEST' ? '' : `:${p[7]}`;
  return `${p[6]}${q} (${p[3]}${owner})`;
}

/** A check's detail without the "Checked: … Not checked: …" account, cut to one line. */
function brief(detail) {
  const cut = detail.indexOf(' Checked:');
  const s = cut > 0 ? detail.slice(0, cut) : detail;
  return s.length > 220 ? `${s.slice(0, 219)}…` : s;
}

/**
 * The verify text report, condensed for the terminal: every verdict's line,
 * and under it the checks that failed or warned and the signer checks that
 * passed, each detail up to its "Checked:" account.
 */
function condensed(verdicts) {
  const lines = [];
  for (const v of verdicts) {
    lines.push(
      `${v.ok ? 'OK  ' : 'FAIL'} ${v.subject.kind.padEnd(8)} ${label(v.subject.arn ?? v.subject.name)}`
    );
    for (const c of v.checks) {
      const signerPass = c.outcome === 'pass' && c.id.startsWith('signer:');
      if (c.outcome === 'fail' || c.outcome === 'warn' || signerPass)
        lines.push(`       ${c.outcome.toUpperCase()} ${c.id}: ${brief(c.detail)}`);
    }
  }
  return lines.join('\n');
}

/** Compare verdicts with EXPECTED_VERDICTS; print each expectation as it is checked. */
function checkVerdicts(verdicts, problems) {
  const bySubject = new Map(verdicts.map((v) => [v.subject.arn ?? v.subject.name, v]));
  const listed = new Set();
  const tally = { pass: 0, warn: 0, fail: 0 };
  const width = Math.max(...EXPECTED_VERDICTS.map((e) => label(e.subject).length));
  for (const e of EXPECTED_VERDICTS) {
    listed.add(e.subject);
    const v = bySubject.get(e.subject);
    const c = v?.checks.find((x) => x.id === e.check);
    const verdictOk = e.expect !== 'fail';
    const matched =
      v !== undefined &&
      v.ok === verdictOk &&
      c !== undefined &&
      c.outcome === e.expect &&
      e.detail.test(c.detail);
    if (matched) tally[e.expect] += 1;
    const what = e.expect === 'pass' ? 'passed' : e.expect === 'warn' ? 'warned' : 'caught';
    console.log(
      `  ${matched ? what.padEnd(6) : 'MISSED'}  ${label(e.subject).padEnd(width)}  ${e.check} ${e.expect}: ${e.why}`
    );
    if (!matched) {
      const got =
        v === undefined
          ? 'no verdict'
          : `ok=${v.ok}, ${e.check}: ${c ? `${c.outcome}: ${brief(c.detail)}` : 'absent'}`;
      problems.push(`verify ${e.subject}: expected ${e.check} ${e.expect}, got ${got}`);
    }
  }
  const others = verdicts.filter((v) => !listed.has(v.subject.arn ?? v.subject.name));
  const unexpected = others.filter((v) => !v.ok);
  for (const v of unexpected)
    problems.push(
      `verify: unexpected failure of ${v.subject.kind} ${v.subject.arn ?? v.subject.name}`
    );
  console.log(
    `  ${unexpected.length === 0 ? 'passed' : 'MISSED'}  the ${others.length} other verdicts (functions with nothing seeded)`
  );
  const layers = verdicts.filter((v) => v.subject.kind === 'layer').length;
  const want = (k) => EXPECTED_VERDICTS.filter((e) => e.expect === k).length;
  console.log(
    `\ndemo: ${layers} layer versions and ${verdicts.length - layers} functions verified: ` +
      `${tally.fail} of ${want('fail')} expected failures caught, ${tally.warn} of ${want('warn')} warnings given, ` +
      `${tally.pass} of ${want('pass')} good layers passed.`
  );
}

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: join(ROOT, 'demo-out') } },
  });
  const out = values.out;
  buildIfNeeded();
  const { startAwsEndpoint } = await import(pathToFileURL(AWS_LOCAL).href);
  const { renderVerdictText } = await import(
    pathToFileURL(join(DIST, 'src/report/verdict-text.js')).href
  );
  const problems = [];
  // `sbom -o` does not create the directory it writes into.
  mkdirSync(out, { recursive: true });

  // 1. The single-layer job: a zip in, a CycloneDX SBOM out, a summary on stderr.
  const sampleOut = join(out, 'sample-layer.cdx.json');
  section(`1. One layer zip: lamina sbom ${SAMPLE_LAYER} -o ${arg(sampleOut)}`);
  const sample = await lamina(['sbom', SAMPLE_LAYER, '-o', arg(sampleOut)], process.env, {
    capture: true,
  });
  console.log(sample.stderr.trimEnd());
  if (sample.code !== 0 || !existsSync(sampleOut))
    problems.push(`sbom ${SAMPLE_LAYER} exited ${sample.code}`);

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
  const regionFlags = REGIONS.flatMap((r) => ['--region', r]);
  const awsFlags = ['--endpoint-url', endpoint.url, '--cache-dir', arg(join(out, 'cache'))];
  try {
    // 2. The estate: every function and layer version in two regions.
    section(`2. Scan the estate: local AWS endpoint at ${endpoint.url} serving ${rel(ESTATE)}`);
    const scanArgs = ['scan', ...regionFlags, '--output-dir', arg(out), ...awsFlags];
    console.log(`$ lamina ${scanArgs.join(' ')}\n`);
    rmSync(join(out, 'sboms'), { recursive: true, force: true });
    const scan = await lamina(scanArgs, env);

    const result = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8'));
    const names = new Set(result.functions.map((f) => `${f.region}/${f.name}`));
    const sboms = existsSync(join(out, 'sboms')) ? readdirSync(join(out, 'sboms')) : [];
    console.log(
      `\ndemo: scan exited ${scan.code} (3: could not complete): ${result.failures.length} items could not be fetched.`
    );
    if (scan.code !== 3) problems.push(`scan exited ${scan.code}, the seeded failures make it 3`);
    if (names.size < 12) problems.push(`${names.size} functions scanned, the estate has 16`);
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
    const mismatches = result.drift.digestMismatches;
    for (const d of EXPECTED_REGION_DIFFERENCES) {
      const m = mismatches.find(
        (x) => x.name === d.name && x.owner === d.owner && x.version === d.version
      );
      if (m)
        console.log(
          `demo: expected region difference ${d.name} v${d.version} (${m.regions.map((r) => r.region).join(', ')})\n      this is one of the seeded problems: ${d.why}`
        );
      else problems.push(`the seeded region difference ${d.name} v${d.version} was not reported`);
    }
    if (mismatches.length !== EXPECTED_REGION_DIFFERENCES.length)
      problems.push(
        `${mismatches.length} region differences reported, the estate seeds ${EXPECTED_REGION_DIFFERENCES.length}`
      );
    const crossAccount = result.layers.filter((l) => l.owner !== HOME);
    if (crossAccount.length === 0) problems.push('no cross-account layer in the result');
    console.log(
      `demo: ${sboms.length} layer SBOMs in ${rel(join(out, 'sboms'))}/, the scan result in ${rel(join(out, 'scan.json'))}` +
        `; ${crossAccount.length} layer owned by another account (${crossAccount.map((l) => `${l.name}, ${l.owner}`).join('; ')})`
    );
    if (sboms.length === 0) problems.push('no SBOMs written');

    // 3. One function's merged view: its layers applied in order into /opt.
    const fnOut = join(out, `${EXAMPLE_FUNCTION}.cdx.json`);
    const sbomArgs = [
      'sbom',
      '--function',
      EXAMPLE_FUNCTION,
      '--region',
      REGIONS[0],
      ...awsFlags,
      '-o',
      arg(fnOut),
    ];
    section(`3. A function's merged view (its layers applied in order into /opt)`);
    console.log(`$ lamina ${sbomArgs.join(' ')}\n`);
    const merged = await lamina(sbomArgs, env, { capture: true });
    console.log(merged.stderr.trimEnd());
    if (merged.code !== 0) {
      problems.push(
        `sbom --function ${EXAMPLE_FUNCTION} exited ${merged.code}: ${merged.stderr.trim()}`
      );
    } else {
      const bom = JSON.parse(readFileSync(fnOut, 'utf8'));
      const comps = bom.components ?? [];
      const layers = comps.filter(
        (c) => (c['bom-ref'] ?? '').startsWith('layer:') && !c['bom-ref'].includes('/')
      );
      const pkgs = comps.length - layers.length;
      const prop = (c, name) => (c.properties ?? []).find((p) => p.name === name)?.value;
      const shadowed = comps.filter((c) => prop(c, 'lamina:shadowed-by') !== undefined);
      console.log(
        `\ndemo: merged view of ${EXAMPLE_FUNCTION}: ${pkgs} packages across ${layers.length} layers, ${shadowed.length} shadowed; written to ${rel(fnOut)}`
      );
      for (const c of shadowed) {
        const from = prop(c, 'lamina:layer');
        const by = prop(c, 'lamina:shadowed-by');
        console.log(
          `      ${c.name}@${c.version} of ${from ? label(from) : '?'} is hidden in /opt by ${label(by)}`
        );
      }
      if (layers.length < 3)
        problems.push(`${EXAMPLE_FUNCTION}: ${layers.length} layers in its SBOM, want 3`);
      if (shadowed.length === 0)
        problems.push(
          `${EXAMPLE_FUNCTION}: no shadowed package; node-hotfix replaces node-common's axios`
        );
    }

    // 4. Verify every function and layer version against the demo policy.
    const verifyArgs = ['verify', '--all', '--policy', POLICY, ...regionFlags, ...awsFlags];
    section(`4. Verify the estate against ${POLICY}`);
    console.log(`$ lamina ${verifyArgs.join(' ')}\n`);
    const verify = await lamina([...verifyArgs, '--format', 'json'], env, { capture: true });
    let verdicts = [];
    try {
      verdicts = JSON.parse(verify.stdout).verdicts;
    } catch {
      problems.push(`verify printed no JSON (exit ${verify.code}): ${verify.stderr.trim()}`);
    }
    // The text report is the CLI's own renderer over the same verdicts; in full on disk.
    const textOut = join(out, 'verify.txt');
    writeFileSync(textOut, renderVerdictText(verdicts));
    console.log(condensed(verdicts));
    console.log(
      `\ndemo: verify exited ${verify.code} (1: policy violation); the full report is in ${rel(textOut)}`
    );
    if (verify.code !== 1)
      problems.push(`verify exited ${verify.code}, the seeded problems make it 1`);

    section('5. Seeded problems and good layers: what verify concluded');
    checkVerdicts(verdicts, problems);

    console.log(
      [
        '',
        'Try it yourself: start the endpoint in one terminal',
        '  npm run aws-local -- --estate testdata/estates/demo.yaml',
        'export the lines it prints, then for example',
        `  node dist/src/cli/main.js sbom --function ${EXAMPLE_FUNCTION} --region ${REGIONS[0]}`,
        `  node dist/src/cli/main.js verify ${layer('us-east-1', 'node-common', 4)} --policy ${POLICY}`,
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
      : 'demo: OK, every seeded problem was caught and every good layer passed'
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
