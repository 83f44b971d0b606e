/**
 * Verify use cases: a local layer zip, a published layer version, a deployed function with its
 * layers, or a whole estate, against a policy. Each gathers evidence (src/pipeline/evidence.ts)
 * and hands it to the pure verifier (src/verify/).
 */
import { signingFactOf, type SigningFact } from '../history/types.js';
import type { LayerFacts } from '../model/evidence.js';
import { UnpackError, UsageError } from '../errors.js';
import { DEFAULT_PRINCIPAL, type Principal } from '../fetch/aws/clients.js';
import type { CodeSigningConfigRecord, LayerVersionRecord } from '../fetch/aws/enumerate.js';
import { failureError, namesNothing } from '../fetch/aws/errors.js';
import { getFunctionCodeSigning, getFunctionInfo } from '../fetch/aws/function.js';
import { fetchLayerZip } from '../fetch/aws/layer.js';
import { SdkSignerEvidence } from '../fetch/aws/signer.js';
import { FetchError } from '../fetch/errors.js';
import { RETRY } from '../fetch/retry.js';
import { parseFunctionArn, parseLayerVersionArn } from '../model/arn.js';
import type { FunctionEvidence } from '../model/evidence.js';
import { functionEnvironment } from '../model/function-environment.js';
import type { Inventory } from '../model/inventory.js';
import { mapLimit } from '../util/pool.js';
import type { Verdict } from '../verify/verdict.js';
import { unreadableLayerVerdict } from '../verify/unreadable.js';
import { verifyFunction, verifyLayer } from '../verify/verifier.js';
import { asNamedInput, withAwsSession, type AwsSession } from './aws.js';
import {
  cachedLayerEvidence,
  localLayerEvidence,
  resolvePolicy,
  publishedLayerEvidence,
  readBundleFiles,
  type GatherContext,
  type GatheredLayer,
} from './evidence.js';
import {
  resolveLimits,
  type AwsAccessOptions,
  type LimitOptions,
  type PolicyInput,
} from './options.js';
import type { VerifyNote, VerifyOutcome } from './verify-outcome.js';

export type { VerifyNote, VerifyOutcome } from './verify-outcome.js';

/** Options shared by every verify use case. */
export interface VerifyOptions extends LimitOptions {
  /** The policy file, or a loaded policy. */
  policy: PolicyInput;
  /** Sigstore bundle files added to every layer's bundles (`--bundle`). */
  bundleFiles?: readonly string[];
  /** The time checks are made at (default: now). */
  now?: Date;
}

/** Options for the verify use cases that read AWS. */
export interface AwsVerifyOptions extends VerifyOptions, AwsAccessOptions {
  /** Roles to assume, after the base credentials, to read Signer jobs of other accounts. */
  roleArns?: readonly string[];
  /** In-flight API calls and downloads (default 4). */
  concurrency?: number;
}

/** One AWS verify run: the gathering context plus what the verdicts need. */
interface Run {
  ctx: GatherContext;
  notes: VerifyNote[];
  now: () => Date;
  concurrency: number;
}

async function withRun<T>(
  options: AwsVerifyOptions,
  stsRegion: string,
  fn: (run: Run) => Promise<T>
): Promise<T> {
  const policy = resolvePolicy(options.policy);
  const bundleFiles = readBundleFiles(options.bundleFiles ?? []);
  return withAwsSession(options, RETRY.verify, async (session: AwsSession) => {
    // Signing jobs are visible only to their owner's account: try each assumed role after ours.
    const principals: Principal[] = [
      DEFAULT_PRINCIPAL,
      ...(options.roleArns ?? []).map((r) => session.factory.assumeRole(r, stsRegion)),
    ];
    const signer = new SdkSignerEvidence(session.factory, {
      principals,
      retry: session.retry.api,
    });
    return fn({
      ctx: {
        session,
        signer,
        policy,
        limits: resolveLimits(options.limits),
        bundleFiles,
        inventories: new Map<string, Promise<Inventory>>(),
      },
      notes: [],
      now: () => options.now ?? new Date(),
      concurrency: Math.max(1, options.concurrency ?? 4),
    });
  });
}

