/** Text, JSON and Markdown renderings of the changes between two scans (pure). */
import { CHANGE_KINDS, type ChangeKind, type Changes } from '../history/changes.js';
import { mdCode, mdText, escapeJsonText, escapeTerminal } from '../util/escape.js';
import { limitRows, mdDetails, mdTable } from './markdown.js';
import { summaryLine } from './package-diff.js';
import { needsAllowance } from '../model/function-handler.js';
import { handlerText, plural, shortDigest, variableText } from './words.js';

/** What each kind means, for headings and the summary table. */
export const CHANGE_TITLES: Readonly<Record<ChangeKind, string>> = Object.freeze({
  'digest-changed': 'Republished under the same version number (other bytes)',
  'signing-revoked': 'Signing jobs or profiles revoked',
  'package-denied': 'Packages newly denied by the policy',
  'digest-new': 'New layer contents (digests not seen before)',
  'layer-version-added': 'Layer versions published',
  'layer-version-removed': 'Layer versions deleted',
  'function-added': 'Functions added',
  'function-removed': 'Functions removed',
  'function-moved': 'Functions that moved to another layer version',
  'function-environment': 'Functions whose environment now makes the runtime load other code',
  'function-handler': 'Functions whose Handler now makes the runtime load other code',
  'drift-grew': 'Drift that grew',
  'drift-shrank': 'Drift that shrank',
  'failure-new': 'New failures',
  'failure-resolved': 'Failures resolved',
});

const fnName = (arn: string) => {
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  const p = arn.split(':');
  return p.length >= 7 ? `${p[6]}${p[7] && p[7] !== '$LATEST' ? `:${p[7]}` : ''} (${p[3]})` : arn;
};

const variables = (vs: readonly { name: string; value: string }[]): string =>
  vs.map(variableText).join(' ');

/** One row per change, as plain strings (shared by text, Markdown and HTML). */
export function changeRows(c: Changes, kind: ChangeKind): string[][] {
  switch (kind) {
    case 'digest-changed':
      return c.digestsChanged.map((d) => [
        d.arn,
        `${shortDigest(d.from)} -> ${shortDigest(d.to)}`,
        d.diff ? summaryLine(d.diff.summary) : 'no inventory to compare',
        plural(d.usedBy.length, 'function'),
      ]);
    case 'signing-revoked':
      return c.signingRevoked.map((s) => [
        s.scope,
        s.arn,
        s.before === 'not-seen' ? 'first seen revoked' : 'was not revoked',
        plural(s.layerVersions.length, 'layer version'),
      ]);
    case 'package-denied':
      return c.packagesDenied.map((p) => [
        `${p.name}@${p.version ?? '(no version)'}${p.requiredAs ? ` (required as ${p.requiredAs.join(', ')})` : ''}`,
        p.layerVersions.join(', '),
        plural(p.functions.length, 'function'),
      ]);
    case 'digest-new':
      return c.digestsNew.map((d) => [d.digest, d.layerVersions.join(', ')]);
    case 'layer-version-added':
      return c.layerVersionsAdded.map((l) => [l.arn, shortDigest(l.digest)]);
    case 'layer-version-removed':
      return c.layerVersionsRemoved.map((l) => [l.arn, shortDigest(l.digest)]);
    case 'function-added':
      return c.functionsAdded.map((f) => [fnName(f), f]);
    case 'function-removed':
      return c.functionsRemoved.map((f) => [fnName(f), f]);
    case 'function-moved':
      return c.functionsMoved.map((m) => [
        fnName(m.function),
        m.layer.name,
        m.from ? `v${m.from.version}` : '(not attached)',
        m.to ? `v${m.to.version}` : '(detached)',
      ]);
    case 'function-environment':
      return c.functionsEnvironment.map((e) => [
        fnName(e.function),
        e.unread !== undefined ? `variables not returned (${e.unread})` : variables(e.loaders),
        (e.before.length > 0 ? variables(e.before) : '(none)') +
          (e.comparedWith !== undefined ? ' (of $LATEST: a version published since)' : ''),
      ]);
    case 'function-handler':
      return c.functionsHandler.map((h) => [
        fnName(h.function),
        // The runtimes too when they differ: the same Handler may now be read otherwise.
        `${handlerText(h.to)}${h.runtime !== h.runtimeBefore ? ` (${h.runtime ?? 'no runtime'})` : ''}`,
        `${handlerText(h.from)}${h.runtime !== h.runtimeBefore ? ` (${h.runtimeBefore ?? 'no runtime'})` : ''}` +
          (h.comparedWith !== undefined ? ' (of $LATEST: a version published since)' : ''),
        (needsAllowance(h.target)
          ? 'function:handler fails it unless handler.allow lists it: '
          : '') + h.loads,
      ]);
    case 'drift-grew':
    case 'drift-shrank':
      return (kind === 'drift-grew' ? c.driftGrew : c.driftShrank).map((d) => [
        `${d.name} (${d.owner}, ${d.region})`,
        `${plural(d.before.functionsBehind, 'function')}, ${plural(d.before.versionsBehind, 'version')} behind`,
        `${plural(d.after.functionsBehind, 'function')}, ${plural(d.after.versionsBehind, 'version')} behind`,
      ]);
    case 'failure-new':
      return c.failuresNew.map((f) => [f.code, `${f.scope} ${f.subject}`, f.reason]);
    case 'failure-resolved':
      return c.failuresResolved.map((f) => [f.code, `${f.scope} ${f.subject}`, f.reason]);
  }
}

