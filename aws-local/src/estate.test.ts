import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LambdaClient, GetLayerVersionCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { EstateError, loadEstate, parseEstate } from './estate.js';
import { startAwsEndpoint } from './server.js';

const run = promisify(execFile);
const MULTI = resolve('testdata/images/multi-oci');

function errorOf(fn: () => unknown): EstateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EstateError) return e;
    throw e;
  }
  throw new Error('expected an EstateError');
}

const minimal = (): Record<string, unknown> =>
  parse(`
accounts:
  '111111111111':
    accessKeys: [{ accessKeyId: AKIAX, secretAccessKey: s }]
    regions:
      us-east-1:
        layers:
          - name: l
            versions:
              - generate: { files: { a.txt: a } }
        functions:
          - name: f
            layers: [l:1]
`) as Record<string, unknown>;

describe('estate validation (estate.schema.json, then references)', () => {
  it('loads the example and demo estates', () => {
    const ex = loadEstate('testdata/estates/example.yaml');
    expect([...ex.accounts.keys()]).toEqual(['111111111111', '222222222222']);
    const demo = loadEstate('testdata/estates/demo.yaml');
    const home = demo.accounts.get(demo.homeAccount);
    const fns = [...(home?.regions.values() ?? [])].flatMap((r) => r.functions);
    expect(home?.regions.size).toBe(2);
    expect(fns.length).toBeGreaterThanOrEqual(12);
    const shared =
      home?.regions.get('us-east-1')?.layers.filter((l) => l.versions.length > 1) ?? [];
    expect(shared.length).toBeGreaterThanOrEqual(4);
    expect(fns.some((f) => f.layers.some((a) => a.includes(':210987654321:')))).toBe(true);
    const deleted = home?.regions
      .get('us-east-1')
      ?.layers.flatMap((l) =>
        l.versions.filter((v) => v.deleted).map((v) => `${l.name}:${v.version}`)
      );
    expect(
      fns.some((f) => f.layers.some((a) => deleted?.some((d) => a.endsWith(`:layer:${d}`))))
    ).toBe(true);
  });

  it('accepts a minimal estate and defaults the home account', () => {
    const e = parseEstate(minimal(), '/tmp');
    expect(e.homeAccount).toBe('111111111111');
    expect(e.accounts.get('111111111111')?.regions.get('us-east-1')?.functions[0]?.layers).toEqual([
      'arn:aws:lambda:us-east-1:111111111111:layer:l:1',
    ]);
  });

  const cases: Array<[string, (d: Record<string, unknown>) => void, string]> = [
    ['an unquoted account id', (d) => (d['accounts'] = { 111: {} }), 'accounts.111'],
    ['an unknown field', (d) => (d['acounts'] = 1), '(root).acounts'],
    [
      'a layer ref to a missing version',
      (d) => ((acct(d)['functions'] as Array<Record<string, unknown>>)[0]!['layers'] = ['l:9']),
      'accounts.111111111111.regions.us-east-1.functions[0].layers[0]',
    ],
    [
      'a bad architecture',
      (d) =>
        ((acct(d)['functions'] as Array<Record<string, unknown>>)[0]!['architectures'] = ['sparc']),
      'accounts.111111111111.regions.us-east-1.functions[0].architectures[0]',
    ],
    [
      'a missing zip path',
      (d) => (layerVersion(d)['zip'] = 'nope/'),
      'accounts.111111111111.regions.us-east-1.layers[0].versions[0]',
    ],
    [
      'an unknown signing job',
      (d) => (layerVersion(d)['signingJob'] = 'j'),
      'accounts.111111111111.regions.us-east-1.layers[0].versions[0].signingJob',
    ],
    [
      'an unknown code signing config',
      (d) =>
        ((acct(d)['functions'] as Array<Record<string, unknown>>)[0]!['codeSigningConfig'] =
          'csc-00000000000000000'),
      'accounts.111111111111.regions.us-east-1.functions[0].codeSigningConfig',
    ],
    [
      'a flag that is not true or false',
      (d) => (layerVersion(d)['public'] = 'yes'),
      'accounts.111111111111.regions.us-east-1.layers[0].versions[0].public',
    ],
    [
      'a code signing policy outside the enum',
      (d) =>
        (acct(d)['codeSigningConfigs'] = [
          { id: 'csc-0a1b2c3d4e5f6a7b8', allowedPublishers: ['x'], policy: 'Block' },
        ]),
      'accounts.111111111111.regions.us-east-1.codeSigningConfigs[0].policy',
    ],
    [
      'a layer version with both zip and generate',
      (d) => (layerVersion(d)['zip'] = '.'),
      'accounts.111111111111.regions.us-east-1.layers[0].versions[0]',
    ],
    [
      'a home account that does not exist',
      (d) => (d['homeAccount'] = '999999999999'),
      'homeAccount',
    ],
    [
      'an ECR repository name with capitals',
      (d) => (acct(d)['ecr'] = { repositories: [{ name: 'App' }] }),
      'accounts.111111111111.regions.us-east-1.ecr.repositories[0].name',
    ],
    [
      'an image layout that does not exist',
      (d) =>
        (acct(d)['ecr'] = {
          repositories: [{ name: 'app', images: [{ layout: 'nope', pushedAt: '2024-01-01' }] }],
        }),
      'accounts.111111111111.regions.us-east-1.ecr.repositories[0].images[0].layout',
    ],
    [
      'images out of push order',
      (d) =>
        (acct(d)['ecr'] = {
          repositories: [
            {
              name: 'app',
              images: [
                { layout: MULTI, ref: 'amd64', pushedAt: '2024-02-01' },
                { layout: MULTI, ref: 'arm64', pushedAt: '2024-01-01' },
              ],
            },
          ],
        }),
      'accounts.111111111111.regions.us-east-1.ecr.repositories[0].images[1].pushedAt',
    ],
    [
      'a tag pushed twice to an IMMUTABLE repository',
      (d) =>
        (acct(d)['ecr'] = {
          repositories: [
            {
              name: 'app',
              imageTagMutability: 'IMMUTABLE',
              images: [
                { layout: MULTI, ref: 'amd64', tags: ['v1'], pushedAt: '2024-01-01' },
                { layout: MULTI, ref: 'arm64', tags: ['v1'], pushedAt: '2024-02-01' },
              ],
            },
          ],
        }),
      'accounts.111111111111.regions.us-east-1.ecr.repositories[0].images[1].tags',
    ],
    [
      'a layout with several images and no ref',
      (d) =>
        (acct(d)['ecr'] = {
          repositories: [{ name: 'app', images: [{ layout: MULTI, pushedAt: '2024-01-01' }] }],
        }),
      'accounts.111111111111.regions.us-east-1.ecr.repositories[0].images[0].layout',
    ],
  ];
  it.each(cases)('rejects %s, naming the field', (_name, mutate, field) => {
    const d = minimal();
    mutate(d);
    const err = errorOf(() => parseEstate(d, '/tmp'));
    expect(err.code).toBe('ESTATE_INVALID');
    expect(err.field?.startsWith(field)).toBe(true);
  });

  it('reports an unreadable file as ESTATE_UNREADABLE', () => {
    expect(errorOf(() => loadEstate('testdata/estates/none.yaml')).code).toBe('ESTATE_UNREADABLE');
  });
});

