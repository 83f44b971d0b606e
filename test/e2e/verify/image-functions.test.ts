// `lamina verify --all` and `verify --function` on container-image functions, through the real
// AWS SDK against the local endpoint, whose ECR registry is Debian's docker-registry behind a
// token-checking front: Notation signatures shaped like AWS Signer's, found through the
// referrers tag schema, revocation through GetRevocationStatus, an archived image, another
// account's repository without permission, and two functions sharing one image.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { readLayout, REF_NAME, writeLayout } from '../../../scripts/lib/ociwriter.mjs';
import { referrersTag } from '../../../src/fetch/image/signatures.js';
import { ALPINE_LAYOUT, ALPINE_MANIFEST } from '../../../src/fetch/image/testing/fixtures.js';
import {
  notationReferrer,
  referrersIndex,
  type Doc,
} from '../../../src/fetch/image/testing/signed-image.js';
import {
  sarifSchemaErrors,
  githubSarifViolations,
} from '../../../src/report/testing/sarif-rules.js';
import {
  makeSignerChain,
  type SignerChain,
} from '../../../src/verify/images/testing/signer-chain.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';
import {
  GOOD_JOB,
  HOME,
  PROFILE,
  R,
  REVOKED_JOB,
  rootPemOf,
  SIGNER_ESTATE,
  signerEnvelope,
} from './image-signing.js';

const VENDOR = '222222222222';
const ecr = (account: string) => `${account}.dkr.ecr.${R}.amazonaws.com`;
const fnArn = (name: string) => `arn:aws:lambda:${R}:${HOME}:function:${name}:$LATEST`;
const SIGNED_AT = new Date(Date.now() - 3600_000);

let chain: SignerChain;
let aws: AwsLocal;
let layouts: string;
let rootPem: string;
let estate: string;

/** A layout with the Alpine image (ref `image`) and, when signed, a tag-schema referrers index (ref `sigs`). */
function layout(name: string, signingJob?: string): string {
  const alpine = readLayout(resolve(ALPINE_LAYOUT)) as { blob: (d: string) => Buffer };
  const manifest = alpine.blob(ALPINE_MANIFEST);
  const doc = JSON.parse(manifest.toString()) as {
    mediaType: string;
    config: { digest: string };
    layers: { digest: string }[];
  };
  const subject = { mediaType: doc.mediaType, digest: ALPINE_MANIFEST, size: manifest.length };
  const blobs = new Map<string, Buffer>([[ALPINE_MANIFEST, manifest]]);
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)])
    blobs.set(d, alpine.blob(d));
  const entries: {
    mediaType: string;
    digest: string;
    size: number;
    annotations: Record<string, string>;
  }[] = [{ ...subject, annotations: { [REF_NAME]: 'image' } }];
  if (signingJob) {
    const sig: Doc = notationReferrer(
      subject,
      signerEnvelope(chain, subject, signingJob, SIGNED_AT)
    );
    for (const [k, v] of sig.blobs) blobs.set(k, v);
    blobs.set(sig.descriptor.digest, sig.bytes);
    const index = referrersIndex([sig.descriptor]);
    const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    blobs.set(digest, index);
    entries.push({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest,
      size: index.length,
      annotations: { [REF_NAME]: 'sigs' },
    });
  }
  const dir = join(layouts, name);
  writeLayout(dir, { blobs, entries });
  return dir;
}

function repository(name: string, dir: string, o: { signed?: boolean; archived?: boolean } = {}) {
  const status = o.archived ? ', status: ARCHIVED' : '';
  return `
            - name: ${name}
              images:
                - { layout: '${dir}', ref: image, tags: [prod], pushedAt: '2024-06-01T00:00:00Z'${status} }${
                  o.signed
                    ? `
                - { layout: '${dir}', ref: sigs, tags: ['${referrersTag(ALPINE_MANIFEST)}'], pushedAt: '2024-06-01T00:00:01Z' }`
                    : ''
                }`;
}

