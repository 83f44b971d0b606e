/**
 * Test helper: the documents signature discovery reads, built from bytes: a referrer manifest
 * (Notation or Sigstore bundle) with a `subject`, a cosign `.sig` manifest, and an index of
 * referrers (the tag schema's, or a referrers API page).
 */
import { createHash } from 'node:crypto';
import { MEDIA_TYPES, SIGNATURE_MEDIA_TYPES } from '../../../model/oci.js';

export interface Doc {
  bytes: Buffer;
  descriptor: { mediaType: string; digest: string; size: number; artifactType?: string };
  /** Blobs the document names, by digest. */
  blobs: Map<string, Buffer>;
}

export const digestOf = (b: Buffer): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

const EMPTY = Buffer.from('{}');
const EMPTY_DESC = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: digestOf(EMPTY),
  size: 2,
};

/** An OCI 1.1 referrer: `artifactType`, empty config, one blob, `subject`. */
export function referrerManifest(o: {
  subject: { mediaType: string; digest: string; size: number };
  artifactType: string;
  blobMediaType: string;
  blob: Buffer;
  /** Leave `artifactType` out and put it in the config media type (older Notation). */
  typeInConfig?: boolean;
}): Doc {
  const layer = { mediaType: o.blobMediaType, digest: digestOf(o.blob), size: o.blob.length };
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    ...(o.typeInConfig ? {} : { artifactType: o.artifactType }),
    config: o.typeInConfig ? { ...EMPTY_DESC, mediaType: o.artifactType } : EMPTY_DESC,
    layers: [layer],
    subject: o.subject,
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return {
    bytes,
    descriptor: {
      mediaType: MEDIA_TYPES.ociManifest,
      digest: digestOf(bytes),
      size: bytes.length,
      artifactType: o.artifactType,
    },
    blobs: new Map([
      [EMPTY_DESC.digest, EMPTY],
      [layer.digest, o.blob],
    ]),
  };
}

/** A Notation JWS referrer of `subject`. */
export const notationReferrer = (
  subject: { mediaType: string; digest: string; size: number },
  envelope: Buffer,
  mediaType: string = SIGNATURE_MEDIA_TYPES.notationJws
): Doc =>
  referrerManifest({
    subject,
    artifactType: SIGNATURE_MEDIA_TYPES.notation,
    blobMediaType: mediaType,
    blob: envelope,
  });

/** A cosign `.sig` manifest: one simple-signing layer per signature. */
export function sigManifest(
  layers: { payload: Buffer; annotations: Record<string, string> }[]
): Doc {
  const config = Buffer.from(
    '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'
  );
  const configDesc = {
    mediaType: MEDIA_TYPES.ociConfig,
    digest: digestOf(config),
    size: config.length,
  };
  const blobs = new Map<string, Buffer>([[configDesc.digest, config]]);
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: configDesc,
    layers: layers.map((l) => {
      blobs.set(digestOf(l.payload), l.payload);
      return {
        mediaType: SIGNATURE_MEDIA_TYPES.cosignSimpleSigning,
        digest: digestOf(l.payload),
        size: l.payload.length,
        annotations: l.annotations,
      };
    }),
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return {
    bytes,
    descriptor: { mediaType: MEDIA_TYPES.ociManifest, digest: digestOf(bytes), size: bytes.length },
    blobs,
  };
}

/** An index of referrer descriptors (the referrers tag schema's document). */
export function referrersIndex(descriptors: Doc['descriptor'][]): Buffer {
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: descriptors })
  );
}
