/**
 * Wire-level pieces shared by the service handlers: the caller identity, the
 * service error type, and writers for the three error/response dialects
 * (restJson1 for Lambda and Signer, awsQuery XML for STS, S3-style XML for content).
 */
import type { ServerResponse } from 'node:http';

/** Who is calling, derived from the SigV4 access key id. */
export interface Caller {
  account: string;
  accessKeyId: string;
  /** IAM user ARN for static keys, `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` for STS credentials. */
  arn: string;
  userId: string;
}

/** A service error; `code` goes on the wire exactly as AWS names it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra JSON members (restJson1 only), e.g. Lambda's `Type`/`Reason`. */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

/** A successful handler result. */
export interface ApiResult {
  status?: number;
  body: unknown;
}

let requestCounter = 0;
/** Request ids look like AWS's (UUIDs) but are sequential, so logs are diffable. */
export function nextRequestId(): string {
  requestCounter += 1;
  return `00000000-0000-4000-8000-${requestCounter.toString().padStart(12, '0')}`;
}

/** restJson1 success: JSON body, `x-amzn-RequestId`. */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string
): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': data.length,
    'x-amzn-requestid': requestId,
  });
  res.end(data);
}

/**
 * restJson1 error: the SDK reads the code from `x-amzn-errortype` (and `code`/`__type`
 * in the body as fallbacks). `service` picks the message member name each service uses.
 */
export function writeJsonError(
  res: ServerResponse,
  err: ApiError,
  service: 'lambda' | 'signer' | 'unknown',
  requestId: string
): void {
  const body: Record<string, unknown> =
    service === 'lambda'
      ? { Type: err.status >= 500 ? 'Service' : 'User', Message: err.message, ...err.extra }
      : service === 'signer'
        ? { message: err.message, code: err.code, ...err.extra }
        : { message: err.message, ...err.extra };
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': data.length,
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
    ...err.headers,
  });
  res.end(data);
}

/** Escapes text for XML element content. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function writeXml(
  res: ServerResponse,
  status: number,
  xml: string,
  requestId: string,
  headers: Record<string, string> = {}
): void {
  const data = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': data.length,
    'x-amzn-requestid': requestId,
    ...headers,
  });
  res.end(data);
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** awsQuery error document, as STS sends it. */
export function writeQueryError(res: ServerResponse, err: ApiError, requestId: string): void {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  writeXml(
    res,
    err.status,
    `<ErrorResponse xmlns="${STS_NS}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code>` +
      `<Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
    err.headers
  );
}

/** awsQuery success document: `<XResponse><XResult>…</XResult><ResponseMetadata/></XResponse>`. */
export function writeQueryResult(
  res: ServerResponse,
  action: string,
  resultXml: string,
  requestId: string
): void {
  writeXml(
    res,
    200,
    `<${action}Response xmlns="${STS_NS}"><${action}Result>${resultXml}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
    requestId
  );
}

/** S3-style error for presigned content URLs. */
export function writeS3Error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string
): void {
  const data = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
      `<RequestId>${requestId}</RequestId></Error>`
  );
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': data.length,
    'x-amz-request-id': requestId,
  });
  res.end(data);
}
