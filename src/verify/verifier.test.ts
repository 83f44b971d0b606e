import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { satisfies } from './checks/version-range.js';
import type { SignerEvidence } from './evidence.js';
import { verifyFunction, verifyLayer } from './verifier.js';
import {
  A_TXT,
  CONFORMANCE,
  CONFORMANCE_IDENTITY,
  CONFORMANCE_ISSUER,
  HAPPY_BUNDLE,
  inventory,
  layer,
  mit,
  policy,
  sha256,
  ZIP_START,
} from './testing/helpers.js';
import { functionEnvironment } from '../model/function-environment.js';
import {
  cosignStatement,
  digestOf,
  keyAnchorYaml,
  keySignedDsseBundle,
} from './images/testing/cosign.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from './sigstore/index.js';

const NO_ENV = functionEnvironment(undefined);

const NOW = new Date('2026-06-01T00:00:00Z');
const D = 'a'.repeat(64);
const byId = (v: { checks: { id: string; outcome: string }[] }) =>
  Object.fromEntries(v.checks.map((c) => [c.id, c.outcome]));

describe('pins', () => {
  const loaded = policy(`version: 1
default: deny
layers:
  - match: { name: utils }
    pins:
      - { sha256: '${D}', version: 3 }
      - { sha256: '${'b'.repeat(64)}', expires: 2026-01-01 }
`);
  it('a pinned digest passes', () => {
    const v = verifyLayer(layer(), loaded, { now: NOW });
    expect(v.ok).toBe(true);
    expect(byId(v)).toEqual({ digest: 'pass', 'inventory:complete': 'pass' });
  });
  it('an unpinned digest fails', () => {
    const v = verifyLayer(layer({ sha256: 'c'.repeat(64) }), loaded, { now: NOW });
    expect(v.ok).toBe(false);
    expect(byId(v)).toEqual({ digest: 'fail', 'inventory:complete': 'pass' });
  });
  it('an expired pin fails, and passed before its expiry', () => {
    const ev = layer({ sha256: 'b'.repeat(64) });
    expect(verifyLayer(ev, loaded, { now: NOW }).ok).toBe(false);
    expect(verifyLayer(ev, loaded, { now: new Date('2025-12-31T00:00:00Z') }).ok).toBe(true);
  });
  it('a CodeSha256 that differs from the bytes fails', () => {
    const codeSha256 = Buffer.from('c'.repeat(64), 'hex').toString('base64');
    expect(verifyLayer(layer({ codeSha256 }), loaded, { now: NOW }).ok).toBe(false);
    const good = Buffer.from(D, 'hex').toString('base64');
    expect(verifyLayer(layer({ codeSha256: good }), loaded, { now: NOW }).ok).toBe(true);
  });
});

