/**
 * Pin use cases: the pre-publish gate for a new layer version, the digest of a layer to pin,
 * and adding a pin to a policy file with its comments and layout kept.
 */
import { UsageError } from '../errors.js';
import { describeLayerVersion, layerVersionRecord } from '../fetch/aws/enumerate.js';
import { failureError } from '../fetch/aws/errors.js';
import { codeSha256ToHex } from '../fetch/cache.js';
import { RETRY } from '../fetch/retry.js';
import { writeFileAtomic } from '../util/fs.js';
import type { LayerFacts } from '../model/evidence.js';
import { readPolicyBytes } from '../verify/policy/load.js';
import { describeUndecided, findRule, selectRule } from '../verify/policy/match.js';
import type { Pin } from '../verify/policy/types.js';
import { addPinToPolicyText } from '../verify/policy/write-pin.js';
import type { Verdict } from '../verify/verdict.js';
import { verifyLayer } from '../verify/verifier.js';
import { namedInputError, notALayerVersionArn, withAwsSession } from './aws.js';
import { localLayerEvidence, resolvePolicy } from './evidence.js';
import { pathArtifact } from './inventory.js';
import {
  resolveLimits,
  type AwsAccessOptions,
  type LimitOptions,
  type PolicyInput,
} from './options.js';

/** Options for {@link gateLayer}. */
export interface GateOptions extends LimitOptions {
  /** The new layer version's zip. */
  zip: string;
  policy: PolicyInput;
  /** The layer name whose rule applies. */
  layerName: string;
  /**
   * The account and region it will be published in. The rule is the one the published layer
   * would get: when it depends on a fact not given, the verdict fails and names it.
   */
  facts?: LayerFacts;
  /** Sigstore bundle files (`--bundle`). */
  bundleFiles?: readonly string[];
  /** The time checks are made at (default: now). */
  now?: Date;
}

/** The gate's verdict, and what a pin for the zip would be added to. */
export interface GateOutcome {
  verdict: Verdict;
  /** Index of the rule in `layers` the pin belongs to; -1 when no rule names the layer. */
  ruleIndex: number;
  /** The zip's sha256 (hex): what to pin. */
  sha256: string;
}

/**
 * The pre-publish gate: signatures, denied packages and licenses of the rule matching the layer
 * name (pins are not checked: the version is new).
 * @throws UsageError, UnpackError, PolicyError for inputs that cannot be used
 */
export async function gateLayer(options: GateOptions): Promise<GateOutcome> {
  const policy = resolvePolicy(options.policy);
  const facts = options.facts ?? {};
  const ruleIndex = findRule(policy.policy.layers, { name: options.layerName, ...facts });
  const ev = await localLayerEvidence({
    zip: options.zip,
    layerName: options.layerName,
    facts,
    policy,
    bundleFiles: options.bundleFiles ?? [],
    limits: resolveLimits(options.limits),
  });
  const verdict = verifyLayer(ev, policy, {
    now: options.now ?? new Date(),
    skipPins: true,
  });
  return { verdict, ruleIndex, sha256: ev.sha256 };
}

/** Options for {@link layerPin}. */
export interface LayerPinOptions extends LimitOptions, AwsAccessOptions {
  /** A layer zip, or a layer version ARN (its digest is Lambda's CodeSha256). */
  input: string;
  /** The policy file the pin is for. */
  policy: PolicyInput;
  /** The layer name whose rule gets the pin. */
  layerName: string;
  /** The account and region it is published in (an ARN implies both). */
  facts?: LayerFacts;
}

/** What to pin, and where. */
export interface LayerPin {
  /** Index of the first rule in `layers` whose name glob matches the layer name. */
  ruleIndex: number;
  /** The pin entry: digest, and for an ARN its version. */
  pin: Pin;
}

/**
 * The pin for a layer: the zip's sha256, or for a layer version ARN its CodeSha256
 * (GetLayerVersionByArn) as hex and its version number.
 * @throws UsageError when no rule names the layer, for a malformed or unknown ARN, or a path
 *   that is not a zip; FetchError when AWS could not be read; UnpackError; PolicyError
 */
export async function layerPin(options: LayerPinOptions): Promise<LayerPin> {
  const policy = resolvePolicy(options.policy);
  // A rule that needs a fact not given is never skipped for a laxer one: pin refuses and names it.
  const sel = selectRule(policy.policy.layers, {
    name: options.layerName,
    arn: options.input.startsWith('arn:') ? options.input : undefined,
    ...options.facts,
  });
  if (sel.kind !== 'rule') {
    const why =
      sel.kind === 'undecided'
        ? describeUndecided(sel, 'layers')
        : `no layer rule has a name glob matching ${options.layerName}`;
    throw new UsageError({ code: 'BAD_INPUT', message: `${policy.fileName}: ${why}` });
  }
  const ruleIndex = sel.index;
  if (!options.input.startsWith('arn:')) {
    const artifact = await pathArtifact(options.input, resolveLimits(options.limits), {
      kind: 'zip',
      why: 'pin needs a layer zip',
    });
    return { ruleIndex, pin: { sha256: artifact.sha256 } };
  }
  const arn = options.input;
  const lv = layerVersionRecord(arn);
  if (!lv) throw notALayerVersionArn(arn);
  const got = await withAwsSession(
    options,
    RETRY.lookup,
    (s) => describeLayerVersion(s.factory, lv, s.retry.api),
    // A description only: nothing is downloaded.
    { downloads: false }
  );
  if ('code' in got) throw namedInputError(got);
  const hex = codeSha256ToHex(got.codeSha256);
  if (!hex) {
    throw failureError({
      code: 'API_ERROR',
      reason: `${arn}: CodeSha256 ${got.codeSha256} is not a sha256`,
    });
  }
  return { ruleIndex, pin: { sha256: hex, version: lv.version } };
}

/**
 * Add a pin to `layers[ruleIndex].pins` of a policy file, keeping its comments and layout.
 * @returns `added: false` when the digest is already pinned there (the file is not written)
 */
export async function addPinToPolicy(
  policyFile: string,
  ruleIndex: number,
  pin: Pin
): Promise<{ added: boolean }> {
  const { text, added } = addPinToPolicyText(
    readPolicyBytes(policyFile).toString('utf8'),
    ruleIndex,
    pin
  );
  if (added) await writeFileAtomic(policyFile, text);
  return { added };
}
