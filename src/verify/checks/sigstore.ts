/**
 * One Sigstore anchor against the bundles found for a layer: the anchor verifies when any
 * bundle verifies (cryptography in src/verify/sigstore). Bundles failing against this anchor are
 * listed in the evidence, so a report shows why.
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import type * as SigstoreBundle from '@sigstore/bundle';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  verifyBundle,
  type BundleArtifact,
  type SigstoreAnchor,
} from '../sigstore/index.js';
import type { TrustedRootMaterial } from '../trust/index.js';
import type { LayerEvidence } from '../evidence.js';
import type { KeyAnchor, KeylessAnchor } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { requireCjs } from '../../util/cjs.js';
import { keyIdentity } from '../signature-identity.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { bundleFromJSON } = requireCjs('@sigstore/bundle') as typeof SigstoreBundle;

/** Translate a policy anchor to the Sigstore module's anchor. */
export function toSigstoreAnchor(a: KeylessAnchor | KeyAnchor): SigstoreAnchor {
  if (a.kind === 'sigstore-key') {
    return {
      $case: 'key',
      publicKeyPem: a.publicKey,
      ...(a.hint !== undefined ? { hint: a.hint } : {}),
    };
  }
  return {
    $case: 'keyless',
    issuer: a.issuer,
    ...(a.subject !== undefined ? { subject: a.subject } : {}),
    ...(a.subjectRegex !== undefined ? { subjectRegex: a.subjectRegex } : {}),
    ...(a.extensions !== undefined ? { extensions: a.extensions } : {}),
  };
}

/**
 * The in-toto predicate types a DSSE bundle must carry to count for the anchor: its own
 * `predicateTypes`, else only cosign's signature predicate. A statement of another kind (SLSA
 * provenance, an SBOM, a failed scan) by the same identity says something about the artifact,
 * not that the signer approved it.
 */
export function acceptedPredicateTypes(a: KeylessAnchor | KeyAnchor): readonly string[] {
  return a.predicateTypes ?? [COSIGN_SIGN_PREDICATE_TYPE];
}

/** Evaluate one Sigstore anchor over every bundle of the layer. */
export function evaluateSigstoreAnchor(
  name: string,
  anchor: KeylessAnchor | KeyAnchor,
  ev: LayerEvidence,
  trustRoots: ReadonlyMap<string, TrustedRootMaterial>
): RawCheck {
  const base = { id: `sigstore:${name}`, kind: 'sigstore' as const };
  const who =
    anchor.kind === 'sigstore-key'
      ? `key${anchor.hint ? ` ${anchor.hint}` : ''}`
      : `${anchor.subject ?? `/${anchor.subjectRegex ?? ''}/`} from ${anchor.issuer}`;
  const trustedRoot = trustRoots.get(anchor.trustRoot);
  if (!trustedRoot) {
    return {
      ...base,
      status: 'fail',
      detail: `Trust root ${anchor.trustRoot} is not loaded.`,
      evidence: {},
    };
  }
  const artifact: BundleArtifact = ev.bytes
    ? { $case: 'bytes', bytes: ev.bytes }
    : { $case: 'digest', sha256: Buffer.from(ev.sha256, 'hex') };
  const attempts: Record<string, unknown>[] = [];
  // Every bundle is tried (not just until the first passes) so the threshold can tell
  // which signatures back which anchors.
  let first: { source: string; detail: string; evidence: object } | undefined;
  const signatures: string[][] = [];
  // Predicate types of bundles that verified but are attestations the anchor does not accept:
  // named in the failure, since the fix is the policy's, not the bundle's.
  const attested = new Set<string>();
  const predicateTypes = acceptedPredicateTypes(anchor);
  for (const b of ev.bundles) {
    const r = verifyBundle({
      bundle: b.bundle,
      artifact,
      trustedRoot,
      anchor: toSigstoreAnchor(anchor),
      predicateTypes,
      ...(anchor.thresholds ? { thresholds: anchor.thresholds } : {}),
    });
    if (r.ok) {
      signatures.push(signatureIdentities(b.bundle, anchor));
      first ??= { source: b.source, detail: r.detail, evidence: r.evidence };
    } else {
      attempts.push({ bundle: b.source, code: r.code, detail: r.detail });
      if (r.code === 'PREDICATE_TYPE_MISMATCH') attested.add(r.evidence.predicateType ?? '');
    }
  }
  if (first) {
    return {
      ...base,
      status: 'pass',
      detail: `Bundle ${first.source} verified for ${who} against trust root ${anchor.trustRoot} (${trustedRoot.sha256.slice(0, 12)}…): ${first.detail}`,
      evidence: { bundle: first.source, trustRootSha256: trustedRoot.sha256, ...first.evidence },
      signatures,
    };
  }
  const errs = ev.bundleErrors ?? [];
  const why =
    ev.bundles.length === 0
      ? 'no Sigstore bundle was found for this layer'
      : `none of ${ev.bundles.length} bundle(s) verified${attested.size ? `; signed statements of predicate type ${[...attested].sort().join(', ')} are not among those the anchor accepts (predicateTypes: ${predicateTypes.join(', ')})` : ''}`;
  return {
    ...base,
    status: 'fail',
    detail: `Anchor ${name} (${who}): ${why}.${errs.length ? ` Unread bundle sources: ${errs.join('; ')}.` : ''}`,
    evidence: { attempts, bundleErrors: errs },
  };
}

/**
 * A verified bundle's signature identities: a digest of its DECODED signature bytes (so
 * re-encoding the base64, or copying the bundle, cannot make a second signature) and a digest of
 * the public key it verified under, in canonical SPKI DER (the certificate's key, or the
 * anchor's). Signatures sharing either identity count as one (see distinctSignatures).
 */
export function signatureIdentities(bundle: unknown, anchor: KeylessAnchor | KeyAnchor): string[] {
  const b = bundleFromJSON(bundle);
  const sig =
    b.content.$case === 'messageSignature'
      ? b.content.messageSignature.signature
      : b.content.dsseEnvelope.signatures[0]?.sig;
  const ids: string[] = [];
  if (sig !== undefined) ids.push(`sigstore-signature:${sha256(Buffer.from(sig))}`);
  const m = b.verificationMaterial.content;
  const der =
    m.$case === 'x509CertificateChain'
      ? m.x509CertificateChain.certificates[0]?.rawBytes
      : m.$case === 'certificate'
        ? m.certificate.rawBytes
        : undefined;
  const key =
    der !== undefined
      ? new X509Certificate(Buffer.from(der)).publicKey
      : anchor.kind === 'sigstore-key'
        ? createPublicKey(anchor.publicKey)
        : undefined;
  if (key) ids.push(keyIdentity(key));
  return ids;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