describe('sigstore threshold over distinct anchors', () => {
  const loaded = policy(
    `version: 1
default: deny
anchors:
  beacon:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subject: ${CONFORMANCE_IDENTITY}
    trustRoot: public-good
  other:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subjectRegex: 'https://github\\.com/example/.*'
    trustRoot: public-good
layers:
  - match: { name: utils }
    signers: { anyOf: [beacon, other], threshold: THRESHOLD }
`.replace('THRESHOLD', '2')
  );
  const one = policy(
    `version: 1
default: deny
anchors:
  beacon:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subject: ${CONFORMANCE_IDENTITY}
    trustRoot: public-good
layers:
  - match: { name: utils }
    signers: { anyOf: [beacon] }
`
  );
  const ev = (n: number) =>
    layer({
      sha256: sha256(A_TXT),
      bytes: A_TXT,
      bundles: Array.from({ length: n }, (_, i) => ({
        source: `b${i}.json`,
        bundle: HAPPY_BUNDLE,
      })),
    });

  it('a real conformance bundle verifies for its keyless identity', () => {
    const v = verifyLayer(ev(1), one, { now: NOW });
    expect(byId(v)).toMatchObject({ 'sigstore:beacon': 'pass', 'signers:threshold': 'pass' });
    expect(v.ok).toBe(true);
  });
  it('the same anchor verified by two bundles counts once (threshold 2 fails)', () => {
    const v = verifyLayer(ev(2), loaded, { now: NOW });
    expect(v.ok).toBe(false);
    expect(byId(v)).toMatchObject({
      'sigstore:beacon': 'pass',
      'sigstore:other': 'fail',
      'signers:threshold': 'fail',
    });
    const t = v.checks.find((c) => c.id === 'signers:threshold');
    expect(t?.evidence['verified']).toEqual(['beacon']);
  });
  it('a bundle over other bytes does not verify', () => {
    const v = verifyLayer(
      layer({
        sha256: sha256('x'),
        bytes: Buffer.from('x'),
        bundles: [{ source: 'b', bundle: HAPPY_BUNDLE }],
      }),
      one,
      { now: NOW }
    );
    expect(v.ok).toBe(false);
  });
  it('no bundles at all fails the threshold', () => {
    expect(verifyLayer(ev(0), one, { now: NOW }).ok).toBe(false);
  });
  it('two anchors naming the same identity cannot both count one signature (threshold 2 fails)', () => {
    const twins = policy(
      `version: 1
default: deny
anchors:
  beacon:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subject: ${CONFORMANCE_IDENTITY}
    trustRoot: public-good
  beacon-again:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subjectRegex: 'https://github\\.com/sigstore-conformance/.*'
    trustRoot: public-good
layers:
  - match: { name: utils }
    signers: { anyOf: [beacon, beacon-again], threshold: 2 }
`
    );
    // Two files, one signature: both anchors verify, but only one signature backs them.
    const v = verifyLayer(ev(2), twins, { now: NOW });
    expect(byId(v)).toMatchObject({
      'sigstore:beacon': 'pass',
      'sigstore:beacon-again': 'pass',
      'signers:threshold': 'fail',
    });
    const t = v.checks.find((c) => c.id === 'signers:threshold');
    expect(t?.evidence['verified']).toHaveLength(1);
    expect(t?.evidence['passing']).toEqual(['beacon', 'beacon-again']);
    expect(v.ok).toBe(false);
  });
});

