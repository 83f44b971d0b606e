/**
 * S3 GetObject / HeadObject with path-style addressing (`GET /BUCKET/KEY`), as
 * @aws-sdk/client-s3 sends them with `forcePathStyle: true`. Objects come from the estate's
 * `s3:` section and, automatically, from every succeeded signing job: its `signedObject`
 * (bucket/key) holds the bytes of the layer version that names the job, as AWS Signer would
 * have written them (unless the `s3:` section gives that key other bytes). Errors are S3's XML
 * documents (`NoSuchBucket`, `NoSuchKey`, `AccessDenied`), which the SDK's deserializer reads.
 * Only the bucket's owner account and its `sharedWith` accounts may read a bucket.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { buildZip } from './content.js';
import type { Estate, S3ObjectSpec } from './estate.js';
import { ApiError, xmlEscape, type Caller } from './wire.js';

/** A bucket as served: owner, readers and lazily built object bytes. */
interface ServedBucket {
  account: string;
  sharedWith: string[];
  objects: Map<string, () => Buffer>;
}

/** A successful S3 answer. */
export interface S3ObjectResult {
  op: 'GetObject' | 'HeadObject';
  bytes: Buffer;
  headers: Record<string, string | number>;
}

/** Objects are fixed for the life of an estate, so Last-Modified is too. */
const LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';

function once(build: () => Buffer): () => Buffer {
  let bytes: Buffer | undefined;
  return () => (bytes ??= build());
}

function objectBytes(spec: S3ObjectSpec): Buffer {
  if (spec.$case === 'file') return readFileSync(spec.path);
  if (spec.$case === 'text') return Buffer.from(spec.text, 'utf8');
  return buildZip(spec);
}

/** Every bucket the endpoint serves, built once per estate. */
export class S3Store {
  private readonly buckets = new Map<string, ServedBucket>();

  constructor(estate: Estate) {
    for (const b of estate.s3?.buckets.values() ?? []) {
      const objects = new Map<string, () => Buffer>();
      for (const [key, spec] of b.objects)
        objects.set(
          key,
          once(() => objectBytes(spec))
        );
      this.buckets.set(b.name, { account: b.account, sharedWith: b.sharedWith, objects });
    }
    // Signer's output: the signed zip at signedObject, owned by the job's account.
    for (const [account, a] of estate.accounts) {
      for (const region of a.regions.values()) {
        for (const layer of region.layers) {
          for (const v of layer.versions) {
            if (v.signingJob === undefined) continue;
            const job = region.signingJobs.find((j) => j.jobId === v.signingJob);
            if (!job || job.status !== 'Succeeded') continue;
            const { bucketName, key } = job.signedObject;
            let bucket = this.buckets.get(bucketName);
            if (!bucket) {
              bucket = { account, sharedWith: [], objects: new Map() };
              this.buckets.set(bucketName, bucket);
            }
            // An explicit object (estate `s3:`) wins: that is how a mismatch is staged.
            if (!bucket.objects.has(key)) {
              const content = v.content;
              bucket.objects.set(
                key,
                once(() => buildZip(content))
              );
            }
          }
        }
      }
    }
  }

  /**
   * Answer `GET`/`HEAD /BUCKET/KEY` for `caller`.
   * @param rawPath the request's percent-encoded pathname
   * @throws ApiError with S3's error code (the server writes it as S3 XML)
   */
  handle(method: string, rawPath: string, caller: Caller, partition: string): S3ObjectResult {
    const path = rawPath.replace(/^\/+/, '');
    const slash = path.indexOf('/');
    const bucketName = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    if (method !== 'GET' && method !== 'HEAD') {
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.'
      );
    }
    if (!bucketName || !key) {
      throw new ApiError(501, 'NotImplemented', 'Only GetObject and HeadObject are implemented.');
    }
    const op = method === 'GET' ? 'GetObject' : 'HeadObject';
    const bucket = this.buckets.get(bucketName);
    if (!bucket) {
      throw new ApiError(404, 'NoSuchBucket', 'The specified bucket does not exist', {
        BucketName: bucketName,
      });
    }
    if (bucket.account !== caller.account && !bucket.sharedWith.includes(caller.account)) {
      throw new ApiError(
        403,
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: s3:GetObject on resource: arn:${partition}:s3:::${bucketName}/${key}`
      );
    }
    const build = bucket.objects.get(key);
    if (!build)
      throw new ApiError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const bytes = build();
    return {
      op,
      bytes,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
        'last-modified': LAST_MODIFIED,
        'accept-ranges': 'bytes',
      },
    };
  }
}

/**
 * S3's XML error document; `extra` (e.g. `Key`, `BucketName`) become elements. A HEAD answer
 * has no body, as S3 sends it (the SDK then names the error from the status code).
 */
export function writeS3ApiError(
  res: ServerResponse,
  err: ApiError,
  requestId: string,
  head: boolean
): void {
  const extra = Object.entries(err.extra)
    .map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`)
    .join('');
  const data = head
    ? Buffer.alloc(0)
    : Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(err.code)}</Code>` +
          `<Message>${xmlEscape(err.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`
      );
  res.writeHead(err.status, {
    'content-type': 'application/xml',
    'content-length': data.length,
    'x-amz-request-id': requestId,
    ...err.headers,
  });
  res.end(data);
}
