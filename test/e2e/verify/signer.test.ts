import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli } from '../helpers/cli.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { HOME, SIGNER_ESTATE, SIGNER_POLICY, VENDOR, layerArn, profileArn } from './estate.js';

let h: AwsLocal;
let policy: string;

beforeAll(async () => {
  h = await startAwsLocal(SIGNER_ESTATE);
  policy = await h.file('policy.yaml', SIGNER_POLICY);
});
afterAll(async () => {
  await h.close();
});

/** `verify ARN --format json`: exit code and the one verdict. */
async function verifyJson(arn: string, extra: string[] = []) {
  const r = await runCli([
    'verify',
    arn,
    '--policy',
    policy,
    '--format',
    'json',
    ...h.awsFlags,
    ...extra,
  ]);
  const parsed = JSON.parse(r.stdout) as { ok: boolean; verdicts: Verdict[] };
  return { ...r, verdicts: parsed.verdicts };
}

const check = (v: Verdict, id: string) => v.checks.find((c) => c.id === id);

describe('verify LAYER_VERSION_ARN: AWS Signer through the SDK', () => {
  it('passes a layer signed by an allowed, active profile, and says what was and was not checked', async () => {
    const r = await verifyJson(layerArn('l-good'));
    expect(r.code).toBe(0);
    const v = r.verdicts[0]!;
    expect(v.ok).toBe(true);
    const c = check(v, 'signer:team')!;
    expect(c.outcome).toBe('pass');
    expect(c.detail).toContain('DescribeSigningJob');
    expect(c.detail).toContain('GetSigningProfile');
    expect(c.detail).toContain(
      `sha256 of the signed object Signer wrote to S3 (s3://signer-${HOME}-us-east-1/signed/`
    );
    expect(c.detail).toContain('Not checked: the signature bytes');
    expect(c.evidence['job']).toMatchObject({
      status: 'Succeeded',
      profileName: 'Team',
      revoked: false,
    });
    expect(c.evidence['profile']).toMatchObject({ status: 'Active' });
    expect(check(v, 'signers:threshold')!.outcome).toBe('pass');
  });

  const failing: [string, string, string, RegExp][] = [
    ['an unsigned layer', 'l-unsigned', 'signer:team', /not signed/],
    ['a profile no anchor allows', 'l-stranger', 'signer:team', /Stranger.*does not allow/],
    ['a revoked signing job', 'l-job-revoked', 'signer:team', /job was revoked .*key compromise/],
    ['an expired signature', 'l-expired', 'signer:team', /Signature expired at 2021-06-01/],
    ['a failed signing job', 'l-failed', 'signer:team', /status is Failed/],
    [
      'a profile revoked before the signing time',
      'l-revoked-before',
      'signer:early',
      /revoked effective 2024-01-01.*at or before the signing time/,
    ],
  ];
  for (const [what, layer, id, why] of failing) {
    it(`fails ${what} (exit 1)`, async () => {
      const r = await verifyJson(layerArn(layer));
      expect(r.code).toBe(1);
      const v = r.verdicts[0]!;
      expect(v.ok).toBe(false);
      expect(check(v, id)!.outcome).toBe('fail');
      expect(check(v, id)!.detail).toMatch(why);
      expect(check(v, 'signers:threshold')!.outcome).toBe('fail');
    });
  }

  it("fails a layer signed by an earlier version of an allowed profile: Signer returns only the current version's status", async () => {
    const r = await verifyJson(layerArn('l-old-version'));
    expect(r.code).toBe(1);
    const c = check(r.verdicts[0]!, 'signer:team')!;
    expect(c.outcome).toBe('fail');
    expect(c.detail).toMatch(
      /GetSigningProfile describes version TeamVer001 of Team, not TeamOld001, which signed the layer/
    );
    expect(c.evidence['signingProfileVersionArn']).toBe(`${profileArn(HOME, 'Team')}/TeamOld001`);
    expect(c.evidence['profile']).toMatchObject({
      status: 'Active',
      profileVersionArn: `${profileArn(HOME, 'Team')}/TeamVer001`,
    });
  });

  it('passes a layer signed before its profile was revoked', async () => {
    const r = await verifyJson(layerArn('l-revoked-after'));
    expect(r.code).toBe(0);
    const c = check(r.verdicts[0]!, 'signer:late')!;
    expect(c.outcome).toBe('pass');
    expect(c.detail).toMatch(/profile revoked effective 2025-01-01.*after signing at 2024-06-01/);
  });

  it('fails closed on a profile from another account whose job the caller cannot read', async () => {
    const r = await verifyJson(layerArn('l-vendor', 1, VENDOR));
    expect(r.code).toBe(1);
    const c = check(r.verdicts[0]!, 'signer:vendor')!;
    expect(c.outcome).toBe('fail');
    expect(c.detail).toMatch(/DescribeSigningJob .* is missing/);
    expect(r.stderr).toMatch(/DescribeSigningJob .*ResourceNotFoundException/);
  });

  it('reads the cross-account job through --role-arn into the signer account, and then passes', async () => {
    const r = await verifyJson(layerArn('l-vendor', 1, VENDOR), [
      '--role-arn',
      `arn:aws:iam::${VENDOR}:role/Audit`,
    ]);
    expect(r.code).toBe(0);
    const c = check(r.verdicts[0]!, 'signer:vendor')!;
    expect(c.outcome).toBe('pass');
    expect(c.evidence['profile']).toMatchObject({
      profileVersionArn: `arn:aws:signer:us-east-1:${VENDOR}:/signing-profiles/Vendor/VendorV001`,
    });
  });
});

