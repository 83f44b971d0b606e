#!/usr/bin/env node
// The sample run (issues 3 and 4): inventory one layer zip, then start the
// local AWS endpoint on testdata/estates/demo.yaml and, as a user would, run
// `lamina scan` against it (report and SBOMs), show one function's merged-layer
// SBOM with what a later layer shadows, and `lamina verify --all` it against
// policies/demo.yaml, recording both in a scan history with Markdown and HTML
// reports, and `lamina verify IMAGE` the image an image function runs (its
// Notation signature's signing job was revoked). Then the estate changes (a new layer version, a revoked signing job,
// a version republished under the same number) and a second scan shows
// `lamina changes` catching each change. No AWS account needed. The estate seeds problems on
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
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
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

/**
 * The image functions the demo estate seeds and what must be said about each: a seeded
 * problem `caught` by the scan as an image drift finding (`finding`) or by `lamina verify --all`
 * as a failed check of the function's image verdict (`check`, its detail matching `detail`),
 * or an image `inventoried` from the real registry with the architecture it was built for.
 */
const EXPECTED_IMAGES = [
  {
    fn: 'thumbnailer',
    expect: 'caught',
    finding: 'tag-moved',
    why: 'deployed by the mutable tag prod, which moved to another build afterwards',
  },
  {
    fn: 'thumbnailer',
    expect: 'caught',
    check: 'signer:image-signer',
    detail: /revoked/,
    why: 'its Notation signing job was revoked',
  },
  {
    fn: 'pdf-render',
    expect: 'inventoried',
    architecture: 'amd64',
    packages: /\brpm\b/,
    why: 'x86_64, built FROM Amazon Linux 2023 (rpm packages from its rpmdb)',
  },
  {
    fn: 'resizer',
    expect: 'inventoried',
    architecture: 'arm64',
    why: 'arm64, the child of a multi-platform index',
  },
];
/** The image function whose image verdict (from `verify --all`) EXPECTED_IMAGES checks. */
const SIGNED_IMAGE_FUNCTION = 'thumbnailer';

/** One line of the image table. */
const imageLine = (ok, e, detail) =>
  console.log(
    `  ${ok ? e.expect.padEnd(11) : 'MISSED     '}  ${e.fn.padEnd(12)}  ${detail}: ${e.why}`
  );

/** Checks the scan's images against EXPECTED_IMAGES; returns the tally for the closing lines. */
function checkImages(result, out, problems) {
  const tally = { caught: 0, inventoried: 0 };
  for (const e of EXPECTED_IMAGES) {
    if (e.check) continue;
    const f = result.functions.find((x) => x.arn === fn('us-east-1', e.fn));
    const repo = (result.images ?? []).find(
      (r) => f?.image?.repository === `${r.registry}/${r.name}`
    );
    const image = repo?.images.find((i) => i.digest === f?.image?.digest);
    let ok = false;
    if (e.expect === 'caught') {
      ok = (result.drift.images?.findings ?? []).some(
        (x) => x.function === f?.arn && x.kind === e.finding
      );
    } else if (image?.status === 'inventoried' && image.architecture === e.architecture) {
      const sbom = image.sbom ? readFileSync(join(out, image.sbom), 'utf8') : '';
      ok = e.packages ? e.packages.test(sbom) : true;
    }
    if (ok) tally[e.expect] += 1;
    else
      problems.push(
        `image function ${e.fn}: expected ${e.expect}${e.finding ? ` (${e.finding})` : ''}`
      );
    const detail =
      e.expect === 'caught'
        ? e.finding
        : `${image?.packageCount ?? 0} packages, ${image?.architecture ?? '?'}`;
    imageLine(ok, e, detail);
  }
  return tally;
}

/** Checks an image verdict of `lamina verify --all` against the EXPECTED_IMAGES that name a check. */
function checkImageVerdict(verdict, tally, problems) {
  for (const e of EXPECTED_IMAGES) {
    if (!e.check) continue;
    const c = verdict?.checks.find((x) => x.id === e.check);
    const ok = verdict?.ok === false && c?.outcome === 'fail' && e.detail.test(c.detail);
    if (ok) tally.caught += 1;
    else
      problems.push(
        `verify of ${e.fn}'s image: expected ${e.check} to fail (${e.detail}), got ${c ? `${c.outcome}: ${brief(c.detail)}` : 'no such check'}`
      );
    imageLine(ok, e, `${e.check} failed`);
  }
}

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
    subject: fn('us-east-1', 'notify-worker'),
    expect: 'fail',
    check: 'function:environment',
    detail: /NODE_OPTIONS="--require \/opt\/nodejs\/debug-hook\.js"/,
    why: 'NODE_OPTIONS has Node.js run a layer file before the handler',
  },
  {
    subject: layer('us-east-1', 'observability-ext', 7, VENDOR),
    expect: 'warn',
    check: 'inventory:complete',
    detail: /UNOWNED_EXECUTABLE.*extensions\/observability-ext/,
    why: "vendor's extension is a bare script no package describes (warn-only rule)",
  },
  // Good layers and functions.
  {
    subject: fn('us-east-1', 'search-api'),
    expect: 'pass',
    check: 'function:environment',
    detail: /allowed: source-mapped stack traces/,
    why: 'NODE_OPTIONS=--enable-source-maps, allowed by the policy',
  },
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

