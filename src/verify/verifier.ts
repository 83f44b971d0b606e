/**
 * The pure verifier: evidence + policy → verdict. No I/O; every check is wrapped so an
 * exception fails that check (fail closed) instead of aborting the verdict.
 */
import type { FunctionEvidence, LayerEvidence } from './evidence.js';
import { evaluateDigest } from './checks/digest.js';
import { evaluateFunction } from './checks/function.js';
import { guard } from './checks/guard.js';
import { evaluateLicenses } from './checks/licenses.js';
import { evaluatePackages } from './checks/packages.js';
import { evaluateSigners } from './checks/signers.js';
import { findRule } from './policy/match.js';
import type { LoadedPolicy, PolicyMode } from './policy/types.js';
import { applyMode, type RawCheck, type Verdict } from './verdict.js';

/** Options for {@link verifyLayer}. */
export interface VerifyLayerOptions {
  /** The time checks are made at (pin and signature expiry). */
  now: Date;
  /**
   * Skip the digest allowlist (for `gate`: a new version is not pinned yet). Signers, packages
   * and licenses still apply.
   */
  skipPins?: boolean;
  /** Use this `layers` rule instead of matching (gate/pin choose it by layer name alone). */
  ruleIndex?: number;
}

function defaultVerdict(loaded: LoadedPolicy, subject: Verdict['subject'], what: string): Verdict {
  const mode: PolicyMode = loaded.policy.mode ?? 'enforce';
  const deny = loaded.policy.default === 'deny';
  const check = applyMode(
    {
      id: 'default',
      kind: 'default',
      status: deny ? 'fail' : 'pass',
      detail: deny
        ? `No rule matches ${what}; the policy's default is deny.`
        : `No rule matches ${what}; the policy's default is allow.`,
      evidence: { default: loaded.policy.default },
    },
    mode
  );
  return { subject, mode, ok: check.outcome !== 'fail', checks: [check] };
}

/** The verdict of a rule's checks under the rule's mode. */
function ruleVerdict(
  subject: Verdict['subject'],
  rule: NonNullable<Verdict['rule']>,
  mode: PolicyMode,
  raw: RawCheck[]
): Verdict {
  const checks = raw.map((c) => applyMode(c, mode));
  return { subject, rule, mode, ok: checks.every((c) => c.outcome !== 'fail'), checks };
}

/** Verify one layer against the policy. Never throws. */
export function verifyLayer(
  ev: LayerEvidence,
  loaded: LoadedPolicy,
  opts: VerifyLayerOptions
): Verdict {
  const { policy } = loaded;
  const subject: Verdict['subject'] = {
    kind: 'layer',
    name: ev.name,
    ...(ev.layerName !== undefined ? { ruleName: ev.layerName } : {}),
    ...(ev.arn !== undefined ? { arn: ev.arn } : {}),
    sha256: ev.sha256,
  };
  const index = opts.ruleIndex ?? findRule(policy.layers, { name: ev.layerName, arn: ev.arn });
  const rule = index >= 0 ? policy.layers?.[index] : undefined;
  if (!rule) return defaultVerdict(loaded, subject, `layer ${ev.layerName ?? ev.name}`);
  const mode = rule.mode ?? policy.mode ?? 'enforce';
  const raw: RawCheck[] = [];
  if (!opts.skipPins) raw.push(guard('digest', 'digest', () => evaluateDigest(rule, ev, opts.now)));
  if (rule.signers) {
    try {
      raw.push(
        ...evaluateSigners(rule.signers, policy.anchors ?? {}, ev, loaded.trustRoots, opts.now)
      );
    } catch (e) {
      raw.push(
        guard('signers:threshold', 'signer', () => {
          throw e;
        })
      );
    }
  }
  const deny = rule.packages?.deny;
  if (deny && deny.length > 0)
    raw.push(guard('packages', 'packages', () => evaluatePackages(deny, ev.inventory)));
  if (rule.licenses) {
    const lr = rule.licenses;
    raw.push(guard('licenses', 'licenses', () => evaluateLicenses(lr, ev.inventory)));
  }
  return ruleVerdict(subject, { section: 'layers', index, match: rule.match }, mode, raw);
}

/** Verify one function's configuration against the policy. Never throws. */
export function verifyFunction(ev: FunctionEvidence, loaded: LoadedPolicy): Verdict {
  const { policy } = loaded;
  const subject: Verdict['subject'] = {
    kind: 'function',
    name: ev.name,
    ruleName: ev.name,
    ...(ev.arn !== undefined ? { arn: ev.arn } : {}),
  };
  const index = findRule(policy.functions, { name: ev.name, arn: ev.arn });
  const rule = index >= 0 ? policy.functions?.[index] : undefined;
  if (!rule) return defaultVerdict(loaded, subject, `function ${ev.name}`);
  const mode = rule.mode ?? policy.mode ?? 'enforce';
  let raw: RawCheck[];
  try {
    raw = evaluateFunction(rule, ev);
  } catch (e) {
    raw = [
      guard('function', 'function', () => {
        throw e;
      }),
    ];
  }
  return ruleVerdict(subject, { section: 'functions', index, match: rule.match }, mode, raw);
}
