export {
  verifyBundle,
  type BundleArtifact,
  type SigstoreAnchor,
  type SigstoreCheck,
  type SigstoreCheckCode,
  type SigstoreEvidence,
  type SigstoreThresholds,
  type VerifyBundleInput,
} from './verify.js';
export { FULCIO_EXTENSION_OIDS, resolveExtensionOid } from './fulcio-extensions.js';
export { COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE } from './intoto.js';
