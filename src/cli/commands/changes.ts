/** `lamina changes`: what changed between two scans recorded in the history. */
import { UsageError } from '../../errors.js';
import { CHANGE_KINDS, DEFAULT_FAIL_ON } from '../../history/changes.js';
import { defaultHistoryPath, historyChanges } from '../../pipeline/history.js';
import { CHANGES_FORMATS, renderChanges } from '../../report/changes.js';
import { EXIT } from '../exit.js';
import { BASE_ENV, command } from '../command.js';
import * as flags from '../flags.js';
import { boundHeapGrowth } from '../heap.js';
import { emit } from '../output.js';
import { writeReportFiles } from '../reports.js';

export const CHANGES_USAGE = `usage: lamina changes [--since SCAN|DATE] [--until SCAN|DATE] [--fail-on KINDS]
                     [--policy FILE] [--db FILE] [--format text|json|markdown] [-o FILE]
                     [--html FILE]

What changed from one recorded scan to a later one (record scans with 'lamina scan --history';
'lamina verify --all --history' adds signing status). Default: the scan before the latest
against the latest. --since/--until take a scan id ('lamina history list') or an ISO 8601
date or date-time, UTC unless it ends in an offset (the last scan finished at or before it). --policy: packages its deny rules match that no
layer carried before are reported as package-denied.
--db: the history database (default ${'$'}XDG_STATE_HOME/lamina/history.db, else
~/.local/state/lamina/history.db).
--html FILE: also write the HTML report of the later scan (drift matrix, package diffs, the
verdicts 'verify --all --history' recorded, failures) with these changes.
Kinds: ${CHANGE_KINDS.join(', ')}.
--fail-on: comma-separated kinds, 'any' or 'none' (default ${DEFAULT_FAIL_ON.join(',')}).
Exit 0 when no selected kind occurred, 1 when one did, 2 bad input (no history, no such scan,
a damaged database), 3 could not complete (database locked, SQLite binding missing).`;

/** `lamina changes`. */
export const changesCommand = command(
  CHANGES_USAGE,
  {
    since: { type: 'string' },
    until: { type: 'string' },
    'fail-on': { type: 'string' },
    policy: { type: 'string' },
    db: { type: 'string' },
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    html: { type: 'string' },
  },
  async ({ values, positionals }, io) => {
    if (positionals.length > 0)
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `changes takes no positional arguments\n${CHANGES_USAGE}`,
      });
    const format = flags.oneOf('format', values.format, CHANGES_FORMATS);
    // Two recorded scans of a large estate, and with --html the later one's analysis and
    // report: the same bound on heap growth as the scan that recorded them.
    boundHeapGrowth();
    const { changes, failing, scan, verdicts } = historyChanges({
      db: flags.historyDb(values.db, defaultHistoryPath),
      ...(values.since !== undefined ? { since: flags.scanRef('since', values.since) } : {}),
      ...(values.until !== undefined ? { until: flags.scanRef('until', values.until) } : {}),
      ...(values['fail-on'] !== undefined ? { failOn: values['fail-on'] } : {}),
      ...(values.policy !== undefined ? { policy: values.policy } : {}),
      withScan: values.html !== undefined,
    });
    if (values.html !== undefined && scan)
      await writeReportFiles(
        { html: values.html },
        { scan, changes, failing, ...(verdicts ? { verdicts } : {}) }
      );
    const text = renderChanges(changes, format, failing);
    await emit(text, values.output, io);
    return failing.length > 0 ? EXIT.POLICY_FAILURE : EXIT.OK;
  },
  // It starts again with fewer arenas, as scan does (src/cli/arenas.ts).
  [...BASE_ENV, 'MALLOC_ARENA_MAX']
);