beforeAll(async () => {
  chain = await makeSignerChain(SIGNED_AT, R);
  layouts = mkdtempSync(join(tmpdir(), 'lamina-image-fns-'));
  const good = layout('good', GOOD_JOB);
  const revoked = layout('revoked', REVOKED_JOB);
  const unsigned = layout('unsigned');
  const image = (name: string, uri: string) =>
    `\n          - { name: ${name}, packageType: Image, imageUri: '${uri}', lastModified: '2024-07-01T00:00:00Z' }`;
  estate = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAIMAGEHOME0000001, secretAccessKey: home-secret }]
    regions:
      ${R}:
${SIGNER_ESTATE}        ecr:
          repositories:${repository('app/signed', good, { signed: true })}${repository('app/revoked', revoked, { signed: true })}${repository('app/unsigned', unsigned)}${repository('app/old', good, { signed: true, archived: true })}
        functions:${image('signed-a', `${ecr(HOME)}/app/signed@${ALPINE_MANIFEST}`)}${image('signed-b', `${ecr(HOME)}/app/signed:prod`)}${image('revoked', `${ecr(HOME)}/app/revoked:prod`)}${image('unsigned', `${ecr(HOME)}/app/unsigned:prod`)}${image('archived', `${ecr(HOME)}/app/old:prod`)}${image('vendor-denied', `${ecr(VENDOR)}/private:prod`)}
          - { name: zip-fn }
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAIMAGEVENDOR00001, secretAccessKey: vendor-secret }]
    roles:
      - name: Audit
        trustedAccounts: ['${HOME}']
    regions:
      ${R}:
        ecr:
          repositories:${repository('private', good, { signed: true })}
`;
  aws = await startAwsLocal(estate);
  rootPem = rootPemOf(chain);
  await aws.file('signer-root.pem', rootPem);
}, 120_000);

afterAll(async () => {
  await aws?.close();
  if (layouts) rmSync(layouts, { recursive: true, force: true });
});

const POLICY = () => `version: 1
default: deny
anchors:
  image-team:
    kind: aws-signer
    profileArn: '${PROFILE}'
    notationRoot: { path: signer-root.pem, sha256: '${createHash('sha256').update(rootPem).digest('hex')}' }
functions:
  - match: { name: '*' }
images:
  # every repository of the estate's ECR registries
  - match: { repository: '**' }
    signers: { anyOf: [image-team] }
    revocation: required
