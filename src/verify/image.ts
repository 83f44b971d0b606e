/**
 * The image verifier: evidence about one container image + policy → verdict, as verifier.ts
 * does for layers. Pure except for the injected GetRevocationStatus call that AWS Signer
 * signatures need; every check is guarded, so an error fails that check (fail closed).
 *
 * Checks of an `images:` rule: `digest` (pins on the platform manifest digest, or on an index
 * that lists it), `tags` (deploy-by-tag from a mutable repository), one check per signer anchor
 * and `signers:threshold`, and the inventory rules (packages, licenses, completeness) when the
 * image was inventoried (the pipeline does when a rule could ask); when it was not, a rule that
 * asks for them fails with `inventory:not-inventoried` rather than pass.
 */
import { evaluateInventory } from './checks/inventory.js';
import { evaluateLicenses } from './checks/licenses.js';
import { evaluatePackages } from './checks/packages.js';
import { acceptedPredicateTypes, toSigstoreAnchor } from './checks/sigstore.js';
import { guard } from './checks/guard.js';
import type { Inventory } from '../model/inventory.js';
import {
  evaluateImageSigners,
  type FoundImageSignature,
  type ImageAnchor,
} from './images/signers.js';
import type { GetRevocationStatusFn } from './images/notation/aws-signer.js';
import type { ImageDescriptor } from './images/types.js';
import { locateVerdict } from './locate.js';
import { parseExpiry } from './policy/expiry.js';
import { describeUndecided, selectRule } from './policy/match.js';
import type { ImageRule, LoadedPolicy, PolicyMode } from './policy/types.js';
import { applyMode, type RawCheck, type Verdict } from './verdict.js';

/** What the pipeline found out about an image, for {@link verifyImage}. */
export interface ImageEvidence {
  /** The reference as given. */
  readonly name: string;
  /** `host/repository`, or what `--repository` says for a layout or archive; rules match it. */
  readonly repository?: string;
  readonly function?: string;
  /** The function version that runs the image (`verify --all`, `verify --function`). */
  readonly functionArn?: string;
  readonly account?: string;
  readonly region?: string;
  /** The reference named a tag, not a digest. */
  readonly tag?: string;
  /** Whether the repository's tags are immutable; unknown is treated as mutable. */
  readonly immutableTags?: boolean;
  /** The platform manifest. */
  readonly manifest: ImageDescriptor;
  /** `os/architecture[/variant]` from the image config. */
  readonly platform: string;
  /** The index the manifest was chosen from, when the reference named one. */
  readonly index?: ImageDescriptor;
  /** Indexes fetched, re-hashed and found to list the manifest (for `pins[].index`). */
  readonly listedIn: readonly string[];
  /** Signatures found for the manifest and for the index. */
  readonly signatures: {
    readonly manifest: readonly FoundImageSignature[];
    readonly index: readonly FoundImageSignature[];
  };
  /** What discovery refused or could not read, in words. */
  readonly discoveryProblems: readonly string[];
  /** The image's inventory, when it was built. */
  readonly inventory?: Inventory;
}

/** Options for {@link verifyImage}. */
export interface VerifyImageOptions {
  readonly now: Date;
  /** `gate`: a new image is not pinned yet; everything else applies. */
  readonly skipPins?: boolean;
  /** GetRevocationStatus for AWS Signer signatures (src/fetch/aws/signer.ts). */
  readonly getRevocationStatus?: GetRevocationStatusFn;
}

/** Verify one image against the policy's `images:` rules. Never throws. */
export async function verifyImage(
  ev: ImageEvidence,
  loaded: LoadedPolicy,
  opts: VerifyImageOptions
): Promise<Verdict> {
  return locateVerdict(await evaluateImage(ev, loaded, opts), loaded);
}

/** The facts an image rule matches on, and the subject a verdict names. */
export type ImageSubjectFacts = Pick<
  ImageEvidence,
  'name' | 'repository' | 'function' | 'functionArn' | 'account' | 'region'
> & { readonly digest?: string; readonly indexDigest?: string };

/** Which `images:` rule applies (or why that cannot be told), and its mode. */
type ImageRuleChoice =
  | { kind: 'undecided'; mode: PolicyMode; check: RawCheck }
  | { kind: 'rule'; index: number; rule: ImageRule; mode: PolicyMode }
  | { kind: 'none'; mode: PolicyMode };