describe("in-toto predicate types of a layer's DSSE bundles", () => {
  // A real public-good bundle by the conformance identity: a DSSE envelope holding SLSA
  // provenance (https://slsa.dev/provenance/v1) about a.txt, the bytes HAPPY_BUNDLE signs.
  const PROVENANCE: unknown = JSON.parse(
    readFileSync(`${CONFORMANCE}/happy-path-intoto-in-dsse-v3/bundle.sigstore.json`, 'utf8')
  );
  const SLSA = 'https://slsa.dev/provenance/v1';
  const anchored = (extra: string) =>
    policy(`version: 1
default: deny
anchors:
  beacon:
    kind: sigstore-keyless
    issuer: ${CONFORMANCE_ISSUER}
    subject: ${CONFORMANCE_IDENTITY}
    trustRoot: public-good${extra}
layers:
  - match: { name: utils }
    signers: { anyOf: [beacon] }
`);
  const ev = (...bundles: unknown[]) =>
    layer({
      sha256: sha256(A_TXT),
      bytes: A_TXT,
      bundles: bundles.map((bundle, i) => ({ source: `b${i}.json`, bundle })),
    });
  const beacon = (v: ReturnType<typeof verifyLayer>) =>
    v.checks.find((c) => c.id === 'sigstore:beacon');

  it('an attestation of another kind by the trusted identity is not an approval by default', () => {
    const v = verifyLayer(ev(PROVENANCE), anchored(''), { now: NOW });
    expect(byId(v)).toMatchObject({ 'sigstore:beacon': 'fail', 'signers:threshold': 'fail' });
    expect(v.ok).toBe(false);
    expect(beacon(v)?.evidence['attempts']).toEqual([
      expect.objectContaining({ bundle: 'b0.json', code: 'PREDICATE_TYPE_MISMATCH' }),
    ]);
    expect(beacon(v)?.detail).toContain(SLSA);
  });
  it('it is one when the anchor names its predicate type', () => {
    const v = verifyLayer(ev(PROVENANCE), anchored(`\n    predicateTypes: ['${SLSA}']`), {
      now: NOW,
    });
    expect(byId(v)).toMatchObject({ 'sigstore:beacon': 'pass', 'signers:threshold': 'pass' });
    expect(beacon(v)?.evidence['predicateType']).toBe(SLSA);
    expect(v.ok).toBe(true);
  });
  it('a message signature (cosign sign-blob) verifies whatever predicate types are named', () => {
    for (const extra of ['', `\n    predicateTypes: ['${SLSA}']`]) {
      const v = verifyLayer(ev(HAPPY_BUNDLE), anchored(extra), { now: NOW });
      expect(byId(v)).toMatchObject({ 'sigstore:beacon': 'pass', 'signers:threshold': 'pass' });
    }
  });
  it('naming another predicate type does not accept this one', () => {
    const v = verifyLayer(
      ev(PROVENANCE),
      anchored(`\n    predicateTypes: ['https://slsa.dev/provenance/v0.2']`),
      { now: NOW }
    );
    expect(byId(v)).toMatchObject({ 'sigstore:beacon': 'fail' });
  });

  describe('key-signed DSSE bundles about the layer (cosign attest-blob --key, no log)', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const LAYER = Buffer.from('layer zip bytes');
    const bundleOf = (predicateType: string) =>
      keySignedDsseBundle(
        cosignStatement(digestOf(LAYER), 'layer.zip', predicateType),
        key.privateKey,
        pem,
        'release'
      );
    const keyPolicy = (extra: string) =>
      policy(`version: 1
default: deny
anchors:
${keyAnchorYaml('release', pem)}${extra}
layers:
  - match: { name: utils }
    signers: { anyOf: [release] }
`);
    const verdict = async (predicateType: string, extra = '') =>
      byId(
        verifyLayer(
          layer({
            sha256: sha256(LAYER),
            bytes: LAYER,
            bundles: [{ source: 'b.json', bundle: await bundleOf(predicateType) }],
          }),
          keyPolicy(extra),
          { now: NOW }
        )
      )['sigstore:release'];
    const FAILED_TESTS = 'https://in-toto.io/attestation/test-result/v0.1';

    it("cosign's signature predicate counts by default; a test result does not", async () => {
      expect(await verdict(COSIGN_SIGN_PREDICATE_TYPE)).toBe('pass');
      expect(await verdict(FAILED_TESTS)).toBe('fail');
    });
    it('naming predicate types replaces the default', async () => {
      const extra = `\n    predicateTypes: ['${SLSA}']`;
      expect(await verdict(SLSA, extra)).toBe('pass');
      expect(await verdict(COSIGN_SIGN_PREDICATE_TYPE, extra)).toBe('fail');
    });
  });
});

describe('matchAnchorsToSignatures', () => {
  it('gives each anchor its own signature, moving signatures to fit as many as possible', async () => {
    const { matchAnchorsToSignatures } = await import('./checks/signers.js');
    expect(
      matchAnchorsToSignatures([
        { name: 'a', signatures: ['s1', 's2'] },
        { name: 'b', signatures: ['s1'] },
      ])
    ).toEqual(['a', 'b']);
    expect(
      matchAnchorsToSignatures([
        { name: 'a', signatures: ['s1'] },
        { name: 'b', signatures: ['s1'] },
        { name: 'c', signatures: [] },
      ])
    ).toEqual(['a']);
  });
});

