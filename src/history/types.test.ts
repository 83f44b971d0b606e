import { describe, expect, it } from 'vitest';
import type { SignerEvidence } from '../verify/evidence.js';
import { signingFactOf } from './types.js';

const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers';
const JOB =
  'arn:aws:signer:us-east-1:111122223333:/signing-jobs/0f1e2d3c-aaaa-bbbb-cccc-111122223333';

/** A layer signed by version Ab12Cd34, with GetSigningProfile answering for `current`. */
const evidence = (current: string, status: string): SignerEvidence => ({
  layerVersion: { SigningProfileVersionArn: `${PROFILE}/Ab12Cd34`, SigningJobArn: JOB },
  job: { jobId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333', status: 'Succeeded' },
  profile: {
    profileName: 'Layers',
    profileVersion: current,
    profileVersionArn: `${PROFILE}/${current}`,
    status,
    ...(status === 'Revoked'
      ? { revocationRecord: { revocationEffectiveFrom: new Date('2026-01-01T00:00:00Z') } }
      : {}),
  },
});

describe('signingFactOf', () => {
  it("records the profile's status for the version that signed", () => {
    expect(signingFactOf(evidence('Ab12Cd34', 'Revoked'))).toMatchObject({
      profileVersionArn: `${PROFILE}/Ab12Cd34`,
      profileStatus: 'Revoked',
      profileRevoked: true,
    });
  });
  it("does not give a re-created profile's status to the earlier version that signed", () => {
    // The current version Zz99Yy88 being revoked says nothing about Ab12Cd34, nor its being Active.
    for (const status of ['Revoked', 'Active']) {
      expect(signingFactOf(evidence('Zz99Yy88', status))).toMatchObject({
        profileVersionArn: `${PROFILE}/Ab12Cd34`,
        profileStatus: null,
        profileRevoked: false,
      });
    }
  });
});
