/**
 * AWS Signer evaluation from API evidence (pure). What Lambda itself checks when a code signing
 * config applies, and what the Signer API can establish (job status, platform, revocation,
 * signature expiry): https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
 * and https://docs.aws.amazon.com/signer/latest/developerguide/lambda-workflow.html. The
 * signature bytes inside a signed zip are in an undocumented format, so they are NOT verified
 * here; every detail says so.
 */
import { parseSigningJobArn, parseSigningProfileVersionArn } from '../../model/arn.js';
import type { SignerEvidence, SigningProfileFacts } from '../evidence.js';
import type { AwsSignerAnchor } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';

/** Platform Lambda code signing uses. */
export const LAMBDA_SIGNING_PLATFORM = 'AWSLambda-SHA384-ECDSA';

const NOT_CHECKED =
  'Not checked: the signature bytes inside the zip (the signed-zip format is undocumented); ' +
  'Lambda checks them when a function with a code signing config uses the layer.';

/** True when `versionArn` is the anchor's profile version, or any version of its profile. */
export function anchorAllowsProfileVersion(anchor: AwsSignerAnchor, versionArn: string): boolean {
  if (anchor.profileVersionArn !== undefined) return versionArn === anchor.profileVersionArn;
  if (anchor.profileArn === undefined) return false;
  return parseSigningProfileVersionArn(versionArn)?.profileArn === anchor.profileArn;
}

/**
 * True when a GetSigningProfile answer is about the profile version `versionArn` names.
 * GetSigningProfile answers for a profile's current version only and revocation is per version,
 * so once a profile is re-created the status of an earlier version is not known (it may have
 * been revoked): the current version's status cannot stand in for it.
 */
export function profileDescribesVersion(profile: SigningProfileFacts, versionArn: string): boolean {
  const want = parseSigningProfileVersionArn(versionArn)?.profileVersion;
  const current = describedVersion(profile);
  return (
    want !== undefined &&
    current === want &&
    (profile.profileVersionArn === undefined || profile.profileVersionArn === versionArn)
  );
}

/** The profile version a GetSigningProfile answer is about. */
const describedVersion = (profile: SigningProfileFacts): string | undefined =>
  profile.profileVersion ??
  parseSigningProfileVersionArn(profile.profileVersionArn ?? '')?.profileVersion;

const toDate = (v: unknown): Date | undefined => {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
};

/**
 * Evaluate one `aws-signer` anchor against a layer's Signer evidence.
 * @param digest hex sha256 of the layer zip
 */