describe('package and license rules', () => {
  const loaded = (mode: string) =>
    policy(`version: 1
default: deny
layers:
  - match: { name: utils }
    mode: ${mode}
    packages:
      deny:
        - { purl: 'pkg:npm/lodash', versions: '<4.17.21' }
        - { purl: 'pkg:npm/%40evil/pkg' }
    licenses:
      allow: [MIT, Apache-2.0]
      deny: [AGPL-3.0-only]
`);
  it('denies a package in range, allows one outside', () => {
    const bad = verifyLayer(
      layer({ inventory: inventory([['lodash', '4.17.20', mit]]) }),
      loaded('enforce'),
      { now: NOW }
    );
    expect(byId(bad)).toMatchObject({ packages: 'fail', licenses: 'pass' });
    const good = verifyLayer(
      layer({ inventory: inventory([['lodash', '4.17.21', mit]]) }),
      loaded('enforce'),
      { now: NOW }
    );
    expect(good.ok).toBe(true);
  });
  it('denies a scoped package at every version', () => {
    const v = verifyLayer(
      layer({ inventory: inventory([['@evil/pkg', '1.0.0', mit]]) }),
      loaded('enforce'),
      { now: NOW }
    );
    expect(byId(v)['packages']).toBe('fail');
  });
  it('license allow/deny: OR alternative allowed, AND with a denied one, not allowed, unknown', () => {
    const cases: [string, boolean][] = [
      ['MIT OR GPL-3.0-only', true],
      ['MIT AND AGPL-3.0-only', false],
      ['GPL-3.0-only', false],
      ['Apache-2.0', true],
    ];
    for (const [expression, ok] of cases) {
      const inv = inventory([['x', '1.0.0', [{ $case: 'expression', expression }]]]);
      expect(
        verifyLayer(layer({ inventory: inv }), loaded('enforce'), { now: NOW }).ok,
        expression
      ).toBe(ok);
    }
    const none = inventory([['x', '1.0.0', []]]);
    expect(verifyLayer(layer({ inventory: none }), loaded('enforce'), { now: NOW }).ok).toBe(false);
  });
  it('warn and audit report failures without failing', () => {
    for (const mode of ['warn', 'audit']) {
      const v = verifyLayer(
        layer({ inventory: inventory([['lodash', '4.0.0', mit]]) }),
        loaded(mode),
        { now: NOW }
      );
      expect(v.ok).toBe(true);
      expect(byId(v)['packages']).toBe('warn');
      expect(v.mode).toBe(mode);
    }
  });
  it('no SBOM fails closed', () => {
    const v = verifyLayer(layer({ inventory: undefined }), loaded('enforce'), { now: NOW });
    expect(v.ok).toBe(false);
  });
});

describe('version ranges', () => {
  it.each([
    ['4.17.20', '<4.17.21', true],
    ['4.17.21', '<4.17.21', false],
    ['1.2.3', '>=1.2 <2', true],
    ['2.0.0', '>=1.2 <2', false],
    ['2.0.0-rc.1', '<2.0.0', true],
    ['2.0.0-rc.2', '>2.0.0-rc.10', false],
    ['0.9.0', '<1 || >=3', true],
    ['3.1', '<1 || >=3', true],
    ['1.0', '=1.0.0', true],
    ['abc', '<1', false],
  ])('%s in %s is %s', (v, r, want) => {
    expect(satisfies(v, r)).toBe(want);
  });
});

