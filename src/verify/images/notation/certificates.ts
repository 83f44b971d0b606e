/**
 * X.509 for Notation: parsing a certificate from an envelope's `x5c` and the Notary Project
 * code-signing certificate chain rules.
 * Rules: https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements
 * as notation-core-go implements them (`x509/codesigning_cert_validations.go`), plus RFC 5280
 * §4.2: a critical extension lamina does not process fails the chain.
 */
import { createHash, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import type * as SigstoreCore from '@sigstore/core';
import type { ASN1Obj } from '@sigstore/core';
import { requireCjs } from '../../../util/cjs.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { X509Certificate: CoreCertificate } = requireCjs('@sigstore/core') as typeof SigstoreCore;
type CoreCertificate = SigstoreCore.X509Certificate;

/** A certificate parsed twice (OpenSSL for keys and signatures, @sigstore/core for structure). */
export interface ParsedCertificate {
  readonly der: Buffer;
  /** Exact DER of the TBSCertificate (what the issuer signed). */
  readonly tbs: Buffer;
  readonly subject: string;
  readonly issuer: string;
  /** Encoded Name contents, compared byte for byte (as Go's RawSubject/RawIssuer). */
  readonly rawSubject: Buffer;
  readonly rawIssuer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  /** Hex SHA-256 of the DER. */
  readonly sha256: string;
  readonly node: NodeCertificate;
  readonly core: CoreCertificate;
}

/** Outcome codes of the chain rules. */
export type ChainProblem =
  /** Issuance: a certificate is not signed by the next one, or the end is not self-signed. */
  | 'CHAIN_INVALID'
  /** Basic constraints, key usage, extended key usage, key type or an unknown critical extension. */
  | 'CERTIFICATE_USAGE_INVALID';

/** Why a chain was refused. */
export interface ChainFailure {
  readonly code: ChainProblem;
  readonly message: string;
}

const OID = {
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
} as const;

/** Extensions this module processes; any other one marked critical fails the certificate. */
const UNDERSTOOD = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.extKeyUsage,
  // Nothing here depends on names, so a critical SAN (a certificate with an empty subject) is harmless.
  OID.subjectAltName,
]);

