/**
 * Image signatures against a `signers` rule: every format (Notation from AWS Signer, cosign
 * legacy, cosign bundle referrers) becomes one kind of evidence, a verified signature with a
 * cryptographic identity (signature-identity.ts), and the layers' threshold step counts distinct
 * anchors backed by distinct signatures. The same signature found through two discovery paths
 * (the referrers API and the referrers tag schema, or a `.sig` tag and a referrer) has one
 * identity and counts once.
 *
 * Pure except for the injected GetRevocationStatus call (AWS Signer revocation).
 */
import { anchorAllowsProfileVersion } from '../checks/aws-signer.js';
import { guard } from '../checks/guard.js';
import { applyThreshold } from '../checks/signers.js';
import type { SignerRule } from '../policy/types.js';
import type { SigstoreAnchor, SigstoreThresholds } from '../sigstore/index.js';
import type { TrustedRootMaterial } from '../trust/index.js';
import type { RawCheck } from '../verdict.js';
import { verifyCosignBundleReferrer } from './cosign/bundle-referrer.js';
import { verifyCosignLegacy, type CosignLegacyLayer } from './cosign/legacy.js';
import {
  checkRevocation,
  type GetRevocationStatusFn,
  type RevocationMode,
  type RevocationResult,
} from './notation/aws-signer.js';
import { verifyNotationJws, type VerifiedNotation } from './notation/jws.js';
import { rootLabel, type NotationTrustStore } from './notation/trust-store.js';
import type { ImageDescriptor, ImageSignatureFormat } from './types.js';

/** How discovery found a signature (reported; identity does not depend on it). */
export type DiscoveryPath =
  'sig-tag' | 'referrers-api' | 'referrers-tag' | 'layout-index' | 'ecr-referrers';

interface FoundBase {
  /** Where it was found, for the report (e.g. the referrer manifest digest). */
  readonly source: string;
  readonly via: DiscoveryPath;
  /** What the signature must be about: the platform manifest, or the index it was found for. */
  readonly subject: ImageDescriptor;
}

/** A signature discovery found on an image, not yet verified (what src/fetch hands over). */
export type FoundImageSignature =
  | (FoundBase & {
      readonly format: 'notation';
      readonly envelope: Uint8Array;
      readonly mediaType: string;
    })
  | (FoundBase & { readonly format: 'cosign-legacy'; readonly layer: CosignLegacyLayer })
  | (FoundBase & {
      readonly format: 'cosign-bundle';
      readonly bundle: Uint8Array;
      readonly mediaType: string;
    });

/** A policy anchor with its trust material loaded, as image verification needs it. */
export type ImageAnchor =
  | {
      readonly kind: 'aws-signer';
      /** A profile ARN (any of its versions) or one profile version ARN; compared case-sensitively. */
      readonly profileArn?: string;
      readonly profileVersionArn?: string;
      /** Pinned Notation roots (type `signingAuthority` for AWS Signer). */
      readonly trustStores: readonly NotationTrustStore[];
      readonly revocation: RevocationMode;
    }
  | {
      readonly kind: 'sigstore';
      readonly anchor: SigstoreAnchor;
      readonly trustedRoot: TrustedRootMaterial;
      readonly thresholds?: SigstoreThresholds;
      /** In-toto predicate types of bundle referrers; default cosign's `https://sigstore.dev/cosign/sign/v1`. */
      readonly predicateTypes?: readonly string[];
    };

/** One verified image signature: the evidence every format produces. */
export interface ImageSignatureEvidence {
  readonly format: ImageSignatureFormat;
  readonly source: string;
  readonly via: DiscoveryPath;
  /** Cryptographic identity (signature-identity.ts); what the threshold counts. */
  readonly signatureId: string;
  /**
   * Sigstore formats: the verifying key's identity. Signatures sharing it are one signer's, so
   * they count once, as for layers.
   */
  readonly keyId?: string;
  /** Who signed, in words (profile version ARN, certificate SAN, key). */
  readonly signer: string;
  readonly detail: string;
  /** AWS Signer signatures: the job, the root label and the revocation outcome. */
  readonly awsSigner?: {
    readonly profileVersionArn: string;
    readonly jobArn: string;
    readonly rootSha256: string;
    readonly root: 'aws-signer-public-root' | 'custom-root';
    readonly revocation: RevocationResult;
  };
}

