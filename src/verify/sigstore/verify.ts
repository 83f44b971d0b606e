/**
 * Offline verification of one Sigstore bundle against one trust anchor.
 *
 * Bundle format: https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
 * (media types v0.1 to v0.3). Cryptography (certificate chain, SCTs, tlog inclusion, timestamps,
 * signature) is @sigstore/verify's low-level `Verifier`; lamina adds what it does not do:
 * exact identity matching, the message digest and in-toto subject binding to the artifact, the
 * in-toto predicate types the caller accepts, `sha256:` digest mode, and refusing anything
 * unexpected (fail closed).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type * as SigstoreBundle from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import type * as SigstoreCore from '@sigstore/core';
import type * as ProtobufSpecs from '@sigstore/protobuf-specs';
import type * as SigstoreVerify from '@sigstore/verify';
import type { KeyFinderFunc, SignedEntity, Signer, VerifierOptions } from '@sigstore/verify';
import type { TrustedRootMaterial } from '../trust/trusted-root.js';
import { fulcioExtensionValue, resolveExtensionOid } from './fulcio-extensions.js';
import { parseInTotoStatement, statementCoversDigest } from './intoto.js';
import { verifyPrehashedSha256 } from './prehashed.js';
import { compileSubjectRegex } from './subject-regex.js';
import { requireCjs } from '../../util/cjs.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { bundleFromJSON } = requireCjs('@sigstore/bundle') as typeof SigstoreBundle;
const {
  RFC3161Timestamp,
  X509Certificate,
  crypto: sigcrypto,
} = requireCjs('@sigstore/core') as typeof SigstoreCore;
type X509Certificate = SigstoreCore.X509Certificate;
const { HashAlgorithm } = requireCjs('@sigstore/protobuf-specs') as typeof ProtobufSpecs;
type HashAlgorithm = ProtobufSpecs.HashAlgorithm;
const { Verifier, toSignedEntity, toTrustMaterial } = requireCjs(
  '@sigstore/verify'
) as typeof SigstoreVerify;

/** The artifact a bundle must be about: its bytes, or only its sha256 (conformance digest mode). */
export type BundleArtifact =
  { $case: 'bytes'; bytes: Buffer } | { $case: 'digest'; sha256: Buffer };

/**
 * Who must have signed.
 * - `keyless`: a Fulcio certificate. `issuer` is compared exactly; the certificate SAN equals
 *   `subject` exactly, or matches `subjectRegex` anchored as `^(?:re)$`. Exactly one of the two.
 *   `extensions` maps Fulcio extension names (see FULCIO_EXTENSION_OIDS) or dotted OIDs to
 *   values compared exactly after decoding.
 * - `key`: a public key (PEM, SPKI). `hint`, when given, must equal the bundle's key hint.
 */
export type SigstoreAnchor =
  | {
      $case: 'keyless';
      issuer: string;
      subject?: string;
      subjectRegex?: string;
      extensions?: Readonly<Record<string, string>>;
    }
  | { $case: 'key'; publicKeyPem: string; hint?: string };

/** Minimum counts of tlog entries, SCTs and verified timestamps. Each defaults to 1. */
export interface SigstoreThresholds {
  tlog?: number;
  ctlog?: number;
  timestamp?: number;
}

/** Input of {@link verifyBundle}. */
export interface VerifyBundleInput {
  /** The bundle as parsed JSON (untrusted). */
  readonly bundle: unknown;
  readonly artifact: BundleArtifact;
  /** From `loadTrustedRoot` / `loadPublicGoodTrustedRoot`, which enforce the validity checks. */
  readonly trustedRoot: TrustedRootMaterial;
  readonly anchor: SigstoreAnchor;
  /**
   * Defaults 1/1/1. A keyless bundle always needs ≥1 timestamp (the certificate is only checked
   * at a verified time). A bare key bundle (no tlog, no TSA) only verifies with
   * `{ tlog: 0, timestamp: 0 }`, which a policy must ask for explicitly.
   */
  readonly thresholds?: SigstoreThresholds;
  /**
   * In-toto predicate types a DSSE bundle may carry; another fails `PREDICATE_TYPE_MISMATCH`.
   * Absent: any (the conformance protocol's verify-bundle names none). A message signature
   * has no statement and is not affected.
   */
  readonly predicateTypes?: readonly string[];
}

