/**
 * End to end through the local AWS endpoint (real SDK clients over HTTP): a layer version that
 * is pinned and signed by an allowed AWS Signer profile, but hides a denied package from the
 * inventory, fails `lamina verify --all`. Before verify consulted the inventory, this layer
 * passed every check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli as lamina } from '../helpers/cli.js';
import type { Verdict } from '../../../src/verify/verdict.js';

const HOME = '333333333333';
const R = 'us-east-1';
const HOSTILE = resolve('testdata/hostile');
const sha = (f: string) =>
  createHash('sha256')
    .update(readFileSync(`${HOSTILE}/${f}`))
    .digest('hex');
const job = (n: number) => `5e1f0c2a-7b3d-4e6f-8a9b-00000000000${n}`;
const arn = (name: string) => `arn:aws:lambda:${R}:${HOME}:layer:${name}:1`;

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAHIDDENPKG0000001, secretAccessKey: hidden-secret }]
    regions:
      ${R}:
        signingProfiles:
          - { name: Release, version: RelVer0001, status: Active }
        signingJobs:
          - { jobId: ${job(1)}, profile: Release, createdAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:05Z', signatureExpiresAt: '2035-01-01T00:00:05Z' }
          - { jobId: ${job(2)}, profile: Release, createdAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:05Z', signatureExpiresAt: '2035-01-01T00:00:05Z' }
        layers:
          - name: shared-utils
            versions: [{ zip: ${HOSTILE}/bom-package-json.zip, signingJob: ${job(1)}, compatibleRuntimes: [nodejs20.x] }]
          - name: shared-utils-visible
            versions: [{ zip: ${HOSTILE}/plain.zip, signingJob: ${job(2)}, compatibleRuntimes: [nodejs20.x] }]
        functions:
          - { name: api, runtime: nodejs20.x, layers: ['shared-utils:1'] }
`;

const POLICY = `version: 1
default: deny
anchors:
  release: { kind: aws-signer, profileArn: 'arn:aws:signer:${R}:${HOME}:/signing-profiles/Release' }
layers:
  - match: { name: 'shared-utils*', account: ['${HOME}'] }
    pins:
      - { sha256: '${sha('bom-package-json.zip')}', version: 1 }
      - { sha256: '${sha('plain.zip')}', version: 1 }
    signers: { anyOf: [release] }
    packages:
      deny:
        - { purl: 'pkg:npm/ms', versions: '<2.1.1', reason: 'ReDoS in ms before 2.1.1' }
functions:
  - match: { account: ['${HOME}'] }
    layerAccounts: ['${HOME}']
`;

let h: AwsLocal;
let policy: string;

beforeAll(async () => {
  h = await startAwsLocal(ESTATE);
  policy = await h.file('policy.yaml', POLICY);
});
afterAll(async () => {
  await h.close();
});

const outcomes = (v: Verdict) => Object.fromEntries(v.checks.map((c) => [c.id, c.outcome]));

describe('verify --all: a pinned, Signer-signed layer hiding a denied package', () => {
  it('fails (exit 1): pins and signature pass, the hidden package or the unseen entry fails it', async () => {
    const r = await lamina([
      'verify',
      '--all',
      '--policy',
      policy,
      '--region',
      R,
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const { verdicts } = JSON.parse(r.stdout) as { verdicts: Verdict[] };
    const byArn = new Map(verdicts.map((v) => [v.subject.arn, v]));

    const hidden = byArn.get(arn('shared-utils'))!;
    expect(hidden.ok).toBe(false);
    const o = outcomes(hidden);
    expect(o).toMatchObject({
      digest: 'pass',
      'signer:release': 'pass',
      'signers:threshold': 'pass',
    });
    expect(o['packages'] === 'fail' || o['inventory:complete'] === 'fail').toBe(true);

    // The control: the same package where the inventory sees it is denied by name and version.
    const visible = byArn.get(arn('shared-utils-visible'))!;
    expect(outcomes(visible)).toMatchObject({
      digest: 'pass',
      'signer:release': 'pass',
      packages: 'fail',
      'inventory:complete': 'pass',
    });

    // The function itself is fine: only the layer fails.
    const fn = verdicts.find((v) => v.subject.kind === 'function');
    expect(fn?.ok).toBe(true);
  });

  it('verify of the layer version ARN alone fails the same way', async () => {
    const r = await lamina(['verify', arn('shared-utils'), '--policy', policy, ...h.awsFlags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL (inventory:complete|packages):/);
    expect(r.stdout).toMatch(/PASS signer:release/);
  });
});
