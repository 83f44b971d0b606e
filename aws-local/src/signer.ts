/**
 * AWS Signer (restJson1): DescribeSigningJob, GetSigningProfile, GetRevocationStatus,
 * ListSigningProfiles and ListSigningJobs (the read-only calls a user tries first), shaped as
 * @aws-sdk/client-signer's model (timestamps as epoch seconds).
 */
import type { HandlerContext } from './context.js';
import type { SigningJob, SigningProfile } from './estate.js';
import { regionIndex } from './estate-index.js';
import { page } from './paginate.js';
import { ApiError, type ApiResult } from './wire.js';

export type SignerHandler = (ctx: HandlerContext) => ApiResult;

/** Resolves a request path to a Signer operation. */
export function routeSigner(
  method: string,
  segments: string[]
): { op: string; handle: SignerHandler } | undefined {
  if (method === 'GET' && segments.length === 1 && segments[0] === 'revocations')
    return { op: 'GetRevocationStatus', handle: getRevocationStatus };
  if (method !== 'GET') return undefined;
  if (segments.length === 1 && segments[0] === 'signing-profiles')
    return { op: 'ListSigningProfiles', handle: listSigningProfiles };
  if (segments.length === 1 && segments[0] === 'signing-jobs')
    return { op: 'ListSigningJobs', handle: listSigningJobs };
  if (segments.length !== 2) return undefined;
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

const PROFILE_VERSION_ARN =
  /^arn:([a-z-]+):signer:([a-z0-9-]+):(\d{12}):\/signing-profiles\/([A-Za-z0-9_]+)\/([A-Za-z0-9]+)$/;
const JOB_ARN = /^arn:([a-z-]+):signer:([a-z0-9-]+):(\d{12}):\/signing-jobs\/([A-Za-z0-9-]+)$/;

/**
 * GetRevocationStatus (https://docs.aws.amazon.com/signer/latest/api/API_GetRevocationStatus.html):
 * which of the given profile version, job and certificate hashes are revoked, from the estate.
 * A profile counts as revoked for signatures made at or after its revocation's effectiveFrom;
 * a job and a certificate whenever revoked. Entities of another Region are not known here.
 */
function getRevocationStatus(ctx: HandlerContext): ApiResult {
  const q = ctx.query;
  const required = ['signatureTimestamp', 'platformId', 'profileVersionArn', 'jobArn'];
  for (const name of required) {
    if (!q.get(name)) throw new ApiError(400, 'ValidationException', `${name} is required`);
  }
  const hashes = q.getAll('certificateHashes');
  if (hashes.length === 0)
    throw new ApiError(400, 'ValidationException', 'certificateHashes is required');
  const at = new Date(q.get('signatureTimestamp') ?? '');
  if (Number.isNaN(at.getTime()))
    throw new ApiError(400, 'ValidationException', 'signatureTimestamp is not a timestamp');
  const revoked: string[] = [];
  const profileArn = q.get('profileVersionArn') ?? '';
  const p = PROFILE_VERSION_ARN.exec(profileArn);
  if (!p)
    throw new ApiError(
      400,
      'ValidationException',
      'profileVersionArn is not a profile version ARN'
    );
  if (p[2] === ctx.region) {
    const profile = regionIndex(ctx.estate, p[3]!, ctx.region).signingProfilesByName.get(p[4]!);
    const r = profile?.revocation;
    if (profile && profile.version === p[5] && r && r.effectiveFrom.getTime() <= at.getTime())
      revoked.push(profileArn);
  }
  const jobArn = q.get('jobArn') ?? '';
  const j = JOB_ARN.exec(jobArn);
  if (!j) throw new ApiError(400, 'ValidationException', 'jobArn is not a signing job ARN');
  if (j[2] === ctx.region) {
    const job = regionIndex(ctx.estate, j[3]!, ctx.region).signingJobsById.get(j[4]!);
    if (job?.revocation) revoked.push(jobArn);
  }
  // Certificates are Signer's own (per Region): any account's list in this Region revokes them.
  const known = new Set(
    [...ctx.estate.accounts.values()].flatMap(
      (a) => a.regions.get(ctx.region)?.revokedCertificateHashes ?? []
    )
  );
  for (const h of hashes) if (known.has(h.toLowerCase())) revoked.push(h);
  return { body: { revokedEntities: revoked } };
}

/** One page of a Signer listing: `maxResults` (at most 25, as Signer) and `nextToken`. */
function signerPage<T>(ctx: HandlerContext, items: T[], list: string) {
  try {
    return page(items, list, ctx.query.get('nextToken'), ctx.query.get('maxResults'), 25);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    throw new ApiError(400, 'ValidationException', err.message.replace('Marker', 'nextToken'));
  }
}

function profileArn(ctx: HandlerContext, p: SigningProfile): string {
  return `arn:${ctx.estate.partition}:signer:${ctx.region}:${ctx.caller.account}:/signing-profiles/${p.name}`;
}

/** The caller's own profiles; Canceled ones only with `includeCanceled=true`. */
function listSigningProfiles(ctx: HandlerContext): ApiResult {
  const statuses = ctx.query.getAll('statuses');
  const platform = ctx.query.get('platformId');
  const withCanceled = ctx.query.get('includeCanceled') === 'true';
  const all = [
    ...regionIndex(ctx.estate, ctx.caller.account, ctx.region).signingProfilesByName.values(),
  ]
    .filter((p) => withCanceled || p.status !== 'Canceled')
    .filter((p) => statuses.length === 0 || statuses.includes(p.status))
    .filter((p) => platform === null || p.platformId === platform)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { items, nextMarker } = signerPage(ctx, all, 'profiles');
  return {
    body: {
      profiles: items.map((p) => ({
        profileName: p.name,
        profileVersion: p.version,
        profileVersionArn: `${profileArn(ctx, p)}/${p.version}`,
        signatureValidityPeriod: p.signatureValidityPeriod,
        platformId: p.platformId,
        platformDisplayName: p.platformDisplayName,
        signingParameters: {},
        status: p.status,
        arn: profileArn(ctx, p),
        tags: p.tags,
      })),
      nextToken: nextMarker,
    },
  };
}

/** The caller's own jobs, newest first, with Signer's filters. */
function listSigningJobs(ctx: HandlerContext): ApiResult {
  const idx = regionIndex(ctx.estate, ctx.caller.account, ctx.region);
  const q = ctx.query;
  const status = q.get('status');
  const platform = q.get('platformId');
  const requestedBy = q.get('requestedBy');
  const revoked = q.get('isRevoked');
  const before = q.get('signatureExpiresBefore');
  const after = q.get('signatureExpiresAfter');
  const at = (t: string): number => {
    const n = /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : Date.parse(t);
    if (Number.isNaN(n)) throw new ApiError(400, 'ValidationException', `not a timestamp: ${t}`);
    return n;
  };
  const requester = (j: SigningJob): string =>
    j.requestedBy ?? `arn:${ctx.estate.partition}:iam::${ctx.caller.account}:root`;
  const all = [...idx.signingJobsById.values()]
    .filter((j) => status === null || j.status === status)
    .filter(
      (j) =>
        platform === null || idx.signingProfilesByName.get(j.profileName)?.platformId === platform
    )
    .filter((j) => requestedBy === null || requester(j) === requestedBy)
    .filter((j) => revoked === null || (j.revocation !== undefined) === (revoked === 'true'))
    .filter((j) => before === null || (j.signatureExpiresAt?.getTime() ?? Infinity) < at(before))
    .filter((j) => after === null || (j.signatureExpiresAt?.getTime() ?? -Infinity) > at(after))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.jobId < b.jobId ? -1 : 1));
  const { items, nextMarker } = signerPage(ctx, all, 'jobs');
  return {
    body: {
      jobs: items.map((j) => {
        const profile = idx.signingProfilesByName.get(j.profileName);
        return {
          jobId: j.jobId,
          source: { s3: j.source },
          signedObject: j.status === 'Succeeded' ? { s3: j.signedObject } : undefined,
          createdAt: epoch(j.createdAt),
          status: j.status,
          isRevoked: j.revocation !== undefined,
          profileName: j.profileName,
          profileVersion: j.profileVersion,
          platformId: profile?.platformId,
          platformDisplayName: profile?.platformDisplayName,
          signatureExpiresAt: epoch(j.signatureExpiresAt),
          jobOwner: ctx.caller.account,
          jobInvoker: ctx.caller.account,
        };
      }),
      nextToken: nextMarker,
    },
  };
}
