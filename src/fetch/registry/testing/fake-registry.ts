/**
 * Test helper: an in-process registry (node:http) for what the real one will
 * not do. It serves the distribution API's read side from stored images and
 * can be told to lie: tampered manifest or blob bytes, a wrong
 * Docker-Content-Digest or Content-Type, a wrong Content-Length, bodies cut
 * short, 429/5xx answers, blob redirects to a second origin that records what
 * it receives, Basic or Bearer (token) authentication on the same or another
 * origin, and the referrers API on or off. `onRequest` lets a test answer any
 * request itself (return true when it did).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A small origin that records requests and answers with a handler. */
export class RecordingOrigin {
  readonly requests: SeenRequest[] = [];
  url = '';
  private server: Server | undefined;

  constructor(
    private readonly handler: (req: IncomingMessage, res: ServerResponse, url: URL) => void
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        headers: req.headers,
      });
      this.handler(req, res, url);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

export interface StoredManifest {
  mediaType: string;
  bytes: Buffer;
}

export type FakeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | {
      kind: 'bearer';
      /** Token service on this origin (`same`) or on a second one (`other`). */
      realm: 'same' | 'other';
      /** Required credentials for a token; anonymous tokens are refused when set. */
      username?: string;
      password?: string;
    };

/** What to lie about; every hook may return undefined to behave. */
export interface FakeFaults {
  /** Replace the manifest bytes served for a reference (tag or digest). */
  manifestBody?: (reference: string, bytes: Buffer) => Buffer | undefined;
  /** The Docker-Content-Digest header for a manifest (default: the true digest). */
  manifestDigestHeader?: (reference: string, trueDigest: string) => string | undefined;
  /** The Content-Type for a manifest (default: its stored media type). */
  manifestContentType?: (reference: string, stored: string) => string | undefined;
  /** Replace a blob's bytes. */
  blobBody?: (digest: string, bytes: Buffer) => Buffer | undefined;
  /**
   * The Content-Length announced for a manifest or blob path (undefined: the
   * body's length; null: none, chunked). Less than the body sends only that
   * much; more sends the body and hangs up.
   */
  contentLength?: (path: string, bodyLength: number) => number | null | undefined;
  /** Send only this many body bytes, then drop the connection. */
  truncateAt?: (path: string) => number | undefined;
  /** Answer with this status instead (429, 500, 503…), e.g. for the first N requests. */
  status?: (path: string, count: number) => number | undefined;
  /** Redirect blob GETs to this origin (which then serves the blob). */
  redirectBlobs?: boolean;
}

interface Repo {
  manifests: Map<string, StoredManifest>;
  blobs: Map<string, Buffer>;
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export class FakeRegistry {
  readonly repos = new Map<string, Repo>();
  faults: FakeFaults = {};
  auth: FakeAuth = { kind: 'none' };
  referrersApi = false;
  /** A test's own answer to a request; return true when it answered. */
  onRequest: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean) | undefined;
  /** The second origin: blob redirect target and token service when `realm: 'other'`. */
  readonly other: RecordingOrigin;
  private readonly main: RecordingOrigin;
  url = '';
  host = '';
  private readonly tokens = new Set<string>();
  private readonly counts = new Map<string, number>();

  constructor() {
    this.other = new RecordingOrigin((req, res, url) => this.serveOther(req, res, url));
    this.main = new RecordingOrigin((req, res, url) => {
      if (!this.onRequest?.(req, res, url)) this.serve(req, res, url);
    });
  }

  /** Every request the registry's origin saw. */
  get requests(): SeenRequest[] {
    return this.main.requests;
  }

  async start(): Promise<this> {
    await this.other.start();
    await this.main.start();
    this.url = this.main.url;
    this.host = new URL(this.main.url).host;
    return this;
  }

  async close(): Promise<void> {
    await this.other.close();
    await this.main.close();
  }

