import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNotationTrustStore, rootLabel, AWS_SIGNER_ROOT_SHA256 } from './trust-store.js';

const ROOT_PEM = readFileSync(
  fileURLToPath(
    new URL(
      '../../../../testdata/images/vectors/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem',
      import.meta.url
    )
  )
);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const load = (pem: Uint8Array, sha256 = sha(pem)) =>
  loadNotationTrustStore({ name: 'test', type: 'signingAuthority', pem, sha256 });

describe('loadNotationTrustStore', () => {
  it('reads a pinned PEM root', () => {
    const s = load(ROOT_PEM);
    expect(s).toMatchObject({ name: 'test', type: 'signingAuthority' });
    expect(s.certificates).toHaveLength(1);
    expect(Buffer.from(s.certificates[0]!).equals(new X509Certificate(ROOT_PEM).raw)).toBe(true);
  });
  it('refuses a file that is not the pinned one', () => {
    expect(() => load(ROOT_PEM, '0'.repeat(64))).toThrow(
      expect.objectContaining({ code: 'DIGEST_MISMATCH' })
    );
  });
  it('refuses anything but PEM certificates', () => {
    const junk = Buffer.concat([ROOT_PEM, Buffer.from('trailing text\n')]);
    expect(() => load(junk)).toThrow(expect.objectContaining({ code: 'NOT_PEM' }));
    expect(() => load(Buffer.from(''))).toThrow(expect.objectContaining({ code: 'NOT_PEM' }));
  });
  it('refuses a certificate that is not self-signed', () => {
    const env = JSON.parse(
      readFileSync(
        fileURLToPath(
          new URL(
            '../../../../testdata/images/vectors/notation-go/internal/mock/testdata/ca_valid_sig_env.json',
            import.meta.url
          )
        )
      ).toString()
    ) as { header: { x5c: string[] } };
    // The vector's leaf is issued by the root (same name, other key): not self-signed.
    const leafPem = Buffer.from(
      new X509Certificate(Buffer.from(env.header.x5c[0]!, 'base64')).toString()
    );
    expect(() => load(leafPem)).toThrow(expect.objectContaining({ code: 'NOT_SELF_SIGNED' }));
  });
});

describe('rootLabel', () => {
  it('names the public AWS Signer root and nothing else', () => {
    expect(rootLabel(AWS_SIGNER_ROOT_SHA256)).toBe('aws-signer-public-root');
    expect(rootLabel(AWS_SIGNER_ROOT_SHA256.toUpperCase())).toBe('aws-signer-public-root');
    expect(rootLabel(sha(ROOT_PEM))).toBe('custom-root');
  });
});
