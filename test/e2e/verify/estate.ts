/**
 * An estate with one layer per AWS Signer case, a vendor account, and functions with and without
 * code signing configs, and the policy that checks them (start it with startAwsLocal).
 */

export const HOME = '111111111111';
export const VENDOR = '222222222222';
export const R = 'us-east-1';
export const profileArn = (acct: string, name: string) =>
  `arn:aws:signer:${R}:${acct}:/signing-profiles/${name}`;
export const layerArn = (name: string, v = 1, acct = HOME) =>
  `arn:aws:lambda:${R}:${acct}:layer:${name}:${v}`;

const job = (n: number) => `0b6a3c44-1f2e-4d5c-9a8b-00000000000${n}`;
const gen = (name: string) =>
  `{ files: { 'nodejs/node_modules/${name}/package.json': '{"name":"${name}","version":"1.0.0","license":"MIT"}' } }`;
const signed = (layer: string, jobN: number) =>
  `          - name: ${layer}\n            versions: [{ generate: ${gen(layer)}, signingJob: ${job(jobN)} }]`;

/** One layer per Signer case (see the table in signer.test.ts). */
export const SIGNER_ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAVERIFYHOME000001, secretAccessKey: home-secret }]
    regions:
      ${R}:
        signingProfiles:
          - { name: Team, version: TeamVer001, status: Active }
          - { name: Stranger, version: Strange001, status: Active }
          - name: RevokedLate
            version: RevLate001
            status: Revoked
            revocation: { effectiveFrom: '2025-01-01T00:00:00Z', revokedAt: '2025-01-02T00:00:00Z' }
          - name: RevokedEarly
            version: RevEarly01
            status: Revoked
            revocation: { effectiveFrom: '2024-01-01T00:00:00Z', revokedAt: '2024-07-01T00:00:00Z' }
        signingJobs:
          - { jobId: ${job(1)}, profile: Team, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
          - { jobId: ${job(2)}, profile: Team, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z', revocation: { reason: key compromise, revokedAt: '2024-08-01T00:00:00Z' } }
          - { jobId: ${job(3)}, profile: Team, createdAt: '2020-06-01T00:00:00Z', completedAt: '2020-06-01T00:00:05Z', signatureExpiresAt: '2021-06-01T00:00:05Z' }
          - { jobId: ${job(4)}, profile: Team, status: Failed, statusReason: malformed zip, createdAt: '2024-06-01T00:00:00Z' }
          - { jobId: ${job(5)}, profile: RevokedLate, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
          - { jobId: ${job(6)}, profile: RevokedEarly, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
          - { jobId: ${job(7)}, profile: Stranger, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
          # Team's earlier version: the profile was re-created since, so GetSigningProfile describes TeamVer001 only.
          - { jobId: ${job(9)}, profile: Team, profileVersion: TeamOld001, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
        codeSigningConfigs:
          - { id: csc-0a1b2c3d4e5f6a7b8, allowedPublishers: ['${profileArn(HOME, 'Team')}/TeamVer001'], policy: Enforce }
          - { id: csc-0a1b2c3d4e5f6a7b9, allowedPublishers: ['${profileArn(HOME, 'Team')}/TeamVer001'], policy: Warn }
        layers:
${signed('l-good', 1)}
          - name: l-unsigned
            versions: [{ generate: ${gen('l-unsigned')} }]
${signed('l-job-revoked', 2)}
${signed('l-expired', 3)}
${signed('l-failed', 4)}
${signed('l-revoked-after', 5)}
${signed('l-revoked-before', 6)}
${signed('l-stranger', 7)}
${signed('l-old-version', 9)}
        functions:
          - { name: fn-enforce, codeSigningConfig: csc-0a1b2c3d4e5f6a7b8, layers: ['l-good:1'] }
          - { name: fn-warn, codeSigningConfig: csc-0a1b2c3d4e5f6a7b9, layers: ['l-good:1'] }
          - { name: fn-none, layers: ['l-good:1', '${layerArn('l-vendor', 1, VENDOR)}'] }
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAVERIFYVEND000001, secretAccessKey: vendor-secret }]
    roles: [{ name: Audit, trustedAccounts: ['${HOME}'] }]
    regions:
      ${R}:
        signingProfiles:
          - { name: Vendor, version: VendorV001, status: Active, sharedWith: ['${HOME}'] }
        signingJobs:
          - { jobId: ${job(8)}, profile: Vendor, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z' }
        layers:
          - name: l-vendor
            versions: [{ generate: ${gen('l-vendor')}, public: true, signingJob: ${job(8)} }]
`;

/** Every layer must be signed by one of four anchors; functions need an Enforce CSC. */
export const SIGNER_POLICY = `version: 1
default: deny
anchors:
  team: { kind: aws-signer, profileArn: '${profileArn(HOME, 'Team')}' }
  late: { kind: aws-signer, profileArn: '${profileArn(HOME, 'RevokedLate')}' }
  early: { kind: aws-signer, profileArn: '${profileArn(HOME, 'RevokedEarly')}' }
  vendor: { kind: aws-signer, profileVersionArn: '${profileArn(VENDOR, 'Vendor')}/VendorV001' }
layers:
  - match: { name: 'l-*' }
    signers: { anyOf: [team, late, early, vendor] }
functions:
  - match: { name: 'fn-*' }
    codeSigning: { required: true, enforce: true }
`;
