/**
 * Discovery of an image's signatures: everything that claims to sign a manifest (or index)
 * digest, fetched by digest, re-hashed and handed over as bytes for the pure verifiers in
 * src/verify/images. Nothing here decides whether a signature is good.
 *
 * Where signatures live:
 * - the cosign legacy tag `sha256-<hex>.sig` (a manifest whose layers are simple-signing
 *   payloads; https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md);
 * - the OCI 1.1 referrers API, paginated with `Link: <…>; rel="next"`, and on a 404 the
 *   referrers tag schema `sha256-<hex>` (an index of referrers); distribution-spec v1.1
 *   "Listing Referrers" and "Referrers Tag Schema":
 *   https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md;
 * - in an OCI layout: index.json entries (referrer manifests, the `.sig` ref name, the
 *   `sha256-<hex>` ref name).
 *
 * Every referrer is deduplicated by manifest digest, fetched by that digest (so re-hashed),
 * must name the image as its `subject`, and its own `artifactType` (or config media type) —
 * never the listing's — decides what it is. Its signature blob is read by digest, size-capped.
 */
import {
  MEDIA_TYPES,
  SIGNATURE_MEDIA_TYPES,
  type Descriptor,
  type Digest,
  type ImageIndex,
  type ImageManifest,
} from '../../model/oci.js';
import { parseManifestOrIndex, DOCUMENT_LIMITS } from './documents.js';
import { ImageError, printable, RegistryError } from './errors.js';
import { REF_NAME, OciLayoutStore } from './layout.js';
import type { BlobStore } from './store.js';
import type { RegistryStore } from '../registry/store.js';
import { readBounded, discard } from '../registry/http.js';

/** How a signature was found. */
export type SignatureDiscoveryPath =
  'sig-tag' | 'referrers-api' | 'referrers-tag' | 'layout-index' | 'ecr-referrers';

/** Caps on discovery work: an attacker controls how many referrers there are. */
export const DISCOVERY_LIMITS = Object.freeze({
  /** Referrer manifests fetched per subject, over all paths. */
  referrers: 64,
  /** Pages of the referrers API followed. */
  pages: 16,
  /** One signature envelope or bundle blob. */
  signatureBytes: 4 * 1024 * 1024,
  /** Layers of a cosign `.sig` manifest. */
  sigLayers: 32,
});

interface Found {
  readonly via: SignatureDiscoveryPath;
  /** The referrer (or `.sig`) manifest digest, for the report. */
  readonly source: string;
}

/** A signature found for the subject, not verified. */
export type DiscoveredSignature =
  | (Found & { readonly format: 'notation'; readonly envelope: Buffer; readonly mediaType: string })
  | (Found & {
      readonly format: 'cosign-legacy';
      readonly layer: {
        readonly mediaType: string;
        readonly payload: Buffer;
        readonly annotations: Readonly<Record<string, string>>;
      };
    })
  | (Found & {
      readonly format: 'cosign-bundle';
      readonly bundle: Buffer;
      readonly mediaType: string;
    });

/** Something discovery refused or could not read; reported with the verdict. */
export interface DiscoveryProblem {
  readonly via: SignatureDiscoveryPath;
  readonly source: string;
  readonly code: string;
  readonly detail: string;
}

/** What discovery found for one subject. */
export interface SignatureDiscovery {
  readonly subject: Digest;
  readonly signatures: DiscoveredSignature[];
  readonly problems: DiscoveryProblem[];
  /** Referrers that are not signatures (SBOMs, attestations), by digest: seen and left alone. */
  readonly otherArtifacts: { digest: Digest; artifactType: string }[];
}

/** The tag a cosign legacy signature of `digest` is pushed to. */
export function sigTag(digest: Digest): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The referrers tag schema's tag for `digest`. */
export function referrersTag(digest: Digest): string {
  return digest.replace(':', '-');
}

