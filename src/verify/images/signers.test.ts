/**
 * Image signatures of every format against a `signers` rule: anchor matching, revocation through
 * the injected call, and the threshold over distinct anchors and distinct signatures.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ISSUER,
  emailClaims,
  startPrivateSigstore,
  stopAllPrivateSigstores,
} from '../sigstore/testing/private-sigstore.js';
import { loadTrustedRoot, type TrustedRootMaterial } from '../trust/index.js';
import type { RawCheck } from '../verdict.js';
import type { GetRevocationStatusFn, RevocationRequest } from './notation/aws-signer.js';
import {
  evaluateImageSigners,
  type FoundImageSignature,
  type ImageAnchor,
  type ImageSignerContext,
} from './signers.js';
import {
  cosignStatement,
  keySignedDsseBundle,
  keySignedLayer,
  legacyLayerFromBundle,
  simpleSigningPayload,
} from './testing/cosign.js';
import {
  makeSignerChain,
  signJws,
  signerProtectedHeader,
  TEST_JOB_ARN,
  TEST_PROFILE_VERSION_ARN,
  type SignerChain,
} from './testing/signer-chain.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const SIGNED_AT = new Date(NOW.getTime() - 30 * DAY);
const SUBJECT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'5e'.repeat(32)}`,
  size: 777,
};
const PROFILE_ARN = TEST_PROFILE_VERSION_ARN.slice(0, TEST_PROFILE_VERSION_ARN.lastIndexOf('/'));
const REPO = 'registry.example/app';

let chain: SignerChain;
let root: TrustedRootMaterial;
let envelopeA: Buffer;
let envelopeB: Buffer;
/** Signed again under envelopeA's signing job: another signature, the same job. */
let envelopeSameJob: Buffer;
let keylessLegacy: FoundImageSignature;
const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const keyPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
let keyBundle: FoundImageSignature;

const notation = (
  envelope: Buffer,
  via: FoundImageSignature['via'] = 'referrers-api',
  source = 'sha256:ref-a'
): FoundImageSignature => ({
  format: 'notation',
  source,
  via,
  subject: SUBJECT,
  envelope,
  mediaType: 'application/jose+json',
});

beforeAll(async () => {
  chain = await makeSignerChain(SIGNED_AT);
  const sign = (job = TEST_JOB_ARN) =>
    signJws({
      protected: { ...signerProtectedHeader(SIGNED_AT), 'com.amazonaws.signer.signingJob': job },
      payload: { targetArtifact: SUBJECT },
      x5c: chain.x5c,
      key: chain.leaf.privateKey,
    });
  envelopeA = sign();
  envelopeB = sign(TEST_JOB_ARN.replace(/4444$/, '5555'));
  envelopeSameJob = sign();
  const sig = await startPrivateSigstore();
  root = loadTrustedRoot(sig.trustedRootBytes);
  const payload = simpleSigningPayload(SUBJECT.digest, REPO);
  keylessLegacy = {
    format: 'cosign-legacy',
    source: 'sha256-5e5e….sig',
    via: 'sig-tag',
    subject: SUBJECT,
    layer: legacyLayerFromBundle(
      payload,
      await sig.signKeyless(payload, emailClaims('ci@example.com'))
    ),
  };
  keyBundle = {
    format: 'cosign-bundle',
    source: 'sha256:ref-bundle',
    via: 'referrers-tag',
    subject: SUBJECT,
    bundle: Buffer.from(
      JSON.stringify(
        await keySignedDsseBundle(
          cosignStatement(SUBJECT.digest, REPO),
          key.privateKey,
          keyPem,
          'k'
        )
      )
    ),
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  };
});
afterAll(() => stopAllPrivateSigstores());

const signerAnchor = (
  over: Partial<Extract<ImageAnchor, { kind: 'aws-signer' }>> = {}
): ImageAnchor => ({
  kind: 'aws-signer',
  profileArn: PROFILE_ARN,
  trustStores: [{ name: 'test-root', type: 'signingAuthority', certificates: [chain.root.der] }],
  revocation: 'required',
  ...over,
});
const keylessAnchor = (): ImageAnchor => ({
  kind: 'sigstore',
  anchor: { $case: 'keyless', issuer: ISSUER, subject: 'ci@example.com' },
  trustedRoot: root,
});
const keyAnchor = (): ImageAnchor => ({
  kind: 'sigstore',
  anchor: { $case: 'key', publicKeyPem: keyPem },
  trustedRoot: root,
  thresholds: { tlog: 0, timestamp: 0 },
});

function recorder(
  answer: (r: RevocationRequest) => Promise<{ revokedEntities?: string[] }> = () =>
    Promise.resolve({ revokedEntities: [] })
) {
  const calls: RevocationRequest[] = [];
  const fn: GetRevocationStatusFn = (r) => {
    calls.push(r);
    return answer(r);
  };
  return { calls, fn };
}

