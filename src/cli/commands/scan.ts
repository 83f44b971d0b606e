/** `lamina scan`: enumerate, download, inventory, report. */
import { UsageError } from '../../errors.js';
import { scanEstate } from '../../pipeline/scan.js';
import { renderPackageDriftText } from '../../report/package-drift-text.js';
import { renderScanStats } from '../../report/scan-stats.js';
import { scanTextLines } from '../../report/scan-text.js';
import type { ScanResult } from '../../scan/result.js';
import { scanResultChunks } from '../../scan/result-stream.js';
import { formatBytes } from '../../util/format.js';
import { EXIT } from '../exit.js';
import { boundHeapGrowth } from '../heap.js';
import { ESTATE_ENV, command, type Command } from '../command.js';
import { emit } from '../output.js';
import * as flags from '../flags.js';
import type { CliIo } from '../io.js';
import { escapeTerminal } from '../../util/escape.js';
import { writeReportFiles } from '../reports.js';

export const SCAN_USAGE = `usage: lamina scan [--region R ...] [--profile P] [--role-arn ARN ...] [--endpoint-url URL]
                  [--output-dir DIR] [-o FILE] [--format text|json] [--cache-dir DIR]
                  [--concurrency N] [--page-size N] [--max-attempts N]
                  [--connect-timeout S] [--read-timeout S] [--quiet] [limit flags]
                  [--markdown FILE] [--html FILE] [--history [DB]]
                  [--stats] [--no-reuse] [--rehash-cache] [--prune-cache] [--shard I/N]

Inventories every Lambda function and layer version in the given regions (default:
AWS_REGION, AWS_DEFAULT_REGION, the profile's region) of the caller's account and of
each assumed role's account. Writes one CycloneDX SBOM per distinct layer zip and per
distinct container image (read from ECR with a token per registry) to
DIR/sboms/<sha256>.cdx.json and the scan result to DIR/scan.json (--output-dir DIR,
default ./lamina-scan; --out DIR is the old spelling), with the package-level drift: what
moving each function to its layers' newest version changes, and each function's environment
variables that make the runtime load code (no other variable is recorded). The report goes to
stdout, or to -o FILE. Timeouts are in seconds (default 60 each); limit flags as in 'lamina sbom --help'.
--markdown FILE, --html FILE: also write the report as Markdown (for a pull request or an
issue) or as a single-file HTML page (drift matrix, package diffs, failures, changes).
--history [DB]: record the scan in the scan history (default DB $XDG_STATE_HOME/lamina/
history.db, else ~/.local/state/lamina/history.db); 'lamina changes' then says what changed.
--stats prints the API calls made against the floor (list pages, one description per layer
version not known from an earlier scan) to stderr. Layer versions are immutable, so a re-scan
reuses the descriptions and SBOMs earlier scans left in the cache, and their package drift
while its inputs are unchanged; --no-reuse redoes them.
A cached zip is trusted by its digest and size and hashed as it is read (one changed on disk
fails, and is removed); --rehash-cache hashes each when looked up and fetches a changed one.
--prune-cache: once scan.json is written, remove from the cache the layer zips, kept SBOMs
and layer version records this scan did not use (nothing when an account or region could not
be listed; not with --shard or --no-reuse, nor while other scans use the cache).
--shard I/N scans every N-th account × region pair, starting at the I-th; 'lamina merge'
combines the N outputs into the scan.json one unsharded scan writes.
Exit 3 when any function, layer version or function image could not be fetched.`;