/** Outcome codes of {@link verifyBundle}. */
export type SigstoreCheckCode =
  | 'OK'
  /** The anchor itself is unusable (bad PEM, regex that does not compile, no subject). */
  | 'BAD_ANCHOR'
  /** Not a well-formed bundle of a supported media type. */
  | 'BUNDLE_INVALID'
  /** The bundle's verification material does not fit the anchor (key vs certificate). */
  | 'MATERIAL_MISMATCH'
  /** The message digest in the bundle is not the artifact's. */
  | 'ARTIFACT_MISMATCH'
  /** DSSE payload is not an in-toto Statement. */
  | 'DSSE_PAYLOAD_INVALID'
  /** No in-toto subject has the artifact's sha256. */
  | 'DSSE_SUBJECT_MISMATCH'
  /** The in-toto predicate type is not one the caller accepts (an attestation, not a signature). */
  | 'PREDICATE_TYPE_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'TLOG_INVALID'
  | 'TIMESTAMP_INVALID'
  | 'CERTIFICATE_INVALID'
  /** The key hint or key does not match the anchor's key. */
  | 'KEY_MISMATCH'
  | 'IDENTITY_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'EXTENSION_MISMATCH'
  /** A combination lamina cannot verify (e.g. Ed25519 key in digest mode). */
  | 'UNSUPPORTED'
  /** Any other exception during verification. */
  | 'VERIFY_ERROR';

/** What the verdict rests on; fields are filled as far as verification got. */
export interface SigstoreEvidence {
  mediaType?: string;
  kind?: 'messageSignature' | 'dsse';
  /** Hex sha256 of the artifact as checked. */
  artifactSha256?: string;
  /** Certificate SAN (keyless). */
  signerIdentity?: string;
  /** OIDC issuer from the certificate (keyless). */
  issuer?: string;
  /** Key hint from the bundle (key-based). */
  keyHint?: string;
  tlogEntries?: {
    logIndex: string;
    logId: string;
    kind: string;
    version: string;
    integratedTime?: string;
  }[];
  /** Signing times from RFC 3161 timestamps (ISO), as claimed; verified when `ok`. */
  tsaTimes?: string[];
  /** in-toto predicateType (DSSE). */
  predicateType?: string;
  /** in-toto subject names (DSSE). */
  subjects?: string[];
}

/** The verdict for one bundle. */
export interface SigstoreCheck {
  readonly ok: boolean;
  readonly code: SigstoreCheckCode;
  /** One human sentence. */
  readonly detail: string;
  readonly evidence: SigstoreEvidence;
}

class CheckFailure extends Error {
  constructor(
    readonly code: SigstoreCheckCode,
    message: string
  ) {
    super(message);
  }
}

const fail = (code: SigstoreCheckCode, message: string): never => {
  throw new CheckFailure(code, message);
};

/**
 * Verifies a Sigstore bundle offline. Never throws: every exception becomes `ok: false`.
 */
export function verifyBundle(input: VerifyBundleInput): SigstoreCheck {
  const evidence: SigstoreEvidence = {};
  try {
    const detail = run(input, evidence);
    return { ok: true, code: 'OK', detail, evidence };
  } catch (e) {
    if (e instanceof CheckFailure) return { ok: false, code: e.code, detail: e.message, evidence };
    return { ok: false, ...fromLibraryError(e), evidence };
  }
}

