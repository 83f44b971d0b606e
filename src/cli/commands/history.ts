/** `lamina history list|prune`: the recorded scans, and retention. */
import { UsageError } from '../../errors.js';
import { defaultHistoryPath, listHistory, pruneHistory } from '../../pipeline/history.js';
import { renderHistoryJson, renderHistoryText, renderPruneText } from '../../report/history.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import type { CliIo } from '../io.js';

export const HISTORY_USAGE = `usage: lamina history list [--db FILE] [--format text|json]
       lamina history prune --keep N [--db FILE]

list: every scan recorded by 'lamina scan --history' (id, when, size, whether 'verify --all
--history' added verdicts). prune: keep the newest N scans and delete the rest, with the facts
and inventories only they used; the file shrinks.
--db: the history database (default ${'$'}XDG_STATE_HOME/lamina/history.db, else
~/.local/state/lamina/history.db).
Exit 0 done, 2 bad input (no history, a damaged database), 3 could not complete.`;

/** `lamina history`. */
export const historyCommand = command(
  HISTORY_USAGE,
  {
    db: { type: 'string' },
    keep: { type: 'string' },
    format: { type: 'string', default: 'text' },
  },
  ({ values, positionals }, io) => Promise.resolve(run(values, positionals, io))
);

function run(
  values: { db?: string | undefined; keep?: string | undefined; format: string },
  positionals: string[],
  io: CliIo
): number {
  const [action, ...rest] = positionals;
  if (rest.length > 0 || (action !== 'list' && action !== 'prune'))
    throw new UsageError({
      code: action === undefined ? 'MISSING_ARGUMENT' : 'BAD_ARGUMENT',
      message: `history takes list or prune\n${HISTORY_USAGE}`,
    });
  const db = flags.historyDb(values.db, defaultHistoryPath);
  if (action === 'list') {
    if (values.keep !== undefined)
      throw new UsageError({ code: 'BAD_ARGUMENT', message: '--keep is for history prune' });
    const format = flags.oneOf('format', values.format, ['text', 'json'] as const);
    const { db: path, scans } = listHistory(db);
    io.stdout.write(
      format === 'json' ? renderHistoryJson(path, scans) : renderHistoryText(path, scans)
    );
    return EXIT.OK;
  }
  if (values.keep === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: 'history prune needs --keep N' });
  const keep = flags.positiveInt('keep', values.keep);
  io.stdout.write(renderPruneText({ keep, ...pruneHistory(db, keep) }));
  return EXIT.OK;
}
