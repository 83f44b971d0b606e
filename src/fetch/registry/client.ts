/**
 * A read-only client for one registry over the OCI distribution API
 * (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md).
 *
 * - Transport: `https`, except plain `http` to loopback hosts and to hosts the
 *   caller names as insecure. Redirects are followed here, hop by hop; the
 *   `Authorization` header is computed per hop and only ever sent to the
 *   registry's own origin, never to the storage a blob redirects to.
 * - Authentication: anonymous; HTTP Basic (stored credentials or an ECR
 *   token); the Bearer token challenge (RFC 6750, Docker's token protocol:
 *   https://distribution.github.io/distribution/spec/auth/token/). A host's
 *   credentials go to that registry and to the token service its own 401
 *   challenge names (often another host: auth.docker.io, GitLab's /jwt/auth),
 *   over https; never to any other origin.
 * - Integrity: manifests are hashed before anything reads them; a request by
 *   digest must hash to it, a request by tag takes the hash of the bytes as the
 *   digest, and a `Docker-Content-Digest` header that disagrees is refused.
 *   Integrity failures are retried once; transient failures (429, 5xx,
 *   resets, timeouts) with backoff.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../../model/oci.js';
import { LAMINA_VERSION } from '../../version.js';
import { backoffMs, sleep, type RetryPolicy } from '../retry.js';
import { DOCUMENT_LIMITS, MANIFEST_ACCEPT, sha256Digest, verifyBlob } from '../image/documents.js';
import {
  INTEGRITY_CODES,
  ImageError,
  printable,
  RegistryError,
  tooLarge,
} from '../image/errors.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { NO_CREDENTIALS, type BasicCredential, type CredentialStore } from './credentials.js';
import { parseEcrHost, type EcrRegistry, type EcrTokenProvider } from './ecr.js';
import {
  Agents,
  DEFAULT_TIMEOUTS,
  discard,
  exchange,
  isLoopbackHost,
  readBounded,
  TransientHttpError,
  type HttpExchange,
  type HttpTimeouts,
} from './http.js';

export interface RegistryClientOptions {
  /** Stored credentials (`--registry-auth`, Docker's config.json), per host. */
  credentials?: CredentialStore;
  /** ECR credentials; used for hosts `ecrRegistry` recognises. */
  ecrToken?: EcrTokenProvider;
  /** Which hosts are ECR registries (default: the ECR host name pattern). */
  ecrRegistry?: (host: string) => EcrRegistry | undefined;
  /**
   * Where a registry host's API is served when that is not the host itself (`host[:port]`):
   * an ECR registry's `proxyEndpoint` from GetAuthorizationToken, which for a local endpoint is
   * its registry front on loopback. The reference, messages and credentials keep the host.
   */
  apiHost?: (host: string) => string | undefined;
  /** Hosts (`host` or `host:port`) that may be reached over plain http. */
  insecureHosts?: readonly string[];
  retry?: RetryPolicy;
  timeouts?: Partial<HttpTimeouts>;
  /** Redirect hops per request (default 5). */
  maxRedirects?: number;
  /**
   * Send the host's Basic credential with the first request instead of waiting for a 401
   * (ECR registries always want it): saves one round trip per client. Only to the
   * registry's own origin, like every credential.
   */
  basicFirst?: boolean;
  /** Called for every request sent (each hop and retry), by kind, for statistics. */
  onRequest?: (kind: RegistryRequestKind) => void;
}

/** What a registry request asked for: a manifest, a blob, or anything else (ping, token, referrers). */
export type RegistryRequestKind = 'manifest' | 'blob' | 'other';

