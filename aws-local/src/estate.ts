/**
 * The estate file: a YAML description of the accounts, layers, functions and signing
 * resources the local endpoint serves. Its shape is checked against estate.schema.json (JSON
 * Schema, with ajv, as lamina checks policies); what a schema cannot say (files that must
 * exist, references between accounts, dates, duplicates) is checked here while the estate is
 * built with its defaults. Format documented in aws-local/README.md.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { AwsLocalError } from './errors.js';
import { addLayoutImage, type EcrRepository } from './ecr-store.js';
import { regionIndex } from './estate-index.js';

/** Why an estate could not be loaded. */
export type EstateErrorCode = 'ESTATE_UNREADABLE' | 'ESTATE_INVALID';

/** A bad estate file; `field` names the offending path (e.g. `accounts.111111111111.regions.us-east-1.layers[0].name`). */
export class EstateError extends AwsLocalError<EstateErrorCode> {
  readonly field: string | undefined;
  constructor(code: EstateErrorCode, message: string, field?: string) {
    super({ code, message: field ? `${field}: ${message}` : message });
    this.field = field;
  }
}

/** Where a zip's bytes come from. */
export type ContentSpec =
  { $case: 'path'; path: string } | { $case: 'generate'; files: Record<string, string> };

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Role {
  name: string;
  /** Accounts allowed to assume it; undefined means any account in the estate. */
  trustedAccounts: string[] | undefined;
}

export interface LayerVersion {
  version: number;
  content: ContentSpec;
  description: string;
  createdDate: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo: string | undefined;
  signingJob: string | undefined;
  public: boolean;
  sharedWith: string[];
  deleted: boolean;
  /** Serve bytes that do not match CodeSha256 (a tampered artifact), always. */
  tampered: boolean;
}

export interface Layer {
  name: string;
  versions: LayerVersion[];
}

/** Environment.Variables, or the Environment.Error Lambda returns instead. */
export interface FunctionEnvironment {
  variables: Record<string, string>;
  error: { errorCode: string; message: string | undefined } | undefined;
}

export interface FunctionVersion {
  version: string;
  layers: string[];
  environment: FunctionEnvironment | undefined;
  /** Zip functions: the Handler this version was published with. */
  handler: string | undefined;
  /** Image functions: the image this version was deployed from. */
  imageUri: string | undefined;
  description: string;
  lastModified: string;
}

export interface LambdaFunction {
  name: string;
  runtime: string | undefined;
  handler: string | undefined;
  role: string;
  architectures: string[];
  packageType: 'Zip' | 'Image';
  imageUri: string | undefined;
  /** Image functions: the function's own settings, overriding the image config's. */
  imageConfig:
    | {
        entryPoint?: string[];
        command?: string[];
        workingDirectory?: string;
        error?: { errorCode: string; message: string | undefined };
      }
    | undefined;
  /** Image functions: a CodeSha256 to report instead of the resolved manifest's. */
  codeSha256: string | undefined;
  description: string;
  memorySize: number;
  timeout: number;
  lastModified: string;
  /** Full layer version ARNs, in attach order. */
  layers: string[];
  environment: FunctionEnvironment | undefined;
  codeSigningConfig: string | undefined;
  code: ContentSpec;
  versions: FunctionVersion[];
}

export interface SigningProfile {
  name: string;
  version: string;
  status: 'Active' | 'Canceled' | 'Revoked';
  statusReason: string | undefined;
  platformId: string;
  platformDisplayName: string;
  signatureValidityPeriod: { value: number; type: 'DAYS' | 'MONTHS' | 'YEARS' };
  revocation: { effectiveFrom: Date; revokedAt: Date; revokedBy: string } | undefined;
  sharedWith: string[];
  tags: Record<string, string>;
}

export interface SigningJob {
  jobId: string;
  profileName: string;
  profileVersion: string;
  status: 'InProgress' | 'Failed' | 'Succeeded';
  statusReason: string | undefined;
  createdAt: Date;
  completedAt: Date | undefined;
  signatureExpiresAt: Date | undefined;
  requestedBy: string | undefined;
  revocation: { reason: string; revokedAt: Date; revokedBy: string } | undefined;
  source: { bucketName: string; key: string; version: string };
  signedObject: { bucketName: string; key: string };
}

