/**
 * The result of verifying one subject (a layer or a function) against a policy:
 * every check that ran, with its outcome and the evidence it rests on.
 */
import type { ImageMatch, Match, PolicyMode } from './policy/types.js';

/** What a check is about. */
export type CheckKind =
  | 'digest'
  | 'signer'
  | 'sigstore'
  | 'packages'
  | 'licenses'
  | 'inventory'
  | 'function'
  | 'environment'
  | 'handler'
  | 'tags'
  | 'default'
  | 'rule';

/**
 * `pass`/`fail` as evaluated; `warn` is a failure under a `warn` or `audit` rule (reported,
 * does not fail the run); `skip` means the rule does not ask for this check or it did not count.
 */
export type Outcome = 'pass' | 'fail' | 'warn' | 'skip';

/** One check in a verdict. */
export interface CheckResult {
  /** Stable id, e.g. `digest`, `signer:ci-profile`, `sigstore:release`, `signers:threshold`. */
  id: string;
  kind: CheckKind;
  outcome: Outcome;
  /** What was checked, how, and the result, in plain words. */
  detail: string;
  /** The facts behind the outcome (digests, ARNs, identities, package purls…). */
  evidence: Record<string, unknown>;
  /**
   * 1-based line of the policy entry the outcome rests on (the pin, anchor, deny list… of the
   * rule; `default:` when no rule applied), when the policy was loaded from a file.
   */
  line?: number;
}

/** What was verified. */
export interface Subject {
  kind: 'layer' | 'function' | 'image';
  /** Display name: zip file name, layer version ARN or function name. */
  name: string;
  /** Layer or function name as rules match it. */
  ruleName?: string;
  arn?: string;
  /** Hex sha256 of the layer zip. */
  sha256?: string;
  /** Images: the platform manifest digest (`sha256:<hex>`). */
  digest?: string;
  /** Images: the index the manifest was chosen from, when the reference named one. */
  indexDigest?: string;
}

/** The verdict for one subject. */
export interface Verdict {
  subject: Subject;
  /** The rule that applied, or undefined when none matched (default rule). */
  rule?: {
    section: 'layers' | 'functions' | 'images';
    index: number;
    match: Match | ImageMatch;
    /** 1-based line where the rule starts in the policy file, when known. */
    line?: number;
  };
  mode: PolicyMode;
  /** False when any check failed (only `enforce` rules produce `fail`). */
  ok: boolean;
  checks: CheckResult[];
}

/** A check before the rule's mode is applied. */
export interface RawCheck {
  id: string;
  kind: CheckKind;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  evidence: Record<string, unknown>;
  /**
   * For a passing signer check: one entry per signature that satisfied it, listing that
   * signature's identities (a Signer job ARN; a digest of the decoded signature bytes and one of
   * the key it verifies under). Signatures sharing any identity are one signature: the
   * threshold counts anchors only as far as distinct signatures back them.
   */
  signatures?: (readonly string[])[];
  /** A failure that only warns, whatever the rule's mode (e.g. `tags: warn`). */
  warnOnly?: boolean;
}

/** Apply a rule's mode: a failure is `fail` under enforce, `warn` under warn and audit. */
export function applyMode(c: RawCheck, mode: PolicyMode): CheckResult {
  const outcome: Outcome =
    c.status === 'fail' && (mode !== 'enforce' || c.warnOnly === true) ? 'warn' : c.status;
  const label = c.warnOnly === true && mode === 'enforce' ? 'warn' : mode;
  const detail = outcome === 'warn' ? `[${label}] ${c.detail}` : c.detail;
  return { id: c.id, kind: c.kind, outcome, detail, evidence: c.evidence };
}