function chooseImageRule(ev: ImageSubjectFacts, loaded: LoadedPolicy): ImageRuleChoice {
  const { policy } = loaded;
  const rules = policy.images ?? [];
  const sel = selectRule(
    rules.map((r) => ({
      match: {
        ...(r.match.repository !== undefined ? { name: r.match.repository } : {}),
        ...(r.match.function !== undefined ? { function: r.match.function } : {}),
        ...(r.match.account !== undefined ? { account: r.match.account } : {}),
        ...(r.match.region !== undefined ? { region: r.match.region } : {}),
      },
    })),
    { name: ev.repository, function: ev.function, account: ev.account, region: ev.region }
  );
  const modeOf = (r: ImageRule | undefined): PolicyMode => r?.mode ?? policy.mode ?? 'enforce';
  if (sel.kind === 'undecided') {
    const modes = [...sel.candidates, sel.fallback].map((i) => modeOf(rules[i]));
    const mode: PolicyMode = modes.includes('enforce')
      ? 'enforce'
      : modes.includes('warn')
        ? 'warn'
        : 'audit';
    const check: RawCheck = {
      id: 'rule',
      kind: 'rule',
      status: 'fail',
      detail: describeUndecided(sel, 'images'),
      evidence: {
        missing: sel.missing,
        candidates: sel.candidates.map((i) => `images[${i}]`),
        fallback: sel.fallback >= 0 ? `images[${sel.fallback}]` : 'default',
      },
    };
    return { kind: 'undecided', mode, check };
  }
  const index = sel.kind === 'rule' ? sel.index : -1;
  const rule = index >= 0 ? rules[index] : undefined;
  return rule
    ? { kind: 'rule', index, rule, mode: modeOf(rule) }
    : { kind: 'none', mode: modeOf(undefined) };
}

function imageSubject(ev: ImageSubjectFacts): Verdict['subject'] {
  return {
    kind: 'image',
    name: ev.name,
    ...(ev.repository !== undefined ? { ruleName: ev.repository } : {}),
    ...(ev.functionArn !== undefined ? { arn: ev.functionArn } : {}),
    ...(ev.digest !== undefined ? { digest: ev.digest } : {}),
    ...(ev.indexDigest !== undefined ? { indexDigest: ev.indexDigest } : {}),
  };
}

/**
 * The verdict for an image that could not be read (its repository denied access, the image is
 * archived, the registry failed): nothing about it can be verified, so it fails (fail closed)
 * under the mode of the rule its facts select.
 */
export function unreadableImageVerdict(
  facts: ImageSubjectFacts,
  loaded: LoadedPolicy,
  failure: { code: string; reason: string }
): Verdict {
  const choice = chooseImageRule(facts, loaded);
  const check = applyMode(
    {
      id: 'fetch',
      kind: 'digest',
      status: 'fail',
      detail: `The image could not be read (${failure.code}: ${failure.reason}); nothing about it can be verified.`,
      evidence: { failure: { code: failure.code, reason: failure.reason } },
    },
    choice.mode
  );
  return locateVerdict(
    {
      subject: imageSubject(facts),
      ...(choice.kind === 'rule'
        ? { rule: { section: 'images' as const, index: choice.index, match: choice.rule.match } }
        : {}),
      mode: choice.mode,
      ok: check.outcome !== 'fail',
      checks: [check],
    },
    loaded
  );
}

async function evaluateImage(
  ev: ImageEvidence,
  loaded: LoadedPolicy,
  opts: VerifyImageOptions
): Promise<Verdict> {
  const { policy } = loaded;
  const subject = imageSubject({
    ...ev,
    digest: ev.manifest.digest,
    ...(ev.index ? { indexDigest: ev.index.digest } : {}),
  });
  const choice = chooseImageRule(ev, loaded);
  if (choice.kind === 'undecided') {
    const check = applyMode(choice.check, choice.mode);
    return { subject, mode: choice.mode, ok: check.outcome !== 'fail', checks: [check] };
  }
  if (choice.kind === 'none') {
    const mode = choice.mode;
    const deny = policy.default === 'deny';
    const raw: RawCheck[] = [
      {
        id: 'default',
        kind: 'default',
        status: deny ? 'fail' : 'pass',
        detail: `No images rule matches image ${ev.repository ?? ev.name}; the policy's default is ${policy.default}.`,
        evidence: { default: policy.default },
      },
      ...inventoryChecks(undefined, ev),
    ];
    const checks = raw.map((c) => applyMode(c, mode));
    return { subject, mode, ok: checks.every((c) => c.outcome !== 'fail'), checks };
  }
  const { rule, index, mode } = choice;
  const raw: RawCheck[] = [];
  if (!opts.skipPins)
    raw.push(guard('digest', 'digest', () => evaluateImagePins(rule, ev, opts.now)));
  raw.push(guard('tags', 'tags', () => evaluateTags(rule, ev)));
  if (rule.signers) {
    try {
      raw.push(...(await evaluateSignersOfImage(rule, ev, loaded, opts)));
    } catch (e) {
      raw.push(
        guard('signers:threshold', 'signer', () => {
          throw e;
        })
      );
    }
  }
  raw.push(...inventoryChecks(rule, ev));
  const checks = raw.map((c) => applyMode(c, mode));
  return {
    subject,
    rule: { section: 'images', index, match: rule.match },
    mode,
    ok: checks.every((c) => c.outcome !== 'fail'),
    checks,
  };
}

