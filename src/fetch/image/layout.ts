/**
 * OCI image layout directories
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md):
 * `oci-layout`, `index.json`, `blobs/sha256/<hex>`. Every blob is re-hashed
 * when read, like a download; a blob whose real path leaves the layout
 * directory (a symlink out of it) is refused, and so is anything that is not
 * a regular file.
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { MEDIA_TYPES, type Descriptor, type Digest, type ImageIndex } from '../../model/oci.js';
import { DOCUMENT_LIMITS, parseManifestOrIndex, verifyBlob, verifyDigest } from './documents.js';
import { ImageError, printable, tooLarge } from './errors.js';
import type { BlobStore, ManifestBytes } from './store.js';

/** The annotation naming an index.json entry (its "tag"). */
export const REF_NAME = 'org.opencontainers.image.ref.name';

export class OciLayoutStore implements BlobStore {
  readonly remote = false;
  readonly description: string;

  private constructor(
    private readonly root: string,
    /** The verified, parsed index.json. */
    readonly index: ImageIndex,
    dir: string
  ) {
    this.description = `oci:${dir}`;
  }

  /** Opens a layout: `oci-layout` must say version 1.x, `index.json` must be an index. */
  static async open(dir: string): Promise<OciLayoutStore> {
    let root: string;
    try {
      root = await realpath(dir);
    } catch {
      throw new ImageError({
        code: 'LAYOUT_INVALID',
        message: `oci:${printable(dir, 200)}: no such directory`,
      });
    }
    const marker = await readInside(root, 'oci-layout', 4096, dir);
    let version: unknown;
    try {
      version = (JSON.parse(marker.toString('utf8')) as { imageLayoutVersion?: unknown })
        .imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
      throw new ImageError({
        code: 'LAYOUT_INVALID',
        message: `oci:${printable(dir, 200)}: oci-layout does not declare imageLayoutVersion 1.x`,
      });
    }
    const indexBytes = await readInside(root, 'index.json', DOCUMENT_LIMITS.manifestBytes, dir);
    const index = parseManifestOrIndex(indexBytes, MEDIA_TYPES.ociIndex, `oci:${dir} index.json`);
    if (index.kind !== 'index') {
      throw new ImageError({
        code: 'LAYOUT_INVALID',
        message: `oci:${printable(dir, 200)}: index.json is not an index`,
      });
    }
    return new OciLayoutStore(root, index, dir);
  }

  /** index.json entries carrying `ref` as their ref name. */
  entriesNamed(ref: string): Descriptor[] {
    return this.index.manifests.filter((d) => d.annotations?.[REF_NAME] === ref);
  }

  /** Every ref name of index.json, sorted, for messages. */
  refNames(): string[] {
    return [
      ...new Set(this.index.manifests.flatMap((d) => d.annotations?.[REF_NAME] ?? [])),
    ].sort();
  }

  async manifestByDigest(digest: Digest, descriptor?: Descriptor): Promise<ManifestBytes> {
    const listed = descriptor ?? this.index.manifests.find((d) => d.digest === digest);
    const what = `${this.description} manifest ${digest}`;
    const bytes = await this.readBlobFile(
      digest,
      DOCUMENT_LIMITS.manifestBytes,
      what,
      'MANIFEST_NOT_FOUND'
    );
    if (listed) verifyBlob(bytes, listed, what);
    else verifyDigest(bytes, digest, what);
    return { bytes, digest, claimedType: listed?.mediaType };
  }

  async readBlob(descriptor: Descriptor, max: number): Promise<Buffer> {
    const what = `${this.description} blob ${descriptor.digest}`;
    if (descriptor.size > max) {
      throw tooLarge(what, descriptor.size, max);
    }
    const bytes = await this.readBlobFile(descriptor.digest, max, what, 'LAYOUT_INVALID');
    verifyBlob(bytes, descriptor, what);
    return bytes;
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const what = `${this.description} blob ${descriptor.digest}`;
    const fh = await openInside(this.root, blobPath(descriptor.digest), what, 'LAYOUT_INVALID');
    const st = await fh.stat();
    if (st.size !== descriptor.size) {
      await fh.close();
      throw new ImageError({
        code: 'SIZE_MISMATCH',
        message: `${what}: file has ${st.size} bytes, descriptor says ${descriptor.size}`,
      });
    }
    return fh.createReadStream({ autoClose: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async readBlobFile(
    digest: Digest,
    max: number,
    what: string,
    missing: 'MANIFEST_NOT_FOUND' | 'LAYOUT_INVALID'
  ): Promise<Buffer> {
    const fh = await openInside(this.root, blobPath(digest), what, missing);
    try {
      return await readHandle(fh, max, what);
    } finally {
      await fh.close();
    }
  }
}

function blobPath(digest: Digest): string {
  return join('blobs', 'sha256', digest.slice('sha256:'.length));
}

/**
 * Opens `rel` under `root` only if its real path stays inside `root` and it
 * is a regular file. O_NOFOLLOW closes the window between realpath and open;
 * O_NONBLOCK keeps a FIFO planted in the layout from blocking the open until
 * a writer comes (it is then refused as not a regular file).
 */
async function openInside(
  root: string,
  rel: string,
  what: string,
  missing: 'MANIFEST_NOT_FOUND' | 'LAYOUT_INVALID'
): Promise<FileHandle> {
  let real: string;
  try {
    real = await realpath(join(root, rel));
  } catch {
    throw new ImageError({
      code: missing,
      message: `${what}: ${rel} does not exist in the layout`,
    });
  }
  if (!real.startsWith(root + sep)) {
    throw new ImageError({
      code: 'LAYOUT_INVALID',
      message: `${what}: ${rel} is a link out of the layout directory`,
    });
  }
  let fh: FileHandle;
  try {
    fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new ImageError({
      code: 'LAYOUT_INVALID',
      message: `${what}: cannot open ${rel} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new ImageError({
      code: 'LAYOUT_INVALID',
      message: `${what}: ${rel} is not a regular file`,
    });
  }
  return fh;
}

async function readInside(root: string, rel: string, max: number, dir: string): Promise<Buffer> {
  const what = `oci:${printable(dir, 200)} ${rel}`;
  const fh = await openInside(root, rel, what, 'LAYOUT_INVALID');
  try {
    return await readHandle(fh, max, what);
  } finally {
    await fh.close();
  }
}

async function readHandle(fh: FileHandle, max: number, what: string): Promise<Buffer> {
  const st = await fh.stat();
  if (st.size > max) {
    throw tooLarge(what, st.size, max);
  }
  // Read one byte past the size: a file growing under us is not read silently in part.
  const buf = Buffer.alloc(st.size + 1);
  let n = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
    if (bytesRead === 0) break;
    n += bytesRead;
    if (n > st.size) {
      throw new ImageError({ code: 'LAYOUT_INVALID', message: `${what} changed while being read` });
    }
  }
  return buf.subarray(0, n);
}
