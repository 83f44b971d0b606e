/**
 * S3 reads, bounded in size: hashing the signed object AWS Signer wrote (DescribeSigningJob
 * `signedObject.s3`, https://docs.aws.amazon.com/signer/latest/api/API_DescribeSigningJob.html)
 * and fetching Sigstore bundles from an `s3://` prefix. Clients come from the run's
 * ClientFactory, so they share its endpoint, profile, credentials and request counter.
 */
import { createHash } from 'node:crypto';
import type { RetryPolicy } from '../retry.js';
import { DEFAULT_PRINCIPAL, type ClientFactory, type Principal } from './clients.js';
import { withRetry } from './errors.js';
import { s3Sdk } from './sdk.js';

/** Largest signed object hashed: Signer's Lambda platform signs at most 250 MB (moto's copy of ListSigningPlatforms). */
export const MAX_SIGNED_OBJECT_BYTES = 250 * 1024 * 1024;

/** Region used when a bucket's region is not known (bundle sources); redirects are followed. */
export const DEFAULT_S3_REGION = 'us-east-1';

/** An object bigger than the caller's bound. */
export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLarge';
}

/** `s3://bucket/prefix` split; undefined when it is not an s3 URL with a bucket. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m?.[1]) return undefined;
  return { bucket: m[1], prefix: m[2] ?? '' };
}

/** True for S3's "there is no such object/bucket" answers. */
export function isS3NotFound(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** Reads objects; what the Signer evidence and the bundle lookup need from S3. */
export interface S3Reader {
  /**
   * Stream an object through sha256 without keeping it.
   * @throws the SDK error (e.g. `AccessDenied`, `NoSuchKey`), or ObjectTooLargeError past `maxBytes`
   */
  sha256(
    bucket: string,
    key: string,
    maxBytes: number,
    region?: string
  ): Promise<{ sha256: string; size: number }>;
  /**
   * The object's bytes, or undefined when it does not exist (`NoSuchKey`).
   * @throws the SDK error for anything else, or ObjectTooLargeError past `maxBytes`
   */
  get(bucket: string, key: string, maxBytes: number, region?: string): Promise<Buffer | undefined>;
}

/** Options for {@link SdkS3Reader}. */
export interface SdkS3Options {
  /** Principals tried in order; the first that gets an answer other than access denied wins. */
  principals?: Principal[];
  /** Our retries of a GetObject the SDK gave up on (the run's `RetryPlan.api`). */
  retry: RetryPolicy;
}

/** The body of a GetObject answer as the SDK gives it in Node (an IncomingMessage). */
type NodeBody = AsyncIterable<Uint8Array> & { destroy?: () => void };

/**
 * Read a GetObject body chunk by chunk, refusing more than `maxBytes` (declared or sent).
 * @param keep also collect the bytes (bundles); hashing alone keeps nothing
 */
async function drain(
  out: { Body?: unknown; ContentLength?: number | undefined },
  what: string,
  maxBytes: number,
  keep: boolean
): Promise<{ sha256: string; size: number; bytes?: Buffer }> {
  const body = out.Body as NodeBody | undefined;
  const tooLarge = (n: string) =>
    new ObjectTooLargeError(`${what} is ${n} bytes, more than the ${maxBytes} allowed`);
  if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
    body?.destroy?.();
    throw tooLarge(String(out.ContentLength));
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  if (body) {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        body.destroy?.();
        throw tooLarge(`over ${size}`);
      }
      hash.update(chunk);
      if (keep) chunks.push(Buffer.from(chunk));
    }
  }
  return { sha256: hash.digest('hex'), size, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) };
}

const isAccessDenied = (err: unknown): boolean => {
  const name = (err as { name?: string }).name;
  return name === 'AccessDenied' || name === 'Forbidden';
};

/** {@link S3Reader} over the SDK, with the clients of a {@link ClientFactory}. */
export class SdkS3Reader implements S3Reader {
  private readonly principals: Principal[];
  private readonly retry: RetryPolicy;

  constructor(
    private readonly factory: ClientFactory,
    options: SdkS3Options
  ) {
    this.principals = options.principals?.length ? options.principals : [DEFAULT_PRINCIPAL];
    this.retry = options.retry;
  }

  /** GetObject as each principal in turn until one is not denied; the last error is thrown. */
  private async read<T>(
    bucket: string,
    key: string,
    region: string,
    use: (out: { Body?: unknown; ContentLength?: number | undefined }) => Promise<T>
  ): Promise<T> {
    const { GetObjectCommand } = s3Sdk();
    let last: unknown;
    for (const p of this.principals) {
      try {
        const client = await this.factory.s3(p, region);
        return await withRetry(this.retry, async () =>
          use(await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })))
        );
      } catch (err) {
        last = err;
        if (!isAccessDenied(err)) throw err;
      }
    }
    throw last;
  }

  async sha256(bucket: string, key: string, maxBytes: number, region = DEFAULT_S3_REGION) {
    const what = `s3://${bucket}/${key}`;
    return this.read(bucket, key, region, async (out) => {
      const { sha256, size } = await drain(out, what, maxBytes, false);
      return { sha256, size };
    });
  }

  async get(bucket: string, key: string, maxBytes: number, region = DEFAULT_S3_REGION) {
    const what = `s3://${bucket}/${key}`;
    try {
      return await this.read(
        bucket,
        key,
        region,
        async (out) => (await drain(out, what, maxBytes, true)).bytes
      );
    } catch (err) {
      if (isS3NotFound(err)) return undefined;
      throw err;
    }
  }
}