/** The kind of a registry API path (`/v2/NAME/manifests/REF`, `/v2/NAME/blobs/DIGEST`). */
export function requestKind(path: string): RegistryRequestKind {
  const m = /^\/v2\/.+\/(manifests|blobs)\/[^/]+$/.exec(path.replace(/[?#].*$/, ''));
  return m?.[1] === 'manifests' ? 'manifest' : m?.[1] === 'blobs' ? 'blob' : 'other';
}

/** Manifest or index bytes whose digest has been established. */
export interface FetchedManifest {
  bytes: Buffer;
  digest: Digest;
  /** The Content-Type the registry sent. */
  contentType: string | undefined;
}

/** Fewer attempts than content downloads: a registry that keeps failing is reported sooner. */
export const REGISTRY_RETRY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 4,
  baseMs: 250,
  capMs: 8_000,
});

const TOKEN_RESPONSE_LIMIT = 64 * 1024;
const ERROR_BODY_LIMIT = 16 * 1024;
class RetryableStatus extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined
  ) {
    super(message);
  }
}

type AuthState =
  | { kind: 'unknown' }
  | { kind: 'anonymous' }
  | { kind: 'basic'; header: string }
  | { kind: 'bearer'; realm: URL; service: string | undefined };

interface CachedToken {
  header: string;
  expires: number;
  /** Whether stored credentials were sent to get it. */
  withCredentials: boolean;
}

/** The API origin for a registry host: Docker Hub's registry is registry-1.docker.io. */
function apiHost(host: string): string {
  return host === 'docker.io' ? 'registry-1.docker.io' : host;
}

export class RegistryClient {
  /** `host[:port]` as the image reference names it. */
  readonly host: string;
  /** `scheme://host[:port]` of the API. */
  readonly origin: string;
  private readonly agents = new Agents();
  private readonly options: Required<
    Pick<RegistryClientOptions, 'credentials' | 'retry' | 'maxRedirects'>
  > &
    RegistryClientOptions;
  private readonly timeouts: HttpTimeouts;
  private auth: AuthState = { kind: 'unknown' };
  private readonly tokens = new Map<string, CachedToken>();
  /** Requests sent (every hop and retry), for tests and statistics. */
  requests = 0;

  constructor(host: string, options: RegistryClientOptions = {}) {
    this.host = host.toLowerCase();
    this.options = {
      ...options,
      credentials: options.credentials ?? NO_CREDENTIALS,
      retry: options.retry ?? REGISTRY_RETRY,
      maxRedirects: options.maxRedirects ?? 5,
    };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const api = options.apiHost?.(this.host)?.toLowerCase() ?? apiHost(this.host);
    this.origin = `${this.plainAllowed(api) ? 'http' : 'https'}://${api}`;
  }

  /** Closes idle connections. */
  close(): void {
    this.agents.destroy();
  }

  private plainAllowed(host: string): boolean {
    const hostname = host.replace(/:\d+$/, '');
    const insecure = this.options.insecureHosts ?? [];
    return isLoopbackHost(hostname) || insecure.includes(host) || insecure.includes(hostname);
  }

