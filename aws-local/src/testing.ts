/**
 * The one way tests start the local endpoint: on an estate (YAML text or a file), in a fresh
 * temporary directory that also holds the content cache, with the environment pointing the
 * AWS SDK's default credential chain at the estate's home account and away from the user's
 * own AWS files. `close()` stops the endpoint, restores the environment and removes the
 * directory. Import it as `@lamina/aws-local/testing`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

export type { AwsEndpoint, RequestRecord } from './server.js';
export { zipDirectory, zipFiles } from './zip.js';

/** Options for {@link startAwsLocal}. */
export interface AwsLocalOptions {
  /** Fault spec, e.g. `throttle=0.2,seed=7` (see faults.ts). */
  faults?: string;
  /** Lifetime of presigned content URLs (default 600 s, like Lambda). */
  contentUrlExpiresSeconds?: number;
  /** Set the AWS_* environment for the SDK's default chain (default true). */
  env?: boolean;
}

/** A running endpoint and what a test needs to talk to it. */
export interface AwsLocal {
  /** A temporary directory, removed by `close()`. */
  dir: string;
  endpoint: AwsEndpoint;
  /** `--endpoint-url URL --cache-dir DIR/cache --max-attempts 2`, for the lamina CLI. */
  awsFlags: string[];
  /** SDK client settings for the home account, for calling lamina's pipeline directly. */
  aws: {
    endpointUrl: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  /** The content cache directory inside `dir`. */
  cacheDir: string;
  /** Write a file into `dir`; returns its path. */
  file(name: string, text: string): Promise<string>;
  close(): Promise<void>;
}

const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
] as const;

/** Start the endpoint on an estate: YAML text, or `{ path }` of an estate file. */
export async function startAwsLocal(
  estate: string | { path: string },
  options: AwsLocalOptions = {}
): Promise<AwsLocal> {
  const dir = await mkdtemp(join(tmpdir(), 'lamina-aws-local-'));
  let estateFile: string;
  if (typeof estate === 'string') {
    estateFile = join(dir, 'estate.yaml');
    await writeFile(estateFile, estate);
  } else estateFile = estate.path;
  let endpoint: AwsEndpoint;
  try {
    endpoint = await startAwsEndpoint({
      estate: estateFile,
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.contentUrlExpiresSeconds !== undefined
        ? { contentUrlExpiresSeconds: options.contentUrlExpiresSeconds }
        : {}),
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const saved = new Map<string, string | undefined>(ENV_KEYS.map((k) => [k, process.env[k]]));
  if (options.env ?? true) {
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
      AWS_REGION: endpoint.region,
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    });
  }
  const cacheDir = join(dir, 'cache');
  let closed = false;
  return {
    dir,
    endpoint,
    cacheDir,
    awsFlags: ['--endpoint-url', endpoint.url, '--cache-dir', cacheDir, '--max-attempts', '2'],
    aws: { endpointUrl: endpoint.url, credentials: endpoint.credentials, maxAttempts: 3 },
    file: async (name, text) => {
      const p = join(dir, name);
      await writeFile(p, text);
      return p;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (options.env ?? true) {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      await endpoint.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
