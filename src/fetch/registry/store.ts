import type { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../../model/oci.js';
import { claimedType } from '../image/documents.js';
import { ImageError, printable } from '../image/errors.js';
import type { BlobStore, ManifestBytes } from '../image/store.js';
import type { RegistryClient } from './client.js';

/** One repository of a registry as a {@link BlobStore}. */
export class RegistryStore implements BlobStore {
  readonly remote = true;
  readonly description: string;

  constructor(
    readonly client: RegistryClient,
    readonly repository: string
  ) {
    this.description = `${client.host}/${repository}`;
  }

  /** The manifest or index a tag points at now; its digest is the hash of the bytes. */
  async manifestByTag(tag: string): Promise<ManifestBytes> {
    const m = await this.client.getManifest(this.repository, { tag });
    return { bytes: m.bytes, digest: m.digest, claimedType: m.contentType };
  }

  async manifestByDigest(digest: Digest, descriptor?: Descriptor): Promise<ManifestBytes> {
    const m = await this.client.getManifest(this.repository, { digest }, descriptor);
    const served = claimedType(m.contentType);
    if (descriptor && served !== undefined && served !== descriptor.mediaType) {
      throw new ImageError({
        code: 'AMBIGUOUS_DOCUMENT',
        message: `${this.description}@${digest} is listed as ${printable(descriptor.mediaType, 100)} but served as ${printable(served, 100)}`,
      });
    }
    return {
      bytes: m.bytes,
      digest: m.digest,
      claimedType: descriptor?.mediaType ?? m.contentType,
    };
  }

  readBlob(descriptor: Descriptor, max: number): Promise<Buffer> {
    return this.client.readBlob(this.repository, descriptor, max);
  }

  openBlob(descriptor: Descriptor): Promise<Readable> {
    return this.client.openBlob(this.repository, descriptor);
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}