/** What every image anchor is evaluated with. */
export interface ImageSignerContext {
  readonly now: Date;
  /** Formats the rule accepts; default all. */
  readonly formats?: readonly ImageSignatureFormat[];
  /** The injected GetRevocationStatus call (src/fetch/aws/signer.ts); required by `aws-signer` anchors unless `revocation: skip`. */
  readonly getRevocationStatus?: GetRevocationStatusFn;
}

interface Attempt {
  source: string;
  format: ImageSignatureFormat;
  code: string;
  detail: string;
}

/** One anchor against every signature found: passes with the distinct signatures that verify. */
export async function evaluateImageAnchor(
  name: string,
  anchor: ImageAnchor,
  found: readonly FoundImageSignature[],
  ctx: ImageSignerContext,
  revocations: Map<string, Promise<RevocationResult>> = new Map()
): Promise<RawCheck> {
  const kind = anchor.kind === 'aws-signer' ? ('signer' as const) : ('sigstore' as const);
  const id = `${kind}:${name}`;
  const allowed = (f: FoundImageSignature) =>
    ctx.formats === undefined || ctx.formats.includes(f.format);
  const attempts: Attempt[] = [];
  const verified: ImageSignatureEvidence[] = [];
  for (const f of found.filter(allowed)) {
    const r =
      anchor.kind === 'aws-signer'
        ? await verifyForSigner(anchor, f, ctx, revocations)
        : verifyForSigstore(anchor, f);
    if ('signatureId' in r) verified.push(r);
    else if (r.code !== 'NOT_THIS_FORMAT') attempts.push(r);
  }
  const ids = [...new Set(verified.map((v) => v.signatureId))].sort();
  if (verified.length > 0) {
    const first = verified[0]!;
    const warnings = verified.flatMap((v) =>
      v.awsSigner?.revocation.warning ? [v.awsSigner.revocation.detail] : []
    );
    return {
      id,
      kind,
      status: 'pass',
      detail: `${ids.length} distinct signature(s) verified for anchor ${name}; first: ${first.detail}${warnings.length ? ` Warning: ${warnings[0]}` : ''}`,
      evidence: { signatures: verified, attempts },
      // A signature's identities: its own; for AWS Signer the job (one job signs once; a job
      // found twice, e.g. through the referrers API and the tag schema, counts once); for
      // Sigstore formats the key (a second signature by the same key is not a second signer).
      signatures: ids.map((i) => {
        const v = verified.find((x) => x.signatureId === i);
        const job = v?.awsSigner?.jobArn;
        return [
          i,
          ...(job !== undefined ? [`aws-signer-job:${job}`] : []),
          ...(v?.keyId !== undefined ? [v.keyId] : []),
        ];
      }),
    };
  }
  const considered = found.filter(allowed).length;
  return {
    id,
    kind,
    status: 'fail',
    detail:
      considered === 0
        ? `Anchor ${name}: no ${ctx.formats ? `${ctx.formats.join('/')} ` : ''}signature was found for this image.`
        : `Anchor ${name}: none of ${considered} signature(s) verified${attempts[0] ? ` (first: ${attempts[0].format} ${attempts[0].source}: ${attempts[0].code}: ${attempts[0].detail})` : ''}.`,
    evidence: { attempts },
  };
}

/** Every anchor of the rule, then the threshold over distinct anchors and distinct signatures. */
export async function evaluateImageSigners(
  rule: SignerRule,
  anchors: Readonly<Record<string, ImageAnchor>>,
  found: readonly FoundImageSignature[],
  ctx: ImageSignerContext
): Promise<RawCheck[]> {
  const names = [...new Set(rule.anyOf)];
  const perAnchor: RawCheck[] = [];
  // One GetRevocationStatus call per signing job for the whole rule.
  const revocations = new Map<string, Promise<RevocationResult>>();
  for (const name of names) {
    const a = anchors[name];
    const kind = a?.kind === 'aws-signer' ? 'signer' : 'sigstore';
    try {
      if (!a) throw new Error(`no anchor named ${name}`);
      perAnchor.push(await evaluateImageAnchor(name, a, found, ctx, revocations));
    } catch (e) {
      perAnchor.push(
        guard(`${kind}:${name}`, kind, () => {
          throw e;
        })
      );
    }
  }
  return applyThreshold(names, perAnchor, rule.threshold ?? 1);
}

