import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** Credentials as the SDK clients accept them (static or a provider). */
export type Credentials = NonNullable<LambdaClientConfig['credentials']>;
type Identity = Exclude<Credentials, (...args: never[]) => unknown>;

/** Settings shared by every client a scan builds. */
export interface AwsOptions {
  /** `--endpoint-url`; otherwise the SDK's own resolution (including AWS_ENDPOINT_URL). */
  endpointUrl?: string;
  /** `--profile`; the SDK reads it from the shared config and credentials files. */
  profile?: string;
  /** Explicit base credentials (tests); otherwise the SDK's default provider chain. */
  credentials?: Credentials;
  /** Attempts per API call, for the SDK's retry strategy (default 8). */
  maxAttempts?: number;
}

/** API traffic counted across every client of a scan. */
export interface ApiStats {
  /** HTTP requests sent to AWS APIs, retries included. */
  requests: number;
  /** Requests per operation name (e.g. ListFunctionsCommand). */
  byOperation: Map<string, number>;
}

export function newApiStats(): ApiStats {
  return { requests: 0, byOperation: new Map() };
}

/** Whose resources a set of clients reads: the caller's own, or an assumed role's. */
export interface Principal {
  /** `default` or the role ARN. */
  label: string;
  /** undefined: the base credentials. */
  credentials: Credentials | undefined;
}

type CountableClient = LambdaClient | STSClient;

/**
 * Count every HTTP attempt: the deserialize step runs below the retry
 * middleware, so retries are counted too.
 */
function countRequests(client: CountableClient, stats: ApiStats): void {
  (client as LambdaClient).middlewareStack.add(
    (next, context) => async (args) => {
      stats.requests += 1;
      const op = context.commandName ?? 'unknown';
      stats.byOperation.set(op, (stats.byOperation.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'laminaRequestCounter', priority: 'low' }
  );
}

function baseConfig(options: AwsOptions, region: string, credentials: Credentials | undefined) {
  return {
    region,
    maxAttempts: options.maxAttempts ?? 8,
    // Standard retries: exponential backoff with jitter on throttling, 5xx and network errors.
    retryMode: 'standard',
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(credentials
      ? { credentials }
      : options.credentials
        ? { credentials: options.credentials }
        : {}),
  };
}

/** Builds (and reuses) the SDK clients of one scan. */
export class ClientFactory {
  private readonly lambdas = new Map<string, LambdaClient>();
  private readonly stses = new Map<string, STSClient>();

  constructor(
    readonly options: AwsOptions,
    readonly stats: ApiStats = newApiStats()
  ) {}

  lambda(principal: Principal, region: string): LambdaClient {
    const key = `${principal.label}\0${region}`;
    let c = this.lambdas.get(key);
    if (!c) {
      c = new LambdaClient(baseConfig(this.options, region, principal.credentials));
      countRequests(c, this.stats);
      this.lambdas.set(key, c);
    }
    return c;
  }

  sts(principal: Principal, region: string): STSClient {
    const key = `${principal.label}\0${region}`;
    let c = this.stses.get(key);
    if (!c) {
      c = new STSClient(baseConfig(this.options, region, principal.credentials));
      countRequests(c, this.stats);
      this.stses.set(key, c);
    }
    return c;
  }

  /** The account a principal acts as (STS GetCallerIdentity). */
  async accountOf(principal: Principal, region: string): Promise<string> {
    const out = await this.sts(principal, region).send(new GetCallerIdentityCommand({}));
    return out.Account ?? 'unknown';
  }

  /**
   * A principal for `roleArn`, assumed with the base credentials. Credentials
   * are fetched on first use and again shortly before they expire.
   */
  assumeRole(roleArn: string, region: string): Principal {
    const sts = this.sts({ label: 'default', credentials: undefined }, region);
    let cached: Identity | undefined;
    const provider = async (): Promise<Identity> => {
      const exp = cached?.expiration?.getTime();
      if (cached && (exp === undefined || exp - Date.now() > 60_000)) return cached;
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

  destroy(): void {
    for (const c of this.lambdas.values()) c.destroy();
    for (const c of this.stses.values()) c.destroy();
  }
}
