import { BaseError } from '../../errors.js';

/**
 * Why an image (OCI layout, docker-archive or registry reference) could not be
 * resolved or one of its blobs could not be brought in intact.
 */
export type ImageErrorCode =
  // ---- the request itself
  /** The image reference cannot be parsed. */
  | 'BAD_REFERENCE'
  /** The `--platform` value cannot be parsed. */
  | 'BAD_PLATFORM'
  /** No manifest of the index matches the requested platform. */
  | 'PLATFORM_NOT_FOUND'
  /** Several different manifests match the requested platform equally well. */
  | 'PLATFORM_AMBIGUOUS'
  /** The tag or digest does not exist in the layout, archive or repository. */
  | 'MANIFEST_NOT_FOUND'
  /** Plain HTTP to a host that is neither loopback nor named as insecure, or a downgrade redirect. */
  | 'INSECURE_REFUSED'
  /** A `--registry-auth` or Docker config file that cannot be read or parsed. */
  | 'BAD_CREDENTIALS'
  // ---- documents refused before or while parsing
  /** Docker schema 1 manifests are unsigned-by-content and not supported. */
  | 'SCHEMA1_REFUSED'
  /** A document readers could take for two different things (both `manifests` and `layers`, duplicate or case-folded keys, media types that disagree). */
  | 'AMBIGUOUS_DOCUMENT'
  /** A manifest, config or layer media type lamina does not read. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** A digest algorithm other than sha256, or a malformed digest. */
  | 'UNSUPPORTED_DIGEST'
  /** Not valid JSON, invalid UTF-8, or a field of the wrong type. */
  | 'MALFORMED_DOCUMENT'
  /** A manifest, index or config larger than its cap. */
  | 'DOCUMENT_TOO_LARGE'
  /** `rootfs.diff_ids` has another length than the manifest's `layers`. */
  | 'DIFF_ID_COUNT_MISMATCH'
  /** The config's platform disagrees with the index entry or the requested platform. */
  | 'PLATFORM_MISMATCH'
  /** Indexes nested deeper than the limit. */
  | 'NESTING_TOO_DEEP'
  /** A layer compression lamina cannot decode here (zstd before Node 22.15, bzip2, xz). */
  | 'UNSUPPORTED_COMPRESSION'
  /** A layer's leading bytes say another compression than its media type. */
  | 'COMPRESSION_MISMATCH'
  /** An OCI layout directory that is not one (no `oci-layout`, bad version, a blob escaping it). */
  | 'LAYOUT_INVALID'
  /** A docker-archive whose `manifest.json` or members are unusable. */
  | 'ARCHIVE_INVALID'
  // ---- integrity: the bytes are not what they claim to be
  /** Bytes do not hash to the digest that names them. */
  | 'DIGEST_MISMATCH'
  /** The registry's `Docker-Content-Digest` disagrees with the bytes it sent. */
  | 'CONTENT_DIGEST_MISMATCH'
  /** A blob has another size than its descriptor says. */
  | 'SIZE_MISMATCH'
  /** A layer's uncompressed bytes do not hash to its diffID. */
  | 'DIFF_ID_MISMATCH'
  /** A layer's compressed stream is corrupt. */
  | 'CORRUPT_LAYER'
  /** A layer expands beyond the image size limit. */
  | 'LAYER_TOO_LARGE';

/** Codes that mean "these bytes are not the ones named": never cached, retried at most once. */
export const INTEGRITY_CODES: ReadonlySet<ImageErrorCode> = new Set<ImageErrorCode>([
  'DIGEST_MISMATCH',
  'CONTENT_DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'DIFF_ID_MISMATCH',
  'CORRUPT_LAYER',
]);

/**
 * The image, or the request for it, is bad: a reference or platform that
 * cannot be met, a document lamina refuses, bytes that are not what their
 * digest says (after one retry). Exit code 2.
 */
export class ImageError extends BaseError<ImageErrorCode> {
  readonly exitCode = 2;
}

/** Why talking to a registry did not complete. */
export type RegistryErrorCode =
  /** The registry wants credentials and none are configured for this host. */
  | 'AUTH_REQUIRED'
  /** The registry (or its token service) refused the credentials. */
  | 'AUTH_FAILED'
  /** 401/403 after authenticating. */
  | 'ACCESS_DENIED'
  /** A blob named by a verified manifest is missing from the registry. */
  | 'BLOB_NOT_FOUND'
  /** An HTTP status lamina does not retry. */
  | 'HTTP_ERROR'
  /** Transient failures (429, 5xx, resets) outlasted every retry. */
  | 'RETRIES_EXHAUSTED'
  /** A body ended early on every attempt. */
  | 'TRUNCATED'
  /** No answer, or no progress, within the time limit. */
  | 'TIMEOUT'
  /** More redirects than the limit. */
  | 'TOO_MANY_REDIRECTS'
  /** An ECR authorization token could not be obtained. */
  | 'ECR_AUTH_FAILED'
  /** The layer cache could not be written. */
  | 'CACHE_ERROR';

/** A registry (or the cache) could not complete the fetch. Exit code 3. */
export class RegistryError extends BaseError<RegistryErrorCode> {
  readonly exitCode = 3;
}

/** `DOCUMENT_TOO_LARGE`: "<what> is 5000000 bytes; the limit is 4194304". */
export function tooLarge(
  what: string,
  amount: number,
  limit: number,
  unit = 'bytes',
  verb = 'is'
): ImageError {
  return new ImageError({
    code: 'DOCUMENT_TOO_LARGE',
    message: `${what} ${verb} ${amount} ${unit}; the limit is ${limit}`,
  });
}

/**
 * Untrusted text (registry messages, annotations, tag names) made safe to
 * print: control characters and non-ASCII escaped, length bounded.
 */
export function printable(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
