/**
 * The one place AWS SDK v3 clients are built. Every client of a run (Lambda, STS, Signer, S3,
 * ECR) gets the same base configuration from {@link clientConfig}: region, retries, endpoint,
 * profile, credentials, and the request counter. Client packages are loaded on first use, so a
 * run that only lists functions never loads the S3 or ECR SDK.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SignerClient } from '@aws-sdk/client-signer';
import type { STSClient } from '@aws-sdk/client-sts';
import { UsageError } from '../../errors.js';
import { ecrSdk, lambdaSdk, s3Sdk, signerSdk, stsSdk } from './sdk.js';

/** Credentials as the SDK clients accept them (static or a provider). */
export type Credentials = NonNullable<LambdaClientConfig['credentials']>;
type Identity = Exclude<Credentials, (...args: never[]) => unknown>;

/** Settings shared by every client a run builds. */
export interface AwsOptions {
  /**
   * `--endpoint-url`, for every service. Without it the SDK resolves endpoints itself,
   * including `AWS_ENDPOINT_URL` and the service-specific `AWS_ENDPOINT_URL_<SERVICE>`.
   */
  endpointUrl?: string;
  /** `--profile`; the SDK's own loaders read it from the shared config and credentials files. */
  profile?: string;
  /** Explicit base credentials (tests); otherwise the SDK's default provider chain. */
  credentials?: Credentials;
  /** Attempts per API call, for the SDK's retry strategy (default 8). */
  maxAttempts?: number;
  /** Milliseconds to wait for a TCP connection (default {@link DEFAULT_CONNECT_TIMEOUT_MS}). */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a request may wait for the next byte of its answer (default
   * {@link DEFAULT_READ_TIMEOUT_MS}); the AWS CLI's `--cli-read-timeout`.
   */
  readTimeoutMs?: number;
}

/** The AWS CLI's `--cli-connect-timeout` default: 60 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
/** The AWS CLI's `--cli-read-timeout` default: 60 s. */
export const DEFAULT_READ_TIMEOUT_MS = 60_000;

/** The services lamina calls. */
export type AwsService = 'lambda' | 'sts' | 'signer' | 's3' | 'ecr';

interface ClientOf {
  lambda: LambdaClient;
  sts: STSClient;
  signer: SignerClient;
  s3: S3Client;
  ecr: ECRClient;
}

type AnyClient = ClientOf[AwsService];
type ClientConstructor = new (config: Record<string, unknown>) => AnyClient;

/** A service's client class, loaded on first use: an SDK package costs tens of ms and MBs. */
function clientClass(service: AwsService): ClientConstructor {
  switch (service) {
    case 'lambda':
      return lambdaSdk().LambdaClient;
    case 'sts':
      return stsSdk().STSClient;
    case 'signer':
      return signerSdk().SignerClient;
    case 's3':
      return s3Sdk().S3Client;
    case 'ecr':
      return ecrSdk().ECRClient;
  }
}

/** API traffic counted across every client of a run. */
export interface ApiStats {
  /** HTTP requests sent to AWS APIs, retries included. */
  requests: number;
  /** Requests per operation name (e.g. ListFunctionsCommand). */
  byOperation: Map<string, number>;
  /** Requests AWS answered with throttling (HTTP 429 or a throttling error code). */
  throttled: number;
}

export function newApiStats(): ApiStats {
  return { requests: 0, byOperation: new Map(), throttled: 0 };
}

/**
 * Whether a raw HTTP response is AWS throttling the caller: 429 (Lambda's
 * TooManyRequestsException), or a throttling error type in a restJson/awsJson header.
 */
export function isThrottlingResponse(response: unknown): boolean {
  const r = response as { statusCode?: unknown; headers?: Record<string, unknown> } | null;
  if (r?.statusCode === 429) return true;
  const type = r?.headers?.['x-amzn-errortype'];
  return typeof type === 'string' && /^(Throttling|TooManyRequests)/.test(type);
}

/** Whose resources a set of clients reads: the caller's own, or an assumed role's. */
export interface Principal {
  /** `default` or the role ARN. */
  label: string;
  /** undefined: the base credentials. */
  credentials: Credentials | undefined;
}

/** The base credentials' principal. */
export const DEFAULT_PRINCIPAL: Principal = Object.freeze({
  label: 'default',
  credentials: undefined,
});

/**
 * The configuration of one client. Everything every client shares is set here, so a setting
 * added here (connection and request timeouts through `requestHandler`, a per-service endpoint)
 * reaches every service at once.
 */