function run(input: VerifyBundleInput, ev: SigstoreEvidence): string {
  const { anchor, artifact } = input;
  const anchorCheck = prepareAnchor(anchor);

  // --- bundle shape ---
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(input.bundle);
  } catch (e) {
    return fail('BUNDLE_INVALID', `not a valid Sigstore bundle: ${errorMessage(e)}`);
  }
  ev.mediaType = bundle.mediaType;
  ev.kind = bundle.content.$case === 'dsseEnvelope' ? 'dsse' : 'messageSignature';
  ev.tlogEntries = bundle.verificationMaterial.tlogEntries.map((t) => ({
    logIndex: t.logIndex,
    logId: t.logId ? Buffer.from(t.logId.keyId).toString('hex') : '',
    kind: t.kindVersion?.kind ?? '',
    version: t.kindVersion?.version ?? '',
    ...(t.integratedTime && t.integratedTime !== '0'
      ? { integratedTime: new Date(Number(t.integratedTime) * 1000).toISOString() }
      : {}),
  }));
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') ev.keyHint = material.publicKey.hint;

  if (material.$case === 'x509CertificateChain') rejectRootInChain(material.x509CertificateChain);

  // --- anchor vs material ---
  if (anchor.$case === 'key' && material.$case !== 'publicKey') {
    fail('MATERIAL_MISMATCH', 'a key was given but the bundle is signed with a certificate');
  }
  if (anchor.$case === 'keyless' && material.$case === 'publicKey') {
    fail('MATERIAL_MISMATCH', 'an identity was given but the bundle is signed with a key');
  }
  if (anchor.$case === 'key' && anchor.hint !== undefined && ev.keyHint !== anchor.hint) {
    fail('KEY_MISMATCH', `bundle key hint ${ev.keyHint ?? '(none)'} is not ${anchor.hint}`);
  }

  // --- artifact binding ---
  const artifactSha256 =
    artifact.$case === 'bytes'
      ? createHash('sha256').update(artifact.bytes).digest()
      : Buffer.from(artifact.sha256);
  if (artifactSha256.length !== 32) fail('BAD_ANCHOR', 'artifact sha256 must be 32 bytes');
  ev.artifactSha256 = artifactSha256.toString('hex');

  const entity: SignedEntity = toSignedEntity(
    bundle,
    artifact.$case === 'bytes' ? artifact.bytes : undefined
  );
  if (bundle.content.$case === 'messageSignature') {
    const { messageDigest, signature } = bundle.content.messageSignature;
    if (artifact.$case === 'bytes') {
      const algo = HASH_NAMES[messageDigest.algorithm];
      if (algo === undefined) fail('UNSUPPORTED', 'unsupported message digest algorithm');
      const actual = createHash(algo as string)
        .update(artifact.bytes)
        .digest();
      if (!actual.equals(messageDigest.digest)) {
        fail('ARTIFACT_MISMATCH', 'the bundle message digest is not the artifact digest');
      }
    } else {
      if (messageDigest.algorithm !== HashAlgorithm.SHA2_256) {
        fail('UNSUPPORTED', 'digest mode needs a SHA2_256 message digest');
      }
      if (!artifactSha256.equals(messageDigest.digest)) {
        fail('ARTIFACT_MISMATCH', 'the bundle message digest is not the artifact digest');
      }
      entity.signature = prehashedContent(Buffer.from(signature), artifactSha256);
    }
  } else {
    const env = bundle.content.dsseEnvelope;
    if (env.signatures.length !== 1) {
      fail('BUNDLE_INVALID', `DSSE envelope must have one signature, has ${env.signatures.length}`);
    }
    const parsed = parseInTotoStatement(env.payloadType, Buffer.from(env.payload));
    if (!parsed.ok) return fail('DSSE_PAYLOAD_INVALID', parsed.reason);
    ev.predicateType = parsed.statement.predicateType;
    ev.subjects = parsed.statement.subjects.map((s) => s.name ?? '');
    if (!statementCoversDigest(parsed.statement, ev.artifactSha256)) {
      fail('DSSE_SUBJECT_MISMATCH', `no in-toto subject has sha256 ${ev.artifactSha256}`);
    }
    const kinds = new Set(bundle.verificationMaterial.tlogEntries.map((t) => t.kindVersion?.kind));
    if (kinds.size === 1 && kinds.has('hashedrekord')) {
      entity.signature = hashedRekordDsseContent(entity.signature, env);
    }
  }
  for (const ts of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    try {
      (ev.tsaTimes ??= []).push(
        RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime.toISOString()
      );
    } catch {
      // unparseable: the Verifier below rejects it with a code
    }
  }

  // --- cryptography: @sigstore/verify, with our trust root and nothing fetched ---
  const trust = toTrustMaterial(input.trustedRoot.trustedRoot, anchorCheck.keyFinder);
  const t = input.thresholds ?? {};
  const options: VerifierOptions = {
    tlogThreshold: t.tlog ?? 1,
    ctlogThreshold: t.ctlog ?? 1,
    // A certificate is only checked at verified times; with none the library's chain path is
    // empty and it crashes, so keyless always needs one.
    timestampThreshold: Math.max(t.timestamp ?? 1, anchor.$case === 'keyless' ? 1 : 0),
  };
  const signer = new Verifier(trust, options).verify(entity);
  const detail = checkIdentity(anchor, anchorCheck, signer, bundle, ev);

  // --- what the statement says: checked once the bundle is known to be authentic ---
  const accepted = input.predicateTypes;
  if (ev.kind === 'dsse' && accepted !== undefined && !accepted.includes(ev.predicateType ?? '')) {
    fail(
      'PREDICATE_TYPE_MISMATCH',
      `predicate type is ${ev.predicateType ?? '(none)'}, expected ${accepted.length === 1 ? '' : 'one of '}${accepted.join(', ')}`
    );
  }
  return detail;
}

