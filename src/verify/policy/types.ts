/**
 * TypeScript mirror of the policy file. The JSON Schema is the source of truth:
 * policies/policy.schema.json (keep both in step).
 */
import type { GapCode } from '../../inventory/completeness.js';
import type { NotationTrustStore } from '../images/notation/trust-store.js';
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
  /**
   * The Notation trust root image signatures from this profile must chain to (a PEM or DER
   * certificate relative to the policy file, pinned by the sha256 of the file's bytes). Images
   * only; layers use the Signer API.
   */
  notationRoot?: TrustRootRef;
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
  /**
   * In-toto predicate types a DSSE bundle by this signer may carry to count (layers and image
   * bundle referrers); default cosign's `https://sigstore.dev/cosign/sign/v1`. A message
   * signature (`cosign sign-blob`) counts whatever this says.
   */
  predicateTypes?: string[];
}

/** A Sigstore public key (PEM, SPKI). */
export interface KeyAnchor {
  kind: 'sigstore-key';
  publicKey: string;
  hint?: string;
  trustRoot: string;
  thresholds?: AnchorThresholds;
  /**
   * In-toto predicate types a DSSE bundle by this signer may carry to count (layers and image
   * bundle referrers); default cosign's `https://sigstore.dev/cosign/sign/v1`. A message
   * signature (`cosign sign-blob`) counts whatever this says.
   */
  predicateTypes?: string[];
}

export type Anchor = AwsSignerAnchor | KeylessAnchor | KeyAnchor;

/** Which layers (or functions, or images) a rule applies to; every given field must match. */
export interface Match {
  /** Images only: glob over the function name the image is deployed to. */
  function?: string;
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
  /** Variables that load code a function may set, with the exact values allowed. */
  environment?: { allow?: EnvironmentAllowance[] };
  /** Handlers that load code from outside the function's directory a function may have. */
  handler?: { allow?: HandlerAllowance[] };
}

/** One `handler.allow` entry: exact Handler values and why the code they load is acceptable. */
export interface HandlerAllowance {
  /** Exact values; any other Handler that loads code from outside fails. */
  values: string[];
  reason: string;
}

/** One `environment.allow` entry: a variable that loads code, the values it may have, and why. */
export interface EnvironmentAllowance {
  name: string;
  /** Exact values; the variable set to anything else fails. */
  values: string[];
  reason: string;
}

/** Which images a rule applies to; every given field must match. */
export interface ImageMatch {
  /** Glob over `host/repository` (or the repository given with `--repository`). */
  repository?: string;
  /** Glob over the name of the function the image is deployed to. */
  function?: string;
  account?: string[];
  region?: string[];
}

/** One allowlisted image: a platform manifest digest, or an index (any platform manifest it lists). */
export interface ImagePin {
  /** `sha256:<hex>` of the platform manifest. */
  digest?: string;
  /** `sha256:<hex>` of an index: any manifest it lists passes (the index is fetched and checked). */
  index?: string;
  /** `os/architecture[/variant]` the manifest is for (recorded; checked against the image). */
  platform?: string;
  note?: string;
  /** YYYY-MM-DD or an ISO date-time; the pin no longer counts from then on. */
  expires?: string;
}

/** Image signature formats a rule accepts. */
export type ImageFormat = 'notation' | 'cosign-legacy' | 'cosign-bundle';

/** An image rule's signers: the layers' anyOf/threshold, plus formats and what is signed. */
export interface ImageSignerRule extends SignerRule {
  /** Formats accepted (default all). */
  formats?: ImageFormat[];
  /** Whether a signature on the platform manifest, on the index it was chosen from, or either counts (default manifest). */
  signedVia?: ('manifest' | 'index')[];
}

/** What a failed GetRevocationStatus call does: `required` fails, `best-effort` warns, `skip` does not call. */
export type RevocationPolicy = 'required' | 'best-effort' | 'skip';

export interface ImageRule {
  match: ImageMatch;
  mode?: PolicyMode;
  pins?: ImagePin[];
  signers?: ImageSignerRule;
  /** AWS Signer revocation through GetRevocationStatus (default required). */
  revocation?: RevocationPolicy;
  /** An image named by a tag (not a digest) from a mutable repository: `fail`, `warn` (default) or `allow`. */
  tags?: 'allow' | 'warn' | 'fail';
  packages?: { deny?: PackageDeny[] };
  licenses?: LicenseRule;
  inventory?: InventoryRule;
}

/** The policy file, as validated. */
export interface Policy {
  version: 1;
  default: 'deny' | 'allow';
  mode?: PolicyMode;
  trustRoots?: Record<string, TrustRootRef>;
  anchors?: Record<string, Anchor>;
  layers?: LayerRule[];
  images?: ImageRule[];
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
  /** Each aws-signer anchor's `notationRoot`, read and digest-checked, by anchor name. */
  notationRoots?: ReadonlyMap<string, NotationTrustStore>;
  /**
   * 1-based line of each policy node (a few levels deep) by JSON pointer, e.g. `/layers/0`,
   * `/layers/0/signers/anyOf/1`, `/default`: where a verdict's rule and checks are written.
   * Absent for a policy not loaded from text.
   */
  lines?: ReadonlyMap<string, number>;
  /**
   * `sha256:<hex>` of the policy file's bytes as they were read (absent for a policy not loaded
   * from a file): what a recorded verification names, without reading the file a second time.
   */
  digest?: string;
}
