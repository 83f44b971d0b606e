/**
 * Test helper: Debian's `docker-registry` (distribution 2.8, the real Go
 * registry) on a free loopback port with its own config and temporary
 * storage, optionally behind htpasswd (Basic) or token (Bearer) auth, stopped
 * by PID. For token auth an in-process token service issues ES256 JWTs whose
 * signing certificate (made with `openssl`) is the registry's trusted root,
 * as in distribution's token auth spec
 * (https://distribution.github.io/distribution/spec/auth/jwt/).
 *
 * Needs `docker-registry`, `htpasswd` (apache2-utils) and `openssl`, which
 * `.ci/run` installs. A suite starts each registry it needs once (beforeAll).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: Readonly<Record<string, string>> }
  | {
      kind: 'token';
      users: Readonly<Record<string, string>>;
      /** Grant pull to requests without credentials (like a public repository). */
      anonymousPull?: boolean;
    };

/** One request the token service saw. */
export interface TokenRequest {
  authorization: string | undefined;
  service: string | null;
  scopes: string[];
  status: number;
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, as an image reference names it. */
  host: string;
  pid: number;
  /** Headers a pusher needs (Basic, or a push token). */
  pushHeaders(repository: string): Record<string, string>;
  /** Token service (token auth only). */
  token?: { url: string; requests: TokenRequest[] };
  stop(): Promise<void>;
}

const SERVICE = 'lamina-test-registry';
const ISSUER = 'lamina-test-issuer';

/** A free TCP port on 127.0.0.1 (bound and released). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

async function waitUntilUp(url: string, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      throw new Error(
        `docker-registry exited (${child.exitCode}): ${readFileSync(log, 'utf8').slice(0, 2000)}`
      );
    }
    const status = await fetch(`${url}/v2/`)
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `docker-registry did not answer on ${url}: ${readFileSync(log, 'utf8').slice(0, 2000)}`
  );
}

/** Starts a registry; `stop()` ends it (SIGTERM, then SIGKILL) and removes its storage. */
export async function startDockerRegistry(
  auth: RegistryAuth = { kind: 'none' }
): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'lamina-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let authYaml = '';
  let tokenServer: Server | undefined;
  let token: RunningRegistry['token'];
  let mint:
    ((subject: string, access: { name: string; actions: string[] }[]) => string) | undefined;

  if (auth.kind === 'htpasswd') {
    const lines = Object.entries(auth.users).map(([u, p]) =>
      // bcrypt cost 4: the registry checks the hash on every request.
      execFileSync('htpasswd', ['-nbB', '-C', '4', u, p], { encoding: 'utf8' }).trim()
    );
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: lamina-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.kind === 'token') {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'token.key'),
        '-out',
        join(dir, 'token.crt'),
        '-days',
        '2',
        '-subj',
        '/CN=lamina-test-token',
      ],
      { stdio: 'ignore' }
    );
    const key = createPrivateKey(readFileSync(join(dir, 'token.key')));
    const cert = new X509Certificate(readFileSync(join(dir, 'token.crt')));
    const x5c = [cert.raw.toString('base64')];
    mint = (subject, access) => {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c }));
      const claims = b64url(
        JSON.stringify({
          iss: ISSUER,
          sub: subject,
          aud: SERVICE,
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: randomBytes(8).toString('hex'),
          access: access.map((a) => ({ type: 'repository', name: a.name, actions: a.actions })),
        })
      );
      const sig = sign('sha256', Buffer.from(`${header}.${claims}`), {
        key,
        dsaEncoding: 'ieee-p1363',
      });
      return `${header}.${claims}.${b64url(sig)}`;
    };
    const requests: TokenRequest[] = [];
    const tokenPort = await freePort();
    tokenServer = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const scopes = u.searchParams.getAll('scope');
      const record: TokenRequest = {
        authorization: req.headers.authorization,
        service: u.searchParams.get('service'),
        scopes,
        status: 200,
      };
      requests.push(record);
      let subject = '';
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      if (basic) {
        const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        if (!user || auth.users[user] !== rest.join(':')) {
          record.status = 401;
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"details":"bad credentials"}');
          return;
        }
        subject = user;
      }
      const access = scopes.flatMap((s) => {
        const m = /^repository:([^:]+):(.+)$/.exec(s);
        if (!m) return [];
        const wanted = m[2]!.split(',');
        const granted = subject
          ? wanted
          : auth.anonymousPull
            ? wanted.filter((a) => a === 'pull')
            : [];
        return [{ name: m[1]!, actions: granted }];
      });
      const t = mint!(subject, access);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: t, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokenServer!.listen(tokenPort, '127.0.0.1', r));
    token = { url: `http://127.0.0.1:${tokenPort}/token`, requests };
    authYaml =
      `auth:\n  token:\n    realm: ${token.url}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n` +
      `    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  }

  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: lamina-test\n${authYaml}`
  );
  const log = join(dir, 'registry.log');
  const fd = openSync(log, 'w');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  try {
    if (child.pid === undefined)
      throw new Error('docker-registry could not be started (is it installed?)');
    await waitUntilUp(url, child, log);
  } catch (err) {
    child.kill('SIGKILL');
    tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const pid = child.pid;
  return {
    url,
    host: `127.0.0.1:${port}`,
    pid,
    ...(token ? { token } : {}),
    pushHeaders(repository): Record<string, string> {
      if (auth.kind === 'htpasswd') {
        const [u, p] = Object.entries(auth.users)[0]!;
        return { authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` };
      }
      if (auth.kind === 'token' && mint) {
        return {
          authorization: `Bearer ${mint('pusher', [{ name: repository, actions: ['pull', 'push'] }])}`,
        };
      }
      return {};
    },
    async stop() {
      if (child.exitCode === null) {
        process.kill(pid, 'SIGTERM');
        const killer = setTimeout(() => {
          if (child.exitCode === null) process.kill(pid, 'SIGKILL');
        }, 5000);
        await exited;
        clearTimeout(killer);
      }
      if (tokenServer) {
        tokenServer.closeAllConnections();
        await new Promise((r) => tokenServer.close(r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
