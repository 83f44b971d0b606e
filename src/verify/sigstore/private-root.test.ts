/**
 * Bundles made against a private trust root (own CA, CT log, Rekor, TSA) and verified offline.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, type SigstoreAnchor, type SigstoreThresholds } from './index.js';
import { loadTrustedRoot, type TrustedRootMaterial } from '../trust/index.js';
import {
  ISSUER,
  emailClaims,
  keyPair,
  startPrivateSigstore,
  stopAllPrivateSigstores,
  type PrivateSigstore,
} from './testing/private-sigstore.js';

const ARTIFACT = Buffer.from('lambda layer zip bytes\n');
const OTHER = Buffer.from('some other layer\n');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const SIGNER = 'https://ci.example/repo-evil';
const EMAIL = 'ci@example.com';

let sig: PrivateSigstore;
let root: TrustedRootMaterial;
let uriBundle: unknown;
let emailBundle: unknown;
let prefixBundle: unknown;
let dsseBundle: unknown;

type Keyless = Extract<SigstoreAnchor, { $case: 'keyless' }>;
const keyless = (subject: string, extra: Partial<Keyless> = {}): Keyless => ({
  $case: 'keyless',
  issuer: ISSUER,
  subject,
  ...extra,
});

function check(
  bundle: unknown,
  anchor: SigstoreAnchor,
  artifact: Buffer | { sha256: Buffer } = ARTIFACT,
  thresholds?: SigstoreThresholds
) {
  return verifyBundle({
    bundle,
    trustedRoot: root,
    anchor,
    artifact: Buffer.isBuffer(artifact)
      ? { $case: 'bytes', bytes: artifact }
      : { $case: 'digest', sha256: artifact.sha256 },
    ...(thresholds && { thresholds }),
  });
}

beforeAll(async () => {
  sig = await startPrivateSigstore();
  root = loadTrustedRoot(sig.trustedRootBytes);
  // The mock CA puts the `email` claim in the SAN, so a URI-like string works as an identity.
  uriBundle = await sig.signKeyless(
    ARTIFACT,
    emailClaims(SIGNER, { repository: 'acme/layers', ref: 'refs/heads/main' })
  );
  emailBundle = await sig.signKeyless(ARTIFACT, emailClaims(EMAIL));
  prefixBundle = await sig.signKeyless(ARTIFACT, emailClaims('https://ci.example/repo'));
  dsseBundle = await sig.signDsse(sha256(ARTIFACT).toString('hex'), emailClaims(EMAIL));
});
afterAll(() => stopAllPrivateSigstores());

describe('keyless message signature', () => {
  it('passes with the right identity and records evidence', () => {
    const r = check(uriBundle, keyless(SIGNER));
    expect(r).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence).toMatchObject({
      kind: 'messageSignature',
      signerIdentity: SIGNER,
      issuer: ISSUER,
      artifactSha256: sha256(ARTIFACT).toString('hex'),
    });
    expect(r.evidence.tlogEntries).toHaveLength(1);
    expect(r.evidence.tsaTimes).toHaveLength(1);
  });

  it('passes in sha256 digest mode', () => {
    expect(check(uriBundle, keyless(SIGNER), { sha256: sha256(ARTIFACT) }).code).toBe('OK');
  });

  it.each([
    ['a different identity', 'https://ci.example/other'],
    ['a prefix of the signer', 'https://ci.example/repo'],
    ['an extension of the signer', `${SIGNER}-2`],
    ['a regex-looking identity', 'https://ci.example/.*'],
  ])('fails for %s', (_l, subject) => {
    expect(check(uriBundle, keyless(subject)).code).toBe('IDENTITY_MISMATCH');
  });

  it('fails when the signer is a prefix of the expected identity', () => {
    expect(check(prefixBundle, keyless(SIGNER)).code).toBe('IDENTITY_MISMATCH');
    expect(check(prefixBundle, keyless('https://ci.example/repo')).code).toBe('OK');
  });

  it('fails for the wrong issuer, including a trailing slash', () => {
    expect(check(uriBundle, { ...keyless(SIGNER), issuer: 'https://other.example' }).code).toBe(
      'ISSUER_MISMATCH'
    );
    expect(check(uriBundle, { ...keyless(SIGNER), issuer: `${ISSUER}/` }).code).toBe(
      'ISSUER_MISMATCH'
    );
  });

  it('fails for a tampered artifact', () => {
    const tampered = Buffer.from(ARTIFACT);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(check(uriBundle, keyless(SIGNER), tampered).code).toBe('ARTIFACT_MISMATCH');
  });

  it('fails for a bundle made for another digest', () => {
    expect(check(uriBundle, keyless(SIGNER), OTHER).code).toBe('ARTIFACT_MISMATCH');
    expect(check(uriBundle, keyless(SIGNER), { sha256: sha256(OTHER) }).code).toBe(
      'ARTIFACT_MISMATCH'
    );
  });

  it('fails when the signature was altered, even if digests still match', () => {
    const b = structuredClone(uriBundle) as { messageSignature: { signature: string } };
    const s = Buffer.from(b.messageSignature.signature, 'base64');
    s[s.length - 1] = (s[s.length - 1] ?? 0) ^ 1;
    b.messageSignature.signature = s.toString('base64');
    const r = check(b, keyless(SIGNER));
    expect(r.ok).toBe(false);
    expect(['TLOG_INVALID', 'SIGNATURE_INVALID', 'TIMESTAMP_INVALID']).toContain(r.code);
  });

  it('fails against a trust root that does not hold the CA', async () => {
    const other = await startPrivateSigstore();
    try {
      const r = verifyBundle({
        bundle: uriBundle,
        trustedRoot: loadTrustedRoot(other.trustedRootBytes),
        anchor: keyless(SIGNER),
        artifact: { $case: 'bytes', bytes: ARTIFACT },
      });
      expect(r.ok).toBe(false);
    } finally {
      // its interceptors live on its own host; stopAllPrivateSigstores() clears them
    }
  });
});

describe('anchored regex identities', () => {
  const re = (subjectRegex: string) =>
    ({ $case: 'keyless', issuer: ISSUER, subjectRegex }) as SigstoreAnchor;

  it('matches the whole SAN', () => {
    expect(check(emailBundle, re('ci@example\\.com')).code).toBe('OK');
    expect(check(emailBundle, re('[a-z]+@example\\.com')).code).toBe('OK');
  });

  it('never matches a substring', async () => {
    const evil = await sig.signKeyless(ARTIFACT, emailClaims('xci@example.com.evil'));
    expect(check(evil, re('ci@example\\.com'))).toMatchObject({ code: 'IDENTITY_MISMATCH' });
    expect(check(emailBundle, re('ci@example')).code).toBe('IDENTITY_MISMATCH');
    expect(check(emailBundle, re('example\\.com')).code).toBe('IDENTITY_MISMATCH');
  });

  it('cannot escape the anchors with alternation', () => {
    // Unanchored alternation `x|.*` would match anything; wrapped as ^(?:x|.*)$ it still does,
    // so the test is that `a|b` applies both anchors to each branch.
    expect(check(emailBundle, re('nobody|ci@example')).code).toBe('IDENTITY_MISMATCH');
  });

  it('cannot close the anchoring group: a pattern must be a whole regex by itself', async () => {
    // `ci@example\.com)|(.*` wrapped as ^(?:…)$ is ^(?:ci@example\.com)|(.*)$: any SAN.
    const evil = await sig.signKeyless(ARTIFACT, emailClaims('mallory@evil.example'));
    expect(check(evil, re('ci@example\\.com)|(.*')).code).toBe('BAD_ANCHOR');
    expect(check(emailBundle, re('ci@example\\.com)|(.*')).code).toBe('BAD_ANCHOR');
  });

  it('reads the pattern as the policy loader validated it (Unicode mode)', async () => {
    // Without the u flag \p{Ll} is the literal text p{Ll}, and {} are valid in an e-mail address.
    const literal = await sig.signKeyless(ARTIFACT, emailClaims('cip{Ll}}@example.com'));
    expect(check(literal, re('ci\\p{Ll}+@example\\.com')).code).toBe('IDENTITY_MISMATCH');
    expect(check(emailBundle, re('c\\p{Ll}+@example\\.com')).code).toBe('OK');
  });

  it('rejects a regex that does not compile, and a missing or double subject', () => {
    expect(check(emailBundle, re('(')).code).toBe('BAD_ANCHOR');
    expect(check(emailBundle, { $case: 'keyless', issuer: ISSUER }).code).toBe('BAD_ANCHOR');
    expect(
      check(emailBundle, { $case: 'keyless', issuer: ISSUER, subject: EMAIL, subjectRegex: '.*' })
        .code
    ).toBe('BAD_ANCHOR');
  });
});

describe('certificate extension constraints', () => {
  it('pass when every constraint matches exactly (v2 DER and v1 raw OIDs)', () => {
    const r = check(
      uriBundle,
      keyless(SIGNER, {
        extensions: {
          sourceRepositoryURI: 'https://github.com/acme/layers',
          githubWorkflowRepository: 'acme/layers',
          '1.3.6.1.4.1.57264.1.8': ISSUER,
        },
      })
    );
    expect(r.code).toBe('OK');
  });

  it.each([
    ['a different repository', { sourceRepositoryURI: 'https://github.com/acme/other' }],
    ['a prefix of the repository', { sourceRepositoryURI: 'https://github.com/acme/lay' }],
    ['an absent extension', { buildSignerURI: 'https://github.com/acme/layers' }],
  ])('fail for %s', (_l, extensions) => {
    expect(check(uriBundle, keyless(SIGNER, { extensions })).code).toBe('EXTENSION_MISMATCH');
  });

  it('reject an unknown extension name', () => {
    expect(check(uriBundle, keyless(SIGNER, { extensions: { nope: 'x' } })).code).toBe(
      'BAD_ANCHOR'
    );
  });
});

describe('keyless DSSE (in-toto)', () => {
  // See signDsse: these bundles carry a TSA timestamp but no tlog entry.
  const NO_TLOG = { tlog: 0 };

  it('passes when a subject has the artifact digest, by bytes and by digest', () => {
    const r = check(dsseBundle, keyless(EMAIL), ARTIFACT, NO_TLOG);
    expect(r.code).toBe('OK');
    expect(r.evidence).toMatchObject({
      kind: 'dsse',
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects: ['layer.zip'],
    });
    expect(check(dsseBundle, keyless(EMAIL), { sha256: sha256(ARTIFACT) }, NO_TLOG).code).toBe(
      'OK'
    );
  });

  it('fails for another artifact (the library alone would accept it)', () => {
    expect(check(dsseBundle, keyless(EMAIL), OTHER, NO_TLOG).code).toBe('DSSE_SUBJECT_MISMATCH');
    expect(check(dsseBundle, keyless(EMAIL), { sha256: sha256(OTHER) }, NO_TLOG).code).toBe(
      'DSSE_SUBJECT_MISMATCH'
    );
  });

  it('fails for a different identity', () => {
    expect(check(dsseBundle, keyless('ci@example.co'), ARTIFACT, NO_TLOG).code).toBe(
      'IDENTITY_MISMATCH'
    );
  });

  it('fails with the default tlog threshold, since it has no tlog entry', () => {
    expect(check(dsseBundle, keyless(EMAIL)).code).toBe('TLOG_INVALID');
  });
});

describe('expired certificate', () => {
  it('fails when the certificate expired before the log and TSA times', async () => {
    const old = await startPrivateSigstore({ caClock: new Date(Date.now() - 2 * 3600e3) });
    const bundle = await old.signKeyless(ARTIFACT, emailClaims(EMAIL));
    const r = verifyBundle({
      bundle,
      trustedRoot: loadTrustedRoot(old.trustedRootBytes),
      anchor: keyless(EMAIL),
      artifact: { $case: 'bytes', bytes: ARTIFACT },
    });
    expect(r.code).toBe('CERTIFICATE_INVALID');
  });
});

describe('key-based bundles', () => {
  const key = keyPair();
  const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const otherPem = keyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('pass with the right key (with tlog and TSA), by bytes and by digest', async () => {
    const b = await sig.signWithKey(ARTIFACT, key, 'release-key-1', true);
    const r = check(b, { $case: 'key', publicKeyPem: pem, hint: 'release-key-1' });
    expect(r.code).toBe('OK');
    expect(r.evidence.keyHint).toBe('release-key-1');
    expect(check(b, { $case: 'key', publicKeyPem: pem }, { sha256: sha256(ARTIFACT) }).code).toBe(
      'OK'
    );
  });

  it('fail with another key, another hint, or an identity anchor', async () => {
    const b = await sig.signWithKey(ARTIFACT, key, 'release-key-1', true);
    expect(check(b, { $case: 'key', publicKeyPem: otherPem }).code).toBe('SIGNATURE_INVALID');
    expect(
      check(b, { $case: 'key', publicKeyPem: otherPem }, { sha256: sha256(ARTIFACT) }).code
    ).toBe('SIGNATURE_INVALID');
    expect(check(b, { $case: 'key', publicKeyPem: pem, hint: 'release-key-2' }).code).toBe(
      'KEY_MISMATCH'
    );
    expect(check(b, keyless(EMAIL)).code).toBe('MATERIAL_MISMATCH');
    expect(check(b, { $case: 'key', publicKeyPem: 'not a key' }).code).toBe('BAD_ANCHOR');
  });

  it('a bare key bundle (no tlog, no TSA) fails unless thresholds are lowered explicitly', async () => {
    const b = await sig.signWithKey(ARTIFACT, key, 'release-key-1', false);
    const anchor: SigstoreAnchor = { $case: 'key', publicKeyPem: pem };
    expect(check(b, anchor).ok).toBe(false);
    expect(check(b, anchor, ARTIFACT, { tlog: 0, timestamp: 0 }).code).toBe('OK');
    expect(check(b, anchor, OTHER, { tlog: 0, timestamp: 0 }).code).toBe('ARTIFACT_MISMATCH');
  });

  it('a certificate bundle never verifies under a key anchor', () => {
    expect(check(emailBundle, { $case: 'key', publicKeyPem: pem }).code).toBe('MATERIAL_MISMATCH');
  });
});

describe('fail closed', () => {
  it.each([
    ['null', null],
    ['a string', 'bundle'],
    ['an empty object', {}],
  ])('returns BUNDLE_INVALID for %s, never throws', (_l, bundle) => {
    expect(check(bundle, keyless(EMAIL)).code).toBe('BUNDLE_INVALID');
  });
});
