import { describe, expect, it } from 'vitest';
import { functionNameOfArn } from './code-signing.js';

describe('functionNameOfArn', () => {
  it('takes the name from unqualified and qualified function ARNs only', () => {
    expect(functionNameOfArn('arn:aws:lambda:us-east-1:111111111111:function:api')).toBe('api');
    expect(functionNameOfArn('arn:aws:lambda:us-east-1:111111111111:function:api:$LATEST')).toBe(
      'api'
    );
    expect(functionNameOfArn('arn:aws-cn:lambda:cn-north-1:111111111111:function:a-b_c:7')).toBe(
      'a-b_c'
    );
    expect(functionNameOfArn('api')).toBeUndefined();
    expect(functionNameOfArn('arn:aws:lambda:us-east-1:111111111111:layer:api:1')).toBeUndefined();
    expect(functionNameOfArn('arn:aws:lambda:us-east-1:111111111111:function:a/b')).toBeUndefined();
  });
});
