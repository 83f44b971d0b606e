import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { functionArn, parseLayerVersionArn } from '../../model/arn.js';
import { functionEnvironment, type FunctionEnvironment } from '../../model/function-environment.js';
import { Interner } from '../../util/intern.js';
import { limiter, mapLimit } from '../../util/pool.js';
import { UsageError } from '../../errors.js';
import { FetchError, type FetchErrorCode } from '../errors.js';
import type { RetryPlan, RetryPolicy } from '../retry.js';
import { DEFAULT_PRINCIPAL, type ClientFactory, type Principal } from './clients.js';
import { listCodeSigningByFunction, type CodeSigningConfigRecord } from './code-signing.js';
import { classifyApiError, withRetry, type ApiFailure } from './errors.js';
import { lambdaSdk } from './sdk.js';

export type { CodeSigningConfigRecord } from './code-signing.js';

/** One function version as ListFunctions (FunctionVersion=ALL) returns it. */
export interface FunctionRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  runtime: string | undefined;
  /** The Handler the runtime loads; absent for an image function. */
  handler?: string;
  architectures: string[];
  packageType: string;
  /** null: none attached; undefined: could not be read (see failures). */
  codeSigningConfig: CodeSigningConfigRecord | null | undefined;
  /** Layer version ARNs in attach order. */
  layers: string[];
  /** An image function's CodeSha256: the hex digest of its image manifest (zip functions: none). */
  codeSha256?: string;
  /** The principal and Region it was listed with (to read it again: GetFunction, ECR). */
  lookup?: Lookup;
  /**
   * The variables of its environment that make the runtime load code, or why Lambda did not
   * give them; absent when none is set (most functions: nothing to hold per function).
   */
  environment?: FunctionEnvironment;
}

/** Content facts GetLayerVersionByArn returns. */
export interface LayerContent {
  location: string;
  codeSha256: string;
  codeSize: number;
  signingProfileVersionArn: string | undefined;
  signingJobArn: string | undefined;
}

/** Where a layer version ARN can be looked up from (the caller's account and region). */
export interface Lookup {
  principal: Principal;
  region: string;
}

/** A distinct layer version ARN, found listed in its owner's account or referenced by a function. */
export interface LayerVersionRecord {
  arn: string;
  name: string;
  owner: string;
  region: string;
  version: number;
  /** Listed by ListLayerVersions in an account we scanned (false: only referenced). */
  listed: boolean;
  /** CreatedDate as the listing shows it: a version number reused after deletion differs. */
  createdDate?: string;
  content: LayerContent | undefined;
  failure: ApiFailure | undefined;
  /** Principals that can see it, tried in order for a fresh URL. */
  lookups: Lookup[];
}

/** Something that could not be enumerated or read. */
export interface EnumerationFailure {
  /** What failed: an account (role), a region, a function or a layer version. */
  scope: 'account' | 'region' | 'function' | 'layer-version';
  /** ARN (or role ARN, or `account/region`). */
  subject: string;
  code: FetchErrorCode;
  reason: string;
}

export interface Enumeration {
  /** (account, region) pairs fully or partly scanned. */
  targets: { account: string; region: string }[];
  /**
   * Every account identified, in the order (account, region) pairs are numbered for a shard:
   * the shard's own and the others'. Shards of one scan agree on it, or their numbers differ.
   */
  accounts: string[];
  /**
   * The principal each identified account is scanned as. Its own resources (an ECR repository,
   * say) are read as it where a function of another account refers to them: the owner can read
   * what it owns, where another account may be granted only a pull or nothing.
   */
  principals: Map<string, Principal>;
  functions: FunctionRecord[];
  layerVersions: Map<string, LayerVersionRecord>;
  failures: EnumerationFailure[];
  /** The calls this enumeration could not have avoided (see {@link EnumerationCost}). */
  cost: EnumerationCost;
}

/**
 * The floor of an enumeration, counted as it goes: list pages of the successful attempts and
 * the descriptions of layer versions nothing recorded yet. Retries and per-function calls are
 * what a scan spends above it.
 */
