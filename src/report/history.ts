/** The scan history's listing and prune result, for a terminal or as JSON (pure). */
import type { ScanInfo } from '../history/types.js';
import { escapeJsonText, escapeTerminal } from '../util/escape.js';
import { plural } from './words.js';

/** One line per recorded scan, oldest first, with the database path on top. */
export function renderHistoryText(db: string, scans: readonly ScanInfo[]): string {
  const out = [`History ${escapeTerminal(db)}: ${plural(scans.length, 'scan')}`];
  if (scans.length > 0)
    out.push(
      `  ${'id'.padStart(5)}  ${'finished'.padEnd(24)}  ${'functions'.padStart(9)}  ${'layer versions'.padStart(14)}  ${'failures'.padStart(8)}  verified`
    );
  for (const s of scans)
    out.push(
      `  ${String(s.id).padStart(5)}  ${escapeTerminal(s.finishedAt).padEnd(24)}  ${String(s.functions).padStart(9)}  ${String(s.layerVersions).padStart(14)}  ${String(s.failures).padStart(8)}  ${s.verified ? `yes (policy ${escapeTerminal(s.policyDigest ?? 'unknown').slice(0, 19)})` : 'no'}`
    );
  return out.join('\n') + '\n';
}

/** The listing as JSON: `{db, scans: ScanInfo[]}`. */
export function renderHistoryJson(db: string, scans: readonly ScanInfo[]): string {
  return escapeJsonText(JSON.stringify({ db, scans }, null, 2)) + '\n';
}

/** What `history prune` removed. */
export function renderPruneText(r: {
  db: string;
  keep: number;
  scans: number;
  facts: number;
  inventories: number;
}): string {
  return (
    `History ${escapeTerminal(r.db)}: kept the newest ${plural(r.keep, 'scan')}; removed ` +
    `${plural(r.scans, 'scan')}, ${plural(r.facts, 'fact')} and ${plural(r.inventories, 'inventory', 'inventories')} only they used\n`
  );
}
