/**
 * The estate file: a YAML description of the accounts, layers, functions and
 * signing resources the local endpoint serves. Format documented in
 * testdata/estates/README.md.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { BaseError } from '../../src/errors.js';
import { regionIndex } from './estate-index.js';

/** Why an estate could not be loaded. */
export type EstateErrorCode = 'ESTATE_UNREADABLE' | 'ESTATE_INVALID';

/** A bad estate file; `field` names the offending path (e.g. `accounts.111111111111.regions.us-east-1.layers[0].name`). */
export class EstateError extends BaseError<EstateErrorCode> {
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

export interface FunctionVersion {
  version: string;
  layers: string[];
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
  description: string;
  memorySize: number;
  timeout: number;
  lastModified: string;
  /** Full layer version ARNs, in attach order. */
  layers: string[];
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
const ACCOUNT_RE = /^\d{12}$/;
const NAME_RE = /^[a-zA-Z0-9-_]{1,140}$/;
const CSC_ID_RE = /^csc-[a-z0-9]{17}$/;

type Obj = Record<string, unknown>;

// Small typed readers that report the full field path on error.
function bad(field: string, message: string): never {
  throw new EstateError('ESTATE_INVALID', message, field);
}
function asObj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'must be a mapping');
  return v as Obj;
}
function asList(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad(field, 'must be a list');
  return v;
}
function optStr(o: Obj, key: string, field: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'string' && typeof v !== 'number') bad(`${field}.${key}`, 'must be a string');
  return String(v);
}
function reqStr(o: Obj, key: string, field: string): string {
  const v = optStr(o, key, field);
  if (v === undefined || v === '') bad(`${field}.${key}`, 'is required');
  return v;
}
function optNum(o: Obj, key: string, field: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${field}.${key}`, 'must be a number');
  return v;
}
function optBool(o: Obj, key: string, field: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(`${field}.${key}`, 'must be true or false');
  return v;
}
function strList(o: Obj, key: string, field: string): string[] {
  return asList(o[key], `${field}.${key}`).map((v, i) => {
    if (typeof v !== 'string' && typeof v !== 'number')
      bad(`${field}.${key}[${i}]`, 'must be a string');
    return String(v);
  });
}
function oneOf<T extends string>(
  o: Obj,
  key: string,
  field: string,
  allowed: readonly T[],
  dflt: T
): T {
  const v = optStr(o, key, field) ?? dflt;
  if (!allowed.includes(v as T)) bad(`${field}.${key}`, `must be one of ${allowed.join(', ')}`);
  return v as T;
}
function optDate(o: Obj, key: string, field: string): Date | undefined {
  const s = optStr(o, key, field);
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) bad(`${field}.${key}`, 'must be an ISO 8601 date-time');
  return d;
}
function reqDate(o: Obj, key: string, field: string): Date {
  const d = optDate(o, key, field);
  if (!d) bad(`${field}.${key}`, 'is required');
  return d;
}
/** Lambda's own date format: `2024-01-01T00:00:00.000+0000`. */
export function lambdaDate(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}
function lambdaDateField(o: Obj, key: string, field: string): string {
  const d = optDate(o, key, field);
  return d ? lambdaDate(d) : DEFAULT_DATE;
}
function unknownKeys(o: Obj, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      bad(`${field}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

function readContent(
  o: Obj,
  field: string,
  baseDir: string,
  required: boolean
): ContentSpec | undefined {
  const zip = optStr(o, 'zip', field);
  const gen = o['generate'];
  if (zip !== undefined && gen !== undefined) bad(field, 'give either zip or generate, not both');
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
  if (gen !== undefined) {
    const g = asObj(gen, `${field}.generate`);
    unknownKeys(g, ['files'], `${field}.generate`);
    const files = asObj(g['files'], `${field}.generate.files`);
    const out: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      if (typeof content !== 'string') bad(`${field}.generate.files.${name}`, 'must be a string');
      out[name] = content;
    }
    if (Object.keys(out).length === 0)
      bad(`${field}.generate.files`, 'must name at least one file');
    return { $case: 'generate', files: out };
  }
  if (required) bad(field, 'needs zip or generate');
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
  o: Obj,
  field: string,
  partition: string,
  region: string,
  account: string
): string[] {
  return strList(o, 'layers', field).map((ref, i) => {
    if (ref.startsWith('arn:')) {
      const p = parseLayerVersionArn(ref);
      if (!p) bad(`${field}.layers[${i}]`, 'not a layer version ARN');
      if (p.region !== region)
        bad(`${field}.layers[${i}]`, `layer must be in the function's region ${region}`);
      return ref;
    }
    const m = /^([a-zA-Z0-9-_]+):(\d+)$/.exec(ref);
    if (!m) bad(`${field}.layers[${i}]`, 'must be NAME:VERSION or a layer version ARN');
    return `${layerArn(partition, region, account, m[1] ?? '')}:${m[2]}`;
  });
}