async function run(
  anyOf: Record<string, ImageAnchor>,
  found: FoundImageSignature[],
  threshold = 1,
  ctx: Partial<ImageSignerContext> = {}
) {
  const checks = await evaluateImageSigners(
    { anyOf: Object.keys(anyOf), threshold },
    anyOf,
    found,
    {
      now: NOW,
      getRevocationStatus: recorder().fn,
      ...ctx,
    }
  );
  const byId = (id: string): RawCheck => checks.find((c) => c.id === id)!;
  return { checks, byId, threshold: byId('signers:threshold') };
}

describe('AWS Signer anchors', () => {
  it('a profile ARN matches its versions; a version ARN matches exactly', async () => {
    const { byId, threshold } = await run(
      {
        profile: signerAnchor(),
        version: signerAnchor({
          profileArn: undefined,
          profileVersionArn: TEST_PROFILE_VERSION_ARN,
        }),
      },
      [notation(envelopeA)]
    );
    expect(byId('signer:profile').status).toBe('pass');
    expect(byId('signer:version').status).toBe('pass');
    expect(threshold.status).toBe('pass');
    expect(byId('signer:profile').evidence.signatures).toMatchObject([
      {
        format: 'notation',
        via: 'referrers-api',
        signer: TEST_PROFILE_VERSION_ARN,
        awsSigner: { root: 'custom-root', revocation: { code: 'NOT_REVOKED' } },
      },
    ]);
  });
  it('matching is exact and case-sensitive, at a "/" boundary', async () => {
    for (const profileArn of [
      PROFILE_ARN.slice(0, -1),
      PROFILE_ARN.toLowerCase(),
      `${PROFILE_ARN}/`,
      PROFILE_ARN.replace('123456789012', '210987654321'),
    ]) {
      const { byId } = await run({ a: signerAnchor({ profileArn }) }, [notation(envelopeA)]);
      expect(byId('signer:a').status, profileArn).toBe('fail');
      expect(byId('signer:a').evidence.attempts).toMatchObject([{ code: 'IDENTITY_MISMATCH' }]);
    }
  });
  it('needs the pinned root', async () => {
    const other = await makeSignerChain(SIGNED_AT);
    const { byId } = await run(
      {
        a: signerAnchor({
          trustStores: [{ name: 'x', type: 'signingAuthority', certificates: [other.root.der] }],
        }),
      },
      [notation(envelopeA)]
    );
    expect(byId('signer:a').evidence.attempts).toMatchObject([{ code: 'ROOT_UNTRUSTED' }]);
  });
});

describe('revocation', () => {
  it('a revoked job fails the anchor', async () => {
    const rec = recorder((r) => Promise.resolve({ revokedEntities: [r.jobArn] }));
    const { byId, threshold } = await run({ a: signerAnchor() }, [notation(envelopeA)], 1, {
      getRevocationStatus: rec.fn,
    });
    expect(byId('signer:a').evidence.attempts).toMatchObject([{ code: 'REVOKED' }]);
    expect(threshold.status).toBe('fail');
  });
  it('a failed call fails under required, warns under best-effort; skip makes no call', async () => {
    const failing = recorder(() => Promise.reject(new Error('AccessDeniedException')));
    const req = await run({ a: signerAnchor() }, [notation(envelopeA)], 1, {
      getRevocationStatus: failing.fn,
    });
    expect(req.byId('signer:a').evidence.attempts).toMatchObject([
      { code: 'REVOCATION_CHECK_FAILED' },
    ]);
    const best = await run(
      { a: signerAnchor({ revocation: 'best-effort' }) },
      [notation(envelopeA)],
      1,
      { getRevocationStatus: failing.fn }
    );
    expect(best.byId('signer:a').status).toBe('pass');
    expect(best.byId('signer:a').detail).toMatch(/Warning: GetRevocationStatus failed/);
    const counting = recorder();
    const skip = await run({ a: signerAnchor({ revocation: 'skip' }) }, [notation(envelopeA)], 1, {
      getRevocationStatus: counting.fn,
    });
    expect(skip.byId('signer:a').status).toBe('pass');
    expect(counting.calls).toHaveLength(0);
  });
  it('one call per signing job, however often the signature was found and however many anchors accept it', async () => {
    const rec = recorder();
    await run(
      {
        p: signerAnchor(),
        v: signerAnchor({ profileArn: undefined, profileVersionArn: TEST_PROFILE_VERSION_ARN }),
      },
      [
        notation(envelopeA, 'referrers-api'),
        notation(envelopeA, 'referrers-tag', 'sha256:ref-a-again'),
      ],
      1,
      { getRevocationStatus: rec.fn }
    );
    expect(rec.calls).toHaveLength(1);
    expect(rec.calls[0]).toMatchObject({
      profileVersionArn: TEST_PROFILE_VERSION_ARN,
      region: 'us-east-1',
      platformId: 'Notation-OCI-SHA384-ECDSA',
    });
  });
});

