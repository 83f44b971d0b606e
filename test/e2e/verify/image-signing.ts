/**
 * What the image verify tests share: an AWS Signer profile for images with one good and one
 * revoked signing job (estate YAML for aws-local), Notation envelopes shaped like Signer's, and
 * the Notation root as PEM.
 */
import {
  signJws,
  signerProtectedHeader,
  type SignerChain,
} from '../../../src/verify/images/testing/signer-chain.js';

export const HOME = '111111111111';
export const R = 'us-east-1';
export const PROFILE = `arn:aws:signer:${R}:${HOME}:/signing-profiles/ImageTeam`;
export const VERSION = `${PROFILE}/ImgVer0001`;
export const jobArn = (n: number): string =>
  `arn:aws:signer:${R}:${HOME}:/signing-jobs/0000000${n}-1111-2222-3333-444444444444`;
export const GOOD_JOB = jobArn(1);
export const REVOKED_JOB = jobArn(2);

/** The profile and its two jobs, as the keys of one region of an estate (8 spaces in). */
export const SIGNER_ESTATE = `        signingProfiles:
          - { name: ImageTeam, version: ImgVer0001, status: Active, platformId: Notation-OCI-SHA384-ECDSA }
        signingJobs:
          - { jobId: 00000001-1111-2222-3333-444444444444, profile: ImageTeam, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z' }
          - { jobId: 00000002-1111-2222-3333-444444444444, profile: ImageTeam, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', revocation: { reason: key compromise, revokedAt: '2024-08-01T00:00:00Z' } }
`;

/** A Notation JWS envelope from `job` of the ImageTeam profile over `subject`. */
export function signerEnvelope(
  chain: SignerChain,
  subject: { mediaType: string; digest: string; size: number },
  job: string,
  signedAt: Date
): Buffer {
  return signJws({
    protected: {
      ...signerProtectedHeader(signedAt),
      'com.amazonaws.signer.signingProfileVersion': VERSION,
      'com.amazonaws.signer.signingJob': job,
    },
    payload: { targetArtifact: subject },
    x5c: chain.x5c,
    key: chain.leaf.privateKey,
  });
}

/** The chain's root as a PEM file's text. */
export function rootPemOf(chain: SignerChain): string {
  const b64 = chain.root.der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