describe('AWS Signer evidence (pure)', () => {
  const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers';
  const VERSION_ARN = `${PROFILE}/Ab12Cd34`;
  const JOB_ARN =
    'arn:aws:signer:us-east-1:111122223333:/signing-jobs/0f1e2d3c-aaaa-bbbb-cccc-111122223333';
  const loaded = policy(`version: 1
default: deny
anchors:
  ci:
    kind: aws-signer
    profileArn: ${PROFILE}
layers:
  - match: { name: utils }
    signers: { anyOf: [ci] }
`);
  const good = (): SignerEvidence => ({
    layerVersion: { SigningProfileVersionArn: VERSION_ARN, SigningJobArn: JOB_ARN },
    job: {
      jobId: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
      status: 'Succeeded',
      platformId: 'AWSLambda-SHA384-ECDSA',
      profileName: 'Layers',
      profileVersion: 'Ab12Cd34',
      createdAt: new Date('2026-01-10T00:00:00Z'),
      completedAt: new Date('2026-01-10T00:01:00Z'),
      signatureExpiresAt: new Date('2030-01-01T00:00:00Z'),
      jobOwner: '111122223333',
    },
    profile: {
      profileName: 'Layers',
      status: 'Active',
      profileVersionArn: VERSION_ARN,
      arn: PROFILE,
    },
    signedObjectSha256: D,
  });
  const run = (signer: SignerEvidence | undefined) =>
    verifyLayer(layer({ ...(signer ? { signer } : {}) }), loaded, { now: NOW });
  const signerOutcome = (signer: SignerEvidence | undefined) => byId(run(signer))['signer:ci'];

  it('a good signed layer passes and says the zip signature bytes were not verified', () => {
    const v = run(good());
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.id === 'signer:ci')?.detail).toMatch(/undocumented/);
  });
  it('fails: unsigned, no evidence, profile not allowed, another account', () => {
    expect(signerOutcome({ layerVersion: {} })).toBe('fail');
    expect(signerOutcome(undefined)).toBe('fail');
    const other = good();
    other.layerVersion.SigningProfileVersionArn =
      'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Other/Ab12Cd34';
    expect(signerOutcome(other)).toBe('fail');
    const foreign = good();
    foreign.layerVersion.SigningProfileVersionArn =
      'arn:aws:signer:us-east-1:444455556666:/signing-profiles/Layers/Ab12Cd34';
    expect(signerOutcome(foreign)).toBe('fail');
  });
  it('fails: job revoked, job failed, signature expired, wrong platform, signed object differs', () => {
    const revoked = good();
    revoked.job!.revocationRecord = {
      reason: 'leak',
      revokedAt: new Date('2026-02-01T00:00:00Z'),
      revokedBy: 'x',
    };
    expect(signerOutcome(revoked)).toBe('fail');
    const failed = good();
    failed.job!.status = 'Failed';
    expect(signerOutcome(failed)).toBe('fail');
    const expired = good();
    expired.job!.signatureExpiresAt = new Date('2026-05-01T00:00:00Z');
    expect(signerOutcome(expired)).toBe('fail');
    const platform = good();
    platform.job!.platformId = 'Notation-OCI-SHA384-ECDSA';
    expect(signerOutcome(platform)).toBe('fail');
    const obj = good();
    obj.signedObjectSha256 = 'c'.repeat(64);
    expect(signerOutcome(obj)).toBe('fail');
  });
  it('profile revoked before signing fails; revoked effective after signing passes', () => {
    const before = good();
    before.profile = {
      ...before.profile,
      status: 'Revoked',
      revocationRecord: { revocationEffectiveFrom: new Date('2026-01-01T00:00:00Z') },
    };
    expect(signerOutcome(before)).toBe('fail');
    const after = good();
    after.profile = {
      ...after.profile,
      status: 'Revoked',
      revocationRecord: { revocationEffectiveFrom: new Date('2026-03-01T00:00:00Z') },
    };
    expect(signerOutcome(after)).toBe('pass');
  });
  it("fails when GetSigningProfile describes another version than the layer's", () => {
    // The profile was re-created (Ab12Cd34 revoked, say): Signer now answers for Zz99Yy88,
    // Active, and has nothing to say about the version that signed.
    const recreated = good();
    recreated.profile = {
      ...recreated.profile,
      profileVersion: 'Zz99Yy88',
      profileVersionArn: `${PROFILE}/Zz99Yy88`,
    };
    expect(signerOutcome(recreated)).toBe('fail');
    expect(run(recreated).checks.find((c) => c.id === 'signer:ci')?.detail).toMatch(
      /describes version Zz99Yy88 of Layers, not Ab12Cd34, which signed the layer/
    );
    const noVersion = good();
    noVersion.profile = { ...noVersion.profile, profileVersionArn: undefined };
    expect(signerOutcome(noVersion)).toBe('fail');
    const sameVersion = good();
    sameVersion.profile = { ...sameVersion.profile, profileVersion: 'Ab12Cd34' };
    expect(signerOutcome(sameVersion)).toBe('pass');
  });
  it('an exact profile version anchor refuses another version of the same profile', () => {
    const exact = policy(`version: 1
default: deny
anchors:
  v1: { kind: aws-signer, profileVersionArn: '${PROFILE}/Zz99Yy88' }
layers:
  - match: { name: utils }
    signers: { anyOf: [v1] }
`);
    expect(verifyLayer(layer({ signer: good() }), exact, { now: NOW }).ok).toBe(false);
  });
});

