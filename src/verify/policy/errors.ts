import { BaseError } from '../../errors.js';

/** Codes for a policy file lamina refuses. */
export type PolicyErrorCode = 'INVALID_POLICY' | 'POLICY_NOT_FOUND' | 'POLICY_TOO_LARGE';

/** One bad field: a JSON-pointer-like path, the 1-based line (0 when unknown) and what is wrong. */
export interface PolicyProblem {
  path: string;
  line: number;
  message: string;
}

/** A policy that does not validate; `problems` names every bad field. */
export class PolicyError extends BaseError<PolicyErrorCode> {
  readonly problems: readonly PolicyProblem[];

  constructor(init: {
    code: PolicyErrorCode;
    message: string;
    problems?: PolicyProblem[];
    cause?: unknown;
  }) {
    super(init);
    this.problems = init.problems ?? [];
  }
}

/** `path (line N): problem`, one per line. */
export function formatProblems(fileName: string, problems: readonly PolicyProblem[]): string {
  return problems
    .map((p) => `${fileName}: ${p.path || '/'} (line ${p.line}): ${p.message}`)
    .join('\n');
}