export interface CodeSigningConfig {
  id: string;
  description: string;
  allowedPublishers: string[];
  policy: 'Warn' | 'Enforce';
  lastModified: string;
}

export interface RegionEstate {
  layers: Layer[];
  functions: LambdaFunction[];
  signingProfiles: SigningProfile[];
  signingJobs: SigningJob[];
  codeSigningConfigs: CodeSigningConfig[];
  /**
   * Revoked certificates, as GetRevocationStatus receives them: the hex SHA-384 of a
   * certificate's TBS bytes paired with its issuer's (`<cert hash><issuer hash>`).
   */
  revokedCertificateHashes: string[];
  /** ECR repositories (images pushed into the endpoint's registry). */
  repositories: EcrRepository[];
}

export interface Account {
  id: string;
  name: string;
  accessKeys: AccessKey[];
  roles: Role[];
  regions: Map<string, RegionEstate>;
}

/** A loaded, validated estate. */
export interface Estate {
  partition: string;
  homeAccount: string;
  accounts: Map<string, Account>;
  /** Directory that relative `zip:` paths resolve against. */
  baseDir: string;
  /** Optional `s3:` section: buckets with seeded objects (see s3.ts for the served view). */
  s3?: S3Estate;
}

/** Bytes of one S3 object: a zip (file, directory or generated) or a raw file or text. */
export type S3ObjectSpec =
  ContentSpec | { $case: 'file'; path: string } | { $case: 'text'; text: string };

/** One bucket of the estate's `s3:` section. */
export interface S3Bucket {
  name: string;
  /** Owner account; only it (and `sharedWith`) may read the bucket. */
  account: string;
  sharedWith: string[];
  objects: Map<string, S3ObjectSpec>;
}

/** The estate's `s3:` section. */
export interface S3Estate {
  buckets: Map<string, S3Bucket>;
}

const DEFAULT_DATE = '2024-01-01T00:00:00.000+0000';

// ---------------------------------------------------------------------------------------------
// The document as the schema lets it be: every optional field may be absent or null, and text
// fields may be numbers (YAML reads `version: 1` as one).

type Text = string | number | null | undefined;
type TextList = (string | number)[] | null | undefined;
type Flag = boolean | null | undefined;
type List<T> = T[] | null | undefined;
type Content = { zip?: Text; generate?: { files: Record<string, string> } };

