/**
 * `npm run aws-local -- --estate FILE [--port N] [--faults SPEC] [--url-expires SECONDS]`
 * Starts the local AWS endpoint and prints how to point lamina or the AWS CLI at it.
 */
import { parseArgs } from 'node:util';
import { EstateError } from './estate.js';
import { FaultSpecError } from './faults.js';
import { startAwsEndpoint } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      estate: { type: 'string' },
      port: { type: 'string', default: '0' },
      faults: { type: 'string', default: '' },
      'url-expires': { type: 'string', default: '600' },
    },
    strict: true,
  });
  if (!values.estate) {
    process.stderr.write(
      'usage: aws-local --estate FILE [--port N] [--faults SPEC] [--url-expires SECONDS]\n'
    );
    process.exitCode = 2;
    return;
  }
  const ep = await startAwsEndpoint({
    estate: values.estate,
    port: Number(values.port),
    faults: values.faults,
    contentUrlExpiresSeconds: Number(values['url-expires']),
  });
  const accounts = [...ep.estate.accounts.values()];
  process.stdout.write(
    [
      `lamina local AWS endpoint listening on ${ep.url}`,
      `  accounts: ${accounts.map((a) => `${a.id} (${a.name})`).join(', ')}`,
      values.faults ? `  faults: ${values.faults}` : '  faults: none',
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
  throw err;
});
