/**
 * `lamina verify`: check a layer zip against a policy and print the verdict.
 * Exit 0 when every enforced check passes, 1 on a violation, 2 on bad input, 3 when incomplete.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { ClientFactory, type AwsOptions, type Principal } from '../../fetch/aws/clients.js';
import {
  describeLayerVersion,
  enumerateEstate,
  parseLayerVersionArn,
  type LayerVersionRecord,
} from '../../fetch/aws/enumerate.js';
import {
  layerEvidenceByArn,
  layerEvidenceFromCache,
  readFunctionCodeSigning,
  type GatherContext,
  type GatheredLayer,
} from '../../fetch/aws/evidence.js';
import { getFunctionInfo, regionOfFunctionArn } from '../../fetch/aws/function.js';
import { SdkSignerEvidence } from '../../fetch/aws/signer.js';
import { collectBundles } from '../../fetch/bundles.js';
import { ContentCache, codeSha256ToHex, defaultCacheDir } from '../../fetch/cache.js';
import { downloadToCache } from '../../fetch/download.js';
import { FetchError } from '../../fetch/errors.js';
import type { RetryPolicy } from '../../fetch/retry.js';
import type { Inventory } from '../../model/inventory.js';
import { mapLimit } from '../../util/pool.js';
import { buildInventory } from '../../inventory/index.js';
import { renderVerdictJson } from '../../report/verdict-json.js';
import { renderVerdictSarif } from '../../report/verdict-sarif.js';
import { renderVerdictText } from '../../report/verdict-text.js';
import { openLayerPath } from '../../unpack/open.js';
import type { Limits } from '../../unpack/source.js';
import {
  MAX_BYTES_FOR_SIGSTORE,
  type FunctionEvidence,
  type LayerEvidence,
} from '../../verify/evidence.js';
import { loadPolicyFile } from '../../verify/policy/load.js';
import { findRule } from '../../verify/policy/match.js';
import type { LoadedPolicy } from '../../verify/policy/types.js';
import { applyMode, type Verdict } from '../../verify/verdict.js';
import { verifyFunction, verifyLayer } from '../../verify/verifier.js';
import { factFlags, LIMIT_FLAGS, limitsFromFlags, parse, positiveInt } from '../args.js';
import { EXIT } from '../exit.js';
import { writeFileAtomic, type CliIo } from '../io.js';
import { escapeTerminal } from '../../report/escape.js';

export const VERIFY_USAGE = `usage: lamina verify LAYER.zip --policy FILE --layer-name NAME [--layer-arn ARN]
                     [--account ID] [--region R] [options]
       lamina verify LAYER_VERSION_ARN --policy FILE [options] [AWS flags]
       lamina verify --function NAME --policy FILE [--region R] [options] [AWS flags]
       lamina verify --all --policy FILE [--region R ...] [options] [AWS flags]

options:   [--bundle FILE ...] [--format text|json|sarif] [-o FILE] [limit flags]
AWS flags: [--profile P] [--role-arn ARN ...] [--endpoint-url URL] [--cache-dir DIR]
           [--max-attempts N] [--concurrency N]

Checks layers against a policy: pinned digest (and Lambda's CodeSha256), signers (AWS Signer
job and profile state through the Signer API; Sigstore bundles from --bundle and the rule's
bundle sources), denied packages and licenses. --function also checks the function's code
signing config and layer owners and verifies each of its layers; --all verifies every function
and layer version in the regions (default AWS_REGION). The report says what was checked, how.
Exit 0 pass, 1 policy violation, 2 bad input or usage, 3 could not complete.`;

type Format = 'text' | 'json' | 'sarif';
const FORMATS: readonly Format[] = ['text', 'json', 'sarif'];

/** Render verdicts in a format. */
export function renderVerdicts(verdicts: readonly Verdict[], format: Format): string {
  if (format === 'json') return renderVerdictJson(verdicts);
  if (format === 'sarif') return renderVerdictSarif(verdicts);
  return renderVerdictText(verdicts);
}

