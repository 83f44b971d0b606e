/**
 * Zip bytes behind Content.Location / Code.Location, and the presigned-style
 * URLs that reach them: an HMAC over token, date and expiry with a per-server
 * secret, checked like S3 checks a presigned GET.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ContentSpec } from './estate.js';
import { zipDirectory, zipFiles } from './zip.js';

/** One downloadable zip. */
export interface ContentItem {
  /** Human key, also the target for content faults: `layer-name:3` or `function:name`. */
  key: string;
  token: string;
  bytes: Buffer;
  /** base64 sha256, as Lambda's CodeSha256. */
  sha256: string;
  size: number;
  /** Serve altered bytes (estate `tampered: true`). */
  tampered: boolean;
}

/** Builds a zip from an estate content spec. */
export function buildZip(spec: ContentSpec): Buffer {
  if (spec.$case === 'generate') return zipFiles(spec.files);
  return spec.path.endsWith('.zip') ? readFileSync(spec.path) : zipDirectory(spec.path);
}

/** `20240101T000000Z` */
export function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

export type PresignCheck =
  { ok: true; item: ContentItem } | { ok: false; status: number; code: string; message: string };

/** Holds every zip the estate serves, keyed by an opaque token. */
export class ContentStore {
  private readonly byToken = new Map<string, ContentItem>();
  private readonly byKey = new Map<string, ContentItem>();
  private readonly secret = randomBytes(32);

  /** Registers (once) and returns the item for `key`. */
  add(key: string, build: () => Buffer, tampered = false): ContentItem {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const bytes = build();
    const token = createHash('sha256').update(key).digest('hex').slice(0, 32);
    const item: ContentItem = {
      key,
      token,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('base64'),
      size: bytes.length,
      tampered,
    };
    this.byToken.set(token, item);
    this.byKey.set(key, item);
    return item;
  }

  get(key: string): ContentItem | undefined {
    return this.byKey.get(key);
  }

  private sign(token: string, date: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${token}\n${date}\n${expires}`).digest('hex');
  }

  /** A URL valid for `expiresIn` seconds from `issuedAt`. */
  presign(base: string, item: ContentItem, issuedAt: Date, expiresIn: number): string {
    const date = amzDate(issuedAt);
    const expires = String(expiresIn);
    const q = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': date,
      'X-Amz-Expires': expires,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': this.sign(item.token, date, expires),
    });
    return `${base}/_content/${item.token}?${q.toString()}`;
  }

  /** Checks a presigned request the way S3 would: signature first, then expiry. */
  check(token: string, query: URLSearchParams, now: Date): PresignCheck {
    const item = this.byToken.get(token);
    const date = query.get('X-Amz-Date') ?? '';
    const expires = query.get('X-Amz-Expires') ?? '';
    const sig = query.get('X-Amz-Signature') ?? '';
    if (!date || !expires || !sig) {
      return {
        ok: false,
        status: 403,
        code: 'AccessDenied',
        message:
          'Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters',
      };
    }
    const want = Buffer.from(this.sign(token, date, expires), 'hex');
    const got = Buffer.from(sig, 'hex');
    if (!item || got.length !== want.length || !timingSafeEqual(got, want)) {
      return {
        ok: false,
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided.',
      };
    }
    const issued = parseAmzDate(date);
    if (!issued || now.getTime() > issued.getTime() + Number(expires) * 1000) {
      return { ok: false, status: 403, code: 'AccessDenied', message: 'Request has expired' };
    }
    return { ok: true, item };
  }
}
