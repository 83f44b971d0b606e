import type { TarEntry } from './tarwriter.d.mts';

export const MT: Readonly<{
  ociManifest: string;
  ociIndex: string;
  ociConfig: string;
  ociLayer: string;
  ociLayerGzip: string;
  dockerManifest: string;
  dockerManifestList: string;
  dockerConfig: string;
  dockerLayerGzip: string;
}>;

export const REF_NAME: string;

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  [key: string]: unknown;
}

export interface Layer {
  /** The uncompressed tar. */
  tar: Buffer;
  /** The stored bytes (tar or gzip). */
  blob: Buffer;
  diffId: string;
  descriptor: OciDescriptor;
}

export interface Document {
  bytes: Buffer;
  descriptor: OciDescriptor;
}

export interface Image {
  manifest: Document;
  config: Document;
  /** digest → bytes of the config and every layer blob */
  blobs: Map<string, Buffer>;
}

export function sha256(bytes: Buffer): string;
export function jsonBytes(value: unknown): Buffer;
export function descriptor(
  mediaType: string,
  bytes: Buffer,
  extra?: Partial<OciDescriptor>
): OciDescriptor;
export function makeLayer(
  entriesOrTar: TarEntry[] | Buffer,
  options?: { compression?: 'gzip' | 'none'; docker?: boolean }
): Layer;
export function makeImage(options: {
  layers: Layer[];
  platform?: { os: string; architecture: string; variant?: string };
  config?: Record<string, unknown>;
  created?: string;
  history?: unknown[];
  docker?: boolean;
  annotations?: Record<string, string>;
}): Image;
export function makeIndex(
  manifests: OciDescriptor[],
  options?: { docker?: boolean; annotations?: Record<string, string> }
): Document;
export function writeLayout(
  dir: string,
  layout: { blobs: Map<string, Buffer>; entries: OciDescriptor[] }
): void;
export function readLayout(dir: string): {
  index: { manifests: OciDescriptor[] };
  blob: (digest: string) => Buffer;
};
export function writeDockerArchive(
  file: string,
  archive: { config: Buffer; layers: Buffer[]; repoTags?: string[] }
): Buffer;
export function pushImage(
  registry: string,
  repository: string,
  image: {
    blobs: Map<string, Buffer>;
    manifests: { reference: string; mediaType: string; bytes: Buffer }[];
  },
  options?: { headers?: Record<string, string> }
): Promise<void>;
export function pushLayout(
  dir: string,
  ref: string,
  registry: string,
  repository: string,
  tag: string,
  options?: { headers?: Record<string, string> }
): Promise<string>;

/** Tar a directory deterministically (sorted, mtime 0, symlinks kept as links), e.g. a layout as a docker-archive. */
export function tarDirectory(dir: string): Buffer;