/**
 * How an error while reading one listed layer counts. A layer AWS says does not exist, or a zip
 * lamina refuses, fails that layer's verdict; any other FetchError also makes the run
 * incomplete. Anything else is not about the layer: undefined, and the caller rethrows it
 * (a cache directory that vanished is exit 3, not a failed verdict).
 */
export function layerFailure(
  err: unknown
): { code: string; reason: string; incomplete: boolean } | undefined {
  if (err instanceof FetchError) {
    const f = { code: err.code, reason: err.message };
    return { ...f, incomplete: !namesNothing(f) };
  }
  if (err instanceof UnpackError) return { code: err.code, reason: err.message, incomplete: false };
  return undefined;
}

/** One layer's verdict; a layer that cannot be read gets a failed verdict (fail closed). */
async function layerVerdict(
  run: Run,
  arn: string,
  gather: () => Promise<GatheredLayer>
): Promise<{
  verdict: Verdict;
  incomplete: boolean;
  signingProfileVersionArn?: string;
  signing?: SigningFact;
}> {
  let g: GatheredLayer;
  try {
    g = await gather();
  } catch (err) {
    const f = layerFailure(err);
    if (!f) throw err;
    const verdict = unreadableLayerVerdict(run.ctx.policy, arn, { code: f.code, reason: f.reason });
    return { verdict, incomplete: f.incomplete };
  }
  for (const problem of g.problems)
    run.notes.push({ kind: 'no-signer-evidence', subject: arn, problem });
  const spv = g.evidence.signer?.layerVersion.SigningProfileVersionArn;
  const signing = g.evidence.signer ? signingFactOf(g.evidence.signer) : undefined;
  return {
    verdict: verifyLayer(g.evidence, run.ctx.policy, { now: run.now() }),
    incomplete: false,
    ...(spv ? { signingProfileVersionArn: spv } : {}),
    ...(signing ? { signing } : {}),
  };
}

/** Options for {@link gatherLayerEvidence}. */
export interface GatherLayerOptions extends AwsVerifyOptions {
  /** A layer zip, or a layer version ARN (fetched from AWS). */
  input: string;
  /** The layer name rules match; required for a zip (an ARN names its layer). */
  layerName?: string;
  /** For a zip: the layer version ARN it is or will be published as, if known. */
  layerArn?: string;
  /** For a zip: the account and region it will be published in, if known. */
  facts?: LayerFacts;
}

/**
 * Gather what the verifier is given about one layer, without verifying it: its digest and
 * inventory, its Sigstore bundles (`--bundle` files and the matching rule's sources), and for
 * a layer version its CodeSha256 and AWS Signer evidence.
 * @returns the evidence, and why any Signer evidence is missing
 * @throws UsageError for a missing zip, a malformed or unknown ARN, an unreadable bundle file;
 *   UnpackError for a refused zip; FetchError when AWS cannot be read; PolicyError
 */
export async function gatherLayerEvidence(options: GatherLayerOptions): Promise<GatheredLayer> {
  const policy = resolvePolicy(options.policy);
  const input = options.input;
  if (!input.startsWith('arn:')) {
    if (options.layerName === undefined) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `${input}: a local zip needs the layer name its rule matches`,
      });
    }
    const evidence = await localLayerEvidence({
      zip: input,
      layerName: options.layerName,
      ...(options.layerArn !== undefined ? { layerArn: options.layerArn } : {}),
      ...(options.facts !== undefined ? { facts: options.facts } : {}),
      policy,
      bundleFiles: options.bundleFiles ?? [],
      limits: resolveLimits(options.limits),
    });
    return { evidence, problems: [] };
  }
  const region = parseLayerVersionArn(input)?.region ?? 'us-east-1';
  return withRun({ ...options, policy }, region, (run) =>
    publishedLayerEvidence(input, 'named', run.ctx)
  );
}

/** Gather one layer's evidence and verify it. */
async function verifyOneLayer(options: GatherLayerOptions): Promise<VerifyOutcome> {
  const policy = resolvePolicy(options.policy);
  const g = await gatherLayerEvidence({ ...options, policy });
  const verdict = verifyLayer(g.evidence, policy, { now: options.now ?? new Date() });
  const notes = g.problems.map((problem): VerifyNote => ({
    kind: 'no-signer-evidence',
    subject: options.input,
    problem,
  }));
  return { verdicts: [verdict], incomplete: false, notes };
}