/** Compares the verified signer with the anchor; returns the sentence naming who signed. */
function checkIdentity(
  anchor: SigstoreAnchor,
  anchorCheck: PreparedAnchor,
  signer: Signer,
  bundle: Bundle,
  ev: SigstoreEvidence
): string {
  if (anchor.$case === 'keyless') {
    const san = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    if (san !== undefined) ev.signerIdentity = san;
    if (issuer !== undefined) ev.issuer = issuer;
    if (issuer !== anchor.issuer) {
      fail('ISSUER_MISMATCH', `issuer ${issuer ?? '(none)'} is not ${anchor.issuer}`);
    }
    if (san === undefined || !anchorCheck.subjectMatches(san)) {
      fail(
        'IDENTITY_MISMATCH',
        `signer ${san ?? '(none)'} does not match ${describeSubject(anchor)}`
      );
    }
    if (anchor.extensions !== undefined && Object.keys(anchor.extensions).length > 0) {
      const leaf = leafCertificate(bundle);
      for (const [name, want] of Object.entries(anchor.extensions)) {
        const oid = resolveExtensionOid(name) as string; // checked in prepareAnchor
        const got = fulcioExtensionValue(leaf, oid);
        if (got !== want) {
          fail(
            'EXTENSION_MISMATCH',
            `certificate extension ${name} is ${got ?? '(absent)'}, expected ${want}`
          );
        }
      }
    }
    return `signed by ${san} (issuer ${issuer})`;
  }
  return `signed by key${ev.keyHint ? ` ${ev.keyHint}` : ''}`;
}

const HASH_NAMES: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
  [HashAlgorithm.SHA3_256]: 'sha3-256',
  [HashAlgorithm.SHA3_384]: 'sha3-384',
};

interface PreparedAnchor {
  keyFinder?: KeyFinderFunc;
  subjectMatches(san: string): boolean;
}

function prepareAnchor(anchor: SigstoreAnchor): PreparedAnchor {
  if (anchor.$case === 'key') {
    let key: KeyObject;
    try {
      key = createPublicKey(anchor.publicKeyPem);
    } catch (e) {
      return fail('BAD_ANCHOR', `not a public key: ${errorMessage(e)}`);
    }
    // The hint was already compared; the key itself is what the signature must verify under.
    return {
      keyFinder: () => ({ publicKey: key, validFor: () => true }),
      subjectMatches: () => false,
    };
  }
  if (typeof anchor.issuer !== 'string' || anchor.issuer === '') {
    fail('BAD_ANCHOR', 'a keyless anchor needs an issuer');
  }
  const hasSubject = anchor.subject !== undefined;
  const hasRegex = anchor.subjectRegex !== undefined;
  if (hasSubject === hasRegex) {
    fail('BAD_ANCHOR', 'a keyless anchor needs exactly one of subject and subjectRegex');
  }
  for (const name of Object.keys(anchor.extensions ?? {})) {
    if (resolveExtensionOid(name) === undefined)
      fail('BAD_ANCHOR', `unknown certificate extension ${name}`);
  }
  const noKeys: KeyFinderFunc = () => fail('MATERIAL_MISMATCH', 'no public keys are trusted');
  if (hasSubject) {
    const want = anchor.subject as string;
    return { keyFinder: noKeys, subjectMatches: (san) => san === want };
  }
  let re: RegExp;
  try {
    // Always anchored: a bare pattern must match the whole SAN, never a substring.
    re = compileSubjectRegex(anchor.subjectRegex as string);
  } catch (e) {
    return fail('BAD_ANCHOR', `subjectRegex does not compile: ${errorMessage(e)}`);
  }
  return { keyFinder: noKeys, subjectMatches: (san) => re.test(san) };
}

