/**
 * TypeScript mirror of the policy file. The JSON Schema is the source of truth:
 * policies/policy.schema.json (keep both in step).
 */
import type { GapCode } from '../../inventory/completeness.js';
import type { TrustedRootMaterial } from '../trust/index.js';

/** How a rule's failures count: `enforce` fails the run, `warn` reports, `audit` only records. */
export type PolicyMode = 'enforce' | 'warn' | 'audit';

/** A named Sigstore trusted root file, pinned by the sha256 of its bytes. */
export interface TrustRootRef {
  /** Path of `trusted_root.json`, relative to the policy file. */
  path: string;
  sha256: string;
}

/** Minimum counts of tlog entries, SCTs and verified timestamps (see SigstoreThresholds). */
export interface AnchorThresholds {
  tlog?: number;
  ctlog?: number;
  timestamp?: number;
}

/** An AWS Signer signing profile (any version) or one exact profile version. */
export interface AwsSignerAnchor {
  kind: 'aws-signer';
  profileArn?: string;
  profileVersionArn?: string;
}

/** A Sigstore keyless (Fulcio) identity: exact issuer, exact subject or anchored regex. */
export interface KeylessAnchor {
  kind: 'sigstore-keyless';
  issuer: string;
  subject?: string;
  /** Always matched anchored, as `^(?:re)$`. */
  subjectRegex?: string;
  /** Fulcio extension name or dotted OID → exact value. */
  extensions?: Record<string, string>;
  trustRoot: string;
  thresholds?: AnchorThresholds;
}

/** A Sigstore public key (PEM, SPKI). */
export interface KeyAnchor {
  kind: 'sigstore-key';
  publicKey: string;
  hint?: string;
  trustRoot: string;
  thresholds?: AnchorThresholds;
}

export type Anchor = AwsSignerAnchor | KeylessAnchor | KeyAnchor;

/** Which layers (or functions) a rule applies to; every given field must match. */
export interface Match {
  /** Glob over the layer or function name. */
  name?: string;
  /** Glob over the layer version or function ARN. */
  arn?: string;
  account?: string[];
  region?: string[];
}

/** One allowlisted digest of a layer zip. */
export interface Pin {
  sha256: string;
  version?: number;
  note?: string;
  /** YYYY-MM-DD or an ISO date-time; the pin no longer counts from then on. */
  expires?: string;
}

/** Distinct anchors among `anyOf` that must verify. */
export interface SignerRule {
  anyOf: string[];
  threshold?: number;
}

/** Where to look for Sigstore bundles of a layer; exactly one field. */
export interface BundleSource {
  dir?: string;
  s3?: string;
  /** https URL with `{digest}` replaced by the hex sha256. */
  url?: string;
}

export interface PackageDeny {
  /** Package URL without version, e.g. `pkg:npm/lodash`. */
  purl: string;
  /** Version range (see version-range.ts); absent means every version. */
  versions?: string;
  reason?: string;
}

export interface LicenseRule {
  allow?: string[];
  deny?: string[];
  unknown?: 'allow' | 'deny';
}

/**
 * One `inventory.allow` entry: a gap code (every entry with that code is allowed), or a code
 * limited to path globs, with the reason it is acceptable.
 */
export type InventoryAllowance = GapCode | { code: GapCode; paths?: string[]; reason: string };

/** What of an incomplete inventory a rule accepts; nothing unless listed. */
export interface InventoryRule {
  allow?: InventoryAllowance[];
}

export interface LayerRule {
  match: Match;
  mode?: PolicyMode;
  pins?: Pin[];
  signers?: SignerRule;
  bundles?: BundleSource[];
  packages?: { deny?: PackageDeny[] };
  licenses?: LicenseRule;
  inventory?: InventoryRule;
}

export interface FunctionRule {
  match: Match;
  mode?: PolicyMode;
  codeSigning?: { required?: boolean; enforce?: boolean };
  /** Accounts allowed to own the layers a function uses. */
  layerAccounts?: string[];
}

/** The policy file, as validated. */
export interface Policy {
  version: 1;
  default: 'deny' | 'allow';
  mode?: PolicyMode;
  trustRoots?: Record<string, TrustRootRef>;
  anchors?: Record<string, Anchor>;
  layers?: LayerRule[];
  functions?: FunctionRule[];
}

/** A policy plus what loading resolved: trusted roots by name and the policy file's directory. */
export interface LoadedPolicy {
  policy: Policy;
  /** Every trust root named in the policy and `public-good` when referenced, loaded and digest-checked. */
  trustRoots: ReadonlyMap<string, TrustedRootMaterial>;
  /** Directory relative paths in the policy are resolved against. */
  baseDir: string;
  fileName: string;
  /**
   * 1-based line of each policy node (a few levels deep) by JSON pointer, e.g. `/layers/0`,
   * `/layers/0/signers/anyOf/1`, `/default`: where a verdict's rule and checks are written.
   * Absent for a policy not loaded from text.
   */
  lines?: ReadonlyMap<string, number>;
}