const KNOWN_ARTIFACT_TYPES: ReadonlySet<string> = new Set([
  SIGNATURE_MEDIA_TYPES.notation,
  SIGNATURE_MEDIA_TYPES.sigstoreBundle,
]);

class Discovery {
  readonly result: SignatureDiscovery;
  private readonly seen = new Set<string>();

  constructor(
    private readonly store: BlobStore,
    readonly subject: Descriptor
  ) {
    this.result = { subject: subject.digest, signatures: [], problems: [], otherArtifacts: [] };
  }

  problem(via: SignatureDiscoveryPath, source: string, e: unknown): void {
    const code = e instanceof ImageError || e instanceof RegistryError ? e.code : 'ERROR';
    const detail = e instanceof Error ? e.message : String(e);
    this.result.problems.push({ via, source, code, detail: printable(detail, 400) });
  }

  /** False once the referrer cap is reached (recorded once). */
  private admit(via: SignatureDiscoveryPath, digest: Digest): boolean {
    if (this.seen.has(digest)) return false;
    if (this.seen.size >= DISCOVERY_LIMITS.referrers) {
      if (this.seen.size === DISCOVERY_LIMITS.referrers) {
        this.result.problems.push({
          via,
          source: digest,
          code: 'TOO_MANY_REFERRERS',
          detail: `more than ${DISCOVERY_LIMITS.referrers} referrers: the rest were not read`,
        });
        this.seen.add('(cap)');
      }
      return false;
    }
    this.seen.add(digest);
    return true;
  }

  /** One listed referrer: fetched by digest, subject checked, dispatched on its own type. */
  async referrer(via: SignatureDiscoveryPath, listed: Descriptor): Promise<void> {
    // The listing's artifactType only narrows what is fetched; the manifest's own type decides.
    if (listed.artifactType !== undefined && !KNOWN_ARTIFACT_TYPES.has(listed.artifactType)) {
      this.result.otherArtifacts.push({ digest: listed.digest, artifactType: listed.artifactType });
      return;
    }
    if (listed.mediaType !== MEDIA_TYPES.ociManifest) return;
    if (!this.admit(via, listed.digest)) return;
    try {
      const m = await this.store.manifestByDigest(listed.digest, listed);
      const doc = parseManifestOrIndex(m.bytes, listed.mediaType, `referrer ${listed.digest}`);
      if (doc.kind !== 'manifest') throw notManifest(listed.digest);
      await this.referrerManifest(via, listed.digest, doc);
    } catch (e) {
      this.problem(via, listed.digest, e);
    }
  }

  private async referrerManifest(
    via: SignatureDiscoveryPath,
    digest: Digest,
    doc: ImageManifest
  ): Promise<void> {
    const s = doc.subject;
    if (s === undefined || s.digest !== this.subject.digest || s.size !== this.subject.size) {
      throw new ImageError({
        code: 'DIGEST_MISMATCH',
        message: `referrer ${digest} names subject ${s ? `${s.digest} (${s.size} bytes)` : '(none)'}, not ${this.subject.digest} (${this.subject.size} bytes)`,
      });
    }
    const type = doc.artifactType ?? doc.config.mediaType;
    if (!KNOWN_ARTIFACT_TYPES.has(type)) {
      this.result.otherArtifacts.push({ digest, artifactType: printable(type, 100) });
      return;
    }
    const layer = doc.layers.length === 1 ? doc.layers[0] : undefined;
    if (layer === undefined) {
      throw new ImageError({
        code: 'MALFORMED_DOCUMENT',
        message: `signature manifest ${digest} has ${doc.layers.length} layers, not one signature blob`,
      });
    }
    const bytes = await this.store.readBlob(layer, DISCOVERY_LIMITS.signatureBytes);
    if (type === SIGNATURE_MEDIA_TYPES.notation) {
      this.result.signatures.push({
        format: 'notation',
        via,
        source: digest,
        envelope: bytes,
        mediaType: layer.mediaType,
      });
    } else {
      this.result.signatures.push({
        format: 'cosign-bundle',
        via,
        source: digest,
        bundle: bytes,
        mediaType: layer.mediaType,
      });
    }
  }

