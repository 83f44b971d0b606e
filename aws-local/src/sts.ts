/**
 * STS (awsQuery, version 2011-06-15): AssumeRole and GetCallerIdentity. The body
 * is a form post (`Action=…&Version=…`), answers are XML.
 */
import type { IdentityStore } from './identity.js';
import { ApiError, xmlEscape, type Caller } from './wire.js';

/** The operation named by an STS form body, or undefined. */
export function stsAction(body: string): string | undefined {
  return new URLSearchParams(body).get('Action') ?? undefined;
}

/** Runs an STS action; returns the inner `<XResult>` XML. */
export function handleSts(
  action: string,
  body: string,
  caller: Caller,
  identities: IdentityStore,
  now: Date
): string {
  const form = new URLSearchParams(body);
  switch (action) {
    case 'GetCallerIdentity':
      return `<Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.userId)}</UserId><Account>${caller.account}</Account>`;
    case 'AssumeRole': {
      const roleArn = form.get('RoleArn');
      const sessionName = form.get('RoleSessionName');
      if (!roleArn || !sessionName) {
        throw new ApiError(
          400,
          'ValidationError',
          '2 validation errors detected: RoleArn and RoleSessionName are required'
        );
      }
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
        throw new ApiError(
          400,
          'ValidationError',
          `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`
        );
      }
      const duration = Number(form.get('DurationSeconds') ?? 3600);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
        throw new ApiError(
          400,
          'ValidationError',
          `The requested DurationSeconds exceeds the allowed range`
        );
      }
      const c = identities.assumeRole(caller, roleArn, sessionName, duration, now);
      return (
        `<AssumedRoleUser><AssumedRoleId>${xmlEscape(c.caller.userId)}</AssumedRoleId><Arn>${xmlEscape(c.caller.arn)}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(c.sessionToken)}</SessionToken><Expiration>${c.expiration.toISOString()}</Expiration></Credentials>` +
        `<PackedPolicySize>0</PackedPolicySize>`
      );
    }
    default:
      throw new ApiError(
        400,
        'InvalidAction',
        `Could not find operation ${action} for version 2011-06-15`
      );
  }
}
