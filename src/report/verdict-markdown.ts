/** Verdicts as Markdown (pure): counts first, then every failing subject, then the rest folded. */
import type { Verdict } from '../verify/verdict.js';
import { mdCode, mdText } from '../util/escape.js';
import { limitRows, mdDetails, mdTable } from './markdown.js';
import { displayName as verdictLabel } from './verdict-text.js';

export function renderVerdictsMarkdown(
  verdicts: readonly Verdict[],
  options: { level?: number; maxRows?: number } = {}
): string {
  const h = '#'.repeat(options.level ?? 2);
  const max = options.maxRows ?? 100;
  const failed = verdicts.filter((v) => !v.ok);
  const warned = verdicts.filter((v) => v.ok && v.checks.some((c) => c.outcome === 'warn'));
  const warnedSet = new Set(warned);
  const count = (kind: 'layer' | 'function', f: (v: Verdict) => boolean) =>
    String(verdicts.filter((v) => v.subject.kind === kind && f(v)).length);
  const out: string[] = [
    `${h} lamina verify: ${failed.length === 0 ? 'passed' : `${failed.length} failed`}`,
    '',
    mdTable(
      ['', 'Layers', 'Functions'],
      [
        ['Passed', count('layer', (v) => v.ok), count('function', (v) => v.ok)],
        ['Failed', count('layer', (v) => !v.ok), count('function', (v) => !v.ok)],
        [
          'Passed with warnings',
          count('layer', (v) => warnedSet.has(v)),
          count('function', (v) => warnedSet.has(v)),
        ],
      ],
      ['l', 'r', 'r']
    ),
    '',
  ];
  if (failed.length > 0) {
    out.push(
      mdTable(
        ['Failed', 'Kind', 'Failing checks'],
        limitRows(
          failed.map((v) => [
            mdText(verdictLabel(v)),
            v.subject.kind,
            v.checks
              .filter((c) => c.outcome === 'fail')
              .map((c) => mdCode(c.id))
              .join(', '),
          ]),
          max
        )
      ),
      ''
    );
  }
  const details = (title: string, list: readonly Verdict[]) => {
    if (list.length === 0) return;
    const body = list.slice(0, max).map((v) =>
      [
        `**${mdText(verdictLabel(v))}** (${v.subject.kind}${v.subject.arn ? ` ${mdCode(v.subject.arn)}` : ''}, mode ${v.mode})`,
        '',
        mdTable(
          ['Outcome', 'Check', 'Detail'],
          v.checks.map((c) => [c.outcome.toUpperCase(), mdCode(c.id), mdText(c.detail)])
        ),
      ].join('\n')
    );
    if (list.length > max) body.push(`… and ${list.length - max} more not shown`);
    out.push(mdDetails(`${title} (${list.length})`, body.join('\n\n')), '');
  };
  details('Failed: every check', failed);
  details('Passed with warnings', warned);
  details(
    'Passed',
    verdicts.filter((v) => v.ok && !warnedSet.has(v))
  );
  return out.join('\n').trimEnd() + '\n';
}
