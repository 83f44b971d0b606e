import { describe, expect, it } from 'vitest';
import {
  buildRevocationRequest,
  checkRevocation,
  interpretRevocation,
  parseAwsSignerIdentity,
  type GetRevocationStatusFn,
  type RevocationRequest,
} from './aws-signer.js';

const PV = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/Release_1/Ver0001';
const JOB =
  'arn:aws:signer:eu-west-1:123456789012:/signing-jobs/e218ee67-5dd3-4dc4-8caf-224898b12493';

describe('parseAwsSignerIdentity', () => {
  it('reads partition, Region, account, profile and job', () => {
    expect(parseAwsSignerIdentity(PV, JOB)).toEqual({
      profileVersionArn: PV,
      jobArn: JOB,
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      profileName: 'Release_1',
      profileVersion: 'Ver0001',
      jobId: 'e218ee67-5dd3-4dc4-8caf-224898b12493',
    });
    expect(
      parseAwsSignerIdentity(
        PV.replace(/^arn:aws:/, 'arn:aws-us-gov:').replace('eu-west-1', 'us-gov-west-1'),
        JOB.replace(/^arn:aws:/, 'arn:aws-us-gov:').replace('eu-west-1', 'us-gov-west-1')
      )?.partition
    ).toBe('aws-us-gov');
  });
  it('refuses a profile ARN without a version, other ARNs, and a job in another Region or partition', () => {
    expect(parseAwsSignerIdentity(PV.slice(0, PV.lastIndexOf('/')), JOB)).toBeUndefined();
    expect(parseAwsSignerIdentity(PV, PV)).toBeUndefined();
    expect(parseAwsSignerIdentity(PV, JOB.replace('eu-west-1', 'us-east-1'))).toBeUndefined();
    expect(parseAwsSignerIdentity(PV, JOB.replace(/^arn:aws:/, 'arn:aws-cn:'))).toBeUndefined();
  });
});

const request: RevocationRequest = buildRevocationRequest(
  parseAwsSignerIdentity(PV, JOB)!,
  new Date('2026-01-02T03:04:05Z'),
  ['aa'.repeat(96)]
);

describe('GetRevocationStatus request', () => {
  it('carries what the plugin sends, plus where to send it', () => {
    expect(request).toEqual({
      signatureTimestamp: new Date('2026-01-02T03:04:05Z'),
      platformId: 'Notation-OCI-SHA384-ECDSA',
      profileVersionArn: PV,
      jobArn: JOB,
      certificateHashes: ['aa'.repeat(96)],
      partition: 'aws',
      region: 'eu-west-1',
    });
  });
});

describe('revocation outcome', () => {
  it('any revoked entity fails in every mode', () => {
    for (const mode of ['required', 'best-effort'] as const) {
      const r = interpretRevocation(mode, {
        response: { revokedEntities: [JOB, 'ab'.repeat(96)] },
      });
      expect(r).toMatchObject({
        ok: false,
        code: 'REVOKED',
        revokedEntities: [JOB, 'ab'.repeat(96)],
      });
      expect(r.detail).toContain(JOB);
      expect(r.detail).toContain('1 revoked certificate');
    }
  });
  it('an empty answer passes', () => {
    expect(interpretRevocation('required', { response: { revokedEntities: [] } })).toMatchObject({
      ok: true,
      warning: false,
      code: 'NOT_REVOKED',
    });
    expect(interpretRevocation('required', { response: {} }).code).toBe('NOT_REVOKED');
  });
  it('a failed call fails under required and warns under best-effort', () => {
    const error = new Error(
      'AccessDeniedException: not authorized to perform signer:GetRevocationStatus'
    );
    expect(interpretRevocation('required', { error })).toMatchObject({
      ok: false,
      code: 'REVOCATION_CHECK_FAILED',
    });
    expect(interpretRevocation('best-effort', { error })).toMatchObject({
      ok: true,
      warning: true,
      code: 'REVOCATION_UNKNOWN',
    });
  });
  it('a malformed answer counts as a failed call', () => {
    const bogus = { revokedEntities: 'arn:aws:signer:…' as unknown as string[] };
    expect(interpretRevocation('required', { response: bogus }).code).toBe(
      'REVOCATION_CHECK_FAILED'
    );
  });
});

describe('checkRevocation with the injected call', () => {
  it('sends the request and interprets the answer', async () => {
    const seen: RevocationRequest[] = [];
    const call: GetRevocationStatusFn = (req) => {
      seen.push(req);
      return Promise.resolve({ revokedEntities: [PV] });
    };
    expect((await checkRevocation(request, call, 'required')).code).toBe('REVOKED');
    expect(seen).toEqual([request]);
  });
  it('turns a rejected call into the mode outcome, and skip makes no call', async () => {
    const failing: GetRevocationStatusFn = () =>
      Promise.reject(new Error('503 Service Unavailable'));
    expect((await checkRevocation(request, failing, 'required')).code).toBe(
      'REVOCATION_CHECK_FAILED'
    );
    expect((await checkRevocation(request, failing, 'best-effort')).code).toBe(
      'REVOCATION_UNKNOWN'
    );
    let calls = 0;
    const counting: GetRevocationStatusFn = () => {
      calls++;
      return Promise.resolve({});
    };
    expect((await checkRevocation(request, counting, 'skip')).code).toBe('REVOCATION_SKIPPED');
    expect(calls).toBe(0);
  });
});