interface RawRevocation {
  effectiveFrom?: Text;
  revokedAt?: Text;
  revokedBy?: Text;
  reason?: Text;
}
interface RawLayerVersion extends Content {
  version?: number | null;
  description?: Text;
  createdDate?: Text;
  compatibleRuntimes?: TextList;
  compatibleArchitectures?: TextList;
  licenseInfo?: Text;
  signingJob?: Text;
  public?: Flag;
  sharedWith?: TextList;
  deleted?: Flag;
  tampered?: Flag;
}
interface RawFunction extends Content {
  name: string | number;
  runtime?: Text;
  handler?: Text;
  role?: Text;
  architectures?: TextList;
  packageType?: 'Zip' | 'Image' | null;
  imageUri?: Text;
  imageConfig?: {
    entryPoint?: TextList;
    command?: TextList;
    workingDirectory?: Text;
    error?: { errorCode: Text; message?: Text };
  } | null;
  codeSha256?: Text;
  description?: Text;
  memorySize?: number | null;
  timeout?: number | null;
  lastModified?: Text;
  layers?: TextList;
  codeSigningConfig?: Text;
  environment?: RawEnvironment;
  versions?: List<{
    version?: Text;
    layers?: TextList;
    environment?: RawEnvironment;
    handler?: Text;
    imageUri?: Text;
    description?: Text;
    lastModified?: Text;
  }>;
}
type RawEnvironment = {
  variables?: Record<string, Text>;
  error?: { errorCode: Text; message?: Text };
} | null;
interface RawRegion {
  layers?: List<{ name: string | number; versions?: List<RawLayerVersion> }>;
  functions?: List<RawFunction>;
  signingProfiles?: List<{
    name: Text;
    version: Text;
    status?: SigningProfile['status'] | null;
    statusReason?: Text;
    platformId?: Text;
    platformDisplayName?: Text;
    signatureValidityPeriod?: { value?: number | null; type?: 'DAYS' | 'MONTHS' | 'YEARS' | null };
    revocation?: RawRevocation;
    sharedWith?: TextList;
    tags?: Record<string, unknown>;
  }>;
  signingJobs?: List<{
    jobId: Text;
    profile: Text;
    profileVersion?: Text;
    status?: SigningJob['status'] | null;
    statusReason?: Text;
    createdAt: Text;
    completedAt?: Text;
    signatureExpiresAt?: Text;
    requestedBy?: Text;
    revocation?: RawRevocation;
    source?: { bucketName?: Text; key?: Text; version?: Text };
    signedObject?: { bucketName?: Text; key?: Text };
  }>;
  revokedCertificateHashes?: TextList;
  codeSigningConfigs?: List<{
    id: string;
    description?: Text;
    allowedPublishers: (string | number)[];
    policy?: 'Warn' | 'Enforce' | null;
    lastModified?: Text;
  }>;
  ecr?: { repositories?: List<RawRepository> } | null;
}
interface RawRepository {
  name: string;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE' | null;
  createdAt?: Text;
  sharedWith?: TextList;
  images?: List<{
    layout: Text;
    ref?: Text;
    tags?: TextList;
    pushedAt: Text;
    status?: 'ACTIVE' | 'ARCHIVED' | null;
  }>;
}
interface RawAccount {
  name?: Text;
  accessKeys?: List<{ accessKeyId: Text; secretAccessKey: Text }>;
  roles?: List<{ name: Text; trustedAccounts?: TextList }>;
  regions?: Record<string, RawRegion | null>;
}
interface RawS3Object extends Content {
  file?: Text;
  text?: string;
}
interface RawEstate {
  partition?: Text;
  homeAccount?: Text;
  accounts: Record<string, RawAccount>;
  s3?: {
    buckets?: Record<
      string,
      { account?: Text; sharedWith?: TextList; objects?: Record<string, RawS3Object> | null } | null
    > | null;
  } | null;
}

// ---------------------------------------------------------------------------------------------
// Schema validation.

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    // estate.schema.json sits at the package root, one level above src/ and dist/.
    const schema = JSON.parse(
      readFileSync(new URL('../estate.schema.json', import.meta.url), 'utf8')
    ) as object;
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator;
}

/** `accounts.111111111111.regions.us-east-1.layers[0]` for `/accounts/…/layers/0` in `doc`. */
function fieldOf(doc: unknown, pointer: string, extra?: string): string {
  const keys = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  let out = '';
  let node: unknown = doc;
  for (const key of keys) {
    out += Array.isArray(node) ? `[${key}]` : out === '' ? key : `.${key}`;
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  if (extra === undefined) return out || '(root)';
  return `${out || '(root)'}.${extra}`;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The one schema error to report: a `oneOf` itself rather than its branches' complaints. */
function firstError(errors: ErrorObject[]): ErrorObject | undefined {
  const oneOf = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'not');
  const branch = (e: ErrorObject) =>
    oneOf.some(
      (o) => e !== o && e.schemaPath.startsWith(o.schemaPath) && e.instancePath === o.instancePath
    );
  return errors.find((e) => !branch(e));
}

function describe(doc: unknown, e: ErrorObject): EstateError {
  const params = e.params as Record<string, unknown>;
  // An error about a mapping's key (propertyNames) names the key.
  if (e.propertyName !== undefined) {
    const parent = e.parentSchema as { description?: string } | undefined;
    return invalid(
      fieldOf(doc, e.instancePath, e.propertyName),
      `must be ${parent?.description ?? 'a valid name'}`
    );
  }
  const parent = e.parentSchema as { description?: string; properties?: object } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(parent?.properties ?? {}).join(', ');
      return invalid(
        fieldOf(doc, e.instancePath, String(params['additionalProperty'])),
        `unknown field (allowed: ${allowed})`
      );
    }
    case 'required':
      return invalid(
        fieldOf(doc, e.instancePath, String(params['missingProperty'])),
        'is required'
      );
    case 'propertyNames':
      return invalid(
        fieldOf(doc, e.instancePath, String(params['propertyName'])),
        'is not a valid name'
      );
    case 'enum':
      return invalid(
        fieldOf(doc, e.instancePath),
        `must be one of ${(e.schema as (string | null)[]).filter((v) => v !== null).join(', ')}`
      );
    case 'type':
      return invalid(fieldOf(doc, e.instancePath), `must be ${typeWords(String(params['type']))}`);
    default:
      return invalid(
        fieldOf(doc, e.instancePath),
        parent?.description ? `must be ${parent.description}` : (e.message ?? 'is invalid')
      );
  }
}