function describeSubject(anchor: Extract<SigstoreAnchor, { $case: 'keyless' }>): string {
  return anchor.subject !== undefined ? anchor.subject : `/^(?:${anchor.subjectRegex})$/`;
}

function leafCertificate(bundle: Bundle): X509Certificate {
  const m = bundle.verificationMaterial.content;
  const raw =
    m.$case === 'x509CertificateChain'
      ? m.x509CertificateChain.certificates[0]?.rawBytes
      : m.$case === 'certificate'
        ? m.certificate.rawBytes
        : undefined;
  if (raw === undefined) return fail('MATERIAL_MISMATCH', 'bundle has no certificate');
  return X509Certificate.parse(Buffer.from(raw));
}

/**
 * The bundle spec forbids the root in `x509CertificateChain` (it must come from the trusted
 * root); a self-issued CA certificate there is refused instead of left to the library.
 */
function rejectRootInChain(chain: { certificates: { rawBytes: Uint8Array }[] }): void {
  for (const c of chain.certificates) {
    let cert: X509Certificate;
    try {
      cert = X509Certificate.parse(Buffer.from(c.rawBytes));
    } catch (e) {
      return fail('BUNDLE_INVALID', `unparseable certificate in bundle: ${errorMessage(e)}`);
    }
    if (cert.isCA && cert.subject.equals(cert.issuer)) {
      fail('BUNDLE_INVALID', 'bundle certificate chain contains a root certificate');
    }
  }
}

/** Signature content for a message signature known only by its sha256 (digest mode). */
function prehashedContent(signature: Buffer, digest: Buffer): SignedEntity['signature'] {
  return {
    signature,
    compareSignature: (s) => sigcrypto.bufferEqual(s, signature),
    compareDigest: (d) => sigcrypto.bufferEqual(d, digest),
    verifySignature: (key) => verifyPrehashedSha256(key, digest, signature),
  };
}

/**
 * A DSSE envelope logged as a `hashedrekord` entry (as Rekor v2 logs every signature) records the
 * digest of the signed bytes, the DSSE pre-authentication encoding, not of the payload. The
 * library's hashedrekord check compares the entry against `compareDigest`, so for a bundle whose
 * entries are all hashedrekord that comparison is made against the PAE digest; signature checks
 * are unchanged. Mixed entry kinds keep the library's comparison and fail closed.
 */
function hashedRekordDsseContent(
  content: SignedEntity['signature'],
  env: { payloadType: string; payload: Uint8Array }
): SignedEntity['signature'] {
  const type = Buffer.from(env.payloadType, 'utf8');
  const body = Buffer.from(env.payload);
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${body.length} `, 'utf8'),
    body,
  ]);
  const signed = createHash('sha256').update(pae).digest();
  return {
    signature: content.signature,
    compareSignature: (s) => content.compareSignature(s),
    compareDigest: (d) => sigcrypto.bufferEqual(d, signed),
    verifySignature: (key) => content.verifySignature(key),
  };
}

/** Maps @sigstore/verify error codes onto ours; unknown exceptions are VERIFY_ERROR. */
function fromLibraryError(e: unknown): { code: SigstoreCheckCode; detail: string } {
  const libCode =
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
      ? e.code
      : undefined;
  const detail = errorMessage(e);
  if (libCode === undefined) return { code: 'VERIFY_ERROR', detail };
  if (libCode.startsWith('TLOG')) return { code: 'TLOG_INVALID', detail };
  const map: Record<string, SigstoreCheckCode> = {
    TIMESTAMP_ERROR: 'TIMESTAMP_INVALID',
    CERTIFICATE_ERROR: 'CERTIFICATE_INVALID',
    UNTRUSTED_SIGNER_ERROR: 'CERTIFICATE_INVALID',
    SIGNATURE_ERROR: 'SIGNATURE_INVALID',
    PUBLIC_KEY_ERROR: 'KEY_MISMATCH',
  };
  return { code: map[libCode] ?? 'VERIFY_ERROR', detail: `${libCode}: ${detail}` };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
