import { describe, expect, it } from 'vitest';
import {
  functionArn,
  parseArn,
  parseFunctionArn,
  parseLayerVersionArn,
  parseSigningJobArn,
  parseSigningProfileVersionArn,
} from './arn.js';

describe('parseArn', () => {
  it('splits the six fields and keeps colons in the resource', () => {
    expect(parseArn('arn:aws:lambda:us-east-1:111122223333:layer:x:3')).toEqual({
      partition: 'aws',
      service: 'lambda',
      region: 'us-east-1',
      account: '111122223333',
      resource: 'layer:x:3',
    });
    expect(parseArn('arn:aws:s3:::bucket/key')).toMatchObject({ region: '', account: '' });
  });
  it('refuses what is not an ARN', () => {
    expect(parseArn('aws:lambda:us-east-1:1:layer:x')).toBeUndefined();
    expect(parseArn('arn:aws:lambda:us-east-1')).toBeUndefined();
  });
});

describe('parseLayerVersionArn', () => {
  it('parses partition, region, owner, name and version', () => {
    expect(
      parseLayerVersionArn('arn:aws-cn:lambda:cn-north-1:111122223333:layer:my_L-1:12')
    ).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      owner: '111122223333',
      name: 'my_L-1',
      version: 12,
    });
  });
  it.each([
    ['no version', 'arn:aws:lambda:us-east-1:111122223333:layer:x'],
    ['a function', 'arn:aws:lambda:us-east-1:111122223333:function:x:1'],
    ['a short account', 'arn:aws:lambda:us-east-1:1111:layer:x:1'],
    ['a foreign partition', 'arn:foo:lambda:us-east-1:111122223333:layer:x:1'],
    ['trailing text', 'arn:aws:lambda:us-east-1:111122223333:layer:x:1 '],
  ])('refuses %s', (_what, arn) => {
    expect(parseLayerVersionArn(arn)).toBeUndefined();
  });
});

describe('parseFunctionArn', () => {
  it('parses qualified and unqualified function ARNs', () => {
    expect(parseFunctionArn('arn:aws:lambda:eu-west-1:111122223333:function:api')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '111122223333',
      name: 'api',
      qualifier: undefined,
    });
    expect(
      parseFunctionArn('arn:aws:lambda:eu-west-1:111122223333:function:api:$LATEST')
    ).toMatchObject({ name: 'api', qualifier: '$LATEST' });
  });
  it('refuses names, layer ARNs and the layer of another service', () => {
    expect(parseFunctionArn('api')).toBeUndefined();
    expect(parseFunctionArn('arn:aws:lambda:eu-west-1:111122223333:layer:api:1')).toBeUndefined();
    expect(parseFunctionArn('arn:aws:states:eu-west-1:111122223333:function:api')).toBeUndefined();
  });
  it('functionArn builds what parseFunctionArn reads', () => {
    expect(parseFunctionArn(functionArn('111122223333', 'us-east-1', 'f'))?.name).toBe('f');
  });
});

describe('Signer ARNs', () => {
  const version = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers/Ab12Cd34';
  it('parses a profile version ARN and derives the profile ARN', () => {
    expect(parseSigningProfileVersionArn(version)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      owner: '111122223333',
      profileName: 'Layers',
      profileVersion: 'Ab12Cd34',
      profileArn: 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers',
    });
  });
  it('parses a signing job ARN', () => {
    expect(
      parseSigningJobArn('arn:aws:signer:us-east-1:111122223333:/signing-jobs/0f1e-2d3c')
    ).toEqual({ partition: 'aws', region: 'us-east-1', owner: '111122223333', jobId: '0f1e-2d3c' });
  });
  it('does not take one kind for the other', () => {
    expect(parseSigningJobArn(version)).toBeUndefined();
    expect(
      parseSigningProfileVersionArn('arn:aws:signer:us-east-1:111122223333:/signing-jobs/j')
    ).toBeUndefined();
    expect(
      parseSigningProfileVersionArn(
        'arn:aws:signer:us-east-1:111122223333:/signing-profiles/Layers'
      )
    ).toBeUndefined();
  });
});