/** Column headers of each kind's rows. */
export const CHANGE_HEADERS: Readonly<Record<ChangeKind, string[]>> = Object.freeze({
  'digest-changed': ['Layer version', 'Digest', 'Packages', 'Used by'],
  'signing-revoked': ['What', 'ARN', 'Before', 'Signed'],
  'package-denied': ['Package', 'In', 'Used by'],
  'digest-new': ['Digest', 'Layer versions'],
  'layer-version-added': ['Layer version', 'Digest'],
  'layer-version-removed': ['Layer version', 'Digest'],
  'function-added': ['Function', 'ARN'],
  'function-removed': ['Function', 'ARN'],
  'function-moved': ['Function', 'Layer', 'From', 'To'],
  'function-environment': ['Function', 'Now', 'Before'],
  'function-handler': ['Function', 'Now', 'Before', 'The runtime loads'],
  'drift-grew': ['Layer', 'Before', 'After'],
  'drift-shrank': ['Layer', 'Before', 'After'],
  'failure-new': ['Code', 'Subject', 'Reason'],
  'failure-resolved': ['Code', 'Subject', 'Reason'],
});

function heading(c: Changes): string {
  return `Changes from scan ${c.from.scan} (${c.from.finishedAt}) to scan ${c.to.scan} (${c.to.finishedAt})`;
}

/**
 * The changes for a terminal. `failing` (from failingKinds) marks the kinds that fail the run.
 */
export function renderChangesText(c: Changes, failing: readonly ChangeKind[] = []): string {
  const out: string[] = [heading(c)];
  const total = CHANGE_KINDS.reduce((n, k) => n + c.summary[k], 0);
  if (total === 0) out.push('  nothing changed');
  for (const k of CHANGE_KINDS) {
    if (c.summary[k] === 0) continue;
    out.push(
      '',
      `${CHANGE_TITLES[k]} (${c.summary[k]})${failing.includes(k) ? '  [fails: --fail-on]' : ''}`
    );
    for (const row of changeRows(c, k))
      out.push(`  ${row.map((cell) => escapeTerminal(cell)).join('  ')}`);
  }
  if (c.unavailable.length > 0) {
    out.push('', 'Not compared (changes of these kinds may be missing):');
    for (const u of c.unavailable) out.push(`  ${escapeTerminal(u)}`);
  }
  return out.join('\n') + '\n';
}

/** The Changes object as pretty JSON (documented with src/history/changes.ts). */
export function renderChangesJson(c: Changes, failing: readonly ChangeKind[] = []): string {
  return escapeJsonText(JSON.stringify({ ...c, failing }, null, 2)) + '\n';
}

/** A summary table of every kind first, then each non-empty kind folded. */
export function renderChangesMarkdown(
  c: Changes,
  failing: readonly ChangeKind[] = [],
  options: { level?: number; maxRows?: number } = {}
): string {
  const h = '#'.repeat(options.level ?? 2);
  const max = options.maxRows ?? 200;
  const out: string[] = [`${h} ${heading(c)}`, ''];
  if (failing.length > 0)
    out.push(`**Failing** (\`--fail-on\`): ${failing.map((k) => mdCode(k)).join(', ')}`, '');
  out.push(
    mdTable(
      ['Change', 'Kind', 'Count'],
      CHANGE_KINDS.map((k) => [
        failing.includes(k) ? `**${CHANGE_TITLES[k]}**` : CHANGE_TITLES[k],
        mdCode(k),
        String(c.summary[k]),
      ]),
      ['l', 'l', 'r']
    ),
    ''
  );
  if (c.unavailable.length > 0)
    out.push(
      `> **Not compared** (changes of these kinds may be missing): ${c.unavailable.map(mdText).join('; ')}`,
      ''
    );
  for (const k of CHANGE_KINDS) {
    if (c.summary[k] === 0) continue;
    const rows = changeRows(c, k).map((r) => r.map(mdText));
    out.push(
      mdDetails(
        `${mdText(CHANGE_TITLES[k])} (${c.summary[k]})`,
        mdTable(CHANGE_HEADERS[k], limitRows(rows, max))
      ),
      ''
    );
  }
  return out.join('\n').trimEnd() + '\n';
}

/** The formats changes render in. */
export const CHANGES_FORMATS = ['text', 'json', 'markdown'] as const;
export type ChangesFormat = (typeof CHANGES_FORMATS)[number];

/** The changes in one of {@link CHANGES_FORMATS}. */
export function renderChanges(
  c: Changes,
  format: ChangesFormat,
  failing: readonly ChangeKind[] = []
): string {
  if (format === 'json') return renderChangesJson(c, failing);
  return format === 'markdown' ? renderChangesMarkdown(c, failing) : renderChangesText(c, failing);
}