function typeWords(types: string): string {
  if (types.includes('object')) return 'a mapping';
  if (types.includes('array')) return 'a list';
  if (types.includes('boolean')) return 'true or false';
  if (types.startsWith('number') || types.startsWith('integer')) return 'a number';
  return 'a string';
}

function invalid(field: string, message: string): EstateError {
  return new EstateError('ESTATE_INVALID', message, field);
}

function bad(field: string, message: string): never {
  throw invalid(field, message);
}

// ---------------------------------------------------------------------------------------------
// Building the estate: defaults, and the checks a schema cannot make.

function str(v: Text): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}
function req(v: Text, field: string): string {
  const s = str(v);
  if (s === undefined || s === '') bad(field, 'is required');
  return s;
}
function texts(v: TextList): string[] {
  return (v ?? []).map(String);
}
function date(v: Text, field: string): Date | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) bad(field, 'must be an ISO 8601 date-time');
  return d;
}
function reqDate(v: Text, field: string): Date {
  const d = date(v, field);
  if (!d) bad(field, 'is required');
  return d;
}
/** Lambda's own date format: `2024-01-01T00:00:00.000+0000`. */
export function lambdaDate(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}
function lambdaDateField(v: Text, field: string): string {
  const d = date(v, field);
  return d ? lambdaDate(d) : DEFAULT_DATE;
}

function readContent(o: Content, field: string, baseDir: string): ContentSpec | undefined {
  const zip = str(o.zip);
  if (zip !== undefined) {
    const path = resolve(baseDir, zip);
    let st;
    try {
      st = statSync(path);
    } catch {
      bad(`${field}.zip`, `no such file or directory: ${path}`);
    }
    if (!st.isDirectory() && !path.endsWith('.zip'))
      bad(`${field}.zip`, 'must be a .zip file or a directory');
    return { $case: 'path', path };
  }
  if (o.generate) return { $case: 'generate', files: { ...o.generate.files } };
  return undefined;
}

/** ARN of a layer (no version). */
export function layerArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:lambda:${region}:${account}:layer:${name}`;
}

const LAYER_VERSION_ARN_RE =
  /^arn:([a-z-]+):lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):(\d+)$/;

/** Splits a layer version ARN; undefined if it is not one. */
export function parseLayerVersionArn(
  arn: string
):
  | { partition: string; region: string; account: string; name: string; version: number }
  | undefined {
  const m = LAYER_VERSION_ARN_RE.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1] ?? '',
    region: m[2] ?? '',
    account: m[3] ?? '',
    name: m[4] ?? '',
    version: Number(m[5]),
  };
}

function readLayerRefs(
  refs: TextList,
  field: string,
  ctx: { partition: string; region: string; account: string }
): string[] {
  return texts(refs).map((ref, i) => {
    if (ref.startsWith('arn:')) {
      const p = parseLayerVersionArn(ref);
      if (!p) bad(`${field}.layers[${i}]`, 'not a layer version ARN');
      if (p.region !== ctx.region)
        bad(`${field}.layers[${i}]`, `layer must be in the function's region ${ctx.region}`);
      return ref;
    }
    const m = /^([a-zA-Z0-9-_]+):(\d+)$/.exec(ref);
    if (!m) bad(`${field}.layers[${i}]`, 'must be NAME:VERSION or a layer version ARN');
    return `${layerArn(ctx.partition, ctx.region, ctx.account, m[1] ?? '')}:${m[2]}`;
  });
}

interface RegionContext {
  partition: string;
  region: string;
  account: string;
  baseDir: string;
}

