/**
 * Image use cases: verify a container image against the policy's `images:` rules, the
 * pre-publish gate for an image, and the pin for an image. The image is resolved (one platform,
 * every document re-hashed), its signatures discovered (src/fetch/image/signatures.ts), indexes
 * named by index pins fetched and checked, and everything handed to the pure image verifier;
 * AWS Signer signatures get GetRevocationStatus through the SDK.
 */
import { UsageError } from '../errors.js';
import { ClientFactory } from '../fetch/aws/clients.js';
import { revocationStatusCall } from '../fetch/aws/signer.js';
import { parseManifestOrIndex } from '../fetch/image/documents.js';
import type { ResolvedImage } from '../fetch/image/handle.js';
import { OciLayoutStore } from '../fetch/image/layout.js';
import { formatPlatform } from '../fetch/image/platform.js';
import { classifyImageInput, type ImageReference } from '../fetch/image/reference.js';
import {
  discoverSignatures,
  type DiscoveredSignature,
  type SignatureDiscovery,
} from '../fetch/image/signatures.js';
import type { RegistryFlags } from '../fetch/registry/options.js';
import { RegistryStore } from '../fetch/registry/store.js';
import { RETRY } from '../fetch/retry.js';
import type { Descriptor, Digest } from '../model/oci.js';
import { writeFileAtomic } from '../util/fs.js';
import { verifyImage, type ImageEvidence } from '../verify/image.js';
import type { FoundImageSignature } from '../verify/images/signers.js';
import type { GetRevocationStatusFn } from '../verify/images/notation/aws-signer.js';
import type { ImageDescriptor } from '../verify/images/types.js';
import { readPolicyBytes } from '../verify/policy/load.js';
import { describeUndecided, selectRule } from '../verify/policy/match.js';
import type { ImagePin, LoadedPolicy } from '../verify/policy/types.js';
import { addImagePinToPolicyText } from '../verify/policy/write-pin.js';
import { resolvePolicy } from './evidence.js';
import {
  inventoryHandle,
  openRegistryRepository,
  resolveImageReference,
  type ResolvedImageReference,
} from './image.js';
import type { AwsAccessOptions, LimitOptions, PolicyInput } from './options.js';
import type { VerifyOutcome } from './verify-outcome.js';

/** Where an image comes from, as the IMAGE_SOURCE flags say. */
export interface ImageSourceOptions {
  /** The image reference: `oci:DIR[:REF|@DIGEST]`, a layout directory, or `HOST/REPO[:TAG][@DIGEST]`. */
  image: string;
  /** `--platform os/arch[/variant]` (default linux/amd64 from an index). */
  platform?: string;
  /** `--registry-auth`, `--insecure-registry`. */
  registry?: RegistryFlags;
}

/** Facts an image rule may match on, besides the repository of a registry reference. */
export interface ImageFacts {
  /** The repository (`host/repo`) a layout or archive will be pushed to; registry references carry their own. */
  repository?: string;
  function?: string;
  account?: string;
  region?: string;
}

/** Options for {@link verifyImageInput}. */
export interface VerifyImageInputOptions
  extends ImageSourceOptions, AwsAccessOptions, LimitOptions {
  policy: PolicyInput;
  facts?: ImageFacts;
  /** `gate`: the image is new, pins are not checked. */
  skipPins?: boolean;
  now?: Date;
}

export { isImageInput } from './image.js';

/** Everything gathered about one image, and the store its documents came from. */
interface Gathered {
  evidence: ImageEvidence;
  image: ResolvedImage;
  notes: VerifyOutcome['notes'];
}

/**
 * Resolves the image (one platform, verified documents; ECR tokens through the AWS flags) and
 * keeps it open: the caller reads what it needs of this one manifest, then closes it.
 */
async function openImageForVerify(source: ImageSourceOptions & AwsAccessOptions): Promise<{
  resolved: ResolvedImageReference;
  reference: ImageReference;
}> {
  const reference = await classifyImageInput(source.image);
  const resolved = await resolveImageReference(source.image, {
    ...source,
    ...(source.registry ?? {}),
  });
  return { resolved, reference };
}

/** A store to discover signatures and fetch pinned indexes in: the layout, or the repository. */
async function openStore(
  reference: ImageReference,
  source: ImageSourceOptions & AwsAccessOptions
): Promise<{ store: OciLayoutStore | RegistryStore; close(): Promise<void> }> {
  if (reference.transport === 'oci') {
    const store = await OciLayoutStore.open(reference.dir);
    return { store, close: () => store.close() };
  }
  if (reference.transport === 'registry') {
    // As the image was resolved: ECR tokens through the AWS flags.
    return openRegistryRepository(reference.registry, reference.repository, {
      ...source,
      ...(source.registry ?? {}),
    });
  }
  throw new UsageError({
    code: 'BAD_INPUT',
    message: `${source.image}: a docker-archive has no manifest digest to pin or sign; verify the image from a registry or an OCI layout`,
  });
}

