/**
 * cosign "legacy" image signatures: one layer of the manifest tagged `sha256-<hex>.sig`, holding
 * the simple-signing payload, with the signature and its verification material in annotations
 * (cosign `pkg/oci/static`):
 *   dev.cosignproject.cosign/signature     base64 signature over the exact payload bytes
 *   dev.sigstore.cosign/certificate        PEM leaf (keyless, or a key with a certificate)
 *   dev.sigstore.cosign/chain              PEM chain above the leaf (may be empty)
 *   dev.sigstore.cosign/bundle             {"SignedEntryTimestamp", "Payload": {body, integratedTime, logIndex, logID}}
 *   dev.sigstore.cosign/rfc3161timestamp   {"SignedRFC3161Timestamp"}: a TSA timestamp over the signature bytes
 * These are exactly the parts of a Sigstore message-signature bundle (cosign itself now signs a
 * bundle and splits it into annotations, `cmd/cosign/cli/sign/sign.go`), so lamina rebuilds a
 * v0.1 bundle (the version whose transparency-log proof is the SET alone) and verifies it with
 * the existing Sigstore verifier: certificate chain to the trusted root, SET or RFC 3161 time,
 * exact identity. Ed25519 keys are verified here directly (the Sigstore library cannot), and
 * only when the anchor asks for no transparency-log entry or timestamp.
 */
