/**
 * The S3 side of verification against the in-process endpoint with the real SDK: the signed
 * object AWS Signer wrote (DescribeSigningJob.signedObject.s3) must hash to the layer's sha256,
 * and `s3://` Sigstore bundle sources.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli } from '../helpers/cli.js';
import { MAX_BUNDLE_BYTES, collectBundles } from '../../../src/fetch/bundles.js';
import { ClientFactory } from '../../../src/fetch/aws/clients.js';
import { SdkS3Reader } from '../../../src/fetch/aws/s3.js';
import { RETRY } from '../../../src/fetch/retry.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { HOME, R, VENDOR, layerArn, profileArn } from './estate.js';

const job = (n: number) => `0b6a3c44-1f2e-4d5c-9a8b-0000000000${String(n).padStart(2, '0')}`;
const gen = (name: string) =>
  `{ files: { 'nodejs/node_modules/${name}/package.json': '{"name":"${name}","version":"1.0.0"}' } }`;
const done = `createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z'`;

/** Digest of testdata/sigstore/conformance/a.txt, the artifact of the happy-path-v0.3 bundle. */
const A_TXT = 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
const BUNDLE = resolve('testdata/sigstore/conformance/happy-path-v0.3/bundle.sigstore.json');

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAVERIFYS3HOME0001, secretAccessKey: s }]
    regions:
      ${R}:
        signingProfiles: [{ name: Team, version: TeamVer001 }]
        signingJobs:
          - { jobId: ${job(1)}, profile: Team, ${done} }
          - { jobId: ${job(2)}, profile: Team, ${done}, signedObject: { bucketName: swapped-output, key: 'x/${job(2)}.zip' } }
          - { jobId: ${job(3)}, profile: Team, ${done}, signedObject: { bucketName: central-signing, key: 'signed/${job(3)}.zip' } }
        layers:
          - { name: l-match, versions: [{ generate: ${gen('l-match')}, signingJob: ${job(1)} }] }
          - { name: l-swapped, versions: [{ generate: ${gen('l-swapped')}, signingJob: ${job(2)} }] }
          - { name: l-denied, versions: [{ generate: ${gen('l-denied')}, signingJob: ${job(3)} }] }
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAVERIFYS3VEND0001, secretAccessKey: s }]
s3:
  buckets:
    swapped-output:
      objects:
        'x/${job(2)}.zip': { generate: { files: { 'nodejs/other.js': 'not what was published' } } }
    central-signing:
      account: '${VENDOR}'
    bundles:
      objects:
        'sigstore/${A_TXT}.sigstore.json': { file: '${BUNDLE}' }
        'big/${A_TXT}.json': { text: '${'x'.repeat(MAX_BUNDLE_BYTES + 1)}' }
    vendor-bundles:
      account: '${VENDOR}'
      objects:
        'p/${A_TXT}.json': { file: '${BUNDLE}' }
`;

const POLICY = `version: 1
default: deny
anchors:
  team: { kind: aws-signer, profileArn: '${profileArn(HOME, 'Team')}' }
layers:
  - match: { name: 'l-*' }
    signers: { anyOf: [team] }
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

async function signerCheck(layer: string) {
  const r = await runCli([
    'verify',
    layerArn(layer),
    '--policy',
    policy,
    '--format',
    'json',
    ...h.awsFlags,
  ]);
  const v = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!;
  return {
    code: r.code,
    stderr: r.stderr,
    v,
    check: v.checks.find((c) => c.id === 'signer:team')!,
  };
}

