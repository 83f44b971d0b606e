/** What the history records about a scan, and what it gives back. */
import type { ScanResult } from '../scan/result.js';
import { profileDescribesVersion } from '../verify/checks/aws-signer.js';
import type { SignerEvidence } from '../verify/evidence.js';
import type { Verdict } from '../verify/verdict.js';

/** AWS Signer status of one signing job, as `verify` found it. */
export interface SigningFact {
  jobArn: string;
  profileVersionArn: string | null;
  /** DescribeSigningJob status (`Succeeded`, …), null when it could not be read. */
  jobStatus: string | null;
  jobRevoked: boolean;
  /**
   * GetSigningProfile status (`Active`, `Canceled`, `Revoked`) of the version that signed; null
   * when it could not be read or the profile's current version is another one.
   */
  profileStatus: string | null;
  profileRevoked: boolean;
}

/** The signing fact of a layer's Signer evidence; undefined for an unsigned layer. */
export function signingFactOf(ev: SignerEvidence): SigningFact | undefined {
  const jobArn = ev.layerVersion.SigningJobArn;
  if (!jobArn) return undefined;
  const versionArn = ev.layerVersion.SigningProfileVersionArn;
  // The profile's answer is about its current version: not the one that signed, once re-created.
  const profile =
    ev.profile && versionArn && profileDescribesVersion(ev.profile, versionArn)
      ? ev.profile
      : undefined;
  return {
    jobArn,
    profileVersionArn: versionArn ?? null,
    jobStatus: ev.job?.status ?? null,
    jobRevoked: ev.job?.revocationRecord !== undefined,
    profileStatus: profile?.status ?? null,
    profileRevoked: profile?.status === 'Revoked' || profile?.revocationRecord !== undefined,
  };
}

/** What a caller gives the store to record one scan. */
export interface RecordScanInput {
  /** The scan's facts (its `drift` is not stored: it is recomputed from the facts). */
  result: ScanResult;
  startedAt: Date;
  finishedAt: Date;
  /**
   * The CycloneDX JSON SBOM of an inventoried layer zip, by digest (`sha256:<hex>`). Called only
   * for digests the database does not hold yet; undefined leaves that digest without inventory.
   */
  sbomOf?: (digest: string) => string | Buffer | undefined;
  /** Verdicts of `verify --all`, when it ran. */
  verdicts?: readonly Verdict[];
  /** Digest of the policy the verdicts come from (`sha256:<hex>`). */
  policyDigest?: string;
  signing?: readonly SigningFact[];
  /** Called inside the write transaction as facts are written (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** One recorded scan, as listed. */
export interface ScanInfo {
  id: number;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  policyDigest: string | null;
  /** Whether verdicts were recorded with it. */
  verified: boolean;
  functions: number;
  layerVersions: number;
  failures: number;
}

/** A recorded scan read back. */
export interface RecordedScan {
  info: ScanInfo;
  /** The scan result rebuilt from the facts: the same as recorded, `drift` recomputed. */
  result: ScanResult;
  /** null when the scan was recorded without verdicts. */
  verdicts: Verdict[] | null;
  signing: SigningFact[];
}
