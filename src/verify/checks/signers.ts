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
  return applyThreshold(names, perAnchor, threshold);
}

/**
 * The threshold step shared by layers and images: `perAnchor[i]` is the check of anchor
 * `names[i]`, carrying the ids of the distinct signatures that satisfied it. Returns the anchor
 * checks (failures shown as skipped when the threshold is met anyway) and `signers:threshold`.
 */
export function applyThreshold(
  names: readonly string[],
  perAnchor: readonly RawCheck[],
  threshold: number
): RawCheck[] {
  const passing = names.filter((_, i) => perAnchor[i]?.status === 'pass');
  // Distinct anchors backed by distinct signatures: one signature cannot satisfy two anchors
  // (two anchors naming one identity, or a profile ARN and its version ARN).
  const signatureOf = distinctSignatures(
    passing.flatMap((name) => perAnchor[names.indexOf(name)]!.signatures ?? [])
  );
  const verified = matchAnchorsToSignatures(
    passing.map((name) => ({
      name,
      signatures: (perAnchor[names.indexOf(name)]!.signatures ?? []).map(signatureOf),
    }))
  );
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
      detail: `${verified.length} of ${names.length} distinct anchor(s) verified by distinct signatures; ${threshold} required.${passing.length > verified.length ? ` (${passing.length - verified.length} more anchor(s) verified only through a signature already counted.)` : ''}`,
      evidence: { required: threshold, verified, passing, anchors: [...names] },
    },
  ];
}

/**
 * The largest set of anchors that can each be given its own signature (a maximum bipartite
 * matching, by augmenting paths; policies hold a handful of anchors). Returns anchor names in
 * input order.
 */
export function matchAnchorsToSignatures(
  anchors: readonly { name: string; signatures: readonly string[] }[]
): string[] {
  const owner = new Map<string, number>();
  const tryAssign = (i: number, seen: Set<string>): boolean => {
    for (const sig of anchors[i]!.signatures) {
      if (seen.has(sig)) continue;
      seen.add(sig);
      const holder = owner.get(sig);
      if (holder === undefined || tryAssign(holder, seen)) {
        owner.set(sig, i);
        return true;
      }
    }
    return false;
  };
  const matched = new Set<number>();
  anchors.forEach((_, i) => {
    if (tryAssign(i, new Set())) matched.add(i);
  });
  // An augmenting path can move an anchor's signature but never unmatches it.
  return anchors.filter((_, i) => matched.has(i)).map((a) => a.name);
}

/**
 * Group signatures by identity: two signatures sharing any identity (the same decoded bytes, or
 * the same verifying key, or the same Signer job) are one signature, transitively. Returns a
 * function giving each signature's group id.
 */
export function distinctSignatures(
  signatures: readonly (readonly string[])[]
): (identities: readonly string[]) => string {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    // Path compression keeps later lookups short.
    for (let y = x; y !== root;) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  const add = (x: string): void => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const ids of signatures) {
    ids.forEach(add);
    for (const id of ids.slice(1)) {
      const a = find(ids[0]!);
      const b = find(id);
      if (a !== b) parent.set(b < a ? a : b, b < a ? b : a);
    }
  }
  return (ids) => {
    if (ids.length === 0) return '';
    ids.forEach(add);
    return find(ids[0]!);
  };
}
