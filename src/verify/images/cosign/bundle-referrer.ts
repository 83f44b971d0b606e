/**
 * cosign v3 image signatures: a Sigstore bundle stored as an OCI 1.1 referrer (artifactType and
 * layer media type `application/vnd.dev.sigstore.bundle.v0.3+json`), whose DSSE envelope holds an
 * in-toto Statement about the image manifest with predicate type
 * `https://sigstore.dev/cosign/sign/v1` (cosign `cmd/cosign/cli/sign/sign.go`).
 * The existing Sigstore verifier checks the certificate or key, the log entries and timestamps,
 * the identity, that an in-toto subject has the image digest (sigstore-js alone checks no
 * subject) and the predicate type; this module adds that the bundle is a DSSE envelope at all.
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { parseStrictJson, type JsonValue } from '../../../util/strict-json.js';
import { keyIdentity, signatureIdentity } from '../../signature-identity.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  verifyBundle,
  type SigstoreAnchor,
  type SigstoreCheckCode,
  type SigstoreEvidence,
  type SigstoreThresholds,
} from '../../sigstore/index.js';
import type { TrustedRootMaterial } from '../../trust/index.js';
import { sha256DigestBytes } from '../types.js';

/** Media type of a Sigstore bundle v0.3, as the referrer's artifactType and layer media type. */
export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
// The predicate type cosign signs images with (defined with the in-toto checks, which layers share).
export { COSIGN_SIGN_PREDICATE_TYPE };

/** Input of {@link verifyCosignBundleReferrer}. */
export interface VerifyCosignBundleInput {
  /** The referrer's layer bytes (re-hashed and size-capped by the fetcher). */
  readonly bundle: Uint8Array;
  /** The layer's media type from the referrer manifest. */
  readonly mediaType: string;
  /** The image manifest digest an in-toto subject must carry (`sha256:<hex>`). */
  readonly imageDigest: string;
  /** In-toto predicate types accepted; default [{@link COSIGN_SIGN_PREDICATE_TYPE}]. */
  readonly predicateTypes?: readonly string[];
  readonly anchor: SigstoreAnchor;
  readonly trustedRoot: TrustedRootMaterial;
  readonly thresholds?: SigstoreThresholds;
}

/** Outcome codes: this format's own, then the Sigstore verifier's. */
export type CosignBundleCode =
  | SigstoreCheckCode
  /** The layer is not a v0.3 bundle, or the bundle's own mediaType says otherwise. */
  | 'MEDIA_TYPE_INVALID'
  /** A message signature, not a DSSE envelope: cosign signs images as in-toto statements. */
  | 'NOT_DSSE';

/** A bundle referrer that verified. */
export interface VerifiedCosignBundle {
  readonly signatureId: string;
  /** The verifying key's identity ({@link keyIdentity}): every signature by one key shares it. */
  readonly keyId: string;
  readonly predicateType: string;
  readonly evidence: SigstoreEvidence;
}

/** The verdict for one bundle referrer against one anchor. */
export interface CosignBundleCheck {
  readonly ok: boolean;
  readonly code: CosignBundleCode;
  readonly detail: string;
  readonly evidence: SigstoreEvidence;
  readonly verified?: VerifiedCosignBundle;
}

type Obj = { [k: string]: JsonValue };
const obj = (v: JsonValue | undefined): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;

/** Verifies one cosign bundle referrer. Never throws. */
export function verifyCosignBundleReferrer(input: VerifyCosignBundleInput): CosignBundleCheck {
  const no = (
    code: CosignBundleCode,
    detail: string,
    evidence: SigstoreEvidence = {}
  ): CosignBundleCheck => ({
    ok: false,
    code,
    detail,
    evidence,
  });
  if (input.mediaType !== SIGSTORE_BUNDLE_V03_MEDIA_TYPE) {
    return no(
      'MEDIA_TYPE_INVALID',
      `layer media type ${JSON.stringify(input.mediaType)} is not ${SIGSTORE_BUNDLE_V03_MEDIA_TYPE}`
    );
  }
  const digest = sha256DigestBytes(input.imageDigest);
  if (digest === undefined)
    return no('BAD_ANCHOR', `image digest ${input.imageDigest} is not sha256:<hex>`);
  let json: JsonValue;
  try {
    json = parseStrictJson(input.bundle);
  } catch (e) {
    return no(
      'BUNDLE_INVALID',
      `the bundle is not strict JSON: ${e instanceof Error ? e.message : String(e)}`
    );
  }
  const b = obj(json);
  if (b?.mediaType !== SIGSTORE_BUNDLE_V03_MEDIA_TYPE) {
    return no(
      'MEDIA_TYPE_INVALID',
      `the bundle's mediaType is ${JSON.stringify(b?.mediaType ?? null)}, not ${SIGSTORE_BUNDLE_V03_MEDIA_TYPE}`
    );
  }
  const envelope = obj(b.dsseEnvelope);
  if (envelope === undefined)
    return no(
      'NOT_DSSE',
      'the bundle holds no DSSE envelope (cosign signs images as in-toto statements)'
    );

  const r = verifyBundle({
    bundle: json,
    artifact: { $case: 'digest', sha256: digest },
    trustedRoot: input.trustedRoot,
    anchor: input.anchor,
    predicateTypes: input.predicateTypes ?? [COSIGN_SIGN_PREDICATE_TYPE],
    ...(input.thresholds ? { thresholds: input.thresholds } : {}),
  });
  if (!r.ok) return no(r.code, r.detail, r.evidence);
  // A verified DSSE bundle has its statement's predicate type.
  const predicateType = r.evidence.predicateType ?? '';
  const { signatureId, keyId } = bundleSignatureId(b, input.anchor);
  return {
    ok: true,
    code: 'OK',
    detail: `cosign bundle for ${input.imageDigest} (${predicateType}): ${r.detail}`,
    evidence: r.evidence,
    verified: { signatureId, keyId, predicateType, evidence: r.evidence },
  };
}

/**
 * Identities of a verified DSSE bundle: its one signature with the leaf or anchor key, and that
 * key alone.
 */
function bundleSignatureId(b: Obj, anchor: SigstoreAnchor): { signatureId: string; keyId: string } {
  const sigs = obj(b.dsseEnvelope)?.signatures;
  const first = Array.isArray(sigs) ? obj(sigs[0]) : undefined;
  const sig = Buffer.from(typeof first?.sig === 'string' ? first.sig : '', 'base64');
  let verifier: Buffer;
  let key: KeyObject;
  if (anchor.$case === 'key') {
    key = createPublicKey(anchor.publicKeyPem);
    verifier = key.export({ type: 'spki', format: 'der' });
  } else {
    // A v0.3 bundle carries the leaf as `certificate` (a certificate chain is refused in v0.3).
    const cert = obj(obj(b.verificationMaterial)?.certificate);
    verifier = Buffer.from(typeof cert?.rawBytes === 'string' ? cert.rawBytes : '', 'base64');
    // The bundle verified, so its leaf parses.
    key = new X509Certificate(verifier).publicKey;
  }
  return {
    signatureId: signatureIdentity({ signature: sig, verifier, ecdsaEncoding: 'der' }),
    keyId: keyIdentity(key),
  };
}