/** Open a zip, inventory it and gather its evidence for the verifier. */
export async function localLayerEvidence(
  input: string,
  layerName: string,
  layerArn: string | undefined,
  loaded: LoadedPolicy,
  bundleFiles: readonly string[],
  limits: Limits,
  facts: { account?: string; region?: string } = {}
): Promise<LayerEvidence> {
  const { source, artifact } = await openLayerPath(input, limits);
  try {
    if (artifact.kind !== 'zip') {
      throw new UsageError({
        code: 'BAD_INPUT',
        message: `${input}: verify needs a layer zip (its digest is what is pinned)`,
      });
    }
    const inventory = await buildInventory(source, artifact, { limits });
    const ruleIndex = findRule(loaded.policy.layers, { name: layerName, arn: layerArn, ...facts });
    const sources = (ruleIndex >= 0 ? loaded.policy.layers?.[ruleIndex]?.bundles : []) ?? [];
    const { bundles, errors } = await collectBundles(artifact.sha256, bundleFiles, sources, {
      baseDir: loaded.baseDir,
    });
    return {
      name: artifact.name,
      layerName,
      ...(layerArn !== undefined ? { arn: layerArn } : {}),
      ...facts,
      sha256: artifact.sha256,
      // Held in memory only when a bundle needs it and the layer is small enough.
      ...(bundles.length > 0 && artifact.size <= MAX_BYTES_FOR_SIGSTORE
        ? { bytes: readFileSync(input) }
        : {}),
      inventory,
      bundles,
      bundleErrors: errors,
    };
  } finally {
    await source.close();
  }
}

/** Everything an AWS run needs, built from the flags. */
interface AwsRun {
  factory: ClientFactory;
  signer: SdkSignerEvidence;
  ctx: GatherContext;
  concurrency: number;
  roleArns: string[];
  principals: Principal[];
}

/** Our retries on top of the SDK's, for API calls and downloads. */
const API_RETRY: RetryPolicy = { attempts: 4, baseMs: 200, capMs: 5_000 };

/** Notes on Signer evidence that could not be read, on stderr (the check itself fails closed). */
function reportProblems(io: CliIo, name: string, g: GatheredLayer): void {
  for (const p of g.problems)
    io.stderr.write(escapeTerminal(`lamina: note: ${name}: no Signer evidence: ${p}`) + '\n');
}

/**
 * The verdict for a layer version that could not be read: nothing about it can be verified, so
 * it fails (fail closed) under the matching rule's mode.
 */
export function unreadableLayerVerdict(
  loaded: LoadedPolicy,
  arn: string,
  failure: { code: string; reason: string }
): Verdict {
  const name = parseLayerVersionArn(arn)?.name;
  const index = findRule(loaded.policy.layers, { name, arn });
  const rule = index >= 0 ? loaded.policy.layers?.[index] : undefined;
  const mode = rule?.mode ?? loaded.policy.mode ?? 'enforce';
  const check = applyMode(
    {
      id: 'fetch',
      kind: 'digest',
      status: 'fail',
      detail: `The layer version could not be read (${failure.code}: ${failure.reason}); nothing about it can be verified.`,
      evidence: { failure },
    },
    mode
  );
  return {
    subject: { kind: 'layer', name: arn, ...(name !== undefined ? { ruleName: name } : {}), arn },
    ...(rule ? { rule: { section: 'layers' as const, index, match: rule.match } } : {}),
    mode,
    ok: check.outcome !== 'fail',
    checks: [check],
  };
}

/** `verify ARN`: one layer version. */
async function verifyArn(arn: string, run: AwsRun, io: CliIo): Promise<Verdict[]> {
  const g = await layerEvidenceByArn(arn, run.ctx);
  reportProblems(io, arn, g);
  return [verifyLayer(g.evidence, run.ctx.loaded, { now: new Date() })];
}

/** `verify --function NAME`: the function's configuration, then each of its layers. */
async function verifyFunctionByName(
  name: string,
  region: string,
  run: AwsRun,
  io: CliIo
): Promise<{ verdicts: Verdict[]; incomplete: boolean }> {
  const opts = { retry: API_RETRY };
  const fn = await getFunctionInfo(run.factory, name, region, opts);
  const csc = await readFunctionCodeSigning(run.factory, fn.name, region, opts);
  const layerVerdicts: Verdict[] = [];
  const fnLayers: FunctionEvidence['layers'] = [];
  let incomplete = false;
  for (const arn of fn.layers) {
    try {
      const g = await layerEvidenceByArn(arn, run.ctx);
      reportProblems(io, arn, g);
      layerVerdicts.push(verifyLayer(g.evidence, run.ctx.loaded, { now: new Date() }));
      const spv = g.evidence.signer?.layerVersion.SigningProfileVersionArn;
      fnLayers.push({ arn, ...(spv ? { signingProfileVersionArn: spv } : {}) });
    } catch (err) {
      // The user named the function, not this layer: a layer it can no longer read (deleted,
      // not shared) fails that layer's verdict; anything else means the run is incomplete.
      if (!(err instanceof UsageError) && !(err instanceof FetchError)) throw err;
      if (err instanceof FetchError) incomplete = true;
      const code = err instanceof FetchError ? err.code : 'NOT_FOUND';
      layerVerdicts.push(
        unreadableLayerVerdict(run.ctx.loaded, arn, { code, reason: err.message })
      );
      fnLayers.push({ arn });
    }
  }
  const ev: FunctionEvidence = {
    name: fn.name,
    arn: fn.arn,
    ...(csc ? { codeSigningConfig: csc } : {}),
    layers: fnLayers,
  };
  return { verdicts: [verifyFunction(ev, run.ctx.loaded), ...layerVerdicts], incomplete };
}