/** Pins: the manifest digest (and platform when the pin names one), or an index listing it. */
export function evaluateImagePins(rule: ImageRule, ev: ImageEvidence, now: Date): RawCheck {
  const base = { id: 'digest', kind: 'digest' as const };
  const digest = ev.manifest.digest;
  const evidence: Record<string, unknown> = {
    digest,
    platform: ev.platform,
    ...(ev.listedIn.length > 0 ? { listedIn: [...ev.listedIn] } : {}),
  };
  if (rule.pins === undefined) {
    return {
      ...base,
      status: 'skip',
      detail: 'The rule has no pins (no digest allowlist).',
      evidence,
    };
  }
  const pin =
    rule.pins.find((p) => p.digest === digest) ??
    rule.pins.find((p) => p.index !== undefined && ev.listedIn.includes(p.index));
  if (!pin) {
    return {
      ...base,
      status: 'fail',
      detail: `Manifest ${digest} (${ev.platform}) is not pinned, nor listed in a pinned index (${rule.pins.length} pin(s) in the rule).`,
      evidence,
    };
  }
  evidence['pin'] = pin;
  const what =
    pin.digest !== undefined
      ? `Manifest ${digest}`
      : `Manifest ${digest}, listed in pinned index ${pin.index ?? ''},`;
  if (pin.platform !== undefined && !samePlatform(pin.platform, ev.platform)) {
    return {
      ...base,
      status: 'fail',
      detail: `${what} is pinned for platform ${pin.platform}, but the image is ${ev.platform}.`,
      evidence,
    };
  }
  if (pin.expires !== undefined) {
    const at = parseExpiry(pin.expires);
    if (!at || at.getTime() <= now.getTime()) {
      return {
        ...base,
        status: 'fail',
        detail: `${what} is pinned, but the pin expired ${pin.expires}.`,
        evidence,
      };
    }
  }
  return { ...base, status: 'pass', detail: `${what} is pinned.`, evidence };
}

/** `linux/arm64` and `linux/arm64/v8` are one platform (the OCI default variants). */
function samePlatform(a: string, b: string): boolean {
  const norm = (p: string): string => {
    const [os, arch, variant] = p.split('/');
    const v = variant ?? (arch === 'arm64' ? 'v8' : arch === 'arm' ? 'v7' : undefined);
    return [os, arch, v].filter((x) => x !== undefined).join('/');
  };
  return norm(a) === norm(b);
}

/** Deploy-by-tag: a tag in a repository whose tags can move names no fixed image. */
export function evaluateTags(rule: ImageRule, ev: ImageEvidence): RawCheck {
  const base = { id: 'tags', kind: 'tags' as const };
  const setting = rule.tags ?? 'warn';
  const evidence: Record<string, unknown> = {
    tags: setting,
    ...(ev.tag !== undefined ? { tag: ev.tag } : {}),
    immutableTags: ev.immutableTags ?? 'unknown',
  };
  if (ev.tag === undefined) {
    return {
      ...base,
      status: 'pass',
      detail: 'The image is not named by a registry tag.',
      evidence,
    };
  }
  if (ev.immutableTags === true) {
    return {
      ...base,
      status: 'pass',
      detail: `Named by tag ${ev.tag}, in a repository with immutable tags.`,
      evidence,
    };
  }
  if (setting === 'allow') {
    return {
      ...base,
      status: 'pass',
      detail: `Named by tag ${ev.tag}; the rule allows tags (tags: allow).`,
      evidence,
    };
  }
  return {
    ...base,
    status: 'fail',
    detail: `Named by tag ${ev.tag} in a repository whose tags can be moved${ev.immutableTags === undefined ? ' (tag mutability unknown)' : ''}: deploy by digest (${ev.manifest.digest}).`,
    evidence,
    ...(setting === 'warn' ? { warnOnly: true } : {}),
  };
}

