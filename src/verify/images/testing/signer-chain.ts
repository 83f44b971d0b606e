/**
 * Test-only: a private certificate chain shaped like AWS Signer's Notation chain and signed
 * Notation JWS envelopes made with it, all in-process (@peculiar/x509 over WebCrypto, node:crypto).
 * Real Signer chain (from a published `notation inspect`): root "AWS Signer Code Signing Root CA
 * G1" (100 years) → "AWS Signer Code Signing Int CA G1" → "AWS Signer <region> Code Signing CA
 * G1" (~9 months) → leaf "CN=AWS Signer, OU=AWS Cryptography" valid ~3 days; P-384, ES384,
 * scheme notary.x509.signingAuthority. Extensions follow the Notary Project certificate rules.
 */
import { KeyObject, createHash, sign as nodeSign, webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** @peculiar/x509, set up (import it from here so the polyfill loads first). */
export { x509 };

type CryptoKeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DAY = 86_400_000;
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

type KeyAlg = 'P-256' | 'P-384' | 'P-521' | 'RSA-2048' | 'RSA-3072';

/** A certificate and its private key. */
export interface TestCert {
  readonly der: Buffer;
  readonly privateKey: KeyObject;
  readonly cryptoKeys: CryptoKeyPair;
  readonly subject: string;
}

/** Options for one certificate. */
export interface IssueOptions {
  subject: string;
  /** Issuer; absent: self-signed. */
  issuer?: TestCert;
  notBefore: Date;
  notAfter: Date;
  /** `ca`: basicConstraints CA + keyCertSign/cRLSign; `leaf`: digitalSignature + codeSigning EKU. */
  profile: 'ca' | 'leaf';
  keyAlg?: KeyAlg;
  /** Replace the profile's extensions. */
  extensions?: x509.Extension[];
  /** Extra extensions appended to the profile's. */
  extraExtensions?: x509.Extension[];
}

function algorithmFor(keyAlg: KeyAlg): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  if (keyAlg.startsWith('RSA')) {
    return {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: Number(keyAlg.slice(4)),
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
  }
  return { name: 'ECDSA', namedCurve: keyAlg };
}

function signingAlgorithm(issuerKeys: CryptoKeyPair): webcrypto.Algorithm | webcrypto.EcdsaParams {
  const a = issuerKeys.privateKey.algorithm as
    webcrypto.EcKeyAlgorithm | webcrypto.RsaHashedKeyAlgorithm;
  if (a.name === 'ECDSA') {
    const curve = (a as webcrypto.EcKeyAlgorithm).namedCurve;
    const params: webcrypto.EcdsaParams = {
      name: 'ECDSA',
      hash: curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512',
    };
    return params;
  }
  return { name: 'RSASSA-PKCS1-v1_5' };
}

/** Issues one certificate (self-signed when no issuer). */
export async function issue(o: IssueOptions): Promise<TestCert> {
  const keys: CryptoKeyPair = await webcrypto.subtle.generateKey(
    algorithmFor(o.keyAlg ?? 'P-384'),
    true,
    ['sign', 'verify']
  );
  const signer = o.issuer?.cryptoKeys ?? keys;
  const extensions = o.extensions ?? [
    ...(o.profile === 'ca'
      ? [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            true
          ),
        ]
      : [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([CODE_SIGNING], false),
        ]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(o.extraExtensions ?? []),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256')
      .update(o.subject)
      .update(String(Math.random()))
      .digest('hex')
      .slice(0, 16),
    subject: o.subject,
    issuer: o.issuer?.subject ?? o.subject,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    signingAlgorithm: signingAlgorithm(signer),
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    extensions,
  });
  return {
    der: Buffer.from(cert.rawData),
    privateKey: KeyObject.from(keys.privateKey),
    cryptoKeys: keys,
    subject: o.subject,
  };
}

/** A Signer-shaped chain. */
export interface SignerChain {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  readonly regional: TestCert;
  readonly leaf: TestCert;
  /** x5c order: leaf, regional, intermediate, root. */
  readonly x5c: Buffer[];
}

/**
 * Root → intermediate → regional CA → 3-day P-384 leaf, the leaf issued at `signedAt` minus an
 * hour (Signer issues a fresh leaf per signing job).
 */
