/**
 * Public Notation vectors (testdata/images/vectors, see its SOURCES): notation-go's envelopes
 * against their own root, the Alpine signature against its manifest, the COSE and timestamped
 * envelopes failing closed, and the AWS Signer plugin's certificate hashes.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signerCertificateHashes } from './aws-signer.js';
import { parseCertificate } from './certificates.js';
import { verifyNotationJws, type VerifyNotationInput } from './jws.js';
import type { NotationTrustStore } from './trust-store.js';

const VECTORS = fileURLToPath(new URL('../../../../testdata/images/vectors/', import.meta.url));
const read = (p: string) => readFileSync(VECTORS + p);
const pemToDer = (pem: string) => new X509Certificate(pem).raw;

const NOTATION_ROOT = pemToDer(
  read(
    'notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem'
  ).toString()
);
const MOCK = 'notation-go/internal/mock/testdata/';
// The descriptor notation-go's mock envelopes sign (internal/mock/mockfs.go).
const MOCK_SUBJECT = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e',
  size: 528,
};
const NOW = new Date('2026-06-01T00:00:00Z');
const store = (
  type: NotationTrustStore['type'],
  der: Uint8Array,
  name = `test-${type}`
): NotationTrustStore => ({
  name,
  type,
  certificates: [der],
});

function check(file: string, over: Partial<VerifyNotationInput> = {}) {
  return verifyNotationJws({
    envelope: read(file),
    envelopeMediaType: 'application/jose+json',
    subject: MOCK_SUBJECT,
    trustStores: [store('ca', NOTATION_ROOT), store('signingAuthority', NOTATION_ROOT)],
    now: NOW,
    ...over,
  });
}

describe('notation-go mock envelopes against NotationTestRoot.pem', () => {
  it.each(['ca_valid_sig_env.json', 'sa_valid_sig_env.json'])('%s verifies', (f) => {
    const r = check(MOCK + f);
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence.rootLabel).toBe('custom-root');
  });
  // The invalid vectors differ from the valid ones by a padded payload ("…fQ="): JWS uses
  // unpadded base64url (RFC 7515 §2), and the signing input is no longer what was signed.
  it.each(['ca_invalid_sig_env.json', 'sa_invalid_sig_env.json'])('%s fails', (f) => {
    const r = check(MOCK + f);
    expect(r.code).toBe('ENVELOPE_INVALID');
    expect(r.detail).toMatch(/payload is not unpadded base64url/);
  });
  it.each(['ca_expired_sig_env.json', 'sa_expired_sig_env.json'])('%s fails its expiry', (f) => {
    const r = check(MOCK + f);
    expect(r.code).toBe('EXPIRED');
    // …and only the expiry: at a time before it, the same envelope verifies.
    const before = new Date(Date.parse(r.evidence.expiry!) - 1000);
    expect(check(MOCK + f, { now: before }).code).toBe('OK');
  });
  it('an envelope verifies only with a store of its scheme type', () => {
    const sa = check(MOCK + 'sa_valid_sig_env.json', { trustStores: [store('ca', NOTATION_ROOT)] });
    expect(sa.code).toBe('ROOT_UNTRUSTED');
    const ca = check(MOCK + 'ca_valid_sig_env.json', {
      trustStores: [store('signingAuthority', NOTATION_ROOT)],
    });
    expect(ca.code).toBe('ROOT_UNTRUSTED');
  });
  it('fails against another image', () => {
    const r = check(MOCK + 'ca_valid_sig_env.json', { subject: { ...MOCK_SUBJECT, size: 529 } });
    expect(r.code).toBe('TARGET_MISMATCH');
  });
});

describe('jws_signature.sig and the Alpine manifest', () => {
  const manifest = read(
    'notation-go/internal/testdata/oci-layout/blobs/sha256/19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0'
  );
  const subject = {
    mediaType: (JSON.parse(manifest.toString()) as { mediaType: string }).mediaType,
    digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
    size: manifest.length,
  };
  const env = 'notation-go/internal/testdata/jws_signature.sig';
  const leaf = Buffer.from(
    (JSON.parse(read(env).toString()) as { header: { x5c: string[] } }).header.x5c[0]!,
    'base64'
  );

  it('the manifest is the one the vector README names', () => {
    expect(subject).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0',
      size: 481,
    });
  });
  it('verifies with its self-signed certificate in a ca store', () => {
    const r = check(env, { subject, trustStores: [store('ca', leaf)] });
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence.targetArtifact).toEqual(subject);
  });
  it('fails without that certificate in the store', () => {
    expect(check(env, { subject }).code).toBe('ROOT_UNTRUSTED');
  });
});

describe('envelopes lamina does not verify fail closed', () => {
  it('COSE', () => {
    const r = check('notation-go/internal/testdata/cose_signature.sig', {
      envelopeMediaType: 'application/cose',
    });
    expect(r.code).toBe('UNSUPPORTED_ENVELOPE');
  });
  it('COSE with a timestamp countersignature', () => {
    const r = check('notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig', {
      envelopeMediaType: 'application/cose',
    });
    expect(r.code).toBe('UNSUPPORTED_ENVELOPE');
  });
  it('COSE bytes labelled as JWS', () => {
    const r = check('notation-go/internal/testdata/cose_signature.sig');
    expect(r.code).toBe('ENVELOPE_INVALID');
  });
  it.each(['jwsWithTimestamp.sig', 'jwsExpiredWithTimestamp.sig'])(
    'notary.x509 with an RFC 3161 countersignature: %s',
    (f) => {
      expect(check(`notation-go/verifier/testdata/timestamp/sigEnv/${f}`).code).toBe(
        'TIMESTAMP_UNSUPPORTED'
      );
    }
  );
});

describe('AWS Signer plugin certificate hashes', () => {
  const src = read('aws-signer-notation-plugin/verifier_test.go.txt').toString();
  const constant = (name: string) => {
    const m = new RegExp(`${name}\\s*=\\s*(\`[^\`]*\`|"[^"]*")`).exec(src);
    if (!m) throw new Error(`${name} not found in the vector`);
    return m[1]!.slice(1, -1);
  };
  it('reproduces testCertificate1Hash and testCertificate2Hash exactly', () => {
    const certs = ['testCertificate1', 'testCertificate2'].map((n) =>
      parseCertificate(pemToDer(constant(n)))
    );
    const h1 = constant('testCertificate1Hash');
    const h2 = constant('testCertificate2Hash');
    expect(h1).toMatch(/^[0-9a-f]{96}$/);
    // The plugin's expected request (verifier_test.go): [h1+h2, h2+h2].
    expect(signerCertificateHashes(certs.map((c) => c.tbs))).toEqual([h1 + h2, h2 + h2]);
  });
});

describe('other notation-go envelopes', () => {
  const own = (file: string) => {
    const env = JSON.parse(read(file).toString()) as { payload: string; header: { x5c: string[] } };
    const target = (
      JSON.parse(Buffer.from(env.payload, 'base64url').toString()) as {
        targetArtifact: { mediaType: string; digest: string; size: number };
      }
    ).targetArtifact;
    const subject = { mediaType: target.mediaType, digest: target.digest, size: target.size };
    return { subject, trustStores: [store('ca', Buffer.from(env.header.x5c[0]!, 'base64'))] };
  };
  it('withoutTimestamp.sig verifies against its own target and certificate', () => {
    const f = 'notation-go/verifier/testdata/timestamp/sigEnv/withoutTimestamp.sig';
    const r = check(f, own(f));
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
  });
  it('sig_env_with_metadata.json: a one-day certificate and no timestamp fail once it has expired', () => {
    const f = MOCK + 'sig_env_with_metadata.json';
    expect(check(f, own(f)).code).toBe('CERTIFICATE_NOT_VALID_NOW');
    const r = check(f, { ...own(f), now: new Date('2023-01-11T12:00:00Z') });
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
  });
});