export interface EnumerationCost {
  /** STS GetCallerIdentity per principal. */
  identities: number;
  /** Pages of ListFunctions, ListLayers, ListLayerVersions and the code signing listings. */
  listPages: number;
  /** Layer versions that had to be described (GetLayerVersionByArn). */
  described: number;
  /** Layer versions whose description came from a previous scan's record. */
  reused: number;
  /** Regions whose code signing listings failed, so each function was asked instead. */
  codeSigningFallbacks: number;
}

const noCost = (): EnumerationCost => ({
  identities: 0,
  listPages: 0,
  described: 0,
  reused: 0,
  codeSigningFallbacks: 0,
});

export interface EnumerateOptions {
  regions: string[];
  /** Role ARNs to assume; the base credentials' own account is always scanned too. */
  roleArns: string[];
  concurrency: number;
  /** Page size for List* calls (undefined: the service default). */
  pageSize?: number;
  retry: RetryPlan;
  onProgress?: (event: string) => void;
  /** (account, region) pairs listed at once (default 4); each has its own SDK client. */
  targetConcurrency?: number;
  /**
   * The recorded content facts of a layer version the listing shows, from a previous scan
   * (layer versions are immutable): undefined means describe it.
   */
  known?: (lv: LayerVersionRecord) => LayerContent | undefined;
  /**
   * Scan only shard `index` (1-based) of `count`: the (account, region) targets, in principal
   * then region order, whose position modulo `count` is `index - 1`.
   */
  shard?: { index: number; count: number };
  /**
   * Called once per layer version as soon as its content facts are known (described or
   * reused), while listing may still go on: the scan starts its downloads from here.
   */
  onContent?: (lv: LayerVersionRecord) => void;
}

/**
 * A record for a layer version ARN, looked up by `lookups` (default: the base credentials in
 * the ARN's region); undefined when `arn` is not a layer version ARN.
 */
export function layerVersionRecord(
  arn: string,
  lookups?: Lookup[],
  listed = false
): LayerVersionRecord | undefined {
  const p = parseLayerVersionArn(arn);
  if (!p) return undefined;
  return {
    arn,
    name: p.name,
    owner: p.owner,
    region: p.region,
    version: p.version,
    listed,
    content: undefined,
    failure: undefined,
    lookups: lookups ?? [{ principal: DEFAULT_PRINCIPAL, region: p.region }],
  };
}

/**
 * Enumerate every account (base credentials plus each assumed role) and region:
 * functions (all versions) with their layers and code signing configs, every
 * layer and layer version, and the content facts of every distinct layer
 * version ARN. Failures are recorded against the item; nothing is thrown.
 */
