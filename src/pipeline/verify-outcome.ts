/** What a verify use case returns (layers, functions, images alike). */
import type { SigningFact } from '../history/types.js';
import type { Verdict } from '../verify/verdict.js';

/** Something a verify run could not read; the verdicts already account for it. */
export type VerifyNote =
  /** Signer calls about a layer that gave no evidence (its signer checks fail closed). */
  | { kind: 'no-signer-evidence'; subject: string; problem: string }
  /** An account, region, function or layer listing the estate enumeration could not read. */
  | { kind: 'unread'; scope: string; subject: string; reason: string };

/** What a verify use case returns. */
export interface VerifyOutcome {
  /** Functions first (by ARN), then images (by the ARN of the function running each), then layers (by ARN). */
  verdicts: Verdict[];
  /** True when something could not be read: the run cannot vouch for the whole scope (exit 3). */
  incomplete: boolean;
  /** In the order they happened. */
  notes: VerifyNote[];
  /** `verifyEstate` only: the AWS Signer status of each signed layer's job, for the history. */
  signing?: SigningFact[];
  /** `verifyEstate` only: the policy file's digest as it was read (see LoadedPolicy.digest). */
  policyDigest?: string;
}
