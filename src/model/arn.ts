/**
 * Amazon Resource Names: one parser per kind lamina reads. Format:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 * (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`). Lambda and Signer resource formats:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html and
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssigner.html
 */

/** The six fields every ARN has; `resource` keeps any further `:` or `/`. */
export interface Arn {
  partition: string;
  service: string;
  /** Empty for global resources. */
  region: string;
  /** Empty for resources without an account (S3 buckets). */
  account: string;
  resource: string;
}

/** Split any ARN into its fields; undefined when it is not `arn:` and five more fields. */
export function parseArn(text: string): Arn | undefined {
  const p = text.split(':');
  if (p.length < 6 || p[0] !== 'arn') return undefined;
  return {
    partition: p[1]!,
    service: p[2]!,
    region: p[3]!,
    account: p[4]!,
    resource: p.slice(5).join(':'),
  };
}

// Every partition's name starts with `aws` (aws, aws-cn, aws-us-gov, aws-iso, ...).
const HEAD = String.raw`^arn:(?<partition>aws[a-z-]*):`;
const AT = String.raw`(?<region>[a-z0-9-]+):(?<owner>\d{12})`;

const LAYER_VERSION = new RegExp(
  `${HEAD}lambda:${AT}:layer:(?<name>[A-Za-z0-9_-]+):(?<version>\\d+)$`
);
const FUNCTION = new RegExp(
  `${HEAD}lambda:${AT}:function:(?<name>[A-Za-z0-9_-]+)(?::(?<qualifier>\\$LATEST|[A-Za-z0-9_-]+))?$`
);
const PROFILE_VERSION = new RegExp(
  `${HEAD}signer:${AT}:/signing-profiles/(?<profileName>[A-Za-z0-9_]+)/(?<profileVersion>[A-Za-z0-9]+)$`
);
const SIGNING_JOB = new RegExp(`${HEAD}signer:${AT}:/signing-jobs/(?<jobId>[A-Za-z0-9-]+)$`);

/** Each pattern's group names, in the order of its groups (every group it captures is named). */
const groupNames = new WeakMap<RegExp, string[]>();

/**
 * The named groups of a match of `re` (each pattern names the fields of T), or undefined. Read
 * by number: V8 makes a match's `groups` object on first access, which cost a merge of 100,000
 * functions ~0.4 s of parsing their ARNs, ten times the match itself.
 */
function fields<T>(re: RegExp, text: string): T | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  let names = groupNames.get(re);
  if (!names)
    groupNames.set(re, (names = [...re.source.matchAll(/\(\?<(\w+)>/g)].map((g) => g[1]!)));
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i < names.length; i++) out[names[i]!] = m[i + 1];
  return out as T;
}

/** Where a resource lives: its partition and region, and the account that owns it. */
export interface ArnOwner {
  partition: string;
  region: string;
  owner: string;
}

/** A Lambda layer version ARN: `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`. */
export interface LayerVersionArn extends ArnOwner {
  name: string;
  version: number;
}

/** Parse a layer version ARN; undefined if it is not one. */
export function parseLayerVersionArn(arn: string): LayerVersionArn | undefined {
  const f = fields<ArnOwner & { name: string; version: string }>(LAYER_VERSION, arn);
  return f && { ...f, version: Number(f.version) };
}

/** A Lambda function ARN, with or without a qualifier (version or alias). */
export interface FunctionArn {
  partition: string;
  region: string;
  account: string;
  name: string;
  /** `$LATEST`, a version number or an alias; undefined for an unqualified ARN. */
  qualifier: string | undefined;
}

/** Parse a function ARN; undefined if it is not one (a bare function name is not). */
export function parseFunctionArn(arn: string): FunctionArn | undefined {
  const f = fields<ArnOwner & { name: string; qualifier?: string }>(FUNCTION, arn);
  if (!f) return undefined;
  // Named field by field: a rest pattern and a spread here were most of its cost.
  return {
    partition: f.partition,
    region: f.region,
    name: f.name,
    qualifier: f.qualifier,
    account: f.owner,
  };
}

/** The unqualified ARN of a function, as Lambda prints it. */
export function functionArn(account: string, region: string, name: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/** An AWS Signer signing profile version ARN: `…:/signing-profiles/NAME/VERSION`. */
export interface SigningProfileVersionArn extends ArnOwner {
  profileName: string;
  profileVersion: string;
  /** The profile's own ARN: this ARN without `/VERSION`. */
  profileArn: string;
}

/** Parse a signing profile version ARN; undefined if it is not one. */
export function parseSigningProfileVersionArn(arn: string): SigningProfileVersionArn | undefined {
  const f = fields<Omit<SigningProfileVersionArn, 'profileArn'>>(PROFILE_VERSION, arn);
  return f && { ...f, profileArn: arn.slice(0, arn.lastIndexOf('/')) };
}

/** An AWS Signer signing job ARN: `…:/signing-jobs/JOB_ID`. */
export interface SigningJobArn extends ArnOwner {
  jobId: string;
}

/** Parse a signing job ARN; undefined if it is not one. */
export function parseSigningJobArn(arn: string): SigningJobArn | undefined {
  return fields<SigningJobArn>(SIGNING_JOB, arn);
}
