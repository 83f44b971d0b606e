/**
 * The image side of the local ECR: Debian's `docker-registry` (the real distribution registry)
 * holding every estate image, and one loopback front per account and Region that speaks for
 * that account's ECR registry. The front is what `GetAuthorizationToken` names as
 * `proxyEndpoint`: it checks the ECR token (signature, expiry, the caller's access to the
 * repository), injects faults, and forwards reads to the registry (whose htpasswd holds the one
 * user the front authenticates as). Images are pushed with our own code over the distribution
 * API (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#push), no
 * external tool.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EcrRepository, StoredManifest } from './ecr-store.js';
import type { Estate } from './estate.js';
import type { FaultInjector, FaultKind } from './faults.js';

/** One registry request, as the endpoint's log records it. */
export interface RegistryRecord {
  service: 'registry';
  op: string;
  status: number;
  account?: string;
  region?: string;
  ref?: string;
  fault?: 'throttle' | '5xx' | 'reset' | 'truncate' | 'expired';
}

/** The running registry and its fronts. */
export interface ImageRegistry {
  /** `http://127.0.0.1:PORT` of the front for an account's registry in a Region. */
  proxyEndpoint(account: string, region: string): string | undefined;
  close(): Promise<void>;
}

/** Issues and checks registry tokens: an HMAC over account and expiry with a per-run secret. */
export class TokenIssuer {
  private readonly secret = randomBytes(32);

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** A token for `caller` that stops working at `validUntil`. */
  issue(caller: string, validUntil: Date): string {
    const exp = validUntil.getTime();
    return Buffer.from(`AWS:${caller}.${exp}.${this.sign(`${caller}.${exp}`)}`).toString('base64');
  }

