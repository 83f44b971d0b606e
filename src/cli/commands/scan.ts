import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { defaultCacheDir } from '../../fetch/cache.js';
import { renderScanText } from '../../report/scan-text.js';
import { serializeScanResult } from '../../scan/result.js';
import { formatBytes, runScan } from '../../scan/scan.js';
import { LIMIT_FLAGS, limitsFromFlags, parse, positiveInt } from '../args.js';
import { EXIT } from '../exit.js';
import type { CliIo } from '../io.js';
import { escapeTerminal } from '../../report/escape.js';

export const SCAN_USAGE = `usage: lamina scan [--region R ...] [--profile P] [--role-arn ARN ...] [--endpoint-url URL]
                  [--out DIR] [--format text|json] [--cache-dir DIR] [--concurrency N]
                  [--page-size N] [--max-attempts N] [--quiet] [limit flags]

Inventories every Lambda function and layer version in the given regions (default:
AWS_REGION) of the caller's account and of each assumed role's account. Writes one
CycloneDX SBOM per distinct layer zip to DIR/sboms/<sha256>.cdx.json and the scan
result to DIR/scan.json (default DIR: ./lamina-scan). The report goes to stdout.
Exit 3 when any function or layer version could not be fetched.`;

/** `lamina scan`: enumerate, download, inventory, report. */
export async function scanCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    region: { type: 'string', multiple: true },
    profile: { type: 'string' },
    'role-arn': { type: 'string', multiple: true },
    'endpoint-url': { type: 'string' },
    out: { type: 'string', short: 'o', default: 'lamina-scan' },
    format: { type: 'string', default: 'text' },
    'cache-dir': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'page-size': { type: 'string' },
    'max-attempts': { type: 'string', default: '8' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(SCAN_USAGE + '\n');
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `scan takes no positional arguments\n${SCAN_USAGE}`,
    });
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') {
    throw new UsageError({ code: 'BAD_ARGUMENT', message: '--format must be text or json' });
  }
  const regions = values.region ?? [];
  const envRegion = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
  if (regions.length === 0 && envRegion) regions.push(envRegion);
  if (regions.length === 0) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: 'no region: give --region (repeatable) or set AWS_REGION',
    });
  }
  const concurrency = positiveInt('concurrency', values.concurrency);
  const maxAttempts = positiveInt('max-attempts', values['max-attempts']);
  const pageSize =
    values['page-size'] === undefined ? undefined : positiveInt('page-size', values['page-size']);

  const progress =
    io.isTty && !values.quiet
      ? (msg: string) => io.stderr.write(`\r\x1b[K${escapeTerminal(msg).slice(0, 99)}`)
      : undefined;
  const outcome = await runScan({
    regions,
    roleArns: values['role-arn'] ?? [],
    aws: {
      maxAttempts,
      ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
    },
    cacheDir: resolve(values['cache-dir'] ?? defaultCacheDir()),
    outDir: resolve(values.out),
    concurrency,
    ...(pageSize ? { pageSize } : {}),
    limits: limitsFromFlags(values),
    ...(progress ? { onProgress: progress } : {}),
  });
  if (progress) io.stderr.write('\r\x1b[K');
  const { result, stats } = outcome;
  io.stdout.write(format === 'json' ? serializeScanResult(result) : renderScanText(result));
  if (!values.quiet && format === 'text') {
    io.stderr.write(
      `lamina: ${stats.api.requests} API requests, ${stats.downloads} downloads ` +
        `(${formatBytes(stats.bytesDownloaded)}), ${stats.cacheHits} from cache; ` +
        `result in ${outcome.resultPath}\n`
    );
  }
  return result.failures.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
}
