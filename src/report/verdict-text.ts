/** Plain-text rendering of verdicts, one block per subject. */
import type { Verdict } from '../verify/verdict.js';

const MARK = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;

/** Render verdicts for a terminal or a log. */
export function renderVerdictText(verdicts: readonly Verdict[]): string {
  const out: string[] = [];
  for (const v of verdicts) {
    const rule = v.rule ? `${v.rule.section}[${v.rule.index}]` : 'no rule (default)';
    out.push(
      `${v.ok ? 'OK  ' : 'FAIL'} ${v.subject.kind} ${v.subject.name}${v.subject.sha256 ? ` sha256:${v.subject.sha256}` : ''}`
    );
    out.push(`     rule: ${rule}, mode: ${v.mode}`);
    for (const c of v.checks) out.push(`  ${MARK[c.outcome]} ${c.id}: ${c.detail}`);
  }
  return out.join('\n') + '\n';
}
