// The endpoint at benchmark scale: indexed lookups and O(page) listing must
// give the same answers as the small fixtures do, and connections must be
// reused (a short keep-alive made every SDK call open a new TCP connection).
import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  GetFunctionCodeSigningConfigCommand,
  GetLayerVersionByArnCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
  paginateListFunctions,
  paginateListLayerVersions,
  paginateListLayers,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionIndex } from './estate-index.js';
import { parseEstate, type Estate } from './estate.js';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const FUNCTIONS = 1200;
const LAYERS = 30;
const VERSIONS = 4;

/** Functions declared in a scrambled order, so ListFunctions has to sort them. */
function bigEstate(): Estate {
  const layers = Array.from({ length: LAYERS }, (_, l) => ({
    name: `layer-${l}`,
    versions: Array.from({ length: VERSIONS }, (_, v) => ({
      generate: { files: { [`nodejs/node_modules/p${l}/package.json`]: `{"version":"1.${v}"}` } },
    })),
  }));
  const functions = Array.from({ length: FUNCTIONS }, (_, k) => {
    const i = (k * 7919) % FUNCTIONS; // 7919 is prime and coprime with FUNCTIONS: a permutation
    return {
      name: `fn-${i}`,
      layers: [`layer-${i % LAYERS}:${(i % VERSIONS) + 1}`],
      ...(i % 100 === 0 ? { versions: [{ layers: [`layer-${i % LAYERS}:1`] }] } : {}),
      ...(i === 42 ? { codeSigningConfig: 'csc-0123456789abcdef0' } : {}),
    };
  });
  return parseEstate(
    {
      homeAccount: ACCOUNT,
      accounts: {
        [ACCOUNT]: {
          accessKeys: [{ accessKeyId: 'AKIASCALE00000000001', secretAccessKey: 's' }],
          regions: {
            [REGION]: {
              layers,
              functions,
              codeSigningConfigs: [
                {
                  id: 'csc-0123456789abcdef0',
                  allowedPublishers: [
                    `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/p/abcdefghij`,
                  ],
                },
              ],
            },
          },
        },
      },
    },
    process.cwd()
  );
}

let estate: Estate;
let ep: AwsEndpoint;
let lambda: LambdaClient;