type Outcome = ImageSignatureEvidence | (Attempt & { code: string });

async function verifyForSigner(
  anchor: Extract<ImageAnchor, { kind: 'aws-signer' }>,
  f: FoundImageSignature,
  ctx: ImageSignerContext,
  revocations: Map<string, Promise<RevocationResult>>
): Promise<Outcome> {
  if (f.format !== 'notation')
    return { source: f.source, format: f.format, code: 'NOT_THIS_FORMAT', detail: '' };
  const r = verifyNotationJws({
    envelope: f.envelope,
    envelopeMediaType: f.mediaType,
    subject: f.subject,
    trustStores: anchor.trustStores,
    now: ctx.now,
  });
  const attempt = (code: string, detail: string): Outcome => ({
    source: f.source,
    format: f.format,
    code,
    detail,
  });
  if (!r.ok || r.verified === undefined) return attempt(r.code, r.detail);
  const v: VerifiedNotation = r.verified;
  if (v.awsSigner === undefined || v.revocationRequest === undefined) {
    return attempt(
      'NOT_AWS_SIGNER',
      `verified, but not an AWS Signer signature (signed by ${v.leafSubject})`
    );
  }
  const allows = anchorAllowsProfileVersion(
    {
      kind: 'aws-signer',
      profileArn: anchor.profileArn,
      profileVersionArn: anchor.profileVersionArn,
    },
    v.awsSigner.profileVersionArn
  );
  if (!allows) {
    return attempt(
      'IDENTITY_MISMATCH',
      `signed by ${v.awsSigner.profileVersionArn}, which the anchor (${anchor.profileVersionArn ?? anchor.profileArn ?? '(none)'}) does not allow`
    );
  }
  // One call per signing job and chain, however many copies of the signature were found.
  const key = `${v.revocationRequest.jobArn}|${v.revocationRequest.certificateHashes.join(',')}`;
  let pending = revocations.get(key);
  if (pending === undefined) {
    const call =
      ctx.getRevocationStatus ??
      (() => Promise.reject(new Error('no GetRevocationStatus call was provided')));
    pending = checkRevocation(v.revocationRequest, call, anchor.revocation);
    revocations.set(key, pending);
  }
  const revocation = await pending;
  if (!revocation.ok) return attempt(revocation.code, revocation.detail);
  return {
    format: 'notation',
    source: f.source,
    via: f.via,
    signatureId: v.signatureId,
    signer: v.awsSigner.profileVersionArn,
    detail: `${r.detail} ${revocation.detail}`,
    awsSigner: {
      profileVersionArn: v.awsSigner.profileVersionArn,
      jobArn: v.awsSigner.jobArn,
      rootSha256: v.rootSha256,
      root: rootLabel(v.rootSha256),
      revocation,
    },
  };
}

function verifyForSigstore(
  anchor: Extract<ImageAnchor, { kind: 'sigstore' }>,
  f: FoundImageSignature
): Outcome {
  const common = {
    anchor: anchor.anchor,
    trustedRoot: anchor.trustedRoot,
    ...(anchor.thresholds ? { thresholds: anchor.thresholds } : {}),
  };
  const attempt = (code: string, detail: string): Outcome => ({
    source: f.source,
    format: f.format,
    code,
    detail,
  });
  if (f.format === 'notation') return attempt('NOT_THIS_FORMAT', '');
  const r =
    f.format === 'cosign-legacy'
      ? verifyCosignLegacy({ layer: f.layer, imageDigest: f.subject.digest, ...common })
      : verifyCosignBundleReferrer({
          bundle: f.bundle,
          mediaType: f.mediaType,
          imageDigest: f.subject.digest,
          ...(anchor.predicateTypes !== undefined ? { predicateTypes: anchor.predicateTypes } : {}),
          ...common,
        });
  if (!r.ok || r.verified === undefined) return attempt(r.code, r.detail);
  const e = r.verified.evidence;
  return {
    format: f.format,
    source: f.source,
    via: f.via,
    signatureId: r.verified.signatureId,
    keyId: r.verified.keyId,
    signer:
      e.signerIdentity !== undefined
        ? `${e.signerIdentity} (${e.issuer ?? '?'})`
        : `key${e.keyHint ? ` ${e.keyHint}` : ''}`,
    detail: r.detail,
  };
}