/** Policy anchors as image verification needs them, with their trust material. */
function imageAnchors(rule: ImageRule, loaded: LoadedPolicy): Record<string, ImageAnchor> {
  const out: Record<string, ImageAnchor> = {};
  for (const name of rule.signers?.anyOf ?? []) {
    const a = loaded.policy.anchors?.[name];
    if (a === undefined) continue;
    if (a.kind === 'aws-signer') {
      const store = loaded.notationRoots?.get(name);
      if (store === undefined) {
        throw new Error(
          `anchor ${name} has no notationRoot: image signatures from AWS Signer need the Notation root pinned (path and sha256)`
        );
      }
      out[name] = {
        kind: 'aws-signer',
        ...(a.profileArn !== undefined ? { profileArn: a.profileArn } : {}),
        ...(a.profileVersionArn !== undefined ? { profileVersionArn: a.profileVersionArn } : {}),
        trustStores: [store],
        revocation: rule.revocation ?? 'required',
      };
    } else {
      const trustedRoot = loaded.trustRoots.get(a.trustRoot);
      if (trustedRoot === undefined) throw new Error(`trust root ${a.trustRoot} is not loaded`);
      out[name] = {
        kind: 'sigstore',
        anchor: toSigstoreAnchor(a),
        trustedRoot,
        predicateTypes: acceptedPredicateTypes(a),
        ...(a.thresholds !== undefined ? { thresholds: a.thresholds } : {}),
      };
    }
  }
  return out;
}

async function evaluateSignersOfImage(
  rule: ImageRule,
  ev: ImageEvidence,
  loaded: LoadedPolicy,
  opts: VerifyImageOptions
): Promise<RawCheck[]> {
  const signers = rule.signers!;
  const via = signers.signedVia ?? ['manifest'];
  const found = [
    ...(via.includes('manifest') ? ev.signatures.manifest : []),
    ...(via.includes('index') ? ev.signatures.index : []),
  ];
  const checks = await evaluateImageSigners(signers, imageAnchors(rule, loaded), found, {
    now: opts.now,
    ...(signers.formats !== undefined ? { formats: signers.formats } : {}),
    ...(opts.getRevocationStatus !== undefined
      ? { getRevocationStatus: opts.getRevocationStatus }
      : {}),
  });
  if (ev.discoveryProblems.length === 0) return checks;
  // What could not be read cannot make a signature count; say it where the outcome is.
  return checks.map((c) =>
    c.id === 'signers:threshold'
      ? {
          ...c,
          detail:
            c.status === 'fail'
              ? `${c.detail} Discovery could not read everything: ${ev.discoveryProblems.slice(0, 3).join('; ')}${ev.discoveryProblems.length > 3 ? ` (and ${ev.discoveryProblems.length - 3} more)` : ''}.`
              : c.detail,
          evidence: { ...c.evidence, discoveryProblems: [...ev.discoveryProblems] },
        }
      : c
  );
}

/**
 * Packages, licenses and completeness, as for layers, for a rule that has any of them: the
 * completeness check comes with them because they only cover what the inventory saw. A rule with
 * none gets none, whether or not the image was inventoried for another rule, so a verdict never
 * depends on the policy's other rules. Evidence without an inventory fails a rule that asks:
 * closed, never skipped.
 */
function inventoryChecks(rule: ImageRule | undefined, ev: ImageEvidence): RawCheck[] {
  const asks =
    rule?.packages !== undefined || rule?.licenses !== undefined || rule?.inventory !== undefined;
  if (!asks) return [];
  const inv = ev.inventory;
  if (inv === undefined) {
    return [
      {
        id: 'inventory:not-inventoried',
        kind: 'inventory',
        status: 'fail',
        detail:
          'The rule has packages, licenses or inventory rules, but this image was not inventoried, so they cannot pass.',
        evidence: {},
      },
    ];
  }
  const raw: RawCheck[] = [];
  const deny = rule?.packages?.deny;
  if (deny && deny.length > 0)
    raw.push(guard('packages', 'packages', () => evaluatePackages(deny, inv)));
  const lr = rule?.licenses;
  if (lr) raw.push(guard('licenses', 'licenses', () => evaluateLicenses(lr, inv)));
  raw.push(guard('inventory:complete', 'inventory', () => evaluateInventory(rule?.inventory, inv)));
  return raw;
}