  private checkScheme(url: URL, why: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && this.plainAllowed(url.host)) return;
    throw new ImageError({
      code: 'INSECURE_REFUSED',
      message: `${why} ${url.protocol}//${printable(url.host, 100)}: only https is used, except to loopback and hosts named as insecure`,
    });
  }

  // ---------------------------------------------------------------- public API

  /**
   * GET a manifest or index by tag or digest. The bytes are hashed before
   * anything else looks at them: by digest they must match it; by tag their
   * hash is the digest. `expected` (an index entry) also fixes the size.
   */
  async getManifest(
    repository: string,
    ref: { tag: string } | { digest: Digest },
    expected?: Descriptor
  ): Promise<FetchedManifest> {
    const reference = 'digest' in ref ? ref.digest : ref.tag;
    const what = `manifest ${this.host}/${repository}${'digest' in ref ? '@' : ':'}${reference}`;
    return this.retrying(what, async () => {
      const res = await this.send(repository, 'GET', `/v2/${repository}/manifests/${reference}`, {
        accept: MANIFEST_ACCEPT,
      });
      if (res.status !== 200) await this.failure(res, what, 'MANIFEST_NOT_FOUND');
      const bytes = await readBounded(res, DOCUMENT_LIMITS.manifestBytes, what);
      const digest = sha256Digest(bytes);
      if ('digest' in ref && digest !== ref.digest) {
        throw new ImageError({
          code: 'DIGEST_MISMATCH',
          message: `${what}: the registry sent bytes that hash to ${digest}`,
        });
      }
      if (expected) verifyBlob(bytes, expected, what);
      checkContentDigest(res, digest, what);
      const ct = res.headers['content-type'];
      return { bytes, digest, contentType: typeof ct === 'string' ? ct : undefined };
    });
  }

  /**
   * Opens a blob's byte stream. The caller hashes and counts it; this checks
   * only what the headers announce (size, Docker-Content-Digest).
   */
  async openBlob(repository: string, descriptor: Descriptor): Promise<Readable> {
    // Integrity is the reader's to judge (and retry once): only it sees the bytes.
    return this.retrying(
      `blob ${descriptor.digest}`,
      () => this.openBlobOnce(repository, descriptor),
      false
    );
  }

  private async openBlobOnce(repository: string, descriptor: Descriptor): Promise<Readable> {
    const what = `blob ${descriptor.digest} of ${this.host}/${repository}`;
    const res = await this.send(repository, 'GET', `/v2/${repository}/blobs/${descriptor.digest}`, {
      'accept-encoding': 'identity',
    });
    if (res.status !== 200) await this.failure(res, what, 'BLOB_NOT_FOUND');
    const announced = res.headers['content-length'];
    if (announced !== undefined && Number(announced) !== descriptor.size) {
      res.body.destroy();
      throw new ImageError({
        code: 'SIZE_MISMATCH',
        message: `${what}: Content-Length ${printable(announced, 30)}, descriptor says ${descriptor.size}`,
      });
    }
    if (
      typeof res.headers['content-encoding'] === 'string' &&
      res.headers['content-encoding'] !== 'identity'
    ) {
      res.body.destroy();
      throw new ImageError({
        code: 'DIGEST_MISMATCH',
        message: `${what}: served with Content-Encoding ${printable(res.headers['content-encoding'], 30)}, not as stored`,
      });
    }
    if (res.url.origin === this.origin) checkContentDigest(res, descriptor.digest, what);
    return res.body;
  }

  /** Reads a small blob (a config) whole, verified against its descriptor. */
  async readBlob(repository: string, descriptor: Descriptor, max: number): Promise<Buffer> {
    const what = `blob ${descriptor.digest} of ${this.host}/${repository}`;
    if (descriptor.size > max) {
      throw tooLarge(what, descriptor.size, max);
    }
    return this.retrying(what, async () => {
      const body = await this.openBlobOnce(repository, descriptor);
      const bytes = await readBounded(
        { status: 200, headers: {}, headersDistinct: {}, body, url: new URL(this.origin) },
        max,
        what
      );
      verifyBlob(bytes, descriptor, what);
      return bytes;
    });
  }

  /**
   * A raw authenticated request for a path of the repository (referrers,
   * tag lists). Redirects, authentication and retries as above; the caller
   * reads (and bounds) the body.
   */
  async request(
    repository: string,
    method: 'GET' | 'HEAD',
    path: string,
    headers: Record<string, string> = {}
  ): Promise<HttpExchange> {
    return this.retrying(`${method} ${path}`, () => this.send(repository, method, path, headers));
  }

  // ---------------------------------------------------------------- retries

  /**
   * Runs one whole operation (request and body), retrying transient failures
   * (network errors, timeouts, 429, 5xx) with backoff per the policy, and an
   * integrity failure once (unless the caller retries those itself).
   */
  private async retrying<T>(what: string, fn: () => Promise<T>, retryIntegrity = true): Promise<T> {
    const policy = this.options.retry;
    let last: Error | undefined;
    let integrityRetried = !retryIntegrity;
    for (let attempt = 0; ;) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ImageError && INTEGRITY_CODES.has(err.code) && !integrityRetried) {
          integrityRetried = true;
          continue;
        }
        if (!(err instanceof TransientHttpError || err instanceof RetryableStatus)) throw err;
        last = err;
        if (++attempt >= policy.attempts) break;
        const hint = err instanceof RetryableStatus ? err.retryAfterMs : undefined;
        await sleep(Math.max(backoffMs(policy, attempt), Math.min(hint ?? 0, policy.capMs)));
      }
    }
    const timeout = last instanceof TransientHttpError && last.code === 'TIMEOUT';
    throw new RegistryError({
      code: timeout ? 'TIMEOUT' : 'RETRIES_EXHAUSTED',
      message: `${what} from ${this.host}: ${policy.attempts} attempts failed; last: ${last?.message ?? 'unknown'}`,
    });
  }

  // ---------------------------------------------------------------- one request

  /**
   * One logical request: redirects followed hop by hop, one authentication
   * round after a 401 from the registry. Authorization is added per hop and
   * only when the hop's origin is the registry's.
   */
  private async send(
    repository: string,
    method: string,
    path: string,
    headers: Record<string, string>
  ): Promise<HttpExchange> {
    const start = new URL(path, this.origin);
    const scope = `repository:${repository}:pull`;
    let authenticated = false;
    let url = start;
    let verb = method;
    for (let hop = 0; ;) {
      this.checkScheme(url, 'refusing');
      const h: Record<string, string> = { 'user-agent': `lamina/${LAMINA_VERSION}`, ...headers };
      if (url.origin === this.origin) {
        const auth = await this.authorization(scope);
        if (auth) h['authorization'] = auth;
      }
      this.requests++;
      this.options.onRequest?.(requestKind(start.pathname));
      const res = await exchange(url, { method: verb, headers: h }, this.agents, this.timeouts);
      if ([301, 302, 303, 307, 308].includes(res.status)) {
        discard(res);
        const location = res.headers.location;
        if (!location)
          throw new RegistryError({
            code: 'HTTP_ERROR',
            message: `${res.status} without Location from ${url.host}`,
          });
        if (++hop > this.options.maxRedirects) {
          throw new RegistryError({
            code: 'TOO_MANY_REDIRECTS',
            message: `${method} ${start.pathname}: more than ${this.options.maxRedirects} redirects`,
          });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new RegistryError({
            code: 'HTTP_ERROR',
            message: `bad redirect Location from ${url.host}`,
          });
        }
        this.checkScheme(next, 'refusing a redirect to');
        // Userinfo in a URL becomes an Authorization header in node:http; a
        // redirect must not choose what we authenticate with.
        next.username = '';
        next.password = '';
        if (res.status === 303) verb = 'GET';
        url = next;
        continue;
      }
      if (res.status === 401 && url.origin === this.origin) {
        const challenges = parseChallenges(res.headersDistinct['www-authenticate']);
        discard(res);
        if (authenticated) throw this.rejected(scope);
        await this.authenticate(challenges, scope);
        authenticated = true;
        url = start;
        verb = method;
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        discard(res);
        throw new RetryableStatus(`HTTP ${res.status} from ${url.host}`, retryAfter(res));
      }
      return res;
    }
  }

  /** What to say when the registry still answers 401 after authenticating. */
  private rejected(scope: string): RegistryError {
    const usedCredentials =
      this.auth.kind === 'basic' ||
      (this.auth.kind === 'bearer' &&
        this.tokens.get(this.tokenKey(scope))?.withCredentials === true);
    if (usedCredentials) {
      return new RegistryError({
        code: 'AUTH_FAILED',
        message: `${this.host} refused the credentials for ${scope}`,
      });
    }
    return this.authRequired(scope);
  }

  private authRequired(scope: string): RegistryError {
    const helper = this.options.credentials.helperFor(this.host);
    return new RegistryError({
      code: 'AUTH_REQUIRED',
      message: `${this.host} requires credentials for ${scope} and none are configured for this host${
        helper
          ? ` (Docker's config names the credential helper docker-credential-${printable(helper, 40)}, which lamina does not run; write the credentials to a file and pass --registry-auth FILE)`
          : ''
      }`,
    });
  }

  // ---------------------------------------------------------------- authentication

  private async authorization(scope: string): Promise<string | undefined> {
    if (this.auth.kind === 'unknown' && this.options.basicFirst) {
      const cred = await this.credential();
      if (cred) this.auth = { kind: 'basic', header: basicHeader(cred) };
    }
    const a = this.auth;
    if (a.kind === 'basic') return a.header;
    if (a.kind !== 'bearer') return undefined;
    const cached = this.tokens.get(this.tokenKey(scope));
    if (cached && cached.expires > Date.now()) return cached.header;
    return this.fetchToken(scope, a.realm, a.service);
  }

  private tokenKey(scope: string): string {
    return scope;
  }

  private async authenticate(challenges: Challenge[], scope: string): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      const realmText = bearer.params['realm'];
      let realm: URL;
      try {
        realm = new URL(realmText ?? '');
      } catch {
        throw new RegistryError({
          code: 'AUTH_FAILED',
          message: `${this.host}: Bearer challenge without a valid realm`,
        });
      }
      this.checkScheme(realm, 'refusing the token service');
      realm.username = '';
      realm.password = '';
      this.auth = { kind: 'bearer', realm, service: bearer.params['service'] };
      this.tokens.delete(this.tokenKey(scope));
      await this.fetchToken(scope, realm, bearer.params['service']);
      return;
    }
    if (basic) {
      const cred = await this.credential();
      if (!cred) throw this.authRequired(scope);
      this.auth = { kind: 'basic', header: basicHeader(cred) };
      return;
    }
    throw new RegistryError({
      code: 'AUTH_FAILED',
      message: `${this.host} answered 401 without a Basic or Bearer challenge`,
    });
  }

  /**
   * The credential for this registry: an explicit `--registry-auth` entry,
   * else an ECR token for an ECR host, else Docker's config.json entry.
   */
  private async credential(): Promise<BasicCredential | undefined> {
    const stored = this.options.credentials.get(this.host);
    if (stored?.explicit) return stored;
    const ecr = (this.options.ecrRegistry ?? parseEcrHost)(this.host);
    if (ecr && this.options.ecrToken) return this.options.ecrToken(ecr);
    return stored;
  }

  private async fetchToken(
    scope: string,
    realm: URL,
    service: string | undefined
  ): Promise<string> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { 'user-agent': `lamina/${LAMINA_VERSION}` };
    // The realm was named by this registry's own challenge and has passed the
    // https rule; the registry could as well have asked for the credentials
    // with a Basic challenge, so the token service learns nothing more.
    const cred = await this.credential();
    if (cred) headers['authorization'] = basicHeader(cred);
    this.requests++;
    this.options.onRequest?.('other');
    const res = await exchange(url, { method: 'GET', headers }, this.agents, this.timeouts);
    if (res.status === 429 || res.status >= 500) {
      discard(res);
      throw new RetryableStatus(`token service ${realm.host}: HTTP ${res.status}`, retryAfter(res));
    }
    if (res.status !== 200) {
      discard(res);
      if (res.status === 401 || res.status === 403) {
        if (!cred) throw this.authRequired(scope);
        throw new RegistryError({
          code: 'AUTH_FAILED',
          message: `token service ${printable(realm.host, 100)} refused the credentials (HTTP ${res.status})`,
        });
      }
      throw new RegistryError({
        code: 'AUTH_FAILED',
        message: `token service ${printable(realm.host, 100)}: HTTP ${res.status}`,
      });
    }
    const body = await readBounded(res, TOKEN_RESPONSE_LIMIT, `token from ${realm.host}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError({
        code: 'AUTH_FAILED',
        message: `token service ${printable(realm.host, 100)} sent no JSON`,
      });
    }
    const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
      string,
      unknown
    >;
    const token = typeof o['token'] === 'string' && o['token'] ? o['token'] : o['access_token'];
    if (typeof token !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(token)) {
      throw new RegistryError({
        code: 'AUTH_FAILED',
        message: `token service ${printable(realm.host, 100)} sent no usable token`,
      });
    }
    // Tokens default to 60 s (token spec); renew 10 s early.
    const ttl = typeof o['expires_in'] === 'number' && o['expires_in'] > 0 ? o['expires_in'] : 60;
    const header = `Bearer ${token}`;
    this.tokens.set(this.tokenKey(scope), {
      header,
      expires: Date.now() + Math.max(ttl - 10, 1) * 1000,
      withCredentials: cred !== undefined,
    });
    return header;
  }

  // ---------------------------------------------------------------- errors

  /** Turns a non-200 answer into a coded error (never returns). */
  private async failure(
    res: HttpExchange,
    what: string,
    notFound: 'MANIFEST_NOT_FOUND' | 'BLOB_NOT_FOUND'
  ): Promise<never> {
    const detail = await errorDetail(res);
    if (res.status === 404) {
      // A missing manifest is what the user asked for (exit 2); a missing blob
      // of a verified manifest is the registry's failing (exit 3).
      throw notFound === 'MANIFEST_NOT_FOUND'
        ? new ImageError({ code: notFound, message: `${what}: not found${detail}` })
        : new RegistryError({ code: notFound, message: `${what}: not found${detail}` });
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError({
        code: 'ACCESS_DENIED',
        message: `${what}: HTTP ${res.status}${detail}`,
      });
    }
    throw new RegistryError({
      code: 'HTTP_ERROR',
      message: `${what}: HTTP ${res.status}${detail}`,
    });
  }
}

