/**
 * ECR repositories of an estate: each image is an OCI image layout read once while the estate
 * loads (the bytes Lambda and ECR describe are the bytes the registry serves), with the facts
 * ECR reports derived from the real documents: digest, media type, size, tags, push order.
 * An index's child manifests are images of their own (untagged), as ECR lists them.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One manifest or index, its bytes exactly as pushed. */
export interface StoredManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  artifactType: string | undefined;
  /** `subject.digest` of a referrer (a signature, an attestation). */
  subject: string | undefined;
  annotations: Record<string, string> | undefined;
  /** Child manifests of an index: digest and platform. */
  children: { digest: string; mediaType: string; architecture?: string; os?: string }[];
  /** Config and layer descriptors of an image manifest. */
  blobs: { digest: string; mediaType: string; size: number }[];
}

/** One image of a repository, in push order. */
export interface EcrImage {
  digest: string;
  manifest: StoredManifest;
  tags: string[];
  pushedAt: Date;
  archived: boolean;
  /** Sum of the config and layer sizes (for an index: of every child). */
  sizeInBytes: number;
  /** The index this image came in with (a child manifest), if any. */
  parent: string | undefined;
  /** The image config's architecture (`amd64`, `arm64`), for image manifests. */
  architecture: string | undefined;
}

export interface EcrRepository {
  name: string;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  createdAt: Date;
  sharedWith: string[];
  /** Push order; an index's children come right after it. */
  images: EcrImage[];
  /** Blob files by digest (read when pushed or served). */
  blobPaths: Map<string, string>;
  /** Every tag push in order, for what a tag named at a given time. */
  tagHistory: { tag: string; digest: string; pushedAt: Date }[];
}

/** The raw estate entry (after schema validation). */
export interface RawImage {
  layout: string;
  ref: string | undefined;
  tags: string[];
  pushedAt: Date;
  archived: boolean;
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  artifactType?: string;
  platform?: { architecture?: string; os?: string };
  annotations?: Record<string, string>;
}
interface Document {
  mediaType?: string;
  artifactType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

const isImageConfig = (t: string): boolean =>
  t === 'application/vnd.oci.image.config.v1+json' ||
  t === 'application/vnd.docker.container.image.v1+json';

function blobPath(dir: string, digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`${digest}: not a sha256 digest`);
  return join(dir, 'blobs', 'sha256', m[1]!);
}

function readManifest(dir: string, d: Descriptor): StoredManifest {
  const digest = d.digest ?? '';
  const bytes = readFileSync(blobPath(dir, digest));
  if (sha256(bytes) !== digest) throw new Error(`${digest} in ${dir} does not hash to its name`);
  const doc = JSON.parse(bytes.toString('utf8')) as Document;
  const mediaType = doc.mediaType ?? d.mediaType ?? '';
  return {
    digest,
    mediaType,
    bytes,
    artifactType:
      doc.artifactType ??
      (doc.config?.mediaType !== undefined && !isImageConfig(doc.config.mediaType)
        ? doc.config.mediaType
        : undefined),
    subject: doc.subject?.digest,
    annotations: doc.annotations,
    children: INDEX_TYPES.has(mediaType)
      ? (doc.manifests ?? []).map((c) => ({
          digest: c.digest ?? '',
          mediaType: c.mediaType ?? '',
          ...(c.platform?.architecture ? { architecture: c.platform.architecture } : {}),
          ...(c.platform?.os ? { os: c.platform.os } : {}),
        }))
      : [],
    blobs: INDEX_TYPES.has(mediaType)
      ? []
      : [doc.config, ...(doc.layers ?? [])]
          .filter((x): x is Descriptor => x !== undefined)
          .map((x) => ({
            digest: x.digest ?? '',
            mediaType: x.mediaType ?? '',
            size: x.size ?? 0,
          })),
  };
}

/**
 * Reads one image (and, for an index, its children) out of an OCI layout into `repo`.
 * @throws Error with a message naming what is wrong; the loader adds the field
 */
export function addLayoutImage(repo: EcrRepository, baseDir: string, raw: RawImage): void {
  const dir = resolve(baseDir, raw.layout);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`no such OCI layout directory: ${dir}`);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Document;
  const entries = (index.manifests ?? []).filter(
    (e) => raw.ref === undefined || e.annotations?.['org.opencontainers.image.ref.name'] === raw.ref
  );
  if (entries.length !== 1)
    throw new Error(
      `${dir}/index.json has ${entries.length} entries${raw.ref === undefined ? '' : ` named ${raw.ref}`}; name exactly one with ref`
    );
  const root = readManifest(dir, entries[0]!);
  const add = (m: StoredManifest, tags: string[], parent: string | undefined): EcrImage => {
    for (const b of m.blobs) repo.blobPaths.set(b.digest, blobPath(dir, b.digest));
    let architecture: string | undefined;
    const config = m.blobs[0];
    if (config && isImageConfig(config.mediaType)) {
      const doc = JSON.parse(readFileSync(blobPath(dir, config.digest), 'utf8')) as {
        architecture?: string;
      };
      architecture = doc.architecture;
    }
    const image: EcrImage = {
      digest: m.digest,
      manifest: m,
      tags,
      pushedAt: raw.pushedAt,
      archived: raw.archived,
      sizeInBytes: m.blobs.reduce((n, b) => n + b.size, 0),
      parent,
      architecture,
    };
    return image;
  };
  const top = add(root, raw.tags, undefined);
  repo.images.push(top);
  for (const c of root.children) {
    const child = add(readManifest(dir, c), [], root.digest);
    top.sizeInBytes += child.sizeInBytes;
    repo.images.push(child);
  }
  for (const tag of raw.tags)
    repo.tagHistory.push({ tag, digest: root.digest, pushedAt: raw.pushedAt });
  // A tag names one image: pushing it again moves it.
  for (const other of repo.images)
    if (other !== top) other.tags = other.tags.filter((t) => !raw.tags.includes(t));
}

/**
 * The digest `tag` named at `when`: the newest push of it not after `when` (a function deployed
 * by tag runs what the tag named then, not what it names now).
 */
export function digestForTagAt(repo: EcrRepository, tag: string, when: Date): string | undefined {
  let found: string | undefined;
  for (const p of repo.tagHistory)
    if (p.tag === tag && p.pushedAt.getTime() <= when.getTime()) found = p.digest;
  return found ?? repo.tagHistory.find((p) => p.tag === tag)?.digest;
}
