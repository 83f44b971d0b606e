/**
 * Lambda (restJson1, API versions 2015-03-31 / 2018-10-31 / 2020-04-22 / 2020-06-30):
 * the read-only operations lamina uses. Shapes follow the Smithy model in
 * @aws-sdk/client-lambda (FunctionConfiguration, GetLayerVersionResponse, ...).
 */
import { createHash } from 'node:crypto';
import { buildZip, type ContentItem } from './content.js';
import type { HandlerContext } from './context.js';
import { regionIndex, type FunctionEntry } from './estate-index.js';
import { functionImage } from './function-image.js';
import {
  findLayerVersion,
  layerArn,
  type Estate,
  type FunctionVersion,
  type LambdaFunction,
  type Layer,
  type LayerVersion,
} from './estate.js';
import { cscArn, cscBody, parseCscArn, routeCodeSigningLists } from './code-signing.js';
import { page } from './paginate.js';
import { ApiError, type ApiResult } from './wire.js';

export type LambdaHandler = (ctx: HandlerContext) => ApiResult;

/** Resolves a request path to a Lambda operation name and handler. */
export function routeLambda(
  method: string,
  segments: string[],
  query: URLSearchParams
): { op: string; handle: LambdaHandler } | undefined {
  if (method !== 'GET') return undefined;
  const [api, kind, name, sub, num, ...rest] = segments;
  if (rest.length) return undefined;
  if (api === '2015-03-31' && kind === 'functions') {
    if (name === undefined) return { op: 'ListFunctions', handle: listFunctions };
    if (sub === undefined) return { op: 'GetFunction', handle: getFunction };
  }
  if (
    api === '2020-06-30' &&
    kind === 'functions' &&
    name !== undefined &&
    sub === 'code-signing-config' &&
    num === undefined
  ) {
    return { op: 'GetFunctionCodeSigningConfig', handle: getFunctionCodeSigningConfig };
  }
  if (
    api === '2020-04-22' &&
    kind === 'code-signing-configs' &&
    name !== undefined &&
    sub === undefined
  ) {
    return { op: 'GetCodeSigningConfig', handle: getCodeSigningConfig };
  }
  const cscList = routeCodeSigningLists(api, kind, name, sub, num);
  if (cscList) return cscList;
  if (api === '2018-10-31' && kind === 'layers') {
    if (name === undefined) {
      return query.get('find') === 'LayerVersion'
        ? { op: 'GetLayerVersionByArn', handle: getLayerVersionByArn }
        : { op: 'ListLayers', handle: listLayers };
    }
    if (sub === 'versions' && num === undefined)
      return { op: 'ListLayerVersions', handle: listLayerVersions };
    if (sub === 'versions' && num !== undefined)
      return { op: 'GetLayerVersion', handle: getLayerVersion };
  }
  return undefined;
}

function notFound(what: string): ApiError {
  return new ApiError(404, 'ResourceNotFoundException', what);
}
function accessDenied(ctx: HandlerContext, action: string, resource: string): ApiError {
  return new ApiError(
    403,
    'AccessDeniedException',
    `User: ${ctx.caller.arn} is not authorized to perform: lambda:${action} on resource: ${resource} because no resource-based policy allows the lambda:${action} action`
  );
}

const signerArn = (estate: Estate, region: string, account: string, path: string): string =>
  `arn:${estate.partition}:signer:${region}:${account}:${path}`;

/** Signing ARNs Lambda records on a layer version signed by a job. */
function signingArns(
  estate: Estate,
  account: string,
  region: string,
  v: LayerVersion
): { SigningProfileVersionArn?: string; SigningJobArn?: string } {
  if (v.signingJob === undefined) return {};
  const job = regionIndex(estate, account, region).signingJobsById.get(v.signingJob);
  if (!job) return {};
  return {
    SigningProfileVersionArn: signerArn(
      estate,
      region,
      account,
      `/signing-profiles/${job.profileName}/${job.profileVersion}`
    ),
    SigningJobArn: signerArn(estate, region, account, `/signing-jobs/${job.jobId}`),
  };
}

function layerContent(
  ctx: HandlerContext,
  account: string,
  region: string,
  layer: Layer,
  v: LayerVersion
): ContentItem {
  return ctx.content.add(
    `${layerArn(ctx.estate.partition, region, account, layer.name)}:${v.version}`,
    () => buildZip(v.content),
    v.tampered
  );
}

function functionContent(
  ctx: HandlerContext,
  account: string,
  region: string,
  fn: LambdaFunction
): ContentItem {
  return ctx.content.add(
    `arn:${ctx.estate.partition}:lambda:${region}:${account}:function:${fn.name}`,
    () => buildZip(fn.code)
  );
}

