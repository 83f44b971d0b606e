/**
 * A local AWS-compatible endpoint for Lambda, Signer, STS and S3 (GetObject), seeded from an
 * estate file. The real AWS SDK v3 clients (and the AWS CLI) talk to it over
 * HTTP: requests are routed by the SigV4 credential scope, the caller's account
 * comes from the access key id, and each signature is checked with the estate's secret key
 * for it (a wrong secret is refused as AWS refuses it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContentStore, type ContentItem } from './content.js';
import type { HandlerContext } from './context.js';
import { loadEstate, type Estate } from './estate.js';
import { FaultInjector, parseFaultSpec, type FaultSpec } from './faults.js';
import { IdentityStore } from './identity.js';
import { routeEcr } from './ecr.js';
import { routeLambda } from './lambda.js';
import {
  hasRepositories,
  startImageRegistry,
  TokenIssuer,
  type ImageRegistry,
} from './registry.js';
import { S3Store, writeS3ApiError } from './s3.js';
import { routeSigner } from './signer.js';
import { signatureMatches } from './sigv4.js';
import { handleSts, stsAction } from './sts.js';
import {
  ApiError,
  nextRequestId,
  writeJson,
  writeJsonError,
  writeQueryError,
  writeQueryResult,
  writeS3Error,
  type ApiResult,
  type Caller,
} from './wire.js';

/** Options for {@link startAwsEndpoint}. */
export interface AwsEndpointOptions {
  /** A loaded estate, or the path of an estate YAML file. */
  estate: Estate | string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Fault spec, e.g. `throttle=0.2,latency=10-50,seed=7` (see faults.ts). */
  faults?: string | FaultSpec;
  /** Lifetime of Content.Location / Code.Location URLs; 600 s like Lambda. */
  contentUrlExpiresSeconds?: number;
  /** Lifetime of ECR authorization tokens; 12 hours like ECR. */
  ecrTokenSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** One handled request, for tests to observe faults and call counts. */
export interface RequestRecord {
  service: 'lambda' | 'signer' | 'sts' | 's3' | 'ecr' | 'registry' | 'content' | 'unknown';
  op: string;
  status: number;
  account?: string;
  region?: string;
  /** Registry requests: the manifest or blob reference asked for. */
  ref?: string;
  /** The fault injected into this request, if any. */
  fault?: 'throttle' | '5xx' | 'reset' | 'truncate' | 'badsha' | 'expired';
}

/** A running endpoint. */
export interface AwsEndpoint {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  estate: Estate;
  /** The home account's first access key. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The home account's first region (or us-east-1). */
  region: string;
  /** Every request handled, in order. */
  log: RequestRecord[];
  close(): Promise<void>;
}

interface Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Reads `Credential=AKID/DATE/REGION/SERVICE/aws4_request` out of a SigV4 Authorization header. */
export function parseCredentialScope(auth: string | undefined): Scope | undefined {
  if (!auth) return undefined;
  const m = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (!m) return undefined;
  return { accessKeyId: m[1] ?? '', region: m[3] ?? '', service: m[4] ?? '' };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Starts the endpoint. */
export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  const estate = typeof options.estate === 'string' ? loadEstate(options.estate) : options.estate;
  const faults = new FaultInjector(
    typeof options.faults === 'string' || options.faults === undefined
      ? parseFaultSpec(options.faults ?? '')
      : options.faults
  );
  const now = options.now ?? (() => new Date());
  const expiresIn = options.contentUrlExpiresSeconds ?? 600;
  const content = new ContentStore();
  const identities = new IdentityStore(estate);
  const s3 = new S3Store(estate);
  const log: RequestRecord[] = [];
  let base = '';
  const tokens = new TokenIssuer();
  const tokenSeconds = options.ecrTokenSeconds ?? 12 * 3600;
  let tokensIssued = 0;
  // Images are served only when the estate has some: no registry process otherwise.
  const images: ImageRegistry | undefined = hasRepositories(estate)
    ? await startImageRegistry({ estate, faults, tokens, log, now })
    : undefined;

  const home = estate.accounts.get(estate.homeAccount);
  const homeKey = home?.accessKeys[0];
  if (!home || !homeKey) throw new Error('estate has no home account key'); // parseEstate guarantees it

  /** The request's SigV4 signature is the one the estate's secret for its key gives. */
  function signed(req: IncomingMessage, body: string, accessKeyId: string): boolean {
    const secret = identities.secretOf(accessKeyId);
    return (
      secret !== undefined &&
      signatureMatches(
        { method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers: req.headers, body },
        secret
      )
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = nextRequestId();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    const record: RequestRecord = { service: 'unknown', op: 'Unknown', status: 0 };
    log.push(record);

    const delay = faults.delay();
    if (delay > 0) await sleep(delay);

    if (url.pathname.startsWith('/_content/')) {
      record.service = 'content';
      record.op = 'GetContent';
      serveContent(url, method, res, record, requestId);
      return;
    }

    const scope = parseCredentialScope(req.headers.authorization);
    if (scope?.service === 's3') {
      serveS3(req, url, method, res, record, requestId, scope);
      return;
    }
    const looksQuery = method === 'POST' && stsAction(body) !== undefined;
    const family = scope?.service === 'sts' || (!scope && looksQuery) ? 'query' : 'json';
    const fail = (err: ApiError, service: 'lambda' | 'signer' | 'unknown'): void => {
      record.status = err.status;
      if (family === 'query') writeQueryError(res, err, requestId);
      else writeJsonError(res, err, service, requestId);
    };
    if (!scope) {
      fail(
        family === 'query'
          ? new ApiError(
              403,
              'MissingAuthenticationToken',
              'Request is missing Authentication Token'
            )
          : new ApiError(
              403,
              'MissingAuthenticationTokenException',
              'Missing Authentication Token'
            ),
        'unknown'
      );
      return;
    }
    record.region = scope.region;
    const sessionToken = req.headers['x-amz-security-token'];
    let caller: Caller;
    try {
      caller = identities.resolve(
        scope.accessKeyId,
        typeof sessionToken === 'string' ? sessionToken : undefined,
        now(),
        family
      );
    } catch (err) {
      fail(err as ApiError, 'unknown');
      return;
    }
    if (!signed(req, body, scope.accessKeyId)) {
      fail(
        family === 'query'
          ? new ApiError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH)
          : new ApiError(403, 'InvalidSignatureException', SIGNATURE_MISMATCH),
        'unknown'
      );
      return;
    }
    record.account = caller.account;

    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    let op: string | undefined;
    let run: (() => ApiResult | string) | undefined;
    const ctx: HandlerContext = {
      estate,
      caller,
      region: scope.region,
      segments,
      query: url.searchParams,
      body,
      content,
      presign: (item: ContentItem) => presign(item, op ?? ''),
      now,
      ecr: {
        issueToken: (account) => {
          const t = now();
          const expiresAt = new Date(t.getTime() + tokenSeconds * 1000);
          // The `expired` fault: a token that has already stopped working, though its
          // expiresAt says otherwise (as after a clock skew or a revoked session).
          // `expired@GetAuthorizationToken#N` targets only the N-th token of the run.
          tokensIssued += 1;
          const nth = `GetAuthorizationToken#${tokensIssued}`;
          const expired = faults.spec.rates.get('expired')?.has(nth)
            ? faults.roll('expired', nth)
            : faults.roll('expired', op ?? '');
          if (expired) record.fault = 'expired';
          return {
            authorizationToken: tokens.issue(account, expired ? t : expiresAt),
            expiresAt,
          };
        },
        proxyEndpoint: (account, region) => images?.proxyEndpoint(account, region),
      },
    };
    const service = scope.service;
    if (service === 'lambda') {
      record.service = 'lambda';
      const r = routeLambda(method, segments, url.searchParams);
      if (r) [op, run] = [r.op, () => r.handle(ctx)];
    } else if (service === 'signer') {
      record.service = 'signer';
      const r = routeSigner(method, segments);
      if (r) [op, run] = [r.op, () => r.handle(ctx)];
    } else if (service === 'ecr') {
      record.service = 'ecr';
      const target = req.headers['x-amz-target'];
      const r = routeEcr(method, typeof target === 'string' ? target : undefined);
      if (r) [op, run] = [r.op, () => r.handle(ctx)];
    } else if (service === 'sts') {
      record.service = 'sts';
      const action = method === 'POST' ? stsAction(body) : undefined;
      if (action) [op, run] = [action, () => handleSts(action, body, caller, identities, now())];
    }
    const jsonService = service === 'lambda' || service === 'signer' ? service : 'unknown';
    if (!op || !run) {
      fail(
        new ApiError(
          404,
          'UnknownOperationException',
          `Unknown operation ${method} ${url.pathname}`
        ),
        jsonService
      );
      return;
    }
    record.op = op;

    // Per-request faults, in the service's own error dialect.
    if (faults.roll('reset', op)) {
      record.fault = 'reset';
      req.socket.destroy();
      return;
    }
    const overQuota =
      service === 'lambda' && faults.overQuota(`${caller.account}/${scope.region}`, Date.now());
    if (overQuota || faults.roll('throttle', op)) {
      record.fault = 'throttle';
      fail(throttleError(service), jsonService);
      return;
    }
    if (faults.roll('5xx', op)) {
      record.fault = '5xx';
      fail(serverError(service, faults.roll('5xx', `${op}#503`)), jsonService);
      return;
    }

    let result: ApiResult | string;
    try {
      result = run();
    } catch (err) {
      if (err instanceof ApiError) {
        fail(err, jsonService);
        return;
      }
      throw err;
    }
    if (typeof result === 'string') {
      record.status = 200;
      writeQueryResult(res, op, result, requestId);
    } else {
      record.status = result.status ?? 200;
      writeJson(res, record.status, result.body, requestId);
    }

    function presign(item: ContentItem, forOp: string): string {
      const t = now();
      if (faults.roll('expired', forOp)) {
        record.fault = 'expired';
        return content.presign(
          base,
          item,
          new Date(t.getTime() - (expiresIn + 60) * 1000),
          expiresIn
        );
      }
      return content.presign(base, item, t, expiresIn);
    }
  }

  /** S3 speaks XML errors of its own, and object bodies are bytes: handled apart from the JSON services. */
  function serveS3(
    req: IncomingMessage,
    url: URL,
    method: string,
    res: ServerResponse,
    record: RequestRecord,
    requestId: string,
    scope: Scope
  ): void {
    record.service = 's3';
    record.region = scope.region;
    const head = method === 'HEAD';
    record.op = head ? 'HeadObject' : 'GetObject';
    const fail = (err: ApiError): void => {
      record.status = err.status;
      writeS3ApiError(res, err, requestId, head);
    };
    const sessionToken = req.headers['x-amz-security-token'];
    let caller: Caller;
    try {
      caller = identities.resolve(
        scope.accessKeyId,
        typeof sessionToken === 'string' ? sessionToken : undefined,
        now(),
        'json'
      );
    } catch (err) {
      const e = err as ApiError;
      fail(
        e.code === 'ExpiredTokenException'
          ? new ApiError(400, 'ExpiredToken', 'The provided token has expired.')
          : new ApiError(
              403,
              'InvalidAccessKeyId',
              'The AWS Access Key Id you provided does not exist in our records.'
            )
      );
      return;
    }
    if (!signed(req, '', scope.accessKeyId)) {
      fail(new ApiError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH));
      return;
    }
    record.account = caller.account;
    if (faults.roll('reset', record.op)) {
      record.fault = 'reset';
      req.socket.destroy();
      return;
    }
    if (faults.roll('throttle', record.op)) {
      record.fault = 'throttle';
      fail(new ApiError(503, 'SlowDown', 'Please reduce your request rate.'));
      return;
    }
    if (faults.roll('5xx', record.op)) {
      record.fault = '5xx';
      fail(
        new ApiError(500, 'InternalError', 'We encountered an internal error. Please try again.')
      );
      return;
    }
    let out;
    try {
      out = s3.handle(method, url.pathname, caller, estate.partition);
    } catch (err) {
      if (err instanceof ApiError) {
        fail(err);
        return;
      }
      throw err;
    }
    record.status = 200;
    res.writeHead(200, { ...out.headers, 'x-amz-request-id': requestId });
    res.end(head ? undefined : out.bytes);
  }