export async function enumerateEstate(
  factory: ClientFactory,
  options: EnumerateOptions
): Promise<Enumeration> {
  const retry = options.retry.api;
  const out: Enumeration = {
    targets: [],
    accounts: [],
    principals: new Map(),
    functions: [],
    layerVersions: new Map(),
    failures: [],
    cost: noCost(),
  };
  const firstRegion = options.regions[0] ?? 'us-east-1';

  const principals: { principal: Principal; account: string }[] = [];
  const candidates: Principal[] = [
    DEFAULT_PRINCIPAL,
    ...options.roleArns.map((arn) => factory.assumeRole(arn, firstRegion)),
  ];
  for (const principal of candidates) {
    try {
      const account = await withRetry(retry, () => factory.accountOf(principal, firstRegion));
      out.cost.identities += 1;
      if (principals.some((p) => p.account === account)) continue;
      principals.push({ principal, account });
    } catch (err) {
      // An undefined profile is the user's to fix, not a fact about the estate.
      if (err instanceof UsageError) throw err;
      const f = classifyApiError(err, `identify ${principal.label}`);
      out.failures.push({ scope: 'account', subject: principal.label, ...f });
    }
  }

  // Nobody to list for: one line saying why, rather than a report of an empty estate.
  if (principals.length === 0) {
    const first = out.failures[0];
    throw new FetchError({
      code: first?.code ?? 'API_ERROR',
      message: `no AWS principal could be identified: ${first?.reason ?? 'no candidates'}`,
    });
  }

  const cscCache = new Map<string, Promise<CodeSigningConfigRecord | ApiFailure>>();
  const early: EarlyDescriptions = { started: new Map(), run: limiter(options.concurrency) };
  const intern = new Interner();
  // Accounts × regions at once, each into its own partial result, merged in target order so
  // the enumeration does not depend on which target answered first.
  const shard = options.shard;
  out.accounts = principals.map((p) => p.account);
  out.principals = new Map(principals.map((p) => [p.account, p.principal]));
  const targets = principals
    .flatMap(({ principal, account }) =>
      options.regions.map((region) => ({ principal, account, region }))
    )
    .filter((_, k) => !shard || k % shard.count === shard.index - 1);
  const partials = await mapLimit(
    targets,
    Math.max(1, options.targetConcurrency ?? 4),
    async ({ principal, account, region }) => {
      options.onProgress?.(`listing ${account}/${region}`);
      const client = await factory.lambda(principal, region);
      const lookup: Lookup = { principal, region };
      const part: Enumeration = {
        targets: [{ account, region }],
        accounts: [account],
        principals: out.principals,
        functions: [],
        layerVersions: new Map(),
        failures: [],
        cost: out.cost,
      };
      const scope: RegionScope = {
        client,
        account,
        region,
        lookup,
        options,
        retry,
        out: part,
        early: (lv) => describeEarly(factory, lv, scope, early),
        intern,
      };
      await enumerateFunctions(scope, cscCache);
      await enumerateLayers(scope);
      return { part, lookup };
    }
  );
  for (const { part, lookup } of partials) {
    out.targets.push(...part.targets);
    out.functions.push(...part.functions);
    out.failures.push(...part.failures);
    for (const lv of part.layerVersions.values()) {
      // The first target to see a version lends its record (an early description is on it).
      if (!out.layerVersions.has(lv.arn)) out.layerVersions.set(lv.arn, lv);
      else noteLayerVersion(out, intern, lv.arn, lookup, lv.listed, lv.createdDate);
    }
  }

  const pending = [...out.layerVersions.values()].sort((a, b) => (a.arn < b.arn ? -1 : 1));
  let done = 0;
  await mapLimit(pending, options.concurrency, async (lv) => {
    const started = early.started.get(lv.arn);
    const first = started ? await started : undefined;
    if (first && !('code' in first.got)) {
      // Described (or reused) early through its owner, onContent called then; the record may be
      // another target's that referenced it first.
      lv.content ??= first.got;
    } else {
      // Only a version its owner's listing shows may reuse a record: an unlisted one may be gone.
      const known = !first && lv.listed ? options.known?.(lv) : undefined;
      if (known) {
        lv.content = known;
        out.cost.reused += 1;
      } else {
        // An early description that failed tried the owner; the other lookups remain.
        const rest = first ? lv.lookups.filter((l) => l !== first.lookup) : lv.lookups;
        if (!first) out.cost.described += 1;
        const got =
          first && rest.length === 0
            ? first.got
            : await describeLayerVersion(factory, { ...lv, lookups: rest }, retry);
        if ('code' in got) lv.failure = got;
        else lv.content = got;
      }
      if (lv.content) options.onContent?.(lv);
    }
    options.onProgress?.(`described ${++done}/${pending.length} layer versions`);
  });
  for (const lv of pending) {
    if (lv.failure) out.failures.push({ scope: 'layer-version', subject: lv.arn, ...lv.failure });
  }
  return out;
}

