/**
 * Where the Sigstore bundles of a layer are found: a policy rule's `bundles:` sources (a
 * directory, an `s3://` prefix, an `https://` URL template keyed by the digest). Every source
 * that cannot be read becomes an error string for the report; the Sigstore check then fails
 * closed (no bundle, no pass).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FoundBundle } from '../model/evidence.js';
import { readRegularFileSync } from '../util/fs.js';
import { parseS3Url, type S3Reader } from './aws/s3.js';
import { boundedText } from './body.js';

/** Largest bundle accepted from any source (real bundles are a few KiB). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;
/** How long one https bundle fetch may take. */
export const BUNDLE_FETCH_TIMEOUT_MS = 15_000;

/** Bundles found and the sources that could not be read. */
export interface BundleLookup {
  bundles: FoundBundle[];
  errors: string[];
}

/** One place bundles are looked for: exactly one of the fields is set (a policy's `bundles:`). */
export interface BundleLocation {
  /** A directory (relative to the policy file) holding `<sha256>*.json`. */
  dir?: string;
  /** An `https://` URL template; `{digest}` becomes the hex sha256. */
  url?: string;
  /** An `s3://bucket/prefix`. */
  s3?: string;
}

/** Parse bundle text; unparseable text is kept as a string so verification fails on it. */
export function parseBundle(source: string, text: string): FoundBundle {
  try {
    return { source, bundle: JSON.parse(text) as unknown };
  } catch {
    return { source, bundle: text };
  }
}

/** A directory source: files named `<sha256>*.json`. */
async function fromDir(dir: string, label: string, sha256: string, out: BundleLookup) {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    out.errors.push(`${label}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return;
  }
  for (const n of names.sort()) {
    if (!n.startsWith(sha256) || !n.endsWith('.json')) continue;
    const path = join(dir, n);
    try {
      // As bounded as the HTTP and S3 sources; a FIFO or device there is an error, not a wait.
      const text = readRegularFileSync(path, MAX_BUNDLE_BYTES).toString('utf8');
      out.bundles.push(parseBundle(path, text));
    } catch (e) {
      out.errors.push(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/**
 * An https URL template: `{digest}` becomes the hex sha256. Fetched with plain fetch, no
 * credentials, no cookies, bounded in size and time. 404 means "no bundle here", not an error.
 */
async function fromUrl(template: string, sha256: string, out: BundleLookup, fetchImpl: FetchLike) {
  const url = template.split('{digest}').join(sha256);
  if (!/^https:\/\//i.test(url)) {
    out.errors.push(`${url}: only https:// bundle URLs are fetched`);
    return;
  }
  try {
    const res = await fetchImpl(url, {
      credentials: 'omit',
      redirect: 'follow',
      signal: AbortSignal.timeout(BUNDLE_FETCH_TIMEOUT_MS),
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return;
    }
    if (!res.ok) {
      await res.body?.cancel();
      out.errors.push(`${url}: HTTP ${res.status}`);
      return;
    }
    out.bundles.push(parseBundle(url, await boundedText(res, MAX_BUNDLE_BYTES)));
  } catch (e) {
    out.errors.push(`${url}: ${(e as Error).message}`);
  }
}

/** Object names tried under an `s3://` prefix, in order: each one found is a bundle. */
export const S3_BUNDLE_SUFFIXES = ['.sigstore.json', '.json'] as const;

/**
 * An `s3://bucket/prefix` source: GetObject `prefix + <sha256> + suffix` for each of
 * {@link S3_BUNDLE_SUFFIXES}, bounded in size. A missing object (NoSuchKey) means "no bundle
 * here"; anything else (AccessDenied, NoSuchBucket, too large) is reported as unread.
 */
async function fromS3(url: string, sha256: string, out: BundleLookup, reader: S3Reader) {
  const loc = parseS3Url(url);
  if (!loc) {
    out.errors.push(`${url}: not an s3://BUCKET/PREFIX URL`);
    return;
  }
  for (const suffix of S3_BUNDLE_SUFFIXES) {
    const key = `${loc.prefix}${sha256}${suffix}`;
    const where = `s3://${loc.bucket}/${key}`;
    try {
      const bytes = await reader.get(loc.bucket, key, MAX_BUNDLE_BYTES);
      if (bytes) out.bundles.push(parseBundle(where, bytes.toString('utf8')));
    } catch (e) {
      const err = e as Error;
      out.errors.push(`${where}: ${err.name}${err.message ? `: ${err.message}` : ''}`);
    }
  }
}

/** `fetch` as used here (tests substitute their own). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Options for {@link collectBundles}. */
export interface CollectBundlesOptions {
  /** Directory relative `dir:` sources resolve against (the policy file's). */
  baseDir: string;
  fetch?: FetchLike;
  /** Reads `s3://` sources (e.g. SdkSignerEvidence.s3); without it they are reported unread. */
  s3?: S3Reader;
}

/** Bundles from the given sources for the layer with this digest. Never throws for a source. */
export async function collectBundles(
  sha256: string,
  sources: readonly BundleLocation[],
  options: CollectBundlesOptions
): Promise<BundleLookup> {
  const out: BundleLookup = { bundles: [], errors: [] };
  const fetchImpl = options.fetch ?? ((u, i) => fetch(u, i));
  for (const src of sources) {
    if (src.dir !== undefined) {
      await fromDir(resolve(options.baseDir, src.dir), src.dir, sha256, out);
    } else if (src.url !== undefined) {
      await fromUrl(src.url, sha256, out, fetchImpl);
    } else if (src.s3 !== undefined) {
      if (options.s3) await fromS3(src.s3, sha256, out, options.s3);
      // No AWS settings for this run (a local zip): the source stays unread and the Sigstore
      // check fails closed on it.
      else out.errors.push(`${src.s3}: s3:// bundle sources need AWS access (not read)`);
    }
  }
  return out;
}