/** `verify --all`: every function version and every layer version the enumeration finds. */
async function verifyAll(
  regions: string[],
  run: AwsRun,
  io: CliIo
): Promise<{ verdicts: Verdict[]; incomplete: boolean }> {
  const en = await enumerateEstate(run.factory, {
    regions,
    roleArns: run.roleArns,
    concurrency: run.concurrency,
    retry: API_RETRY,
  });
  // A deleted layer version still in use is a fact about the estate (its verdict fails);
  // every other failure means something could not be read: exit 3.
  let incomplete = en.failures.some((f) => f.code !== 'NOT_FOUND');
  for (const f of en.failures) {
    if (f.scope !== 'layer-version')
      io.stderr.write(
        escapeTerminal(`lamina: could not read ${f.scope} ${f.subject}: ${f.reason}`) + '\n'
      );
  }
  const cache = new ContentCache(run.ctx.cacheDir);
  const versions = [...en.layerVersions.values()].sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const layerVerdicts = new Map<string, Verdict>();
  await mapLimit(versions, run.concurrency, async (lv: LayerVersionRecord) => {
    const v = await verifyRecord(lv, cache, run, io);
    if (v.incomplete) incomplete = true;
    layerVerdicts.set(lv.arn, v.verdict);
  });

  const fnVerdicts: Verdict[] = [];
  for (const f of [...en.functions].sort((a, b) => (a.arn < b.arn ? -1 : 1))) {
    // undefined: the config could not be read (already a failure above); verify as if absent.
    const csc = f.codeSigningConfig;
    const ev: FunctionEvidence = {
      name: f.name,
      arn: f.arn,
      ...(csc
        ? {
            codeSigningConfig: {
              CodeSigningConfigArn: csc.arn,
              AllowedPublishers: { SigningProfileVersionArns: csc.allowedPublishers },
              CodeSigningPolicies: { UntrustedArtifactOnDeployment: csc.policy },
            },
          }
        : {}),
      layers: f.layers.map((arn) => {
        const spv = en.layerVersions.get(arn)?.content?.signingProfileVersionArn;
        return { arn, ...(spv ? { signingProfileVersionArn: spv } : {}) };
      }),
    };
    fnVerdicts.push(verifyFunction(ev, run.ctx.loaded));
  }
  return {
    verdicts: [...fnVerdicts, ...versions.map((lv) => layerVerdicts.get(lv.arn)!)],
    incomplete,
  };
}

/** Download (digest checked), inventory and verify one enumerated layer version. */
async function verifyRecord(
  lv: LayerVersionRecord,
  cache: ContentCache,
  run: AwsRun,
  io: CliIo
): Promise<{ verdict: Verdict; incomplete: boolean }> {
  const loaded = run.ctx.loaded;
  if (lv.failure || !lv.content) {
    const failure = lv.failure ?? { code: 'API_ERROR', reason: 'no content' };
    return {
      verdict: unreadableLayerVerdict(loaded, lv.arn, failure),
      incomplete: failure.code !== 'NOT_FOUND',
    };
  }
  const content = lv.content;
  const hex = codeSha256ToHex(content.codeSha256);
  if (!hex) {
    const failure = {
      code: 'API_ERROR',
      reason: `CodeSha256 ${content.codeSha256} is not a sha256`,
    };
    return { verdict: unreadableLayerVerdict(loaded, lv.arn, failure), incomplete: true };
  }
  const dl = await downloadToCache(
    cache,
    {
      hex,
      size: content.codeSize,
      url: content.location,
      refreshUrl: async () => {
        const fresh = await describeLayerVersion(run.factory, lv, API_RETRY);
        return 'code' in fresh ? fresh : { url: fresh.location };
      },
    },
    { retry: API_RETRY }
  );
  if (!dl.ok) {
    return {
      verdict: unreadableLayerVerdict(loaded, lv.arn, { code: dl.code, reason: dl.reason }),
      incomplete: true,
    };
  }
  try {
    const g = await layerEvidenceFromCache(lv.arn, content, hex, dl.path, run.ctx);
    reportProblems(io, lv.arn, g);
    return { verdict: verifyLayer(g.evidence, loaded, { now: new Date() }), incomplete: false };
  } catch (err) {
    if (err instanceof FetchError) {
      return {
        verdict: unreadableLayerVerdict(loaded, lv.arn, { code: err.code, reason: err.message }),
        incomplete: true,
      };
    }
    // A refused archive (UnpackError) is a failed verdict for that layer, not a crash of the run.
    const e = err as { code?: unknown; message?: string };
    if (typeof e.code === 'string') {
      return {
        verdict: unreadableLayerVerdict(loaded, lv.arn, { code: e.code, reason: e.message ?? '' }),
        incomplete: false,
      };
    }
    throw err;
  }
}

