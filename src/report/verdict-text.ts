/** Plain-text rendering of verdicts, one block per subject. */
import type { Verdict } from '../verify/verdict.js';

const MARK = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;

/** Render verdicts for a terminal or a log. */
export function renderVerdictText(verdicts: readonly Verdict[]): string {
  const out: string[] = [];
  for (const v of verdicts) {
    const rule = v.rule ? `${v.rule.section}[${v.rule.index}]` : 'no rule (default)';
    out.push(
      `${v.ok ? 'OK  ' : 'FAIL'} ${v.subject.kind} ${displayName(v)}${v.subject.sha256 ? ` sha256:${v.subject.sha256}` : ''}`
    );
    out.push(`     rule: ${rule}, mode: ${v.mode}`);
    for (const c of v.checks) out.push(`  ${MARK[c.outcome]} ${c.id}: ${c.detail}`);
  }
  return out.join('\n') + '\n';
}

/** Functions show their version qualifier (`orders-api:2`) so published versions stay apart. */
export function displayName(v: Verdict): string {
  const { kind, name, arn } = v.subject;
  if (kind !== 'function' || !arn) return name;
  const qualifier = /:function:[^:]+:([^:]+)$/.exec(arn)?.[1];
  return qualifier && !name.endsWith(`:${qualifier}`) ? `${name}:${qualifier}` : name;
}
