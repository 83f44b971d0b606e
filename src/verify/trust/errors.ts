import { BaseError } from '../../errors.js';

/**
 * Codes for a Sigstore trusted root lamina refuses to use.
 */
export type TrustRootErrorCode =
  /** Not JSON, or not a TrustedRoot message. */
  | 'TRUST_ROOT_PARSE'
  /** The file's sha256 differs from the pinned one. */
  | 'TRUST_ROOT_DIGEST_MISMATCH'
  /** A log or authority has no (or an unparseable) `validFor.start`. */
  | 'TRUST_ROOT_MISSING_VALIDITY'
  /** The root parses but is unusable (e.g. a key or certificate that does not load). */
  | 'TRUST_ROOT_INVALID'
  /** The shipped public-good root could not be found or read. */
  | 'TRUST_ROOT_NOT_FOUND';

/** A trusted root that cannot be used for verification. */
export class TrustRootError extends BaseError<TrustRootErrorCode> {}