export async function makeSignerChain(signedAt: Date, region = 'us-east-1'): Promise<SignerChain> {
  const t = signedAt.getTime();
  const root = await issue({
    subject: 'C=US, ST=WA, O=Test, OU=Cryptography, CN=Test Signer Code Signing Root CA G1',
    notBefore: new Date(t - 400 * DAY),
    notAfter: new Date(t + 36500 * DAY),
    profile: 'ca',
  });
  const intermediate = await issue({
    subject: 'C=US, ST=WA, O=Test, OU=Cryptography, CN=Test Signer Code Signing Int CA G1',
    issuer: root,
    notBefore: new Date(t - 300 * DAY),
    notAfter: new Date(t + 1500 * DAY),
    profile: 'ca',
  });
  const regional = await issue({
    subject: `C=US, ST=WA, O=Test, OU=Cryptography, CN=Test Signer ${region} Code Signing CA G1`,
    issuer: intermediate,
    notBefore: new Date(t - 30 * DAY),
    notAfter: new Date(t + 240 * DAY),
    profile: 'ca',
  });
  const leaf = await issue({
    subject: 'C=US, ST=WA, L=Seattle, O=Test, OU=AWS Cryptography, CN=AWS Signer',
    issuer: regional,
    notBefore: new Date(t - 3600_000),
    notAfter: new Date(t - 3600_000 + 3 * DAY),
    profile: 'leaf',
  });
  return {
    root,
    intermediate,
    regional,
    leaf,
    x5c: [leaf.der, regional.der, intermediate.der, root.der],
  };
}

/** RFC 3339 without fractional seconds, as Signer writes times. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const TEST_PROFILE_VERSION_ARN =
  'arn:aws:signer:us-east-1:123456789012:/signing-profiles/LaminaTest/AbCdEf0123';
export const TEST_JOB_ARN =
  'arn:aws:signer:us-east-1:123456789012:/signing-jobs/00000000-1111-2222-3333-444444444444';

/** The protected header AWS Signer writes (see container-images reference §2.3), at `signedAt`. */
export function signerProtectedHeader(signedAt: Date): Record<string, unknown> {
  return {
    alg: 'ES384',
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    crit: [
      'io.cncf.notary.signingScheme',
      'io.cncf.notary.authenticSigningTime',
      'io.cncf.notary.expiry',
      'io.cncf.notary.verificationPlugin',
      'com.amazonaws.signer.signingProfileVersion',
      'com.amazonaws.signer.signingJob',
    ],
    'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
    'io.cncf.notary.authenticSigningTime': rfc3339(signedAt),
    'io.cncf.notary.expiry': rfc3339(new Date(signedAt.getTime() + 4018 * DAY)),
    'io.cncf.notary.verificationPlugin': 'com.amazonaws.signer.notation.plugin',
    'com.amazonaws.signer.signingProfileVersion': TEST_PROFILE_VERSION_ARN,
    'com.amazonaws.signer.signingJob': TEST_JOB_ARN,
  };
}

/** What {@link signJws} assembles; any part can be replaced to build a broken envelope. */
export interface JwsParts {
  /** The protected header object, or its exact text. */
  protected: Record<string, unknown> | string;
  /** The payload object, or its exact text. */
  payload: Record<string, unknown> | string;
  x5c: readonly Buffer[];
  key: KeyObject;
  /** Hash of the signature; default from `alg` in the header. */
  hash?: string;
  header?: Record<string, unknown>;
  /** Extra top-level members. */
  extra?: Record<string, unknown>;
}

const b64u = (v: Record<string, unknown> | string): string =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs a flattened JWS Notation envelope (ES* in IEEE P1363 form, PS* with salt = hash length). */
export function signJws(p: JwsParts): Buffer {
  const prot = b64u(p.protected);
  const payload = b64u(p.payload);
  const alg = typeof p.protected === 'string' ? 'ES384' : String(p.protected.alg);
  const hash =
    p.hash ??
    { ES256: 'sha256', PS256: 'sha256', ES512: 'sha512', PS512: 'sha512' }[alg] ??
    'sha384';
  const input = Buffer.from(`${prot}.${payload}`);
  const sig = alg.startsWith('PS')
    ? nodeSign(hash, input, { key: p.key, padding: 6, saltLength: -1 })
    : nodeSign(hash, input, { key: p.key, dsaEncoding: 'ieee-p1363' });
  return Buffer.from(
    JSON.stringify({
      payload,
      protected: prot,
      header: p.header ?? {
        x5c: p.x5c.map((c) => c.toString('base64')),
        'io.cncf.notary.signingAgent': 'lamina-test/0',
      },
      signature: sig.toString('base64url'),
      ...p.extra,
    })
  );
}