`;

/** Run from the endpoint's directory, the policy named relatively (as in a checkout). */
async function verify(args: string[], format = 'json', local = aws, policy = POLICY()) {
  await local.file('signer-root.pem', rootPem);
  await local.file('policy.yaml', policy);
  const cwd = process.cwd();
  process.chdir(local.dir);
  return runCli([
    'verify',
    ...args,
    '--policy',
    'policy.yaml',
    '--region',
    R,
    '--format',
    format,
    ...local.awsFlags,
  ]).finally(() => process.chdir(cwd));
}

/** Image verdicts by the name of the function running the image. */
const imageVerdicts = (stdout: string): Map<string, Verdict> =>
  new Map(
    (JSON.parse(stdout) as { verdicts: Verdict[] }).verdicts
      .filter((v) => v.subject.kind === 'image')
      .map((v) => [/:function:([^:]+)/.exec(v.subject.arn ?? '')?.[1] ?? '', v])
  );

const failed = (v: Verdict | undefined) =>
  v?.checks.filter((c) => c.outcome === 'fail').map((c) => c.id) ?? ['no verdict'];

/** Manifest GETs of the Alpine image, by repository, at the registry front. */
function alpineGets(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of aws.endpoint.log)
    if (
      r.service === 'registry' &&
      r.op === 'GetManifest' &&
      r.ref?.endsWith(`@${ALPINE_MANIFEST}`)
    ) {
      const repo = r.ref.slice(0, r.ref.indexOf('@'));
      counts.set(repo, (counts.get(repo) ?? 0) + 1);
    }
  return counts;
}

describe('verify --all: image functions under the images rules', () => {
  it('gives every image function an image verdict; unreadable images fail that function only', async () => {
    const before = alpineGets();
    const r = await verify(['--all']);
    // vendor-denied's repository could not be read: the run cannot vouch for it.
    expect(r.code).toBe(3);
    const images = imageVerdicts(r.stdout);
    expect([...images.keys()]).toEqual([
      'archived',
      'revoked',
      'signed-a',
      'signed-b',
      'unsigned',
      'vendor-denied',
    ]);
    expect(images.get('archived')?.subject.arn).toBe(fnArn('archived'));

    const a = images.get('signed-a')!;
    expect(a.ok).toBe(true);
    expect(a.subject).toMatchObject({
      digest: ALPINE_MANIFEST,
      ruleName: `${ecr(HOME)}/app/signed`,
    });
    expect(a.rule).toMatchObject({ section: 'images', index: 0 });
    const signer = a.checks.find((c) => c.id === 'signer:image-team')!;
    expect(signer.outcome).toBe('pass');
    expect(JSON.stringify(signer.evidence)).toContain('NOT_REVOKED');
    // Deployed by the mutable tag prod: passes with the tags warning.
    const b = images.get('signed-b')!;
    expect(b.ok).toBe(true);
    expect(b.checks.find((c) => c.id === 'tags')).toMatchObject({ outcome: 'warn' });
    expect(b.checks.find((c) => c.id === 'tags')?.detail).toMatch(/Named by tag prod/);

    const revoked = images.get('revoked');
    expect(failed(revoked)).toContain('signer:image-team');
    expect(revoked?.checks.find((c) => c.id === 'signer:image-team')?.detail).toContain(
      REVOKED_JOB
    );
    expect(revoked?.checks.find((c) => c.id === 'signer:image-team')?.detail).toMatch(/REVOKED/);
    expect(failed(images.get('unsigned'))).toContain('signer:image-team');

    const fetchFailure = (name: string) =>
      images.get(name)?.checks.find((c) => c.id === 'fetch')?.evidence['failure'];
    expect(failed(images.get('archived'))).toEqual(['fetch']);
    expect(fetchFailure('archived')).toMatchObject({ code: 'IMAGE_ARCHIVED' });
    expect(failed(images.get('vendor-denied'))).toEqual(['fetch']);
    expect(fetchFailure('vendor-denied')).toMatchObject({ code: 'ACCESS_DENIED' });

    // Functions keep their own verdicts; zip and image functions alike.
    const fns = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts.filter(
      (v) => v.subject.kind === 'function'
    );
    expect(fns).toHaveLength(7);
    expect(fns.every((v) => v.ok)).toBe(true);

    // signed-a and signed-b run one image: it was resolved once for both.
    const after = alpineGets();
    expect((after.get('app/signed') ?? 0) - (before.get('app/signed') ?? 0)).toBe(1);
    // The archived image and the denied repository were never pulled.
    expect((after.get('app/old') ?? 0) - (before.get('app/old') ?? 0)).toBe(0);
  });

  it('text: an images section and a summary that counts images', async () => {
    const r = await verify(['--all'], 'text');
    expect(r.code).toBe(3);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('Images (6):');
    expect(lines).toContain('Functions (7):');
    expect(r.stdout).toContain(`FAIL image ${ecr(HOME)}/app/old:prod (function archived:$LATEST)`);
    expect(r.stdout).toMatch(/IMAGE_ARCHIVED/);
    expect(lines.filter((l) => l !== '').at(-1)).toBe(
      '6 images, 0 layers, 7 functions: 4 failed, 1 warned, 8 passed'
    );
  });

  it('SARIF: image results at the images rule, valid for GitHub code scanning', async () => {
    const r = await verify(['--all'], 'sarif');
    expect(r.code).toBe(3);
    const log = JSON.parse(r.stdout) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations: { physicalLocation?: { region?: { startLine?: number } } }[];
        }[];
      }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifViolations(log)).toEqual([]);
    const results = log.runs[0]!.results;
    const archived = results.find((x) => /IMAGE_ARCHIVED/.test(x.message.text));
    expect(archived?.ruleId).toBe('lamina/digest');
    expect(archived?.message.text).toContain('(function archived:$LATEST)');
    // At the line where the images rule starts.
    const line =
      POLICY()
        .split('\n')
        .findIndex((l) => l.includes("repository: '**'")) + 1;
    expect(line).toBeGreaterThan(1);
    expect(archived?.locations[0]?.physicalLocation?.region?.startLine).toBe(line);
    expect(
      results.some((x) => x.ruleId === 'lamina/signer' && x.message.text.includes(REVOKED_JOB))
    ).toBe(true);
  });
});

describe('verify --function on an image function', () => {
  it('a signed image passes (exit 0): the function verdict and its image verdict', async () => {
    const r = await verify(['--function', 'signed-a']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    expect(vs.map((v) => v.subject.kind)).toEqual(['function', 'image']);
    expect(vs[1]?.subject.arn).toMatch(/:function:signed-a\b/);
  });

  it('package rules: the image is inventoried, a denied package in it fails (exit 1)', async () => {
    // The images rule is the policy's last: its package rule goes at the end.
    const deny = "    packages: { deny: [{ purl: 'pkg:apk/alpine/busybox' }] }\n";
    const r = await verify(['--function', 'signed-a'], 'json', aws, POLICY() + deny);
    expect(r.code).toBe(1);
    const v = imageVerdicts(r.stdout).get('signed-a');
    expect(failed(v)).toEqual(['packages']);
    expect(v?.checks.find((c) => c.id === 'inventory:complete')?.outcome).toBe('pass');
    const allowed = "    packages: { deny: [{ purl: 'pkg:apk/alpine/not-in-this-image' }] }\n";
    const ok = await verify(['--function', 'signed-a'], 'json', aws, POLICY() + allowed);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a revoked signing job fails (exit 1)', async () => {
    const r = await verify(['--function', 'revoked']);
    expect(r.code).toBe(1);
    expect(failed(imageVerdicts(r.stdout).get('revoked'))).toEqual([
      'signer:image-team',
      'signers:threshold',
    ]);
  });

  it('an unsigned image fails (exit 1)', async () => {
    const r = await verify(['--function', 'unsigned']);
    expect(r.code).toBe(1);
    expect(failed(imageVerdicts(r.stdout).get('unsigned'))).toEqual([
      'signer:image-team',
      'signers:threshold',
    ]);
  });

  it('an archived image is a failed verdict about the estate (exit 1, not 3)', async () => {
    const r = await verify(['--function', 'archived']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('IMAGE_ARCHIVED');
  });

  it('a repository of another account without permission: ACCESS_DENIED, exit 3', async () => {
    const r = await verify(['--function', 'vendor-denied']);
    expect(r.code).toBe(3);
    const v = imageVerdicts(r.stdout).get('vendor-denied');
    expect(v?.checks[0]?.evidence['failure']).toMatchObject({ code: 'ACCESS_DENIED' });
  });
});

describe('verify --all over several accounts', () => {
  it("reads another account's repository as its owner where the run covers that account", async () => {
    const r = await verify(['--all', '--role-arn', `arn:aws:iam::${VENDOR}:role/Audit`]);
    const images = imageVerdicts(r.stdout);
    // Read as the vendor, whose repository it is: signed by the team, so it passes.
    const v = images.get('vendor-denied');
    expect(v?.ok).toBe(true);
    expect(v?.checks.find((c) => c.id === 'signer:image-team')?.outcome).toBe('pass');
    // The rest as before: a revoked and an unsigned image fail the run (exit 1), nothing unread.
    expect(failed(images.get('revoked'))).toContain('signer:image-team');
    expect(r.code).toBe(1);
  });
});

describe('verify on image functions when the registry fails', () => {
  let faulted: AwsLocal | undefined;
  afterAll(async () => {
    await faulted?.close();
  });

  it('a registry that keeps failing fails the image verdict and the run is incomplete (exit 3)', async () => {
    faulted = await startAwsLocal(estate, { faults: '5xx@GetManifest=1' });
    const r = await verify(['--function', 'signed-a'], 'json', faulted);
    expect(r.code).toBe(3);
    const v = imageVerdicts(r.stdout).get('signed-a');
    expect(v?.ok).toBe(false);
    const failure = v?.checks[0]?.evidence['failure'] as { code: string } | undefined;
    expect(failure?.code).toMatch(/RETRIES_EXHAUSTED|HTTP_ERROR/);
  });
});
