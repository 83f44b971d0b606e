/** Text, JSON and Markdown renderings of a package diff (pure). */
import type { DiffSummary, PackageDiff } from '../diff/diff.js';
import { changeCount } from '../diff/summary.js';
import { mdCode, mdText, escapeTerminal } from '../util/escape.js';
import { limitRows, mdDetails, mdTable } from './markdown.js';
import { shortDigest } from './words.js';

/** One line: `6 added, 1 removed, 1 downgraded, …` (only the non-zero counts). */
export function summaryLine(s: DiffSummary): string {
  const parts: string[] = [];
  const add = (n: number, what: string) => {
    if (n > 0) parts.push(`${n} ${what}`);
  };
  add(s.added, 'added');
  add(s.removed, 'removed');
  add(s.upgraded, 'upgraded');
  add(s.downgraded, 'downgraded');
  add(s.unordered, 'changed version');
  add(s.contentChanged, 'changed content');
  add(s.executablesAdded, 'new unowned executable' + (s.executablesAdded === 1 ? '' : 's'));
  add(
    s.executablesRemoved,
    'unowned executable' + (s.executablesRemoved === 1 ? '' : 's') + ' gone'
  );
  add(
    s.executablesChanged,
    'unowned executable' + (s.executablesChanged === 1 ? '' : 's') + ' changed'
  );
  return changeCount(s) === 0 ? 'no package differences' : parts.join(', ');
}

const INCOMPLETE =
  'One or both inventories are incomplete (unowned executables or unparsed metadata): ' +
  'differences in what lamina could not see are not listed.';

const ver = (v: string | undefined) => v ?? '(no version)';

/** The diff for a terminal: a summary line, then one line per difference. */
export function renderPackageDiffText(d: PackageDiff): string {
  const lines: string[] = [];
  lines.push(
    `Package diff: ${escapeTerminal(d.from.name)} (${shortDigest(d.from.digest)}) -> ${escapeTerminal(d.to.name)} (${shortDigest(d.to.digest)})`
  );
  lines.push(`  ${summaryLine(d.summary)}; ${d.summary.unchanged} unchanged`);
  if (!d.complete) lines.push(`  ${INCOMPLETE}`);
  const section = (title: string, rows: string[]) => {
    if (rows.length === 0) return;
    lines.push('', title);
    for (const r of rows) lines.push(`  ${r}`);
  };
  const at = (paths: string[]) => (paths[0] ? `  ${escapeTerminal(paths[0])}` : '');
  section(
    'Added',
    d.added.map(
      (p) => `+ ${escapeTerminal(p.name)} ${escapeTerminal(ver(p.version))}${at(p.paths)}`
    )
  );
  section(
    'Removed',
    d.removed.map(
      (p) => `- ${escapeTerminal(p.name)} ${escapeTerminal(ver(p.version))}${at(p.paths)}`
    )
  );
  section(
    'Version changed',
    d.versionChanged.map(
      (v) =>
        `~ ${escapeTerminal(v.name)} ${escapeTerminal(ver(v.from.version))} -> ${escapeTerminal(ver(v.to.version))} (${v.direction})${at(v.to.paths)}`
    )
  );
  section(
    'Same version, different content',
    d.contentChanged.map(
      (c) =>
        `! ${escapeTerminal(c.name)} ${escapeTerminal(ver(c.version))}${at(c.paths)}  ${shortDigest(c.fromHash)} -> ${shortDigest(c.toHash)}`
    )
  );
  const kind = (k: string | undefined) => (k ? ` (${escapeTerminal(k)})` : '');
  section('Unowned executables', [
    ...d.executables.added.map(
      (e) =>
        `+ ${escapeTerminal(e.path)}${kind(e.binaryKind)} sha256:${(e.sha256 ?? '?').slice(0, 12)}`
    ),
    ...d.executables.removed.map((e) => `- ${escapeTerminal(e.path)}${kind(e.binaryKind)}`),
    ...d.executables.changed.map(
      (e) =>
        `! ${escapeTerminal(e.path)}${kind(e.binaryKind)} sha256:${e.fromSha256.slice(0, 12)} -> ${e.toSha256.slice(0, 12)}`
    ),
  ]);
  return lines.join('\n') + '\n';
}

/** The diff as pretty JSON (the PackageDiff object; documented in docs/scan-result.md). */
export function renderPackageDiffJson(d: PackageDiff): string {
  return JSON.stringify(d, null, 2) + '\n';
}

export interface MarkdownOptions {
  /** Heading level of the title (default 3). */
  level?: number;
  /** Most rows per folded table (default 200). */
  maxRows?: number;
}

