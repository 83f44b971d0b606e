import {
  LambdaClient,
  ListCodeSigningConfigsCommand,
  ListFunctionsByCodeSigningConfigCommand,
  ResourceNotFoundException,
  paginateListCodeSigningConfigs,
  paginateListFunctionsByCodeSigningConfig,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from './testing.js';

const HOME = '111111111111';
const OTHER = '222222222222';
const CSC_A = 'csc-aaaaaaaaaaaaaaaaa';
const CSC_B = 'csc-bbbbbbbbbbbbbbbbb';
const CSC_C = 'csc-ccccccccccccccccc';
const arnOf = (id: string, account = HOME, region = 'us-east-1'): string =>
  `arn:aws:lambda:${region}:${account}:code-signing-config:${id}`;
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:${HOME}:function:${name}`;

/** Five zip functions on config A (in no particular order), one on B, C unused, an image. */
const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys:
      - { accessKeyId: AKIACSCHOME000000001, secretAccessKey: home-secret }
    regions:
      us-east-1:
        codeSigningConfigs:
          - { id: ${CSC_B}, allowedPublishers: ['arn:aws:signer:us-east-1:${HOME}:/signing-profiles/B/V1'], policy: Warn }
          - { id: ${CSC_A}, allowedPublishers: ['arn:aws:signer:us-east-1:${HOME}:/signing-profiles/A/V1'], policy: Enforce }
          - { id: ${CSC_C}, allowedPublishers: ['arn:aws:signer:us-east-1:${HOME}:/signing-profiles/C/V1'], policy: Enforce }
        functions:
          - { name: e, codeSigningConfig: ${CSC_A} }
          - { name: a, codeSigningConfig: ${CSC_A} }
          - { name: c, codeSigningConfig: ${CSC_A} }
          - { name: b, codeSigningConfig: ${CSC_A} }
          - { name: d, codeSigningConfig: ${CSC_A} }
          - { name: lone, codeSigningConfig: ${CSC_B} }
          - { name: none }
          - { name: img, packageType: Image }
      eu-west-1:
        functions:
          - { name: eu }
  '${OTHER}':
    accessKeys:
      - { accessKeyId: AKIACSCOTHER00000001, secretAccessKey: other-secret }
    regions:
      us-east-1:
        codeSigningConfigs:
          - { id: ${CSC_A}, allowedPublishers: ['arn:aws:signer:us-east-1:${OTHER}:/signing-profiles/O/V1'], policy: Warn }
`;

let local: AwsLocal;
let lambda: LambdaClient;

beforeAll(async () => {
  local = await startAwsLocal(ESTATE, { env: false });
  lambda = client();
});
afterAll(async () => {
  lambda.destroy();
  await local.close();
});

function client(region = 'us-east-1'): LambdaClient {
  return new LambdaClient({
    endpoint: local.endpoint.url,
    region,
    credentials: local.endpoint.credentials,
    maxAttempts: 1,
  });
}

describe('ListCodeSigningConfigs', () => {
  it('pages through the caller’s configs with their publishers and policy', async () => {
    const first = await lambda.send(new ListCodeSigningConfigsCommand({ MaxItems: 2 }));
    expect(first.CodeSigningConfigs).toHaveLength(2);
    expect(first.NextMarker).toBeTypeOf('string');
    const all = [];
    for await (const p of paginateListCodeSigningConfigs({ client: lambda, pageSize: 1 }, {}))
      all.push(...(p.CodeSigningConfigs ?? []));
    expect(all.map((c) => c.CodeSigningConfigArn)).toEqual(
      [CSC_A, CSC_B, CSC_C].map((id) => arnOf(id))
    );
    expect(all[0]).toMatchObject({
      CodeSigningConfigId: CSC_A,
      AllowedPublishers: {
        SigningProfileVersionArns: [`arn:aws:signer:us-east-1:${HOME}:/signing-profiles/A/V1`],
      },
      CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' },
    });
  });

  it('is per region: a region without configs lists none', async () => {
    const eu = client('eu-west-1');
    try {
      const res = await eu.send(new ListCodeSigningConfigsCommand({}));
      expect(res.CodeSigningConfigs).toEqual([]);
      expect(res.NextMarker).toBeUndefined();
    } finally {
      eu.destroy();
    }
  });
});

describe('ListFunctionsByCodeSigningConfig', () => {
  it('pages through the functions a config is attached to, sorted by name', async () => {
    const arns: string[] = [];
    let pages = 0;
    for await (const p of paginateListFunctionsByCodeSigningConfig(
      { client: lambda, pageSize: 2 },
      { CodeSigningConfigArn: arnOf(CSC_A) }
    )) {
      pages += 1;
      arns.push(...(p.FunctionArns ?? []));
    }
    expect(pages).toBe(3);
    expect(arns).toEqual(['a', 'b', 'c', 'd', 'e'].map(fnArn));
    const b = await lambda.send(
      new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: arnOf(CSC_B) })
    );
    expect(b.FunctionArns).toEqual([fnArn('lone')]);
    const c = await lambda.send(
      new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: arnOf(CSC_C) })
    );
    expect(c.FunctionArns).toEqual([]);
  });

  it('404s an unknown config, 403s another account’s, 400s a malformed ARN or marker', async () => {
    const send = (arn: string, marker?: string) =>
      lambda.send(
        new ListFunctionsByCodeSigningConfigCommand({
          CodeSigningConfigArn: arn,
          ...(marker ? { Marker: marker } : {}),
        })
      );
    await expect(send(arnOf('csc-00000000000000000'))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    );
    // A config of another region is not found through this region's endpoint.
    await expect(send(arnOf(CSC_A, HOME, 'eu-west-1'))).rejects.toBeInstanceOf(
      ResourceNotFoundException
    );
    await expect(send(arnOf(CSC_A, OTHER))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(send('csc-aaaaaaaaaaaaaaaaa')).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(send(arnOf(CSC_A), 'Zm9yZ2Vk')).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('takes the fault spec like every other operation', async () => {
    const faulty = await startAwsLocal(ESTATE, {
      env: false,
      faults: 'throttle@ListFunctionsByCodeSigningConfig=1',
    });
    const c = new LambdaClient({
      endpoint: faulty.endpoint.url,
      region: 'us-east-1',
      credentials: faulty.endpoint.credentials,
      maxAttempts: 1,
    });
    try {
      await expect(c.send(new ListCodeSigningConfigsCommand({}))).resolves.toBeDefined();
      await expect(
        c.send(new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: arnOf(CSC_A) }))
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });
    } finally {
      c.destroy();
      await faulty.close();
    }
  });
});