export function clientConfig(
  options: AwsOptions,
  service: AwsService,
  region: string,
  principal: Principal,
  profileEndpoint?: string
): Record<string, unknown> {
  const credentials = principal.credentials ?? options.credentials;
  const endpoint = options.endpointUrl ?? profileEndpoint;
  const readTimeout = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  return {
    region,
    maxAttempts: options.maxAttempts ?? 8,
    // Without these the SDK waits forever on an endpoint that accepts and never answers.
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      socketTimeout: readTimeout,
    },
    // Adaptive retries: the standard backoff with jitter, plus a client-side token bucket that
    // slows this client (one per service, principal and region) down once AWS throttles it,
    // so a scan stays within the request quota instead of bouncing off it.
    retryMode: 'adaptive',
    ...(endpoint ? { endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(credentials ? { credentials } : {}),
    // Signer's GetRevocationStatus goes to the `data-` host prefix (data-signer.REGION…); a
    // local endpoint has no such host, so the prefix is dropped then, and only then.
    ...(service === 'signer' && endpoint ? { disableHostPrefix: true } : {}),
    ...(service === 's3'
      ? {
          // A bucket in another region answers 301; the SDK then retries in the right one.
          followRegionRedirects: true,
          // A local endpoint has no per-bucket host names.
          ...(endpoint ? { forcePathStyle: true } : {}),
        }
      : {}),
  };
}

/**
 * Count every HTTP attempt: the deserialize step runs below the retry middleware, so retries
 * are counted too.
 */
function countRequests(client: AnyClient, stats: ApiStats): void {
  (client as LambdaClient).middlewareStack.add(
    (next, context) => async (args) => {
      stats.requests += 1;
      const op = context.commandName ?? 'unknown';
      stats.byOperation.set(op, (stats.byOperation.get(op) ?? 0) + 1);
      // Below the deserializer: the raw response, before it becomes an error.
      const out = await next(args);
      if (isThrottlingResponse(out.response)) stats.throttled += 1;
      return out;
    },
    { step: 'deserialize', name: 'laminaRequestCounter', priority: 'low' }
  );
}

/**
 * The profile a run uses: `--profile`, else `AWS_PROFILE`, as the SDK's own loaders pick it;
 * undefined when neither names one (the SDK then uses `default` if it exists).
 */
export function namedProfile(profile: string | undefined): string | undefined {
  return profile ?? (process.env['AWS_PROFILE'] || undefined);
}

/**
 * Refuse a profile that neither the shared config file nor the credentials file defines, as
 * the AWS CLI does ("The config profile (P) could not be found"); read with the SDK's own
 * loader, so `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` apply.
 * @throws UsageError (code UNKNOWN_PROFILE) naming the profile
 */
export async function requireProfile(profile: string | undefined): Promise<void> {
  const name = namedProfile(profile);
  if (name === undefined) return;
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const files = await loadSharedConfigFiles({ ignoreCache: true });
  if (Object.hasOwn(files.configFile, name) || Object.hasOwn(files.credentialsFile, name)) return;
  throw new UsageError({
    code: 'UNKNOWN_PROFILE',
    message:
      `the AWS profile ${JSON.stringify(name)} is not defined in ` +
      `${process.env['AWS_CONFIG_FILE'] ?? '~/.aws/config'} or ` +
      `${process.env['AWS_SHARED_CREDENTIALS_FILE'] ?? '~/.aws/credentials'}` +
      `${profile === undefined ? ' (named by AWS_PROFILE)' : ''}`,
  });
}

/**
 * The region a profile gives when neither `--region` nor the environment does: the SDK's own
 * region loader (`AWS_REGION`, then the profile's `region` in the shared config file).
 */
export async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  await requireProfile(profile);
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS } = await import('@smithy/core/config');
  const name = namedProfile(profile);
  try {
    return await loadConfig(NODE_REGION_CONFIG_OPTIONS, {
      ...(name !== undefined ? { profile: name } : {}),
    })();
  } catch {
    // The SDK's loader throws when nothing names a region: "no region" is the caller's to say.
    return undefined;
  }
}

/** The SDK's service id of each service: the suffix of `AWS_ENDPOINT_URL_<ID>`. */
const SERVICE_ID: Record<AwsService, string> = {
  lambda: 'Lambda',
  sts: 'STS',
  signer: 'signer',
  s3: 'S3',
  ecr: 'ECR',
};