// RevisionId is a UUID in AWS; derive one from the content so it is stable.
function revisionId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** FunctionConfiguration for $LATEST or one published version. */
function functionConfiguration(
  ctx: HandlerContext,
  account: string,
  region: string,
  fn: LambdaFunction,
  version: FunctionVersion | undefined,
  qualifiedLatest: boolean
): Record<string, unknown> {
  const p = ctx.estate.partition;
  const base = `arn:${p}:lambda:${region}:${account}:function:${fn.name}`;
  const layers = version ? version.layers : fn.layers;
  let codeSha: string;
  let codeSize: number;
  if (fn.packageType === 'Image') {
    const img = functionImage(ctx.estate, fn, version, account, region);
    codeSha = img.codeSha256;
    codeSize = img.codeSize;
  } else {
    const item = functionContent(ctx, account, region, fn);
    codeSha = item.sha256;
    codeSize = item.size;
  }
  const cfg: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: version
      ? `${base}:${version.version}`
      : qualifiedLatest
        ? `${base}:$LATEST`
        : base,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: version ? version.handler : fn.handler,
    CodeSize: codeSize,
    Description: version ? version.description : fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: version ? version.lastModified : fn.lastModified,
    CodeSha256: codeSha,
    Version: version ? version.version : '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionId(`${base}:${version?.version ?? '$LATEST'}:${codeSha}`),
    PackageType: fn.packageType,
    Architectures: fn.architectures,
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
  const env = version ? version.environment : fn.environment;
  if (env?.error)
    cfg['Environment'] = {
      Error: {
        ErrorCode: env.error.errorCode,
        ...(env.error.message !== undefined ? { Message: env.error.message } : {}),
      },
    };
  else if (env) cfg['Environment'] = { Variables: env.variables };
  if (fn.packageType === 'Image' && fn.imageConfig) {
    const c = fn.imageConfig;
    cfg['ImageConfigResponse'] = {
      ImageConfig: {
        ...(c.entryPoint ? { EntryPoint: c.entryPoint } : {}),
        ...(c.command ? { Command: c.command } : {}),
        ...(c.workingDirectory !== undefined ? { WorkingDirectory: c.workingDirectory } : {}),
      },
      ...(c.error
        ? {
            Error: {
              ErrorCode: c.error.errorCode,
              ...(c.error.message !== undefined ? { Message: c.error.message } : {}),
            },
          }
        : {}),
    };
  }
  if (layers.length) {
    cfg['Layers'] = layers.map((arn) => {
      const found = findLayerVersion(ctx.estate, arn);
      if (!found) return { Arn: arn };
      const item = layerContent(ctx, found.account, found.region, found.layer, found.version);
      return {
        Arn: arn,
        CodeSize: item.size,
        ...signingArns(ctx.estate, found.account, found.region, found.version),
      };
    });
  }
  return cfg;
}

const FUNCTION_ARN_RE =
  /^(?:arn:[a-z-]+:lambda:([a-z0-9-]+):)?(?:(\d{12}):function:)?([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** Looks up a function named by name, partial ARN or ARN (optionally qualified). */
function resolveFunction(
  ctx: HandlerContext,
  rawName: string,
  action: string
): { account: string; fn: LambdaFunction; qualifier: string | undefined } {
  const m = FUNCTION_ARN_RE.exec(rawName);
  if (!m)
    throw new ApiError(400, 'InvalidParameterValueException', `Invalid function name: ${rawName}`);
  const region = m[1] ?? ctx.region;
  const account = m[2] ?? ctx.caller.account;
  const name = m[3] ?? '';
  const arn = `arn:${ctx.estate.partition}:lambda:${region}:${account}:function:${name}`;
  if (region !== ctx.region)
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      `Function ARN region ${region} does not match the endpoint region ${ctx.region}`
    );
  if (account !== ctx.caller.account) throw accessDenied(ctx, action, arn);
  const fn = regionIndex(ctx.estate, account, region).functionsByName.get(name);
  if (!fn) throw notFound(`Function not found: ${arn}`);
  return { account, fn, qualifier: m[4] };
}

function pickVersion(
  fn: LambdaFunction,
  qualifier: string | undefined,
  arn: string
): FunctionVersion | undefined {
  if (qualifier === undefined || qualifier === '$LATEST') return undefined;
  const v = fn.versions.find((x) => x.version === qualifier);
  if (!v) throw notFound(`Function not found: ${arn}:${qualifier}`);
  return v;
}

function listFunctions(ctx: HandlerContext): ApiResult {
  const fv = ctx.query.get('FunctionVersion');
  if (fv !== null && fv !== 'ALL')
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      `FunctionVersion must be ALL, got ${fv}`
    );
  const all = fv === 'ALL';
  // The row list is built once per region at index time; a page only slices it.
  const idx = regionIndex(ctx.estate, ctx.caller.account, ctx.region);
  const { items, nextMarker } = page<FunctionEntry>(
    all ? idx.allEntries : idx.latestEntries,
    'ListFunctions',
    ctx.query.get('Marker'),
    ctx.query.get('MaxItems')
  );
  const Functions = items.map(({ fn, version }) =>
    functionConfiguration(ctx, ctx.caller.account, ctx.region, fn, version, all)
  );
  return { body: { Functions, NextMarker: nextMarker } };
}

