/** Test helpers: scan result images and repositories with defaults, for drift and report tests. */
import type { ScanImage, ScanImageRepository } from '../image-result.js';

export const TEST_REGISTRY = '111111111111.dkr.ecr.us-east-1.amazonaws.com';

/** An inventoried amd64 image pushed at `pushedAt`; `extra` overrides any field. */
export function scanImage(
  digest: string,
  pushedAt: string,
  extra: Partial<ScanImage> = {}
): ScanImage {
  return {
    digest,
    tags: [],
    pushedAt,
    pushOrder: null,
    imageStatus: 'ACTIVE',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 1,
    architecture: 'amd64',
    usedBy: [],
    indexes: [],
    status: 'inventoried',
    failure: null,
    sbom: null,
    packageCount: 0,
    inventoryComplete: true,
    ...extra,
  };
}

/** A described, mutable repository `app` of {@link TEST_REGISTRY}; `extra` overrides any field. */
export function scanRepository(extra: Partial<ScanImageRepository>): ScanImageRepository {
  return {
    registry: TEST_REGISTRY,
    account: '111111111111',
    region: 'us-east-1',
    name: 'app',
    tagMutability: 'MUTABLE',
    imageCount: 3,
    tags: [],
    newestDigest: null,
    images: [],
    failure: null,
    ...extra,
  };
}
