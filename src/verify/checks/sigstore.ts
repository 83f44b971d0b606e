/**
 * One Sigstore anchor against the bundles found for a layer: the anchor verifies when any
 * bundle verifies (cryptography in src/verify/sigstore). Bundles failing against this anchor are
 * listed in the evidence, so a report shows why.
 */
import { createHash } from 'node:crypto';
import { verifyBundle, type BundleArtifact, type SigstoreAnchor } from '../sigstore/index.js';
import type { TrustedRootMaterial } from '../trust/index.js';
import type { LayerEvidence } from '../evidence.js';
import type { KeyAnchor, KeylessAnchor } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';

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
  const signatures = new Set<string>();
  for (const b of ev.bundles) {
    const r = verifyBundle({
      bundle: b.bundle,
      artifact,
      trustedRoot,
      anchor: toSigstoreAnchor(anchor),
      ...(anchor.thresholds ? { thresholds: anchor.thresholds } : {}),
    });
    if (r.ok) {
      signatures.add(signatureId(b.bundle));
      first ??= { source: b.source, detail: r.detail, evidence: r.evidence };
    } else attempts.push({ bundle: b.source, code: r.code, detail: r.detail });
  }
  if (first) {
    return {
      ...base,
      status: 'pass',
      detail: `Bundle ${first.source} verified for ${who} against trust root ${anchor.trustRoot} (${trustedRoot.sha256.slice(0, 12)}…): ${first.detail}`,
      evidence: { bundle: first.source, trustRootSha256: trustedRoot.sha256, ...first.evidence },
      signatures: [...signatures].sort(),
    };
  }
  const errs = ev.bundleErrors ?? [];
  const why =
    ev.bundles.length === 0
      ? 'no Sigstore bundle was found for this layer'
      : `none of ${ev.bundles.length} bundle(s) verified`;
  return {
    ...base,
    status: 'fail',
    detail: `Anchor ${name} (${who}): ${why}.${errs.length ? ` Unread bundle sources: ${errs.join('; ')}.` : ''}`,
    evidence: { attempts, bundleErrors: errs },
  };
}

/**
 * A bundle's signature identity: a digest of its signature bytes (message signature or
 * DSSE signatures), so the same signature in two files, or re-wrapped, counts once.
 */
export function signatureId(bundle: unknown): string {
  const b = bundle as {
    messageSignature?: { signature?: unknown };
    dsseEnvelope?: { signatures?: { sig?: unknown }[] };
  };
  const sigs =
    b.messageSignature?.signature !== undefined
      ? [b.messageSignature.signature]
      : (b.dsseEnvelope?.signatures ?? []).map((s) => s.sig);
  return `sigstore:${createHash('sha256').update(JSON.stringify(sigs)).digest('hex')}`;
}
