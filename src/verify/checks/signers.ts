/**
 * The `signers` rule: per-anchor checks plus a threshold over DISTINCT anchors. An anchor counts
 * once however many bundles or signatures verify for it (the Connaisseur threshold bypass,
 * GHSA-69hh-55g9-hx9g, came from counting signatures instead of anchors).
 */
import type { TrustedRootMaterial } from '../trust/index.js';
import type { LayerEvidence } from '../evidence.js';
import type { Anchor, SignerRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { evaluateAwsSigner } from './aws-signer.js';
import { evaluateSigstoreAnchor } from './sigstore.js';
import { guard } from './guard.js';

/** Run every anchor of the rule, then the threshold check. */
export function evaluateSigners(
  rule: SignerRule,
  anchors: Readonly<Record<string, Anchor>>,
  ev: LayerEvidence,
  trustRoots: ReadonlyMap<string, TrustedRootMaterial>,
  now: Date
): RawCheck[] {
  const names = [...new Set(rule.anyOf)];
  const threshold = rule.threshold ?? 1;
  const perAnchor = names.map((name) => {
    const a = anchors[name];
    const kind = a?.kind === 'aws-signer' ? 'signer' : 'sigstore';
    return guard(`${kind}:${name}`, kind, () => {
      if (!a) throw new Error(`no anchor named ${name}`);
      return a.kind === 'aws-signer'
        ? evaluateAwsSigner(name, a, ev.signer, ev.sha256, now)
        : evaluateSigstoreAnchor(name, a, ev, trustRoots);
    });
  });
  const verified = names.filter((_, i) => perAnchor[i]!.status === 'pass');
  const met = verified.length >= threshold;
  // Anchors that did not verify only fail the verdict when the threshold is missed.
  const shown = perAnchor.map((c) =>
    c.status === 'fail' && met
      ? {
          ...c,
          status: 'skip' as const,
          detail: `Did not verify (not needed: threshold met). ${c.detail}`,
        }
      : c
  );
  return [
    ...shown,
    {
      id: 'signers:threshold',
      kind: 'signer',
      status: met ? 'pass' : 'fail',
      detail: `${verified.length} of ${names.length} distinct anchor(s) verified; ${threshold} required.`,
      evidence: { required: threshold, verified, anchors: names },
    },
  ];
}