  /** The caller account of a valid token, 'expired', or undefined when it is not one of ours. */
  check(header: string | undefined, now: Date): string | undefined {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const t = /^AWS:(\d{12})\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(decoded);
    if (!t) return undefined;
    const want = Buffer.from(this.sign(`${t[1]}.${t[2]}`));
    const got = Buffer.from(t[3]!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    if (Number(t[2]) <= now.getTime()) return 'expired';
    return t[1];
  }
}

const freePort = async (): Promise<number> => {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
};

const backendName = (account: string, region: string, repo: string): string =>
  `${account}/${region}/${repo}`;

/** Whether the estate has any image to serve (no registry is started otherwise). */
export function hasRepositories(estate: Estate): boolean {
  for (const a of estate.accounts.values())
    for (const r of a.regions.values()) if (r.repositories.length > 0) return true;
  return false;
}

interface Backend {
  url: string;
  auth: string;
  child: ChildProcess;
  dir: string;
  exited: Promise<void>;
}

async function startBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'aws-local-registry-'));
  const password = randomBytes(16).toString('hex');
  // bcrypt cost 4: the registry checks it on every request.
  const line = execFileSync('htpasswd', ['-nbB', '-C', '4', 'AWS', password], {
    encoding: 'utf8',
  }).trim();
  writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n` +
      `http:\n  addr: 127.0.0.1:${port}\n  secret: aws-local\nauth:\n  htpasswd:\n    realm: aws-local\n    path: ${join(dir, 'htpasswd')}\n`
  );
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'w');
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const failedToStart = new Promise<Error>((r) => child.once('error', r));
  const url = `http://127.0.0.1:${port}`;
  const stop = (): void => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const err = await Promise.race([
      failedToStart,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
    ]);
    if (err) {
      stop();
      throw new Error(`docker-registry could not be started (is it installed?): ${err.message}`);
    }
    if (child.exitCode !== null || i > 200) {
      const log = readFileSync(logFile, 'utf8').slice(0, 2000);
      stop();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    const status = await fetch(`${url}/v2/`)
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 401 || status === 200) break;
  }
  return {
    url,
    auth: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`,
    child,
    dir,
    exited,
  };
}

async function put(
  backend: Backend,
  method: string,
  url: string,
  body: Buffer | undefined,
  headers: Record<string, string>
): Promise<Response> {
  const res = await fetch(url, {
    method,
    headers: { authorization: backend.auth, ...headers },
    ...(body ? { body } : {}),
  });
  if (res.status >= 300) {
    throw new Error(`push ${method} ${url}: ${res.status} ${(await res.text()).slice(0, 500)}`);
  }
  return res;
}

/**
 * The OCI 1.1 referrers API (ECR serves it; Debian's docker-registry does not), from the estate:
 * every active image whose manifest names `digest` as its `subject`, optionally of one
 * `artifactType` (then `OCI-Filters-Applied` says so).
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 */
function referrers(
  res: ServerResponse,
  repo: EcrRepository,
  digest: string,
  artifactType: string | null
): void {
  const manifests = repo.images
    .filter((i) => !i.archived && i.manifest.subject === digest)
    .filter((i) => artifactType === null || i.manifest.artifactType === artifactType)
    .map((i) => ({
      mediaType: i.manifest.mediaType,
      digest: i.digest,
      size: i.manifest.bytes.length,
      ...(i.manifest.artifactType ? { artifactType: i.manifest.artifactType } : {}),
      ...(i.manifest.annotations ? { annotations: i.manifest.annotations } : {}),
    }));
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests,
  });
  res.writeHead(200, {
    'content-type': 'application/vnd.oci.image.index.v1+json',
    'content-length': Buffer.byteLength(body),
    ...(artifactType === null ? {} : { 'oci-filters-applied': 'artifactType' }),
  });
  res.end(body);
}

/** Pushes one repository's images in push order: blobs, then manifests (children first), then tags. */
async function pushRepository(
  backend: Backend,
  account: string,
  region: string,
  repo: EcrRepository
): Promise<void> {
  const name = backendName(account, region, repo.name);
  const base = `${backend.url}/v2/${name}`;
  const pushedBlobs = new Set<string>();
  const pushedManifests = new Set<string>();
  const pushManifest = async (m: StoredManifest, ref: string): Promise<void> => {
    await put(backend, 'PUT', `${base}/manifests/${ref}`, m.bytes, {
      'content-type': m.mediaType,
    });
  };
  for (const image of repo.images) {
    for (const b of image.manifest.blobs) {
      if (pushedBlobs.has(b.digest)) continue;
      const path = repo.blobPaths.get(b.digest);
      if (!path) throw new Error(`${repo.name}: blob ${b.digest} is not in its layout`);
      const start = await put(backend, 'POST', `${base}/blobs/uploads/`, undefined, {});
      const location = new URL(start.headers.get('location') ?? '', backend.url);
      location.searchParams.set('digest', b.digest);
      await put(backend, 'PUT', location.href, readFileSync(path), {
        'content-type': 'application/octet-stream',
      });
      pushedBlobs.add(b.digest);
    }
  }
  // Children before the index that names them; an image manifest before referrers to it.
  const ordered = [...repo.images].sort((a, b) => Number(!!b.parent) - Number(!!a.parent));
  for (const image of ordered) {
    if (pushedManifests.has(image.digest)) continue;
    await pushManifest(image.manifest, image.digest);
    pushedManifests.add(image.digest);
  }
  for (const h of repo.tagHistory) {
    const image = repo.images.find((i) => i.digest === h.digest);
    if (image) await pushManifest(image.manifest, h.tag);
  }
}

function registryError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
): void {
  const body = Buffer.from(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'docker-distribution-api-version': 'registry/2.0',
    ...headers,
  });
  res.end(body);
}

/** Starts the registry, pushes every estate image, and opens a front per account and Region. */
export async function startImageRegistry(options: {
  estate: Estate;
  faults: FaultInjector;
  tokens: TokenIssuer;
  log: { push(record: RegistryRecord): unknown };
  now: () => Date;
}): Promise<ImageRegistry> {
  const { estate, faults, now } = options;
  const backend = await startBackend();
  const fronts = new Map<string, { server: Server; url: string }>();
  const agent = new Agent({ keepAlive: true });
  const opCounts = new Map<string, number>();

  try {
    for (const [account, a] of estate.accounts)
      for (const [region, r] of a.regions)
        for (const repo of r.repositories) await pushRepository(backend, account, region, repo);

    for (const [account, a] of estate.accounts) {
      for (const [region, r] of a.regions) {
        const repos = new Map(r.repositories.map((x) => [x.name, x]));
        const server = createServer((req, res) => {
          front(req, res, account, region, repos);
        });
        server.keepAliveTimeout = 5000;
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        fronts.set(`${account}/${region}`, { server, url: `http://127.0.0.1:${port}` });
      }
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  function front(
    req: IncomingMessage,
    res: ServerResponse,
    account: string,
    region: string,
    repos: Map<string, EcrRepository>
  ): void {
    const record: RegistryRecord = {
      service: 'registry',
      op: 'Unknown',
      status: 0,
      account,
      region,
    };
    options.log.push(record);
    const done = (status: number): void => {
      record.status = status;
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (m) record.ref = `${m[1]}@${m[3]}`;
    record.op =
      url.pathname === '/v2/'
        ? 'Ping'
        : m?.[2] === 'blobs'
          ? 'GetBlob'
          : m?.[2] === 'referrers'
            ? 'ListReferrers'
            : m
              ? 'GetManifest'
              : 'Unknown';
    req.resume();
    // One decision per fault kind: `OP#N` (the N-th request of the operation) if the spec
    // names it, else the operation's own rate, else `Registry`'s, else the spec's default.
    const n = (opCounts.get(record.op) ?? 0) + 1;
    opCounts.set(record.op, n);
    const roll = (kind: FaultKind): boolean => {
      const rates = faults.spec.rates.get(kind);
      const nth = `${record.op}#${n}`;
      return faults.roll(
        kind,
        rates?.has(nth) ? nth : rates?.has(record.op) ? record.op : 'Registry'
      );
    };
    if (roll('reset')) {
      record.fault = 'reset';
      req.socket.destroy();
      return;
    }
    if (roll('throttle')) {
      record.fault = 'throttle';
      done(429);
      registryError(res, 429, 'TOOMANYREQUESTS', 'Rate exceeded');
      return;
    }
    if (roll('5xx')) {
      record.fault = '5xx';
      done(500);
      registryError(res, 500, 'UNKNOWN', 'internal error');
      return;
    }
    const challenge = {
      'www-authenticate': `Basic realm="https://${account}.dkr.ecr.${region}.amazonaws.com/",service="ecr.amazonaws.com"`,
    };
    const caller = options.tokens.check(req.headers.authorization, now());
    if (!caller) {
      done(401);
      registryError(res, 401, 'UNAUTHORIZED', 'Not Authorized', challenge);
      return;
    }
    if (caller === 'expired' || roll('expired')) {
      if (caller !== 'expired') record.fault = 'expired';
      done(401);
      registryError(
        res,
        401,
        'DENIED',
        'Your authorization token has expired. Reauthenticate and try again.',
        challenge
      );
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      done(200);
      res.writeHead(200, {
        'content-type': 'application/json',
        'docker-distribution-api-version': 'registry/2.0',
      });
      res.end('{}');
      return;
    }
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) {
      done(405);
      registryError(res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
      return;
    }
    const repo = repos.get(m[1]!);
    if (!repo) {
      done(404);
      registryError(
        res,
        404,
        'NAME_UNKNOWN',
        `The repository with name '${m[1]}' does not exist in the registry with id '${account}'`
      );
      return;
    }
    if (caller !== account && !repo.sharedWith.includes(caller)) {
      done(403);
      registryError(
        res,
        403,
        'DENIED',
        `User: arn:aws:iam::${caller}:root is not authorized to perform: ecr:BatchGetImage on resource: arn:${estate.partition}:ecr:${region}:${account}:repository/${repo.name}`
      );
      return;
    }
    if (m[2] === 'referrers') {
      done(200);
      referrers(res, repo, m[3]!, url.searchParams.get('artifactType'));
      return;
    }
    if (m[2] === 'manifests') {
      const ref = m[3]!;
      const image = ref.startsWith('sha256:')
        ? repo.images.find((i) => i.digest === ref)
        : repo.images.find((i) => i.tags.includes(ref));
      if (image?.archived) {
        done(404);
        registryError(
          res,
          404,
          'MANIFEST_UNKNOWN',
          `The image with digest ${image.digest} is archived and cannot be pulled. Restore it first.`
        );
        return;
      }
    }
    const target = `${backend.url}/v2/${backendName(account, region, repo.name)}/${m[2]}/${m[3]}`;
    const headers: Record<string, string> = { authorization: backend.auth };
    if (typeof req.headers.accept === 'string') headers['accept'] = req.headers.accept;
    const out = request(target, { method: req.method, headers, agent }, (up) => {
      done(up.statusCode ?? 502);
      const pass: Record<string, string | string[]> = {};
      for (const h of ['content-type', 'content-length', 'docker-content-digest', 'etag'])
        if (up.headers[h] !== undefined) pass[h] = up.headers[h];
      res.writeHead(up.statusCode ?? 502, pass);
      const length = Number(up.headers['content-length'] ?? 0);
      if (
        record.op === 'GetBlob' &&
        req.method === 'GET' &&
        up.statusCode === 200 &&
        length > 1 &&
        roll('truncate')
      ) {
        // Promise the full length, send half, then hang up.
        record.fault = 'truncate';
        const half = length >> 1;
        let sent = 0;
        up.on('data', (c: Buffer) => {
          if (sent >= half) return;
          const part = c.subarray(0, half - sent);
          sent += part.length;
          res.write(part, () => {
            if (sent >= half) {
              up.destroy();
              res.socket?.destroy();
            }
          });
        });
        return;
      }
      up.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) {
        done(502);
        registryError(res, 502, 'UNAVAILABLE', 'registry unavailable');
      } else res.destroy();
    });
    out.end();
  }

  async function closeAll(): Promise<void> {
    for (const { server } of fronts.values()) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    agent.destroy();
    if (backend.child.exitCode === null && backend.child.pid !== undefined) {
      backend.child.kill('SIGTERM');
      const killer = setTimeout(() => backend.child.kill('SIGKILL'), 5000);
      await backend.exited;
      clearTimeout(killer);
    }
    rmSync(backend.dir, { recursive: true, force: true });
  }

  return {
    proxyEndpoint: (account, region) => fronts.get(`${account}/${region}`)?.url,
    close: closeAll,
  };
}
