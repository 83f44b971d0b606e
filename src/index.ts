/**
 * lamina as a library: the use cases behind the `lamina` command, each one function taking
 * options and returning results (no argv, no stdout, no exit codes), and the types they speak.
 *
 * ```ts
 * import { layerSbom, verifyLayerVersion } from 'lamina';
 *
 * const { sbom, inventory } = await layerSbom({ input: 'layer.zip' });
 * const { verdicts, incomplete } = await verifyLayerVersion({
 *   arn: 'arn:aws:lambda:us-east-1:111122223333:layer:utils:4',
 *   policy: 'policies/production.yaml',
 * });
 * ```
 *
 * Errors are coded (`err.code`): {@link UsageError} and {@link UnpackError} for inputs that
 * cannot be used, {@link PolicyError} for a policy file, {@link FetchError} when AWS could not
 * be read, {@link ImageError} for an image refused or not what its digests say,
 * {@link RegistryError} when a registry could not be read. Everything else in the package is
 * internal and may change.
 *
 * @packageDocumentation
 */

// Use cases.
export {
  functionSbom,
  layerSbom,
  type FunctionSbom,
  type FunctionSbomOptions,
  type LayerSbom,
  type LayerSbomOptions,
  type SbomFormatOptions,
} from './pipeline/sbom.js';
export {
  imageSbom,
  inventoryImage,
  isImageInput,
  openImage,
  resolveImageReference,
  type ImageAccessOptions,
  type ImageInventory,
  type ImageLimits,
  type ImageSbom,
  type ImageSbomOptions,
  type ImageScope,
  type InventoryImageOptions,
  type OpenedImage,
  type OpenImageOptions,
  type RemovedPackage,
  type ResolvedImageReference,
} from './pipeline/image.js';
export type { ResolvedImage } from './fetch/image/handle.js';
export { ImageError, RegistryError } from './fetch/image/errors.js';
export { scanEstate, type ScanOptions, type ScanOutcome, type ScanStats } from './pipeline/scan.js';
export {
  gatherLayerEvidence,
  verifyEstate,
  verifyLambdaFunction,
  verifyLayerVersion,
  verifyLayerZip,
  type AwsVerifyOptions,
  type GatherLayerOptions,
  type VerifyNote,
  type VerifyOptions,
  type VerifyOutcome,
} from './pipeline/verify.js';
export type { GatheredLayer } from './pipeline/evidence.js';
export {
  addPinToPolicy,
  gateLayer,
  layerPin,
  type GateOptions,
  type GateOutcome,
  type LayerPin,
  type LayerPinOptions,
} from './pipeline/pin.js';
export {
  verifyBundleFile,
  type BundleFileVerdict,
  type VerifyBundleFileOptions,
} from './pipeline/bundle.js';
export { diffInputs, type DiffInputsOptions, type DiffOutcome } from './pipeline/diff.js';
export {
  checkVerificationHistory,
  defaultHistoryPath,
  historyChanges,
  listHistory,
  prepareHistory,
  pruneHistory,
  recordScanHistory,
  recordVerificationHistory,
  type HistoryChangesOptions,
  type HistoryChangesOutcome,
  type RecordedScanOutcome,
  type RecordScanHistoryOptions,
  type RecordVerificationOptions,
} from './pipeline/history.js';
export { scanPackageDrift } from './pipeline/drift.js';
export type { AwsAccessOptions, LimitOptions, PolicyInput } from './pipeline/options.js';

// Options the use cases take.
export type { AwsOptions, Credentials } from './fetch/aws/clients.js';
export { RETRY, type RetryPlan, type RetryPolicy } from './fetch/retry.js';
export { DEFAULT_LIMITS, type Limits } from './unpack/source.js';
export type { SbomFormat, SpecVersion } from './sbom/cyclonedx.js';
export { loadPolicy, loadPolicyFile, type LoadPolicyOptions } from './verify/policy/load.js';
export type { LoadedPolicy, Pin, Policy, PolicyMode } from './verify/policy/types.js';

// What they return.
export type { Artifact, InputKind, Inventory } from './model/inventory.js';
export type { Ecosystem, License, Location, Package } from './model/package.js';
export type { Finding, FindingCode, FindingSeverity } from './model/finding.js';
export type * from './model/evidence.js';
export type { CheckKind, CheckResult, Outcome, Subject, Verdict } from './verify/verdict.js';
export type { FunctionInfo } from './fetch/aws/function.js';
export type { MergedPackage, MergedView, ShadowedFile } from './merge/merge.js';
export type {
  Drift,
  ScanFailure,
  ScanFunction,
  ScanLayer,
  ScanLayerVersion,
  ScanResult,
} from './scan/result.js';
export type * from './scan/package-drift.js';
export type { DiffSummary, PackageDiff } from './diff/diff.js';
export { CHANGE_KINDS, DEFAULT_FAIL_ON, type ChangeKind, type Changes } from './history/changes.js';
export type { ScanInfo, SigningFact } from './history/types.js';

// Rendering results as the CLI does.
export { VERDICT_FORMATS, renderVerdicts, type VerdictFormat } from './report/verdicts.js';
export { renderScanText } from './report/scan-text.js';
export { renderScanMarkdown } from './report/scan-markdown.js';
export { htmlReportChunks, renderHtmlReport, type HtmlReportInput } from './report/html/report.js';
export { renderChangesJson, renderChangesMarkdown, renderChangesText } from './report/changes.js';
export {
  renderPackageDiffJson,
  renderPackageDiffMarkdown,
  renderPackageDiffText,
} from './report/package-diff.js';
export { serializeScanResult } from './scan/result.js';

// ARNs.
export {
  parseArn,
  parseFunctionArn,
  parseLayerVersionArn,
  parseSigningJobArn,
  parseSigningProfileVersionArn,
  type Arn,
  type FunctionArn,
  type LayerVersionArn,
  type SigningJobArn,
  type SigningProfileVersionArn,
} from './model/arn.js';

// Errors.
export {
  BaseError,
  UnpackError,
  UsageError,
  type UnpackErrorCode,
  type UsageErrorCode,
} from './errors.js';
export { FetchError, type FetchErrorCode } from './fetch/errors.js';
export { PolicyError, type PolicyErrorCode } from './verify/policy/errors.js';
export { TrustRootError, type TrustRootErrorCode } from './verify/trust/errors.js';
export { HistoryError, type HistoryErrorCode } from './history/errors.js';
export { SbomReadError, type SbomReadErrorCode } from './sbom/read.js';

export { LAMINA_VERSION } from './version.js';
