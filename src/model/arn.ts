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
const HEAD = String.raw`^arn:(aws[a-z-]*):`;
const REGION = '([a-z0-9-]+)';
const ACCOUNT = String.raw`(\d{12})`;

const LAYER_VERSION = new RegExp(
  `${HEAD}lambda:${REGION}:${ACCOUNT}:layer:([A-Za-z0-9_-]+):(\\d+)$`
);
const FUNCTION = new RegExp(
  `${HEAD}lambda:${REGION}:${ACCOUNT}:function:([A-Za-z0-9_-]+)(?::(\\$LATEST|[A-Za-z0-9_-]+))?$`
);
const PROFILE_VERSION = new RegExp(
  `${HEAD}signer:${REGION}:${ACCOUNT}:/signing-profiles/([A-Za-z0-9_]+)/([A-Za-z0-9]+)$`
);
const SIGNING_JOB = new RegExp(`${HEAD}signer:${REGION}:${ACCOUNT}:/signing-jobs/([A-Za-z0-9-]+)$`);

/** A Lambda layer version ARN: `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`. */
export interface LayerVersionArn {
  partition: string;
  region: string;
  /** The account that published the layer. */
  owner: string;
  name: string;
  version: number;
}

/** Parse a layer version ARN; undefined if it is not one. */
export function parseLayerVersionArn(arn: string): LayerVersionArn | undefined {
  const m = LAYER_VERSION.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, owner: m[3]!, name: m[4]!, version: Number(m[5]) };
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
  const m = FUNCTION.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]!, qualifier: m[5] };
}

/** The unqualified ARN of a function, as Lambda prints it. */
export function functionArn(account: string, region: string, name: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/** An AWS Signer signing profile version ARN: `…:/signing-profiles/NAME/VERSION`. */
export interface SigningProfileVersionArn {
  partition: string;
  region: string;
  owner: string;
  profileName: string;
  profileVersion: string;
  /** The profile's own ARN: this ARN without `/VERSION`. */
  profileArn: string;
}

/** Parse a signing profile version ARN; undefined if it is not one. */
export function parseSigningProfileVersionArn(arn: string): SigningProfileVersionArn | undefined {
  const m = PROFILE_VERSION.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1]!,
    region: m[2]!,
    owner: m[3]!,
    profileName: m[4]!,
    profileVersion: m[5]!,
    profileArn: arn.slice(0, arn.lastIndexOf('/')),
  };
}

/** An AWS Signer signing job ARN: `…:/signing-jobs/JOB_ID`. */
export interface SigningJobArn {
  partition: string;
  region: string;
  owner: string;
  jobId: string;
}

/** Parse a signing job ARN; undefined if it is not one. */
export function parseSigningJobArn(arn: string): SigningJobArn | undefined {
  const m = SIGNING_JOB.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, owner: m[3]!, jobId: m[4]! };
}
