import type { GetFunctionCommandOutput } from '@aws-sdk/client-lambda';
import { functionEnvironment, type FunctionEnvironment } from '../../model/function-environment.js';
import type { FunctionImageConfig } from '../../model/function-image-config.js';
import type { RetryPolicy } from '../retry.js';
import { DEFAULT_PRINCIPAL, type ClientFactory } from './clients.js';
import { readCodeSigningConfig, type CodeSigningConfigRecord } from './enumerate.js';
import { classifyApiError, failureError, withRetry, type ApiFailure } from './errors.js';
import { lambdaSdk } from './sdk.js';

/** A function's identity, runtime and its layers in order (GetFunction). */
export interface FunctionInfo {
  name: string;
  arn: string;
  region: string;
  /** `$LATEST` or a published version. */
  version: string;
  runtime: string | undefined;
  /** The Handler the runtime loads (zip functions). */
  handler: string | undefined;
  architectures: string[];
  /** `Zip` or `Image`. */
  packageType: string;
  /** CodeSha256 of the function's own code (base64), when the service gives it. */
  codeSha256: string | undefined;
  /** Layer version ARNs in the order Lambda extracts them into /opt. */
  layers: string[];
  /** Image functions: the image and the function's own image settings. */
  image?: FunctionImage;
  /** Its environment's variables that make the runtime load code, or why they were not given. */
  environment: FunctionEnvironment;
}

/** What GetFunction says about an image function's image. */
export interface FunctionImage {
  /** `Code.ImageUri`: as deployed (a tag or a digest). */
  imageUri: string | undefined;
  /** `Code.ResolvedImageUri`: the image by digest, as Lambda resolved it at deploy time. */
  resolvedImageUri: string | undefined;
  /**
   * `Configuration.ImageConfigResponse.ImageConfig`: the function's EntryPoint, Command and
   * WorkingDirectory, which override the image config's.
   */
  config?: FunctionImageConfig;
}

/**
 * GetFunction: the function's configuration with Configuration.Layers in order.
 * @throws FetchError when it could not be read; code NOT_FOUND when it does not exist
 */
export async function getFunctionInfo(
  factory: ClientFactory,
  name: string,
  region: string,
  retry: RetryPolicy
): Promise<FunctionInfo> {
  const { GetFunctionCommand } = lambdaSdk();
  const client = await factory.lambda(DEFAULT_PRINCIPAL, region);
  let res;
  try {
    res = await withRetry(retry, () => client.send(new GetFunctionCommand({ FunctionName: name })));
  } catch (err) {
    throw failureError(classifyApiError(err, `GetFunction ${name}`));
  }
  const c = res.Configuration;
  if (!c?.FunctionArn) {
    throw failureError({ code: 'API_ERROR', reason: `GetFunction ${name}: no Configuration` });
  }
  return {
    name: c.FunctionName ?? name,
    arn: c.FunctionArn,
    region,
    version: c.Version ?? '$LATEST',
    runtime: c.Runtime,
    handler: c.Handler,
    architectures: c.Architectures ?? ['x86_64'],
    packageType: c.PackageType ?? 'Zip',
    codeSha256: c.CodeSha256,
    layers: (c.Layers ?? []).map((l) => l.Arn ?? '').filter(Boolean),
    ...(c.PackageType === 'Image' ? { image: functionImage(res, c.FunctionArn) } : {}),
    environment: functionEnvironment(c.Environment),
  };
}

function functionImage(res: GetFunctionCommandOutput, name: string): FunctionImage {
  const config = functionImageConfig(res, name);
  return {
    imageUri: res.Code?.ImageUri,
    resolvedImageUri: res.Code?.ResolvedImageUri,
    ...(config ? { config } : {}),
  };
}

/**
 * The error Lambda returned in GetFunction's `ImageConfigResponse` instead of the function's
 * image settings, as an API_ERROR failure; undefined when it returned none.
 */
export function imageConfigFailure(
  res: Pick<GetFunctionCommandOutput, 'Configuration'>,
  name: string
): ApiFailure | undefined {
  const error = res.Configuration?.ImageConfigResponse?.Error;
  if (!error) return undefined;
  const message = error.Message ? `: ${error.Message}` : '';
  return {
    code: 'API_ERROR',
    reason: `GetFunction ${name}: ImageConfigResponse.Error ${error.ErrorCode ?? ''}${message} instead of the function's image settings`,
  };
}

/**
 * GetFunction's `ImageConfigResponse.ImageConfig`: the image settings the function sets itself,
 * undefined when it sets none.
 * @throws FetchError (API_ERROR) when Lambda returned an error instead of them: what the function
 *   starts with is then unknown, and the image read without them would be read as another start
 */
export function functionImageConfig(
  res: Pick<GetFunctionCommandOutput, 'Configuration'>,
  name: string
): FunctionImageConfig | undefined {
  const failure = imageConfigFailure(res, name);
  if (failure) throw failureError(failure);
  const ic = res.Configuration?.ImageConfigResponse?.ImageConfig;
  const config = {
    ...(ic?.EntryPoint ? { entryPoint: ic.EntryPoint } : {}),
    ...(ic?.Command ? { command: ic.Command } : {}),
    ...(ic?.WorkingDirectory !== undefined ? { workingDirectory: ic.WorkingDirectory } : {}),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * GetFunctionCodeSigningConfig, then GetCodeSigningConfig when one is attached.
 * @returns null when the function has no code signing config
 * @throws FetchError when either could not be read (NOT_FOUND: the function does not exist)
 */
export async function getFunctionCodeSigning(
  factory: ClientFactory,
  name: string,
  region: string,
  retry: RetryPolicy
): Promise<CodeSigningConfigRecord | null> {
  const { GetFunctionCodeSigningConfigCommand } = lambdaSdk();
  const client = await factory.lambda(DEFAULT_PRINCIPAL, region);
  let cscArn: string | undefined;
  try {
    const res = await withRetry(retry, () =>
      client.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: name }))
    );
    cscArn = res.CodeSigningConfigArn || undefined;
  } catch (err) {
    throw failureError(classifyApiError(err, `GetFunctionCodeSigningConfig ${name}`));
  }
  if (!cscArn) return null;
  const csc = await readCodeSigningConfig(client, cscArn, retry);
  // The function names a config we cannot read: that is not "no config", it is incomplete.
  if ('code' in csc)
    throw failureError(csc.code === 'NOT_FOUND' ? { ...csc, code: 'API_ERROR' } : csc);
  return csc;
}