describe('threshold over distinct signatures', () => {
  const twoAnchors = () => ({
    p: signerAnchor(),
    v: signerAnchor({ profileArn: undefined, profileVersionArn: TEST_PROFILE_VERSION_ARN }),
  });
  it('one signature found through two discovery paths counts once', async () => {
    const { threshold } = await run(
      twoAnchors(),
      [notation(envelopeA, 'referrers-api'), notation(envelopeA, 'referrers-tag')],
      2
    );
    expect(threshold.status).toBe('fail');
    expect(threshold.detail).toMatch(/^1 of 2 distinct anchor\(s\)/);
    // Re-serialised on the way (another JSON layout of the same envelope): still one signature.
    const pretty = Buffer.from(JSON.stringify(JSON.parse(envelopeA.toString()), null, 1));
    expect(
      (await run(twoAnchors(), [notation(envelopeA), notation(pretty)], 2)).threshold.status
    ).toBe('fail');
  });
  it('two signing jobs back two anchors', async () => {
    const { threshold } = await run(
      twoAnchors(),
      [notation(envelopeA), notation(envelopeB, 'referrers-api', 'sha256:ref-b')],
      2
    );
    expect(threshold.status).toBe('pass');
  });
  it('two signatures claiming one signing job count once', async () => {
    const { threshold } = await run(
      twoAnchors(),
      [notation(envelopeA), notation(envelopeSameJob, 'referrers-tag', 'sha256:ref-c')],
      2
    );
    expect(threshold.status).toBe('fail');
  });
  it('all three formats together meet a threshold of three distinct anchors', async () => {
    const anchors = { signer: signerAnchor(), ci: keylessAnchor(), release: keyAnchor() };
    const { checks, threshold } = await run(
      anchors,
      [notation(envelopeA), keylessLegacy, keyBundle],
      3
    );
    expect(checks.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual([
      'signer:signer',
      'sigstore:ci',
      'sigstore:release',
      'signers:threshold',
    ]);
    expect(threshold.status).toBe('pass');
    // Without the bundle, the key anchor has nothing: 2 of 3.
    expect((await run(anchors, [notation(envelopeA), keylessLegacy], 3)).threshold.status).toBe(
      'fail'
    );
  });
  it('a second signature by the same key does not back a second anchor', async () => {
    // Two anchors naming one key (as layers count it: README, signature thresholds): a cosign
    // bundle and a `.sig` layer the key holder signed separately are two signatures, one signer.
    const keyLegacy: FoundImageSignature = {
      format: 'cosign-legacy',
      source: 'sha256-5e5e….sig key',
      via: 'sig-tag',
      subject: SUBJECT,
      layer: keySignedLayer(simpleSigningPayload(SUBJECT.digest, REPO), key.privateKey, 'sha256'),
    };
    const anchors = { release: keyAnchor(), 'release-again': keyAnchor() };
    const { byId, threshold } = await run(anchors, [keyBundle, keyLegacy], 2);
    expect(byId('sigstore:release').status).toBe('pass');
    expect(byId('sigstore:release-again').status).toBe('pass');
    expect(threshold.status).toBe('fail');
    expect(threshold.detail).toMatch(/^1 of 2 distinct anchor\(s\)/);
    // Two keys are two signers.
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const otherPem = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const otherLegacy: FoundImageSignature = {
      ...keyLegacy,
      layer: keySignedLayer(simpleSigningPayload(SUBJECT.digest, REPO), other.privateKey, 'sha256'),
    };
    const twoKeys = {
      release: keyAnchor(),
      other: { ...keyAnchor(), anchor: { $case: 'key', publicKeyPem: otherPem } } as ImageAnchor,
    };
    expect((await run(twoKeys, [keyBundle, otherLegacy], 2)).threshold.status).toBe('pass');
  });
  it('formats the rule does not allow are not considered', async () => {
    const { byId } = await run({ ci: keylessAnchor() }, [keylessLegacy], 1, {
      formats: ['cosign-bundle'],
    });
    expect(byId('sigstore:ci').status).toBe('fail');
    expect(byId('sigstore:ci').detail).toMatch(/no cosign-bundle signature was found/);
  });
  it('an unknown anchor name fails closed', async () => {
    const checks = await evaluateImageSigners({ anyOf: ['ghost'] }, {}, [notation(envelopeA)], {
      now: NOW,
    });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['sigstore:ghost', 'fail'],
      ['signers:threshold', 'fail'],
    ]);
  });
});
