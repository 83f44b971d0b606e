/** `lamina scan`: enumerate, download, inventory, report. */
import { UsageError } from '../../errors.js';
import { scanEstate } from '../../pipeline/scan.js';
import { renderScanText } from '../../report/scan-text.js';
import { serializeScanResult } from '../../scan/result.js';
import { formatBytes } from '../../util/format.js';
import { EXIT } from '../exit.js';
import { AWS_ENV, command } from '../command.js';
import { emit } from '../output.js';
import * as flags from '../flags.js';
import { escapeTerminal } from '../../util/escape.js';

export const SCAN_USAGE = `usage: lamina scan [--region R ...] [--profile P] [--role-arn ARN ...] [--endpoint-url URL]
                  [--output-dir DIR] [-o FILE] [--format text|json] [--cache-dir DIR]
                  [--concurrency N] [--page-size N] [--max-attempts N]
                  [--connect-timeout S] [--read-timeout S] [--quiet] [limit flags]

Inventories every Lambda function and layer version in the given regions (default:
AWS_REGION, AWS_DEFAULT_REGION, the profile's region) of the caller's account and of
each assumed role's account. Writes one CycloneDX SBOM per distinct layer zip to
DIR/sboms/<sha256>.cdx.json and the scan result to DIR/scan.json (--output-dir DIR,
default ./lamina-scan; --out DIR is the old spelling). The report goes to stdout, or to
-o FILE. Timeouts are in seconds (default 60 each); limit flags as in 'lamina sbom --help'.
Exit 3 when any function or layer version could not be fetched.`;

/** `lamina scan`. */
export const scanCommand = command(
  SCAN_USAGE,
  {
    'output-dir': { type: 'string' },
    out: { type: 'string' },
    output: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'text' },
    'page-size': { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
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

    const progress =
      io.isTty && !values.quiet
        ? (msg: string) => io.stderr.write(`\r\x1b[K${escapeTerminal(msg).slice(0, 99)}`)
        : undefined;
    const outcome = await scanEstate({
      regions,
      roleArns: values['role-arn'] ?? [],
      ...access,
      outDir,
      concurrency,
      ...(pageSize ? { pageSize } : {}),
      limits: flags.limits(values),
      ...(progress ? { onProgress: progress } : {}),
    });
    if (progress) io.stderr.write('\r\x1b[K');
    const { result, stats } = outcome;
    await emit(
      format === 'json' ? serializeScanResult(result) : renderScanText(result),
      values.output,
      io
    );
    if (!values.quiet && format === 'text') {
      io.stderr.write(
        `lamina: ${stats.api.requests} API requests, ${stats.downloads} downloads ` +
          `(${formatBytes(stats.bytesDownloaded)}), ${stats.cacheHits} from cache; ` +
          `result in ${outcome.resultPath}\n`
      );
    }
    return result.failures.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
  },
  AWS_ENV
);
