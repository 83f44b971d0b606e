/**
 * AWS Signer evidence for a layer version: DescribeSigningJob for the job in the layer's
 * SigningJobArn and GetSigningProfile for the profile in its SigningProfileVersionArn
 * (https://docs.aws.amazon.com/signer/latest/api/API_DescribeSigningJob.html,
 * https://docs.aws.amazon.com/signer/latest/api/API_GetSigningProfile.html). A call that fails
 * with an answer (access denied, not found, throttled past every retry) leaves that part of the
 * evidence absent, so the pure check fails closed; only an endpoint that never answers is
 * thrown (exit 3). The signed object Signer wrote to S3 (DescribeSigningJob
 * `signedObject.s3`) is hashed too, binding the job to these bytes; when it cannot be read the
 * reason is kept with the evidence and the check fails on it.
 */
import type {
  DescribeSigningJobResponse,
  GetSigningProfileResponse,
  SignerClient,
} from '@aws-sdk/client-signer';
import { parseSigningJobArn, parseSigningProfileVersionArn } from '../../model/arn.js';
import type { SignerEvidence, SigningJobFacts, SigningProfileFacts } from '../../model/evidence.js';
import { FetchError } from '../errors.js';
import type { RetryPolicy } from '../retry.js';
import { DEFAULT_PRINCIPAL, type ClientFactory, type Principal } from './clients.js';
import type { LayerContent } from './enumerate.js';
import { classifyApiError, isTransient, withRetry } from './errors.js';
import { MAX_SIGNED_OBJECT_BYTES, SdkS3Reader, type S3Reader } from './s3.js';
import { signerSdk } from './sdk.js';

/** Signer evidence plus why any part of it is missing (for the report). */
export interface GatheredSignerEvidence {
  evidence: SignerEvidence;
  /** One line per call that did not give evidence, e.g. `DescribeSigningJob x: AccessDenied…`. */
  problems: string[];
}

/** Options for {@link SdkSignerEvidence}. */
export interface SdkSignerOptions {
  /**
   * Principals to ask, in order: a signing job is only visible to its owner's account, so with
   * `--role-arn` into the signer's account the job can still be read. Default: base credentials.
   */
  principals?: Principal[];
  /** Our retries of a call the SDK gave up on (the run's `RetryPlan.api`). */
  retry: RetryPolicy;
  /** Reads the signed object; default an SDK reader with the same factory and principals. */
  s3?: S3Reader;
  /** Largest signed object hashed (default {@link MAX_SIGNED_OBJECT_BYTES}). */
  maxSignedObjectBytes?: number;
}

/** True when the request never got an HTTP answer (refused, reset, timed out). */
function unreachable(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined && isTransient(err);
}

/** Signer evidence over the SDK, with the clients of a {@link ClientFactory}. */
export class SdkSignerEvidence {
  private readonly principals: Principal[];
  private readonly retry: RetryPolicy;
  private readonly maxSignedObjectBytes: number;
  /** S3 reads with this run's settings; also what `s3://` bundle sources are read with. */
  readonly s3: S3Reader;

  constructor(
    private readonly factory: ClientFactory,
    options: SdkSignerOptions
  ) {
    this.principals = options.principals?.length ? options.principals : [DEFAULT_PRINCIPAL];
    this.retry = options.retry;
    this.maxSignedObjectBytes = options.maxSignedObjectBytes ?? MAX_SIGNED_OBJECT_BYTES;
    this.s3 =
      options.s3 ?? new SdkS3Reader(factory, { principals: this.principals, retry: this.retry });
  }

  /** Ask each principal in turn; the first answer wins. Unreachable endpoints throw. */
  private async ask<T>(
    what: string,
    region: string,
    call: (c: SignerClient) => Promise<T>
  ): Promise<{ ok: T } | { problem: string }> {
    const problems: string[] = [];
    for (const p of this.principals) {
      try {
        const client = await this.factory.signer(p, region);
        return { ok: await withRetry(this.retry, () => call(client)) };
      } catch (err) {
        if (unreachable(err)) {
          const f = classifyApiError(err, what);
          throw new FetchError({ code: f.code, message: f.reason, cause: err });
        }
        const f = classifyApiError(err, what);
        problems.push(this.principals.length > 1 ? `${f.reason} (as ${p.label})` : f.reason);
      }
    }
    return { problem: problems.join('; ') };
  }

