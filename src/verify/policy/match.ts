/** Which rule applies to a subject: the first rule, in file order, whose every `match` field matches. */
import picomatch from 'picomatch';
import { parseArn } from '../../model/arn.js';
import type { Match } from './types.js';

/** What is known about the subject; fields the rule asks for but that are unknown do not match. */
export interface MatchSubject {
  name?: string;
  arn?: string;
}

/** True when every field given in `m` matches the subject (unknown facts never match). */
export function matches(m: Match, s: MatchSubject): boolean {
  if (
    m.name !== undefined &&
    (s.name === undefined || !picomatch.isMatch(s.name, m.name, { dot: true }))
  )
    return false;
  if (
    m.arn !== undefined &&
    (s.arn === undefined || !picomatch.isMatch(s.arn, m.arn, { dot: true }))
  )
    return false;
  if (m.account !== undefined || m.region !== undefined) {
    const parts = s.arn !== undefined ? parseArn(s.arn) : undefined;
    if (!parts) return false;
    if (m.account !== undefined && !m.account.includes(parts.account)) return false;
    if (m.region !== undefined && !m.region.includes(parts.region)) return false;
  }
  return true;
}

/** Index of the first rule that matches, or -1. */
export function findRule(rules: readonly { match: Match }[] | undefined, s: MatchSubject): number {
  return (rules ?? []).findIndex((r) => matches(r.match, s));
}

/**
 * For `gate` and `pin`, where the layer is not published yet: the first rule with a `name` glob
 * matching `name` (its ARN, account and region fields cannot be known and are ignored). -1 if none.
 */
export function findRuleByName(
  rules: readonly { match: Match }[] | undefined,
  name: string
): number {
  return (rules ?? []).findIndex(
    (r) => r.match.name !== undefined && picomatch.isMatch(name, r.match.name, { dot: true })
  );
}