const scan = command(
  SCAN_USAGE,
  {
    'output-dir': { type: 'string' },
    out: { type: 'string' },
    output: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'text' },
    'page-size': { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    markdown: { type: 'string' },
    html: { type: 'string' },
    ...flags.HISTORY,
    stats: { type: 'boolean', default: false },
    'no-reuse': { type: 'boolean', default: false },
    'prune-cache': { type: 'boolean', default: false },
    shard: { type: 'string' },
    ...flags.AWS,
    ...flags.ESTATE,
    ...flags.LIMITS,
  },
  async ({ values, positionals }, io) => {
    if (positionals.length > 0) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `scan takes no positional arguments\n${SCAN_USAGE}`,
      });
    }
    const format = flags.oneOf('format', values.format, ['text', 'json'] as const);
    const outDir = await flags.outputDir(values, io);
    const regions = await flags.regions(values.region, values.profile);
    if (regions.length === 0) throw flags.noRegion(true);
    const concurrency = flags.positiveInt('concurrency', values.concurrency);
    const access = flags.aws(values);
    const pageSize =
      values['page-size'] === undefined
        ? undefined
        : flags.positiveInt('page-size', values['page-size']);

    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
    const progress =
      io.isTty && !values.quiet
        ? (msg: string) => io.stderr.write(`\r\x1b[K${escapeTerminal(msg).slice(0, 99)}`)
        : undefined;
    // The history (SQLite, the policy reader its package facts use) loads only when asked for.
    const history =
      values.history === undefined ? undefined : await import('../../pipeline/history.js');
    const historyDb =
      history === undefined || values.history === undefined
        ? undefined
        : history.prepareHistory(flags.historyDb(values.history, history.defaultHistoryPath));
    const startedAt = new Date();
    boundHeapGrowth();
    const outcome = await scanEstate({
      regions,
      roleArns: values['role-arn'] ?? [],
      ...access,
      outDir,
      concurrency,
      ...(pageSize ? { pageSize } : {}),
      limits: flags.limits(values),
      ...(progress ? { onProgress: progress } : {}),
      reuse: !values['no-reuse'],
      pruneCache: values['prune-cache'],
      ...(shard ? { shard } : {}),
    });
    if (progress) io.stderr.write('\r\x1b[K');
    const { result, stats } = outcome;
    const recorded =
      history === undefined || historyDb === undefined
        ? undefined
        : history.recordScanHistory({
            db: historyDb,
            result,
            outDir,
            startedAt,
            finishedAt: new Date(),
          });
    // In chunks, to stdout or -o FILE: the report of a large estate is never one string.
    await emit(
      format === 'json' ? scanResultChunks(result) : scanTextReport(result),
      values.output,
      io
    );
    await writeReportFiles(
      { markdown: values.markdown, html: values.html },
      { scan: result, changes: recorded?.changes ?? null }
    );
    if (recorded && !values.quiet) {
      const c = recorded.changes;
      const n = c ? Object.values(c.summary).reduce((a, b) => a + b, 0) : 0;
      io.stderr.write(
        escapeTerminal(
          `lamina: recorded as scan ${recorded.scanId} in ${recorded.db}` +
            (c ? `; ${n} change(s) since scan ${c.from.scan} ('lamina changes' lists them)` : '')
        ) + '\n'
      );
    }
    if (!values.quiet && format === 'text') {
      io.stderr.write(
        `lamina: ${stats.api.requests} API requests, ${stats.downloads} downloads ` +
          `(${formatBytes(stats.bytesDownloaded)}), ${stats.cacheHits} from cache, ` +
          `${stats.imagesRead} images read; ` +
          `result in ${outcome.resultPath}\n`
      );
    }
    if (stats.cacheWarning && !values.quiet)
      io.stderr.write(`lamina: warning: cache: ${escapeTerminal(stats.cacheWarning)}\n`);
    const pruned = stats.cachePrune;
    if (pruned && !values.quiet)
      io.stderr.write(
        'removed' in pruned
          ? `lamina: cache pruned: removed ${pruned.removed.files} file(s) ` +
              `(${formatBytes(pruned.removed.bytes)}) this scan did not use\n`
          : `lamina: cache not pruned: ${escapeTerminal(pruned.skipped)}\n`
      );
    if (values.stats) io.stderr.write(renderScanStats(stats));
    return result.failures.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
  },
  ESTATE_ENV
);

/** `lamina scan` (`--history` may stand alone: see flags.historyArgv). */
export const scanCommand: Command = Object.assign(
  (argv: string[], io: CliIo) => scan(flags.historyArgv(argv), io),
  { spec: scan.spec }
);

/** The text report: the scan by layer, then its package drift (when there is any). */
function* scanTextReport(result: ScanResult): Generator<string> {
  yield* scanTextLines(result);
  const drift = renderPackageDriftText(result.drift);
  if (drift) yield `\n${drift}`;
}

/** `--shard I/N`: 1 ≤ I ≤ N. */
function parseShard(text: string): { index: number; count: number } {
  const m = /^([1-9]\d*)\/([1-9]\d*)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index > count)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--shard: want I/N with 1 <= I <= N, got ${JSON.stringify(text)}`,
    });
  return { index, count };
}