/** GetLayerVersionByArn through each principal that can see the ARN until one answers. */
export async function describeLayerVersion(
  factory: ClientFactory,
  lv: LayerVersionRecord,
  retry: RetryPolicy
): Promise<LayerContent | ApiFailure> {
  // The SDK's Lambda client loads with the first call, not with this module (sdk.ts).
  const { GetLayerVersionByArnCommand } = lambdaSdk();
  let failure: ApiFailure = { code: 'API_ERROR', reason: 'no account can look it up' };
  for (const { principal, region } of lv.lookups) {
    try {
      const client = await factory.lambda(principal, region);
      const res = await withRetry(retry, () =>
        client.send(new GetLayerVersionByArnCommand({ Arn: lv.arn }))
      );
      const c = res.Content;
      if (!c?.Location || !c.CodeSha256 || c.CodeSize === undefined) {
        return {
          code: 'API_ERROR',
          reason: `GetLayerVersionByArn ${lv.arn}: no Content in the answer`,
        };
      }
      return {
        location: c.Location,
        codeSha256: c.CodeSha256,
        codeSize: c.CodeSize,
        signingProfileVersionArn: c.SigningProfileVersionArn || undefined,
        signingJobArn: c.SigningJobArn || undefined,
      };
    } catch (err) {
      failure = classifyApiError(err, `GetLayerVersionByArn ${lv.arn}`);
    }
  }
  return failure;
}

/** Descriptions started while listing goes on, by layer version ARN. */
interface EarlyDescriptions {
  started: Map<string, Promise<{ lookup: Lookup; got: LayerContent | ApiFailure }>>;
  run: <R>(fn: () => Promise<R>) => Promise<R>;
}

/**
 * Describe (or reuse the record of) a version its owner's listing just showed, through the
 * owner's own lookup, which the final record tries first anyway: the content work can start
 * before every account and region is listed, and the outcome is the one the later pass would
 * reach. A failure is left to that pass, which tries the remaining lookups.
 */
function describeEarly(
  factory: ClientFactory,
  lv: LayerVersionRecord,
  scope: RegionScope,
  early: EarlyDescriptions
): void {
  const { options, out, lookup, retry } = scope;
  if (!lv.listed || early.started.has(lv.arn)) return;
  const task = early.run(async () => {
    const known = options.known?.(lv);
    if (known) {
      out.cost.reused += 1;
      lv.content = known;
    } else {
      out.cost.described += 1;
      const got = await describeLayerVersion(factory, { ...lv, lookups: [lookup] }, retry);
      if ('code' in got) return { lookup, got };
      lv.content = got;
    }
    options.onContent?.(lv);
    return { lookup, got: lv.content };
  });
  early.started.set(lv.arn, task);
  // Awaited by the pass after listing; a rejection before then is not unhandled.
  task.catch(() => undefined);
}

/** Note a layer version seen from `lookup`; its record, or undefined for an ARN that is not one. */
function noteLayerVersion(
  out: Enumeration,
  intern: Interner,
  arn: string,
  lookup: Lookup,
  listed: boolean,
  createdDate?: string
): LayerVersionRecord | undefined {
  let lv = out.layerVersions.get(arn);
  if (!lv) {
    lv = layerVersionRecord(arn, [], listed);
    if (!lv) return undefined;
    // Records live until the result is built: the parts of their ARNs repeat across versions.
    lv.name = intern.string(lv.name);
    lv.owner = intern.string(lv.owner);
    lv.region = intern.string(lv.region);
    out.layerVersions.set(arn, lv);
  }
  lv.listed ||= listed;
  if (createdDate !== undefined) lv.createdDate ??= createdDate;
  const same = lv.lookups.some(
    (l) => l.principal === lookup.principal && l.region === lookup.region
  );
  if (!same) lv.lookups = withLookup(lv.lookups, lookup, listed);
  return lv;
}

/**
 * `lookups` with `lookup` added, the owner's own account (`listed`) first: it can always read
 * its layers. A new list each time, exactly sized: most records keep one lookup to the end of
 * the scan, and a push or a spread literal would give it 17 or more slots (2.9 MB over 20,000
 * layer versions), where `concat` sizes the result to fit.
 */
export function withLookup(lookups: Lookup[], lookup: Lookup, listed: boolean): Lookup[] {
  return listed ? [lookup].concat(lookups) : lookups.concat([lookup]);
}

/** One account and region being enumerated, and where its findings go. */
interface RegionScope {
  client: LambdaClient;
  account: string;
  region: string;
  lookup: Lookup;
  options: EnumerateOptions;
  retry: RetryPolicy;
  out: Enumeration;
  /** Start describing a listed layer version now (see describeEarly). */
  early: (lv: LayerVersionRecord) => void;
  /** Shares the values function records repeat (see {@link Interner}). */
  intern: Interner;
}