function basicHeader(c: BasicCredential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

function checkContentDigest(res: HttpExchange, digest: Digest, what: string): void {
  const claimed = res.headersDistinct['docker-content-digest'];
  if (claimed === undefined) return;
  if (claimed.length !== 1 || claimed[0] !== digest) {
    throw new ImageError({
      code: 'CONTENT_DIGEST_MISMATCH',
      message: `${what}: Docker-Content-Digest ${printable(claimed.join(', '), 160)} disagrees with the bytes (${digest})`,
    });
  }
}

function retryAfter(res: HttpExchange): number | undefined {
  const v = res.headers['retry-after'];
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v)) return undefined;
  return Number(v) * 1000;
}

/** The distribution error body's first code and message, sanitised; empty if none. */
async function errorDetail(res: HttpExchange): Promise<string> {
  let body: Buffer;
  try {
    body = await readBounded(res, ERROR_BODY_LIMIT, 'error body');
  } catch {
    return '';
  }
  try {
    const doc = JSON.parse(body.toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const e = doc.errors?.[0];
    if (e && typeof e.code === 'string') {
      return ` (${printable(e.code, 40)}${typeof e.message === 'string' ? `: ${printable(e.message, 160)}` : ''})`;
    }
  } catch {
    // not JSON: say nothing about it
  }
  return '';
}

/**
 * A client for `host`. For an ECR host whose token names a loopback `proxyEndpoint` (a local AWS
 * endpoint), requests go there; the token is asked for first, as the first request needs it anyway.
 */
export async function connectRegistry(
  host: string,
  options: RegistryClientOptions = {}
): Promise<RegistryClient> {
  const ecr = (options.ecrRegistry ?? parseEcrHost)(host.toLowerCase());
  const explicit = options.credentials?.get(host.toLowerCase())?.explicit === true;
  if (ecr && options.ecrToken && options.apiHost === undefined && !explicit) {
    const { proxyHost } = await options.ecrToken(ecr);
    if (proxyHost !== undefined) {
      const own = host.toLowerCase();
      return new RegistryClient(host, {
        ...options,
        apiHost: (h) => (h === own ? proxyHost : undefined),
      });
    }
  }
  return new RegistryClient(host, options);
}