function readLayers(raw: RawRegion, field: string, ctx: RegionContext): Layer[] {
  return (raw.layers ?? []).map((l, i): Layer => {
    const f = `${field}.layers[${i}]`;
    const versions = (l.versions ?? []).map((v, j): LayerVersion => {
      const vf = `${f}.versions[${j}]`;
      return {
        version: v.version ?? j + 1,
        content: readContent(v, vf, ctx.baseDir)!,
        description: str(v.description) ?? '',
        createdDate: lambdaDateField(v.createdDate, `${vf}.createdDate`),
        compatibleRuntimes: texts(v.compatibleRuntimes),
        compatibleArchitectures: texts(v.compatibleArchitectures),
        licenseInfo: str(v.licenseInfo),
        signingJob: str(v.signingJob),
        public: v.public ?? false,
        sharedWith: texts(v.sharedWith),
        deleted: v.deleted ?? false,
        tampered: v.tampered ?? false,
      };
    });
    const seen = new Set<number>();
    versions.forEach((v, j) => {
      if (seen.has(v.version)) bad(`${f}.versions[${j}].version`, `duplicate version ${v.version}`);
      seen.add(v.version);
    });
    versions.sort((a, b) => a.version - b.version);
    return { name: String(l.name), versions };
  });
}

/** When and by whom something was revoked (by default the account's root). */
function revoked(
  r: RawRevocation,
  field: string,
  ctx: RegionContext
): { revokedAt: Date; revokedBy: string } {
  return {
    revokedAt: reqDate(r.revokedAt, `${field}.revokedAt`),
    revokedBy: str(r.revokedBy) ?? `arn:${ctx.partition}:iam::${ctx.account}:root`,
  };
}

function readSigningProfiles(raw: RawRegion, field: string, ctx: RegionContext): SigningProfile[] {
  return (raw.signingProfiles ?? []).map((p, i): SigningProfile => {
    const f = `${field}.signingProfiles[${i}]`;
    const r = p.revocation;
    const rf = `${f}.revocation`;
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.tags ?? {})) tags[k] = String(v);
    return {
      name: req(p.name, `${f}.name`),
      version: req(p.version, `${f}.version`),
      status: p.status ?? 'Active',
      statusReason: str(p.statusReason),
      platformId: str(p.platformId) ?? 'AWSLambda-SHA384-ECDSA',
      platformDisplayName: str(p.platformDisplayName) ?? 'AWS Lambda',
      signatureValidityPeriod: {
        value: p.signatureValidityPeriod?.value ?? 135,
        type: p.signatureValidityPeriod?.type ?? 'MONTHS',
      },
      revocation: r && {
        effectiveFrom: reqDate(r.effectiveFrom, `${rf}.effectiveFrom`),
        ...revoked(r, rf, ctx),
      },
      sharedWith: texts(p.sharedWith),
      tags,
    };
  });
}

function readSigningJobs(
  raw: RawRegion,
  field: string,
  ctx: RegionContext,
  profiles: SigningProfile[]
): SigningJob[] {
  return (raw.signingJobs ?? []).map((j, i): SigningJob => {
    const f = `${field}.signingJobs[${i}]`;
    const profileName = req(j.profile, `${f}.profile`);
    const profile = profiles.find((p) => p.name === profileName);
    if (!profile)
      bad(`${f}.profile`, `no signing profile named ${profileName} in this account and region`);
    const jobId = req(j.jobId, `${f}.jobId`);
    const r = j.revocation;
    const rf = `${f}.revocation`;
    const bucket = `signer-${ctx.account}-${ctx.region}`;
    return {
      jobId,
      profileName,
      profileVersion: str(j.profileVersion) ?? profile.version,
      status: j.status ?? 'Succeeded',
      statusReason: str(j.statusReason),
      createdAt: reqDate(j.createdAt, `${f}.createdAt`),
      completedAt: date(j.completedAt, `${f}.completedAt`),
      signatureExpiresAt: date(j.signatureExpiresAt, `${f}.signatureExpiresAt`),
      requestedBy: str(j.requestedBy),
      revocation: r && { reason: req(r.reason, `${rf}.reason`), ...revoked(r, rf, ctx) },
      source: {
        bucketName: str(j.source?.bucketName) ?? bucket,
        key: str(j.source?.key) ?? `unsigned/${jobId}.zip`,
        version: str(j.source?.version) ?? '1',
      },
      signedObject: {
        bucketName: str(j.signedObject?.bucketName) ?? bucket,
        key: str(j.signedObject?.key) ?? `signed/${jobId}.zip`,
      },
    };
  });
}