/**
 * A week later (laterEstate below): what changed, and what `lamina changes` must report for
 * each (kind, the ARN it names).
 */
const JOB_0002 =
  'arn:aws:signer:us-east-1:123456789012:/signing-jobs/3f1e2d4c-0002-4a5b-8c7d-000000000002';
const EXPECTED_CHANGES = [
  {
    kind: 'digest-changed',
    arn: layer('us-east-1', 'node-hotfix', 1),
    why: 'node-hotfix:1 republished under the same number, axios downgraded',
  },
  {
    kind: 'signing-revoked',
    arn: JOB_0002,
    why: "the job that signed node-common:3 revoked (orders-api's layer)",
  },
  {
    kind: 'layer-version-added',
    arn: layer('us-east-1', 'node-common', 6),
    why: 'node-common:6 published',
  },
  {
    kind: 'function-moved',
    arn: fn('us-east-1', 'search-api'),
    why: 'search-api moved from node-common:4 to node-common:6',
  },
  {
    kind: 'function-environment',
    arn: fn('us-east-1', 'orders-worker'),
    why: 'orders-worker now has Node.js --import a layer file before its handler',
  },
  {
    kind: 'function-handler',
    arn: fn('us-east-1', 'sso-callback'),
    why: "sso-callback's Handler now names a layer file Node.js loads (/opt/share/doc/auth/notes.js)",
  },
];

/**
 * The demo estate a week later, written beside the demo output: node-common:6 published (and
 * search-api moved to it), the signing job of node-common:3 revoked, sso-callback's Handler
 * pointed at a layer file, node-hotfix:1
 * republished with other bytes (axios 1.8.2 replaced by 0.21.1).
 */
async function laterEstate(path) {
  const YAML = await import('yaml');
  const doc = YAML.parse(readFileSync(ESTATE, 'utf8'));
  const base = dirname(ESTATE);
  // Zip paths are relative to the estate file; the copy lives elsewhere.
  for (const account of Object.values(doc.accounts))
    for (const region of Object.values(account.regions ?? {}))
      for (const l of region.layers ?? [])
        for (const v of l.versions) if (v.zip && !isAbsolute(v.zip)) v.zip = resolve(base, v.zip);
  // So are the OCI layouts of the ECR repositories.
  for (const account of Object.values(doc.accounts))
    for (const region of Object.values(account.regions ?? {}))
      for (const r of region.ecr?.repositories ?? [])
        for (const im of r.images ?? [])
          if (im.layout && !isAbsolute(im.layout)) im.layout = resolve(base, im.layout);
  const east = doc.accounts[HOME].regions['us-east-1'];
  east.signingJobs.push({
    jobId: '3f1e2d4c-0008-4a5b-8c7d-000000000008',
    profile: 'PlatformSigner',
    createdAt: '2025-06-01T09:00:00Z',
    completedAt: '2025-06-01T09:00:04Z',
    signatureExpiresAt: '2036-06-01T09:00:04Z',
  });
  const job2 = east.signingJobs.find((j) => j.jobId.startsWith('3f1e2d4c-0002'));
  job2.revocation = {
    reason: 'signing key exposed in a CI log',
    revokedAt: '2025-06-02T12:00:00Z',
  };
  const nodeCommon = east.layers.find((l) => l.name === 'node-common');
  nodeCommon.versions.push({
    generate: {
      files: {
        'nodejs/node_modules/demo-util/package.json':
          '{"name":"demo-util","version":"3.1.0","license":"MIT"}',
      },
    },
    createdDate: '2025-06-01T10:00:00Z',
    compatibleRuntimes: ['nodejs20.x'],
    signingJob: '3f1e2d4c-0008-4a5b-8c7d-000000000008',
  });
  east.functions.find((f) => f.name === 'search-api').layers = ['node-common:6'];
  east.functions.find((f) => f.name === 'orders-worker').environment = {
    variables: { NODE_OPTIONS: '--import /opt/nodejs/telemetry.mjs' },
  };
  east.functions.find((f) => f.name === 'sso-callback').handler =
    '/opt/share/doc/auth/notes.handler';
  const hotfix = east.layers.find((l) => l.name === 'node-hotfix');
  hotfix.versions[0].generate.files['nodejs/node_modules/axios/package.json'] =
    '{"name":"axios","version":"0.21.1","license":"MIT"}';
  // Deleted and published again: the listing's CreatedDate is new, so a re-scan describes it
  // again instead of reusing what it knew of the old version 1.
  hotfix.versions[0].createdDate = '2025-06-08T09:00:00.000+0000';
  writeFileSync(path, YAML.stringify(doc));
  return path;
}

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
  if (!arn.startsWith('arn:')) return arn; // an image reference
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

