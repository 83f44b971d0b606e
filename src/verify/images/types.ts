/**
 * Shared shapes of the image signature verifiers (pure: bytes in, verdicts out).
 */

/** The image manifest a signature must be about: its OCI descriptor. */
export interface ImageDescriptor {
  readonly mediaType: string;
  /** `sha256:<64 lowercase hex>`. */
  readonly digest: string;
  /** Byte length of the manifest. */
  readonly size: number;
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The 32 digest bytes of a `sha256:<hex>` digest; undefined for anything else. */
export function sha256DigestBytes(digest: string): Buffer | undefined {
  return SHA256_DIGEST.test(digest) ? Buffer.from(digest.slice(7), 'hex') : undefined;
}

/** Signature formats lamina verifies on images. */
export type ImageSignatureFormat = 'notation' | 'cosign-legacy' | 'cosign-bundle';