/** `lamina verify`. */
export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    'layer-arn': { type: 'string' },
    bundle: { type: 'string', multiple: true },
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    function: { type: 'string' },
    all: { type: 'boolean', default: false },
    account: { type: 'string' },
    region: { type: 'string', multiple: true },
    profile: { type: 'string' },
    'role-arn': { type: 'string', multiple: true },
    'endpoint-url': { type: 'string' },
    'cache-dir': { type: 'string' },
    'max-attempts': { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h', default: false },
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(VERIFY_USAGE + '\n');
    return EXIT.OK;
  }
  const inputs =
    positionals.length + (values.function !== undefined ? 1 : 0) + (values.all ? 1 : 0);
  if (inputs !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `verify takes exactly one INPUT, --function NAME or --all\n${VERIFY_USAGE}`,
    });
  }
  if (values.policy === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--format must be one of ${FORMATS.join(', ')}`,
    });
  }
  const loaded = loadPolicyFile(values.policy);
  const limits = limitsFromFlags(values);
  const input = positionals[0];
  const aws = input === undefined || input.startsWith('arn:');

  let verdicts: Verdict[];
  let incomplete = false;
  if (!aws) {
    if (values['layer-name'] === undefined) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: '--layer-name is required for a local zip',
      });
    }
    if ((values.region?.length ?? 0) > 1)
      throw new UsageError({ code: 'BAD_ARGUMENT', message: 'one --region for a local zip' });
    const ev = await localLayerEvidence(
      input,
      values['layer-name'],
      values['layer-arn'],
      loaded,
      values.bundle ?? [],
      limits,
      factFlags({ account: values.account, region: values.region?.[0] })
    );
    verdicts = [verifyLayer(ev, loaded, { now: new Date() })];
  } else {
    const awsOptions: AwsOptions = {
      maxAttempts: positiveInt('max-attempts', values['max-attempts']),
      ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
    };
    const envRegion = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    const regions = values.region ?? (envRegion ? [envRegion] : []);
    const roleArns = values['role-arn'] ?? [];
    const factory = new ClientFactory(awsOptions);
    const firstRegion =
      regions[0] ??
      (input ? parseLayerVersionArn(input)?.region : undefined) ??
      (values.function ? regionOfFunctionArn(values.function) : undefined) ??
      'us-east-1';
    // Signing jobs are visible only to their owner's account: try each assumed role after ours.
    const principals: Principal[] = [
      { label: 'default', credentials: undefined },
      ...roleArns.map((r) => factory.assumeRole(r, firstRegion)),
    ];
    const signer = new SdkSignerEvidence(factory, { principals, retry: API_RETRY });
    const run: AwsRun = {
      factory,
      signer,
      principals,
      roleArns,
      concurrency: positiveInt('concurrency', values.concurrency),
      ctx: {
        factory,
        signer,
        loaded,
        cacheDir: resolve(values['cache-dir'] ?? defaultCacheDir()),
        limits,
        bundleFiles: values.bundle ?? [],
        retry: API_RETRY,
        inventories: new Map<string, Promise<Inventory>>(),
      },
    };
    try {
      if (input !== undefined) verdicts = await verifyArn(input, run, io);
      else if (values.function !== undefined) {
        const region = values.region?.[0] ?? regionOfFunctionArn(values.function) ?? envRegion;
        if (!region) {
          throw new UsageError({
            code: 'MISSING_ARGUMENT',
            message: 'no region: give --region or set AWS_REGION',
          });
        }
        ({ verdicts, incomplete } = await verifyFunctionByName(values.function, region, run, io));
      } else {
        if (regions.length === 0) {
          throw new UsageError({
            code: 'MISSING_ARGUMENT',
            message: 'no region: give --region (repeatable) or set AWS_REGION',
          });
        }
        ({ verdicts, incomplete } = await verifyAll(regions, run, io));
      }
    } finally {
      signer.destroy();
      factory.destroy();
    }
  }

  const text = renderVerdicts(verdicts, format);
  if (values.output !== undefined) await writeFileAtomic(values.output, text);
  else io.stdout.write(text);
  for (const verdict of verdicts) {
    for (const c of verdict.checks) {
      if (c.outcome === 'warn')
        io.stderr.write(
          escapeTerminal(`lamina: warning: ${verdict.subject.name}: ${c.id}: ${c.detail}`) + '\n'
        );
    }
  }
  if (incomplete) return EXIT.INCOMPLETE;
  return verdicts.every((v) => v.ok) ? EXIT.OK : EXIT.POLICY_FAILURE;
}