function readFunctions(
  raw: RawRegion,
  field: string,
  ctx: RegionContext,
  configs: CodeSigningConfig[]
): LambdaFunction[] {
  return (raw.functions ?? []).map((o, i): LambdaFunction => {
    const f = `${field}.functions[${i}]`;
    const name = String(o.name);
    const packageType = o.packageType ?? 'Zip';
    const csc = str(o.codeSigningConfig);
    if (csc !== undefined && !configs.some((c) => c.id === csc))
      bad(`${f}.codeSigningConfig`, `no code signing config ${csc} in this account and region`);
    const lastModified = lambdaDateField(o.lastModified, `${f}.lastModified`);
    const description = str(o.description) ?? '';
    const architectures = texts(o.architectures);
    const environment = readEnvironment(o.environment, `${f}.environment`);
    const handler = packageType === 'Zip' ? (str(o.handler) ?? 'index.handler') : undefined;
    const versions = (o.versions ?? []).map((v, j): FunctionVersion => {
      const vf = `${f}.versions[${j}]`;
      return {
        version: str(v.version) ?? String(j + 1),
        layers: readLayerRefs(v.layers, vf, ctx),
        environment: readEnvironment(v.environment, `${vf}.environment`) ?? environment,
        handler: packageType === 'Zip' ? (str(v.handler) ?? handler) : undefined,
        imageUri: str(v.imageUri),
        description: str(v.description) ?? description,
        lastModified:
          v.lastModified === undefined
            ? lastModified
            : lambdaDateField(v.lastModified, `${vf}.lastModified`),
      };
    });
    return {
      name,
      runtime: packageType === 'Zip' ? (str(o.runtime) ?? 'nodejs20.x') : undefined,
      handler,
      role: str(o.role) ?? `arn:${ctx.partition}:iam::${ctx.account}:role/${name}-role`,
      architectures: architectures.length ? architectures : ['x86_64'],
      packageType,
      imageUri: str(o.imageUri),
      imageConfig: o.imageConfig
        ? {
            ...(o.imageConfig.entryPoint ? { entryPoint: texts(o.imageConfig.entryPoint) } : {}),
            ...(o.imageConfig.command ? { command: texts(o.imageConfig.command) } : {}),
            ...(str(o.imageConfig.workingDirectory) !== undefined
              ? { workingDirectory: str(o.imageConfig.workingDirectory)! }
              : {}),
            ...(o.imageConfig.error
              ? {
                  error: {
                    errorCode: req(
                      o.imageConfig.error.errorCode,
                      `${f}.imageConfig.error.errorCode`
                    ),
                    message: str(o.imageConfig.error.message),
                  },
                }
              : {}),
          }
        : undefined,
      codeSha256: str(o.codeSha256),
      description,
      memorySize: o.memorySize ?? 128,
      timeout: o.timeout ?? 3,
      lastModified,
      layers: readLayerRefs(o.layers, f, ctx),
      environment,
      codeSigningConfig: csc,
      code: readContent(o, f, ctx.baseDir) ?? {
        $case: 'generate',
        files: { 'index.js': `exports.handler = async () => ${JSON.stringify(name)};\n` },
      },
      versions,
    };
  });
}

function readEnvironment(
  raw: RawEnvironment | undefined,
  f: string
): FunctionEnvironment | undefined {
  if (!raw) return undefined;
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.variables ?? {})) {
    const value = str(v);
    if (value !== undefined) variables[k] = value;
  }
  const e = raw.error;
  return {
    variables,
    error: e
      ? { errorCode: req(e.errorCode, `${f}.error.errorCode`), message: str(e.message) }
      : undefined,
  };
}

function readRegion(raw: RawRegion, field: string, ctx: RegionContext): RegionEstate {
  const layers = readLayers(raw, field, ctx);
  const signingProfiles = readSigningProfiles(raw, field, ctx);
  const signingJobs = readSigningJobs(raw, field, ctx, signingProfiles);
  const codeSigningConfigs = (raw.codeSigningConfigs ?? []).map((c, i): CodeSigningConfig => ({
    id: c.id,
    description: str(c.description) ?? '',
    allowedPublishers: c.allowedPublishers.map(String),
    policy: c.policy ?? 'Warn',
    lastModified: lambdaDateField(c.lastModified, `${field}.codeSigningConfigs[${i}].lastModified`),
  }));
  const functions = readFunctions(raw, field, ctx, codeSigningConfigs);
  const revokedCertificateHashes = texts(raw.revokedCertificateHashes).map((h) => h.toLowerCase());
  const repositories = readRepositories(raw, field, ctx);
  return {
    layers,
    functions,
    signingProfiles,
    signingJobs,
    codeSigningConfigs,
    revokedCertificateHashes,
    repositories,
  };
}