function readRegion(
  raw: Obj,
  field: string,
  ctx: { partition: string; region: string; account: string; baseDir: string }
): RegionEstate {
  unknownKeys(
    raw,
    ['layers', 'functions', 'signingProfiles', 'signingJobs', 'codeSigningConfigs'],
    field
  );
  const layers = asList(raw['layers'], `${field}.layers`).map((l, i): Layer => {
    const f = `${field}.layers[${i}]`;
    const o = asObj(l, f);
    unknownKeys(o, ['name', 'versions'], f);
    const name = reqStr(o, 'name', f);
    if (!NAME_RE.test(name)) bad(`${f}.name`, 'must match [a-zA-Z0-9-_]{1,140}');
    const versions = asList(o['versions'], `${f}.versions`).map((v, j): LayerVersion => {
      const vf = `${f}.versions[${j}]`;
      const vo = asObj(v, vf);
      unknownKeys(
        vo,
        [
          'version',
          'zip',
          'generate',
          'description',
          'createdDate',
          'compatibleRuntimes',
          'compatibleArchitectures',
          'licenseInfo',
          'signingJob',
          'public',
          'sharedWith',
          'deleted',
          'tampered',
        ],
        vf
      );
      const version = optNum(vo, 'version', vf) ?? j + 1;
      if (!Number.isInteger(version) || version < 1)
        bad(`${vf}.version`, 'must be a positive integer');
      const arch = strList(vo, 'compatibleArchitectures', vf);
      arch.forEach((a, k) => {
        if (a !== 'x86_64' && a !== 'arm64')
          bad(`${vf}.compatibleArchitectures[${k}]`, 'must be x86_64 or arm64');
      });
      const sharedWith = strList(vo, 'sharedWith', vf);
      sharedWith.forEach((a, k) => {
        if (!ACCOUNT_RE.test(a)) bad(`${vf}.sharedWith[${k}]`, 'must be a 12-digit account id');
      });
      return {
        version,
        content: readContent(vo, vf, ctx.baseDir, true) as ContentSpec,
        description: optStr(vo, 'description', vf) ?? '',
        createdDate: lambdaDateField(vo, 'createdDate', vf),
        compatibleRuntimes: strList(vo, 'compatibleRuntimes', vf),
        compatibleArchitectures: arch,
        licenseInfo: optStr(vo, 'licenseInfo', vf),
        signingJob: optStr(vo, 'signingJob', vf),
        public: optBool(vo, 'public', vf),
        sharedWith,
        deleted: optBool(vo, 'deleted', vf),
        tampered: optBool(vo, 'tampered', vf),
      };
    });
    const seen = new Set<number>();
    versions.forEach((v, j) => {
      if (seen.has(v.version)) bad(`${f}.versions[${j}].version`, `duplicate version ${v.version}`);
      seen.add(v.version);
    });
    versions.sort((a, b) => a.version - b.version);
    return { name, versions };
  });

  const signingProfiles = asList(raw['signingProfiles'], `${field}.signingProfiles`).map(
    (p, i): SigningProfile => {
      const f = `${field}.signingProfiles[${i}]`;
      const o = asObj(p, f);
      unknownKeys(
        o,
        [
          'name',
          'version',
          'status',
          'statusReason',
          'platformId',
          'platformDisplayName',
          'signatureValidityPeriod',
          'revocation',
          'sharedWith',
          'tags',
        ],
        f
      );
      const svp =
        o['signatureValidityPeriod'] === undefined
          ? {}
          : asObj(o['signatureValidityPeriod'], `${f}.signatureValidityPeriod`);
      let revocation: SigningProfile['revocation'];
      if (o['revocation'] !== undefined) {
        const r = asObj(o['revocation'], `${f}.revocation`);
        revocation = {
          effectiveFrom: reqDate(r, 'effectiveFrom', `${f}.revocation`),
          revokedAt: reqDate(r, 'revokedAt', `${f}.revocation`),
          revokedBy:
            optStr(r, 'revokedBy', `${f}.revocation`) ??
            `arn:${ctx.partition}:iam::${ctx.account}:root`,
        };
      }
      const tags: Record<string, string> = {};
      if (o['tags'] !== undefined) {
        for (const [k, v] of Object.entries(asObj(o['tags'], `${f}.tags`))) tags[k] = String(v);
      }
      return {
        name: reqStr(o, 'name', f),
        version: reqStr(o, 'version', f),
        status: oneOf(o, 'status', f, ['Active', 'Canceled', 'Revoked'] as const, 'Active'),
        statusReason: optStr(o, 'statusReason', f),
        platformId: optStr(o, 'platformId', f) ?? 'AWSLambda-SHA384-ECDSA',
        platformDisplayName: optStr(o, 'platformDisplayName', f) ?? 'AWS Lambda',
        signatureValidityPeriod: {
          value: optNum(svp, 'value', `${f}.signatureValidityPeriod`) ?? 135,
          type: oneOf(
            svp,
            'type',
            `${f}.signatureValidityPeriod`,
            ['DAYS', 'MONTHS', 'YEARS'] as const,
            'MONTHS'
          ),
        },
        revocation,
        sharedWith: strList(o, 'sharedWith', f),
        tags,
      };
    }
  );

  const signingJobs = asList(raw['signingJobs'], `${field}.signingJobs`).map((j, i): SigningJob => {
    const f = `${field}.signingJobs[${i}]`;
    const o = asObj(j, f);
    unknownKeys(
      o,
      [
        'jobId',
        'profile',
        'profileVersion',
        'status',
        'statusReason',
        'createdAt',
        'completedAt',
        'signatureExpiresAt',
        'requestedBy',
        'revocation',
        'source',
        'signedObject',
      ],
      f
    );
    const profileName = reqStr(o, 'profile', f);
    const profile = signingProfiles.find((p) => p.name === profileName);
    if (!profile)
      bad(`${f}.profile`, `no signing profile named ${profileName} in this account and region`);
    const jobId = reqStr(o, 'jobId', f);
    const src = o['source'] === undefined ? {} : asObj(o['source'], `${f}.source`);
    const so = o['signedObject'] === undefined ? {} : asObj(o['signedObject'], `${f}.signedObject`);
    let revocation: SigningJob['revocation'];
    if (o['revocation'] !== undefined) {
      const r = asObj(o['revocation'], `${f}.revocation`);
      revocation = {
        reason: reqStr(r, 'reason', `${f}.revocation`),
        revokedAt: reqDate(r, 'revokedAt', `${f}.revocation`),
        revokedBy:
          optStr(r, 'revokedBy', `${f}.revocation`) ??
          `arn:${ctx.partition}:iam::${ctx.account}:root`,
      };
    }
    const bucket = `signer-${ctx.account}-${ctx.region}`;
    return {
      jobId,
      profileName,
      profileVersion: optStr(o, 'profileVersion', f) ?? profile.version,
      status: oneOf(o, 'status', f, ['InProgress', 'Failed', 'Succeeded'] as const, 'Succeeded'),
      statusReason: optStr(o, 'statusReason', f),
      createdAt: reqDate(o, 'createdAt', f),
      completedAt: optDate(o, 'completedAt', f),
      signatureExpiresAt: optDate(o, 'signatureExpiresAt', f),
      requestedBy: optStr(o, 'requestedBy', f),
      revocation,
      source: {
        bucketName: optStr(src, 'bucketName', `${f}.source`) ?? bucket,
        key: optStr(src, 'key', `${f}.source`) ?? `unsigned/${jobId}.zip`,
        version: optStr(src, 'version', `${f}.source`) ?? '1',
      },
      signedObject: {
        bucketName: optStr(so, 'bucketName', `${f}.signedObject`) ?? bucket,
        key: optStr(so, 'key', `${f}.signedObject`) ?? `signed/${jobId}.zip`,
      },
    };
  });

  const codeSigningConfigs = asList(raw['codeSigningConfigs'], `${field}.codeSigningConfigs`).map(
    (c, i): CodeSigningConfig => {
      const f = `${field}.codeSigningConfigs[${i}]`;
      const o = asObj(c, f);
      unknownKeys(o, ['id', 'description', 'allowedPublishers', 'policy', 'lastModified'], f);
      const id = reqStr(o, 'id', f);
      if (!CSC_ID_RE.test(id))
        bad(`${f}.id`, 'must look like csc-0123456789abcdef0 (csc- and 17 [a-z0-9])');
      const allowedPublishers = strList(o, 'allowedPublishers', f);
      if (allowedPublishers.length === 0)
        bad(`${f}.allowedPublishers`, 'must list at least one profile version ARN');
      return {
        id,
        description: optStr(o, 'description', f) ?? '',
        allowedPublishers,
        policy: oneOf(o, 'policy', f, ['Warn', 'Enforce'] as const, 'Warn'),
        lastModified: lambdaDateField(o, 'lastModified', f),
      };
    }
  );

  const functions = asList(raw['functions'], `${field}.functions`).map((fn, i): LambdaFunction => {
    const f = `${field}.functions[${i}]`;
    const o = asObj(fn, f);
    unknownKeys(
      o,
      [
        'name',
        'runtime',
        'handler',
        'role',
        'architectures',
        'packageType',
        'imageUri',
        'description',
        'memorySize',
        'timeout',
        'lastModified',
        'layers',
        'codeSigningConfig',
        'zip',
        'generate',
        'versions',
      ],
      f
    );
    const name = reqStr(o, 'name', f);
    if (!NAME_RE.test(name) || name.length > 64) bad(`${f}.name`, 'must match [a-zA-Z0-9-_]{1,64}');
    const packageType = oneOf(o, 'packageType', f, ['Zip', 'Image'] as const, 'Zip');
    const architectures = strList(o, 'architectures', f);
    architectures.forEach((a, k) => {
      if (a !== 'x86_64' && a !== 'arm64')
        bad(`${f}.architectures[${k}]`, 'must be x86_64 or arm64');
    });
    const csc = optStr(o, 'codeSigningConfig', f);
    if (csc !== undefined && !codeSigningConfigs.some((c) => c.id === csc)) {
      bad(`${f}.codeSigningConfig`, `no code signing config ${csc} in this account and region`);
    }
    const lastModified = lambdaDateField(o, 'lastModified', f);
    const description = optStr(o, 'description', f) ?? '';
    const versions = asList(o['versions'], `${f}.versions`).map((v, j): FunctionVersion => {
      const vf = `${f}.versions[${j}]`;
      const vo = asObj(v, vf);
      unknownKeys(vo, ['version', 'layers', 'description', 'lastModified'], vf);
      const version = optStr(vo, 'version', vf) ?? String(j + 1);
      if (!/^[1-9]\d*$/.test(version)) bad(`${vf}.version`, 'must be a positive integer');
      return {
        version,
        layers: readLayerRefs(vo, vf, ctx.partition, ctx.region, ctx.account),
        description: optStr(vo, 'description', vf) ?? description,
        lastModified:
          vo['lastModified'] === undefined ? lastModified : lambdaDateField(vo, 'lastModified', vf),
      };
    });
    return {
      name,
      runtime: packageType === 'Zip' ? (optStr(o, 'runtime', f) ?? 'nodejs20.x') : undefined,
      handler: packageType === 'Zip' ? (optStr(o, 'handler', f) ?? 'index.handler') : undefined,
      role: optStr(o, 'role', f) ?? `arn:${ctx.partition}:iam::${ctx.account}:role/${name}-role`,
      architectures: architectures.length ? architectures : ['x86_64'],
      packageType,
      imageUri: optStr(o, 'imageUri', f),
      description,
      memorySize: optNum(o, 'memorySize', f) ?? 128,
      timeout: optNum(o, 'timeout', f) ?? 3,
      lastModified,
      layers: readLayerRefs(o, f, ctx.partition, ctx.region, ctx.account),
      codeSigningConfig: csc,
      code: readContent(o, f, ctx.baseDir, false) ?? {
        $case: 'generate',
        files: { 'index.js': `exports.handler = async () => ${JSON.stringify(name)};\n` },
      },
      versions,
    };
  });

  return { layers, functions, signingProfiles, signingJobs, codeSigningConfigs };
}

