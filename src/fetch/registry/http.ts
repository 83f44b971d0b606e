/**
 * One HTTP exchange over node:http/node:https, with nothing automatic: no
 * redirect following, no decompression, no cookies, no proxy. The registry
 * client decides every hop itself so that credentials can never ride along
 * to another origin. Time limits: one for the response headers, and an idle
 * limit while the body streams (a slow but moving layer is fine; a stalled
 * one is not).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { ImageError, printable, tooLarge } from '../image/errors.js';

export interface HttpExchange {
  status: number;
  headers: IncomingMessage['headers'];
  /** Header values exactly as sent, one entry per header line. */
  headersDistinct: NodeJS.Dict<string[]>;
  body: Readable;
  url: URL;
}

export interface HttpTimeouts {
  /** Time until the response headers arrive (default 30 s). */
  headersMs: number;
  /** Longest pause while the body streams (default 60 s). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<HttpTimeouts> = Object.freeze({
  headersMs: 30_000,
  idleMs: 60_000,
});

/** A network failure another attempt may cure (reset, refused, DNS, timeout). */
export class TransientHttpError extends Error {
  constructor(
    message: string,
    readonly code: 'TIMEOUT' | 'NETWORK'
  ) {
    super(message);
  }
}

/** Keep-alive agents of one client; `destroy` closes their sockets. */
export class Agents {
  readonly http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 8 });
  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** Sends one request and resolves when the response headers are in. */
export function exchange(
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: Buffer },
  agents: Agents,
  timeouts: HttpTimeouts = DEFAULT_TIMEOUTS
): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const req = send(url, {
      method: init.method,
      headers: {
        ...init.headers,
        ...(init.body ? { 'content-length': String(init.body.length) } : {}),
      },
      agent: secure ? agents.https : agents.http,
    });
    let settled = false;
    const headersTimer = setTimeout(() => {
      req.destroy(
        new TransientHttpError(
          `no response from ${url.host} within ${timeouts.headersMs} ms`,
          'TIMEOUT'
        )
      );
    }, timeouts.headersMs);
    req.setTimeout(timeouts.idleMs, () => {
      req.destroy(
        new TransientHttpError(`no data from ${url.host} for ${timeouts.idleMs} ms`, 'TIMEOUT')
      );
    });
    req.on('error', (err) => {
      clearTimeout(headersTimer);
      if (settled) return;
      settled = true;
      reject(
        err instanceof TransientHttpError
          ? err
          : new TransientHttpError(describe(err, url), 'NETWORK')
      );
    });
    req.on('response', (res) => {
      clearTimeout(headersTimer);
      settled = true;
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        headersDistinct: res.headersDistinct,
        body: res,
        url,
      });
    });
    req.end(init.body);
  });
}

function describe(err: unknown, url: URL): string {
  const e = err as NodeJS.ErrnoException;
  return `${url.host}: ${e.code ?? ''} ${printable(e.message ?? String(err), 160)}`.trim();
}

/** Reads a whole body, refusing more than `max` bytes (announced or received). */
export async function readBounded(res: HttpExchange, max: number, what: string): Promise<Buffer> {
  const announced = Number(res.headers['content-length'] ?? NaN);
  if (announced > max) {
    res.body.destroy();
    throw tooLarge(what, announced, max);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body) {
      const c = chunk as Buffer;
      n += c.length;
      if (n > max) {
        res.body.destroy();
        throw new ImageError({
          code: 'DOCUMENT_TOO_LARGE',
          message: `${what} is more than ${max} bytes`,
        });
      }
      chunks.push(c);
    }
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new TransientHttpError(
      `${what}: body ended after ${n} bytes: ${describe(err, res.url)}`,
      'NETWORK'
    );
  }
  const body = Buffer.concat(chunks);
  if (Number.isFinite(announced) && body.length !== announced) {
    throw new TransientHttpError(
      `${what}: body has ${body.length} bytes, Content-Length said ${announced}`,
      'NETWORK'
    );
  }
  return body;
}

/** Discards a body we do not need, so the socket can be reused; never throws. */
export function discard(res: HttpExchange): void {
  res.body.on('error', () => undefined);
  res.body.resume();
}

/** Loopback hosts: `localhost`, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}