  /**
   * Evidence for a layer version whose Content is already known (from GetLayerVersionByArn).
   * @throws FetchError when the Signer endpoint cannot be reached at all
   */
  async forContent(
    content: Pick<LayerContent, 'signingProfileVersionArn' | 'signingJobArn'>
  ): Promise<GatheredSignerEvidence> {
    const { DescribeSigningJobCommand, GetSigningProfileCommand } = signerSdk();
    const versionArn = content.signingProfileVersionArn;
    const jobArn = content.signingJobArn;
    const evidence: SignerEvidence = {
      layerVersion: {
        ...(versionArn ? { SigningProfileVersionArn: versionArn } : {}),
        ...(jobArn ? { SigningJobArn: jobArn } : {}),
      },
    };
    const problems: string[] = [];
    if (!versionArn || !jobArn) return { evidence, problems };

    const job = parseSigningJobArn(jobArn);
    if (!job) problems.push(`SigningJobArn ${jobArn} is not a signing job ARN`);
    else {
      const got = await this.ask(`DescribeSigningJob ${job.jobId}`, job.region, (c) =>
        c.send(new DescribeSigningJobCommand({ jobId: job.jobId }))
      );
      if ('ok' in got) {
        evidence.job = jobFacts(got.ok);
        await this.hashSignedObject(evidence, job.region, problems);
      } else problems.push(got.problem);
    }

    const pv = parseSigningProfileVersionArn(versionArn);
    if (!pv) problems.push(`SigningProfileVersionArn ${versionArn} is not a profile version ARN`);
    else {
      // profileOwner is always given: it names the owner explicitly for a cross-account profile
      // and is the caller's own account otherwise.
      const got = await this.ask(`GetSigningProfile ${pv.profileName}`, pv.region, (c) =>
        c.send(
          new GetSigningProfileCommand({ profileName: pv.profileName, profileOwner: pv.owner })
        )
      );
      if ('ok' in got) evidence.profile = profileFacts(got.ok);
      else problems.push(got.problem);
    }
    return { evidence, problems };
  }

  /**
   * sha256 of the job's signedObject.s3 into `evidence`, or the reason it could not be read.
   * A job that did not succeed has no signed object; the check fails on its status instead.
   * @throws FetchError when S3 cannot be reached at all
   */
  private async hashSignedObject(
    evidence: SignerEvidence,
    region: string,
    problems: string[]
  ): Promise<void> {
    const job = evidence.job;
    if (job?.status !== 'Succeeded') return;
    const loc = job.signedObject?.s3;
    if (!loc?.bucketName || !loc.key) {
      evidence.signedObjectProblem = `DescribeSigningJob ${String(job.jobId)} names no signedObject.s3`;
      problems.push(evidence.signedObjectProblem);
      return;
    }
    const what = `GetObject s3://${loc.bucketName}/${loc.key}`;
    try {
      const got = await this.s3.sha256(loc.bucketName, loc.key, this.maxSignedObjectBytes, region);
      evidence.signedObjectSha256 = got.sha256;
    } catch (err) {
      if (unreachable(err)) {
        const f = classifyApiError(err, what);
        throw new FetchError({ code: f.code, message: f.reason, cause: err });
      }
      evidence.signedObjectProblem = classifyApiError(err, what).reason;
      problems.push(evidence.signedObjectProblem);
    }
  }
}

/** What the checks read of a DescribeSigningJob answer. */
function jobFacts(r: DescribeSigningJobResponse): SigningJobFacts {
  const revoked = r.revocationRecord;
  const s3 = r.signedObject?.s3;
  return {
    jobId: r.jobId,
    status: r.status,
    statusReason: r.statusReason,
    platformId: r.platformId,
    profileName: r.profileName,
    profileVersion: r.profileVersion,
    jobOwner: r.jobOwner,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    signatureExpiresAt: r.signatureExpiresAt,
    ...(revoked
      ? {
          revocationRecord: {
            reason: revoked.reason,
            revokedAt: revoked.revokedAt,
            revokedBy: revoked.revokedBy,
          },
        }
      : {}),
    ...(s3 ? { signedObject: { s3: { bucketName: s3.bucketName, key: s3.key } } } : {}),
  };
}

/** What the checks read of a GetSigningProfile answer. */
function profileFacts(r: GetSigningProfileResponse): SigningProfileFacts {
  const revoked = r.revocationRecord;
  return {
    profileName: r.profileName,
    profileVersion: r.profileVersion,
    profileVersionArn: r.profileVersionArn,
    arn: r.arn,
    status: r.status,
    platformId: r.platformId,
    ...(revoked
      ? {
          revocationRecord: {
            revocationEffectiveFrom: revoked.revocationEffectiveFrom,
            revokedAt: revoked.revokedAt,
            revokedBy: revoked.revokedBy,
          },
        }
      : {}),
  };
}

/** What {@link revocationStatusCall} sends: GetRevocationStatus's input and where it goes. */
export interface RevocationStatusRequest {
  readonly signatureTimestamp: Date;
  readonly platformId: string;
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly certificateHashes: readonly string[];
  /** The signing profile's Region: the call goes there. */
  readonly region: string;
}

/**
 * AWS Signer's GetRevocationStatus over the SDK
 * (https://docs.aws.amazon.com/signer/latest/api/API_GetRevocationStatus.html), in the signing
 * profile's Region, as the base principal. Errors are thrown: what a failed call means
 * (`revocation: required | best-effort`) is the verifier's to decide.
 */
export function revocationStatusCall(
  factory: ClientFactory,
  retry: RetryPolicy,
  principal: Principal = DEFAULT_PRINCIPAL
): (request: RevocationStatusRequest) => Promise<{ revokedEntities?: string[] | undefined }> {
  return async (r) => {
    const { GetRevocationStatusCommand } = signerSdk();
    const client = await factory.signer(principal, r.region);
    const out = await withRetry(retry, () =>
      client.send(
        new GetRevocationStatusCommand({
          signatureTimestamp: r.signatureTimestamp,
          platformId: r.platformId,
          profileVersionArn: r.profileVersionArn,
          jobArn: r.jobArn,
          certificateHashes: [...r.certificateHashes],
        })
      )
    );
    return { revokedEntities: out.revokedEntities };
  };
}