function readRepositories(raw: RawRegion, field: string, ctx: RegionContext): EcrRepository[] {
  const seen = new Set<string>();
  return (raw.ecr?.repositories ?? []).map((r, i): EcrRepository => {
    const f = `${field}.ecr.repositories[${i}]`;
    if (seen.has(r.name)) bad(`${f}.name`, `repository ${r.name} is defined twice`);
    seen.add(r.name);
    const repo: EcrRepository = {
      name: r.name,
      imageTagMutability: r.imageTagMutability ?? 'MUTABLE',
      createdAt: date(r.createdAt, `${f}.createdAt`) ?? new Date(DEFAULT_DATE),
      sharedWith: texts(r.sharedWith),
      images: [],
      blobPaths: new Map(),
      tagHistory: [],
    };
    let last = 0;
    (r.images ?? []).forEach((im, j) => {
      const jf = `${f}.images[${j}]`;
      const pushedAt = reqDate(im.pushedAt, `${jf}.pushedAt`);
      if (pushedAt.getTime() < last) bad(`${jf}.pushedAt`, 'images must be listed in push order');
      last = pushedAt.getTime();
      const tags = texts(im.tags);
      if (repo.imageTagMutability === 'IMMUTABLE')
        for (const t of tags)
          if (repo.tagHistory.some((h) => h.tag === t))
            bad(`${jf}.tags`, `tag ${t} already exists in an IMMUTABLE repository`);
      try {
        addLayoutImage(repo, ctx.baseDir, {
          layout: req(im.layout, `${jf}.layout`),
          ref: str(im.ref),
          tags,
          pushedAt,
          archived: im.status === 'ARCHIVED',
        });
      } catch (err) {
        bad(`${jf}.layout`, err instanceof Error ? err.message : String(err));
      }
    });
    return repo;
  });
}

/**
 * Validates a parsed estate document against estate.schema.json, then builds the estate.
 * `baseDir` anchors relative zip and file paths.
 * @throws EstateError `ESTATE_INVALID` naming the first bad field
 */
export function parseEstate(doc: unknown, baseDir: string): Estate {
  const validate = schemaValidator();
  if (!validate(doc)) {
    const e = firstError(validate.errors ?? []);
    throw e ? describe(doc, e) : invalid('(root)', 'is not a valid estate');
  }
  const root = doc as RawEstate;
  const partition = str(root.partition) ?? 'aws';
  const accounts = new Map<string, Account>();
  const keyOwners = new Map<string, string>();
  for (const [id, o] of Object.entries(root.accounts)) {
    const field = `accounts.${id}`;
    const accessKeys = (o.accessKeys ?? []).map((k, i): AccessKey => {
      const f = `${field}.accessKeys[${i}]`;
      const accessKeyId = req(k.accessKeyId, `${f}.accessKeyId`);
      if (keyOwners.has(accessKeyId))
        bad(`${f}.accessKeyId`, `already used by account ${keyOwners.get(accessKeyId)}`);
      keyOwners.set(accessKeyId, id);
      return { accessKeyId, secretAccessKey: req(k.secretAccessKey, `${f}.secretAccessKey`) };
    });
    const roles = (o.roles ?? []).map((r, i): Role => ({
      name: req(r.name, `${field}.roles[${i}].name`),
      // Absent: any estate account may assume it; a list (even empty): only those.
      trustedAccounts: r.trustedAccounts === undefined ? undefined : texts(r.trustedAccounts),
    }));
    const regions = new Map<string, RegionEstate>();
    for (const [region, rr] of Object.entries(o.regions ?? {})) {
      const ctx = { partition, region, account: id, baseDir };
      regions.set(region, readRegion(rr ?? {}, `${field}.regions.${region}`, ctx));
    }
    accounts.set(id, { id, name: str(o.name) ?? id, accessKeys, roles, regions });
  }
  if (accounts.size === 0) bad('accounts', 'must define at least one account');
  const homeAccount = str(root.homeAccount) ?? [...accounts.keys()][0] ?? '';
  if (!accounts.has(homeAccount))
    bad('homeAccount', `account ${homeAccount} is not defined under accounts`);
  if (accounts.get(homeAccount)?.accessKeys.length === 0)
    bad(`accounts.${homeAccount}.accessKeys`, 'the home account needs an access key');

  const estate: Estate = { partition, homeAccount, accounts, baseDir };
  if (root.s3) estate.s3 = readS3(root.s3, homeAccount, accounts, baseDir);
  crossCheck(estate);
  return estate;
}

