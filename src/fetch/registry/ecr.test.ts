import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { codeOf, codeOfAsync } from '../image/testing/expect-code.js';
import { connectRegistry } from './client.js';
import { decodeEcrToken, ecrTokenProvider, parseEcrHost } from './ecr.js';

/**
 * A stand-in ECR API endpoint answering every request with `status` and `body`, and a token
 * provider whose SDK client talks to it.
 */
async function withEcrEndpoint(
  status: number,
  body: unknown,
  run: (provider: ReturnType<typeof ecrTokenProvider>) => Promise<void>
): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await run(
      ecrTokenProvider(
        (region) =>
          new ECRClient({
            region,
            endpoint,
            credentials: { accessKeyId: 'AKIDX', secretAccessKey: 's' },
            maxAttempts: 1,
          })
      )
    );
  } finally {
    server.close();
  }
}

describe('ECR registries', () => {
  it('recognises private ECR hosts (commercial, China, FIPS, dual-stack) and nothing else', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toEqual({
      host: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      accountId: '123456789012',
      region: 'us-east-1',
    });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.region).toBe(
      'cn-north-1'
    );
    expect(parseEcrHost('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')?.region).toBe(
      'us-gov-west-1'
    );
    expect(parseEcrHost('123456789012.dkr-ecr.eu-west-1.on.aws')?.region).toBe('eu-west-1');
    for (const other of [
      'public.ecr.aws',
      '12345678901.dkr.ecr.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com:443',
    ]) {
      expect(parseEcrHost(other), other).toBeUndefined();
    }
  });

  it('decodes authorization tokens', () => {
    expect(decodeEcrToken(Buffer.from('AWS:pa:ss').toString('base64'))).toEqual({
      username: 'AWS',
      password: 'pa:ss',
    });
    expect(codeOf(() => decodeEcrToken(Buffer.from('no-colon').toString('base64')))).toBe(
      'ECR_AUTH_FAILED'
    );
  });

  it('turns an SDK error into ECR_AUTH_FAILED with the service code in the message', async () => {
    const denied = { __type: 'AccessDeniedException', message: 'not allowed' };
    await withEcrEndpoint(400, denied, async (provider) => {
      const registry = { host: 'h', accountId: '123456789012', region: 'us-west-2' };
      expect(await codeOfAsync(provider(registry))).toBe('ECR_AUTH_FAILED');
      const err = await provider(registry).catch((e: unknown) => e);
      expect((err as Error).message).toContain('AccessDeniedException');
    });
  });
});

describe('ECR proxyEndpoint', () => {
  /** A GetAuthorizationToken endpoint answering with `proxyEndpoint`. */
  const withToken = (
    proxyEndpoint: string,
    run: (provider: ReturnType<typeof ecrTokenProvider>) => Promise<void>
  ): Promise<void> =>
    withEcrEndpoint(
      200,
      {
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:secret').toString('base64'),
            expiresAt: Date.now() / 1000 + 3600,
            proxyEndpoint,
          },
        ],
      },
      run
    );
  const registry = parseEcrHost('123456789012.dkr.ecr.us-east-1.amazonaws.com')!;

  it('routes to a loopback proxyEndpoint (a local endpoint), and connectRegistry sends requests there', async () => {
    await withToken('http://127.0.0.1:4567', async (provider) => {
      expect(await provider(registry)).toMatchObject({
        username: 'AWS',
        password: 'secret',
        proxyHost: '127.0.0.1:4567',
      });
      const client = await connectRegistry(registry.host, { ecrToken: provider });
      expect(client.host).toBe(registry.host);
      expect(client.origin).toBe('http://127.0.0.1:4567');
      client.close();
    });
  });

  it('never follows a proxyEndpoint that is not loopback; the registry host itself is no proxy', async () => {
    for (const proxy of ['https://evil.example', `https://${registry.host}`]) {
      await withToken(proxy, async (provider) => {
        expect((await provider(registry)).proxyHost, proxy).toBeUndefined();
        const client = await connectRegistry(registry.host, { ecrToken: provider });
        expect(client.origin).toBe(`https://${registry.host}`);
        client.close();
      });
    }
  });
});
