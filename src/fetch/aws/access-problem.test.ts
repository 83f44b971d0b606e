import { CredentialsProviderError } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import { awsAccessProblem, classifyApiError } from './errors.js';

const named = (name: string, message: string, extra: object = {}): Error =>
  Object.assign(new Error(message), { name }, extra);

describe('awsAccessProblem: one line saying what to do', () => {
  it.each([
    [
      new CredentialsProviderError('Could not load credentials from any providers', {
        tryNextLink: false,
      }),
      /^no usable AWS credentials: give --profile or set AWS_PROFILE/,
    ],
    [
      named(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid.\nTo refresh this SSO session run aws sso login'
      ),
      /^the AWS SSO session has expired or is missing: run 'aws sso login'/,
    ],
    [
      named('ExpiredTokenException', 'The security token included in the request is expired'),
      /have expired/,
    ],
    [named('InvalidSignatureException', 'signature mismatch'), /AWS rejected the credentials/],
    [named('TimeoutError', 'socket timed out after 500 ms'), /did not answer in time/],
    [named('Error', 'connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }), /cannot reach/],
  ])('%s', (err, line) => {
    const text = awsAccessProblem(err);
    expect(text).toMatch(line);
    expect(text).not.toContain('\n');
  });

  it('leaves other errors to their own handling', () => {
    expect(awsAccessProblem(named('ResourceNotFoundException', 'no such layer'))).toBeUndefined();
    expect(classifyApiError(named('AccessDeniedException', 'nope'), 'list').code).toBe(
      'ACCESS_DENIED'
    );
  });
});
