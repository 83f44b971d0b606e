/**
 * The images part of a scan as the reports show it (pure), shaped once for the text, Markdown
 * and HTML renderers: per ECR repository the digests in use (tags now, push order, the
 * functions running each, whether it was read), the image drift findings, and the image
 * functions whose image could not be read, with the reason.
 */
import type { ScanResult } from '../scan/result.js';

/** One digest of a repository, as the reports list it. */
export interface ImageRow {
  digest: string;
  tags: string[];
  /** 1 for the first image pushed; null when ECR did not list it. */
  pushOrder: number | null;
  newest: boolean;
  status: 'inventoried' | 'failed' | 'not-read';
  packageCount: number | null;
  architecture: string | null;
  failure: { code: string; reason: string } | null;
  /** Labels of the functions running it (`name[:version] [account region]`). */
  functions: string[];
}

/** One repository and its images. */
export interface ImageRepositoryView {
  /** `registry/name` */
  repository: string;
  tagMutability: string | null;
  failure: { code: string; reason: string } | null;
  images: ImageRow[];
}

/** What the images sections show; null when the scan found no image function. */
export interface ScanImagesView {
  functionCount: number;
  repositories: ImageRepositoryView[];
  findings: {
    severity: string;
    kind: string;
    /** The function's label, or the repository for a repository-wide finding. */
    subject: string;
    message: string;
  }[];
  /** Image functions whose image (or its repository) could not be read. */
  failed: { function: string; image: string; code: string; reason: string }[];
}

/** `name[:version] [account region]` of a function version ARN of the scan. */
function labeller(result: ScanResult): (arn: string) => string {
  const byArn = new Map(result.functions.map((f) => [f.arn, f]));
  return (arn) => {
    const f = byArn.get(arn);
    if (!f) return arn;
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    return `${name} [${f.account} ${f.region}]`;
  };
}

/** The images view of a scan result, or null without image functions. */
export function scanImagesView(result: ScanResult): ScanImagesView | null {
  const imageFns = result.functions.filter((f) => f.packageType === 'Image');
  if (imageFns.length === 0) return null;
  const label = labeller(result);
  const repos = result.images ?? [];
  const repositories = repos.map((r): ImageRepositoryView => ({
    repository: `${r.registry}/${r.name}`,
    tagMutability: r.tagMutability,
    failure: r.failure,
    images: r.images.map((i) => ({
      digest: i.digest,
      tags: i.tags,
      pushOrder: i.pushOrder,
      newest: i.digest === r.newestDigest,
      status: i.status,
      packageCount: i.packageCount,
      architecture: i.architecture,
      failure: i.failure,
      functions: i.usedBy.map(label),
    })),
  }));
  const byKey = new Map(repos.map((r) => [`${r.registry}/${r.name}`, r]));
  const failed: ScanImagesView['failed'] = [];
  for (const f of imageFns) {
    const { digest, repository } = f.image ?? { digest: null, repository: null };
    if (!digest || !repository) continue;
    const repo = byKey.get(repository);
    const why = repo?.failure ?? repo?.images.find((i) => i.digest === digest)?.failure;
    if (why) failed.push({ function: label(f.arn), image: `${repository}@${digest}`, ...why });
  }
  const findings = (result.drift.images?.findings ?? []).map((f) => ({
    severity: f.severity,
    kind: f.kind,
    subject: f.function ? label(f.function) : f.repository,
    message: f.message,
  }));
  return { functionCount: imageFns.length, repositories, findings, failed };
}

/** The state of an image in a few words: packages and architecture, or the failure code. */
export function imageState(i: ImageRow): string {
  if (i.status === 'inventoried') {
    const n = i.packageCount ?? 0;
    return `${n} ${n === 1 ? 'package' : 'packages'}${i.architecture ? `, ${i.architecture}` : ''}`;
  }
  return i.status === 'failed' ? `FAILED ${i.failure?.code ?? ''}` : 'not in use';
}

/** Tags, push order and whether it is the newest, in a few words. */
export function imagePlace(i: ImageRow): string {
  const tags = i.tags.length ? `tags ${i.tags.join(', ')}` : 'untagged';
  const order = i.pushOrder !== null ? `push #${i.pushOrder}` : 'not listed';
  return `${tags}; ${order}${i.newest ? ', newest' : ''}`;
}
