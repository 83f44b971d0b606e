import { createHash } from 'node:crypto';
import {
  GetLayerVersionCommand,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import {
  GetSigningProfileCommand,
  SignerClient,
  SignerServiceException,
} from '@aws-sdk/client-signer';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaultSpec } from './faults.js';
import { loadEstate } from './estate.js';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const estate = loadEstate('testdata/estates/example.yaml');
const open: Array<{ close(): Promise<void> } | { destroy(): void }> = [];

afterEach(async () => {
  for (const x of open.splice(0)) {
    if ('close' in x) await x.close();
    else x.destroy();
  }
});

async function start(faults: string): Promise<{ ep: AwsEndpoint; lambda: LambdaClient }> {
  const ep = await startAwsEndpoint({ estate, faults });
  const lambda = new LambdaClient({
    endpoint: ep.url,
    region: 'us-east-1',
    credentials: ep.credentials,
    maxAttempts: 1,
  });
  open.push(ep, lambda);
  return { ep, lambda };
}

async function layerDownload(
  lambda: LambdaClient,
  name = 'node-deps',
  version = 2
): Promise<{ sha: string | undefined; url: string }> {
  const res = await lambda.send(
    new GetLayerVersionCommand({ LayerName: name, VersionNumber: version })
  );
  return { sha: res.Content?.CodeSha256, url: res.Content?.Location ?? '' };
}

describe('parseFaultSpec', () => {
  it('reads rates, targets, latency and seed', () => {
    const s = parseFaultSpec(
      'throttle=0.2,5xx=0.1,latency=50-200,reset=0.05,truncate=0.1,badsha=1,expired=0.3,seed=42,throttle@ListFunctions=0.5'
    );
    expect(s.seed).toBe(42);
    expect(s.latency).toEqual({ min: 50, max: 200 });
    expect(s.rates.get('throttle')).toEqual(
      new Map([
        ['*', 0.2],
        ['ListFunctions', 0.5],
      ])
    );
    expect(s.rates.get('badsha')?.get('*')).toBe(1);
  });

  it.each(['throttle', 'throttle=2', 'nope=0.1', 'latency=9-1', 'seed=x'])('rejects %s', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    try {
      parseFaultSpec(spec);
    } catch (e) {
      expect((e as FaultSpecError).code).toBe('BAD_FAULT_SPEC');
    }
  });

  it('reads a quota and rejects a bad one', () => {
    expect(parseFaultSpec('rate=15').ratePerSecond).toBe(15);
    expect(parseFaultSpec('throttle=0.1').ratePerSecond).toBeUndefined();
    for (const bad of ['rate=0', 'rate=-1', 'rate=x', 'rate='])
      expect(() => parseFaultSpec(bad)).toThrow(FaultSpecError);
  });

  it('a quota lets one second of requests through per key, then refills at the rate', () => {
    const f = new FaultInjector(parseFaultSpec('rate=4'));
    const at = (ms: number, key = 'a/us-east-1'): boolean => f.overQuota(key, ms);
    expect([0, 0, 0, 0, 0].map((ms) => at(ms))).toEqual([false, false, false, false, true]);
    // Another account and Region has its own bucket.
    expect(at(0, 'b/us-east-1')).toBe(false);
    // 250 ms at 4 per second is one token.
    expect([250, 250].map((ms) => at(ms))).toEqual([false, true]);
    expect(new FaultInjector(parseFaultSpec('')).overQuota('a', 0)).toBe(false);
  });

  it('is deterministic for a seed and varies across seeds', () => {
    const draws = (seed: number): boolean[] => {
      const f = new FaultInjector(parseFaultSpec(`throttle=0.5,seed=${seed}`));
      return Array.from({ length: 64 }, () => f.roll('throttle', 'ListFunctions'));
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
    const hits = draws(7).filter(Boolean).length;
    expect(hits).toBeGreaterThan(16);
    expect(hits).toBeLessThan(48);
  });
});

