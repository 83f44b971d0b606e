/** The report files `scan` writes besides its main output (`--markdown FILE`, `--html FILE`). */
import type { ChangeKind, Changes } from '../history/changes.js';
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
  // The renderers load only for the reports asked for (the HTML one carries its page's script).
  if (files.markdown !== undefined) {
    const [{ renderScanMarkdown }, { renderChangesMarkdown }] = await Promise.all([
      import('../report/scan-markdown.js'),
      import('../report/changes.js'),
    ]);
    let md = renderScanMarkdown(content.scan);
    if (content.changes) md += '\n' + renderChangesMarkdown(content.changes, content.failing ?? []);
    await writeFileAtomic(files.markdown, md);
    written.push(files.markdown);
  }
  if (files.html !== undefined) {
    const { htmlReportChunks } = await import('../report/html/report.js');
    // In pieces: the page of a large estate is tens of MB, never held as one string.
    await writeFileAtomic(
      files.html,
      htmlReportChunks({
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
