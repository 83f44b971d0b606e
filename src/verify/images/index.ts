/**
 * Image signature verification (pure): Notation JWS as AWS Signer makes it, cosign legacy `.sig`
 * signatures, cosign bundle referrers, and their evaluation against a `signers` rule.
 * Discovery and fetching live in src/fetch; GetRevocationStatus is injected.
 */
export type { ImageDescriptor, ImageSignatureFormat } from './types.js';
export { sha256DigestBytes } from './types.js';
export {
  verifyNotationJws,
  NOTATION_JWS_MEDIA_TYPE,
  NOTATION_COSE_MEDIA_TYPE,
  MAX_ENVELOPE_BYTES,
  type NotationCheck,
  type NotationCheckCode,
  type NotationEvidence,
  type VerifiedNotation,
  type VerifyNotationInput,
} from './notation/jws.js';
export {
  AWS_SIGNER_ROOT_SHA256,
  NotationTrustStoreError,
  loadNotationTrustStore,
  rootLabel,
  type NotationTrustStore,
  type NotationTrustStoreErrorCode,
  type NotationTrustStoreType,
} from './notation/trust-store.js';
export {
  AWS_SIGNER_PLUGIN,
  NOTATION_PLATFORM_ID,
  buildRevocationRequest,
  checkRevocation,
  interpretRevocation,
  parseAwsSignerIdentity,
  signerCertificateHashes,
  type AwsSignerIdentity,
  type GetRevocationStatusFn,
  type RevocationCode,
  type RevocationMode,
  type RevocationRequest,
  type RevocationResult,
} from './notation/aws-signer.js';
export {
  COSIGN_ANNOTATIONS,
  verifyCosignLegacy,
  type CosignLegacyCheck,
  type CosignLegacyCode,
  type CosignLegacyLayer,
  type VerifiedCosignLegacy,
  type VerifyCosignLegacyInput,
} from './cosign/legacy.js';
export { SIMPLE_SIGNING_MEDIA_TYPE, COSIGN_SIGNATURE_TYPE } from './cosign/simple-signing.js';
export {
  COSIGN_SIGN_PREDICATE_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  verifyCosignBundleReferrer,
  type CosignBundleCheck,
  type CosignBundleCode,
  type VerifiedCosignBundle,
  type VerifyCosignBundleInput,
} from './cosign/bundle-referrer.js';
export {
  evaluateImageAnchor,
  evaluateImageSigners,
  type DiscoveryPath,
  type FoundImageSignature,
  type ImageAnchor,
  type ImageSignatureEvidence,
  type ImageSignerContext,
} from './signers.js';
