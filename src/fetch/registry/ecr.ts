/**
 * Amazon ECR registries: recognising their hosts, and HTTP Basic credentials
 * from `ecr:GetAuthorizationToken` (the token is base64 of `AWS:<password>`,
 * valid 12 hours, and covers every registry the caller may read).
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { printable, RegistryError } from '../image/errors.js';
import type { BasicCredential } from './credentials.js';
import { isLoopbackHost } from './http.js';
import { ecrSdk } from '../aws/sdk.js';

/** The account and Region an ECR registry host belongs to. */
export interface EcrRegistry {
  host: string;
  accountId: string;
  region: string;
}

/** A Basic credential with the time it stops working. */
export interface EcrCredential extends BasicCredential {
  expiresAt?: Date;
  /**
   * `host:port` of the token's `proxyEndpoint` when that is a loopback address other than the
   * registry host: a local AWS endpoint's stand-in for the registry. Registry requests (and the
   * token) go there; a non-loopback proxyEndpoint is never followed.
   */
  proxyHost?: string;
}

/**
 * Gets registry credentials for one ECR registry. Injected so that the
 * command can wire it to its one AWS client factory (credentials, profile,
 * endpoint, request counting); tests can count calls.
 */
export type EcrTokenProvider = (registry: EcrRegistry) => Promise<EcrCredential>;

// Private registries: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn] and
// the dual-stack ACCOUNT.dkr-ecr[-fips].REGION.on.aws.
const ECR_HOST =
  /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/;

/** The ECR registry a host names, or undefined for any other host (ECR Public included). */
export function parseEcrHost(host: string): EcrRegistry | undefined {
  const m = ECR_HOST.exec(host.toLowerCase());
  return m ? { host: host.toLowerCase(), accountId: m[1]!, region: m[2]! } : undefined;
}

/** Decodes an `authorizationToken` (base64 of `user:password`). */
export function decodeEcrToken(token: string): BasicCredential {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new RegistryError({
      code: 'ECR_AUTH_FAILED',
      message: 'GetAuthorizationToken returned a token that is not base64 of user:password',
    });
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * A provider that calls GetAuthorizationToken with the client `clientFor`
 * returns for the registry's Region, and reuses a token until five minutes
 * before it expires.
 */
export function ecrTokenProvider(clientFor: (region: string) => ECRClient): EcrTokenProvider {
  const cache = new Map<string, Promise<EcrCredential>>();
  return async (registry) => {
    const key = `${registry.region}`;
    const hit = cache.get(key);
    if (hit) {
      const c = await hit.catch(() => undefined);
      if (c && (!c.expiresAt || c.expiresAt.getTime() - Date.now() > 300_000)) return c;
      cache.delete(key);
    }
    const p = (async (): Promise<EcrCredential> => {
      const { GetAuthorizationTokenCommand } = ecrSdk();
      let out;
      try {
        out = await clientFor(registry.region).send(new GetAuthorizationTokenCommand({}));
      } catch (err) {
        const e = err as { name?: string; message?: string };
        throw new RegistryError({
          code: 'ECR_AUTH_FAILED',
          message: `GetAuthorizationToken in ${registry.region}: ${e.name ?? 'Error'}: ${printable(e.message ?? '', 200)}`,
          cause: err,
        });
      }
      const data = out.authorizationData?.[0];
      if (!data?.authorizationToken) {
        throw new RegistryError({
          code: 'ECR_AUTH_FAILED',
          message: `GetAuthorizationToken in ${registry.region} returned no token`,
        });
      }
      const cred: EcrCredential = decodeEcrToken(data.authorizationToken);
      if (data.expiresAt) cred.expiresAt = data.expiresAt;
      const proxy = loopbackProxy(data.proxyEndpoint, registry.host);
      if (proxy) cred.proxyHost = proxy;
      return cred;
    })();
    cache.set(key, p);
    void p.catch(() => cache.delete(key));
    return p;
  };
}

/** The `host:port` of a loopback `proxyEndpoint` that is not `host` itself; else undefined. */
function loopbackProxy(endpoint: string | undefined, host: string): string | undefined {
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  return url.host !== host && isLoopbackHost(url.hostname) ? url.host : undefined;
}
