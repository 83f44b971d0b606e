/**
 * One Sigstore anchor against the bundles found for a layer: the anchor verifies when any
 * bundle verifies (cryptography in src/verify/sigstore). Bundles failing against this anchor are
 * listed in the evidence, so a report shows why.
 */
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
  for (const b of ev.bundles) {
    const r = verifyBundle({
      bundle: b.bundle,
      artifact,
      trustedRoot,
      anchor: toSigstoreAnchor(anchor),
      ...(anchor.thresholds ? { thresholds: anchor.thresholds } : {}),
    });
    if (r.ok) {
      return {
        ...base,
        status: 'pass',
        detail: `Bundle ${b.source} verified for ${who} against trust root ${anchor.trustRoot} (${trustedRoot.sha256.slice(0, 12)}…): ${r.detail}`,
        evidence: { bundle: b.source, trustRootSha256: trustedRoot.sha256, ...r.evidence },
      };
    }
    attempts.push({ bundle: b.source, code: r.code, detail: r.detail });
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
