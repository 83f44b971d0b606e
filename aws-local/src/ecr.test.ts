import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  ListImageReferrersCommand,
} from '@aws-sdk/client-ecr';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const HOME = '111111111111';
const VENDOR = '222222222222';
const REGION = 'us-east-1';
const MULTI = resolve('testdata/images/multi-oci');
const ALPINE = resolve('testdata/images/vectors/notation-go/internal/testdata/oci-layout');
const ALPINE_DIGEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
const AMD64 = 'sha256:4f0d0f0a86abbe2a11a7b53ad6618089b4a5efaddab48bf4c9dff32cea0f6194';
const ARM64 = 'sha256:6825d616421d123ff6d68e36e9225c1d9cc8f93caa2b85b600025673502dc679';
const INDEX = 'sha256:b6b0ee73e306afa9eeacafc18593bbb6a20982b781b837a99d70fd1d923d229f';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const sha256 = (b: Buffer | string): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-blob artifact (a stand-in signature) whose subject is the Alpine image. */
function writeReferrerLayout(dir: string): string {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer): string => {
    const d = sha256(b);
    writeFileSync(join(blobs, d.slice(7)), b);
    return d;
  };
  const empty = Buffer.from('{}');
  const payload = Buffer.from('not really a signature');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.cncf.notary.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: put(empty), size: 2 },
      layers: [{ mediaType: 'application/jose+json', digest: put(payload), size: payload.length }],
      subject: { mediaType: OCI_MANIFEST, digest: ALPINE_DIGEST, size: 481 },
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' },
    })
  );
  const digest = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: OCI_MANIFEST, digest, size: manifest.length }],
    })
  );
  return digest;
}

let dir: string;
let referrer: string;
let ep: AwsEndpoint;
let ecr: ECRClient;
let lambda: LambdaClient;

function estateYaml(): string {
  return `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAHOME, secretAccessKey: home }]
    regions:
      ${REGION}:
        ecr:
          repositories:
            - name: app/web
              createdAt: '2024-01-01T00:00:00Z'
              images:
                - { layout: '${ALPINE}', tags: [prod, v1], pushedAt: '2024-01-10T00:00:00Z' }
                - { layout: '${referrer}', pushedAt: '2024-01-11T00:00:00Z' }
                - { layout: '${MULTI}', ref: amd64, tags: [prod], pushedAt: '2024-03-01T00:00:00Z' }
            - name: multi
              imageTagMutability: IMMUTABLE
              images:
                - { layout: '${MULTI}', ref: multi, tags: ['1.0'], pushedAt: '2024-02-01T00:00:00Z' }
                - { layout: '${ALPINE}', tags: [old], pushedAt: '2024-02-02T00:00:00Z', status: ARCHIVED }
        functions:
          - name: web
            packageType: Image
            imageUri: ${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web:prod
            lastModified: '2024-02-01T00:00:00Z'
            versions:
              - { version: '1', imageUri: '${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web:prod', lastModified: '2024-04-01T00:00:00Z' }
          - name: worker
            packageType: Image
            architectures: [arm64]
            imageUri: ${HOME}.dkr.ecr.${REGION}.amazonaws.com/multi:1.0
            lastModified: '2024-02-05T00:00:00Z'
            imageConfig: { entryPoint: [/bin/run], command: [a.handler], workingDirectory: /srv }
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAVENDOR, secretAccessKey: vendor }]
    regions:
      ${REGION}:
        ecr:
          repositories:
            - name: shared
              sharedWith: ['${HOME}']
              images:
                - { layout: '${MULTI}', ref: arm64, tags: [latest], pushedAt: '2024-01-01T00:00:00Z' }
            - name: private
              images:
                - { layout: '${MULTI}', ref: amd64, tags: [latest], pushedAt: '2024-01-01T00:00:00Z' }
`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aws-local-ecr-test-'));
  referrer = join(dir, 'referrer');
  writeReferrerLayout(referrer);
  writeFileSync(join(dir, 'estate.yaml'), estateYaml());
  ep = await startAwsEndpoint({ estate: join(dir, 'estate.yaml') });
  const client = { endpoint: ep.url, region: REGION, credentials: ep.credentials, maxAttempts: 1 };
  ecr = new ECRClient(client);
  lambda = new LambdaClient(client);
});
afterAll(async () => {
  ecr?.destroy();
  lambda?.destroy();
  await ep?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function token(): Promise<{ auth: string; proxy: string; expiresAt: Date }> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = out.authorizationData?.[0];
  return {
    auth: `Basic ${data?.authorizationToken ?? ''}`,
    proxy: data?.proxyEndpoint ?? '',
    expiresAt: data?.expiresAt ?? new Date(0),
  };
}

async function errorOf(p: Promise<unknown>): Promise<ECRServiceException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(ECRServiceException);
  return err as ECRServiceException;
}

