import { createHash } from 'node:crypto';
import { GetLayerVersionByArnCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient } from '@aws-sdk/client-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EstateError, parseEstate } from './estate.js';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const HOME = '111111111111';
const OTHER = '222222222222';
const THIRD = '333333333333';
const R = 'us-east-1';
const JOB = '0b6a3c44-1f2e-4d5c-9a8b-000000000001';
const JOB2 = '0b6a3c44-1f2e-4d5c-9a8b-000000000002';

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAS3TESTHOME000001, secretAccessKey: s }]
    regions:
      ${R}:
        signingProfiles: [{ name: P, version: PVer000001 }]
        signingJobs:
          - { jobId: ${JOB}, profile: P, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-01-01T00:00:00Z' }
          - { jobId: ${JOB2}, profile: P, createdAt: '2024-06-01T00:00:00Z', completedAt: '2024-06-01T00:00:05Z', signatureExpiresAt: '2035-01-01T00:00:00Z', signedObject: { bucketName: staged, key: 'out/${JOB2}.zip' } }
        layers:
          - name: signed
            versions: [{ generate: { files: { 'nodejs/a.js': 'a' } }, signingJob: ${JOB} }]
          - name: staged
            versions: [{ generate: { files: { 'nodejs/b.js': 'b' } }, signingJob: ${JOB2} }]
  '${OTHER}':
    accessKeys: [{ accessKeyId: AKIAS3TESTOTHER00001, secretAccessKey: s }]
  '${THIRD}':
    accessKeys: [{ accessKeyId: AKIAS3TESTTHIRD00001, secretAccessKey: s }]
s3:
  buckets:
    bundles:
      account: '${HOME}'
      sharedWith: ['${OTHER}']
      objects:
        'p/hello.txt': { text: 'hello s3' }
        'p/a.txt': { file: ../sigstore/conformance/a.txt }
    staged:
      objects:
        'out/${JOB2}.zip': { text: 'not the layer' }
`;

let ep: AwsEndpoint;
const clients: { destroy(): void }[] = [];
const s3 = (accessKeyId: string): S3Client => {
  const c = new S3Client({
    endpoint: ep.url,
    region: R,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: 's' },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
};
const body = async (c: S3Client, Bucket: string, Key: string): Promise<Buffer> => {
  const out = await c.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from(await out.Body!.transformToByteArray());
};
const errorOf = async (p: Promise<unknown>): Promise<S3ServiceException> => {
  try {
    await p;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error('expected the call to fail');
};

beforeAll(async () => {
  ep = await startAwsEndpoint({
    // Relative `file:` paths resolve against the estate's directory.
    estate: parseEstate(parse(ESTATE), `${process.cwd()}/testdata/estates`),
  });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await ep.close();
});

describe('S3 GetObject through @aws-sdk/client-s3 (path style)', () => {
  it('serves text and file objects from the estate to the owner and to sharedWith', async () => {
    expect((await body(s3('AKIAS3TESTHOME000001'), 'bundles', 'p/hello.txt')).toString()).toBe(
      'hello s3'
    );
    const a = await body(s3('AKIAS3TESTOTHER00001'), 'bundles', 'p/a.txt');
    expect(createHash('sha256').update(a).digest('hex')).toBe(
      'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf'
    );
    expect(ep.log.at(-1)).toMatchObject({
      service: 's3',
      op: 'GetObject',
      status: 200,
      account: OTHER,
    });
  });

  it('serves the signed object of a signing job: the bytes of the layer that names the job', async () => {
    const signer = new SignerClient({ endpoint: ep.url, region: R, credentials: ep.credentials });
    const lambda = new LambdaClient({ endpoint: ep.url, region: R, credentials: ep.credentials });
    clients.push(signer, lambda);
    const job = await signer.send(new DescribeSigningJobCommand({ jobId: JOB }));
    const loc = job.signedObject!.s3!;
    expect(loc).toEqual({ bucketName: `signer-${HOME}-${R}`, key: `signed/${JOB}.zip` });
    const bytes = await body(s3('AKIAS3TESTHOME000001'), loc.bucketName!, loc.key!);
    const layer = await lambda.send(
      new GetLayerVersionByArnCommand({ Arn: `arn:aws:lambda:${R}:${HOME}:layer:signed:1` })
    );
    expect(createHash('sha256').update(bytes).digest('base64')).toBe(layer.Content!.CodeSha256);
    expect(bytes.length).toBe(layer.Content!.CodeSize);
  });

  it('lets the s3: section override a signed object with other bytes', async () => {
    const bytes = await body(s3('AKIAS3TESTHOME000001'), 'staged', `out/${JOB2}.zip`);
    expect(bytes.toString()).toBe('not the layer');
  });

  it('HeadObject gives the size without the body', async () => {
    const out = await s3('AKIAS3TESTHOME000001').send(
      new HeadObjectCommand({ Bucket: 'bundles', Key: 'p/hello.txt' })
    );
    expect(out.ContentLength).toBe(8);
    expect(out.ETag).toBe(`"${createHash('md5').update('hello s3').digest('hex')}"`);
  });

  it('answers NoSuchKey (404) as the SDK models it', async () => {
    const e = await errorOf(
      s3('AKIAS3TESTHOME000001').send(new GetObjectCommand({ Bucket: 'bundles', Key: 'p/none' }))
    );
    expect(e).toBeInstanceOf(NoSuchKey);
    expect(e.name).toBe('NoSuchKey');
    expect(e.$metadata.httpStatusCode).toBe(404);
  });

  it('answers NoSuchBucket (404)', async () => {
    const e = await errorOf(
      s3('AKIAS3TESTHOME000001').send(new GetObjectCommand({ Bucket: 'nope-bucket', Key: 'k' }))
    );
    expect(e.name).toBe('NoSuchBucket');
    expect(e.$metadata.httpStatusCode).toBe(404);
  });

  it('answers AccessDenied (403) to an account that neither owns nor shares the bucket', async () => {
    const e = await errorOf(
      s3('AKIAS3TESTTHIRD00001').send(
        new GetObjectCommand({ Bucket: 'bundles', Key: 'p/hello.txt' })
      )
    );
    expect(e.name).toBe('AccessDenied');
    expect(e.$metadata.httpStatusCode).toBe(403);
    // The signer bucket belongs to the job's account only.
    const e2 = await errorOf(
      s3('AKIAS3TESTOTHER00001').send(
        new GetObjectCommand({ Bucket: `signer-${HOME}-${R}`, Key: `signed/${JOB}.zip` })
      )
    );
    expect(e2.name).toBe('AccessDenied');
  });

  it('answers InvalidAccessKeyId for an unknown key', async () => {
    const e = await errorOf(
      s3('AKIAUNKNOWN000000001').send(
        new GetObjectCommand({ Bucket: 'bundles', Key: 'p/hello.txt' })
      )
    );
    expect(e.name).toBe('InvalidAccessKeyId');
    expect(e.$metadata.httpStatusCode).toBe(403);
  });
});

describe('estate s3: section', () => {
  const load = (s3: unknown) =>
    parseEstate(
      {
        accounts: { [HOME]: { accessKeys: [{ accessKeyId: 'AKIAX', secretAccessKey: 's' }] } },
        s3,
      },
      process.cwd()
    );
  it('accepts buckets with objects and defaults the owner to the home account', () => {
    const e = load({ buckets: { 'my-bucket': { objects: { k: { text: 'x' } } } } });
    expect(e.s3?.buckets.get('my-bucket')).toMatchObject({ account: HOME, sharedWith: [] });
  });
  const bad: [string, unknown, string][] = [
    ['a bad bucket name', { buckets: { B_: {} } }, 's3.buckets.B_'],
    ['an unknown owner', { buckets: { bkt: { account: OTHER } } }, 's3.buckets.bkt.account'],
    [
      'two contents for one object',
      { buckets: { bkt: { objects: { k: { text: 'x', file: 'package.json' } } } } },
      's3.buckets.bkt.objects.k',
    ],
    [
      'a missing file',
      { buckets: { bkt: { objects: { k: { file: 'no/such/file' } } } } },
      's3.buckets.bkt.objects.k.file',
    ],
    ['an unknown field', { buckets: { bkt: { owner: HOME } } }, 's3.buckets.bkt.owner'],
  ];
  for (const [what, s3v, field] of bad) {
    it(`rejects ${what}`, () => {
      let err: unknown;
      try {
        load(s3v);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EstateError);
      expect((err as EstateError).code).toBe('ESTATE_INVALID');
      expect((err as EstateError).field).toBe(field);
    });
  }
});