  /** A cosign `.sig` manifest: every simple-signing layer is one signature. */
  async sigManifest(bytes: Buffer, digest: Digest, claimed: string | undefined): Promise<void> {
    if (!this.admit('sig-tag', digest)) return;
    try {
      const doc = parseManifestOrIndex(bytes, claimed, `cosign signature manifest ${digest}`);
      if (doc.kind !== 'manifest') throw notManifest(digest);
      if (doc.layers.length > DISCOVERY_LIMITS.sigLayers) {
        throw new ImageError({
          code: 'DOCUMENT_TOO_LARGE',
          message: `cosign signature manifest ${digest} has ${doc.layers.length} layers (cap ${DISCOVERY_LIMITS.sigLayers})`,
        });
      }
      for (const layer of doc.layers) {
        if (layer.mediaType !== SIGNATURE_MEDIA_TYPES.cosignSimpleSigning) continue;
        const payload = await this.store.readBlob(layer, DISCOVERY_LIMITS.signatureBytes);
        this.result.signatures.push({
          format: 'cosign-legacy',
          via: 'sig-tag',
          source: `${digest} ${layer.digest}`,
          layer: { mediaType: layer.mediaType, payload, annotations: layer.annotations ?? {} },
        });
      }
    } catch (e) {
      this.problem('sig-tag', digest, e);
    }
  }

  async referrerIndex(via: SignatureDiscoveryPath, index: ImageIndex): Promise<void> {
    for (const d of index.manifests) await this.referrer(via, d);
  }
}

function notManifest(digest: string): ImageError {
  return new ImageError({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `referrer ${digest} is not an image manifest`,
  });
}

function isNotFound(e: unknown): boolean {
  return e instanceof ImageError && e.code === 'MANIFEST_NOT_FOUND';
}

/**
 * Every signature of `subject` (a manifest or index descriptor) in a registry repository:
 * the `.sig` tag, then the referrers API, or when it answers 404 (or fails) the referrers tag
 * schema.
 * Never throws: what could not be read is a {@link DiscoveryProblem}.
 */
export async function discoverRegistrySignatures(
  store: RegistryStore,
  subject: Descriptor
): Promise<SignatureDiscovery> {
  const d = new Discovery(store, subject);
  try {
    const m = await store.manifestByTag(sigTag(subject.digest));
    await d.sigManifest(m.bytes, m.digest, m.claimedType);
  } catch (e) {
    if (!isNotFound(e)) d.problem('sig-tag', sigTag(subject.digest), e);
  }
  let api: 'found' | 'absent' | 'failed';
  try {
    api = await listReferrersApi(store, subject.digest, d);
  } catch (e) {
    d.problem('referrers-api', subject.digest, e);
    api = 'failed';
  }
  // The spec falls back only on a 404; after a failure the tag schema may still hold
  // signatures, and more evidence read can never make a verdict pass that should fail.
  if (api !== 'found') {
    const tag = referrersTag(subject.digest);
    try {
      const m = await store.manifestByTag(tag);
      const doc = parseManifestOrIndex(m.bytes, m.claimedType, `referrers tag ${tag}`);
      if (doc.kind !== 'index') throw notManifest(tag);
      await d.referrerIndex('referrers-tag', doc);
    } catch (e) {
      if (!isNotFound(e)) d.problem('referrers-tag', tag, e);
    }
  }
  return d.result;
}

