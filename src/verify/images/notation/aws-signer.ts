/**
 * What the AWS Signer Notation plugin adds to a Notation verification, done by lamina itself:
 * the signing-profile identity and the `GetRevocationStatus` check.
 * Behaviour follows https://github.com/aws/aws-signer-notation-plugin (internal/verifier/verifier.go):
 * the request carries the authentic signing time, platform `Notation-OCI-SHA384-ECDSA`, the
 * profile version and job ARNs from the signed attributes, and one hash pair per certificate.
 * The SDK call itself is I/O and lives in src/fetch; it is injected here as
 * {@link GetRevocationStatusFn}.
 */
import { createHash } from 'node:crypto';
import { parseSigningJobArn, parseSigningProfileVersionArn } from '../../../model/arn.js';

/** The verification plugin name AWS Signer writes into its signatures. */
export const AWS_SIGNER_PLUGIN = 'com.amazonaws.signer.notation.plugin';
/** Critical signed attribute: the signing profile version ARN (the signer's identity). */
export const ATTR_SIGNING_PROFILE_VERSION = 'com.amazonaws.signer.signingProfileVersion';
/** Critical signed attribute: the signing job ARN. */
export const ATTR_SIGNING_JOB = 'com.amazonaws.signer.signingJob';
/** Signer platform of container image signatures. */
export const NOTATION_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';
/**
 * Plugin major version whose checks lamina reimplements (plugin 1.0.x); a signature asking for
 * a newer plugin through `io.cncf.notary.verificationPluginMinVersion` is refused.
 */
export const AWS_SIGNER_PLUGIN_MAJOR = 1;

/** The AWS Signer identity of a verified signature. */
export interface AwsSignerIdentity {
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly partition: string;
  /** Region of the signing profile: where GetRevocationStatus must be called. */
  readonly region: string;
  readonly account: string;
  readonly profileName: string;
  readonly profileVersion: string;
  readonly jobId: string;
}

/** Parses the two ARNs; undefined when either is not a well-formed Signer ARN. */
export function parseAwsSignerIdentity(
  profileVersionArn: string,
  jobArn: string
): AwsSignerIdentity | undefined {
  const p = parseSigningProfileVersionArn(profileVersionArn);
  const j = parseSigningJobArn(jobArn);
  if (p === undefined || j === undefined) return undefined;
  // The job runs in the profile's partition and Region; a mismatch is not a real Signer signature.
  if (j.partition !== p.partition || j.region !== p.region) return undefined;
  return {
    profileVersionArn,
    jobArn,
    partition: p.partition,
    region: p.region,
    account: p.owner,
    profileName: p.profileName,
    profileVersion: p.profileVersion,
    jobId: j.jobId,
  };
}

/**
 * `certificateHashes` for GetRevocationStatus: for certificate i of the chain (leaf first),
 * hex(SHA-384(TBS_i)) + hex(SHA-384(TBS_i+1)); the last certificate pairs with itself.
 * @param tbs the exact TBSCertificate DER of each certificate, leaf first
 */
export function signerCertificateHashes(tbs: readonly Uint8Array[]): string[] {
  const h = tbs.map((t) => createHash('sha384').update(t).digest('hex'));
  return h.map((x, i) => x + (h[i + 1] ?? x));
}

/** Input of GetRevocationStatus (the SDK's shape) plus where to send it. */
export interface RevocationRequest {
  /** The authentic signing time. */
  readonly signatureTimestamp: Date;
  readonly platformId: string;
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly certificateHashes: readonly string[];
  /** Partition and Region of the signing profile: the call must go there. */
  readonly partition: string;
  readonly region: string;
}

/** Builds the GetRevocationStatus request for a verified AWS Signer signature. */
export function buildRevocationRequest(
  identity: AwsSignerIdentity,
  signingTime: Date,
  certificateHashes: readonly string[]
): RevocationRequest {
  return {
    signatureTimestamp: signingTime,
    platformId: NOTATION_PLATFORM_ID,
    profileVersionArn: identity.profileVersionArn,
    jobArn: identity.jobArn,
    certificateHashes: [...certificateHashes],
    partition: identity.partition,
    region: identity.region,
  };
}