/**
 * Verify a local layer zip under the rule for `layerName`.
 * @throws UsageError, UnpackError, PolicyError for inputs that cannot be used
 */
export function verifyLayerZip(
  options: VerifyOptions & {
    zip: string;
    layerName: string;
    layerArn?: string;
    facts?: LayerFacts;
  }
): Promise<VerifyOutcome> {
  return verifyOneLayer({ ...options, input: options.zip });
}

/**
 * Verify a published layer version, named by its ARN.
 * @throws UsageError for a malformed or unknown ARN; FetchError when AWS cannot be read;
 *   UnpackError when its zip is refused; PolicyError
 */
export function verifyLayerVersion(
  options: AwsVerifyOptions & { arn: string }
): Promise<VerifyOutcome> {
  return verifyOneLayer({ ...options, input: options.arn });
}

/** A code signing config as the function checks read it. */
function cscEvidence(csc: CodeSigningConfigRecord): FunctionEvidence['codeSigningConfig'] {
  return {
    CodeSigningConfigArn: csc.arn,
    AllowedPublishers: { SigningProfileVersionArns: csc.allowedPublishers },
    CodeSigningPolicies: { UntrustedArtifactOnDeployment: csc.policy },
  };
}

/**
 * Verify a deployed function: its code signing config and layer owners, then each of its
 * layers, or for a container-image function its deployed image under the `images:` rules. A
 * layer or image it can no longer read fails that verdict.
 * @throws UsageError when the function does not exist; FetchError when it cannot be read
 */
export async function verifyLambdaFunction(
  options: AwsVerifyOptions & { function: string; region: string }
): Promise<VerifyOutcome> {
  return withRun(options, options.region, async (run) => {
    const { factory, retry } = run.ctx.session;
    const fn = await getFunctionInfo(factory, options.function, options.region, retry.api).catch(
      asNamedInput
    );
    // Lambda has no code signing for container images (the call is refused for them).
    const csc =
      fn.packageType === 'Image'
        ? undefined
        : await getFunctionCodeSigning(factory, fn.name, options.region, retry.api).catch(
            asNamedInput
          );
    const layerVerdicts: Verdict[] = [];
    const layers: FunctionEvidence['layers'] = [];
    let incomplete = false;
    if (fn.packageType === 'Image') {
      const { verifyImageFunctions } = await import('./verify-image-functions.js');
      const images = await verifyImageFunctions(
        [
          {
            ...fn,
            account: parseFunctionArn(fn.arn)?.account ?? '',
            lookup: { principal: DEFAULT_PRINCIPAL, region: options.region },
          },
        ],
        {
          session: run.ctx.session,
          policy: run.ctx.policy,
          now: run.now(),
          concurrency: 1,
          limits: run.ctx.limits,
        }
      );
      layerVerdicts.push(...images.verdicts);
      run.notes.push(...images.notes);
      incomplete = images.incomplete;
    }
    for (const arn of fn.layers) {
      const v = await layerVerdict(run, arn, () => publishedLayerEvidence(arn, 'listed', run.ctx));
      layerVerdicts.push(v.verdict);
      incomplete ||= v.incomplete;
      const spv = v.signingProfileVersionArn;
      layers.push({ arn, ...(spv ? { signingProfileVersionArn: spv } : {}) });
    }
    const ev: FunctionEvidence = {
      name: fn.name,
      arn: fn.arn,
      ...(csc ? { codeSigningConfig: cscEvidence(csc) } : {}),
      layers,
      environment: fn.environment,
      start: { packageType: fn.packageType, runtime: fn.runtime, handler: fn.handler },
    };
    return {
      // An image function has no layers: its verdicts are the function's and its image's.
      verdicts: [verifyFunction(ev, run.ctx.policy), ...layerVerdicts],
      incomplete,
      notes: run.notes,
    };
  });
}

const byArn = (a: { arn: string }, b: { arn: string }): number => (a.arn < b.arn ? -1 : 1);

/**
 * Verify every function version, the image of every container-image function version, and every
 * layer version of the estate: the caller's account and each assumed role's, in each region.
 */
