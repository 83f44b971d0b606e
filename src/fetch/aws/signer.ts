/**
 * AWS Signer evidence for a layer version through the real SDK: DescribeSigningJob for the job in
 * the layer's SigningJobArn and GetSigningProfile for the profile in its SigningProfileVersionArn
 * (shared reference aws-signer-and-lambda.md §1 item 3, §2). A call that fails with an answer
 * (access denied, not found, throttled past every retry) leaves that part of the evidence absent,
 * so the pure check fails closed; only an endpoint that never answers is thrown (exit 3).
 * The signed object Signer wrote to S3 (DescribeSigningJob.signedObject.s3) is hashed too (§1
 * "Binding to the Signer output"); when it cannot be read the reason is kept with the evidence
 * and the check fails on it.
 */
import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  SignerClient,
  type DescribeSigningJobResponse,
  type GetSigningProfileResponse,
} from '@aws-sdk/client-signer';
import type { SignerEvidence, SignerEvidenceSource } from '../../verify/evidence.js';
import { FetchError } from '../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import type { ClientFactory, Principal } from './clients.js';
import { describeLayerVersion, parseLayerVersionArn, type LayerContent } from './enumerate.js';
import { classifyApiError, isTransient, withRetry } from './errors.js';
import { failureError } from './layer.js';
import { MAX_SIGNED_OBJECT_BYTES, SdkS3Reader, type S3Reader } from './s3.js';

const PROFILE_VERSION_ARN =
  /^arn:aws[a-z-]*:signer:([a-z0-9-]+):(\d{12}):\/signing-profiles\/([A-Za-z0-9_]+)\/([A-Za-z0-9]+)$/;
const JOB_ARN = /^arn:aws[a-z-]*:signer:([a-z0-9-]+):(\d{12}):\/signing-jobs\/([A-Za-z0-9-]+)$/;

/** Parts of a signing profile version ARN. */
export function parseProfileVersionArn(
  arn: string
): { region: string; owner: string; profileName: string; profileVersion: string } | undefined {
  const m = PROFILE_VERSION_ARN.exec(arn);
  return m ? { region: m[1]!, owner: m[2]!, profileName: m[3]!, profileVersion: m[4]! } : undefined;
}

/** Parts of a signing job ARN. */
export function parseSigningJobArn(
  arn: string
): { region: string; owner: string; jobId: string } | undefined {
  const m = JOB_ARN.exec(arn);
  return m ? { region: m[1]!, owner: m[2]!, jobId: m[3]! } : undefined;
}

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
  retry?: RetryPolicy;
  /** Reads the signed object; default an SDK reader with the same settings and principals. */
  s3?: S3Reader;
  /** Largest signed object hashed (default {@link MAX_SIGNED_OBJECT_BYTES}). */
  maxSignedObjectBytes?: number;
}

/** True when the request never got an HTTP answer (refused, reset, timed out). */
function unreachable(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined && isTransient(err);
}

/** {@link SignerEvidenceSource} over the SDK; build one per run and `destroy()` it. */
export class SdkSignerEvidence implements SignerEvidenceSource {
  private readonly clients = new Map<string, SignerClient>();
  private readonly principals: Principal[];
  private readonly retry: RetryPolicy;
  private readonly ownS3: SdkS3Reader | undefined;
  private readonly maxSignedObjectBytes: number;
  /** S3 reads with this run's settings; also what `s3://` bundle sources are read with. */
  readonly s3: S3Reader;

  constructor(
    private readonly factory: ClientFactory,
    options: SdkSignerOptions = {}
  ) {
    this.principals = options.principals?.length
      ? options.principals
      : [{ label: 'default', credentials: undefined }];
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.maxSignedObjectBytes = options.maxSignedObjectBytes ?? MAX_SIGNED_OBJECT_BYTES;
    if (options.s3) {
      this.ownS3 = undefined;
      this.s3 = options.s3;
    } else {
      this.ownS3 = new SdkS3Reader(factory.options, {
        principals: this.principals,
        retry: this.retry,
      });
      this.s3 = this.ownS3;
    }
  }

  private client(principal: Principal, region: string): SignerClient {
    const key = `${principal.label}\0${region}`;
    let c = this.clients.get(key);
    if (!c) {
      // Same settings as the factory's Lambda clients (clients.ts baseConfig).
      const o = this.factory.options;
      const credentials = principal.credentials ?? o.credentials;
      c = new SignerClient({
        region,
        maxAttempts: o.maxAttempts ?? 8,
        retryMode: 'standard',
        ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
        ...(o.profile ? { profile: o.profile } : {}),
        ...(credentials ? { credentials } : {}),
      });
      this.clients.set(key, c);
    }
    return c;
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
        return { ok: await withRetry(this.retry, () => call(this.client(p, region))) };
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
        evidence.job = stripMetadata(got.ok);
        await this.hashSignedObject(evidence, job.region, problems);
      } else problems.push(got.problem);
    }

    const pv = parseProfileVersionArn(versionArn);
    if (!pv) problems.push(`SigningProfileVersionArn ${versionArn} is not a profile version ARN`);
    else {
      // profileOwner is always given: it names the owner explicitly for a cross-account profile
      // and is the caller's own account otherwise.
      const got = await this.ask(`GetSigningProfile ${pv.profileName}`, pv.region, (c) =>
        c.send(
          new GetSigningProfileCommand({ profileName: pv.profileName, profileOwner: pv.owner })
        )
      );
      if ('ok' in got) evidence.profile = stripMetadata(got.ok);
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

  /**
   * {@link SignerEvidenceSource}: GetLayerVersionByArn, then the Signer calls.
   * @throws UsageError for a malformed or unknown ARN; FetchError when AWS cannot be read
   */
  async forLayerVersion(layerVersionArn: string): Promise<SignerEvidence> {
    const parsed = parseLayerVersionArn(layerVersionArn);
    if (!parsed) {
      throw failureError({
        code: 'NOT_FOUND',
        reason: `not a layer version ARN: ${layerVersionArn}`,
      });
    }
    const got = await describeLayerVersion(
      this.factory,
      {
        arn: layerVersionArn,
        ...parsed,
        listed: false,
        content: undefined,
        failure: undefined,
        lookups: this.principals.map((principal) => ({ principal, region: parsed.region })),
      },
      this.retry
    );
    if ('code' in got) throw failureError(got);
    return (await this.forContent(got)).evidence;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.ownS3?.destroy();
  }
}

/** Drop the SDK's `$metadata` (request ids differ per call and mean nothing in a report). */
function stripMetadata<T extends DescribeSigningJobResponse | GetSigningProfileResponse>(r: T): T {
  const rest: Record<string, unknown> = { ...r };
  delete rest['$metadata'];
  return rest as T;
}
