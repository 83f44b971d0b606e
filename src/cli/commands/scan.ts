/** `lamina scan`: enumerate, download, inventory, report. */
import { UsageError } from '../../errors.js';
import { scanEstate } from '../../pipeline/scan.js';
import { renderScanStats } from '../../report/scan-stats.js';
import { renderScanText } from '../../report/scan-text.js';
import { scanResultChunks } from '../../scan/result-stream.js';
import { formatBytes } from '../../util/format.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import { escapeTerminal } from '../../util/escape.js';

export const SCAN_USAGE = `usage: lamina scan [--region R ...] [--profile P] [--role-arn ARN ...] [--endpoint-url URL]
                  [--out DIR] [--format text|json] [--cache-dir DIR] [--concurrency N]
                  [--page-size N] [--max-attempts N] [--quiet] [limit flags]
                  [--stats] [--no-reuse] [--shard I/N]

Inventories every Lambda function and layer version in the given regions (default:
AWS_REGION) of the caller's account and of each assumed role's account. Writes one
CycloneDX SBOM per distinct layer zip to DIR/sboms/<sha256>.cdx.json and the scan
result to DIR/scan.json (default DIR: ./lamina-scan). The report goes to stdout.
Exit 3 when any function or layer version could not be fetched.
--stats prints the API calls made against the floor (list pages, one description per layer
version not known from an earlier scan) to stderr. Layer versions are immutable, so a re-scan
reuses the descriptions and SBOMs earlier scans left in the cache; --no-reuse redoes them.
--shard I/N scans every N-th account × region pair, starting at the I-th; 'lamina merge'
combines the N outputs into the scan.json one unsharded scan writes.`;

/** `lamina scan`. */
export const scanCommand = command(
  SCAN_USAGE,
  {
    out: { type: 'string', short: 'o', default: 'lamina-scan' },
    format: { type: 'string', default: 'text' },
    'page-size': { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    stats: { type: 'boolean', default: false },
    'no-reuse': { type: 'boolean', default: false },
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
    const regions = flags.regions(values.region);
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
    const outcome = await scanEstate({
      regions,
      roleArns: values['role-arn'] ?? [],
      ...access,
      outDir: values.out,
      concurrency,
      ...(pageSize ? { pageSize } : {}),
      limits: flags.limits(values),
      ...(progress ? { onProgress: progress } : {}),
      reuse: !values['no-reuse'],
      ...(shard ? { shard } : {}),
    });
    if (progress) io.stderr.write('\r\x1b[K');
    const { result, stats } = outcome;
    if (format === 'json') for (const c of scanResultChunks(result)) io.stdout.write(c);
    else io.stdout.write(renderScanText(result));
    if (!values.quiet && format === 'text') {
      io.stderr.write(
        `lamina: ${stats.api.requests} API requests, ${stats.downloads} downloads ` +
          `(${formatBytes(stats.bytesDownloaded)}), ${stats.cacheHits} from cache; ` +
          `result in ${outcome.resultPath}\n`
      );
    }
    if (values.stats) io.stderr.write(renderScanStats(stats));
    return result.failures.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
  }
);

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
