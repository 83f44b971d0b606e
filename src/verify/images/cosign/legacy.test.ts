/**
 * cosign legacy (`.sig`) signatures made the way cosign makes them (see testing/cosign.ts):
 * keyless with Rekor SET and TSA from a private Sigstore, key-signed with and without witnesses,
 * and bare key signatures for every key type cosign supports.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
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
import {
  digestOf,
  keySignedLayer,
  legacyLayerFromBundle,
  simpleSigningPayload,
} from '../testing/cosign.js';
import {
  verifyCosignLegacy,
  type CosignLegacyCode,
  type CosignLegacyLayer,
  type VerifyCosignLegacyInput,
} from './legacy.js';

const MANIFEST = Buffer.from(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'
);
const IMAGE = digestOf(MANIFEST);
const REF = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app';
const PAYLOAD = simpleSigningPayload(IMAGE, REF);
const SIGNER = 'release@example.com';
const keyless: SigstoreAnchor = { $case: 'keyless', issuer: ISSUER, subject: SIGNER };
const BARE = { tlog: 0, timestamp: 0 };

let sig: PrivateSigstore;
let root: TrustedRootMaterial;
let otherRoot: TrustedRootMaterial;
let keylessLayer: CosignLegacyLayer;
let witnessedKeyLayer: CosignLegacyLayer;
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pemOf = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
const keyAnchor = (k: KeyObject, hint?: string): SigstoreAnchor => ({
  $case: 'key',
  publicKeyPem: pemOf(k),
  ...(hint ? { hint } : {}),
});

beforeAll(async () => {
  sig = await startPrivateSigstore();
  root = loadTrustedRoot(sig.trustedRootBytes);
  otherRoot = loadTrustedRoot((await startPrivateSigstore()).trustedRootBytes);
  keylessLayer = legacyLayerFromBundle(
    PAYLOAD,
    await sig.signKeyless(PAYLOAD, emailClaims(SIGNER))
  );
  witnessedKeyLayer = legacyLayerFromBundle(
    PAYLOAD,
    await sig.signWithKey(PAYLOAD, ec, 'release-key', true)
  );
});
afterAll(() => stopAllPrivateSigstores());

function verify(layer: CosignLegacyLayer, over: Partial<VerifyCosignLegacyInput> = {}) {
  return verifyCosignLegacy({
    layer,
    imageDigest: IMAGE,
    anchor: keyless,
    trustedRoot: root,
    ...over,
  });
}
const expectCode = (
  layer: CosignLegacyLayer,
  code: CosignLegacyCode,
  over: Partial<VerifyCosignLegacyInput> = {}
) => {
  const r = verify(layer, over);
  expect(r.code, r.detail).toBe(code);
  expect(r.ok).toBe(false);
  return r;
};
const withAnnotations = (
  l: CosignLegacyLayer,
  a: Record<string, string | undefined>
): CosignLegacyLayer => ({
  ...l,
  annotations: Object.fromEntries(
    Object.entries({ ...l.annotations, ...a }).filter(
      (e): e is [string, string] => e[1] !== undefined
    )
  ),
});
const withPayload = (l: CosignLegacyLayer, payload: Buffer | string): CosignLegacyLayer => ({
  ...l,
  payload: Buffer.from(payload),
});

describe('keyless', () => {
  it('has the annotations cosign writes', () => {
    expect(Object.keys(keylessLayer.annotations).sort()).toEqual([
      'dev.cosignproject.cosign/signature',
      'dev.sigstore.cosign/bundle',
      'dev.sigstore.cosign/certificate',
      'dev.sigstore.cosign/chain',
      'dev.sigstore.cosign/rfc3161timestamp',
    ]);
    expect(keylessLayer.annotations['dev.sigstore.cosign/certificate']).toMatch(
      /^-----BEGIN CERTIFICATE-----\n/
    );
  });
  it('verifies: certificate chain, SET and TSA, exact identity', () => {
    const r = verify(keylessLayer);
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence).toMatchObject({
      signerIdentity: SIGNER,
      issuer: ISSUER,
      dockerReference: REF,
      dockerManifestDigest: IMAGE,
    });
    expect(r.evidence.tlogEntries).toHaveLength(1);
    expect(r.evidence.tsaTimes).toHaveLength(1);
    expect(r.verified?.hash).toBe('sha256');
  });
  it('verifies with the SET alone, or the TSA alone when the anchor needs no log entry', () => {
    const setOnly = withAnnotations(keylessLayer, {
      'dev.sigstore.cosign/rfc3161timestamp': undefined,
    });
    expect(verify(setOnly).code).toBe('OK');
    const tsaOnly = withAnnotations(keylessLayer, { 'dev.sigstore.cosign/bundle': undefined });
    expect(verify(tsaOnly, { thresholds: { tlog: 0 } }).code).toBe('OK');
    expectCode(tsaOnly, 'TLOG_INVALID');
  });
  it('fails for another identity, issuer or trusted root', () => {
    expectCode(keylessLayer, 'IDENTITY_MISMATCH', {
      anchor: { ...keyless, subject: 'other@example.com' },
    });
    expectCode(keylessLayer, 'ISSUER_MISMATCH', {
      anchor: { ...keyless, issuer: 'https://other.example' },
    });
    // Another deployment's root: its TSA is the first thing that no longer verifies.
    expectCode(keylessLayer, 'TIMESTAMP_INVALID', { trustedRoot: otherRoot });
  });
  it('a tampered SET fails; a missing certificate fails a keyless anchor', () => {
    const rekor = JSON.parse(keylessLayer.annotations['dev.sigstore.cosign/bundle']!) as {
      SignedEntryTimestamp: string;
      Payload: { integratedTime: number };
    };
    rekor.Payload.integratedTime += 1;
    expectCode(
      withAnnotations(keylessLayer, { 'dev.sigstore.cosign/bundle': JSON.stringify(rekor) }),
      'TLOG_INVALID'
    );
    expectCode(
      withAnnotations(keylessLayer, { 'dev.sigstore.cosign/certificate': undefined }),
      'MATERIAL_MISMATCH'
    );
  });
});

describe('payload', () => {
  it('the layer must be a simple-signing layer', () => {
    expectCode(
      { ...keylessLayer, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
      'MEDIA_TYPE_INVALID'
    );
  });
  it('must be strict simple-signing JSON', () => {
    const text = PAYLOAD.toString();
    expectCode(
      withPayload(keylessLayer, text.replace('"optional":null', '"optional":null,"extra":1')),
      'PAYLOAD_INVALID'
    );
    expectCode(
      withPayload(keylessLayer, text.replace('{"critical":', '{"Critical":{},"critical":')),
      'PAYLOAD_INVALID'
    );
    expectCode(
      withPayload(
        keylessLayer,
        text.replace('"image":{', `"image":{"docker-manifest-digest":"sha256:${'0'.repeat(64)}",`)
      ),
      'PAYLOAD_INVALID'
    );
    expectCode(
      withPayload(keylessLayer, text.replace('"optional":null', '"optional":"x"')),
      'PAYLOAD_INVALID'
    );
    expectCode(
      withPayload(
        keylessLayer,
        text.replace('"identity":{"docker-reference"', '"identity":{"docker-Reference"')
      ),
      'PAYLOAD_INVALID'
    );
  });
  it('critical.type must be a cosign image signature', () => {
    expectCode(
      withPayload(
        keylessLayer,
        PAYLOAD.toString().replace('cosign container image signature', 'atomic container signature')
      ),
      'PAYLOAD_TYPE'
    );
  });
  it('docker-manifest-digest must be the image digest', () => {
    expectCode(keylessLayer, 'DIGEST_MISMATCH', {
      imageDigest: digestOf(Buffer.from('another manifest')),
    });
  });
  it('the signature covers the exact payload bytes', () => {
    // Same digest, same meaning, one more space: not what was signed.
    expectCode(
      withPayload(keylessLayer, PAYLOAD.toString().replace('{"critical":', '{ "critical":')),
      'SIGNATURE_INVALID'
    );
  });
  it('optional annotations are allowed', async () => {
    const p = simpleSigningPayload(IMAGE, REF, { 'git-sha': 'abc123' });
    const layer = legacyLayerFromBundle(p, await sig.signKeyless(p, emailClaims(SIGNER)));
    expect(verify(layer).code).toBe('OK');
  });
});

describe('annotations', () => {
  it('signature: present and base64', () => {
    expectCode(
      withAnnotations(keylessLayer, { 'dev.cosignproject.cosign/signature': undefined }),
      'ANNOTATION_INVALID'
    );
    expectCode(
      withAnnotations(keylessLayer, { 'dev.cosignproject.cosign/signature': 'not*base64' }),
      'ANNOTATION_INVALID'
    );
  });
  it('certificate and chain: PEM', () => {
    expectCode(
      withAnnotations(keylessLayer, { 'dev.sigstore.cosign/certificate': 'garbage' }),
      'ANNOTATION_INVALID'
    );
    const cert = keylessLayer.annotations['dev.sigstore.cosign/certificate']!;
    expectCode(
      withAnnotations(keylessLayer, { 'dev.sigstore.cosign/certificate': cert + cert }),
      'ANNOTATION_INVALID'
    );
    expectCode(
      withAnnotations(keylessLayer, { 'dev.sigstore.cosign/chain': 'garbage' }),
      'ANNOTATION_INVALID'
    );
    // cosign 2.x wrote the Fulcio chain here; it is a hint and may hold any certificates.
    expect(verify(withAnnotations(keylessLayer, { 'dev.sigstore.cosign/chain': cert })).code).toBe(
      'OK'
    );
  });
  it('Rekor bundle and timestamp: the exact JSON cosign writes', () => {
    const rekor = JSON.parse(keylessLayer.annotations['dev.sigstore.cosign/bundle']!) as Record<
      string,
      unknown
    >;
    expectCode(
      withAnnotations(keylessLayer, {
        'dev.sigstore.cosign/bundle': JSON.stringify({ ...rekor, Extra: 1 }),
      }),
      'ANNOTATION_INVALID'
    );
    expectCode(
      withAnnotations(keylessLayer, {
        'dev.sigstore.cosign/bundle': JSON.stringify({ ...rekor, SignedEntryTimestamp: null }),
      }),
      'ANNOTATION_INVALID'
    );
    expectCode(
      withAnnotations(keylessLayer, {
        'dev.sigstore.cosign/rfc3161timestamp': '{"SignedRFC3161Timestamp":1}',
      }),
      'ANNOTATION_INVALID'
    );
  });
});

describe('key-signed', () => {
  it('with Rekor and TSA witnesses verifies against the key', () => {
    const r = verify(witnessedKeyLayer, { anchor: keyAnchor(ec.publicKey) });
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(verify(witnessedKeyLayer, { anchor: keyAnchor(ec.publicKey, 'release-key') }).code).toBe(
      'OK'
    );
  });
  it('fails with another key, or a keyless anchor', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expectCode(witnessedKeyLayer, 'SIGNATURE_INVALID', { anchor: keyAnchor(other) });
    expectCode(witnessedKeyLayer, 'MATERIAL_MISMATCH');
  });
  it('a bare key signature needs an anchor that asks for no log entry or timestamp', () => {
    const layer = keySignedLayer(PAYLOAD, ec.privateKey, 'sha256');
    expectCode(layer, 'TIMESTAMP_INVALID', { anchor: keyAnchor(ec.publicKey) });
    expect(verify(layer, { anchor: keyAnchor(ec.publicKey), thresholds: BARE }).code).toBe('OK');
  });
  it.each([
    ['P-256', 'ec', { namedCurve: 'prime256v1' }, 'sha256'],
    ['P-384 with SHA-384 (cosign 2.x+)', 'ec', { namedCurve: 'secp384r1' }, 'sha384'],
    ['P-384 with SHA-256 (older cosign)', 'ec', { namedCurve: 'secp384r1' }, 'sha256'],
    ['P-521', 'ec', { namedCurve: 'secp521r1' }, 'sha512'],
    ['RSA-2048', 'rsa', { modulusLength: 2048 }, 'sha256'],
    ['RSA-4096', 'rsa', { modulusLength: 4096 }, 'sha256'],
  ] as const)('%s verifies; a flipped bit does not', (_name, type, opts, hash) => {
    const k = generateKeyPairSync(type as 'ec', opts as { namedCurve: string });
    const layer = keySignedLayer(PAYLOAD, k.privateKey, hash);
    const r = verify(layer, { anchor: keyAnchor(k.publicKey), thresholds: BARE });
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.verified?.hash).toBe(hash);
    const sig = Buffer.from(layer.annotations['dev.cosignproject.cosign/signature']!, 'base64');
    sig.writeUInt8(sig.readUInt8(sig.length - 1) ^ 1, sig.length - 1);
    expectCode(
      withAnnotations(layer, { 'dev.cosignproject.cosign/signature': sig.toString('base64') }),
      'SIGNATURE_INVALID',
      {
        anchor: keyAnchor(k.publicKey),
        thresholds: BARE,
      }
    );
  });
  it('Ed25519: pure and Ed25519ph (cosign default) verify as bare key signatures only', () => {
    const k = generateKeyPairSync('ed25519');
    const pure = keySignedLayer(PAYLOAD, k.privateKey, null);
    expect(verify(pure, { anchor: keyAnchor(k.publicKey), thresholds: BARE }).code).toBe('OK');
    const secret = Buffer.from(k.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const ph = withAnnotations(pure, {
      'dev.cosignproject.cosign/signature': Buffer.from(ed25519ph.sign(PAYLOAD, secret)).toString(
        'base64'
      ),
    });
    expect(verify(ph, { anchor: keyAnchor(k.publicKey), thresholds: BARE }).code).toBe('OK');
    expectCode(ph, 'UNSUPPORTED', { anchor: keyAnchor(k.publicKey) });
    const other = generateKeyPairSync('ed25519').publicKey;
    expectCode(ph, 'SIGNATURE_INVALID', { anchor: keyAnchor(other), thresholds: BARE });
  });
});

describe('signature identity', () => {
  it('one layer found twice has one identity; another signing has another', () => {
    const a = verify(keylessLayer).verified!.signatureId;
    const copy = {
      ...keylessLayer,
      payload: Buffer.from(keylessLayer.payload),
      annotations: { ...keylessLayer.annotations },
    };
    expect(verify(copy).verified!.signatureId).toBe(a);
    const again = keySignedLayer(PAYLOAD, ec.privateKey, 'sha256');
    const b = verify(again, { anchor: keyAnchor(ec.publicKey), thresholds: BARE }).verified!
      .signatureId;
    const c = verify(keySignedLayer(PAYLOAD, ec.privateKey, 'sha256'), {
      anchor: keyAnchor(ec.publicKey),
      thresholds: BARE,
    }).verified!.signatureId;
    expect(b).not.toBe(c);
  });
});