/** A summary table first, then each kind of difference folded in `<details>`. */
export function renderPackageDiffMarkdown(d: PackageDiff, options: MarkdownOptions = {}): string {
  const h = '#'.repeat(options.level ?? 3);
  const max = options.maxRows ?? 200;
  const out: string[] = [];
  out.push(
    `${h} Package diff: ${mdCode(d.from.name)} → ${mdCode(d.to.name)}`,
    '',
    `From ${mdCode(d.from.digest || '(unknown)')} to ${mdCode(d.to.digest || '(unknown)')}.`,
    ''
  );
  out.push(packageDiffSummaryTable(d.summary), '');
  if (!d.complete) out.push(`> **Incomplete.** ${INCOMPLETE}`, '');
  out.push(...packageDiffDetails(d, max));
  return out.join('\n').trimEnd() + '\n';
}

/** The counts of a diff summary with their labels, in report order. */
export const DIFF_SUMMARY_LABELS: readonly (readonly [keyof DiffSummary, string])[] = [
  ['added', 'Added'],
  ['removed', 'Removed'],
  ['upgraded', 'Upgraded'],
  ['downgraded', 'Downgraded'],
  ['unordered', 'Version changed (order unknown)'],
  ['contentChanged', 'Same version, different content'],
  ['executablesAdded', 'Unowned executables added'],
  ['executablesRemoved', 'Unowned executables removed'],
  ['executablesChanged', 'Unowned executables changed'],
  ['unchanged', 'Unchanged'],
];

/** The counts as a two-column Markdown table. */
export function packageDiffSummaryTable(s: DiffSummary): string {
  return mdTable(
    ['Difference', 'Count'],
    DIFF_SUMMARY_LABELS.map(([k, label]) => [label, String(s[k])]),
    ['l', 'r']
  );
}

/** The folded detail sections of a diff (empty kinds left out). */
export function packageDiffDetails(d: PackageDiff, max: number): string[] {
  const out: string[] = [];
  const fold = (title: string, n: number, headers: string[], rows: string[][]) => {
    if (n === 0) return;
    out.push(mdDetails(`${title} (${n})`, mdTable(headers, limitRows(rows, max))), '');
  };
  const path = (ps: string[]) => (ps[0] ? mdCode(ps[0]) : '');
  fold(
    'Added',
    d.added.length,
    ['Package', 'Version', 'Path'],
    d.added.map((p) => [mdText(p.name), mdText(ver(p.version)), path(p.paths)])
  );
  fold(
    'Removed',
    d.removed.length,
    ['Package', 'Version', 'Path'],
    d.removed.map((p) => [mdText(p.name), mdText(ver(p.version)), path(p.paths)])
  );
  fold(
    'Version changed',
    d.versionChanged.length,
    ['Package', 'From', 'To', 'Direction', 'Path'],
    d.versionChanged.map((v) => [
      mdText(v.name),
      mdText(ver(v.from.version)),
      mdText(ver(v.to.version)),
      v.direction,
      path(v.to.paths),
    ])
  );
  fold(
    'Same version, different content',
    d.contentChanged.length,
    ['Package', 'Version', 'Path', 'From', 'To'],
    d.contentChanged.map((c) => [
      mdText(c.name),
      mdText(ver(c.version)),
      path(c.paths),
      mdCode(shortDigest(c.fromHash)),
      mdCode(shortDigest(c.toHash)),
    ])
  );
  const exe = d.executables;
  fold(
    'Unowned executables',
    exe.added.length + exe.removed.length + exe.changed.length,
    ['Change', 'Path', 'Kind', 'SHA-256'],
    [
      ...exe.added.map((e) => [
        'added',
        mdCode(e.path),
        mdText(e.binaryKind ?? ''),
        mdCode((e.sha256 ?? '?').slice(0, 12)),
      ]),
      ...exe.removed.map((e) => [
        'removed',
        mdCode(e.path),
        mdText(e.binaryKind ?? ''),
        mdCode((e.sha256 ?? '?').slice(0, 12)),
      ]),
      ...exe.changed.map((e) => [
        'changed',
        mdCode(e.path),
        mdText(e.binaryKind ?? ''),
        `${mdCode(e.fromSha256.slice(0, 12))} → ${mdCode(e.toSha256.slice(0, 12))}`,
      ]),
    ]
  );
  return out;
}

/** A package diff as text, JSON or Markdown. */
export function renderPackageDiff(d: PackageDiff, format: 'text' | 'json' | 'markdown'): string {
  if (format === 'json') return renderPackageDiffJson(d);
  return format === 'markdown' ? renderPackageDiffMarkdown(d) : renderPackageDiffText(d);
}