describe('AWS Signer signed object in S3', () => {
  it("passes when the signed object's sha256 equals the layer's, and says it compared them", async () => {
    const r = await signerCheck('l-match');
    expect(r.code).toBe(0);
    expect(r.check.outcome).toBe('pass');
    expect(r.check.detail).toContain(
      `sha256 of the signed object Signer wrote to S3 (s3://signer-${HOME}-${R}/signed/${job(1)}.zip) against the layer's sha256`
    );
    expect(r.v.subject.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.check.evidence['signedObjectSha256']).toBe(r.v.subject.sha256);
  });

  it('fails when the signed object has other bytes than the published layer', async () => {
    const r = await signerCheck('l-swapped');
    expect(r.code).toBe(1);
    expect(r.check.outcome).toBe('fail');
    expect(r.check.detail).toMatch(
      /^The signed object in S3 has sha256 [0-9a-f]{64}, not the layer's/
    );
    expect(r.check.evidence['signedObjectSha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.check.evidence['signedObjectSha256']).not.toBe(r.v.subject.sha256);
    expect(r.check.evidence['signedObject']).toBe(`s3://swapped-output/x/${job(2)}.zip`);
  });

  it('fails closed, with the reason, when the signed object cannot be read', async () => {
    const r = await signerCheck('l-denied');
    expect(r.code).toBe(1);
    expect(r.check.outcome).toBe('fail');
    expect(r.check.detail).toMatch(
      /^Signed object not readable: GetObject s3:\/\/central-signing\/signed\/.*: AccessDenied/
    );
    expect(r.check.detail).toContain('NOT the signed object in S3 (not readable)');
    expect(r.check.evidence['signedObjectSha256']).toBeUndefined();
    expect(r.stderr).toMatch(/GetObject s3:\/\/central-signing\/.*AccessDenied/);
  });
});

describe('s3:// bundle sources', () => {
  let factory: ClientFactory;
  let reader: SdkS3Reader;
  beforeAll(() => {
    factory = new ClientFactory({
      endpointUrl: h.endpoint.url,
      credentials: h.endpoint.credentials,
      maxAttempts: 1,
    });
    reader = new SdkS3Reader(factory, { retry: RETRY.verify.api });
  });
  afterAll(() => factory.destroy());
  const lookup = (digest: string, s3: string) =>
    collectBundles(digest, [{ s3 }], { baseDir: '.', s3: reader });

  it('finds the bundle named by the digest under the prefix', async () => {
    const r = await lookup(A_TXT, 's3://bundles/sigstore/');
    expect(r.errors).toEqual([]);
    expect(r.bundles).toEqual([
      {
        source: `s3://bundles/sigstore/${A_TXT}.sigstore.json`,
        bundle: JSON.parse(await readFile(BUNDLE, 'utf8')) as unknown,
      },
    ]);
    // Both names were asked for; the `.json` one does not exist, which is not an error.
    const asked = h.endpoint.log.filter((l) => l.service === 's3').slice(-2);
    expect(asked.map((l) => l.status)).toEqual([200, 404]);
  });

  it('finds nothing, without error, for a digest with no bundle', async () => {
    const r = await lookup('00'.repeat(32), 's3://bundles/sigstore/');
    expect(r).toEqual({ bundles: [], errors: [] });
  });

  it('reports a bucket it may not read, a missing bucket and an oversized object as unread', async () => {
    const denied = await lookup(A_TXT, 's3://vendor-bundles/p/');
    expect(denied.bundles).toEqual([]);
    expect(denied.errors[0]).toMatch(/^s3:\/\/vendor-bundles\/p\/a0cfc7.*: AccessDenied/);
    const missing = await lookup(A_TXT, 's3://no-such-bucket/');
    expect(missing.errors[0]).toMatch(/NoSuchBucket/);
    const big = await lookup(A_TXT, 's3://bundles/big/');
    expect(big.bundles).toEqual([]);
    expect(big.errors).toEqual([expect.stringMatching(/ObjectTooLarge: .*more than the 1048576/)]);
  });

  it('rejects a source that is not s3://BUCKET/PREFIX', async () => {
    const r = await lookup(A_TXT, 's3:///nobucket');
    expect(r.errors).toEqual(['s3:///nobucket: not an s3://BUCKET/PREFIX URL']);
  });
});