describe('function rules', () => {
  const loaded = policy(`version: 1
default: deny
functions:
  - match: { name: prod-* }
    codeSigning: { required: true, enforce: true }
    layerAccounts: ['111122223333']
`);
  const PV = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers/Ab12Cd34';
  const layerArn = 'arn:aws:lambda:us-east-1:111122223333:layer:utils:3';
  const csc = (mode: string, publishers = [PV]) => ({
    CodeSigningConfigArn: 'arn:aws:lambda:us-east-1:111122223333:code-signing-config:csc-1',
    AllowedPublishers: { SigningProfileVersionArns: publishers },
    CodeSigningPolicies: { UntrustedArtifactOnDeployment: mode },
  });
  it('passes with an Enforce CSC listing the layer profile', () => {
    const v = verifyFunction(
      {
        name: 'prod-api',
        codeSigningConfig: csc('Enforce'),
        layers: [{ arn: layerArn, signingProfileVersionArn: PV }],
        environment: NO_ENV,
        start: ZIP_START,
      },
      loaded
    );
    expect(v.ok).toBe(true);
  });
  it('fails without a CSC, in Warn mode, with a missing publisher, or a foreign layer', () => {
    const layers = [{ arn: layerArn, signingProfileVersionArn: PV }];
    expect(
      byId(
        verifyFunction({ name: 'prod-api', layers, environment: NO_ENV, start: ZIP_START }, loaded)
      )['function:code-signing']
    ).toBe('fail');
    expect(
      byId(
        verifyFunction(
          {
            name: 'prod-api',
            codeSigningConfig: csc('Warn'),
            layers,
            environment: NO_ENV,
            start: ZIP_START,
          },
          loaded
        )
      )['function:code-signing']
    ).toBe('fail');
    expect(
      byId(
        verifyFunction(
          {
            name: 'prod-api',
            codeSigningConfig: csc('Enforce', []),
            layers,
            environment: NO_ENV,
            start: ZIP_START,
          },
          loaded
        )
      )['function:publishers']
    ).toBe('fail');
    const foreign = [{ arn: 'arn:aws:lambda:us-east-1:464622532012:layer:Datadog:1' }];
    expect(
      byId(
        verifyFunction(
          {
            name: 'prod-api',
            codeSigningConfig: csc('Enforce'),
            layers: foreign,
            environment: NO_ENV,
            start: ZIP_START,
          },
          loaded
        )
      )['function:layer-accounts']
    ).toBe('fail');
  });
  it('an unmatched function falls to default deny', () => {
    expect(
      verifyFunction({ name: 'dev-x', layers: [], environment: NO_ENV, start: ZIP_START }, loaded)
        .ok
    ).toBe(false);
  });
});

describe('verdict text', () => {
  it('shows a function version qualifier so published versions stay apart', async () => {
    const { renderVerdictText } = await import('../report/verdict-text.js');
    const text = renderVerdictText([
      {
        subject: {
          kind: 'function',
          name: 'orders-api',
          arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api:2',
        },
        ok: true,
        mode: 'enforce',
        checks: [],
      } as unknown as import('./verdict.js').Verdict,
    ]);
    expect(text).toContain('function orders-api:2');
  });
});