/** Validates a parsed estate document. `baseDir` anchors relative zip paths. */
export function parseEstate(doc: unknown, baseDir: string): Estate {
  const root = asObj(doc, '(root)');
  unknownKeys(root, ['partition', 'homeAccount', 'accounts', 's3'], '(root)');
  const partition = optStr(root, 'partition', '(root)') ?? 'aws';
  const rawAccounts = asObj(root['accounts'], 'accounts');
  const accounts = new Map<string, Account>();
  const keyOwners = new Map<string, string>();
  for (const [id, rawAccount] of Object.entries(rawAccounts)) {
    const field = `accounts.${id}`;
    if (!ACCOUNT_RE.test(id)) bad(field, 'account id must be 12 digits (quote it in YAML)');
    const o = asObj(rawAccount, field);
    unknownKeys(o, ['name', 'accessKeys', 'roles', 'regions'], field);
    const accessKeys = asList(o['accessKeys'], `${field}.accessKeys`).map((k, i): AccessKey => {
      const f = `${field}.accessKeys[${i}]`;
      const ko = asObj(k, f);
      unknownKeys(ko, ['accessKeyId', 'secretAccessKey'], f);
      const accessKeyId = reqStr(ko, 'accessKeyId', f);
      if (keyOwners.has(accessKeyId))
        bad(`${f}.accessKeyId`, `already used by account ${keyOwners.get(accessKeyId)}`);
      keyOwners.set(accessKeyId, id);
      return { accessKeyId, secretAccessKey: reqStr(ko, 'secretAccessKey', f) };
    });
    const roles = asList(o['roles'], `${field}.roles`).map((r, i): Role => {
      const f = `${field}.roles[${i}]`;
      const ro = asObj(r, f);
      unknownKeys(ro, ['name', 'trustedAccounts'], f);
      return {
        name: reqStr(ro, 'name', f),
        trustedAccounts:
          ro['trustedAccounts'] === undefined ? undefined : strList(ro, 'trustedAccounts', f),
      };
    });
    const regions = new Map<string, RegionEstate>();
    const rawRegions = o['regions'] === undefined ? {} : asObj(o['regions'], `${field}.regions`);
    for (const [region, rr] of Object.entries(rawRegions)) {
      const rf = `${field}.regions.${region}`;
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) bad(rf, 'not a region name like us-east-1');
      regions.set(
        region,
        readRegion(rr === null ? {} : asObj(rr, rf), rf, {
          partition,
          region,
          account: id,
          baseDir,
        })
      );
    }
    accounts.set(id, { id, name: optStr(o, 'name', field) ?? id, accessKeys, roles, regions });
  }
  if (accounts.size === 0) bad('accounts', 'must define at least one account');
  const homeAccount = optStr(root, 'homeAccount', '(root)') ?? [...accounts.keys()][0] ?? '';
  if (!accounts.has(homeAccount))
    bad('homeAccount', `account ${homeAccount} is not defined under accounts`);
  const home = accounts.get(homeAccount);
  if (home && home.accessKeys.length === 0)
    bad(`accounts.${homeAccount}.accessKeys`, 'the home account needs an access key');

  const estate: Estate = { partition, homeAccount, accounts, baseDir };
  if (root['s3'] !== undefined && root['s3'] !== null) {
    estate.s3 = readS3(asObj(root['s3'], 's3'), homeAccount, accounts, baseDir);
  }
  crossCheck(estate);
  return estate;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The `s3:` section: `buckets: { NAME: { account?, sharedWith?, objects: { KEY: spec } } }`. */