/**
 * The injected I/O: sends the request (src/fetch/aws/signer.ts, through the real SDK) and
 * resolves with the response's `revokedEntities`, or rejects when the call fails.
 *
 * For the implementation: send it in `request.region` of `request.partition`. In
 * `@aws-sdk/client-signer` GetRevocationStatus carries the host prefix `data-`
 * (data-signer.REGION.amazonaws.com; `.amazonaws.com.cn` in China). With a custom `endpoint` the
 * prefix is prepended to that host too (`ENOTFOUND data-127.0.0.1`), so set
 * `disableHostPrefix: true` only together with a custom endpoint: without one it would send the
 * call to signer.REGION.amazonaws.com. (`@aws-sdk/client-signer-data` has the same operation
 * without the prefix.)
 */
export type GetRevocationStatusFn = (
  request: RevocationRequest
) => Promise<{ revokedEntities?: readonly string[] | undefined }>;

/**
 * What a failed call does: `required` fails the signature, `best-effort` passes it with a
 * warning, `skip` does not call at all.
 */
export type RevocationMode = 'required' | 'best-effort' | 'skip';

/** Outcome codes of the revocation check. */
export type RevocationCode =
  | 'NOT_REVOKED'
  /** Signer reported a revoked job, profile or certificate. */
  | 'REVOKED'
  /** The call failed (network, 5xx, AccessDenied…), under `required`. */
  | 'REVOCATION_CHECK_FAILED'
  /** The call failed under `best-effort`: passes, with a warning. */
  | 'REVOCATION_UNKNOWN'
  /** `skip`: not asked. */
  | 'REVOCATION_SKIPPED';

/** The revocation verdict for one signature. */
export interface RevocationResult {
  readonly ok: boolean;
  /** True when the result passes but must be reported as a warning. */
  readonly warning: boolean;
  readonly code: RevocationCode;
  readonly detail: string;
  /** Revoked ARNs (jobs, profiles) and certificate hashes, as Signer returned them. */
  readonly revokedEntities?: readonly string[];
}

/**
 * Interprets a GetRevocationStatus outcome: `{ response }` when the call returned, `{ error }`
 * when it failed. Any revoked entity fails whatever the mode.
 */
export function interpretRevocation(
  mode: RevocationMode,
  outcome: { response: { revokedEntities?: readonly string[] | undefined } } | { error: unknown }
): RevocationResult {
  if ('error' in outcome) {
    const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return mode === 'required'
      ? {
          ok: false,
          warning: false,
          code: 'REVOCATION_CHECK_FAILED',
          detail: `GetRevocationStatus failed (revocation: required): ${why}`,
        }
      : {
          ok: true,
          warning: true,
          code: 'REVOCATION_UNKNOWN',
          detail: `GetRevocationStatus failed; not known whether the signature is revoked (revocation: best-effort): ${why}`,
        };
  }
  const raw: unknown = outcome.response.revokedEntities ?? [];
  const isStrings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((r) => typeof r === 'string');
  if (!isStrings(raw)) {
    return interpretRevocation(mode, {
      error: new Error('revokedEntities is not a list of strings'),
    });
  }
  const revoked = raw;
  if (revoked.length > 0) {
    // The plugin's reading: ARNs name a revoked job or profile, anything else a certificate hash.
    const arns = revoked.filter((r) => r.startsWith('arn'));
    const certs = revoked.length - arns.length;
    const parts = [
      ...(arns.length > 0 ? [`revoked resource(s) ${arns.join(', ')}`] : []),
      ...(certs > 0 ? [`${certs} revoked certificate(s)`] : []),
    ];
    return {
      ok: false,
      warning: false,
      code: 'REVOKED',
      detail: `AWS Signer reports ${parts.join(' and ')}.`,
      revokedEntities: [...revoked],
    };
  }
  return {
    ok: true,
    warning: false,
    code: 'NOT_REVOKED',
    detail: 'AWS Signer reports nothing revoked.',
  };
}

/** Runs the revocation check through the injected call, honouring `mode`. Never rejects. */
export async function checkRevocation(
  request: RevocationRequest,
  call: GetRevocationStatusFn,
  mode: RevocationMode
): Promise<RevocationResult> {
  if (mode === 'skip') {
    return {
      ok: true,
      warning: false,
      code: 'REVOCATION_SKIPPED',
      detail: 'Revocation not checked (revocation: skip).',
    };
  }
  try {
    return interpretRevocation(mode, { response: await call(request) });
  } catch (error) {
    return interpretRevocation(mode, { error });
  }
}