async function enumerateFunctions(
  scope: RegionScope,
  cscCache: Map<string, Promise<CodeSigningConfigRecord | ApiFailure>>
): Promise<void> {
  const { client, account, region, lookup, options, retry, out, intern } = scope;
  const { GetFunctionCodeSigningConfigCommand, paginateListFunctions } = lambdaSdk();
  // Each page becomes records as it arrives: a region's whole listing held as the SDK's
  // objects (a fresh string per layer ARN of every function) was the scan's largest moment.
  const records: FunctionRecord[] = [];
  try {
    await withRetry(retry, async () => {
      records.length = 0;
      let n = 0;
      const pages = paginateListFunctions(
        { client, ...(options.pageSize ? { pageSize: options.pageSize } : {}) },
        { FunctionVersion: 'ALL' }
      );
      for await (const page of pages) {
        n += 1;
        for (const c of page.Functions ?? [])
          records.push(functionRecord(c, account, region, lookup, intern));
      }
      out.cost.listPages += n;
    });
  } catch (err) {
    const f = classifyApiError(err, `ListFunctions in ${account}/${region}`);
    out.failures.push({ scope: 'region', subject: `${account}/${region}`, ...f });
    return;
  }
  // Layer versions are noted once the listing is whole: a region that failed midway notes none.
  for (const r of records)
    for (const arn of r.layers) noteLayerVersion(out, intern, arn, lookup, false);

  // Code signing configs are per function, not per version: one call per name.
  // Code signing does not apply to container-image functions (Lambda rejects the call).
  const images = new Set(records.filter((r) => r.packageType === 'Image').map((r) => r.name));
  const names = [...new Set(records.map((r) => r.name))].filter((n) => n && !images.has(n)).sort();
  const cscByName = new Map<string, CodeSigningConfigRecord | null | undefined>();
  for (const n of images) if (n) cscByName.set(n, null);
  // A few listing calls answer for every function; asking each function is the fallback
  // (an IAM policy may allow lambda:GetFunctionCodeSigningConfig but not the listings).
  const listing = names.length
    ? await listCodeSigningByFunction(client, retry, {
        concurrency: options.concurrency,
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      })
    : undefined;
  if (listing && !('code' in listing)) {
    out.cost.listPages += listing.pages;
    for (const n of names) cscByName.set(n, listing.byFunction.get(n) ?? null);
  } else if (listing) {
    out.cost.codeSigningFallbacks += 1;
    options.onProgress?.(`${account}/${region}: ${listing.reason}; asking each function`);
  }
  await mapLimit(
    listing && !('code' in listing) ? [] : names,
    options.concurrency,
    async (name) => {
      try {
        const res = await withRetry(retry, () =>
          client.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: name }))
        );
        const cscArn = res.CodeSigningConfigArn;
        if (!cscArn) {
          cscByName.set(name, null);
          return;
        }
        let pending = cscCache.get(cscArn);
        if (!pending) {
          pending = readCodeSigningConfig(client, cscArn, retry);
          cscCache.set(cscArn, pending);
        }
        const csc = await pending;
        if ('code' in csc) {
          cscByName.set(name, undefined);
          out.failures.push({
            scope: 'function',
            subject: functionArn(account, region, name),
            ...csc,
          });
        } else cscByName.set(name, csc);
      } catch (err) {
        cscByName.set(name, undefined);
        const f = classifyApiError(err, `GetFunctionCodeSigningConfig ${name}`);
        out.failures.push({ scope: 'function', subject: functionArn(account, region, name), ...f });
      }
    }
  );
  for (const r of records) {
    r.codeSigningConfig = cscByName.get(r.name);
    out.functions.push(r);
  }
}

/**
 * The record of one function version as ListFunctions gives it, its code signing config not
 * yet known. Records live for the whole scan: each holds only its own name and ARN, and shares
 * the rest.
 */
