/**
 * What lamina knows about a layer or a function when it verifies them: lamina's own types, filled
 * in by the fetcher and the pipeline from AWS answers, bundle sources and the inventory. Field
 * names that mirror an AWS API keep the API's spelling so they can be checked against its
 * documentation; nothing here depends on the AWS SDK's types.
 */
import type { FunctionEnvironment } from './function-environment.js';
import type { FunctionStart } from './function-handler.js';
import type { Inventory } from './inventory.js';

/**
 * The parts of a Signer DescribeSigningJob answer the checks read.
 * https://docs.aws.amazon.com/signer/latest/api/API_DescribeSigningJob.html
 */
export interface SigningJobFacts {
  jobId?: string;
  status?: string;
  statusReason?: string;
  platformId?: string;
  profileName?: string;
  profileVersion?: string;
  jobOwner?: string;
  createdAt?: Date;
  completedAt?: Date;
  signatureExpiresAt?: Date;
  revocationRecord?: { reason?: string; revokedAt?: Date; revokedBy?: string };
  signedObject?: { s3?: { bucketName?: string; key?: string } };
}

/**
 * The parts of a Signer GetSigningProfile answer the checks read.
 * https://docs.aws.amazon.com/signer/latest/api/API_GetSigningProfile.html
 */
export interface SigningProfileFacts {
  profileName?: string;
  profileVersion?: string;
  profileVersionArn?: string;
  arn?: string;
  status?: string;
  platformId?: string;
  revocationRecord?: { revocationEffectiveFrom?: Date; revokedAt?: Date; revokedBy?: string };
}

/** AWS Signer facts about one layer version. */
export interface SignerEvidence {
  /** From GetLayerVersion `Content`; both absent for an unsigned layer. */
  layerVersion: { SigningProfileVersionArn?: string; SigningJobArn?: string };
  /** DescribeSigningJob for the job in SigningJobArn (absent: could not be read). */
  job?: SigningJobFacts;
  /** GetSigningProfile for the job's profile (absent: could not be read). */
  profile?: SigningProfileFacts;
  /** Hex sha256 of the signed object Signer wrote to S3, when it could be read. */
  signedObjectSha256?: string;
  /** Why the signed object could not be hashed, when a read was attempted and failed. */
  signedObjectProblem?: string;
}

/** A Sigstore bundle found for a layer, as parsed JSON (untrusted). */
export interface FoundBundle {
  /** Where it came from (file path, URL), for the report. */
  source: string;
  bundle: unknown;
}

/**
 * Facts a policy rule may match on that a layer not yet published lacks (`--account`,
 * `--region`); an ARN implies both.
 */
export interface LayerFacts {
  account?: string;
  region?: string;
}

/** Everything known about one layer. */
export interface LayerEvidence {
  /** Display name: the zip file name or the layer version ARN. */
  name: string;
  /** Layer name rules match against (e.g. from --layer-name or the ARN). */
  layerName?: string;
  /** Layer version ARN, when known (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`). */
  arn?: string;
  /** Owner account and region, when given for a local zip (an ARN implies both). */
  account?: string;
  region?: string;
  /** Hex sha256 of the zip bytes. */
  sha256: string;
  /** Lambda's CodeSha256 (base64), when known; must equal `sha256`. */
  codeSha256?: string;
  /**
   * The zip bytes, when at hand (see MAX_BYTES_FOR_SIGSTORE in src/verify/evidence.ts):
   * Sigstore then verifies over bytes rather than the digest, which pure-EdDSA signatures need.
   */
  bytes?: Buffer;
  inventory?: Inventory;
  bundles: FoundBundle[];
  /** Bundle sources that could not be read (reported with the Sigstore checks). */
  bundleErrors?: string[];
  signer?: SignerEvidence;
}

/** A layer as a function configuration lists it. */
export interface FunctionLayer {
  arn: string;
  /** Owner account; defaults to the account field of the ARN. */
  owner?: string;
  signingProfileVersionArn?: string;
}

/**
 * Everything known about one function. The code signing config follows Lambda's
 * GetCodeSigningConfig `CodeSigningConfig`:
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetCodeSigningConfig.html
 */
export interface FunctionEvidence {
  name: string;
  arn?: string;
  /** undefined when the function has none. */
  codeSigningConfig?: {
    CodeSigningConfigArn?: string;
    AllowedPublishers?: { SigningProfileVersionArns?: string[] };
    CodeSigningPolicies?: { UntrustedArtifactOnDeployment?: string };
  };
  layers: FunctionLayer[];
  /** The variables of its configuration that make the runtime load code, or why unread. */
  environment: FunctionEnvironment;
  /** Its package type, runtime and Handler: what the runtime loads first. */
  start: FunctionStart;
}