/** The `s3:` section: `buckets: { NAME: { account?, sharedWith?, objects: { KEY: spec } } }`. */
function readS3(
  raw: NonNullable<RawEstate['s3']>,
  homeAccount: string,
  accounts: Map<string, Account>,
  baseDir: string
): S3Estate {
  const buckets = new Map<string, S3Bucket>();
  for (const [name, rb] of Object.entries(raw.buckets ?? {})) {
    const f = `s3.buckets.${name}`;
    const account = str(rb?.account) ?? homeAccount;
    if (!accounts.has(account)) bad(`${f}.account`, `account ${account} is not defined`);
    const objects = new Map<string, S3ObjectSpec>();
    for (const [key, oo] of Object.entries(rb?.objects ?? {})) {
      const of = `${f}.objects.${key}`;
      const file = str(oo.file);
      if (file !== undefined) {
        const path = resolve(baseDir, file);
        let isFile = false;
        try {
          isFile = statSync(path).isFile();
        } catch {
          bad(`${of}.file`, `no such file: ${path}`);
        }
        if (!isFile) bad(`${of}.file`, `not a file: ${path}`);
        objects.set(key, { $case: 'file', path });
      } else if (oo.text !== undefined) {
        objects.set(key, { $case: 'text', text: oo.text });
      } else {
        objects.set(key, readContent(oo, of, baseDir)!);
      }
    }
    buckets.set(name, { name, account, sharedWith: texts(rb?.sharedWith), objects });
  }
  return { buckets };
}

// References that span accounts are checked once everything is read.
function crossCheck(estate: Estate): void {
  for (const [id, account] of estate.accounts) {
    for (const [region, re] of account.regions) {
      const rf = `accounts.${id}.regions.${region}`;
      re.layers.forEach((l, i) =>
        l.versions.forEach((v, j) => {
          if (v.signingJob !== undefined && !re.signingJobs.some((s) => s.jobId === v.signingJob)) {
            bad(
              `${rf}.layers[${i}].versions[${j}].signingJob`,
              `no signing job ${v.signingJob} in this account and region`
            );
          }
        })
      );
      re.functions.forEach((fn, i) => {
        const check = (arns: string[], f: string): void =>
          arns.forEach((arn, k) => {
            if (!findLayerVersion(estate, arn))
              bad(`${f}.layers[${k}]`, `layer version ${arn} is not defined in the estate`);
          });
        check(fn.layers, `${rf}.functions[${i}]`);
        fn.versions.forEach((v, j) => check(v.layers, `${rf}.functions[${i}].versions[${j}]`));
      });
    }
  }
}

/** Finds a layer version (deleted or not) by its ARN. */
export function findLayerVersion(
  estate: Estate,
  arn: string
): { account: string; region: string; layer: Layer; version: LayerVersion } | undefined {
  const p = parseLayerVersionArn(arn);
  if (!p) return undefined;
  const layer = regionIndex(estate, p.account, p.region).layersByName.get(p.name);
  const version = layer?.versions.get(p.version);
  return layer && version
    ? { account: p.account, region: p.region, layer: layer.layer, version }
    : undefined;
}

/** Reads and validates an estate YAML file. */
export function loadEstate(file: string): Estate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new EstateError('ESTATE_UNREADABLE', `cannot read estate file ${file}: ${String(cause)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new EstateError(
      'ESTATE_UNREADABLE',
      `estate file ${file} is not valid YAML: ${String(cause)}`
    );
  }
  return parseEstate(doc, dirname(resolve(file)));
}