function getFunction(ctx: HandlerContext): ApiResult {
  const { account, fn, qualifier } = resolveFunction(ctx, ctx.segments[2] ?? '', 'GetFunction');
  const q = ctx.query.get('Qualifier') ?? qualifier;
  const arn = `arn:${ctx.estate.partition}:lambda:${ctx.region}:${account}:function:${fn.name}`;
  const version = pickVersion(fn, q, arn);
  const Configuration = functionConfiguration(ctx, account, ctx.region, fn, version, false);
  let Code: Record<string, unknown>;
  if (fn.packageType === 'Image') {
    const img = functionImage(ctx.estate, fn, version, account, ctx.region);
    Code = {
      RepositoryType: 'ECR',
      ImageUri: img.imageUri,
      ResolvedImageUri: img.resolvedImageUri,
    };
  } else {
    Code = {
      RepositoryType: 'S3',
      Location: ctx.presign(functionContent(ctx, account, ctx.region, fn)),
    };
  }
  return { body: { Configuration, Code } };
}

function getFunctionCodeSigningConfig(ctx: HandlerContext): ApiResult {
  const { account, fn } = resolveFunction(
    ctx,
    ctx.segments[2] ?? '',
    'GetFunctionCodeSigningConfig'
  );
  if (fn.packageType === 'Image') {
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      'Code signing is not supported for functions created with container images.'
    );
  }
  // AWS answers 200 with an empty ARN when no config is attached.
  const arn =
    fn.codeSigningConfig === undefined
      ? ''
      : cscArn(ctx.estate, ctx.region, account, fn.codeSigningConfig);
  return { body: { CodeSigningConfigArn: arn, FunctionName: fn.name } };
}

function getCodeSigningConfig(ctx: HandlerContext): ApiResult {
  const raw = ctx.segments[2] ?? '';
  const { region, account, id } = parseCscArn(raw);
  if (account !== ctx.caller.account) throw accessDenied(ctx, 'GetCodeSigningConfig', raw);
  const csc =
    region === ctx.region
      ? regionIndex(ctx.estate, account, region).codeSigningConfigsById.get(id)
      : undefined;
  if (!csc) throw notFound(`Code signing config not found: ${raw}`);
  return { body: { CodeSigningConfig: cscBody(ctx.estate, region, account, csc) } };
}

/** Whether the caller may read a layer version owned by `owner`. */
function mayRead(ctx: HandlerContext, owner: string, v: LayerVersion): boolean {
  return owner === ctx.caller.account || v.public || v.sharedWith.includes(ctx.caller.account);
}

/** Accepts a layer name or a layer ARN (as LayerName allows); returns owner account and name. */
function resolveLayerName(
  ctx: HandlerContext,
  raw: string
): { account: string; region: string; name: string } {
  const m = /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$/.exec(raw);
  if (m) return { region: m[1] ?? '', account: m[2] ?? '', name: m[3] ?? '' };
  if (!/^[a-zA-Z0-9-_]+$/.test(raw))
    throw new ApiError(400, 'InvalidParameterValueException', `Invalid layer name: ${raw}`);
  return { region: ctx.region, account: ctx.caller.account, name: raw };
}

function layerVersionBody(
  ctx: HandlerContext,
  account: string,
  region: string,
  layer: Layer,
  v: LayerVersion
): Record<string, unknown> {
  const item = layerContent(ctx, account, region, layer, v);
  const la = layerArn(ctx.estate.partition, region, account, layer.name);
  return {
    Content: {
      Location: ctx.presign(item),
      CodeSha256: item.sha256,
      CodeSize: item.size,
      ...signingArns(ctx.estate, account, region, v),
    },
    LayerArn: la,
    LayerVersionArn: `${la}:${v.version}`,
    Description: v.description,
    CreatedDate: v.createdDate,
    Version: v.version,
    CompatibleRuntimes: v.compatibleRuntimes.length ? v.compatibleRuntimes : undefined,
    CompatibleArchitectures: v.compatibleArchitectures.length
      ? v.compatibleArchitectures
      : undefined,
    LicenseInfo: v.licenseInfo,
  };
}