beforeAll(async () => {
  estate = bigEstate();
  ep = await startAwsEndpoint({ estate });
  lambda = new LambdaClient({
    endpoint: ep.url,
    region: REGION,
    credentials: ep.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await ep.close();
});

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('a large estate', () => {
  it('ListFunctions pages every function once, sorted by name', async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListFunctions({ client: lambda }, {})) {
      pages += 1;
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
    }
    expect(pages).toBe(FUNCTIONS / 50);
    expect(names).toHaveLength(FUNCTIONS);
    expect(new Set(names).size).toBe(FUNCTIONS);
    expect(names).toEqual([...names].sort(byCodeUnits));
  });

  it('FunctionVersion=ALL puts each published version right after its $LATEST', async () => {
    const all: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions(
      { client: lambda, pageSize: 37 },
      { FunctionVersion: 'ALL' }
    ))
      all.push(...(page.Functions ?? []));
    expect(all).toHaveLength(FUNCTIONS + FUNCTIONS / 100);
    const i = all.findIndex((f) => f.FunctionName === 'fn-300');
    expect(all[i]?.Version).toBe('$LATEST');
    expect(all[i]?.FunctionArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-300:$LATEST`);
    expect(all[i + 1]?.FunctionName).toBe('fn-300');
    expect(all[i + 1]?.Version).toBe('1');
    expect(all[i + 1]?.Layers?.map((l) => l.Arn)).toEqual([
      `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:layer-0:1`,
    ]);
  });

  it('a marker past the end of the list is rejected, not sliced', async () => {
    const marker = Buffer.from(`ListFunctions:${FUNCTIONS + 1}`).toString('base64url');
    await expect(lambda.send(new ListFunctionsCommand({ Marker: marker }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('finds functions by name anywhere in the estate', async () => {
    const csc = await lambda.send(
      new GetFunctionCodeSigningConfigCommand({ FunctionName: 'fn-42' })
    );
    expect(csc.CodeSigningConfigArn).toBe(
      `arn:aws:lambda:${REGION}:${ACCOUNT}:code-signing-config:csc-0123456789abcdef0`
    );
    const last = await lambda.send(
      new GetFunctionCodeSigningConfigCommand({ FunctionName: `fn-${FUNCTIONS - 1}` })
    );
    expect(last.CodeSigningConfigArn).toBe('');
    await expect(
      lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: `fn-${FUNCTIONS}` }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('serves each layer version with a CodeSha256 that matches its bytes', async () => {
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:layer-17:3`;
    const a = await lambda.send(new GetLayerVersionByArnCommand({ Arn: arn }));
    const b = await lambda.send(new GetLayerVersionByArnCommand({ Arn: arn }));
    expect(a.Version).toBe(3);
    // Built once: both answers describe the same bytes.
    expect(b.Content?.CodeSha256).toBe(a.Content?.CodeSha256);
    const res = await fetch(a.Content?.Location ?? '');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('base64')).toBe(a.Content?.CodeSha256);
    expect(bytes.toString('latin1')).toContain('nodejs/node_modules/p17/package.json');
    await expect(
      lambda.send(new GetLayerVersionByArnCommand({ Arn: `${arn.slice(0, -1)}${VERSIONS + 1}` }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists layers and their versions newest first', async () => {
    const names: string[] = [];
    for await (const page of paginateListLayers({ client: lambda, pageSize: 7 }, {}))
      for (const l of page.Layers ?? []) {
        names.push(l.LayerName ?? '');
        expect(l.LatestMatchingVersion?.Version).toBe(VERSIONS);
      }
    expect(names).toEqual(Array.from({ length: LAYERS }, (_, l) => `layer-${l}`).sort());
    const versions: number[] = [];
    for await (const page of paginateListLayerVersions(
      { client: lambda, pageSize: 3 },
      { LayerName: 'layer-5' }
    ))
      versions.push(...(page.LayerVersions ?? []).map((v) => v.Version ?? 0));
    expect(versions).toEqual([4, 3, 2, 1]);
  });
});

describe('regionIndex', () => {
  it('indexes by name and gives an empty index for unknown places', () => {
    const idx = regionIndex(estate, ACCOUNT, REGION);
    expect(idx.functionsByName.get('fn-7')?.layers).toEqual([
      `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:layer-7:4`,
    ]);
    expect(idx.layersByName.get('layer-3')?.versions.get(2)?.version).toBe(2);
    expect(regionIndex(estate, ACCOUNT, REGION)).toBe(idx); // built once
    expect(regionIndex(estate, '999999999999', REGION).functionsSorted).toEqual([]);
    expect(regionIndex(estate, ACCOUNT, 'eu-west-1').layersByName.size).toBe(0);
  });
});

describe('keep-alive', () => {
  it('advertises a keep-alive timeout that clients honour, so sockets are reused', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const auth = `AWS4-HMAC-SHA256 Credential=${ep.credentials.accessKeyId}/20240101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0`;
    const get = (): Promise<{ port: number | undefined; keepAlive: string }> =>
      new Promise((resolve, reject) => {
        http
          .get(
            `${ep.url}/2015-03-31/functions/fn-1`,
            { agent, headers: { authorization: auth } },
            (res) => {
              const port = res.socket.localPort;
              res.resume();
              // The agent takes the socket back after 'end'; wait a turn before the next request.
              res.on('end', () =>
                setImmediate(() =>
                  resolve({ port, keepAlive: String(res.headers['keep-alive'] ?? '') })
                )
              );
            }
          )
          .on('error', reject);
      });
    try {
      const first = await get();
      const second = await get();
      const timeout = Number(/timeout=(\d+)/.exec(first.keepAlive)?.[1]);
      // Node's agent drops pooled sockets whose advertised timeout is 1 s or less.
      expect(timeout).toBeGreaterThan(1);
      expect(second.port).toBe(first.port);
    } finally {
      agent.destroy();
    }
  });
});