function acct(d: Record<string, unknown>): Record<string, unknown> {
  const a = (d['accounts'] as Record<string, Record<string, unknown>>)['111111111111'];
  return (a?.['regions'] as Record<string, Record<string, unknown>>)['us-east-1'] ?? {};
}
function layerVersion(d: Record<string, unknown>): Record<string, unknown> {
  const layers = acct(d)['layers'] as Array<{ versions: Array<Record<string, unknown>> }>;
  return layers[0]?.versions[0] ?? {};
}

describe('demo estate over the wire', () => {
  it('serves the deleted-layer function and the vendor layer', async () => {
    const ep = await startAwsEndpoint({ estate: 'testdata/estates/demo.yaml' });
    const c = new LambdaClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: ep.credentials,
      maxAttempts: 1,
    });
    const fn = await c.send(new GetFunctionCommand({ FunctionName: 'reports-etl' }));
    const arn = fn.Configuration?.Layers?.[0]?.Arn ?? '';
    const err = await c
      .send(new GetLayerVersionCommand({ LayerName: 'python-common', VersionNumber: 2 }))
      .catch((e: unknown) => e);
    expect(arn).toBe('arn:aws:lambda:us-east-1:123456789012:layer:python-common:2');
    expect((err as Error).name).toBe('ResourceNotFoundException');
    c.destroy();
    await ep.close();
  });
});

describe('AWS CLI against the endpoint', () => {
  // The CLI (botocore) is a second, independent client of the wire format; each call costs ~4 s of startup.
  it('aws lambda list-functions and aws sts get-caller-identity work with --endpoint-url', async () => {
    const ep = await startAwsEndpoint({ estate: 'testdata/estates/example.yaml' });
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: '/tmp',
      AWS_ACCESS_KEY_ID: ep.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ep.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    try {
      const list = await run(
        'aws',
        ['lambda', 'list-functions', '--endpoint-url', ep.url, '--output', 'json'],
        { env }
      );
      const parsed = JSON.parse(list.stdout) as { Functions: Array<{ FunctionName: string }> };
      expect(parsed.Functions.map((f) => f.FunctionName)).toEqual([
        'api',
        'image-fn',
        'legacy',
        'worker',
      ]);
      const who = await run(
        'aws',
        ['sts', 'get-caller-identity', '--endpoint-url', ep.url, '--output', 'json'],
        { env }
      );
      expect((JSON.parse(who.stdout) as { Account: string }).Account).toBe('111111111111');
    } finally {
      await ep.close();
    }
  });
});

// Keep the YAML example parseable as plain YAML too (documentation stays honest).
it('example.yaml is plain YAML', () => {
  expect(parse(readFileSync('testdata/estates/example.yaml', 'utf8'))).toHaveProperty('accounts');
});
