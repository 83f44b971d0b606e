// GetRevocationStatus through the real SDK client: answered from the estate's revoked jobs,
// profiles (by effectiveFrom) and certificate hashes, with the host prefix disabled as lamina
// does for a local endpoint.
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEstate } from './estate.js';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const HOME = '111111111111';
const R = 'us-east-1';
const REVOKED_CERT = 'ab'.repeat(96);
const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAREVOKEHOME000001, secretAccessKey: s }]
    regions:
      ${R}:
        signingProfiles:
          - { name: Good, version: GoodVer001 }
          - name: Gone
            version: GoneVer001
            status: Revoked
            revocation: { effectiveFrom: '2025-01-01T00:00:00Z', revokedAt: '2025-01-02T00:00:00Z' }
        signingJobs:
          - { jobId: 00000001-aaaa-bbbb-cccc-dddddddddddd, profile: Good, createdAt: '2024-06-01T00:00:00Z' }
          - { jobId: 00000002-aaaa-bbbb-cccc-dddddddddddd, profile: Good, createdAt: '2024-06-01T00:00:00Z', revocation: { reason: lost key, revokedAt: '2024-07-01T00:00:00Z' } }
        revokedCertificateHashes: ['${REVOKED_CERT.toUpperCase()}']
`;
const arn = (kind: string, rest: string) => `arn:aws:signer:${R}:${HOME}:/${kind}/${rest}`;

let ep: AwsEndpoint;
let signer: SignerClient;
beforeAll(async () => {
  ep = await startAwsEndpoint({ estate: parseEstate(parse(ESTATE), process.cwd()) });
  signer = new SignerClient({
    endpoint: ep.url,
    region: R,
    credentials: ep.credentials,
    maxAttempts: 1,
    disableHostPrefix: true,
  });
});
afterAll(async () => {
  signer.destroy();
  await ep.close();
});

const status = (o: { profile?: string; job?: string; at?: string; certs?: string[] }) =>
  signer
    .send(
      new GetRevocationStatusCommand({
        signatureTimestamp: new Date(o.at ?? '2025-06-01T00:00:00Z'),
        platformId: 'Notation-OCI-SHA384-ECDSA',
        profileVersionArn: arn('signing-profiles', o.profile ?? 'Good/GoodVer001'),
        jobArn: arn('signing-jobs', o.job ?? '00000001-aaaa-bbbb-cccc-dddddddddddd'),
        certificateHashes: o.certs ?? ['cd'.repeat(96)],
      })
    )
    .then((r) => r.revokedEntities ?? []);

describe('GetRevocationStatus', () => {
  it('nothing revoked: an empty list', async () => {
    expect(await status({})).toEqual([]);
  });
  it('a revoked job', async () => {
    const job = '00000002-aaaa-bbbb-cccc-dddddddddddd';
    expect(await status({ job })).toEqual([arn('signing-jobs', job)]);
  });
  it('a revoked profile only for signatures from its effectiveFrom on', async () => {
    const profile = 'Gone/GoneVer001';
    expect(await status({ profile })).toEqual([arn('signing-profiles', profile)]);
    expect(await status({ profile, at: '2024-12-31T23:59:59Z' })).toEqual([]);
  });
  it('a revoked certificate hash, compared case-insensitively', async () => {
    expect(await status({ certs: ['cd'.repeat(96), REVOKED_CERT] })).toEqual([REVOKED_CERT]);
  });
  it('a request without certificate hashes is refused', async () => {
    await expect(status({ certs: [] })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
