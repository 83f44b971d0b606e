/**
 * What the verifier is given: lamina's own evidence types (src/model/evidence.ts), gathered by
 * src/pipeline/ (zip download, SDK calls, bundle lookup); the verifier itself is pure.
 */
export type {
  FoundBundle,
  FunctionEvidence,
  FunctionLayer,
  LayerEvidence,
  SignerEvidence,
  SigningJobFacts,
  SigningProfileFacts,
} from '../model/evidence.js';

/** Largest bundle, key or trusted-root file read: a Sigstore bundle is a few KiB. */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

/**
 * Largest layer whose bytes are held in memory for Sigstore verification. Larger layers,
 * and layers without bundles, are verified by digest: ECDSA and RSA signatures verify over
 * the sha256 alone; pure-EdDSA signatures then fail closed.
 */
export const MAX_BYTES_FOR_SIGSTORE = 64 * 1024 * 1024;