function readS3(
  raw: Obj,
  homeAccount: string,
  accounts: Map<string, Account>,
  baseDir: string
): S3Estate {
  unknownKeys(raw, ['buckets'], 's3');
  const buckets = new Map<string, S3Bucket>();
  const rawBuckets = raw['buckets'] == null ? {} : asObj(raw['buckets'], 's3.buckets');
  for (const [name, rb] of Object.entries(rawBuckets)) {
    const f = `s3.buckets.${name}`;
    if (!BUCKET_RE.test(name)) bad(f, 'not a valid S3 bucket name');
    const o = rb == null ? {} : asObj(rb, f);
    unknownKeys(o, ['account', 'sharedWith', 'objects'], f);
    const account = optStr(o, 'account', f) ?? homeAccount;
    if (!accounts.has(account)) bad(`${f}.account`, `account ${account} is not defined`);
    const sharedWith = strList(o, 'sharedWith', f);
    sharedWith.forEach((a, k) => {
      if (!ACCOUNT_RE.test(a)) bad(`${f}.sharedWith[${k}]`, 'must be a 12-digit account id');
    });
    const objects = new Map<string, S3ObjectSpec>();
    const rawObjects = o['objects'] == null ? {} : asObj(o['objects'], `${f}.objects`);
    for (const [key, ro] of Object.entries(rawObjects)) {
      const of = `${f}.objects.${key}`;
      const oo = asObj(ro, of);
      unknownKeys(oo, ['zip', 'generate', 'file', 'text'], of);
      const file = optStr(oo, 'file', of);
      const text = oo['text'];
      const given = ['zip', 'generate', 'file', 'text'].filter((k) => oo[k] !== undefined);
      if (given.length !== 1) bad(of, 'give exactly one of zip, generate, file, text');
      if (file !== undefined) {
        const path = resolve(baseDir, file);
        try {
          if (!statSync(path).isFile()) bad(`${of}.file`, `not a file: ${path}`);
        } catch (e) {
          if (e instanceof EstateError) throw e;
          bad(`${of}.file`, `no such file: ${path}`);
        }
        objects.set(key, { $case: 'file', path });
      } else if (text !== undefined) {
        if (typeof text !== 'string') bad(`${of}.text`, 'must be a string');
        objects.set(key, { $case: 'text', text });
      } else {
        objects.set(key, readContent(oo, of, baseDir, true) as ContentSpec);
      }
    }
    buckets.set(name, { name, account, sharedWith, objects });
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