describe('fault injection through the real SDK', () => {
  it('throttle → Lambda TooManyRequestsException (429) with Retry-After, only on the targeted operation', async () => {
    const { ep, lambda } = await start('throttle@ListFunctions=1');
    const err = await lambda.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect((err as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    expect((err as TooManyRequestsException).retryAfterSeconds).toBe('1');
    expect((err as TooManyRequestsException).Reason).toBe('CallerRateLimitExceeded');
    await expect(
      lambda.send(new GetLayerVersionCommand({ LayerName: 'node-deps', VersionNumber: 1 }))
    ).resolves.toBeDefined();
    expect(ep.log.map((r) => [r.op, r.fault])).toEqual([
      ['ListFunctions', 'throttle'],
      ['GetLayerVersion', undefined],
    ]);
  });

  it('rate → Lambda calls above the quota are throttled, STS is not', async () => {
    // One request per 10 s: the first passes, the next two come well within the 10 s.
    const { ep, lambda } = await start('rate=0.1');
    const sts = new STSClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: ep.credentials,
      maxAttempts: 1,
    });
    open.push(sts);
    const got: unknown[] = [];
    for (let i = 0; i < 3; i++)
      got.push(await lambda.send(new ListFunctionsCommand({})).catch((e: unknown) => e));
    expect(got.map((g) => g instanceof TooManyRequestsException)).toEqual([false, true, true]);
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    expect(ep.log.filter((r) => r.fault === 'throttle').map((r) => r.op)).toEqual([
      'ListFunctions',
      'ListFunctions',
    ]);
  });

  it('the SDK retries a throttled call and succeeds (partial rate)', async () => {
    const { ep } = await start('throttle@ListFunctions=0.5,seed=1');
    const retrying = new LambdaClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: ep.credentials,
      maxAttempts: 10,
    });
    open.push(retrying);
    const res = await retrying.send(new ListFunctionsCommand({}));
    expect(res.Functions?.length).toBe(4);
    // seed=1 throttles the first three draws: three 429s, then the retry that succeeds.
    expect(ep.log.map((r) => r.fault ?? r.status)).toEqual([
      'throttle',
      'throttle',
      'throttle',
      200,
    ]);
  }, 60_000);

  it('throttle → STS Throttling and Signer TooManyRequestsException', async () => {
    const { ep } = await start('throttle=1');
    const sts = new STSClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: ep.credentials,
      maxAttempts: 1,
    });
    const signer = new SignerClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: ep.credentials,
      maxAttempts: 1,
    });
    open.push(sts, signer);
    const e1 = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect((e1 as STSServiceException).name).toBe('Throttling');
    expect((e1 as STSServiceException).$metadata.httpStatusCode).toBe(400);
    const e2 = await signer
      .send(new GetSigningProfileCommand({ profileName: 'HomeProfile' }))
      .catch((e: unknown) => e);
    expect((e2 as SignerServiceException).name).toBe('TooManyRequestsException');
    expect((e2 as SignerServiceException).$metadata.httpStatusCode).toBe(429);
  });

  it('5xx → ServiceException (500) or 503', async () => {
    const { lambda } = await start('5xx=1');
    const err = await lambda.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    const status = (err as LambdaServiceException).$metadata.httpStatusCode;
    expect([500, 503]).toContain(status);
    if (status === 500) expect(err).toBeInstanceOf(ServiceException);
    expect((err as LambdaServiceException).$fault).toBe('server');
  });

  it('reset → the connection is dropped mid-request', async () => {
    const { ep, lambda } = await start('reset@ListFunctions=1');
    const err = await lambda.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(LambdaServiceException);
    expect(String((err as Error & { code?: string }).code ?? (err as Error).message)).toMatch(
      /ECONNRESET|socket hang up/
    );
    expect(ep.log[0]?.fault).toBe('reset');
  });

  it('latency delays every response', async () => {
    const { lambda } = await start('latency=150');
    const t0 = Date.now();
    await lambda.send(new ListFunctionsCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('truncate → full Content-Length declared, body cut short', async () => {
    const { ep, lambda } = await start('truncate=1');
    const { url } = await layerDownload(lambda);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(ep.log.at(-1)?.fault).toBe('truncate');
  });

  it('badsha → bytes differ from CodeSha256 (same size); targeted by content key', async () => {
    const { lambda } = await start(
      'badsha@arn:aws:lambda:us-east-1:111111111111:layer:node-deps:2=1'
    );
    const bad = await layerDownload(lambda, 'node-deps', 2);
    const bytes = Buffer.from(await (await fetch(bad.url)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('base64')).not.toBe(bad.sha);
    const good = await layerDownload(lambda, 'node-deps', 1);
    const ok = Buffer.from(await (await fetch(good.url)).arrayBuffer());
    expect(createHash('sha256').update(ok).digest('base64')).toBe(good.sha);
  });

  it('expired → Content.Location is already expired when issued', async () => {
    const { ep, lambda } = await start('expired@GetLayerVersion=1');
    const { url } = await layerDownload(lambda);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
    expect(ep.log.find((r) => r.op === 'GetLayerVersion')?.fault).toBe('expired');
  });
});
