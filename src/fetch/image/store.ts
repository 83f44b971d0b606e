import type { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../../model/oci.js';

/** Manifest or index bytes whose digest has been established (and checked where one was asked for). */
export interface ManifestBytes {
  bytes: Buffer;
  digest: Digest;
  /** What the transport says the document is (Content-Type, or the referring descriptor's mediaType). */
  claimedType: string | undefined;
}

/**
 * Where an image's manifests and blobs come from: an OCI layout directory or a
 * registry repository. Every method either returns verified bytes or throws
 * an `ImageError`; `openBlob` alone returns raw bytes, which the caller hashes
 * and counts (layers are too large to hold).
 */
export interface BlobStore {
  /** For messages: `oci:DIR`, `HOST/REPO`. */
  readonly description: string;
  /** True when bytes cross a network (integrity failures are then retried once). */
  readonly remote: boolean;
  /** A manifest or index by digest; with `descriptor`, its size and media type are checked too. */
  manifestByDigest(digest: Digest, descriptor?: Descriptor): Promise<ManifestBytes>;
  /** A small blob (a config) read whole, at most `max` bytes, verified against the descriptor. */
  readBlob(descriptor: Descriptor, max: number): Promise<Buffer>;
  /** A blob's raw byte stream (unverified). */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  close(): Promise<void>;
}
