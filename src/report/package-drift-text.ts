/**
 * The package drift of a scan for the text report, concisely (pure): one line per layer version
 * in use that is not the newest, one per cross-region difference, and the packages deployed at
 * the most versions. Details are in scan.json and the Markdown and HTML reports.
 */
import type { ScanResult } from '../scan/result.js';
import { escapeTerminal } from '../util/escape.js';
import { summaryLine } from './package-diff.js';
import { plural } from './words.js';

/** Empty when the scan has no package drift to show. */
export function renderPackageDriftText(drift: ScanResult['drift'], maxPackages = 10): string {
  const lines: string[] = [];
  for (const l of drift.layerDiffs ?? []) {
    for (const u of l.inUse) {
      if (u.version === l.newestVersion) continue;
      const what = u.diff
        ? summaryLine(u.diff.summary)
        : `no diff (${escapeTerminal(u.diffUnavailable ?? '')})`;
      const hidden = u.catchUp
        .filter((e) => !e.sameAsLayerDiff && e.diff)
        .flatMap((e) => e.functions).length;
      lines.push(
        `  ${escapeTerminal(l.name)} ${l.region} v${u.version} -> v${l.newestVersion} (${plural(u.functions.length, 'function')}): ${what}` +
          (hidden > 0 ? `; other layers change that for ${plural(hidden, 'function')}` : '')
      );
    }
  }
  for (const r of drift.regionDiffs ?? [])
    for (const o of r.others)
      lines.push(
        `  ${escapeTerminal(r.name)} v${r.version} ${o.regions.join(', ')} against ${r.baseline.regions.join(', ')}: ` +
          (o.diff
            ? summaryLine(o.diff.summary)
            : `no diff (${escapeTerminal(o.diffUnavailable ?? '')})`)
      );
  const multi = (drift.packages ?? [])
    .filter((p) => p.versions.length > 1)
    .sort((a, b) => b.versions.length - a.versions.length || (a.key < b.key ? -1 : 1));
  if (lines.length === 0 && multi.length === 0) return '';
  const out = ['Package drift (what moving to the newest version changes):', ...lines];
  if (lines.length === 0) out.push("  every function runs its layers' newest bytes");
  if (multi.length > 0) {
    out.push(`Packages deployed at more than one version (${multi.length}):`);
    for (const p of multi.slice(0, maxPackages))
      out.push(
        `  ${escapeTerminal(p.name)}: ` +
          p.versions
            .map((v) => `${escapeTerminal(v.version ?? '(none)')} (${v.functions.length})`)
            .join(', ')
      );
    if (multi.length > maxPackages)
      out.push(`  … and ${multi.length - maxPackages} more (scan.json drift.packages)`);
  }
  return out.join('\n') + '\n';
}
