/**
 * A scan's layer version record that does not keep the strings its digest already gives. A scan
 * holds every layer version to its end (20,000 at 100,000 functions), and two of its strings
 * follow from the zip's sha256 whenever it was read: Lambda's CodeSha256 is that sha256 in
 * base64 (the digest is made from it), and the SBOM is written where the digest names it. Kept
 * apart, they were 3 MB at the 100,000-function benchmark's end.
 */
import type { ScanLayerVersion } from '../scan/result.js';
import { sbomPathOf } from './drift.js';

const SHA256 = 'sha256:';

/** The hex of a `sha256:<hex>` digest; undefined for null or any other form. */
function hexOf(digest: string | null): string | undefined {
  return digest?.startsWith(SHA256) ? digest.slice(SHA256.length) : undefined;
}

function codeSha256Of(digest: string | null): string | undefined {
  const hex = hexOf(digest);
  return hex === undefined ? undefined : Buffer.from(hex, 'hex').toString('base64');
}

function sbomOf(digest: string | null): string | undefined {
  return digest === null ? undefined : sbomPathOf(digest);
}

/**
 * Shared by every record that reads them from its digest, so that all keep one hidden class with
 * their fields in the object (an accessor made per object would give each a dictionary of its own).
 */
const CODE_SHA256_FROM_DIGEST: PropertyDescriptor = {
  enumerable: true,
  get(this: ScanLayerVersion): string {
    return codeSha256Of(this.digest)!;
  },
};
const SBOM_FROM_DIGEST: PropertyDescriptor = {
  enumerable: true,
  get(this: ScanLayerVersion): string {
    return sbomOf(this.digest)!;
  },
};

class ResultLayerVersion implements ScanLayerVersion {
  declare arn: string;
  declare region: string;
  declare version: number;
  declare listed: boolean;
  declare digest: string | null;
  declare codeSha256: string | null;
  declare size: number | null;
  declare signingProfileVersionArn: string | null;
  declare signingJobArn: string | null;
  declare status: ScanLayerVersion['status'];
  declare failure: ScanLayerVersion['failure'];
  declare sbom: string | null;
  declare packageCount: number | null;
  declare inventoryComplete: boolean | null;
  declare usedBy: string[];

  constructor(v: ScanLayerVersion) {
    // Member by member, in the order JSON writes them.
    this.arn = v.arn;
    this.region = v.region;
    this.version = v.version;
    this.listed = v.listed;
    this.digest = v.digest;
    // Read back from the digest only where that gives the very same string.
    if (v.codeSha256 !== null && v.codeSha256 === codeSha256Of(v.digest))
      Object.defineProperty(this, 'codeSha256', CODE_SHA256_FROM_DIGEST);
    else this.codeSha256 = v.codeSha256;
    this.size = v.size;
    this.signingProfileVersionArn = v.signingProfileVersionArn;
    this.signingJobArn = v.signingJobArn;
    this.status = v.status;
    this.failure = v.failure;
    if (v.sbom !== null && v.sbom === sbomOf(v.digest))
      Object.defineProperty(this, 'sbom', SBOM_FROM_DIGEST);
    else this.sbom = v.sbom;
    this.packageCount = v.packageCount;
    this.inventoryComplete = v.inventoryComplete;
    this.usedBy = v.usedBy;
  }
}

/**
 * `v` as a record to keep: the same members in the same order, read, written to JSON and spread
 * alike, with its CodeSha256 and SBOM path read from its digest where they are the ones it gives.
 */
export function resultLayerVersion(v: ScanLayerVersion): ScanLayerVersion {
  return new ResultLayerVersion(v);
}