describe('verify --function NAME', () => {
  it('passes a function with an Enforce code signing config and a signed layer', async () => {
    const r = await runCli([
      'verify',
      '--function',
      'fn-enforce',
      '--policy',
      policy,
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(0);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    expect(vs.map((v) => [v.subject.kind, v.subject.name, v.ok])).toEqual([
      ['function', 'fn-enforce', true],
      ['layer', layerArn('l-good'), true],
    ]);
    expect(check(vs[0]!, 'function:publishers')!.outcome).toBe('pass');
  });

  it('fails a function whose code signing config is in Warn mode when the rule requires Enforce', async () => {
    const r = await runCli(['verify', '--function', 'fn-warn', '--policy', policy, ...h.awsFlags]);
    expect(r.code).toBe(1);
    // The text report wraps long details: join continuation lines before matching.
    expect(r.stdout.replace(/\n +/g, ' ')).toMatch(
      /FAIL function:code-signing: .*Warn mode; the rule requires Enforce/
    );
  });

  it('fails a function without a code signing config, and verifies each of its layers', async () => {
    const r = await runCli([
      'verify',
      '--function',
      'fn-none',
      '--policy',
      policy,
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    expect(check(vs[0]!, 'function:code-signing')).toMatchObject({
      outcome: 'fail',
      detail: 'No code signing config is attached to the function.',
    });
    expect(vs.slice(1).map((v) => [v.subject.name, v.ok])).toEqual([
      [layerArn('l-good'), true],
      [layerArn('l-vendor', 1, VENDOR), false],
    ]);
  });

  it('exits 2 for a function that does not exist', async () => {
    const r = await runCli(['verify', '--function', 'nope', '--policy', policy, ...h.awsFlags]);
    expect(r.code).toBe(2);
  });
});

describe('verify --all', () => {
  it('gives one verdict per function and layer version', async () => {
    const r = await runCli([
      'verify',
      '--all',
      '--region',
      'us-east-1',
      '--policy',
      policy,
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    const ok = Object.fromEntries(vs.map((v) => [v.subject.name, v.ok]));
    expect(ok).toEqual({
      'fn-enforce': true,
      'fn-none': false,
      'fn-warn': false,
      [layerArn('l-expired')]: false,
      [layerArn('l-failed')]: false,
      [layerArn('l-good')]: true,
      [layerArn('l-job-revoked')]: false,
      [layerArn('l-old-version')]: false,
      [layerArn('l-revoked-after')]: true,
      [layerArn('l-revoked-before')]: false,
      [layerArn('l-stranger')]: false,
      [layerArn('l-unsigned')]: false,
      [layerArn('l-vendor', 1, VENDOR)]: false,
    });
    expect(HOME).toBe('111111111111');
  });
});
