import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { UsageError } from '../../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import type { ClientFactory, Principal } from './clients.js';
import { classifyApiError, withRetry } from './errors.js';
import { failureError } from './layer.js';

/** What `sbom --function` needs of a function: identity, runtime and its layers in order. */
export interface FunctionInfo {
  name: string;
  arn: string;
  region: string;
  /** `$LATEST` or a published version. */
  version: string;
  runtime: string | undefined;
  architectures: string[];
  /** CodeSha256 of the function's own code (base64), when the service gives it. */
  codeSha256: string | undefined;
  /** Layer version ARNs in the order Lambda extracts them into /opt. */
  layers: string[];
}

const FUNCTION_ARN_REGION_RE = /^arn:[a-z-]+:lambda:([a-z0-9-]+):\d{12}:function:/;

/** The region a function ARN names, if NAME is an ARN. */
export function regionOfFunctionArn(name: string): string | undefined {
  return FUNCTION_ARN_REGION_RE.exec(name)?.[1];
}

/**
 * GetFunction: the function's configuration with Configuration.Layers in order.
 *
 * @throws UsageError when the function does not exist, the name is invalid, or
 *   it is a container image function (exit 2).
 * @throws FetchError when it could not be read (access denied, unreachable): exit 3.
 */
export async function getFunctionInfo(
  factory: ClientFactory,
  name: string,
  region: string,
  options: { retry?: RetryPolicy; principal?: Principal } = {}
): Promise<FunctionInfo> {
  const client = factory.lambda(
    options.principal ?? { label: 'default', credentials: undefined },
    region
  );
  let res;
  try {
    res = await withRetry(options.retry ?? DEFAULT_RETRY, () =>
      client.send(new GetFunctionCommand({ FunctionName: name }))
    );
  } catch (err) {
    throw failureError(classifyApiError(err, `GetFunction ${name}`));
  }
  const c = res.Configuration;
  if (!c?.FunctionArn) {
    throw new UsageError({ code: 'BAD_INPUT', message: `GetFunction ${name}: no Configuration` });
  }
  if (c.PackageType === 'Image') {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${c.FunctionArn}: container image functions: not supported by sbom --function yet`,
    });
  }
  return {
    name: c.FunctionName ?? name,
    arn: c.FunctionArn,
    region,
    version: c.Version ?? '$LATEST',
    runtime: c.Runtime,
    architectures: c.Architectures ?? ['x86_64'],
    codeSha256: c.CodeSha256,
    layers: (c.Layers ?? []).map((l) => l.Arn ?? '').filter(Boolean),
  };
}
