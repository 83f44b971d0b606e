/**
 * AWS Signer (restJson1): DescribeSigningJob and GetSigningProfile, shaped as
 * @aws-sdk/client-signer's model (timestamps as epoch seconds).
 */
import type { HandlerContext } from './context.js';
import { regionIndex } from './estate-index.js';
import { ApiError, type ApiResult } from './wire.js';

export type SignerHandler = (ctx: HandlerContext) => ApiResult;

/** Resolves a request path to a Signer operation. */
export function routeSigner(
  method: string,
  segments: string[]
): { op: string; handle: SignerHandler } | undefined {
  if (method !== 'GET' || segments.length !== 2) return undefined;
  if (segments[0] === 'signing-jobs')
    return { op: 'DescribeSigningJob', handle: describeSigningJob };
  if (segments[0] === 'signing-profiles')
    return { op: 'GetSigningProfile', handle: getSigningProfile };
  return undefined;
}

const epoch = (d: Date | undefined): number | undefined =>
  d === undefined ? undefined : d.getTime() / 1000;

function describeSigningJob(ctx: HandlerContext): ApiResult {
  const jobId = ctx.segments[1] ?? '';
  // Jobs are looked up in the caller's own account: a job id from another account is simply not there.
  const idx = regionIndex(ctx.estate, ctx.caller.account, ctx.region);
  const job = idx.signingJobsById.get(jobId);
  if (!job) throw new ApiError(404, 'ResourceNotFoundException', `Signing job ${jobId} not found`);
  const profile = idx.signingProfilesByName.get(job.profileName);
  return {
    body: {
      jobId: job.jobId,
      source: { s3: job.source },
      platformId: profile?.platformId,
      platformDisplayName: profile?.platformDisplayName,
      profileName: job.profileName,
      profileVersion: job.profileVersion,
      overrides: {},
      signingParameters: {},
      createdAt: epoch(job.createdAt),
      completedAt: epoch(job.completedAt),
      signatureExpiresAt: epoch(job.signatureExpiresAt),
      requestedBy: job.requestedBy ?? `arn:${ctx.estate.partition}:iam::${ctx.caller.account}:root`,
      status: job.status,
      statusReason: job.statusReason,
      revocationRecord: job.revocation && {
        reason: job.revocation.reason,
        revokedAt: epoch(job.revocation.revokedAt),
        revokedBy: job.revocation.revokedBy,
      },
      signedObject: job.status === 'Succeeded' ? { s3: job.signedObject } : undefined,
      jobOwner: ctx.caller.account,
      jobInvoker: ctx.caller.account,
    },
  };
}

function getSigningProfile(ctx: HandlerContext): ApiResult {
  const name = ctx.segments[1] ?? '';
  const owner = ctx.query.get('profileOwner') ?? ctx.caller.account;
  const profile = regionIndex(ctx.estate, owner, ctx.region).signingProfilesByName.get(name);
  if (owner !== ctx.caller.account && !profile?.sharedWith.includes(ctx.caller.account)) {
    throw new ApiError(
      403,
      'AccessDeniedException',
      `User: ${ctx.caller.arn} is not authorized to perform: signer:GetSigningProfile on resource: arn:${ctx.estate.partition}:signer:${ctx.region}:${owner}:/signing-profiles/${name}`
    );
  }
  if (!profile)
    throw new ApiError(404, 'ResourceNotFoundException', `Signing profile ${name} not found`);
  const arn = `arn:${ctx.estate.partition}:signer:${ctx.region}:${owner}:/signing-profiles/${profile.name}`;
  return {
    body: {
      profileName: profile.name,
      profileVersion: profile.version,
      profileVersionArn: `${arn}/${profile.version}`,
      revocationRecord: profile.revocation && {
        revocationEffectiveFrom: epoch(profile.revocation.effectiveFrom),
        revokedAt: epoch(profile.revocation.revokedAt),
        revokedBy: profile.revocation.revokedBy,
      },
      platformId: profile.platformId,
      platformDisplayName: profile.platformDisplayName,
      signatureValidityPeriod: profile.signatureValidityPeriod,
      overrides: {},
      signingParameters: {},
      status: profile.status,
      statusReason: profile.statusReason,
      arn,
      tags: profile.tags,
    },
  };
}