function found(d: SignatureDiscovery, subject: ImageDescriptor): FoundImageSignature[] {
  return d.signatures.map((s: DiscoveredSignature): FoundImageSignature => {
    const base = { source: s.source, via: s.via, subject };
    switch (s.format) {
      case 'notation':
        return { ...base, format: 'notation', envelope: s.envelope, mediaType: s.mediaType };
      case 'cosign-bundle':
        return { ...base, format: 'cosign-bundle', bundle: s.bundle, mediaType: s.mediaType };
      case 'cosign-legacy':
        return { ...base, format: 'cosign-legacy', layer: s.layer };
    }
  });
}

/** Every `pins[].index` of the policy's image rules: indexes to fetch and look the manifest up in. */
function pinnedIndexes(policy: LoadedPolicy): string[] {
  const out = new Set<string>();
  for (const r of policy.policy.images ?? [])
    for (const p of r.pins ?? []) if (p.index) out.add(p.index);
  return [...out].sort();
}

async function gatherImage(
  options: ImageSourceOptions &
    AwsAccessOptions &
    LimitOptions & { facts?: ImageFacts | undefined },
  policy: LoadedPolicy
): Promise<Gathered> {
  // Resolved once: the documents verified, the layers inventoried and the signatures looked up
  // are all of this one manifest, even if a tag moves meanwhile.
  const { resolved, reference } = await openImageForVerify(options);
  try {
    const { image } = resolved;
    const opened = await openStore(reference, options);
    let gathered: Awaited<ReturnType<typeof gatherImageEvidence>>;
    try {
      const repository =
        reference.transport === 'registry'
          ? `${reference.registry}/${reference.repository}`
          : options.facts?.repository;
      const facts = options.facts ?? {};
      gathered = await gatherImageEvidence(image, opened.store, policy, {
        name: options.image,
        ...(repository !== undefined ? { repository } : {}),
        ...(facts.function !== undefined ? { function: facts.function } : {}),
        ...(facts.account !== undefined ? { account: facts.account } : {}),
        ...(facts.region !== undefined ? { region: facts.region } : {}),
        ...(reference.transport === 'registry' && reference.digest === undefined
          ? { tag: reference.tag ?? 'latest' }
          : {}),
      });
    } finally {
      await opened.close();
    }
    // Only when a rule could ask for it: inventorying brings every layer in. A layer that cannot
    // be read or is refused throws: the verification does not complete rather than pass.
    const inventory = needsImageInventory(policy)
      ? (
          await inventoryHandle(resolved.handle, {
            ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
            ...(options.limits !== undefined ? { limits: options.limits } : {}),
          })
        ).inventory
      : undefined;
    return {
      evidence: { ...gathered.evidence, name: image.name, ...(inventory ? { inventory } : {}) },
      image,
      notes: gathered.notes,
    };
  } finally {
    await resolved.close();
  }
}

/** Whether any `images` rule has packages, licenses or inventory rules (they need the inventory). */
export function needsImageInventory(policy: LoadedPolicy): boolean {
  return (policy.policy.images ?? []).some(
    (r) => r.packages !== undefined || r.licenses !== undefined || r.inventory !== undefined
  );
}

/** The facts of an image's evidence that come from where it was named, not from its documents. */
export type NamedImageFacts = Pick<
  ImageEvidence,
  | 'name'
  | 'repository'
  | 'function'
  | 'functionArn'
  | 'account'
  | 'region'
  | 'tag'
  | 'immutableTags'
>;

/**
 * Everything verification needs about a resolved image, read from `store` (its layout or
 * repository): indexes named by index pins (re-hashed, and listing the manifest), and the
 * signatures of the manifest and of the index it was chosen from.
 * @throws UsageError for an image without a manifest (a docker-archive); what the store throws
 *   while reading the image's own index
 */
