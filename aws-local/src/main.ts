/**
 * `npm run aws-local -- --estate FILE [--port N] [--faults SPEC] [--url-expires SECONDS]`
 * Starts the local AWS endpoint and prints how to point lamina or the AWS CLI at it. A command
 * line it cannot run with exits 2 with one line and the usage; a failure to start, 3.
 */
import { parseArgs } from 'node:util';
import { EstateError } from './estate.js';
import { FaultSpecError } from './faults.js';
import { startAwsEndpoint } from './server.js';

const USAGE = 'usage: aws-local --estate FILE [--port N] [--faults SPEC] [--url-expires SECONDS]';

/** A command line aws-local cannot run with: said on one line with the usage, exit 2. */
class UsageError extends Error {}

/** `--name`'s value as a whole number from `min` to `max`. */
function wholeNumber(name: string, text: string, min: number, max: number): number {
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`--${name}: want a whole number from ${min} to ${max}, got ${text}`);
  return n;
}

/** The command line, or 'help' for --help. */
function parse(
  argv: string[]
): { estate: string; port: number; faults: string; urlExpires: number } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        estate: { type: 'string' },
        port: { type: 'string', default: '0' },
        faults: { type: 'string', default: '' },
        'url-expires': { type: 'string', default: '600' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    // parseArgs says what was wrong (an unknown option, a value missing, an argument too many).
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  if (!values.estate) throw new UsageError('--estate FILE is required');
  return {
    estate: values.estate,
    port: wholeNumber('port', values.port, 0, 65535),
    faults: values.faults,
    urlExpires: wholeNumber('url-expires', values['url-expires'], 1, 7 * 24 * 3600),
  };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`aws-local: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const ep = await startAwsEndpoint({
    estate: args.estate,
    port: args.port,
    faults: args.faults,
    contentUrlExpiresSeconds: args.urlExpires,
  });
  const accounts = [...ep.estate.accounts.values()];
  process.stdout.write(
    [
      `lamina local AWS endpoint listening on ${ep.url}`,
      `  accounts: ${accounts.map((a) => `${a.id} (${a.name})`).join(', ')}`,
      args.faults ? `  faults: ${args.faults}` : '  faults: none',
      '',
      'export these to point lamina or the AWS CLI at it:',
      `export AWS_ENDPOINT_URL=${ep.url}`,
      `export AWS_ACCESS_KEY_ID=${ep.credentials.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${ep.credentials.secretAccessKey}`,
      `export AWS_REGION=${ep.region}`,
      // AWS CLI v1 and older tools read only this one.
      `export AWS_DEFAULT_REGION=${ep.region}`,
      '',
      'Ctrl-C to stop.',
      '',
    ].join('\n')
  );
  const stop = (): void => {
    void ep.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof EstateError || err instanceof FaultSpecError) {
    process.stderr.write(`aws-local: ${err.code}: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  // Anything else (the port taken, say) on one line, not as a stack trace.
  process.stderr.write(`aws-local: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 3;
});
