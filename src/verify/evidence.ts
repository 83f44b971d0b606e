/**
 * What the verifier is given about a layer or function. Gathering it (zip download, SDK calls,
 * bundle lookup) is the CLI's and fetcher's job; the verifier itself is pure.
 */
import type { DescribeSigningJobResponse, GetSigningProfileResponse } from '@aws-sdk/client-signer';
import type { Inventory } from '../model/inventory.js';

/**
 * AWS Signer facts about one layer version.
 * Shapes: Lambda GetLayerVersion `Content`, Signer DescribeSigningJob and GetSigningProfile outputs
 * (see shared reference aws-signer-and-lambda.md §2).
 */
export interface SignerEvidence {
  /** From GetLayerVersion `Content`; both absent for an unsigned layer. */
  layerVersion: { SigningProfileVersionArn?: string; SigningJobArn?: string };
  /** DescribeSigningJob output for the job in SigningJobArn (absent: could not be read). */
  job?: Partial<DescribeSigningJobResponse>;
  /** GetSigningProfile output for the job's profile (absent: could not be read). */
  profile?: Partial<GetSigningProfileResponse>;
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
   * The zip bytes, when at hand (see MAX_BYTES_FOR_SIGSTORE): Sigstore then verifies over
   * bytes rather than the digest, which pure-EdDSA signatures need.
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

/** Everything known about one function. Shapes follow Lambda GetCodeSigningConfig/GetFunction. */
export interface FunctionEvidence {
  name: string;
  arn?: string;
  /** GetCodeSigningConfig `CodeSigningConfig`; undefined when the function has none. */
  codeSigningConfig?: {
    CodeSigningConfigArn?: string;
    AllowedPublishers?: { SigningProfileVersionArns?: string[] };
    CodeSigningPolicies?: { UntrustedArtifactOnDeployment?: string };
  };
  layers: FunctionLayer[];
}

/**
 * Source of AWS Signer evidence for a layer version; src/fetch/aws/signer.ts implements it
 * with the SDK (GetLayerVersionByArn, DescribeSigningJob, GetSigningProfile, S3 GetObject).
 */
export interface SignerEvidenceSource {
  /** Gather the evidence; rejects when AWS cannot be reached (the CLI then exits 3). */
  forLayerVersion(layerVersionArn: string): Promise<SignerEvidence>;
}

/**
 * Largest layer whose bytes are held in memory for Sigstore verification. Larger layers,
 * and layers without bundles, are verified by digest: ECDSA and RSA signatures verify over
 * the sha256 alone; pure-EdDSA signatures then fail closed.
 */
export const MAX_BYTES_FOR_SIGSTORE = 64 * 1024 * 1024;