describe('ECR', () => {
  it('GetAuthorizationToken: a token the loopback registry accepts, valid 12 hours', async () => {
    const t = await token();
    expect(t.proxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(t.auth.slice(6), 'base64').toString()).toMatch(/^AWS:/);
    expect(t.expiresAt.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600 * 1000);
    expect((await fetch(`${t.proxy}/v2/`, { headers: { authorization: t.auth } })).status).toBe(
      200
    );
    const anonymous = await fetch(`${t.proxy}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const forged = Buffer.from(`AWS:${HOME}.99999999999999.AAAA`).toString('base64');
    expect(
      (await fetch(`${t.proxy}/v2/`, { headers: { authorization: `Basic ${forged}` } })).status
    ).toBe(401);
  });

  it('the registry serves the exact manifest bytes BatchGetImage returns, by digest and by tag', async () => {
    const t = await token();
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'app/web', imageIds: [{ imageTag: 'prod' }] })
    );
    expect(got.failures).toEqual([]);
    const image = got.images?.[0];
    expect(image?.imageId).toEqual({ imageDigest: AMD64, imageTag: 'prod' });
    expect(image?.imageManifestMediaType).toBe(OCI_MANIFEST);
    expect(sha256(image?.imageManifest ?? '')).toBe(AMD64);
    for (const ref of ['prod', AMD64]) {
      const res = await fetch(`${t.proxy}/v2/app/web/manifests/${ref}`, {
        headers: { authorization: t.auth, accept: OCI_MANIFEST },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(AMD64);
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(image?.imageManifest);
    }
    const layer = (JSON.parse(image?.imageManifest ?? '{}') as { layers: { digest: string }[] })
      .layers[0]!.digest;
    const blob = await fetch(`${t.proxy}/v2/app/web/blobs/${layer}`, {
      headers: { authorization: t.auth },
    });
    expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(layer);
  });

  it('BatchGetImage: acceptedMediaTypes, unknown and archived images', async () => {
    const refused = await errorOf(
      ecr.send(
        new BatchGetImageCommand({
          repositoryName: 'app/web',
          imageIds: [{ imageDigest: AMD64 }],
          acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'],
        })
      )
    );
    expect(refused.name).toBe('UnsupportedImageTypeException');
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'multi',
        imageIds: [{ imageTag: 'old' }, { imageTag: 'nope' }, { imageTag: '1.0' }],
        acceptedMediaTypes: [OCI_MANIFEST, 'application/vnd.oci.image.index.v1+json'],
      })
    );
    expect(out.images?.map((i) => i.imageId?.imageDigest)).toEqual([INDEX]);
    expect(out.failures?.map((f) => [f.imageId?.imageTag, f.failureCode])).toEqual([
      ['old', 'ImageInaccessible'],
      ['nope', 'ImageNotFound'],
    ]);
  });

  it('DescribeRepositories reports tag mutability', async () => {
    const out = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(
      out.repositories?.map((r) => [r.repositoryName, r.imageTagMutability, r.repositoryUri])
    ).toEqual([
      ['app/web', 'MUTABLE', `${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web`],
      ['multi', 'IMMUTABLE', `${HOME}.dkr.ecr.${REGION}.amazonaws.com/multi`],
    ]);
    expect(out.repositories?.[0]?.createdAt).toEqual(new Date('2024-01-01T00:00:00Z'));
  });

  it('DescribeImages: digests, tags now, push time, size, media type, archived only on request', async () => {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app/web' }));
    const rows = out.imageDetails?.map((d) => [d.imageDigest, d.imageTags, d.imageStatus]);
    // The tag moved: prod now names the amd64 image; v1 still names Alpine.
    expect(rows).toEqual([
      [ALPINE_DIGEST, ['v1'], 'ACTIVE'],
      [expect.stringMatching(/^sha256:/), undefined, 'ACTIVE'],
      [AMD64, ['prod'], 'ACTIVE'],
    ]);
    const alpine = out.imageDetails?.[0];
    expect(alpine?.imagePushedAt).toEqual(new Date('2024-01-10T00:00:00Z'));
    expect(alpine?.imageManifestMediaType).toBe(OCI_MANIFEST);
    expect(alpine?.imageSizeInBytes).toBeGreaterThan(3_000_000);
    const multi = await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi' }));
    expect(multi.imageDetails?.map((d) => d.imageDigest)).not.toContain(ALPINE_DIGEST);
    expect(multi.imageDetails?.map((d) => d.imageDigest)).toEqual(
      expect.arrayContaining([INDEX, AMD64, ARM64])
    );
    const all = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'multi', filter: { imageStatus: 'ANY' } })
    );
    expect(all.imageDetails?.find((d) => d.imageDigest === ALPINE_DIGEST)?.imageStatus).toBe(
      'ARCHIVED'
    );
    const missing = await errorOf(
      ecr.send(
        new DescribeImagesCommand({ repositoryName: 'app/web', imageIds: [{ imageTag: 'gone' }] })
      )
    );
    expect(missing.name).toBe('ImageNotFoundException');
  });

  it('ListImageReferrers finds the artifact whose subject is the image', async () => {
    const out = await ecr.send(
      new ListImageReferrersCommand({
        repositoryName: 'app/web',
        subjectId: { imageDigest: ALPINE_DIGEST },
      })
    );
    expect(out.referrers).toHaveLength(1);
    expect(out.referrers?.[0]).toMatchObject({
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.cncf.notary.signature',
      artifactStatus: 'ACTIVE',
    });
    const none = await ecr.send(
      new ListImageReferrersCommand({
        repositoryName: 'app/web',
        subjectId: { imageDigest: AMD64 },
      })
    );
    expect(none.referrers).toEqual([]);
  });

  it('the registry serves the OCI referrers API from the same images, filtered by artifactType', async () => {
    const t = await token();
    const list = async (digest: string, query = '') => {
      const res = await fetch(`${t.proxy}/v2/app/web/referrers/${digest}${query}`, {
        headers: { authorization: t.auth },
      });
      const body = (await res.json()) as { mediaType: string; manifests: unknown[] };
      return { res, body };
    };
    const { res, body } = await list(ALPINE_DIGEST);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(res.headers.get('oci-filters-applied')).toBeNull();
    expect(body.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(body.manifests).toHaveLength(1);
    const listed = body.manifests[0] as { digest: string; size: number };
    expect(listed).toMatchObject({
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.cncf.notary.signature',
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' },
    });
    // The descriptor names the bytes the registry serves.
    const m = await fetch(`${t.proxy}/v2/app/web/manifests/${listed.digest}`, {
      headers: { authorization: t.auth, accept: OCI_MANIFEST },
    });
    const bytes = Buffer.from(await m.arrayBuffer());
    expect([sha256(bytes), bytes.length]).toEqual([listed.digest, listed.size]);
    const other = await list(
      ALPINE_DIGEST,
      '?artifactType=application/vnd.dev.sigstore.bundle.v0.3%2Bjson'
    );
    expect(other.res.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(other.body.manifests).toEqual([]);
    expect((await list(AMD64)).body.manifests).toEqual([]);
    const anonymous = await fetch(`${t.proxy}/v2/app/web/referrers/${ALPINE_DIGEST}`);
    expect(anonymous.status).toBe(401);
  });

  it('GetDownloadUrlForLayer gives a URL serving the blob', async () => {
    const manifest = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'app/web', imageIds: [{ imageTag: 'v1' }] })
    );
    const layer = (
      JSON.parse(manifest.images?.[0]?.imageManifest ?? '{}') as { layers: { digest: string }[] }
    ).layers[0]!.digest;
    const out = await ecr.send(
      new GetDownloadUrlForLayerCommand({ repositoryName: 'app/web', layerDigest: layer })
    );
    expect(out.layerDigest).toBe(layer);
    const res = await fetch(out.downloadUrl ?? '');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(layer);
  });

  it('cross-account: a shared repository is readable, an unshared one is AccessDenied at the API and the registry', async () => {
    const shared = await ecr.send(
      new DescribeImagesCommand({ registryId: VENDOR, repositoryName: 'shared' })
    );
    expect(shared.imageDetails?.[0]?.imageDigest).toBe(ARM64);
    const denied = await errorOf(
      ecr.send(new DescribeImagesCommand({ registryId: VENDOR, repositoryName: 'private' }))
    );
    expect(denied.name).toBe('AccessDeniedException');
    const vendorToken = await ecr.send(new GetAuthorizationTokenCommand({ registryIds: [VENDOR] }));
    const data = vendorToken.authorizationData?.[0];
    const proxy = data?.proxyEndpoint ?? '';
    expect(proxy).not.toBe((await token()).proxy);
    const auth = {
      authorization: `Basic ${data?.authorizationToken ?? ''}`,
      accept: OCI_MANIFEST,
    };
    expect((await fetch(`${proxy}/v2/shared/manifests/latest`, { headers: auth })).status).toBe(
      200
    );
    const res = await fetch(`${proxy}/v2/private/manifests/latest`, { headers: auth });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('DENIED');
  });
});

describe('Lambda image functions', () => {
  it('resolve a tag to what it named at deploy time; an index to the function architecture', async () => {
    const web = await lambda.send(new GetFunctionCommand({ FunctionName: 'web' }));
    // Deployed on 2024-02-01, when prod named Alpine; the tag moved on 2024-03-01.
    expect(web.Code?.ResolvedImageUri).toBe(
      `${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web@${ALPINE_DIGEST}`
    );
    expect(web.Code?.ImageUri).toBe(`${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web:prod`);
    expect(web.Configuration?.CodeSha256).toBe(ALPINE_DIGEST.slice(7));
    expect(web.Configuration?.CodeSize).toBeGreaterThan(3_000_000);
    const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'web', Qualifier: '1' }));
    expect(v1.Code?.ResolvedImageUri).toBe(
      `${HOME}.dkr.ecr.${REGION}.amazonaws.com/app/web@${AMD64}`
    );
    const worker = await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }));
    expect(worker.Code?.ResolvedImageUri).toBe(
      `${HOME}.dkr.ecr.${REGION}.amazonaws.com/multi@${ARM64}`
    );
    // The function's own image settings; a function without them has no ImageConfigResponse.
    expect(worker.Configuration?.ImageConfigResponse).toEqual({
      ImageConfig: { EntryPoint: ['/bin/run'], Command: ['a.handler'], WorkingDirectory: '/srv' },
    });
    expect(web.Configuration?.ImageConfigResponse).toBeUndefined();
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    expect(
      all.Functions?.map((f) => [f.FunctionArn?.split(':').slice(-2).join(':'), f.CodeSha256])
    ).toEqual([
      ['web:$LATEST', ALPINE_DIGEST.slice(7)],
      ['web:1', AMD64.slice(7)],
      ['worker:$LATEST', ARM64.slice(7)],
    ]);
  });
});

describe('faults on ECR and the registry', () => {
  async function faulted(spec: string): Promise<{ ep: AwsEndpoint; ecr: ECRClient }> {
    const e = await startAwsEndpoint({ estate: join(dir, 'estate.yaml'), faults: spec });
    return {
      ep: e,
      ecr: new ECRClient({
        endpoint: e.url,
        region: REGION,
        credentials: e.credentials,
        maxAttempts: 1,
      }),
    };
  }

  it('throttle, 5xx, an expired token and a truncated blob', async () => {
    const f = await faulted(
      'throttle@DescribeImages=1,5xx@GetManifest=1,expired@GetAuthorizationToken=1,truncate@GetBlob=1'
    );
    try {
      const throttled = await errorOf(
        f.ecr.send(new DescribeImagesCommand({ repositoryName: 'app/web' }))
      );
      expect(throttled.name).toBe('ThrottlingException');
      const out = await f.ecr.send(new GetAuthorizationTokenCommand({}));
      const data = out.authorizationData?.[0];
      // The token claims 12 hours but no longer works.
      expect((data?.expiresAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(3600_000);
      const proxy = data?.proxyEndpoint ?? '';
      const res = await fetch(`${proxy}/v2/`, {
        headers: { authorization: `Basic ${data?.authorizationToken ?? ''}` },
      });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('expired');
      expect(f.ep.log.filter((r) => r.fault).map((r) => [r.service, r.op, r.fault])).toEqual([
        ['ecr', 'DescribeImages', 'throttle'],
        ['ecr', 'GetAuthorizationToken', 'expired'],
      ]);
      expect(f.ep.log.at(-1)).toMatchObject({ service: 'registry', op: 'Ping', status: 401 });
    } finally {
      f.ecr.destroy();
      await f.ep.close();
    }
    const g = await faulted('5xx@GetManifest=1,truncate@GetBlob=1');
    try {
      const data = (await g.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
      const headers = { authorization: `Basic ${data?.authorizationToken ?? ''}` };
      const proxy = data?.proxyEndpoint ?? '';
      expect((await fetch(`${proxy}/v2/app/web/manifests/v1`, { headers })).status).toBe(500);
      const layer = 'sha256:63b65145d645c1250c391b2d16ebe53b3747c295ca8ba2fcb6b0cf064a4dc21c';
      const blob = await fetch(`${proxy}/v2/app/web/blobs/${layer}`, { headers });
      expect(blob.status).toBe(200);
      const read = await blob.arrayBuffer().then(
        (b) => b.byteLength,
        () => -1
      );
      expect(read).not.toBe(Number(blob.headers.get('content-length')));
    } finally {
      g.ecr.destroy();
      await g.ep.close();
    }
  });
});
