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
}

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
async function clientClass(service: AwsService): Promise<ClientConstructor> {
  switch (service) {
    case 'lambda':
      return (await import('@aws-sdk/client-lambda')).LambdaClient;
    case 'sts':
      return (await import('@aws-sdk/client-sts')).STSClient;
    case 'signer':
      return (await import('@aws-sdk/client-signer')).SignerClient;
    case 's3':
      return (await import('@aws-sdk/client-s3')).S3Client;
    case 'ecr':
      return (await import('@aws-sdk/client-ecr')).ECRClient;
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
  principal: Principal
): Record<string, unknown> {
  const credentials = principal.credentials ?? options.credentials;
  return {
    region,
    maxAttempts: options.maxAttempts ?? 8,
    // Adaptive retries: the standard backoff with jitter, plus a client-side token bucket that
    // slows this client (one per service, principal and region) down once AWS throttles it,
    // so a scan stays within the request quota instead of bouncing off it.
    retryMode: 'adaptive',
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(credentials ? { credentials } : {}),
    // Signer's GetRevocationStatus goes to the `data-` host prefix (data-signer.REGION…); a
    // local endpoint has no such host, so the prefix is dropped then, and only then.
    ...(service === 'signer' && options.endpointUrl ? { disableHostPrefix: true } : {}),
    ...(service === 's3'
      ? {
          // A bucket in another region answers 301; the SDK then retries in the right one.
          followRegionRedirects: true,
          // A local endpoint has no per-bucket host names.
          ...(options.endpointUrl ? { forcePathStyle: true } : {}),
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

/** Builds (and reuses, per principal and region) the SDK clients of one run. */
export class ClientFactory {
  private readonly clients = new Map<string, Promise<AnyClient>>();
  private readonly built: AnyClient[] = [];

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
      c = clientClass(service).then((Client) => {
        const client = new Client(clientConfig(this.options, service, region, principal));
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
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
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
      const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
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