function getLayerVersionAt(
  ctx: HandlerContext,
  account: string,
  region: string,
  name: string,
  version: number,
  action: string
): ApiResult {
  const arn = `${layerArn(ctx.estate.partition, region, account, name)}:${version}`;
  if (region !== ctx.region)
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      `Layer version ARN region ${region} does not match the endpoint region ${ctx.region}`
    );
  const found = findLayerVersion(ctx.estate, arn);
  if (account !== ctx.caller.account && (!found || !mayRead(ctx, account, found.version))) {
    throw accessDenied(ctx, action, arn);
  }
  if (!found || found.version.deleted)
    throw notFound(
      `The resource you requested does not exist. (Service: Lambda, Status Code: 404) ${arn}`
    );
  return { body: layerVersionBody(ctx, account, region, found.layer, found.version) };
}

function getLayerVersion(ctx: HandlerContext): ApiResult {
  const { account, region, name } = resolveLayerName(ctx, ctx.segments[2] ?? '');
  const n = Number(ctx.segments[4]);
  if (!Number.isInteger(n) || n < 1)
    throw new ApiError(
      400,
      'InvalidParameterValueException',
      `Invalid version number: ${ctx.segments[4]}`
    );
  return getLayerVersionAt(ctx, account, region, name, n, 'GetLayerVersion');
}

function getLayerVersionByArn(ctx: HandlerContext): ApiResult {
  const raw = ctx.query.get('Arn') ?? '';
  const m = /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):(\d+)$/.exec(raw);
  if (!m)
    throw new ApiError(400, 'InvalidParameterValueException', `Invalid layer version ARN: ${raw}`);
  return getLayerVersionAt(
    ctx,
    m[2] ?? '',
    m[1] ?? '',
    m[3] ?? '',
    Number(m[4]),
    'GetLayerVersion'
  );
}

function matchesFilters(ctx: HandlerContext, v: LayerVersion): boolean {
  const rt = ctx.query.get('CompatibleRuntime');
  const arch = ctx.query.get('CompatibleArchitecture');
  if (rt !== null && !v.compatibleRuntimes.includes(rt)) return false;
  if (arch !== null && !v.compatibleArchitectures.includes(arch)) return false;
  return !v.deleted;
}

function listItem(
  ctx: HandlerContext,
  account: string,
  region: string,
  layer: Layer,
  v: LayerVersion
): Record<string, unknown> {
  const la = layerArn(ctx.estate.partition, region, account, layer.name);
  return {
    LayerVersionArn: `${la}:${v.version}`,
    Version: v.version,
    Description: v.description,
    CreatedDate: v.createdDate,
    CompatibleRuntimes: v.compatibleRuntimes.length ? v.compatibleRuntimes : undefined,
    LicenseInfo: v.licenseInfo,
    CompatibleArchitectures: v.compatibleArchitectures.length
      ? v.compatibleArchitectures
      : undefined,
  };
}

function listLayers(ctx: HandlerContext): ApiResult {
  const account = ctx.caller.account;
  // Which layers match depends on the filters, so that is decided per request
  // (cheap: no allocation); response objects are built for the page only.
  const matching: Array<{ layer: Layer; latest: LayerVersion }> = [];
  for (const layer of regionIndex(ctx.estate, account, ctx.region).layersSorted) {
    const latest = latestMatching(ctx, layer.versions);
    if (latest) matching.push({ layer, latest });
  }
  const { items, nextMarker } = page(
    matching,
    'ListLayers',
    ctx.query.get('Marker'),
    ctx.query.get('MaxItems')
  );
  const Layers = items.map(({ layer, latest }) => ({
    LayerName: layer.name,
    LayerArn: layerArn(ctx.estate.partition, ctx.region, account, layer.name),
    LatestMatchingVersion: listItem(ctx, account, ctx.region, layer, latest),
  }));
  return { body: { Layers, NextMarker: nextMarker } };
}

/** The highest-numbered version passing the filters (versions are sorted ascending). */
function latestMatching(ctx: HandlerContext, versions: LayerVersion[]): LayerVersion | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i];
    if (v && matchesFilters(ctx, v)) return v;
  }
  return undefined;
}

function listLayerVersions(ctx: HandlerContext): ApiResult {
  const { account, region, name } = resolveLayerName(ctx, ctx.segments[2] ?? '');
  const layer =
    region === ctx.region
      ? regionIndex(ctx.estate, account, region).layersByName.get(name)?.layer
      : undefined;
  // Newest first, as AWS lists them; deleted versions are gone.
  const versions = (layer?.versions ?? [])
    .filter((v) => matchesFilters(ctx, v) && mayRead(ctx, account, v))
    .reverse();
  const { items, nextMarker } = page(
    versions,
    'ListLayerVersions',
    ctx.query.get('Marker'),
    ctx.query.get('MaxItems')
  );
  const LayerVersions = layer ? items.map((v) => listItem(ctx, account, region, layer, v)) : [];
  return { body: { LayerVersions, NextMarker: nextMarker } };
}
