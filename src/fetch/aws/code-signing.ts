/**
 * Every function's code signing config of one account and region from the two listing calls
 * (ListCodeSigningConfigs, then ListFunctionsByCodeSigningConfig per config) instead of one
 * GetFunctionCodeSigningConfig per function: a few calls per region instead of one per function.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { mapLimit } from '../../util/pool.js';
import type { RetryPolicy } from '../retry.js';
import { classifyApiError, withRetry, type ApiFailure } from './errors.js';
import { lambdaSdk } from './sdk.js';

/** A code signing config as attached to a function. */
export interface CodeSigningConfigRecord {
  arn: string;
  /** Signing profile version ARNs allowed to publish. */
  allowedPublishers: string[];
  /** What Lambda does with an untrusted artifact: `Warn` or `Enforce`. */
  policy: string;
}

/** What the listings say: function name → its config (absent: none attached). */
export interface CodeSigningListing {
  byFunction: Map<string, CodeSigningConfigRecord>;
  /** List pages of the successful attempts: the calls no scan can avoid. */
  pages: number;
}

/** The function name of an unqualified or qualified function ARN; undefined if not one. */
export function functionNameOfArn(arn: string): string | undefined {
  const m = /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_]+)(?::[^:]+)?$/.exec(arn);
  return m?.[1];
}

/**
 * The code signing config of every function in the client's account and region, or why it
 * could not be listed (the caller then asks per function). A function listed under two configs
 * is a contradiction AWS never produces; it fails the whole listing rather than pick one.
 */
export async function listCodeSigningByFunction(
  client: LambdaClient,
  retry: RetryPolicy,
  options: { pageSize?: number; concurrency: number }
): Promise<CodeSigningListing | ApiFailure> {
  const { paginateListCodeSigningConfigs, paginateListFunctionsByCodeSigningConfig } = lambdaSdk();
  const page = options.pageSize ? { pageSize: options.pageSize } : {};
  const configs: CodeSigningConfigRecord[] = [];
  let pages = 0;
  try {
    await withRetry(retry, async () => {
      configs.length = 0;
      let n = 0;
      for await (const p of paginateListCodeSigningConfigs({ client, ...page }, {})) {
        n += 1;
        for (const c of p.CodeSigningConfigs ?? []) {
          if (!c.CodeSigningConfigArn) continue;
          configs.push({
            arn: c.CodeSigningConfigArn,
            allowedPublishers: [...(c.AllowedPublishers?.SigningProfileVersionArns ?? [])].sort(),
            policy: c.CodeSigningPolicies?.UntrustedArtifactOnDeployment ?? 'Warn',
          });
        }
      }
      pages = n;
    });
  } catch (err) {
    return classifyApiError(err, 'ListCodeSigningConfigs');
  }

  const byFunction = new Map<string, CodeSigningConfigRecord>();
  let failure: ApiFailure | undefined;
  await mapLimit(configs, options.concurrency, async (csc) => {
    const names: string[] = [];
    try {
      await withRetry(retry, async () => {
        names.length = 0;
        let n = 0;
        for await (const p of paginateListFunctionsByCodeSigningConfig(
          { client, ...page },
          { CodeSigningConfigArn: csc.arn }
        )) {
          n += 1;
          for (const arn of p.FunctionArns ?? []) {
            const name = functionNameOfArn(arn);
            if (name) names.push(name);
          }
        }
        pages += n;
      });
    } catch (err) {
      failure ??= classifyApiError(err, `ListFunctionsByCodeSigningConfig ${csc.arn}`);
      return;
    }
    for (const name of names) {
      const seen = byFunction.get(name);
      if (seen && seen.arn !== csc.arn) {
        failure ??= {
          code: 'API_ERROR',
          reason: `function ${name} is listed under two code signing configs (${seen.arn}, ${csc.arn})`,
        };
      }
      byFunction.set(name, csc);
    }
  });
  return failure ?? { byFunction, pages };
}