export async function verifyEstate(
  options: AwsVerifyOptions & { regions: readonly string[] }
): Promise<VerifyOutcome> {
  const regions = [...options.regions];
  if (regions.length === 0)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: 'no region to verify' });
  return withRun(options, regions[0]!, async (run) => {
    const { session } = run.ctx;
    // The estate's listing and the image verifier load for --all only: a local zip needs neither.
    const [{ enumerateEstate }, { verifyImageFunctions }] = await Promise.all([
      import('../fetch/aws/enumerate.js'),
      import('./verify-image-functions.js'),
    ]);
    const en = await enumerateEstate(session.factory, {
      regions,
      roleArns: [...(options.roleArns ?? [])],
      concurrency: run.concurrency,
      retry: session.retry,
    });
    // A deleted layer version still in use is a fact about the estate (its verdict fails);
    // every other failure means something could not be read.
    let incomplete = en.failures.some((f) => f.code !== 'NOT_FOUND');
    for (const f of en.failures) {
      if (f.scope !== 'layer-version')
        run.notes.push({ kind: 'unread', scope: f.scope, subject: f.subject, reason: f.reason });
    }
    const versions = [...en.layerVersions.values()].sort(byArn);
    const layerVerdicts = new Map<string, Verdict>();
    const signing = new Map<string, SigningFact>();
    await mapLimit(versions, run.concurrency, async (lv) => {
      const v = await enumeratedLayerVerdict(run, lv);
      incomplete ||= v.incomplete;
      layerVerdicts.set(lv.arn, v.verdict);
      if (v.signing) signing.set(v.signing.jobArn, v.signing);
    });
    const images = await verifyImageFunctions(
      en.functions
        .filter((f) => f.packageType === 'Image')
        .map((f) => ({
          ...f,
          lookup: f.lookup ?? { principal: DEFAULT_PRINCIPAL, region: f.region },
        })),
      {
        session,
        policy: run.ctx.policy,
        now: run.now(),
        concurrency: run.concurrency,
        limits: run.ctx.limits,
        principals: en.principals,
      }
    );
    incomplete ||= images.incomplete;
    run.notes.push(...images.notes);
    const fnVerdicts = [...en.functions].sort(byArn).map((f) => {
      // undefined: the config could not be read (already a failure above); verify as if absent.
      const csc = f.codeSigningConfig;
      const ev: FunctionEvidence = {
        name: f.name,
        arn: f.arn,
        ...(csc ? { codeSigningConfig: cscEvidence(csc) } : {}),
        layers: f.layers.map((arn) => {
          const spv = en.layerVersions.get(arn)?.content?.signingProfileVersionArn;
          return { arn, ...(spv ? { signingProfileVersionArn: spv } : {}) };
        }),
        environment: f.environment ?? functionEnvironment(undefined),
        start: { packageType: f.packageType, runtime: f.runtime, handler: f.handler },
      };
      return verifyFunction(ev, run.ctx.policy);
    });
    return {
      verdicts: [
        ...fnVerdicts,
        ...images.verdicts,
        ...versions.map((lv) => layerVerdicts.get(lv.arn)!),
      ],
      incomplete,
      notes: run.notes,
      signing: [...signing.values()].sort((a, b) => (a.jobArn < b.jobArn ? -1 : 1)),
      ...(run.ctx.policy.digest !== undefined ? { policyDigest: run.ctx.policy.digest } : {}),
    };
  });
}

/** Download (digest checked), inventory and verify one enumerated layer version. */
async function enumeratedLayerVerdict(
  run: Run,
  lv: LayerVersionRecord
): Promise<{ verdict: Verdict; incomplete: boolean; signing?: SigningFact }> {
  const content = lv.content;
  if (lv.failure || !content) {
    const failure = lv.failure ?? { code: 'API_ERROR', reason: 'no content' };
    return {
      verdict: unreadableLayerVerdict(run.ctx.policy, lv.arn, failure),
      incomplete: failure.code !== 'NOT_FOUND',
    };
  }
  return layerVerdict(run, lv.arn, async () => {
    const got = await fetchLayerZip(run.ctx.session.factory, lv, run.ctx.session);
    if (!got.ok) throw failureError(got);
    return cachedLayerEvidence(lv.arn, content, got.layer.hex, got.layer.path, run.ctx);
  });
}
