import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetSigningProfileCommand } from '@aws-sdk/client-signer';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, DEFAULT_PRINCIPAL, clientConfig, type AwsService } from './clients.js';

const CREDENTIALS = { accessKeyId: 'AKIAFACTORYTEST00001', secretAccessKey: 'secret' };

describe('clientConfig: the one base configuration', () => {
  it('gives every service the same region, retries, endpoint, profile and credentials', () => {
    const options = {
      endpointUrl: 'http://127.0.0.1:1',
      profile: 'audit',
      credentials: CREDENTIALS,
      maxAttempts: 5,
    };
    for (const service of ['lambda', 'sts', 'signer', 's3', 'ecr'] as const) {
      expect(clientConfig(options, service, 'eu-west-1', DEFAULT_PRINCIPAL)).toMatchObject({
        region: 'eu-west-1',
        maxAttempts: 5,
        retryMode: 'adaptive',
        endpoint: 'http://127.0.0.1:1',
        profile: 'audit',
        credentials: CREDENTIALS,
      });
    }
  });

  it("uses an assumed role's credentials over the base ones, and the SDK's defaults when unset", () => {
    const role = {
      label: 'arn:aws:iam::1:role/r',
      credentials: { ...CREDENTIALS, accessKeyId: 'R' },
    };
    expect(clientConfig({ credentials: CREDENTIALS }, 'lambda', 'us-east-1', role)).toMatchObject({
      credentials: role.credentials,
    });
    const bare = clientConfig({}, 'lambda', 'us-east-1', DEFAULT_PRINCIPAL);
    expect(bare).toEqual({
      region: 'us-east-1',
      maxAttempts: 8,
      retryMode: 'adaptive',
      // The AWS CLI's 60 s connect and read timeouts.
      requestHandler: { connectionTimeout: 60_000, socketTimeout: 60_000 },
    });
  });

  it('addresses S3 path-style only with an endpoint, and follows region redirects', () => {
    expect(clientConfig({}, 's3', 'us-east-1', DEFAULT_PRINCIPAL)).toMatchObject({
      followRegionRedirects: true,
    });
    expect(clientConfig({}, 's3', 'us-east-1', DEFAULT_PRINCIPAL)).not.toHaveProperty(
      'forcePathStyle'
    );
    expect(
      clientConfig({ endpointUrl: 'http://x' }, 's3', 'us-east-1', DEFAULT_PRINCIPAL)
    ).toMatchObject({ forcePathStyle: true });
  });
});

describe('ClientFactory', () => {
  let server: Server;
  let url: string;
  const seen: { path: string; scope: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      // SigV4: Credential=AKID/DATE/REGION/SERVICE/aws4_request
      const scope = /Credential=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.push({ path: req.url ?? '', scope });
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"__type":"ValidationException","message":"no"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('builds every client from the base configuration and counts requests on all of them', async () => {
    const factory = new ClientFactory({
      endpointUrl: url,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const p = DEFAULT_PRINCIPAL;
    const calls: [AwsService, () => Promise<unknown>][] = [
      [
        'lambda',
        async () => (await factory.lambda(p, 'eu-west-1')).send(new ListFunctionsCommand({})),
      ],
      [
        'sts',
        async () => (await factory.sts(p, 'eu-west-1')).send(new GetCallerIdentityCommand({})),
      ],
      [
        'signer',
        async () =>
          (await factory.signer(p, 'eu-west-1')).send(
            new GetSigningProfileCommand({ profileName: 'x' })
          ),
      ],
      [
        's3',
        async () =>
          (await factory.s3(p, 'eu-west-1')).send(
            new GetObjectCommand({ Bucket: 'bkt', Key: 'k' })
          ),
      ],
      [
        'ecr',
        async () => (await factory.ecr(p, 'eu-west-1')).send(new DescribeRepositoriesCommand({})),
      ],
    ];
    try {
      for (const [, call] of calls) await expect(call()).rejects.toBeDefined();
      expect(factory.stats.requests).toBe(5);
      expect([...factory.stats.byOperation.keys()].sort()).toEqual([
        'DescribeRepositoriesCommand',
        'GetCallerIdentityCommand',
        'GetObjectCommand',
        'GetSigningProfileCommand',
        'ListFunctionsCommand',
      ]);
      // One endpoint, one region, one set of credentials for all five services.
      expect(seen.map((s) => s.scope.split('/').slice(2, 4).join('/')).sort()).toEqual([
        'eu-west-1/ecr',
        'eu-west-1/lambda',
        'eu-west-1/s3',
        'eu-west-1/signer',
        'eu-west-1/sts',
      ]);
      expect(seen.every((s) => s.scope.startsWith(`${CREDENTIALS.accessKeyId}/`))).toBe(true);
      expect(seen.some((s) => s.path.startsWith('/bkt/k'))).toBe(true);
      // A client is built once per service, principal and region.
      expect(await factory.lambda(p, 'eu-west-1')).toBe(await factory.lambda(p, 'eu-west-1'));
      expect(await factory.lambda(p, 'us-east-1')).not.toBe(await factory.lambda(p, 'eu-west-1'));
    } finally {
      factory.destroy();
    }
  });
});
