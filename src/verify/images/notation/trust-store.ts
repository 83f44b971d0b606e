/**
 * Notation trust stores: the pinned root certificates a Notation signature's chain must end in.
 * A store has a type, as in the Notary Project trust policy
 * (https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md):
 * `ca` stores verify `notary.x509` signatures, `signingAuthority` stores verify
 * `notary.x509.signingAuthority` signatures (what AWS Signer makes).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { BaseError } from '../../../errors.js';
import { pemCertificates } from '../pem.js';

/** The two trust store types. */
export type NotationTrustStoreType = 'ca' | 'signingAuthority';

/** Root certificates of one type, with a name for the report. */
export interface NotationTrustStore {
  readonly name: string;
  readonly type: NotationTrustStoreType;
  /** DER of each root certificate. */
  readonly certificates: readonly Uint8Array[];
}

/**
 * SHA-256 of the public AWS Signer Notation root, "AWS Signer Code Signing Root CA G1"
 * (valid until 2122), as `notation inspect` prints it for every commercial-Region signature.
 * The root itself is downloaded from the AWS Signer documentation ("Prerequisites for signing
 * container images"); GovCloud has a different root, which lamina labels as custom.
 */
export const AWS_SIGNER_ROOT_SHA256 =
  '90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f';

/** How a verdict names a root: the known public AWS Signer root, or a custom one. */
export function rootLabel(sha256: string): 'aws-signer-public-root' | 'custom-root' {
  return sha256.toLowerCase() === AWS_SIGNER_ROOT_SHA256 ? 'aws-signer-public-root' : 'custom-root';
}

/** Codes for a trust store file lamina refuses. */
export type NotationTrustStoreErrorCode = 'DIGEST_MISMATCH' | 'NOT_PEM' | 'NOT_SELF_SIGNED';

/** A trust store file that is not what the policy pinned, or holds something other than roots. Exit code 2. */
export class NotationTrustStoreError extends BaseError<NotationTrustStoreErrorCode> {}

const MAX_ROOTS = 64;

/**
 * Reads a trust store file (one or more PEM certificates) pinned by the SHA-256 of its bytes.
 * Every certificate must be self-signed: a root CA, or a self-signed signing certificate
 * (Notation accepts a one-certificate chain whose only certificate is in the store).
 */
export function loadNotationTrustStore(opts: {
  name: string;
  type: NotationTrustStoreType;
  pem: Uint8Array;
  sha256: string;
}): NotationTrustStore {
  const actual = createHash('sha256').update(opts.pem).digest('hex');
  if (actual !== opts.sha256.toLowerCase()) {
    throw new NotationTrustStoreError({
      code: 'DIGEST_MISMATCH',
      message: `Notation trust store ${opts.name}: sha256 is ${actual}, the policy pins ${opts.sha256}`,
    });
  }
  const ders = pemCertificates(Buffer.from(opts.pem).toString('latin1'), MAX_ROOTS);
  if (ders === undefined || ders.length === 0) {
    throw new NotationTrustStoreError({
      code: 'NOT_PEM',
      message: `Notation trust store ${opts.name}: expected 1 to ${MAX_ROOTS} PEM certificates and nothing else`,
    });
  }
  const certificates = ders.map((der, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch (e) {
      throw new NotationTrustStoreError({
        code: 'NOT_PEM',
        message: `Notation trust store ${opts.name}: certificate ${i + 1} does not parse`,
        cause: e,
      });
    }
    if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey)) {
      throw new NotationTrustStoreError({
        code: 'NOT_SELF_SIGNED',
        message: `Notation trust store ${opts.name}: certificate ${i + 1} (${cert.subject.split('\n').join(', ')}) is not self-signed`,
      });
    }
    return der;
  });
  return { name: opts.name, type: opts.type, certificates };
}
