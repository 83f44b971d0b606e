import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ContentCache } from './cache.js';
import type { FetchErrorCode } from './errors.js';
import { backoffMs, sleep, type RetryPolicy } from './retry.js';
import { textPrefix } from './body.js';

/** How much of an error response's body is read to say what the error is. */
const MAX_ERROR_BODY = 64 * 1024;

/** One zip to bring into the cache. */
export interface DownloadTarget {
  /** sha256 (hex) the bytes must hash to: CodeSha256 decoded. */
  hex: string;
  /** CodeSize: the exact byte count. */
  size: number;
  /** Presigned URL from the last GetLayerVersion call. */
  url: string;
  /**
   * Asks the service for a fresh presigned URL (when the current one has expired).
   * Returns a failure when the service refuses (e.g. the version was deleted meanwhile).
   */
  refreshUrl: () => Promise<{ url: string } | { code: FetchErrorCode; reason: string }>;
}

export type DownloadOutcome =
  | { ok: true; path: string; cached: boolean; bytes: number }
  | { ok: false; code: FetchErrorCode; reason: string };

export interface DownloadOptions {
  /** Backoff for failed attempts (the use case's `RetryPlan.download`). */
  retry: RetryPolicy;
  /** Per-attempt time limit in ms (default 10 minutes). */
  timeoutMs?: number;
  /** Injected for tests only; defaults to the global fetch (undici). */
  fetchImpl?: typeof fetch;
  /** Called with the byte count of every chunk received (progress, statistics). */
  onBytes?: (n: number) => void;
  /** Called once per HTTP request made for content. */
  onRequest?: () => void;
}

/** Thrown inside one attempt; `retry` says whether another attempt may help. */
class AttemptError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly retry: boolean
  ) {
    super(message);
  }
}
class UrlExpired extends Error {}

/**
 * Bring a zip into the content cache, or explain why not. A cache hit (its size
 * checked; hashed only by a cache that re-hashes) costs no request. Otherwise the
 * body is streamed to a temporary file while it is hashed and counted; only bytes
 * matching both CodeSize and CodeSha256 are renamed into the cache. Transient failures (network errors, 429, 5xx, short
 * bodies) are retried with backoff and jitter; an expired URL is replaced by a
 * fresh one. Never throws for a bad download: the outcome carries the reason.
 *
 * The request carries no credentials: a presigned URL authenticates itself, and
 * nothing of ours may reach the content host or a host it redirects to.
 */
export async function downloadToCache(
  cache: ContentCache,
  target: DownloadTarget,
  options: DownloadOptions
): Promise<DownloadOutcome> {
  const cachedPath = await cache.lookup(target.hex, target.size);
  if (cachedPath) return { ok: true, path: cachedPath, cached: true, bytes: 0 };

  const policy = options.retry;
  let url = target.url;
  let refreshes = 0;
  let last: AttemptError | undefined;
  for (let attempt = 0; attempt < policy.attempts;) {
    try {
      const { path, bytes } = await attemptOnce(cache, target, url, options);
      return { ok: true, path, cached: false, bytes };
    } catch (err) {
      if (err instanceof UrlExpired) {
        // A fresh URL is not a retry of a failing request: no backoff, own budget.
        if (++refreshes > policy.attempts) {
          return {
            ok: false,
            code: 'URL_EXPIRED',
            reason: `content URL expired ${refreshes} times`,
          };
        }
        const fresh = await target.refreshUrl();
        if ('code' in fresh) return { ok: false, code: fresh.code, reason: fresh.reason };
        url = fresh.url;
        continue;
      }
      const e =
        err instanceof AttemptError
          ? err
          : new AttemptError('RETRIES_EXHAUSTED', describeNetworkError(err), true);
      if (!e.retry) return { ok: false, code: e.code, reason: e.message };
      last = e;
      attempt++;
      if (attempt < policy.attempts) await sleep(backoffMs(policy, attempt));
    }
  }
  const code = last?.code ?? 'RETRIES_EXHAUSTED';
  return {
    ok: false,
    code: code === 'TRUNCATED' ? 'TRUNCATED' : 'RETRIES_EXHAUSTED',
    reason: `${policy.attempts} attempts failed; last: ${last?.message ?? 'unknown error'}`,
  };
}

async function attemptOnce(
  cache: ContentCache,
  target: DownloadTarget,
  url: string,
  options: DownloadOptions
): Promise<{ path: string; bytes: number }> {
  const fetchImpl = options.fetchImpl ?? fetch;
  options.onRequest?.();
  // No headers, no credentials: see downloadToCache.
  const res = await fetchImpl(url, {
    redirect: 'follow',
    credentials: 'omit',
    signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
  });
  if (res.status !== 200) {
    // An error says what it is in its first bytes; the rest is not read (the server sets its size).
    const text = await textPrefix(res, MAX_ERROR_BODY);
    if (res.status === 403 && /Request has expired/i.test(text)) throw new UrlExpired();
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const what = `HTTP ${res.status}${code ? ` ${code}` : ''} from content URL`;
    const transient = res.status === 429 || res.status >= 500;
    throw new AttemptError(transient ? 'RETRIES_EXHAUSTED' : 'HTTP_ERROR', what, transient);
  }
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) !== target.size) {
    await res.body?.cancel();
    throw new AttemptError(
      'SIZE_MISMATCH',
      `content URL announced ${declared} bytes, CodeSize is ${target.size}`,
      false
    );
  }
  if (!res.body) throw new AttemptError('TRUNCATED', 'empty response body', true);

  const temp = await cache.tempPath(target.hex);
  // Created before any byte arrives, so the cleanup below always finds it: a write stream opens
  // its file on its own schedule, and a body that fails at once could otherwise race it.
  const file = await open(temp, 'wx');
  const hash = createHash('sha256');
  let count = 0;
  let committed = false;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      count += chunk.length;
      options.onBytes?.(chunk.length);
      if (count > target.size) {
        cb(
          new AttemptError(
            'SIZE_MISMATCH',
            `received more than CodeSize ${target.size} bytes`,
            false
          )
        );
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    try {
      await pipeline(
        Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        meter,
        file.createWriteStream()
      );
    } catch (err) {
      if (err instanceof AttemptError) throw err;
      throw new AttemptError(
        'TRUNCATED',
        `body ended after ${count} of ${target.size} bytes: ${describeNetworkError(err)}`,
        true
      );
    }
    if (count < target.size) {
      throw new AttemptError(
        'TRUNCATED',
        `body ended after ${count} of ${target.size} bytes`,
        true
      );
    }
    const got = hash.digest('hex');
    if (got !== target.hex) {
      throw new AttemptError(
        'BAD_DIGEST',
        `sha256 of the downloaded bytes is ${got}, CodeSha256 says ${target.hex}`,
        false
      );
    }
    const path = await cache.commit(temp, target.hex);
    committed = true;
    return { path, bytes: count };
  } finally {
    // The stream closes the file when it ends or fails; this waits for that (or closes it).
    await file.close().catch(() => undefined);
    // After a commit the temporary name is gone (removing it anyway cost a failed lstat).
    if (!committed) await rm(temp, { force: true });
  }
}

/** undici hides the useful part ("other side closed", ECONNRESET) in `cause`. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