import {
  X509Certificate,
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { isJsonObject, parseStrictJson, type JsonValue } from '../../../util/strict-json.js';
import { keyIdentity, signatureIdentity } from '../../signature-identity.js';
import {
  verifyBundle,
  type SigstoreAnchor,
  type SigstoreCheckCode,
  type SigstoreEvidence,
  type SigstoreThresholds,
} from '../../sigstore/index.js';
import type { TrustedRootMaterial } from '../../trust/index.js';
import { pemCertificates } from '../pem.js';
import { BASE64, failedCheck, failer } from '../check.js';
import {
  SIMPLE_SIGNING_MEDIA_TYPE,
  SimpleSigningError,
  parseSimpleSigning,
} from './simple-signing.js';

/** Layer annotation keys cosign writes (pkg/oci/static/signature.go). */
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

/** One signature layer of a `.sig` manifest (bytes already re-hashed and size-capped by the fetcher). */
export interface CosignLegacyLayer {
  readonly mediaType: string;
  readonly payload: Uint8Array;
  /** The layer descriptor's annotations (untrusted). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** Input of {@link verifyCosignLegacy}. */
export interface VerifyCosignLegacyInput {
  readonly layer: CosignLegacyLayer;
  /** The image manifest digest the payload must name (`sha256:<hex>`). */
  readonly imageDigest: string;
  readonly anchor: SigstoreAnchor;
  readonly trustedRoot: TrustedRootMaterial;
  /** As for Sigstore bundles; a bare key signature (no Rekor bundle, no TSA) needs `{tlog: 0, timestamp: 0}`. */
  readonly thresholds?: SigstoreThresholds;
}

/** Outcome codes: the legacy format's own, then the Sigstore verifier's. */
export type CosignLegacyCode =
  | SigstoreCheckCode
  /** The layer is not `application/vnd.dev.cosign.simplesigning.v1+json`. */
  | 'MEDIA_TYPE_INVALID'
  /** The payload is not strict simple-signing JSON. */
  | 'PAYLOAD_INVALID'
  /** `critical.type` is not "cosign container image signature". */
  | 'PAYLOAD_TYPE'
  /** `docker-manifest-digest` is not the image digest. */
  | 'DIGEST_MISMATCH'
  /** A cosign annotation is missing or malformed. */
  | 'ANNOTATION_INVALID';

/** A legacy signature that verified. */
export interface VerifiedCosignLegacy {
  readonly signatureId: string;
  /** The verifying key's identity ({@link keyIdentity}): every signature by one key shares it. */
  readonly keyId: string;
  readonly dockerReference: string;
  /** Hash the signature was made over. */
  readonly hash: string;
  readonly evidence: SigstoreEvidence;
}

/** The verdict for one layer against one anchor. */
export interface CosignLegacyCheck {
  readonly ok: boolean;
  readonly code: CosignLegacyCode;
  readonly detail: string;
  readonly evidence: SigstoreEvidence & { dockerReference?: string; dockerManifestDigest?: string };
  readonly verified?: VerifiedCosignLegacy;
}

const fail = failer<CosignLegacyCode>();

const HEX = /^(?:[0-9a-f]{2})+$/;
const HASHES: Readonly<Record<string, { name: string; proto: string }>> = {
  sha256: { name: 'sha256', proto: 'SHA2_256' },
  sha384: { name: 'sha384', proto: 'SHA2_384' },
  sha512: { name: 'sha512', proto: 'SHA2_512' },
};

/** Verifies one legacy signature layer. Never throws. */
export function verifyCosignLegacy(input: VerifyCosignLegacyInput): CosignLegacyCheck {
  const evidence: CosignLegacyCheck['evidence'] = {};
  try {
    const verified = run(input, evidence);
    const who =
      verified.evidence.signerIdentity !== undefined
        ? `${verified.evidence.signerIdentity} (issuer ${verified.evidence.issuer ?? '?'})`
        : `key${input.anchor.$case === 'key' && input.anchor.hint ? ` ${input.anchor.hint}` : ''}`;
    return {
      ok: true,
      code: 'OK',
      detail: `cosign signature of ${input.imageDigest} (docker-reference ${verified.dockerReference}) by ${who}.`,
      evidence,
      verified,
    };
  } catch (e) {
    return { ok: false, ...failedCheck<CosignLegacyCode>(e, 'VERIFY_ERROR'), evidence };
  }
}

function b64(v: string | undefined, what: string): Buffer {
  if (v === undefined || v === '' || !BASE64.test(v))
    return fail('ANNOTATION_INVALID', `${what} is missing or not base64`);
  return Buffer.from(v, 'base64');
}

function strictAnnotation(v: string, what: string): { [k: string]: JsonValue } {
  let doc: JsonValue;
  try {
    doc = parseStrictJson(v);
  } catch (e) {
    return fail(
      'ANNOTATION_INVALID',
      `${what} is not strict JSON: ${e instanceof Error ? e.message : String(e)}`
    );
  }
  if (!isJsonObject(doc)) return fail('ANNOTATION_INVALID', `${what} is not an object`);
  return doc;
}

function exactKeys(o: { [k: string]: JsonValue }, keys: string[], what: string): void {
  if (Object.keys(o).sort().join(',') !== [...keys].sort().join(',')) {
    fail('ANNOTATION_INVALID', `${what} must have exactly ${keys.join(', ')}`);
  }
}

const int = (v: JsonValue | undefined, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    return fail('ANNOTATION_INVALID', `${what} is not a non-negative integer`);
  return v;
};

interface TlogEntry {
  json: Record<string, unknown>;
  /** Hash algorithm the hashedrekord body records, if it is one. */
  hash?: string;
}

/** The Rekor bundle annotation as a v0.1 bundle tlog entry (SET as the inclusion promise). */
function tlogEntry(annotation: string): TlogEntry {
  const what = COSIGN_ANNOTATIONS.bundle;
  const doc = strictAnnotation(annotation, what);
  exactKeys(doc, ['SignedEntryTimestamp', 'Payload'], what);
  const payload = doc.Payload;
  if (!isJsonObject(payload)) return fail('ANNOTATION_INVALID', `${what} Payload is not an object`);
  exactKeys(payload, ['body', 'integratedTime', 'logIndex', 'logID'], `${what} Payload`);
  const set = b64(
    typeof doc.SignedEntryTimestamp === 'string' ? doc.SignedEntryTimestamp : undefined,
    `${what} SignedEntryTimestamp`
  );
  const body = b64(typeof payload.body === 'string' ? payload.body : undefined, `${what} body`);
  const logId = payload.logID;
  if (typeof logId !== 'string' || !HEX.test(logId))
    return fail('ANNOTATION_INVALID', `${what} logID is not hex`);
  let kind: JsonValue | undefined;
  let version: JsonValue | undefined;
  let hash: string | undefined;
  try {
    const b = parseStrictJson(body);
    if (isJsonObject(b)) {
      kind = b.kind;
      version = b.apiVersion;
      const spec = isJsonObject(b.spec) ? b.spec : undefined;
      const data = spec && isJsonObject(spec.data) ? spec.data : undefined;
      const h = data && isJsonObject(data.hash) ? data.hash.algorithm : undefined;
      if (typeof h === 'string') hash = h;
    }
  } catch {
    // checked below
  }
  if (typeof kind !== 'string' || typeof version !== 'string') {
    return fail('ANNOTATION_INVALID', `${what} body is not a Rekor entry (kind, apiVersion)`);
  }
  return {
    json: {
      logIndex: String(int(payload.logIndex, `${what} logIndex`)),
      logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
      kindVersion: { kind, version },
      integratedTime: String(int(payload.integratedTime, `${what} integratedTime`)),
      inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
      canonicalizedBody: body.toString('base64'),
    },
    ...(hash !== undefined ? { hash } : {}),
  };
}

function defaultHash(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
}

/**
 * The hash the signature was made with: the one the Rekor entry records, else the key's default
 * (cosign signs P-384 with SHA-384 and P-521 with SHA-512), else SHA-256 (what cosign before
 * 2.x used for every key). Undefined when none verifies.
 */
function signedHash(
  key: KeyObject,
  payload: Buffer,
  sig: Buffer,
  recorded?: string
): string | undefined {
  const candidates = [...new Set([recorded ?? defaultHash(key), 'sha256'])];
  return candidates.find((h) => {
    try {
      return cryptoVerify(h, payload, key, sig);
    } catch {
      return false;
    }
  });
}

/** Pure Ed25519, or Ed25519ph (cosign's default for Ed25519 keys since 2.x). */
function verifyEd25519(key: KeyObject, payload: Buffer, sig: Buffer): boolean {
  try {
    if (cryptoVerify(null, payload, key, sig)) return true;
    const raw = Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
    return ed25519ph.verify(sig, payload, raw);
  } catch {
    return false;
  }
}

function run(
  input: VerifyCosignLegacyInput,
  ev: CosignLegacyCheck['evidence']
): VerifiedCosignLegacy {
  const { layer, anchor } = input;
  if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
    fail(
      'MEDIA_TYPE_INVALID',
      `layer media type ${JSON.stringify(layer.mediaType)} is not ${SIMPLE_SIGNING_MEDIA_TYPE}`
    );
  }
  const payload = Buffer.from(layer.payload);
  let parsed;
  try {
    parsed = parseSimpleSigning(payload);
  } catch (e) {
    if (e instanceof SimpleSigningError) return fail(e.code, e.message);
    throw e;
  }
  ev.dockerReference = parsed.dockerReference;
  ev.dockerManifestDigest = parsed.dockerManifestDigest;
  if (parsed.dockerManifestDigest !== input.imageDigest) {
    fail(
      'DIGEST_MISMATCH',
      `the payload signs ${parsed.dockerManifestDigest}, not the image ${input.imageDigest}`
    );
  }

  // --- annotations ---
  const ann = layer.annotations;
  const sig = b64(ann[COSIGN_ANNOTATIONS.signature], COSIGN_ANNOTATIONS.signature);
  const certPem = ann[COSIGN_ANNOTATIONS.certificate];
  let leaf: Buffer | undefined;
  if (certPem !== undefined && certPem !== '') {
    const certs = pemCertificates(certPem, 1);
    if (certs?.length !== 1)
      return fail(
        'ANNOTATION_INVALID',
        `${COSIGN_ANNOTATIONS.certificate} is not one PEM certificate`
      );
    leaf = certs[0];
  }
  const chainPem = ann[COSIGN_ANNOTATIONS.chain];
  // The chain is a hint: trust comes from the trusted root. It must still be well-formed.
  if (chainPem !== undefined && chainPem !== '' && pemCertificates(chainPem, 8) === undefined) {
    fail('ANNOTATION_INVALID', `${COSIGN_ANNOTATIONS.chain} is not a PEM certificate list`);
  }
  const rekorAnn = ann[COSIGN_ANNOTATIONS.bundle];
  const rekor = rekorAnn !== undefined ? tlogEntry(rekorAnn) : undefined;
  const tsaAnn = ann[COSIGN_ANNOTATIONS.timestamp];
  let tsa: Buffer | undefined;
  if (tsaAnn !== undefined) {
    const doc = strictAnnotation(tsaAnn, COSIGN_ANNOTATIONS.timestamp);
    exactKeys(doc, ['SignedRFC3161Timestamp'], COSIGN_ANNOTATIONS.timestamp);
    const v = doc.SignedRFC3161Timestamp;
    tsa = b64(
      typeof v === 'string' ? v : undefined,
      `${COSIGN_ANNOTATIONS.timestamp} SignedRFC3161Timestamp`
    );
  }

  // --- which key verifies: the anchor's, or the certificate's (chained to the trusted root below) ---
  let key: KeyObject;
  let verifier: Buffer;
  if (anchor.$case === 'key') {
    try {
      key = createPublicKey(anchor.publicKeyPem);
    } catch {
      return fail('BAD_ANCHOR', 'the anchor public key does not parse');
    }
    verifier = key.export({ type: 'spki', format: 'der' });
  } else {
    if (leaf === undefined)
      return fail(
        'MATERIAL_MISMATCH',
        'an identity was given but the signature has no certificate'
      );
    try {
      key = new X509Certificate(leaf).publicKey;
    } catch {
      return fail('ANNOTATION_INVALID', `${COSIGN_ANNOTATIONS.certificate} does not parse`);
    }
    verifier = leaf;
  }

  const signatureId = signatureIdentity({ signature: sig, verifier, ecdsaEncoding: 'der' });
  if (key.asymmetricKeyType === 'ed25519') {
    if (!verifyEd25519(key, payload, sig))
      fail('SIGNATURE_INVALID', 'the Ed25519 signature does not verify over the payload');
    const t = input.thresholds ?? {};
    if (anchor.$case !== 'key' || (t.tlog ?? 1) > 0 || (t.timestamp ?? 1) > 0) {
      fail(
        'UNSUPPORTED',
        'Ed25519 signatures verify only as bare key signatures (anchor thresholds tlog: 0, timestamp: 0): the Sigstore library cannot check their log entries or timestamps'
      );
    }
    return {
      signatureId,
      keyId: keyIdentity(key),
      dockerReference: parsed.dockerReference,
      hash: 'ed25519',
      evidence: ev,
    };
  }
  const hash = signedHash(key, payload, sig, rekor?.hash);
  if (hash === undefined || HASHES[hash] === undefined) {
    return fail(
      'SIGNATURE_INVALID',
      `the signature does not verify over the payload with the ${anchor.$case === 'key' ? "anchor's key" : "certificate's key"}`
    );
  }

  // --- the rest is a Sigstore bundle: certificate chain, SET / TSA time, identity ---
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...(anchor.$case === 'key'
        ? { publicKey: { hint: anchor.hint ?? '' } }
        : { x509CertificateChain: { certificates: [{ rawBytes: leaf!.toString('base64') }] } }),
      tlogEntries: rekor ? [rekor.json] : [],
      timestampVerificationData: {
        rfc3161Timestamps: tsa ? [{ signedTimestamp: tsa.toString('base64') }] : [],
      },
    },
    messageSignature: {
      messageDigest: {
        algorithm: HASHES[hash].proto,
        digest: createHash(hash).update(payload).digest('base64'),
      },
      signature: sig.toString('base64'),
    },
  };
  const r = verifyBundle({
    bundle,
    artifact: { $case: 'bytes', bytes: payload },
    trustedRoot: input.trustedRoot,
    anchor,
    ...(input.thresholds ? { thresholds: input.thresholds } : {}),
  });
  Object.assign(ev, r.evidence);
  if (!r.ok) fail(r.code, r.detail);
  return {
    signatureId,
    keyId: keyIdentity(key),
    dockerReference: parsed.dockerReference,
    hash,
    evidence: r.evidence,
  };
}