/**
 * Compare verdicts with EXPECTED_VERDICTS; print each expectation as it is checked. Verdicts in
 * `checkedElsewhere` (an image verdict EXPECTED_IMAGES names) are not counted as others.
 */
function checkVerdicts(verdicts, problems, checkedElsewhere = new Set()) {
  // An image verdict carries the ARN of the function running it: key layers and functions only.
  const bySubject = new Map(
    verdicts
      .filter((v) => v.subject.kind !== 'image')
      .map((v) => [v.subject.arn ?? v.subject.name, v])
  );
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
  const others = verdicts.filter(
    (v) =>
      !checkedElsewhere.has(v) &&
      (v.subject.kind === 'image' || !listed.has(v.subject.arn ?? v.subject.name))
  );
  const unexpected = others.filter((v) => !v.ok);
  for (const v of unexpected)
    problems.push(
      `verify: unexpected failure of ${v.subject.kind} ${v.subject.arn ?? v.subject.name}`
    );
  console.log(
    `  ${unexpected.length === 0 ? 'passed' : 'MISSED'}  the ${others.length} other verdicts (functions with nothing seeded)`
  );
  const count = (kind) => verdicts.filter((v) => v.subject.kind === kind).length;
  const want = (k) => EXPECTED_VERDICTS.filter((e) => e.expect === k).length;
  console.log(
    `\ndemo: ${count('layer')} layer versions, ${count('function')} functions and ${count('image')} function images verified: ` +
      `${tally.fail} of ${want('fail')} expected failures caught, ${tally.warn} of ${want('warn')} warnings given, ` +
      `${tally.pass} of ${want('pass')} good layers and functions passed.`
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
  const endpoints = [endpoint];
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
  let imageTally = { caught: 0, inventoried: 0 };
  const awsFlags = ['--endpoint-url', endpoint.url, '--cache-dir', arg(join(out, 'cache'))];
  try {
    // 2. The estate: every function and layer version in two regions.
    section(`2. Scan the estate: local AWS endpoint at ${endpoint.url} serving ${rel(ESTATE)}`);
    const db = join(out, 'history.db');
    for (const x of ['', '-wal', '-shm']) rmSync(db + x, { force: true });
    const reportFlags = (dir) => [
      '--html',
      arg(join(dir, 'report.html')),
      '--markdown',
      arg(join(dir, 'report.md')),
    ];
    const scanArgs = [
      'scan',
      ...regionFlags,
      '--output-dir',
      arg(out),
      '--history',
      arg(db),
      ...reportFlags(out),
      ...awsFlags,
    ];
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
    if (names.size < 12) problems.push(`${names.size} functions scanned, the estate has 18`);
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
    console.log('\ndemo: image functions (read from ECR and a real registry):');
    imageTally = checkImages(result, out, problems);

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
    const verifyAll = (flags) => [
      'verify',
      '--all',
      '--policy',
      POLICY,
      '--history',
      arg(db),
      ...regionFlags,
      ...flags,
    ];
    const verifyArgs = verifyAll(awsFlags);
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

    // 5. Image functions: verify --all gave each the verdict of the images: rule it falls under.
    section(`5. Image functions: their images' verdicts from verify --all`);
    const imageVerdicts = verdicts.filter((v) => v.subject.kind === 'image');
    console.log(condensed(imageVerdicts));
    const signed = imageVerdicts.find(
      (v) => v.subject.arn === fn('us-east-1', SIGNED_IMAGE_FUNCTION)
    );
    console.log('\ndemo: image functions (scan and verify):');
    checkImageVerdict(signed, imageTally, problems);

    section('6. Seeded problems and good layers: what verify concluded');
    checkVerdicts(verdicts, problems, new Set([signed]));
    const wantImages = (k) => EXPECTED_IMAGES.filter((e) => e.expect === k).length;
    console.log(
      `demo: ${new Set(EXPECTED_IMAGES.map((e) => e.fn)).size} image functions scanned and verified: ` +
        `${imageTally.caught} of ${wantImages('caught')} seeded image problems caught, ` +
        `${imageTally.inventoried} of ${wantImages('inventoried')} images inventoried.`
    );
    for (const f of ['report.html', 'report.md'])
      if (!existsSync(join(out, f))) problems.push(`scan wrote no ${f}`);
    console.log(
      `\ndemo: reports of the scan in ${rel(join(out, 'report.html'))} and ${rel(join(out, 'report.md'))}; scan and verdicts recorded in ${rel(db)}`
    );

    // 7. A week later: the estate changed; scan again, and ask what changed.
    endpoints.splice(endpoints.indexOf(endpoint), 1);
    await endpoint.close();
    const later = await startAwsEndpoint({
      estate: await laterEstate(join(out, 'estate-later.yaml')),
    });
    endpoints.push(later);
    const laterFlags = ['--endpoint-url', later.url, '--cache-dir', arg(join(out, 'cache'))];
    const laterOut = join(out, 'later');
    section(
      '7. A week later: node-common:6 published, a signing job revoked, node-hotfix:1 republished, a Handler moved'
    );
    const scan2Args = [
      'scan',
      ...regionFlags,
      '--output-dir',
      arg(laterOut),
      '--history',
      arg(db),
      ...reportFlags(laterOut),
      '--quiet',
      ...laterFlags,
    ];
    console.log(`$ lamina ${scan2Args.join(' ')}`);
    const scan2 = await lamina(scan2Args, env, { capture: true });
    if (scan2.code !== 3)
      problems.push(`second scan exited ${scan2.code}, the seeded failures make it 3`);
    const verify2Args = verifyAll(laterFlags);
    console.log(`$ lamina ${verify2Args.join(' ')} > /dev/null`);
    const verify2 = await lamina([...verify2Args, '--format', 'json'], env, { capture: true });
    if (verify2.code !== 1) problems.push(`second verify exited ${verify2.code}, want 1`);
    const changesArgs = ['changes', '--db', arg(db)];
    const changesHtml = join(out, 'changes.html');
    const changesShown = [...changesArgs, '--html', arg(changesHtml)];
    console.log(`$ lamina ${changesShown.join(' ')}\n`);
    const changes = await lamina(changesShown, env, { capture: true });
    if (!existsSync(changesHtml)) problems.push('changes --html wrote no report');
    console.log(changes.stdout.trimEnd());
    console.log(
      `\ndemo: changes exited ${changes.code} (1: a change of a kind --fail-on selects: a republished version, a revocation, an environment or a Handler that loads other code)`
    );
    if (changes.code !== 1) problems.push(`changes exited ${changes.code}, want 1`);

    section('8. What changed: what lamina changes caught');
    const asJson = await lamina([...changesArgs, '--format', 'json'], env, { capture: true });
    let c = null;
    try {
      c = JSON.parse(asJson.stdout);
    } catch {
      problems.push(`changes printed no JSON (exit ${asJson.code}): ${asJson.stderr.trim()}`);
    }
    const arnsOf = {
      'digest-changed': (x) => x.digestsChanged.map((d) => d.arn),
      'signing-revoked': (x) => x.signingRevoked.map((d) => d.arn),
      'layer-version-added': (x) => x.layerVersionsAdded.map((d) => d.arn),
      'function-moved': (x) => x.functionsMoved.map((d) => d.function),
      'function-environment': (x) => x.functionsEnvironment.map((d) => d.function),
      'function-handler': (x) => x.functionsHandler.map((d) => d.function),
    };
    let caught = 0;
    for (const e of EXPECTED_CHANGES) {
      const ok = c !== null && arnsOf[e.kind](c).includes(e.arn);
      if (ok) caught += 1;
      else problems.push(`changes: ${e.kind} ${e.arn} not reported`);
      const what = e.arn.includes(':/signing-jobs/')
        ? `signing job ${e.arn.split('/').pop()}`
        : label(e.arn);
      console.log(`  ${ok ? 'caught' : 'MISSED'}  ${e.kind.padEnd(20)} ${what}: ${e.why}`);
    }
    const hotfix = c?.digestsChanged.find((d) => d.arn === EXPECTED_CHANGES[0].arn);
    const axios = hotfix?.diff?.versionChanged.find((v) => v.name === 'axios');
    if (!axios || axios.direction !== 'downgrade')
      problems.push('changes: the republished node-hotfix:1 does not show axios downgraded');
    console.log(
      `\ndemo: ${caught} of ${EXPECTED_CHANGES.length} changes caught` +
        (axios
          ? `; node-hotfix:1's new bytes: axios ${axios.from.version} -> ${axios.to.version} (${axios.direction})`
          : '') +
        `; the report of the second scan with its verdicts and the changes in ${rel(changesHtml)}`
    );

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
    for (const e of endpoints) await e.close();
  }
  for (const p of problems) console.error(`demo: PROBLEM: ${p}`);
  console.log(
    problems.length
      ? 'demo: the results do NOT match what the estate seeds'
      : 'demo: OK, every seeded problem was caught, every good layer passed and every change was reported'
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
