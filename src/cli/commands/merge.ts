/** `lamina merge`: shard outputs of `lamina scan --shard i/n` into one scan result. */
import { UsageError } from '../../errors.js';
import { mergeScans } from '../../pipeline/merge-scans.js';
import { scanTextLines } from '../../report/scan-text.js';
import { scanResultChunks } from '../../scan/result-stream.js';
import { BASE_ENV, command } from '../command.js';
import { emit } from '../output.js';
import { EXIT } from '../exit.js';
import * as flags from '../flags.js';
import { boundHeapGrowth } from '../heap.js';

export const MERGE_USAGE = `usage: lamina merge [--out DIR] [--format text|json] SHARD_DIR...

Combines the output directories of 'lamina scan --shard I/N' (each with scan.json and sboms/)
into DIR (default ./lamina-scan): one scan.json and sboms/, identical to what one scan of every
shard's accounts and regions writes. The report goes to stdout. Exit 3 when the merged scan
has failures, as 'lamina scan' does; exit 2, writing nothing, unless the directories hold every
shard of one scan, each once.`;

/** `lamina merge`. */
export const mergeCommand = command(
  MERGE_USAGE,
  {
    out: { type: 'string', short: 'o', default: 'lamina-scan' },
    format: { type: 'string', default: 'text' },
  },
  async ({ values, positionals }, io) => {
    const format = flags.oneOf('format', values.format, ['text', 'json'] as const);
    if (positionals.length === 0)
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `merge needs at least one shard directory\n${MERGE_USAGE}`,
      });
    // As large as the scan it equals: the same bound on heap growth, scan.json in chunks.
    boundHeapGrowth();
    const { result } = await mergeScans({ shardDirs: positionals, outDir: values.out });
    await emit(format === 'json' ? scanResultChunks(result) : scanTextLines(result), undefined, io);
    return result.failures.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
  },
  // It starts again with fewer arenas, as scan does (src/cli/arenas.ts).
  [...BASE_ENV, 'MALLOC_ARENA_MAX']
);
