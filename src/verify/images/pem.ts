/**
 * Strict PEM certificate lists: `-----BEGIN CERTIFICATE-----` blocks and nothing else but
 * whitespace between them (RFC 7468 §2 strict form).
 */
import { BASE64 } from './check.js';

const BLOCK =
  /-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]{1,76}\r?\n)+)-----END CERTIFICATE-----/g;

/**
 * The DER of every certificate in `text`, in order; undefined when `text` holds anything else,
 * more than `max` certificates, or a block that is not base64.
 */
export function pemCertificates(text: string, max = 64): Buffer[] | undefined {
  const ders: Buffer[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const b64 = (m[1] ?? '').replace(/\r?\n/g, '');
    if (!BASE64.test(b64)) return undefined;
    ders.push(Buffer.from(b64, 'base64'));
    if (ders.length > max) return undefined;
  }
  if (text.replace(BLOCK, '').trim() !== '') return undefined;
  return ders;
}
