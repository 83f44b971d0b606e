/**
 * The images part of the scan result (`scan.json`): container-image functions and the ECR
 * repositories their images live in. Documented in docs/scan-result.md.
 */

import type { FunctionImageConfig } from '../model/function-image-config.js';

/** What an image function runs, as Lambda reports it. */
export interface ScanFunctionImage {
  /** `ImageUri`: what the function was deployed from (a tag or a digest). */
  uri: string | null;
  /** `ResolvedImageUri`: the digest Lambda resolved at deploy time. */
  resolvedUri: string | null;
  /** `sha256:<hex>` from `resolvedUri`. */
  digest: string | null;
  /** Lambda's `CodeSha256` (hex of the manifest digest). */
  codeSha256: string | null;
  /** `registry/repository` of the image, when it is an ECR image. */
  repository: string | null;
  /**
   * Only when the function sets its own `EntryPoint`, `Command` or `WorkingDirectory`
   * (GetFunction's `ImageConfigResponse.ImageConfig`), which replace the image config's.
   */
  config?: FunctionImageConfig;
}

export type ImageStatus = 'inventoried' | 'failed';

/** One image (a manifest digest) of a repository that a function uses, or the newest pushed. */
export interface ScanImage {
  digest: string;
  /** Tags pointing at this digest now (DescribeImages). */
  tags: string[];
  pushedAt: string | null;
  /** 1 for the first image pushed to the repository; null when ECR did not list it. */
  pushOrder: number | null;
  /** ECR `imageStatus`: ACTIVE, ARCHIVED, ACTIVATING; null when not listed. */
  imageStatus: string | null;
  mediaType: string | null;
  size: number | null;
  /** Architecture from the image config (e.g. `amd64`, `arm64`), when it was read. */
  architecture: string | null;
  /** Function version ARNs running it. */
  usedBy: string[];
  /** Tagged indexes (multi-platform images) of the repository that list it as a child. */
  indexes: string[];
  /** Whether it was read and inventoried; images listed only as the newest are not read. */
  status: ImageStatus | 'not-read';
  failure: { code: string; reason: string } | null;
  sbom: string | null;
  packageCount: number | null;
  inventoryComplete: boolean | null;
}

/** An ECR repository holding at least one image in use. */
export interface ScanImageRepository {
  /** `ACCOUNT.dkr.ecr.REGION.amazonaws.com` */
  registry: string;
  account: string;
  region: string;
  name: string;
  /** MUTABLE or IMMUTABLE; null when the repository could not be described. */
  tagMutability: string | null;
  /** Images ECR lists in the repository (every status). */
  imageCount: number | null;
  /** Every tag in the repository now, the digest it names and when that was pushed, by tag. */
  tags: { tag: string; digest: string; pushedAt: string | null }[];
  /** The tagged, not archived image pushed last, if the repository was described. */
  newestDigest: string | null;
  /** Images in use, and the newest, by push order (unlisted ones last, by digest). */
  images: ScanImage[];
  failure: { code: string; reason: string } | null;
}

/**
 * Why an image cannot be read from `repository` (`registry/name`): it is archived there. One
 * text for the scan that finds it and the merge that works out what one scan would have said.
 */
export const archivedImageReason = (repository: string, digest: string): string =>
  `${repository}@${digest} is archived in ECR; restore it to read it`;
