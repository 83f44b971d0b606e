import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli } from '../helpers/cli.js';
import type { Verdict } from '../../../src/verify/verdict.js';

let h: AwsLocal;
beforeAll(async () => {
  h = await startAwsLocal({ path: resolve('testdata/estates/demo.yaml') });
});
afterAll(async () => {
  await h.close();
});

const L = (region: string, acct: string, name: string, v: number) =>
  `arn:aws:lambda:${region}:${acct}:layer:${name}:${v}`;
const HOME = '123456789012';
const VENDOR = '210987654321';

describe('verify --all --policy policies/demo.yaml against the demo estate', () => {
  it('catches each seeded problem and passes each good layer', async () => {
    const r = await runCli([
      'verify',
      '--all',
      '--policy',
      'policies/demo.yaml',
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    const layers = Object.fromEntries(
      vs.filter((v) => v.subject.kind === 'layer').map((v) => [v.subject.name, v])
    );
    const ok = (arn: string) => layers[arn]!.ok;
    const failed = (arn: string) =>
      layers[arn]!.checks.filter((c) => c.outcome === 'fail').map((c) => c.id);
    const check = (arn: string, id: string) => layers[arn]!.checks.find((c) => c.id === id)!;
    // Every listed layer version and every one a function uses gets a verdict.
    expect(Object.keys(layers)).toHaveLength(20);
    // Good layers pass: signed node-common, unsigned-but-allowed internal layers.
    for (const arn of [
      L('us-east-1', HOME, 'node-common', 2),
      L('us-east-1', HOME, 'node-common', 3),
      L('us-east-1', HOME, 'node-hotfix', 1),
      L('us-east-1', HOME, 'java-common', 1),
      L('us-east-1', HOME, 'java-common', 2),
      L('us-east-1', HOME, 'ruby-common', 1),
      L('us-east-1', HOME, 'ruby-common', 2),
      L('us-east-1', HOME, 'native-tools', 1),
      L('eu-west-1', HOME, 'dotnet-common', 1),
    ])
      expect(ok(arn), arn).toBe(true);
    expect(check(L('us-east-1', HOME, 'node-common', 2), 'signer:platform-signer').outcome).toBe(
      'pass'
    );
    // Unsigned shared layers, in both regions.
    for (const arn of [
      L('us-east-1', HOME, 'node-common', 1),
      L('eu-west-1', HOME, 'node-common', 1),
      L('eu-west-1', HOME, 'node-common', 2),
    ]) {
      expect(ok(arn), arn).toBe(false);
      expect(check(arn, 'signer:platform-signer').detail).toMatch(/not signed/);
    }
    // The Signer cases: a revoked job, a failed job, an expired signature.
    const signerFails: [string, RegExp][] = [
      [L('us-east-1', HOME, 'node-common', 4), /job was revoked .*signed an unreviewed build/],
      [L('us-east-1', HOME, 'node-common', 5), /status is Failed/],
      [L('us-east-1', HOME, 'auth-common', 1), /Signature expired at 2024-01-10/],
    ];
    for (const [arn, why] of signerFails) {
      expect(ok(arn), arn).toBe(false);
      expect(check(arn, 'signer:platform-signer').outcome, arn).toBe('fail');
      expect(check(arn, 'signer:platform-signer').detail, arn).toMatch(why);
      expect(check(arn, 'signers:threshold').outcome, arn).toBe('fail');
    }
    // One retired profile, two signing times: before its revocation took effect passes, after fails.
    const py1 = L('us-east-1', HOME, 'python-common', 1);
    expect(ok(py1)).toBe(true);
    expect(check(py1, 'signer:retired-signer').outcome).toBe('pass');
    expect(check(py1, 'signer:retired-signer').detail).toMatch(
      /profile revoked effective 2024-06-01.*after signing at 2024-02-01/
    );
    const py3 = L('us-east-1', HOME, 'python-common', 3);
    expect(ok(py3)).toBe(false);
    expect(check(py3, 'signer:retired-signer').outcome).toBe('fail');
    expect(check(py3, 'signer:retired-signer').detail).toMatch(
      /revoked effective 2024-06-01.*at or before/
    );
    // The deleted version still in use cannot be verified.
    expect(failed(L('us-east-1', HOME, 'python-common', 2))).toEqual(['fetch']);
    // Vendor layers are warned about, not failed (their rule is mode: warn).
    const v7 = L('us-east-1', VENDOR, 'observability-ext', 7);
    expect(ok(v7)).toBe(true);
    expect(check(v7, 'signer:vendor-release').outcome).toBe('warn');
    const eu2 = L('eu-west-1', VENDOR, 'observability-ext', 2);
    expect(ok(eu2)).toBe(true);
    expect(check(eu2, 'signer:vendor-release').outcome).toBe('warn');
    // Nothing else fails: exactly the seeded layers.
    expect(
      Object.values(layers)
        .filter((v) => !v.ok)
        .map((v) => v.subject.name)
        .sort()
    ).toEqual(
      [
        L('eu-west-1', HOME, 'node-common', 1),
        L('eu-west-1', HOME, 'node-common', 2),
        L('us-east-1', HOME, 'auth-common', 1),
        L('us-east-1', HOME, 'node-common', 1),
        L('us-east-1', HOME, 'node-common', 4),
        L('us-east-1', HOME, 'node-common', 5),
        L('us-east-1', HOME, 'python-common', 2),
        L('us-east-1', HOME, 'python-common', 3),
      ].sort()
    );
    // Functions: cross-account layers, and payments-api's Warn-mode code signing config.
    const fns = vs.filter((v) => v.subject.kind === 'function');
    const fnFail = (name: string) =>
      fns
        .filter((v) => v.subject.name === name)
        .flatMap((v) => v.checks.filter((c) => c.outcome === 'fail').map((c) => c.id));
    expect(fnFail('payments-api')).toContain('function:code-signing');
    expect(fnFail('orders-api')).toEqual(['function:publishers', 'function:layer-accounts']);
    expect(fnFail('reports-api')).toEqual(['function:layer-accounts']);
    expect(fnFail('eu-orders-api')).toEqual(['function:layer-accounts']);
    // notify-worker has Node.js --require a layer file; search-api's source maps are allowed.
    expect(fnFail('notify-worker')).toEqual(['function:environment']);
    // Function rules look at the function, not its layers' verdicts: these pass even when a
    // layer of theirs (search-api's node-common:4, sso-callback's auth-common:1) fails.
    for (const name of [
      'orders-worker',
      'search-api',
      'sso-callback',
      'mailer',
      'billing-batch',
      'invoices',
      'ml-scorer',
      'eu-ledger',
    ])
      expect(fnFail(name), name).toEqual([]);
  }, 120_000);
});

describe('verify IMAGE --policy policies/demo.yaml: the demo estate image signatures', () => {
  const thumbnailer = (hex: string) =>
    `${HOME}.dkr.ecr.us-east-1.amazonaws.com/thumbnailer@sha256:${hex}`;
  const verifyImage = async (ref: string) => {
    const r = await runCli([
      'verify',
      ref,
      '--policy',
      'policies/demo.yaml',
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    const v = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!;
    return { code: r.code, v, signer: v.checks.find((c) => c.id === 'signer:image-signer') };
  };

  it("fails the build thumbnailer runs: its Notation signature's signing job was revoked", async () => {
    // Found through the referrers API of the ECR stand-in, revocation through GetRevocationStatus.
    const r = await verifyImage(
      thumbnailer('14c0eeec80fb79b9cd24ab8c6a00e46efefe179998f876d0500e192279d2bdbb')
    );
    expect(r.code).toBe(1);
    expect(r.v.ok).toBe(false);
    expect(r.signer?.outcome).toBe('fail');
    expect(r.signer?.detail).toMatch(/revoked/i);
    expect(r.signer?.detail).toContain('signing-jobs/3f1e2d4c-0009-4a5b-8c7d-000000000009');
  });

  it('passes the next build (pdf-render runs it): signed by a job that stands', async () => {
    const r = await verifyImage(
      thumbnailer('c977231f799a6611d3f83c024184d179ea6907e68fa0a1872b0a2873a131161d')
    );
    expect(r.code).toBe(0);
    expect(r.v.ok).toBe(true);
    expect(r.signer?.outcome).toBe('pass');
    expect(r.signer?.detail).toContain('signing-jobs/3f1e2d4c-0010-4a5b-8c7d-000000000010');
  });
});
