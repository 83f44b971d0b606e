/**
 * cosign v3 bundle referrers: DSSE in-toto statements about the image, keyless (private
 * Sigstore, TSA timestamp) and key-signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ISSUER,
  emailClaims,
  startPrivateSigstore,
  stopAllPrivateSigstores,
  type PrivateSigstore,
} from '../../sigstore/testing/private-sigstore.js';
import type { SigstoreAnchor } from '../../sigstore/index.js';
import { loadTrustedRoot, type TrustedRootMaterial } from '../../trust/index.js';
import { cosignStatement, digestOf, keySignedDsseBundle } from '../testing/cosign.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  verifyCosignBundleReferrer,
  type CosignBundleCode,
  type VerifyCosignBundleInput,
} from './bundle-referrer.js';

const IMAGE = digestOf(Buffer.from('image manifest'));
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app';
const SIGNER = 'release@example.com';
const keyless: SigstoreAnchor = { $case: 'keyless', issuer: ISSUER, subject: SIGNER };
// The private Sigstore's DSSE bundles carry a TSA timestamp and no log entry.
const NO_TLOG = { tlog: 0 };

let sig: PrivateSigstore;
let root: TrustedRootMaterial;
let keylessBundle: Buffer;
let keyBundle: Buffer;
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();

beforeAll(async () => {
  sig = await startPrivateSigstore();
  root = loadTrustedRoot(sig.trustedRootBytes);
  const sha = IMAGE.slice('sha256:'.length);
  keylessBundle = Buffer.from(
    JSON.stringify(
      await sig.signDsse(sha, emailClaims(SIGNER), {
        predicateType: COSIGN_SIGN_PREDICATE_TYPE,
        subjectName: REPO,
      })
    )
  );
  keyBundle = Buffer.from(
    JSON.stringify(
      await keySignedDsseBundle(cosignStatement(IMAGE, REPO), ec.privateKey, pem, 'k1')
    )
  );
});
afterAll(() => stopAllPrivateSigstores());

function verify(bundle: Buffer, over: Partial<VerifyCosignBundleInput> = {}) {
  return verifyCosignBundleReferrer({
    bundle,
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    imageDigest: IMAGE,
    anchor: keyless,
    trustedRoot: root,
    thresholds: NO_TLOG,
    ...over,
  });
}
const expectCode = (
  bundle: Buffer,
  code: CosignBundleCode,
  over: Partial<VerifyCosignBundleInput> = {}
) => {
  const r = verify(bundle, over);
  expect(r.code, r.detail).toBe(code);
  expect(r.ok).toBe(false);
  return r;
};

describe('keyless bundle referrer', () => {
  it('verifies: identity, timestamp, subject digest and predicate type', () => {
    const r = verify(keylessBundle);
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence).toMatchObject({
      kind: 'dsse',
      signerIdentity: SIGNER,
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      subjects: [REPO],
    });
    expect(r.verified?.signatureId).toMatch(/^sig:/);
  });
  it('fails for another image: the in-toto subject is checked', () => {
    expectCode(keylessBundle, 'DSSE_SUBJECT_MISMATCH', {
      imageDigest: digestOf(Buffer.from('other')),
    });
  });
  it('fails for another predicate type, or when another is expected', async () => {
    const slsa = Buffer.from(
      JSON.stringify(await sig.signDsse(IMAGE.slice(7), emailClaims(SIGNER)))
    );
    expectCode(slsa, 'PREDICATE_TYPE_MISMATCH');
    expect(verify(slsa, { predicateTypes: ['https://slsa.dev/provenance/v1'] }).code).toBe('OK');
    expectCode(keylessBundle, 'PREDICATE_TYPE_MISMATCH', {
      predicateTypes: ['https://slsa.dev/provenance/v1'],
    });
  });
  it('fails for another identity', () => {
    expectCode(keylessBundle, 'IDENTITY_MISMATCH', {
      anchor: { ...keyless, subject: 'x@example.com' },
    });
  });
});

describe('format', () => {
  it('media types: the layer and the bundle itself must be v0.3', () => {
    expectCode(keylessBundle, 'MEDIA_TYPE_INVALID', {
      mediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    });
    const b = JSON.parse(keylessBundle.toString()) as Record<string, unknown>;
    expectCode(
      Buffer.from(
        JSON.stringify({ ...b, mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2' })
      ),
      'MEDIA_TYPE_INVALID'
    );
  });
  it('must be a DSSE envelope, in strict JSON', async () => {
    const signed = (await sig.signKeyless(Buffer.from('manifest'), emailClaims(SIGNER))) as object;
    const msg = Buffer.from(
      JSON.stringify({ ...signed, mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE })
    );
    expectCode(msg, 'NOT_DSSE');
    const text = keylessBundle.toString();
    expectCode(
      Buffer.from(text.replace('{"mediaType":', '{"mediaType":"x","mediaType":')),
      'BUNDLE_INVALID'
    );
    expectCode(Buffer.from('{'), 'BUNDLE_INVALID');
  });
});

describe('key-signed bundle referrer', () => {
  const anchor: SigstoreAnchor = { $case: 'key', publicKeyPem: pem };
  it('verifies as a bare key signature', () => {
    const r = verify(keyBundle, { anchor, thresholds: { tlog: 0, timestamp: 0 } });
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
  });
  it('fails with another key or without the bare-key thresholds', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expectCode(keyBundle, 'SIGNATURE_INVALID', {
      anchor: { $case: 'key', publicKeyPem: other },
      thresholds: { tlog: 0, timestamp: 0 },
    });
    expectCode(keyBundle, 'TIMESTAMP_INVALID', { anchor });
  });
});