  function serveContent(
    url: URL,
    method: string,
    res: ServerResponse,
    record: RequestRecord,
    requestId: string
  ): void {
    if (method !== 'GET') {
      record.status = 405;
      writeS3Error(
        res,
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        requestId
      );
      return;
    }
    const token = url.pathname.slice('/_content/'.length);
    const check = content.check(token, url.searchParams, now());
    if (!check.ok) {
      record.status = check.status;
      writeS3Error(res, check.status, check.code, check.message, requestId);
      return;
    }
    const item = check.item;
    if (faults.roll('reset', 'GetContent') || faults.roll('reset', item.key)) {
      record.fault = 'reset';
      res.socket?.destroy();
      return;
    }
    if (faults.roll('throttle', 'GetContent')) {
      record.fault = 'throttle';
      record.status = 503;
      writeS3Error(res, 503, 'SlowDown', 'Please reduce your request rate.', requestId);
      return;
    }
    if (faults.roll('5xx', 'GetContent')) {
      record.fault = '5xx';
      record.status = 500;
      writeS3Error(
        res,
        500,
        'InternalError',
        'We encountered an internal error. Please try again.',
        requestId
      );
      return;
    }
    let bytes = item.bytes;
    if (
      item.tampered ||
      faults.sticky('badsha', item.key) ||
      faults.sticky('badsha', 'GetContent')
    ) {
      if (!item.tampered) record.fault = 'badsha';
      // Flip one byte in the middle: same size, different sha256.
      bytes = Buffer.from(bytes);
      const i = bytes.length >> 1;
      bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    }
    record.status = 200;
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': bytes.length,
      'x-amz-request-id': requestId,
      etag: `"${Buffer.from(item.sha256, 'base64').toString('hex').slice(0, 32)}"`,
    });
    if (faults.roll('truncate', 'GetContent') || faults.roll('truncate', item.key)) {
      // Promise the full length, send half, then hang up.
      record.fault = 'truncate';
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(bytes);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        writeJsonError(
          res,
          new ApiError(500, 'ServiceException', `internal endpoint error: ${String(err)}`),
          'unknown',
          nextRequestId()
        );
      } else {
        res.destroy();
      }
    });
  });
  // Node's own default. Not lower: the server advertises `Keep-Alive: timeout=N` and
  // Node's http.Agent throws away a pooled socket when N is 1 s or less (it keeps a
  // 1 s safety margin), so 1000 ms made every SDK call open a new TCP connection.
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (err) {
    // The registry started for the estate's images would keep the process alive.
    await images?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  base = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url: base,
    port,
    estate,
    credentials: { accessKeyId: homeKey.accessKeyId, secretAccessKey: homeKey.secretAccessKey },
    region: [...home.regions.keys()][0] ?? 'us-east-1',
    log,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      await images?.close();
    },
  };
}

function throttleError(service: string): ApiError {
  if (service === 'sts') return new ApiError(400, 'Throttling', 'Rate exceeded');
  if (service === 'ecr') return new ApiError(400, 'ThrottlingException', 'Rate exceeded');
  if (service === 'signer') return new ApiError(429, 'TooManyRequestsException', 'Rate exceeded');
  return new ApiError(
    429,
    'TooManyRequestsException',
    'Rate exceeded',
    { Reason: 'CallerRateLimitExceeded', message: 'Rate exceeded' },
    { 'retry-after': '1' }
  );
}

function serverError(service: string, unavailable: boolean): ApiError {
  if (unavailable)
    return new ApiError(
      503,
      service === 'sts' ? 'ServiceUnavailable' : 'ServiceUnavailableException',
      'Service unavailable'
    );
  if (service === 'sts') return new ApiError(500, 'InternalFailure', 'An internal error occurred');
  if (service === 'ecr') return new ApiError(500, 'ServerException', 'An internal error occurred');
  if (service === 'signer')
    return new ApiError(500, 'InternalServiceErrorException', 'An internal error occurred');
  return new ApiError(500, 'ServiceException', 'An internal error occurred');
}
