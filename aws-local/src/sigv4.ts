/**
 * SigV4 signature checking, as AWS does it: recompute the signature of the request with the
 * secret key the estate holds for its access key id and compare. A client that signs wrongly
 * (wrong secret, wrong canonical request) fails here as it would on AWS.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of a request SigV4 covers. */
export interface SignedRequest {
  method: string;
  /** The request target as sent (path still percent-encoded, with the query). */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** RFC 3986 escaping as the SDK's signer applies it (`encodeURIComponent` plus `!'()*`). */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  );
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer =>
  createHmac('sha256', key).update(s, 'utf8').digest();

/** The canonical path: S3 signs the path as sent; every other service escapes it once more. */
function canonicalPath(path: string, service: string): string {
  if (service === 's3') return path;
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: URLSearchParams): string {
  const pairs = [...query.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [escapeUri(k), escapeUri(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * True when the request's `Authorization` signature is the one `secretAccessKey` gives. False
 * for any malformed header, a missing signed header or `x-amz-date`, or a different signature.
 */
export function signatureMatches(req: SignedRequest, secretAccessKey: string): boolean {
  const m = AUTH.exec(header(req.headers, 'authorization') ?? '');
  const amzDate = header(req.headers, 'x-amz-date');
  if (!m || !amzDate) return false;
  const [, , date = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
  if (!amzDate.startsWith(date)) return false;
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return false;
  const values: string[] = [];
  for (const name of names) {
    const v = header(req.headers, name);
    if (v === undefined) return false;
    values.push(`${name}:${v.trim().replace(/\s+/g, ' ')}\n`);
  }
  const url = new URL(req.rawUrl, 'http://localhost');
  const rawPath = req.rawUrl.split('?')[0] ?? '/';
  const payload = header(req.headers, 'x-amz-content-sha256') ?? sha256(req.body);
  const canonical = [
    req.method,
    canonicalPath(rawPath, service),
    canonicalQuery(url.searchParams),
    values.join(''),
    signedHeaders,
    payload,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, toSign).toString('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
