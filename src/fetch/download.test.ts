import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache, codeSha256ToHex, defaultCacheDir } from './cache.js';
import { downloadToCache, type DownloadTarget } from './download.js';
import { backoffMs } from './retry.js';

const BODY = Buffer.from('PK\u0003\u0004 not really a zip, but bytes are bytes '.repeat(50));
const HEX = createHash('sha256').update(BODY).digest('hex');
const FAST = { attempts: 4, baseMs: 1, capMs: 5 };

type Handler = (
  url: URL,
  headers: IncomingHttpHeaders,
  res: import('node:http').ServerResponse
) => void;
let server: Server;
let base: string;
let handler: Handler;
let seen: { path: string; headers: IncomingHttpHeaders }[];
let dir: string;

beforeEach(async () => {
  seen = [];
  dir = await mkdtemp(join(tmpdir(), 'lamina-dl-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, headers: req.headers });
    handler(url, req.headers, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function target(over: Partial<DownloadTarget> = {}): DownloadTarget {
  return {
    hex: HEX,
    size: BODY.length,
    url: `${base}/obj?X-Amz-Signature=abc`,
    refreshUrl: () => Promise.resolve({ url: `${base}/fresh?X-Amz-Signature=def` }),
    ...over,
  };
}

describe('downloadToCache', () => {
  it('retries a 503 and a short body, then commits verified bytes', async () => {
    let n = 0;
    handler = (_u, _h, res) => {
      n++;
      if (n === 1) {
        res.writeHead(503).end('<Error><Code>SlowDown</Code></Error>');
      } else if (n === 2) {
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 10), () => res.socket?.destroy());
      } else res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    };
    const cache = new ContentCache(dir);
    const got = await downloadToCache(cache, target(), { retry: FAST });
    expect(got).toMatchObject({ ok: true, cached: false, bytes: BODY.length });
    expect(n).toBe(3);
    expect(await readFile(cache.pathFor(HEX))).toEqual(BODY);
    expect(await readdir(join(dir, 'sha256'))).toEqual([`${HEX}.zip`]);
    // A second call is a cache hit without any request.
    expect(await downloadToCache(cache, target(), { retry: FAST })).toMatchObject({
      ok: true,
      cached: true,
    });
    expect(n).toBe(3);
  });

  it('trusts an entry of the right size by its name; a re-hashing cache fetches it again', async () => {
    let n = 0;
    handler = (_u, _h, res) => {
      n++;
      res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    };
    const cache = new ContentCache(dir);
    await downloadToCache(cache, target(), { retry: FAST });
    const changed = Buffer.from(BODY);
    changed[0] = changed[0]! ^ 0xff;
    await writeFile(cache.pathFor(HEX), changed);
    // Trusted: what reads it hashes what it reads (pipeline/inventory.ts).
    expect(await downloadToCache(cache, target(), { retry: FAST })).toMatchObject({
      ok: true,
      cached: true,
    });
    expect(n).toBe(1);
    const rehashing = new ContentCache(dir, 'zip', { rehash: true });
    expect(await downloadToCache(rehashing, target(), { retry: FAST })).toMatchObject({
      ok: true,
      cached: false,
    });
    expect(n).toBe(2);
    expect(await readFile(cache.pathFor(HEX))).toEqual(BODY);
    // Another size is a miss either way.
    await writeFile(cache.pathFor(HEX), BODY.subarray(1));
    expect(await cache.lookup(HEX, BODY.length)).toBeUndefined();
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('follows a redirect to another host without sending anything of ours', async () => {
    handler = (u, _h, res) => {
      if (u.pathname === '/obj') {
        const other = base.replace('127.0.0.1', 'localhost');
        res.writeHead(307, { location: `${other}/moved` }).end();
      } else res.writeHead(200).end(BODY);
    };
    const got = await downloadToCache(new ContentCache(dir), target(), { retry: FAST });
    expect(got.ok).toBe(true);
    expect(seen.map((s) => [s.path, s.headers.host?.split(':')[0]])).toEqual([
      ['/obj', '127.0.0.1'],
      ['/moved', 'localhost'],
    ]);
    for (const s of seen) {
      expect(s.headers.authorization).toBeUndefined();
      expect(s.headers['x-amz-security-token']).toBeUndefined();
      expect(s.headers.cookie).toBeUndefined();
    }
  });

  it('fetches a fresh URL when the old one has expired', async () => {
    handler = (u, _h, res) => {
      if (u.pathname === '/obj')
        res
          .writeHead(403)
          .end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      else res.writeHead(200).end(BODY);
    };
    let refreshed = 0;
    const got = await downloadToCache(
      new ContentCache(dir),
      target({
        refreshUrl: () => {
          refreshed++;
          return Promise.resolve({ url: `${base}/fresh` });
        },
      }),
      { retry: FAST }
    );
    expect(got.ok).toBe(true);
    expect(refreshed).toBe(1);
  });

  it('reports the refresh failure when the version is gone', async () => {
    handler = (_u, _h, res) =>
      void res
        .writeHead(403)
        .end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    const got = await downloadToCache(
      new ContentCache(dir),
      target({ refreshUrl: () => Promise.resolve({ code: 'NOT_FOUND', reason: 'deleted' }) }),
      { retry: FAST }
    );
    expect(got).toEqual({ ok: false, code: 'NOT_FOUND', reason: 'deleted' });
  });

  it.each([
    ['more bytes than CodeSize', () => Buffer.concat([BODY, Buffer.from('x')]), 'SIZE_MISMATCH', 1],
    ['wrong bytes', () => Buffer.from(BODY).fill(0x41, 0, 1), 'BAD_DIGEST', 1],
  ])('fails fast on %s and leaves nothing behind', async (_name, body, code, requests) => {
    handler = (_u, _h, res) => {
      // Chunked: no content-length, so the check happens while streaming.
      res.writeHead(200);
      res.end(body());
    };
    const got = await downloadToCache(new ContentCache(dir), target(), { retry: FAST });
    expect(got).toMatchObject({ ok: false, code });
    expect(seen).toHaveLength(requests);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('does not retry a 404 and names the HTTP status', async () => {
    handler = (_u, _h, res) => void res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
    const got = await downloadToCache(new ContentCache(dir), target(), { retry: FAST });
    expect(got).toMatchObject({
      ok: false,
      code: 'HTTP_ERROR',
      reason: expect.stringContaining('NoSuchKey') as string,
    });
    expect(seen).toHaveLength(1);
  });

  it('reads only the start of an error body, however much the server sends', async () => {
    // An endless 403 body whose first bytes say what it is: not held in memory, not waited on.
    let pulled = 0;
    const endless = (): Promise<Response> =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start: (c) => c.enqueue(Buffer.from('<Error><Code>AccessDenied</Code></Error>')),
            pull: (c) => {
              pulled += 1;
              c.enqueue(Buffer.alloc(64 * 1024, 0x20));
            },
          }),
          { status: 403 }
        )
      );
    const got = await downloadToCache(new ContentCache(dir), target(), {
      retry: FAST,
      fetchImpl: endless,
    });
    expect(got).toMatchObject({ ok: false, code: 'HTTP_ERROR' });
    expect(got.ok ? '' : got.reason).toContain('AccessDenied');
    expect(pulled).toBeLessThan(4);
  });

  it('gives up after the retry budget with RETRIES_EXHAUSTED', async () => {
    handler = (_u, _h, res) => void res.writeHead(500).end();
    const got = await downloadToCache(new ContentCache(dir), target(), { retry: FAST });
    expect(got).toMatchObject({ ok: false, code: 'RETRIES_EXHAUSTED' });
    expect(seen).toHaveLength(FAST.attempts);
  });

  it('removes the verified temporary file when it cannot be moved into place', async () => {
    handler = (_u, _h, res) => void res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    const cache = new ContentCache(dir);
    // A directory where the entry goes: the rename fails after the bytes were verified.
    await mkdir(join(cache.pathFor(HEX), 'x'), { recursive: true });
    const got = await downloadToCache(cache, target(), { retry: FAST });
    expect(got).toMatchObject({ ok: false, code: 'RETRIES_EXHAUSTED' });
    expect(await readdir(join(dir, 'sha256'))).toEqual([`${HEX}.zip`]);
  });
});

describe('cache helpers', () => {
  it('leaves no partial file behind when a body fails before its first byte', async () => {
    // A body that errors at once, attempt after attempt: each attempt removes the temporary
    // file it made.
    const failing = (): Promise<Response> =>
      Promise.resolve(
        new Response(new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error('reset')) }), {
          status: 200,
          headers: { 'content-length': String(BODY.length) },
        })
      );
    const cache = new ContentCache(dir);
    for (let i = 0; i < 5; i++) {
      const out = await downloadToCache(cache, target(), { retry: FAST, fetchImpl: failing });
      expect(out).toMatchObject({ ok: false, code: 'TRUNCATED' });
    }
    // Anything a late open would create has had time to appear.
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('decodes CodeSha256 and rejects what is not a sha256', () => {
    expect(codeSha256ToHex(createHash('sha256').update(BODY).digest('base64'))).toBe(HEX);
    expect(codeSha256ToHex('AAAA')).toBeUndefined();
  });
  it('defaults to XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/c' })).toBe('/x/c/lamina');
    expect(defaultCacheDir({})).toMatch(/\/\.cache\/lamina$/);
  });
});

describe('retry', () => {
  it('backoff is jittered within an exponentially growing, capped window', () => {
    const p = { attempts: 5, baseMs: 100, capMs: 1000 };
    expect(backoffMs(p, 1, () => 0.999)).toBe(199);
    expect(backoffMs(p, 3, () => 0.999)).toBe(799);
    expect(backoffMs(p, 8, () => 0.999)).toBe(999);
    expect(backoffMs(p, 3, () => 0)).toBe(0);
  });
});
