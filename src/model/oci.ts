/**
 * Types of the OCI image format as lamina uses them once they have been
 * verified and parsed (OCI image-spec v1.1:
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/spec.md), and of the
 * Docker image manifest v2 schema 2 it mirrors
 * (https://distribution.github.io/distribution/spec/manifest-v2-2/).
 * Pure types and constants: every stage may import them.
 */

/** A content digest, always `sha256:` and 64 lowercase hex digits in lamina. */
export type Digest = `sha256:${string}`;

export const MEDIA_TYPES = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker schema 1 (signed and unsigned): refused. */
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
});

/** How a layer's bytes are compressed on the wire or on disk. */
export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** A content descriptor (image-spec `descriptor.md`), validated. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Readonly<Record<string, string>>;
  platform?: Platform;
  artifactType?: string;
}

/** A platform (image-spec `image-index.md` `platform`), with lamina's normalisation applied. */
export interface Platform {
  os: string;
  architecture: string;
  /** Normalised: `v8` for arm64 and `v7` for arm when absent; otherwise as given or absent. */
  variant?: string;
}

/** An image manifest (OCI or Docker schema 2), validated. */
export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: readonly Descriptor[];
  annotations?: Readonly<Record<string, string>>;
  subject?: Descriptor;
  /** OCI 1.1 artifact manifests: what the artifact is (a signature, an SBOM…). */
  artifactType?: string;
}

/** An image index (OCI) or manifest list (Docker), validated. */
export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: readonly Descriptor[];
  annotations?: Readonly<Record<string, string>>;
}

/** The fields of an image configuration lamina relies on, validated. */
export interface ImageConfig {
  platform: Platform;
  /** `rootfs.diff_ids`: the sha256 of each layer's uncompressed tar, in order. */
  diffIds: readonly Digest[];
  /** `config.Env`, `Entrypoint`, `Cmd`, `WorkingDir`, `User`, `Labels` when present. */
  env?: readonly string[];
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  workingDir?: string;
  user?: string;
  labels?: Readonly<Record<string, string>>;
  created?: string;
}

/** One layer of a resolved image: its transport descriptor and its content identity. */
export interface ImageLayer {
  /** 0-based position in the manifest (lowest layer first). */
  index: number;
  /** Digest of the bytes as stored (compressed). */
  digest: Digest;
  /** Size in bytes of the stored (compressed) blob. */
  size: number;
  mediaType: string;
  compression: LayerCompression;
  /** Digest of the uncompressed tar (`rootfs.diff_ids[index]`). */
  diffId: Digest;
}

/** Artifact and blob media types of the image signatures lamina discovers. */
export const SIGNATURE_MEDIA_TYPES = Object.freeze({
  /** Notary Project signature manifests (`artifactType`, or the config type of older ones). */
  notation: 'application/vnd.cncf.notary.signature',
  notationJws: 'application/jose+json',
  notationCose: 'application/cose',
  /** cosign bundle referrers (artifact type and blob type). */
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  /** Layers of a cosign legacy `.sig` manifest. */
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
});