function functionRecord(
  c: FunctionConfiguration,
  account: string,
  region: string,
  lookup: Lookup,
  intern: Interner
): FunctionRecord {
  const name = c.FunctionName ?? '';
  const environment = functionEnvironment(c.Environment);
  return {
    account,
    region,
    name,
    arn: c.FunctionArn ?? functionArn(account, region, name),
    version: intern.string(c.Version ?? '$LATEST'),
    runtime: c.Runtime === undefined ? undefined : intern.string(c.Runtime),
    // Functions built alike share a Handler (index.handler): one string for all of them.
    ...(c.Handler !== undefined ? { handler: intern.string(c.Handler) } : {}),
    architectures: intern.list(c.Architectures ?? ['x86_64']),
    packageType: intern.string(c.PackageType ?? 'Zip'),
    codeSigningConfig: undefined,
    // Functions built alike attach the same layers: one list for all of them, its ARNs the
    // very strings the layer version records hold.
    layers: intern.list((c.Layers ?? []).map((l) => l.Arn ?? '').filter(Boolean)),
    // Only an image function's is read (its manifest digest); a zip function's would be dead weight.
    ...(c.PackageType === 'Image' && c.CodeSha256 !== undefined
      ? { codeSha256: c.CodeSha256 }
      : {}),
    lookup,
    ...(environment.read && environment.loaders.length === 0 ? {} : { environment }),
  };
}

/** GetCodeSigningConfig, as a record or the reason it could not be read. */
export async function readCodeSigningConfig(
  client: LambdaClient,
  arn: string,
  retry: RetryPolicy
): Promise<CodeSigningConfigRecord | ApiFailure> {
  const { GetCodeSigningConfigCommand } = lambdaSdk();
  try {
    const res = await withRetry(retry, () =>
      client.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))
    );
    const c = res.CodeSigningConfig;
    return {
      arn,
      allowedPublishers: [...(c?.AllowedPublishers?.SigningProfileVersionArns ?? [])].sort(),
      policy: c?.CodeSigningPolicies?.UntrustedArtifactOnDeployment ?? 'Warn',
    };
  } catch (err) {
    return classifyApiError(err, `GetCodeSigningConfig ${arn}`);
  }
}

async function enumerateLayers(scope: RegionScope): Promise<void> {
  const { client, account, region, lookup, options, retry, out, early } = scope;
  const { paginateListLayers, paginateListLayerVersions } = lambdaSdk();
  const page = options.pageSize ? { pageSize: options.pageSize } : {};
  const names: string[] = [];
  try {
    await withRetry(retry, async () => {
      names.length = 0;
      let n = 0;
      for await (const p of paginateListLayers({ client, ...page }, {})) {
        n += 1;
        names.push(...(p.Layers ?? []).map((l) => l.LayerName ?? '').filter(Boolean));
      }
      out.cost.listPages += n;
    });
  } catch (err) {
    const f = classifyApiError(err, `ListLayers in ${account}/${region}`);
    out.failures.push({ scope: 'region', subject: `${account}/${region}`, ...f });
    return;
  }
  await mapLimit(names.sort(), options.concurrency, async (name) => {
    const versions: { arn: string; created: string | undefined }[] = [];
    try {
      await withRetry(retry, async () => {
        versions.length = 0;
        let n = 0;
        for await (const p of paginateListLayerVersions({ client, ...page }, { LayerName: name })) {
          n += 1;
          for (const v of p.LayerVersions ?? [])
            if (v.LayerVersionArn)
              versions.push({ arn: v.LayerVersionArn, created: v.CreatedDate });
        }
        out.cost.listPages += n;
      });
    } catch (err) {
      const f = classifyApiError(err, `ListLayerVersions ${name} in ${account}/${region}`);
      out.failures.push({
        scope: 'region',
        subject: `arn:aws:lambda:${region}:${account}:layer:${name}`,
        ...f,
      });
      return;
    }
    for (const v of versions) noteLayerVersion(out, scope.intern, v.arn, lookup, true, v.created);
    for (const v of versions) {
      const lv = out.layerVersions.get(v.arn);
      if (lv) early(lv);
    }
  });
}
