/** The report files `scan` writes besides its main output (`--markdown FILE`, `--html FILE`). */
import type { ChangeKind, Changes } from '../history/changes.js';
import { renderHtmlReport } from '../report/html/report.js';
import { renderChangesMarkdown } from '../report/changes.js';
import { renderScanMarkdown } from '../report/scan-markdown.js';
import type { ScanResult } from '../scan/result.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Verdict } from '../verify/verdict.js';

/** What the report files show. */
export interface ReportContent {
  scan: ScanResult;
  verdicts?: readonly Verdict[];
  /** Changes since the previous recorded scan, when the history has one. */
  changes?: Changes | null;
  failing?: readonly ChangeKind[];
}

/** Write the Markdown and/or HTML report (each atomically); returns the paths written. */
export async function writeReportFiles(
  files: { markdown?: string | undefined; html?: string | undefined },
  content: ReportContent
): Promise<string[]> {
  const written: string[] = [];
  if (files.markdown !== undefined) {
    let md = renderScanMarkdown(content.scan);
    if (content.changes) md += '\n' + renderChangesMarkdown(content.changes, content.failing ?? []);
    await writeFileAtomic(files.markdown, md);
    written.push(files.markdown);
  }
  if (files.html !== undefined) {
    await writeFileAtomic(
      files.html,
      renderHtmlReport({
        scan: content.scan,
        ...(content.verdicts ? { verdicts: content.verdicts } : {}),
        ...(content.changes ? { changes: content.changes } : {}),
        ...(content.failing ? { failing: content.failing } : {}),
      })
    );
    written.push(files.html);
  }
  return written;
}
