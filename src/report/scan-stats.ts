/**
 * `lamina scan --stats`: what a scan cost in API calls against the floor (the calls no scan of
 * that estate can avoid), and in content work.
 */
import { cmp } from '../util/compare.js';
import { formatBytes } from '../util/format.js';

/** The figures a scan counts (the pipeline's ScanStats has this shape). */
export interface ScanCostFigures {
  api: { requests: number; byOperation: ReadonlyMap<string, number>; throttled: number };
  apiFloor: number;
  cost: {
    identities: number;
    listPages: number;
    described: number;
    reused: number;
    codeSigningFallbacks: number;
  };
  downloads: number;
  bytesDownloaded: number;
  cacheHits: number;
  sbomsReused: number;
  inventoried: number;
  /** Whether the package drift was an earlier scan's (its inputs unchanged). */
  packageDriftReused: boolean;
  /** Image work against its floor; null or absent when the scan found no image function. */
  images?: ImageWorkFigures | null;
}

/**
 * The image work of a scan in requests, each beside its floor (what no scan of these functions
 * could avoid). API calls are also in the run's API statistics; registry requests are not.
 */
export interface ImageWorkFigures {
  /** Image function versions: one GetFunction each is the floor. */
  imageFunctions: number;
  /** ECR GetAuthorizationToken calls, retries included. */
  tokenRequests: number;
  /** Floor: one token per account and Region (and principal) an image was read from. */
  tokenFloor: number;
  /**
   * Floor of the other ECR API calls: DescribeRepositories per repository, the DescribeImages
   * pages its listing needed, BatchGetImage per tagged index.
   */
  ecrFloor: number;
  /** Distinct images read from registries. */
  imagesRead: number;
  /** Registry requests by kind, every hop and retry included. */
  registry: { manifests: number; blobs: number; other: number };
  /**
   * Floor: one manifest GET per digest read; one blob GET per distinct config and per distinct
   * layer not already in the cache.
   */
  registryFloor: { manifests: number; blobs: number };
}

/** ECR API operations other than GetAuthorizationToken that image work makes. */
const ECR_OPERATIONS = [
  'DescribeRepositoriesCommand',
  'DescribeImagesCommand',
  'BatchGetImageCommand',
];

/** `N (floor F)` */
const vsFloor = (n: number, floor: number): string => `${n} (floor ${floor})`;

/** Plain text, one fact a line; operation names are the SDK's, never untrusted text. */
export function renderScanStats(s: ScanCostFigures): string {
  const ratio = s.apiFloor > 0 ? (s.api.requests / s.apiFloor).toFixed(2) : '-';
  const lines = [
    `API calls ${s.api.requests}, floor ${s.apiFloor} (${ratio} × floor), ${s.api.throttled} throttled`,
  ];
  const ops = [...s.api.byOperation.entries()].sort(([a], [b]) => cmp(a, b));
  const width = Math.max(0, ...ops.map(([op]) => op.replace(/Command$/, '').length));
  for (const [op, n] of ops) lines.push(`  ${op.replace(/Command$/, '').padEnd(width)}  ${n}`);
  const c = s.cost;
  lines.push(
    `floor: ${c.identities} identities, ${c.listPages} list pages, ` +
      `${c.described} layer versions described (${c.reused} known from an earlier scan)`
  );
  if (c.codeSigningFallbacks > 0)
    lines.push(
      `code signing: listings failed in ${c.codeSigningFallbacks} regions; asked each function`
    );
  const im = s.images;
  if (im && im.imageFunctions > 0) {
    const op = (name: string): number => s.api.byOperation.get(name) ?? 0;
    const ecr = ECR_OPERATIONS.reduce((n, name) => n + op(name), 0);
    lines.push(
      `images: ${im.imageFunctions} image functions, ${im.imagesRead} images read; ` +
        `GetFunction ${vsFloor(op('GetFunctionCommand'), im.imageFunctions)}, ` +
        `GetAuthorizationToken ${vsFloor(im.tokenRequests, im.tokenFloor)}, ` +
        `other ECR calls ${vsFloor(ecr, im.ecrFloor)}`,
      `registry: manifest GETs ${vsFloor(im.registry.manifests, im.registryFloor.manifests)}, ` +
        `blob GETs ${vsFloor(im.registry.blobs, im.registryFloor.blobs)}, ${im.registry.other} other requests`
    );
  }
  lines.push(
    `content: ${s.downloads} downloads (${formatBytes(s.bytesDownloaded)}), ` +
      `${s.cacheHits} from cache, ${s.sbomsReused} SBOMs reused, ${s.inventoried} inventoried`,
    `package drift: ${s.packageDriftReused ? 'reused (its inputs unchanged since an earlier scan)' : 'computed'}`
  );
  return lines.join('\n') + '\n';
}