  private repo(name: string): Repo {
    let r = this.repos.get(name);
    if (!r) {
      r = { manifests: new Map(), blobs: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  /** Stores blobs and manifests; each manifest is reachable by its digest and, if given, a tag. */
  put(
    repository: string,
    image: {
      blobs?: Map<string, Buffer>;
      manifests: { mediaType: string; bytes: Buffer; tag?: string }[];
    }
  ): void {
    const r = this.repo(repository);
    for (const [d, b] of image.blobs ?? []) r.blobs.set(d, b);
    for (const m of image.manifests) {
      const stored = { mediaType: m.mediaType, bytes: m.bytes };
      r.manifests.set(sha256(m.bytes), stored);
      if (m.tag) r.manifests.set(m.tag, stored);
    }
  }

  /** Forget learned tokens and per-path counters between tests. */
  reset(): void {
    this.faults = {};
    this.auth = { kind: 'none' };
    this.referrersApi = false;
    this.onRequest = undefined;
    this.requests.length = 0;
    this.other.requests.length = 0;
    this.tokens.clear();
    this.counts.clear();
  }

  private authorized(req: IncomingMessage): boolean {
    const a = this.auth;
    const h = req.headers.authorization ?? '';
    if (a.kind === 'none') return true;
    if (a.kind === 'basic') {
      return h === `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    }
    return h.startsWith('Bearer ') && this.tokens.has(h.slice(7));
  }

  private challenge(res: ServerResponse, scope: string): void {
    const a = this.auth;
    const header =
      a.kind === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="${a.kind === 'bearer' && a.realm === 'other' ? this.other.url : this.url}/token",service="fake-registry",scope="${scope}"`;
    res.writeHead(401, { 'www-authenticate': header, 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })
    );
  }

  /** The token service (on either origin). */
  private serveToken(req: IncomingMessage, res: ServerResponse): void {
    const a = this.auth;
    if (a.kind !== 'bearer') {
      res.writeHead(404).end();
      return;
    }
    if (a.username !== undefined) {
      const want = `Basic ${Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"details":"unauthorized"}');
        return;
      }
    }
    const token = randomBytes(16).toString('hex');
    this.tokens.add(token);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 300 }));
  }

  private serveOther(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname === '/token') {
      this.serveToken(req, res);
      return;
    }
    const m = /^\/storage\/([^/]+)\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    const blob = m ? this.repos.get(decodeURIComponent(m[1]!))?.blobs.get(m[2]!) : undefined;
    if (!m || !blob) {
      res.writeHead(404).end();
      return;
    }
    this.sendBody(res, url.pathname, this.faults.blobBody?.(m[2]!, blob) ?? blob, {
      'content-type': 'application/octet-stream',
    });
  }

  private sendBody(
    res: ServerResponse,
    path: string,
    body: Buffer,
    headers: Record<string, string>
  ): void {
    const announced = this.faults.contentLength
      ? this.faults.contentLength(path, body.length)
      : body.length;
    const cut = this.faults.truncateAt?.(path);
    // No Content-Length (null): chunked, so the client can only count what arrives.
    res.writeHead(
      200,
      announced === null
        ? headers
        : { ...headers, 'content-length': String(announced ?? body.length) }
    );
    if (cut !== undefined) {
      res.write(body.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    const length = announced ?? body.length;
    if (announced !== null && length > body.length) {
      // Promise more than there is, then hang up.
      res.write(body, () => res.socket?.destroy());
      return;
    }
    res.end(announced === null ? body : body.subarray(0, length));
  }

  private serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname;
    if (path === '/token') {
      this.serveToken(req, res);
      return;
    }
    const count = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, count);
    const forced = this.faults.status?.(path, count);
    if (forced !== undefined) {
      res.writeHead(forced, forced === 429 ? { 'retry-after': '0' } : {}).end();
      return;
    }
    if (path === '/v2/' || path === '/v2') {
      if (!this.authorized(req)) return this.challenge(res, '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const [, repository, kind, reference] = m as unknown as [string, string, string, string];
    const ref = decodeURIComponent(reference);
    if (!this.authorized(req)) return this.challenge(res, `repository:${repository}:pull`);
    const repo = this.repos.get(repository);
    if (kind === 'manifests') {
      const stored = repo?.manifests.get(ref);
      if (!stored) return this.notFound(res, 'MANIFEST_UNKNOWN');
      const bytes = this.faults.manifestBody?.(ref, stored.bytes) ?? stored.bytes;
      const digestHeader = this.faults.manifestDigestHeader
        ? this.faults.manifestDigestHeader(ref, sha256(stored.bytes))
        : sha256(stored.bytes);
      const ct = this.faults.manifestContentType?.(ref, stored.mediaType) ?? stored.mediaType;
      this.sendBody(res, path, bytes, {
        'content-type': ct,
        ...(digestHeader ? { 'docker-content-digest': digestHeader } : {}),
      });
      return;
    }
    if (kind === 'blobs') {
      const blob = repo?.blobs.get(ref);
      if (!blob) return this.notFound(res, 'BLOB_UNKNOWN');
      if (this.faults.redirectBlobs) {
        res.writeHead(307, {
          location: `${this.other.url}/storage/${encodeURIComponent(repository)}/${ref}?X-Amz-Signature=fake`,
        });
        res.end();
        return;
      }
      this.sendBody(res, path, this.faults.blobBody?.(ref, blob) ?? blob, {
        'content-type': 'application/octet-stream',
        'docker-content-digest': ref,
      });
      return;
    }
    // referrers (distribution-spec v1.1 "Listing Referrers")
    if (!this.referrersApi) return this.notFound(res, 'NOT_FOUND');
    const manifests = [...(repo?.manifests.entries() ?? [])]
      .filter(([key]) => key.startsWith('sha256:'))
      .flatMap(([digest, s]) => {
        try {
          const doc = JSON.parse(s.bytes.toString('utf8')) as {
            subject?: { digest?: string };
            artifactType?: string;
            config?: { mediaType?: string };
            annotations?: Record<string, string>;
          };
          if (doc.subject?.digest !== ref) return [];
          return [
            {
              mediaType: s.mediaType,
              digest,
              size: s.bytes.length,
              artifactType: doc.artifactType ?? doc.config?.mediaType,
              ...(doc.annotations ? { annotations: doc.annotations } : {}),
            },
          ];
        } catch {
          return [];
        }
      });
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests,
      })
    );
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(body);
  }

  private notFound(res: ServerResponse, code: string): void {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message: 'not found' }] }));
  }
}