export function evaluateAwsSigner(
  name: string,
  anchor: AwsSignerAnchor,
  ev: SignerEvidence | undefined,
  digest: string,
  now: Date
): RawCheck {
  const checked: string[] = [];
  const evidence: Record<string, unknown> = {
    anchor: anchor.profileVersionArn ?? anchor.profileArn,
    signingProfileVersionArn: ev?.layerVersion.SigningProfileVersionArn,
    signingJobArn: ev?.layerVersion.SigningJobArn,
  };
  const result = (status: 'pass' | 'fail', why: string): RawCheck => ({
    id: `signer:${name}`,
    kind: 'signer',
    status,
    detail: `${why} Checked: ${checked.join('; ') || 'nothing'}. ${NOT_CHECKED}`,
    evidence,
    // One Signer job is one signature, whichever anchors it satisfies.
    ...(status === 'pass' && ev?.layerVersion.SigningJobArn
      ? { signatures: [[`aws-signer-job:${ev.layerVersion.SigningJobArn}`]] }
      : {}),
  });

  if (!ev)
    return result(
      'fail',
      'No AWS Signer evidence for this layer (not an AWS layer, or it could not be read).'
    );
  const versionArn = ev.layerVersion.SigningProfileVersionArn;
  const jobArn = ev.layerVersion.SigningJobArn;
  if (!versionArn || !jobArn)
    return result(
      'fail',
      'The layer version is not signed (no SigningProfileVersionArn/SigningJobArn).'
    );
  const pv = parseSigningProfileVersionArn(versionArn);
  if (!pv)
    return result(
      'fail',
      `SigningProfileVersionArn ${versionArn} is not a signing profile version ARN.`
    );
  checked.push("the layer's SigningProfileVersionArn against the anchor");
  if (!anchorAllowsProfileVersion(anchor, versionArn)) {
    return result('fail', `Signed by ${versionArn}, which anchor ${name} does not allow.`);
  }
  const { profileName, profileVersion } = pv;

  const job = ev.job;
  if (!job) return result('fail', `DescribeSigningJob for ${jobArn} is missing.`);
  const jm = parseSigningJobArn(jobArn);
  checked.push(
    'DescribeSigningJob: job id, status, platform, profile name and version, revocation, signature expiry'
  );
  evidence['job'] = {
    jobId: job.jobId,
    status: job.status,
    platformId: job.platformId,
    profileName: job.profileName,
    profileVersion: job.profileVersion,
    jobOwner: job.jobOwner,
    completedAt: toDate(job.completedAt)?.toISOString(),
    signatureExpiresAt: toDate(job.signatureExpiresAt)?.toISOString(),
    revoked: job.revocationRecord !== undefined,
  };
  if (!jm || job.jobId !== jm.jobId)
    return result('fail', `Signing job ${String(job.jobId)} is not the job in ${jobArn}.`);
  if (job.status !== 'Succeeded')
    return result('fail', `Signing job status is ${String(job.status)}, not Succeeded.`);
  if (job.platformId !== LAMBDA_SIGNING_PLATFORM) {
    return result(
      'fail',
      `Signing job platform is ${String(job.platformId)}, not ${LAMBDA_SIGNING_PLATFORM}.`
    );
  }
  if (job.profileName !== profileName || job.profileVersion !== profileVersion) {
    return result(
      'fail',
      `Signing job used profile ${String(job.profileName)}/${String(job.profileVersion)}, not ${profileName}/${profileVersion}.`
    );
  }
  if (job.revocationRecord) {
    return result(
      'fail',
      `Signing job was revoked at ${toDate(job.revocationRecord.revokedAt)?.toISOString() ?? '?'} (${job.revocationRecord.reason ?? 'no reason'}).`
    );
  }
  const expires = toDate(job.signatureExpiresAt);
  if (!expires) return result('fail', 'Signing job has no signatureExpiresAt.');
  if (expires.getTime() <= now.getTime())
    return result('fail', `Signature expired at ${expires.toISOString()}.`);
  const signedAt = toDate(job.completedAt) ?? toDate(job.createdAt);
  if (!signedAt)
    return result('fail', 'Signing job has no completedAt/createdAt: signing time unknown.');

  const profile = ev.profile;
  if (!profile) return result('fail', `GetSigningProfile for ${profileName} is missing.`);
  checked.push(
    'GetSigningProfile: name, version, status, revocation effective time against the signing time'
  );
  evidence['profile'] = {
    profileName: profile.profileName,
    status: profile.status,
    profileVersionArn: profile.profileVersionArn,
    revocationEffectiveFrom: toDate(
      profile.revocationRecord?.revocationEffectiveFrom
    )?.toISOString(),
  };
  if (profile.profileName !== profileName) {
    return result(
      'fail',
      `GetSigningProfile returned profile ${String(profile.profileName)}, not ${profileName}.`
    );
  }
  if (!profileDescribesVersion(profile, versionArn)) {
    return result(
      'fail',
      `GetSigningProfile describes version ${describedVersion(profile) ?? '(none)'} of ${profileName}, not ${profileVersion}, which signed the layer: Signer returns the status and revocation of a profile's current version only, so those of ${versionArn} are not known (it may have been revoked before the profile was re-created).`
    );
  }
  if (profile.status === 'Revoked' || profile.revocationRecord) {
    const from = toDate(profile.revocationRecord?.revocationEffectiveFrom);
    if (!from) return result('fail', 'Signing profile is revoked with no effective time.');
    if (from.getTime() <= signedAt.getTime()) {
      return result(
        'fail',
        `Signing profile revoked effective ${from.toISOString()}, at or before the signing time ${signedAt.toISOString()}.`
      );
    }
    checked.push(
      `profile revoked effective ${from.toISOString()}, after signing at ${signedAt.toISOString()}`
    );
  } else if (profile.status !== 'Active') {
    return result('fail', `Signing profile status is ${String(profile.status)}, not Active.`);
  }

  const signedObjectProblem = ev.signedObjectProblem;
  const loc = job.signedObject?.s3;
  const where = loc?.bucketName && loc.key ? `s3://${loc.bucketName}/${loc.key}` : undefined;
  if (ev.signedObjectSha256 !== undefined) {
    checked.push(
      `sha256 of the signed object Signer wrote to S3${where ? ` (${where})` : ''} against the layer's sha256`
    );
    evidence['signedObject'] = where;
    evidence['signedObjectSha256'] = ev.signedObjectSha256;
    if (ev.signedObjectSha256.toLowerCase() !== digest.toLowerCase()) {
      return result(
        'fail',
        `The signed object in S3 has sha256 ${ev.signedObjectSha256}, not the layer's ${digest}.`
      );
    }
  } else if (signedObjectProblem !== undefined) {
    // It was looked for and could not be read: fail closed rather than pass on less evidence.
    evidence['signedObject'] = where;
    evidence['signedObjectProblem'] = signedObjectProblem;
    checked.push('NOT the signed object in S3 (not readable)');
    return result('fail', `Signed object not readable: ${signedObjectProblem}.`);
  } else {
    checked.push('NOT the signed object in S3 (not available)');
  }
  return result(
    'pass',
    `Signed by ${versionArn} (job ${job.jobId}, signed ${signedAt.toISOString()}).`
  );
}
