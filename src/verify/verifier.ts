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
import { evaluateInventory } from './checks/inventory.js';
import { describeUndecided, selectRule, type RuleSelection } from './policy/match.js';
import type { FunctionRule, LayerRule, LoadedPolicy, PolicyMode } from './policy/types.js';
import { applyMode, type RawCheck, type Verdict } from './verdict.js';
import { locateVerdict } from './locate.js';

/** Options for {@link verifyLayer}. */
export interface VerifyLayerOptions {
  /** The time checks are made at (pin and signature expiry). */
  now: Date;
  /**
   * Skip the digest allowlist (for `gate`: a new version is not pinned yet). Signers, packages,
   * licenses and the inventory still apply.
   */
  skipPins?: boolean;
}

/** The strictest mode among the rules a selection could end in (enforce > warn > audit). */
function strictestMode(
  policy: LoadedPolicy['policy'],
  rules: readonly (LayerRule | FunctionRule | undefined)[]
): PolicyMode {
  const modes = rules.map((r) => r?.mode ?? policy.mode ?? 'enforce');
  return modes.includes('enforce') ? 'enforce' : modes.includes('warn') ? 'warn' : 'audit';
}

/** A verdict when the rule cannot be chosen because facts are missing (fail closed). */
function undecidedVerdict(
  loaded: LoadedPolicy,
  subject: Verdict['subject'],
  section: 'layers' | 'functions',
  sel: Extract<RuleSelection, { kind: 'undecided' }>
): Verdict {
  const rules = loaded.policy[section] ?? [];
  const mode = strictestMode(
    loaded.policy,
    [...sel.candidates, sel.fallback].map((i) => (i >= 0 ? rules[i] : undefined))
  );
  const check = applyMode(
    {
      id: 'rule',
      kind: 'rule',
      status: 'fail',
      detail: describeUndecided(sel, section),
      evidence: {
        missing: sel.missing,
        conflicts: sel.conflicts,
        candidates: sel.candidates.map((i) => `${section}[${i}]`),
        fallback: sel.fallback >= 0 ? `${section}[${sel.fallback}]` : 'default',
      },
    },
    mode
  );
  return { subject, mode, ok: check.outcome !== 'fail', checks: [check] };
}

function defaultVerdict(
  loaded: LoadedPolicy,
  subject: Verdict['subject'],
  what: string,
  extra: RawCheck[] = []
): Verdict {
  const mode: PolicyMode = loaded.policy.mode ?? 'enforce';
  const deny = loaded.policy.default === 'deny';
  const checks = [
    {
      id: 'default',
      kind: 'default' as const,
      status: deny ? ('fail' as const) : ('pass' as const),
      detail: deny
        ? `No rule matches ${what}; the policy's default is deny.`
        : `No rule matches ${what}; the policy's default is allow.`,
      evidence: { default: loaded.policy.default },
    },
    ...extra,
  ].map((c) => applyMode(c, mode));
  return { subject, mode, ok: checks.every((c) => c.outcome !== 'fail'), checks };
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

/**
 * Verify one layer against the policy. Never throws. Checks carry the policy line they rest on
 * when the policy was loaded from a file (see locate.ts).
 */
export function verifyLayer(
  ev: LayerEvidence,
  loaded: LoadedPolicy,
  opts: VerifyLayerOptions
): Verdict {
  return locateVerdict(evaluateLayer(ev, loaded, opts), loaded);
}

function evaluateLayer(ev: LayerEvidence, loaded: LoadedPolicy, opts: VerifyLayerOptions): Verdict {
  const { policy } = loaded;
  const subject: Verdict['subject'] = {
    kind: 'layer',
    name: ev.name,
    ...(ev.layerName !== undefined ? { ruleName: ev.layerName } : {}),
    ...(ev.arn !== undefined ? { arn: ev.arn } : {}),
    sha256: ev.sha256,
  };
  const sel = selectRule(policy.layers, {
    name: ev.layerName,
    arn: ev.arn,
    account: ev.account,
    region: ev.region,
  });
  if (sel.kind === 'undecided') return undecidedVerdict(loaded, subject, 'layers', sel);
  const index = sel.kind === 'rule' ? sel.index : -1;
  const rule = index >= 0 ? policy.layers?.[index] : undefined;
  // Even a layer the default lets through must have been seen whole.
  if (!rule)
    return defaultVerdict(loaded, subject, `layer ${ev.layerName ?? ev.name}`, [
      guard('inventory:complete', 'inventory', () => evaluateInventory(undefined, ev.inventory)),
    ]);
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
  raw.push(
    guard('inventory:complete', 'inventory', () => evaluateInventory(rule.inventory, ev.inventory))
  );
  return ruleVerdict(subject, { section: 'layers', index, match: rule.match }, mode, raw);
}

/** Verify one function's configuration against the policy. Never throws. Lines as verifyLayer. */
export function verifyFunction(ev: FunctionEvidence, loaded: LoadedPolicy): Verdict {
  return locateVerdict(evaluateFunctionRule(ev, loaded), loaded);
}

function evaluateFunctionRule(ev: FunctionEvidence, loaded: LoadedPolicy): Verdict {
  const { policy } = loaded;
  const subject: Verdict['subject'] = {
    kind: 'function',
    name: ev.name,
    ruleName: ev.name,
    ...(ev.arn !== undefined ? { arn: ev.arn } : {}),
  };
  const sel = selectRule(policy.functions, { name: ev.name, arn: ev.arn });
  if (sel.kind === 'undecided') return undecidedVerdict(loaded, subject, 'functions', sel);
  const index = sel.kind === 'rule' ? sel.index : -1;
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