/** The referrers API, every page; `absent` when the registry answers 404 (no API). */
async function listReferrersApi(
  store: RegistryStore,
  digest: Digest,
  d: Discovery
): Promise<'found' | 'absent'> {
  const base = `/v2/${store.repository}/referrers/`;
  let path: string | undefined = `${base}${digest}`;
  for (let page = 0; path !== undefined; page++) {
    if (page >= DISCOVERY_LIMITS.pages) {
      throw new RegistryError({
        code: 'HTTP_ERROR',
        message: `referrers of ${digest}: more than ${DISCOVERY_LIMITS.pages} pages`,
      });
    }
    const res = await store.client.request(store.repository, 'GET', path, {
      accept: MEDIA_TYPES.ociIndex,
    });
    if (res.status === 404 && page === 0) {
      discard(res);
      return 'absent';
    }
    if (res.status !== 200) {
      discard(res);
      throw new RegistryError({
        code: 'HTTP_ERROR',
        message: `referrers of ${digest}: HTTP ${res.status}`,
      });
    }
    const bytes = await readBounded(res, DOCUMENT_LIMITS.manifestBytes, `referrers of ${digest}`);
    const doc = parseManifestOrIndex(bytes, MEDIA_TYPES.ociIndex, `referrers of ${digest}`);
    if (doc.kind !== 'index') throw notManifest(`referrers list of ${digest}`);
    await d.referrerIndex('referrers-api', doc);
    path = nextPage(res.headers['link'], store.client.origin, base);
  }
  return 'found';
}

/**
 * The `rel="next"` target of a Link header (RFC 8288), only if it stays on the registry's
 * origin and under this repository's referrers path; anything else ends the listing.
 */
export function nextPage(
  link: string | string[] | undefined,
  origin: string,
  base: string
): string | undefined {
  const text = Array.isArray(link) ? link.join(',') : link;
  if (text === undefined) return undefined;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(text);
  if (!m) return undefined;
  let url: URL;
  try {
    url = new URL(m[1]!, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || !url.pathname.startsWith(base)) return undefined;
  return url.pathname + url.search;
}

/**
 * Every signature of `subject` in an OCI layout: index.json entries that are referrers of it,
 * the `sha256-<hex>.sig` ref name (cosign legacy) and the `sha256-<hex>` ref name (an index of
 * referrers). Never throws.
 */
export async function discoverLayoutSignatures(
  store: OciLayoutStore,
  subject: Descriptor
): Promise<SignatureDiscovery> {
  const d = new Discovery(store, subject);
  for (const entry of store.index.manifests) {
    const name = entry.annotations?.[REF_NAME];
    try {
      if (name === sigTag(subject.digest)) {
        const m = await store.manifestByDigest(entry.digest, entry);
        await d.sigManifest(m.bytes, m.digest, m.claimedType);
      } else if (name === referrersTag(subject.digest)) {
        const m = await store.manifestByDigest(entry.digest, entry);
        const doc = parseManifestOrIndex(m.bytes, entry.mediaType, `layout ${name}`);
        if (doc.kind !== 'index') throw notManifest(name);
        await d.referrerIndex('referrers-tag', doc);
      } else if (entry.digest !== subject.digest && entry.mediaType === MEDIA_TYPES.ociManifest) {
        await layoutEntry(store, entry, d);
      }
    } catch (e) {
      d.problem('layout-index', entry.digest, e);
    }
  }
  return d.result;
}

/** A layout entry is a referrer of the subject only if its manifest says so. */
async function layoutEntry(store: OciLayoutStore, entry: Descriptor, d: Discovery): Promise<void> {
  const m = await store.manifestByDigest(entry.digest, entry);
  const doc = parseManifestOrIndex(m.bytes, entry.mediaType, `layout entry ${entry.digest}`);
  if (doc.kind !== 'manifest' || doc.subject?.digest !== d.subject.digest) return;
  await d.referrer('layout-index', entry);
}

/** Signatures from any store: a registry repository or an OCI layout. */
export function discoverSignatures(
  store: RegistryStore | OciLayoutStore,
  subject: Descriptor
): Promise<SignatureDiscovery> {
  return store instanceof OciLayoutStore
    ? discoverLayoutSignatures(store, subject)
    : discoverRegistrySignatures(store, subject);
}
