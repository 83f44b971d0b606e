import { parseLayerVersionArn } from '../model/arn.js';
import { findRule } from './policy/match.js';
import type { LoadedPolicy } from './policy/types.js';
import { applyMode, type Verdict } from './verdict.js';

/**
 * The verdict for a layer version that could not be read: nothing about it can be verified, so
 * it fails (fail closed) under the matching rule's mode.
 */
export function unreadableLayerVerdict(
  loaded: LoadedPolicy,
  arn: string,
  failure: { code: string; reason: string }
): Verdict {
  const name = parseLayerVersionArn(arn)?.name;
  const index = findRule(loaded.policy.layers, { name, arn });
  const rule = index >= 0 ? loaded.policy.layers?.[index] : undefined;
  const mode = rule?.mode ?? loaded.policy.mode ?? 'enforce';
  const check = applyMode(
    {
      id: 'fetch',
      kind: 'digest',
      status: 'fail',
      detail: `The layer version could not be read (${failure.code}: ${failure.reason}); nothing about it can be verified.`,
      evidence: { failure },
    },
    mode
  );
  return {
    subject: { kind: 'layer', name: arn, ...(name !== undefined ? { ruleName: name } : {}), arn },
    ...(rule ? { rule: { section: 'layers' as const, index, match: rule.match } } : {}),
    mode,
    ok: check.outcome !== 'fail',
    checks: [check],
  };
}
