/**
 * Lambda code signing config listings (API version 2020-04-22): ListCodeSigningConfigs and
 * ListFunctionsByCodeSigningConfig, the two calls that tell a scanner every function's config
 * without one GetFunctionCodeSigningConfig per function. Shapes follow the Smithy model in
 * @aws-sdk/client-lambda (ListCodeSigningConfigsResponse, ListFunctionsByCodeSigningConfigResponse).
 */
import type { HandlerContext } from './context.js';
import { regionIndex, type RegionIndex } from './estate-index.js';
import type { CodeSigningConfig, Estate, LambdaFunction } from './estate.js';
import { page } from './paginate.js';
import { ApiError, type ApiResult } from './wire.js';

type Handler = (ctx: HandlerContext) => ApiResult;

/** The ARN of a code signing config. */
export function cscArn(estate: Estate, region: string, account: string, id: string): string {
  return `arn:${estate.partition}:lambda:${region}:${account}:code-signing-config:${id}`;
}

/**
 * Region, account and id of a code signing config ARN.
 * @throws ApiError InvalidParameterValueException when it is not one
 */
export function parseCscArn(raw: string): { region: string; account: string; id: string } {
  const m =
    /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):code-signing-config:(csc-[a-z0-9]{17})$/.exec(raw);
  if (!m)
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      `Invalid code signing config ARN: ${raw}`
    );
  const [, region = '', account = '', id = ''] = m;
  return { region, account, id };
}

/** The CodeSigningConfig structure GetCodeSigningConfig and ListCodeSigningConfigs return. */
export function cscBody(
  estate: Estate,
  region: string,
  account: string,
  csc: CodeSigningConfig
): Record<string, unknown> {
  return {
    CodeSigningConfigId: csc.id,
    CodeSigningConfigArn: cscArn(estate, region, account, csc.id),
    Description: csc.description,
    AllowedPublishers: { SigningProfileVersionArns: csc.allowedPublishers },
    CodeSigningPolicies: { UntrustedArtifactOnDeployment: csc.policy },
    LastModified: csc.lastModified,
  };
}

/** Routes `GET /2020-04-22/code-signing-configs` and `.../{CodeSigningConfigArn}/functions`. */
export function routeCodeSigningLists(
  api: string | undefined,
  kind: string | undefined,
  name: string | undefined,
  sub: string | undefined,
  num: string | undefined
): { op: string; handle: Handler } | undefined {
  if (api !== '2020-04-22' || kind !== 'code-signing-configs' || num !== undefined)
    return undefined;
  if (name === undefined) return { op: 'ListCodeSigningConfigs', handle: listCodeSigningConfigs };
  if (sub === 'functions')
    return { op: 'ListFunctionsByCodeSigningConfig', handle: listFunctionsByCodeSigningConfig };
  return undefined;
}

/** Configs sorted by id, and each config's zip functions sorted by name, per region index. */
interface CscIndex {
  configs: CodeSigningConfig[];
  functionsById: Map<string, LambdaFunction[]>;
}

// Built once per region on first use: a page is then an O(page) slice, even for 100,000 functions.
const cscIndexes = new WeakMap<RegionIndex, CscIndex>();

function cscIndex(idx: RegionIndex): CscIndex {
  let found = cscIndexes.get(idx);
  if (found) return found;
  const configs = [...idx.codeSigningConfigsById.values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  );
  const functionsById = new Map<string, LambdaFunction[]>();
  for (const fn of idx.functionsSorted) {
    // Lambda does not apply code signing to container-image functions.
    if (fn.codeSigningConfig === undefined || fn.packageType === 'Image') continue;
    const list = functionsById.get(fn.codeSigningConfig) ?? [];
    list.push(fn);
    functionsById.set(fn.codeSigningConfig, list);
  }
  found = { configs, functionsById };
  cscIndexes.set(idx, found);
  return found;
}

function listCodeSigningConfigs(ctx: HandlerContext): ApiResult {
  const account = ctx.caller.account;
  const { configs } = cscIndex(regionIndex(ctx.estate, account, ctx.region));
  const { items, nextMarker } = page(
    configs,
    'ListCodeSigningConfigs',
    ctx.query.get('Marker'),
    ctx.query.get('MaxItems')
  );
  return {
    body: {
      CodeSigningConfigs: items.map((c) => cscBody(ctx.estate, ctx.region, account, c)),
      NextMarker: nextMarker,
    },
  };
}

function listFunctionsByCodeSigningConfig(ctx: HandlerContext): ApiResult {
  const raw = ctx.segments[2] ?? '';
  const { region, account, id } = parseCscArn(raw);
  if (account !== ctx.caller.account)
    throw new ApiError(
      403,
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to perform: lambda:ListFunctionsByCodeSigningConfig on resource: ${raw}`
    );
  const idx = region === ctx.region ? regionIndex(ctx.estate, account, region) : undefined;
  if (!idx?.codeSigningConfigsById.has(id))
    throw new ApiError(404, 'ResourceNotFoundException', `Code signing config not found: ${raw}`);
  const fns = cscIndex(idx).functionsById.get(id) ?? [];
  const { items, nextMarker } = page(
    fns,
    'ListFunctionsByCodeSigningConfig',
    ctx.query.get('Marker'),
    ctx.query.get('MaxItems')
  );
  return {
    body: {
      FunctionArns: items.map(
        (fn) => `arn:${ctx.estate.partition}:lambda:${region}:${account}:function:${fn.name}`
      ),
      NextMarker: nextMarker,
    },
  };
}