export async function gatherImageEvidence(
  image: ResolvedImage,
  store: OciLayoutStore | RegistryStore,
  policy: LoadedPolicy,
  facts: NamedImageFacts
): Promise<{ evidence: ImageEvidence; notes: VerifyOutcome['notes'] }> {
  if (
    image.manifestDigest === undefined ||
    image.manifestBytes === undefined ||
    image.manifestMediaType === undefined
  ) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${facts.name}: a docker-archive has no manifest digest to pin or sign; verify the image from a registry or an OCI layout`,
    });
  }
  const manifest: Descriptor = {
    mediaType: image.manifestMediaType,
    digest: image.manifestDigest,
    size: image.manifestBytes.length,
  };
  const notes: VerifyOutcome['notes'] = [];
  const listedIn: string[] = [];
  let index: Descriptor | undefined;
  // Indexes are re-fetched by digest (re-hashed) and must list the manifest themselves.
  const lists = async (digest: Digest): Promise<Descriptor | undefined> => {
    const m = await store.manifestByDigest(digest);
    const doc = parseManifestOrIndex(m.bytes, m.claimedType, `index ${digest}`);
    if (doc.kind !== 'index') return undefined;
    if (doc.manifests.some((d) => d.digest === manifest.digest)) listedIn.push(digest);
    return { mediaType: doc.mediaType, digest, size: m.bytes.length };
  };
  if (image.indexDigest !== undefined) index = await lists(image.indexDigest);
  for (const digest of pinnedIndexes(policy) as Digest[]) {
    if (digest === image.indexDigest) continue;
    try {
      await lists(digest);
    } catch (e) {
      notes.push({
        kind: 'unread',
        scope: 'pinned index',
        subject: digest,
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }
  const onManifest = await discoverSignatures(store, manifest);
  const onIndex = index ? await discoverSignatures(store, index) : undefined;
  const problems = [...onManifest.problems, ...(onIndex?.problems ?? [])].map(
    (p) => `${p.via} ${p.source}: ${p.code}: ${p.detail}`
  );
  const evidence: ImageEvidence = {
    ...facts,
    manifest,
    platform: formatPlatform(image.platform),
    ...(index ? { index } : {}),
    listedIn,
    signatures: {
      manifest: found(onManifest, manifest),
      index: onIndex && index ? found(onIndex, index) : [],
    },
    discoveryProblems: problems,
  };
  return { evidence, notes };
}

/** Whether any anchor an image rule names needs GetRevocationStatus. */
export function needsRevocation(policy: LoadedPolicy): boolean {
  return (policy.policy.images ?? []).some(
    (r) =>
      r.revocation !== 'skip' &&
      (r.signers?.anyOf ?? []).some((n) => policy.policy.anchors?.[n]?.kind === 'aws-signer')
  );
}

/**
 * Verify one image against the policy: pins, tags, signatures (every format, both discovery
 * paths), revocation of AWS Signer signatures, and the inventory rules.
 * @throws UsageError, ImageError, RegistryError, PolicyError for inputs that cannot be used
 */
export async function verifyImageInput(options: VerifyImageInputOptions): Promise<VerifyOutcome> {
  const policy = resolvePolicy(options.policy);
  const { evidence, notes } = await gatherImage(options, policy);
  const factory = needsRevocation(policy) ? new ClientFactory(options.aws ?? {}) : undefined;
  try {
    const getRevocationStatus: GetRevocationStatusFn | undefined = factory
      ? revocationStatusCall(factory, RETRY.lookup.api)
      : undefined;
    const verdict = await verifyImage(evidence, policy, {
      now: options.now ?? new Date(),
      ...(options.skipPins ? { skipPins: true } : {}),
      ...(getRevocationStatus ? { getRevocationStatus } : {}),
    });
    return { verdicts: [verdict], incomplete: false, notes };
  } finally {
    factory?.destroy();
  }
}

/** Options for {@link imagePin}. */
export interface ImagePinOptions extends ImageSourceOptions {
  policy: PolicyInput;
  facts?: ImageFacts;
}

/**
 * The pin for an image: its platform manifest digest and platform, for the first `images` rule
 * that applies to it.
 * @throws UsageError when no rule applies (or which one cannot be told)
 */
export async function imagePin(
  options: ImagePinOptions
): Promise<{ ruleIndex: number; pin: ImagePin & { digest: string } }> {
  const policy = resolvePolicy(options.policy);
  const { resolved, reference } = await openImageForVerify(options);
  // Only the manifest's digest and platform are needed: nothing more is read from it.
  await resolved.close();
  const { image } = resolved;
  if (image.manifestDigest === undefined) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${options.image}: a docker-archive has no manifest digest to pin; pin the image from a registry or an OCI layout`,
    });
  }
  const repository =
    reference.transport === 'registry'
      ? `${reference.registry}/${reference.repository}`
      : options.facts?.repository;
  const rules = (policy.policy.images ?? []).map((r) => ({
    match: {
      ...(r.match.repository !== undefined ? { name: r.match.repository } : {}),
      ...(r.match.function !== undefined ? { function: r.match.function } : {}),
      ...(r.match.account !== undefined ? { account: r.match.account } : {}),
      ...(r.match.region !== undefined ? { region: r.match.region } : {}),
    },
  }));
  const sel = selectRule(rules, { name: repository, ...options.facts });
  if (sel.kind !== 'rule') {
    const why =
      sel.kind === 'undecided'
        ? describeUndecided(sel, 'images')
        : `no images rule matches ${repository ?? options.image}`;
    throw new UsageError({ code: 'BAD_INPUT', message: `${policy.fileName}: ${why}` });
  }
  return {
    ruleIndex: sel.index,
    pin: { digest: image.manifestDigest, platform: formatPlatform(image.platform) },
  };
}

/** Add an image pin to `images[ruleIndex].pins` of a policy file, comments and layout kept. */
export async function addImagePinToPolicy(
  policyFile: string,
  ruleIndex: number,
  pin: ImagePin & { digest: string }
): Promise<{ added: boolean }> {
  const { text, added } = addImagePinToPolicyText(
    readPolicyBytes(policyFile).toString('utf8'),
    ruleIndex,
    pin
  );
  if (added) await writeFileAtomic(policyFile, text);
  return { added };
}
