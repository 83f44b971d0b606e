import { createHash } from 'node:crypto';
import {
  GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  ResourceNotFoundException,
  paginateListFunctions,
  paginateListLayerVersions,
  paginateListLayers,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const ESTATE = 'testdata/estates/example.yaml';
const HOME = '111111111111';
const VENDOR_EXT_4 = 'arn:aws:lambda:us-east-1:222222222222:layer:vendor-ext:4';

let ep: AwsEndpoint;
let lambda: LambdaClient;

function client(region = 'us-east-1', credentials = ep.credentials): LambdaClient {
  return new LambdaClient({ endpoint: ep.url, region, credentials, maxAttempts: 1 });
}

beforeAll(async () => {
  ep = await startAwsEndpoint({ estate: ESTATE });
  lambda = client();
});
afterAll(async () => {
  lambda.destroy();
  await ep.close();
});

async function download(url: string): Promise<{ status: number; bytes: Buffer; text: string }> {
  const res = await fetch(url);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, text: bytes.toString('utf8') };
}

describe('ListFunctions', () => {
  it('pages through $LATEST with small MaxItems and opaque markers', async () => {
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions).toHaveLength(2);
    expect(first.NextMarker).toBeTypeOf('string');
    const all: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 1 }, {})) {
      all.push(...(page.Functions ?? []));
    }
    expect(all.map((f) => f.FunctionName)).toEqual(['api', 'image-fn', 'legacy', 'worker']);
    expect(all.every((f) => f.Version === '$LATEST')).toBe(true);
    expect(all[0]?.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${HOME}:function:api`);
  });

  it('FunctionVersion=ALL adds published versions with their own layer snapshot', async () => {
    const all: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions(
      { client: lambda, pageSize: 2 },
      { FunctionVersion: 'ALL' }
    )) {
      all.push(...(page.Functions ?? []));
    }
    const api = all.filter((f) => f.FunctionName === 'api');
    expect(api.map((f) => f.Version)).toEqual(['$LATEST', '1']);
    expect(api[0]?.FunctionArn).toMatch(/:function:api:\$LATEST$/);
    expect(api[1]?.FunctionArn).toMatch(/:function:api:1$/);
    expect(api[1]?.Layers?.map((l) => l.Arn)).toEqual([
      `arn:aws:lambda:us-east-1:${HOME}:layer:node-deps:1`,
    ]);
  });

  it('reports layers in order with sizes and signing ARNs, including cross-account and deleted ones', async () => {
    const { Configuration: api } = await lambda.send(
      new GetFunctionCommand({ FunctionName: 'api' })
    );
    expect(api?.Layers?.map((l) => l.Arn)).toEqual([
      `arn:aws:lambda:us-east-1:${HOME}:layer:node-deps:2`,
      VENDOR_EXT_4,
    ]);
    expect(api?.Layers?.[0]?.SigningProfileVersionArn).toBe(
      `arn:aws:signer:us-east-1:${HOME}:/signing-profiles/HomeProfile/Vx0ZhYfrc4`
    );
    expect(api?.Layers?.[0]?.SigningJobArn).toBe(
      `arn:aws:signer:us-east-1:${HOME}:/signing-jobs/0b6a3c44-1f2e-4d5c-9a8b-7c6d5e4f3a21`
    );
    expect(api?.Layers?.[1]?.SigningJobArn).toMatch(
      /^arn:aws:signer:us-east-1:222222222222:\/signing-jobs\//
    );
    expect(api?.Layers?.[0]?.CodeSize).toBeGreaterThan(0);
    expect(api?.Architectures).toEqual(['arm64']);
    expect(api?.Runtime).toBe('nodejs20.x');
    expect(api?.PackageType).toBe('Zip');
    expect(api?.LastModified).toBe('2024-04-01T12:00:00.000+0000');
    expect(api?.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const { Configuration: legacy } = await lambda.send(
      new GetFunctionCommand({ FunctionName: 'legacy' })
    );
    expect(legacy?.Layers?.[0]?.Arn).toBe(`arn:aws:lambda:us-east-1:${HOME}:layer:node-deps:3`);
  });

  it('is per region', async () => {
    const eu = client('eu-west-1');
    const res = await eu.send(new ListFunctionsCommand({}));
    expect(res.Functions?.map((f) => f.FunctionName)).toEqual(['eu-api']);
    expect(res.Functions?.[0]?.FunctionArn).toBe(
      `arn:aws:lambda:eu-west-1:${HOME}:function:eu-api`
    );
    eu.destroy();
  });

  it('rejects a bad MaxItems and a forged marker as InvalidParameterValueException', async () => {
    const err = await lambda
      .send(new ListFunctionsCommand({ Marker: 'bm9wZQ' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LambdaServiceException);
    expect((err as LambdaServiceException).name).toBe('InvalidParameterValueException');
    expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(400);
  });
});

describe('GetFunction', () => {
  it('returns code at a presigned URL whose bytes match CodeSha256 and CodeSize', async () => {
    const res = await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }));
    expect(res.Code?.RepositoryType).toBe('S3');
    const got = await download(res.Code?.Location ?? '');
    expect(got.status).toBe(200);
    expect(createHash('sha256').update(got.bytes).digest('base64')).toBe(
      res.Configuration?.CodeSha256
    );
    expect(got.bytes.length).toBe(res.Configuration?.CodeSize);
  });

  it('accepts ARNs and qualifiers', async () => {
    const byArn = await lambda.send(
      new GetFunctionCommand({ FunctionName: `arn:aws:lambda:us-east-1:${HOME}:function:api:1` })
    );
    expect(byArn.Configuration?.Version).toBe('1');
    const byQ = await lambda.send(new GetFunctionCommand({ FunctionName: 'api', Qualifier: '1' }));
    expect(byQ.Configuration?.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${HOME}:function:api:1`);
  });

  it('gives image functions an ECR code location', async () => {
    const res = await lambda.send(new GetFunctionCommand({ FunctionName: 'image-fn' }));
    expect(res.Configuration?.PackageType).toBe('Image');
    expect(res.Code?.RepositoryType).toBe('ECR');
    expect(res.Code?.ImageUri).toBe('111111111111.dkr.ecr.us-east-1.amazonaws.com/image-fn:v1');
    expect(res.Code?.ResolvedImageUri).toMatch(
      /^111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com\/image-fn@sha256:[0-9a-f]{64}$/
    );
  });

  it('throws the typed ResourceNotFoundException (404) for a missing function', async () => {
    const err = await lambda
      .send(new GetFunctionCommand({ FunctionName: 'nope' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((err as ResourceNotFoundException).Type).toBe('User');
  });

  it('denies another account’s function with AccessDeniedException (403)', async () => {
    const err = await lambda
      .send(
        new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:222222222222:function:x' })
      )
      .catch((e: unknown) => e);
    expect((err as LambdaServiceException).name).toBe('AccessDeniedException');
    expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(403);
  });
});

describe('code signing configs', () => {
  it('links a function to its CSC and returns the CSC', async () => {
    const link = await lambda.send(
      new GetFunctionCodeSigningConfigCommand({ FunctionName: 'api' })
    );
    const arn = `arn:aws:lambda:us-east-1:${HOME}:code-signing-config:csc-0a1b2c3d4e5f6a7b8`;
    expect(link).toMatchObject({ FunctionName: 'api', CodeSigningConfigArn: arn });
    const { CodeSigningConfig: csc } = await lambda.send(
      new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn })
    );
    expect(csc?.CodeSigningConfigId).toBe('csc-0a1b2c3d4e5f6a7b8');
    expect(csc?.AllowedPublishers?.SigningProfileVersionArns).toEqual([
      `arn:aws:signer:us-east-1:${HOME}:/signing-profiles/HomeProfile/Vx0ZhYfrc4`,
    ]);
    expect(csc?.CodeSigningPolicies?.UntrustedArtifactOnDeployment).toBe('Enforce');
  });

  it('answers an empty ARN when none is attached, and rejects image functions', async () => {
    const none = await lambda.send(
      new GetFunctionCodeSigningConfigCommand({ FunctionName: 'worker' })
    );
    expect(none.CodeSigningConfigArn).toBe('');
    const err = await lambda
      .send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'image-fn' }))
      .catch((e: unknown) => e);
    expect((err as LambdaServiceException).name).toBe('InvalidParameterValueException');
    expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(400);
  });

  it('404s an unknown CSC', async () => {
    const err = await lambda
      .send(
        new GetCodeSigningConfigCommand({
          CodeSigningConfigArn: `arn:aws:lambda:us-east-1:${HOME}:code-signing-config:csc-00000000000000000`,
        })
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('layers', () => {
  it('ListLayers pages and reports the latest non-deleted matching version', async () => {
    const layers = [];
    for await (const page of paginateListLayers({ client: lambda, pageSize: 1 }, {}))
      layers.push(...(page.Layers ?? []));
    expect(layers.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([
      ['node-deps', 2],
      ['py-deps', 2],
    ]);
  });

  it('ListLayers filters by runtime and architecture', async () => {
    const layers = [];
    for await (const page of paginateListLayers(
      { client: lambda },
      { CompatibleRuntime: 'nodejs18.x', CompatibleArchitecture: 'x86_64' }
    )) {
      layers.push(...(page.Layers ?? []));
    }
    expect(layers.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([
      ['node-deps', 1],
    ]);
    expect(layers[0]?.LatestMatchingVersion).toMatchObject({
      LicenseInfo: 'MIT',
      CreatedDate: '2024-01-10T09:00:00.000+0000',
      CompatibleArchitectures: ['x86_64', 'arm64'],
    });
  });

  it('ListLayerVersions pages newest first and hides deleted versions', async () => {
    const versions = [];
    for await (const page of paginateListLayerVersions(
      { client: lambda, pageSize: 1 },
      { LayerName: 'node-deps' }
    )) {
      versions.push(...(page.LayerVersions ?? []));
    }
    expect(versions.map((v) => v.Version)).toEqual([2, 1]);
    expect(versions[0]?.LayerVersionArn).toBe(`arn:aws:lambda:us-east-1:${HOME}:layer:node-deps:2`);
  });

  it('ListLayerVersions on another account’s layer ARN shows only what is shared', async () => {
    const res = await lambda.send(
      new ListLayerVersionsCommand({
        LayerName: 'arn:aws:lambda:us-east-1:222222222222:layer:vendor-ext',
      })
    );
    expect(res.LayerVersions?.map((v) => v.Version)).toEqual([4]);
  });

  it('GetLayerVersion returns content whose download matches CodeSha256/CodeSize, with signing ARNs', async () => {
    const res = await lambda.send(
      new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 1 })
    );
    expect(res.Version).toBe(1);
    expect(res.LayerArn).toBe(`arn:aws:lambda:us-east-1:${HOME}:layer:node-deps`);
    expect(res.Content?.SigningJobArn).toBeUndefined();
    const got = await download(res.Content?.Location ?? '');
    expect(got.status).toBe(200);
    expect(createHash('sha256').update(got.bytes).digest('base64')).toBe(res.Content?.CodeSha256);
    expect(got.bytes.length).toBe(res.Content?.CodeSize);
    // A real fixture layer: the zip names the real package.json files.
    expect(got.bytes.includes(Buffer.from('nodejs/package.json'))).toBe(true);

    const signed = await lambda.send(
      new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 2 })
    );
    expect(signed.Content?.SigningProfileVersionArn).toBe(
      `arn:aws:signer:us-east-1:${HOME}:/signing-profiles/HomeProfile/Vx0ZhYfrc4`
    );
  });

  it('serves the same bytes for the same layer every time (deterministic zips)', async () => {
    const a = await lambda.send(
      new GetLayerVersionCommand({ LayerName: 'py-deps', VersionNumber: 1 })
    );
    const b = await startAwsEndpoint({ estate: ESTATE });
    const c = client('us-east-1');
    const other = new LambdaClient({
      endpoint: b.url,
      region: 'us-east-1',
      credentials: b.credentials,
    });
    const bb = await other.send(
      new GetLayerVersionCommand({ LayerName: 'py-deps', VersionNumber: 1 })
    );
    expect(bb.Content?.CodeSha256).toBe(a.Content?.CodeSha256);
    other.destroy();
    c.destroy();
    await b.close();
  });

  it('a deleted version is ResourceNotFoundException (404)', async () => {
    const err = await lambda
      .send(new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 3 }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });

  it('GetLayerVersionByArn: public and shared cross-account versions succeed, others are AccessDeniedException', async () => {
    const pub = await lambda.send(new GetLayerVersionByArnCommand({ Arn: VENDOR_EXT_4 }));
    expect(pub.LayerVersionArn).toBe(VENDOR_EXT_4);
    expect(pub.Content?.SigningProfileVersionArn).toBe(
      'arn:aws:signer:us-east-1:222222222222:/signing-profiles/VendorProfile/Zz9Yy8Xx7W'
    );
    const got = await download(pub.Content?.Location ?? '');
    expect(createHash('sha256').update(got.bytes).digest('base64')).toBe(pub.Content?.CodeSha256);

    const eu = client('eu-west-1');
    const shared = await eu.send(
      new GetLayerVersionByArnCommand({
        Arn: 'arn:aws:lambda:eu-west-1:222222222222:layer:vendor-ext:1',
      })
    );
    expect(shared.Version).toBe(1);
    eu.destroy();

    for (const arn of [
      'arn:aws:lambda:us-east-1:222222222222:layer:vendor-ext:1',
      'arn:aws:lambda:us-east-1:222222222222:layer:vendor-private:1',
      'arn:aws:lambda:us-east-1:222222222222:layer:no-such-layer:1',
    ]) {
      const err = await lambda
        .send(new GetLayerVersionByArnCommand({ Arn: arn }))
        .catch((e: unknown) => e);
      expect((err as LambdaServiceException).name, arn).toBe('AccessDeniedException');
      expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(403);
    }
  });

  it('the vendor account sees its own private layer', async () => {
    const vendor = client('us-east-1', {
      accessKeyId: 'AKIALOCALVENDOR00001',
      secretAccessKey: 'local-vendor-secret',
    });
    const res = await vendor.send(
      new GetLayerVersionCommand({ LayerName: 'vendor-private', VersionNumber: 1 })
    );
    expect(res.LayerVersionArn).toBe(
      'arn:aws:lambda:us-east-1:222222222222:layer:vendor-private:1'
    );
    vendor.destroy();
  });

  it('a tampered version serves bytes that do not match CodeSha256', async () => {
    const res = await lambda.send(
      new GetLayerVersionCommand({ LayerName: 'py-deps', VersionNumber: 2 })
    );
    const got = await download(res.Content?.Location ?? '');
    expect(got.bytes.length).toBe(res.Content?.CodeSize);
    expect(createHash('sha256').update(got.bytes).digest('base64')).not.toBe(
      res.Content?.CodeSha256
    );
  });
});

describe('presigned content URLs', () => {
  it('expire: 403 AccessDenied "Request has expired" in S3 XML', async () => {
    let t = Date.parse('2025-01-01T00:00:00Z');
    const short = await startAwsEndpoint({
      estate: ESTATE,
      contentUrlExpiresSeconds: 5,
      now: () => new Date(t),
    });
    const c = new LambdaClient({
      endpoint: short.url,
      region: 'us-east-1',
      credentials: short.credentials,
    });
    const res = await c.send(
      new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 2 })
    );
    const url = res.Content?.Location ?? '';
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('5');
    expect((await download(url)).status).toBe(200);
    t += 6000;
    const late = await download(url);
    expect(late.status).toBe(403);
    expect(late.text).toContain('<Code>AccessDenied</Code>');
    expect(late.text).toContain('<Message>Request has expired</Message>');
    c.destroy();
    await short.close();
  });

  it('reject a forged signature with SignatureDoesNotMatch, and need no credentials', async () => {
    const res = await lambda.send(
      new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 2 })
    );
    const url = new URL(res.Content?.Location ?? '');
    url.searchParams.set('X-Amz-Expires', '999999');
    const forged = await download(url.toString());
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('authentication', () => {
  it('rejects unknown access keys with UnrecognizedClientException (403)', async () => {
    const c = client('us-east-1', { accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' });
    const err = await c.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    expect((err as LambdaServiceException).name).toBe('UnrecognizedClientException');
    expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(403);
    c.destroy();
  });

  it('rejects unsigned requests with 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${ep.url}/2015-03-31/functions`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});
