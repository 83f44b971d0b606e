import { BaseError } from '../errors.js';

/**
 * Why an artifact (a layer version, a function's settings, a whole account or
 * region) could not be fetched. Recorded against the item in the scan result;
 * any of them makes `lamina scan` exit 3.
 */
export type FetchErrorCode =
  /** The caller may not read it (cross-account layer not shared, role not assumable). */
  | 'ACCESS_DENIED'
  /** It no longer exists (a deleted layer version). */
  | 'NOT_FOUND'
  /** Downloaded bytes do not hash to CodeSha256. */
  | 'BAD_DIGEST'
  /** Downloaded more bytes than CodeSize, or the server announced another size. */
  | 'SIZE_MISMATCH'
  /** The body ended before CodeSize bytes, on every attempt. */
  | 'TRUNCATED'
  /** Transient errors (throttling, 5xx, resets) outlasted every retry. */
  | 'RETRIES_EXHAUSTED'
  /** The content URL kept answering with an HTTP error we do not retry. */
  | 'HTTP_ERROR'
  /** Any other service error, with the service's own code in the reason. */
  | 'API_ERROR'
  /** The content URL kept expiring even after fresh ones were requested. */
  | 'URL_EXPIRED'
  /** The cache directory could not be written. */
  | 'CACHE_ERROR'
  /** A cache entry no longer hashes to its name: changed on disk since its verified write. */
  | 'CACHE_CHANGED'
  /** An image function's image is archived in ECR: it cannot be pulled until restored. */
  | 'IMAGE_ARCHIVED';

/** A fetch that could not complete (the CLI's exit code table maps it to 3). */
export class FetchError extends BaseError<FetchErrorCode> {}