/**
 * A service's endpoint as a named profile configures it. The SDK resolves `endpoint_url` only
 * for the profile `AWS_PROFILE` names, not for a client's `profile` setting, so for `--profile`
 * this applies the SDK's documented order with the SDK's own loader: `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL`, the profile's `services` section, its `endpoint_url`; none when
 * `ignore_configured_endpoint_urls` is set.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export async function profileEndpoint(
  profile: string,
  service: AwsService
): Promise<string | undefined> {
  const { loadConfig, booleanSelector, SelectorType, CONFIG_PREFIX_SEPARATOR } =
    await import('@smithy/core/config');
  const id = SERVICE_ID[service];
  const ignore = await loadConfig<boolean | undefined>(
    {
      environmentVariableSelector: (env) =>
        booleanSelector(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV),
      configFileSelector: (p) =>
        booleanSelector(p, 'ignore_configured_endpoint_urls', SelectorType.CONFIG),
      default: false,
    },
    { profile }
  )();
  if (ignore) return undefined;
  return loadConfig<string | undefined>(
    {
      environmentVariableSelector: (env) =>
        env[`AWS_ENDPOINT_URL_${id.toUpperCase()}`] ?? env['AWS_ENDPOINT_URL'],
      configFileSelector: (p, config) => {
        const section = p['services']
          ? config?.[`services${CONFIG_PREFIX_SEPARATOR}${p['services']}`]
          : undefined;
        return (
          section?.[`${id.toLowerCase()}${CONFIG_PREFIX_SEPARATOR}endpoint_url`] ??
          p['endpoint_url']
        );
      },
      default: undefined,
    },
    { profile }
  )();
}

/** Builds (and reuses, per principal and region) the SDK clients of one run. */
export class ClientFactory {
  private readonly clients = new Map<string, Promise<AnyClient>>();
  private readonly built: AnyClient[] = [];
  private profileChecked: Promise<void> | undefined;

  constructor(
    readonly options: AwsOptions,
    readonly stats: ApiStats = newApiStats()
  ) {}

  /** The client for a service, principal and region; built on first use. */
  client<S extends AwsService>(
    service: S,
    principal: Principal,
    region: string
  ): Promise<ClientOf[S]> {
    const key = `${service}\0${principal.label}\0${region}`;
    let c = this.clients.get(key);
    if (!c) {
      this.profileChecked ??= requireProfile(this.options.profile);
      const endpoint = this.profileChecked.then(() =>
        this.options.endpointUrl === undefined && this.options.profile !== undefined
          ? profileEndpoint(this.options.profile, service)
          : undefined
      );
      c = endpoint.then((fromProfile) => {
        const Client = clientClass(service);
        const client = new Client(
          clientConfig(this.options, service, region, principal, fromProfile)
        );
        countRequests(client, this.stats);
        this.built.push(client);
        return client;
      });
      this.clients.set(key, c);
    }
    return c as Promise<ClientOf[S]>;
  }

  lambda(principal: Principal, region: string): Promise<LambdaClient> {
    return this.client('lambda', principal, region);
  }

  sts(principal: Principal, region: string): Promise<STSClient> {
    return this.client('sts', principal, region);
  }

  signer(principal: Principal, region: string): Promise<SignerClient> {
    return this.client('signer', principal, region);
  }

  s3(principal: Principal, region: string): Promise<S3Client> {
    return this.client('s3', principal, region);
  }

  ecr(principal: Principal, region: string): Promise<ECRClient> {
    return this.client('ecr', principal, region);
  }

  /** The account a principal acts as (STS GetCallerIdentity). */
  async accountOf(principal: Principal, region: string): Promise<string> {
    const { GetCallerIdentityCommand } = stsSdk();
    const out = await (await this.sts(principal, region)).send(new GetCallerIdentityCommand({}));
    return out.Account ?? 'unknown';
  }

  /**
   * A principal for `roleArn`, assumed with the base credentials. Credentials are fetched on
   * first use and again shortly before they expire.
   */
  assumeRole(roleArn: string, region: string): Principal {
    let cached: Identity | undefined;
    const provider = async (): Promise<Identity> => {
      const exp = cached?.expiration?.getTime();
      if (cached && (exp === undefined || exp - Date.now() > 60_000)) return cached;
      const { AssumeRoleCommand } = stsSdk();
      const sts = await this.sts(DEFAULT_PRINCIPAL, region);
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'lamina-scan' })
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      }
      cached = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      return cached;
    };
    return { label: roleArn, credentials: provider };
  }

  /** Close every client built so far. */
  destroy(): void {
    for (const c of this.built) c.destroy();
    this.built.length = 0;
    this.clients.clear();
  }
}
