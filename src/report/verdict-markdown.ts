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
  const count = (kind: Verdict['subject']['kind'], f: (v: Verdict) => boolean) =>
    String(verdicts.filter((v) => v.subject.kind === kind && f(v)).length);
  // An Images column only when there are images, so layer and function reports read as before.
  const kinds: Verdict['subject']['kind'][] = verdicts.some((v) => v.subject.kind === 'image')
    ? ['image', 'layer', 'function']
    : ['layer', 'function'];
  const title = { image: 'Images', layer: 'Layers', function: 'Functions' } as const;
  const row = (label: string, f: (v: Verdict) => boolean) => [
    label,
    ...kinds.map((k) => count(k, f)),
  ];
  const out: string[] = [
    `${h} lamina verify: ${failed.length === 0 ? 'passed' : `${failed.length} failed`}`,
    '',
    mdTable(
      ['', ...kinds.map((k) => title[k])],
      [
        row('Passed', (v) => v.ok),
        row('Failed', (v) => !v.ok),
        row('Passed with warnings', (v) => warnedSet.has(v)),
      ],
      ['l', ...kinds.map(() => 'r' as const)]
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
