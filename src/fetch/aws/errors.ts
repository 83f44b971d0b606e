import { FetchError, type FetchErrorCode } from '../errors.js';
import { backoffMs, sleep, type RetryPolicy } from '../retry.js';

/** The facts the scan records about a failed API call. */
export interface ApiFailure {
  code: FetchErrorCode;
  reason: string;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
]);

/** True for errors another attempt may cure: throttling, 5xx, network failures. */
export function isTransient(err: unknown): boolean {
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(e.name ?? '')) return true;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP status: the request never got an answer (reset, refused, timeout).
  return (
    e.$retryable !== undefined ||
    /ECONNRESET|socket hang up|ETIMEDOUT|EPIPE|ECONNREFUSED/i.test(e.message ?? '') ||
    e.name === 'TimeoutError'
  );
}

/**
 * What to do about an error that is not about any one resource but about reaching AWS at all:
 * no or expired credentials, an SSO session to renew, an endpoint that refuses or never
 * answers. One line; undefined for any other error.
 */
export function awsAccessProblem(err: unknown): string | undefined {
  const e = err as SdkErrorShape & { code?: string };
  const name = e.name ?? '';
  const first = (e.message ?? '').split('\n')[0]!;
  if (/sso/i.test(first) && /expired|invalid|refresh|token/i.test(first)) {
    return `the AWS SSO session has expired or is missing: run 'aws sso login' for the profile (${first})`;
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return (
      `no usable AWS credentials: give --profile or set AWS_PROFILE, or set ` +
      `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${first})`
    );
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || name === 'RequestExpired') {
    return `the AWS credentials have expired: refresh them and run again (${name})`;
  }
  if (
    name === 'InvalidClientTokenId' ||
    name === 'UnrecognizedClientException' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'InvalidSignatureException'
  ) {
    return `AWS rejected the credentials (${name}): check the profile or access keys`;
  }
  const text = `${e.code ?? ''} ${first}`;
  if (name === 'TimeoutError' || /ETIMEDOUT|timed out|timeout/i.test(text)) {
    return (
      `the AWS endpoint did not answer in time: check --endpoint-url, AWS_ENDPOINT_URL and ` +
      `the network, or raise --connect-timeout/--read-timeout (${first})`
    );
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(text)) {
    return (
      `cannot reach the AWS endpoint: check --endpoint-url, AWS_ENDPOINT_URL and the ` +
      `network (${first})`
    );
  }
  return undefined;
}

/** Map an SDK error to our failure codes, keeping the service's own code in the reason. */
export function classifyApiError(err: unknown, what: string): ApiFailure {
  const e = err as SdkErrorShape;
  const name = e.name ?? 'Error';
  const access = awsAccessProblem(err);
  const msg = `${what}: ${access ?? `${name}${e.message ? `: ${e.message.split('\n')[0]!}` : ''}`}`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied')
    return { code: 'ACCESS_DENIED', reason: msg };
  if (name === 'ResourceNotFoundException' || name === 'NotFoundException')
    return { code: 'NOT_FOUND', reason: msg };
  if (isTransient(err)) return { code: 'RETRIES_EXHAUSTED', reason: msg };
  return { code: 'API_ERROR', reason: msg };
}

/**
 * True when AWS says the thing asked for does not exist or is not a valid name: when the user
 * named it, that is bad input rather than a run that could not complete.
 */
export function namesNothing(f: ApiFailure): boolean {
  return f.code === 'NOT_FOUND' || /InvalidParameterValueException/.test(f.reason);
}

/** An API failure as an error to throw. */
export function failureError(f: ApiFailure): FetchError {
  return new FetchError({ code: f.code, message: f.reason });
}

/**
 * Run an API call, retrying transient failures on top of the SDK's own retries:
 * the SDK's retry quota can run dry under sustained throttling, and a throttled
 * run must still complete, only slower.
 */
export async function withRetry<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt + 1 >= policy.attempts) throw err;
      await sleep(backoffMs(policy, attempt + 1));
    }
  }
}