/** Extended key usages a code-signing leaf must not have (notation-core-go's exclusion list). */
const EXCLUDED_EKUS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** Certificate signature algorithms accepted (SHA-2 RSA PKCS#1 v1.5, RSA-PSS, ECDSA). */
const SIGNATURE_ALGORITHMS = new Set<string>([
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.113549.1.1.10',
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
]);

// KeyUsage ::= BIT STRING (RFC 5280 §4.2.1.3)
const KU = {
  digitalSignature: 0,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

const isSequence = (o: ASN1Obj): boolean =>
  o.tag.isUniversal() && o.tag.constructed && o.tag.number === 0x10;

const oneLine = (name: string): string => name.split('\n').join(', ');

/**
 * Parses one DER certificate. Throws (an Error with a message) when it is not a certificate
 * both parsers read identically: the DER must re-encode to the same bytes, so a lenient
 * encoding cannot show one parser something the other does not see.
 */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  const der = Buffer.from(input);
  const core = CoreCertificate.parse(der);
  if (!core.root.toDER().equals(der)) throw new Error('certificate is not in canonical DER');
  const node = new NodeCertificate(der);
  const tbs = core.tbsCertificate.toDER();
  const outerAlg = core.root.subs[1];
  // The signature AlgorithmIdentifier inside the TBS must equal the outer one (RFC 5280 §4.1.1.2).
  const innerAlg = core.tbsCertificate.subs.find(
    (s, i) => i <= 2 && isSequence(s) && s.subs[0]?.tag.isOID() === true
  );
  if (outerAlg === undefined || innerAlg === undefined)
    throw new Error('certificate without a signature algorithm');
  if (!outerAlg.toDER().equals(innerAlg.toDER()))
    throw new Error('inner and outer signature algorithms differ');
  const sigOid = outerAlg.subs[0]?.toOID() ?? '';
  if (!SIGNATURE_ALGORITHMS.has(sigOid))
    throw new Error(`certificate signature algorithm ${sigOid} is not accepted`);
  return {
    der,
    tbs,
    subject: oneLine(node.subject),
    issuer: oneLine(node.issuer),
    rawSubject: core.subject,
    rawIssuer: core.issuer,
    notBefore: core.notBefore,
    notAfter: core.notAfter,
    publicKey: node.publicKey,
    sha256: createHash('sha256').update(der).digest('hex'),
    node,
    core,
  };
}

/** True when `cert` names `issuer` as its issuer and carries a valid signature by its key. */
function issuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (!cert.rawIssuer.equals(issuer.rawSubject)) return false;
  try {
    return cert.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Self-signed: issued by itself (names equal and its own key verifies it). */
export function isSelfSigned(cert: ParsedCertificate): boolean {
  return issuedBy(cert, cert);
}

interface Extensions {
  keyUsage?: { critical: boolean; bits: ReadonlySet<number> };
  basicConstraints?: { ca: boolean; pathLen?: number };
  ekus?: readonly string[];
}

/** Reads the extensions the rules need; throws on duplicates and unprocessed critical ones. */
function readExtensions(cert: ParsedCertificate): Extensions {
  const out: Extensions = {};
  const seen = new Set<string>();
  for (const raw of cert.core.extensions) {
    const oid = raw.subs[0]?.toOID() ?? '';
    if (seen.has(oid)) throw new Error(`extension ${oid} appears twice`);
    seen.add(oid);
    const critical = raw.subs.length === 3 ? (raw.subs[1]?.toBoolean() ?? false) : false;
    if (critical && !UNDERSTOOD.has(oid)) throw new Error(`unprocessed critical extension ${oid}`);
    const ext = cert.core.extension(oid);
    const inner: ASN1Obj | undefined = ext?.valueObj.subs[0];
    if (oid === OID.keyUsage) {
      if (inner === undefined) throw new Error('empty key usage');
      const bits = inner.toBitString();
      out.keyUsage = {
        critical,
        bits: new Set(bits.flatMap((b, i) => (b === 1 ? [i] : []))),
      };
    } else if (oid === OID.basicConstraints) {
      // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }.
      // Read from the DER, not OpenSSL's derived "is a CA" (which also looks at key usage).
      if (inner === undefined || !isSequence(inner)) throw new Error('malformed basic constraints');
      let ca = false;
      let pathLen: number | undefined;
      for (const [i, f] of inner.subs.entries()) {
        if (i === 0 && f.tag.isBoolean()) ca = f.toBoolean();
        else if (f.tag.isInteger() && pathLen === undefined) pathLen = Number(f.toInteger());
        else throw new Error('malformed basic constraints');
      }
      out.basicConstraints = { ca, ...(pathLen !== undefined ? { pathLen } : {}) };
    } else if (oid === OID.extKeyUsage) {
      if (inner === undefined) throw new Error('empty extended key usage');
      out.ekus = inner.subs.map((s) => s.toOID());
    }
  }
  return out;
}

function checkLeaf(cert: ParsedCertificate, ext: Extensions): string | undefined {
  if (ext.basicConstraints?.ca === true) return 'the signing certificate is a CA';
  const ku = ext.keyUsage;
  if (ku === undefined) return 'the signing certificate has no key usage extension';
  if (!ku.critical) return 'the signing certificate key usage is not critical';
  if (!ku.bits.has(KU.digitalSignature))
    return 'the signing certificate key usage lacks digitalSignature';
  const extra = Object.entries(KU)
    .filter(([name, bit]) => name !== 'digitalSignature' && ku.bits.has(bit))
    .map(([name]) => name);
  if (extra.length > 0) return `the signing certificate key usage also allows ${extra.join(', ')}`;
  const excluded = (ext.ekus ?? []).filter((o) => EXCLUDED_EKUS[o] !== undefined);
  if (excluded.length > 0)
    return `the signing certificate extended key usage includes ${excluded.map((o) => EXCLUDED_EKUS[o]).join(', ')}`;
  if (leafAlgorithm(cert.publicKey) === undefined)
    return `the signing key (${describeKey(cert.publicKey)}) is not a Notary Project key type`;
  return undefined;
}

function checkCa(ext: Extensions, expectedPathLen: number): string | undefined {
  if (ext.basicConstraints?.ca !== true) return 'basic constraints do not mark it as a CA';
  const pathLen = ext.basicConstraints.pathLen;
  if (pathLen !== undefined && pathLen < expectedPathLen)
    return `its path length constraint ${pathLen} is below the ${expectedPathLen} CA(s) under it`;
  const ku = ext.keyUsage;
  if (ku === undefined) return 'it has no key usage extension';
  if (!ku.critical) return 'its key usage is not critical';
  if (!ku.bits.has(KU.keyCertSign)) return 'its key usage lacks keyCertSign';
  return undefined;
}

/**
 * Validates an ordered code-signing chain (leaf first, root last) by the Notary Project rules.
 * Time validity is not checked here (the caller checks it at the right time).
 */
export function validateCodeSigningChain(
  chain: readonly ParsedCertificate[]
): ChainFailure | undefined {
  const usage = (message: string): ChainFailure => ({ code: 'CERTIFICATE_USAGE_INVALID', message });
  const issuance = (message: string): ChainFailure => ({ code: 'CHAIN_INVALID', message });
  if (chain.length === 0) return issuance('the certificate chain is empty');
  for (const [i, cert] of chain.entries()) {
    const last = i === chain.length - 1;
    if (last) {
      if (!isSelfSigned(cert))
        return issuance(`the last certificate (${cert.subject}) is not a self-signed root`);
    } else {
      if (isSelfSigned(cert))
        return issuance(
          `certificate ${i} (${cert.subject}) is self-signed but not last in the chain`
        );
      const parent = chain[i + 1]!;
      if (!issuedBy(cert, parent))
        return issuance(`certificate ${i} (${cert.subject}) is not issued by ${parent.subject}`);
    }
    let ext: Extensions;
    try {
      ext = readExtensions(cert);
    } catch (e) {
      return usage(
        `certificate ${i} (${cert.subject}): ${e instanceof Error ? e.message : String(e)}`
      );
    }
    const why = i === 0 ? checkLeaf(cert, ext) : checkCa(ext, i - 1);
    if (why !== undefined) return usage(`certificate ${i} (${cert.subject}): ${why}`);
  }
  return undefined;
}

/** JWS `alg` a Notary Project signing key must use (signature-specification.md key specs). */
export function leafAlgorithm(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    return bits === 2048 ? 'PS256' : bits === 3072 ? 'PS384' : bits === 4096 ? 'PS512' : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'prime256v1'
      ? 'ES256'
      : curve === 'secp384r1'
        ? 'ES384'
        : curve === 'secp521r1'
          ? 'ES512'
          : undefined;
  }
  return undefined;
}

/** "RSA 2048", "EC secp384r1", "ed25519"… for messages. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown key';
}
