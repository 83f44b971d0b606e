/**
 * Image drift across the estate: per function version, the digest it runs against what its tag
 * names now (the tag moved since deploy) and the newest image pushed (lag); the same tag in other
 * regions and accounts naming other digests; functions sharing a digest; and findings for a
 * CodeSha256 that disagrees with the resolved digest, an architecture the image was not built
 * for, a deploy by tag from a mutable repository, and an archived image. Pure.
 */
import type { ScanFunctionImage, ScanImageRepository } from './image-result.js';
import { cmp } from '../util/compare.js';

/** What drift needs of a function version. */
export interface ImageFunctionView {
  arn: string;
  architectures: string[];
  image: ScanFunctionImage;
}

export type ImageFindingKind =
  | 'tag-moved'
  | 'behind-newest'
  | 'code-sha-mismatch'
  | 'architecture-mismatch'
  | 'mutable-tag-deploy'
  | 'image-archived'
  | 'tag-differs-across-registries';

export interface ImageFinding {
  kind: ImageFindingKind;
  severity: 'error' | 'warning' | 'info';
  /** Function version ARN, null for a repository-level finding. */
  function: string | null;
  /** `registry/name` */
  repository: string;
  digest: string | null;
  message: string;
}

export interface ImageFunctionDrift {
  arn: string;
  repository: string;
  deployedDigest: string;
  /** The tag the function was deployed by, if any. */
  tag: string | null;
  /** The digest that tag names now (null: the tag is gone). */
  tagNow: string | null;
  newestDigest: string | null;
  /** Tagged images pushed after the deployed one (0 when it is, or is in, the newest). */
  behind: number;
}

export interface ImageDrift {
  functions: ImageFunctionDrift[];
  /** Digests run by more than one function version. */
  sharedDigests: { digest: string; functions: string[] }[];
  /** A repository name and tag naming different digests in different registries. */
  tagsAcrossRegistries: {
    name: string;
    tag: string;
    registries: { registry: string; digest: string }[];
  }[];
  findings: ImageFinding[];
}

const ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

/** The tag an image URI names (`repo:tag`, not `repo@sha256:…`). */
export function tagOf(uri: string | null): string | null {
  if (!uri || uri.includes('@')) return null;
  const m = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(uri.slice(uri.indexOf('/') + 1));
  return m ? m[1]! : null;
}

/** Computes image drift from the scan's functions and repositories. */
export function computeImageDrift(
  functions: readonly ImageFunctionView[],
  repositories: readonly ScanImageRepository[]
): ImageDrift {
  const byKey = new Map(repositories.map((r) => [`${r.registry}/${r.name}`, r]));
  const drift: ImageDrift = {
    functions: [],
    sharedDigests: [],
    tagsAcrossRegistries: [],
    findings: [],
  };
  const users = new Map<string, string[]>();
  for (const f of [...functions].sort((a, b) => cmp(a.arn, b.arn))) {
    const { digest, repository } = f.image;
    if (!digest || !repository) continue;
    users.set(digest, [...(users.get(digest) ?? []), f.arn]);
    const repo = byKey.get(repository);
    const find = (
      kind: ImageFindingKind,
      severity: ImageFinding['severity'],
      message: string
    ): void => {
      drift.findings.push({ kind, severity, function: f.arn, repository, digest, message });
    };

    const hex = digest.replace(/^sha256:/, '');
    if (f.image.codeSha256 && f.image.codeSha256 !== hex)
      find(
        'code-sha-mismatch',
        'error',
        `CodeSha256 ${f.image.codeSha256} is not the resolved image digest ${digest}`
      );
    if (!repo || repo.failure) continue;
    const image = repo.images.find((i) => i.digest === digest);
    const wanted = ARCH[f.architectures[0] ?? 'x86_64'];
    if (image?.architecture && wanted && image.architecture !== wanted)
      find(
        'architecture-mismatch',
        'error',
        `the function runs on ${f.architectures[0]} but the image is built for ${image.architecture}`
      );
    if (image?.imageStatus === 'ARCHIVED')
      find('image-archived', 'error', `the image ${digest} is archived in ECR`);
    const tag = tagOf(f.image.uri);
    if (tag && repo.tagMutability === 'MUTABLE')
      find(
        'mutable-tag-deploy',
        'warning',
        `deployed by tag ${tag} from a repository whose tags are mutable`
      );
    const tagNow = tag ? (repo.tags.find((t) => t.tag === tag)?.digest ?? null) : null;
    // A tag naming an index that lists the deployed digest has not moved.
    const runs = (d: string | null): boolean =>
      d !== null && (d === digest || (image?.indexes.includes(d) ?? false));
    if (tag && !runs(tagNow))
      find(
        'tag-moved',
        'warning',
        tagNow
          ? `tag ${tag} now names ${tagNow}, not the deployed ${digest}`
          : `tag ${tag} no longer exists`
      );
    // Tagged images pushed after the deployed one (its own index aside).
    const deployedAt = image?.pushedAt ? Date.parse(image.pushedAt) : undefined;
    const behind =
      deployedAt === undefined || runs(repo.newestDigest)
        ? 0
        : new Set(
            repo.tags
              .filter((t) => t.pushedAt && Date.parse(t.pushedAt) > deployedAt && !runs(t.digest))
              .map((t) => t.digest)
          ).size;
    if (behind > 0)
      find('behind-newest', 'info', `the newest image in ${repository} is ${repo.newestDigest}`);
    drift.functions.push({
      arn: f.arn,
      repository,
      deployedDigest: digest,
      tag,
      tagNow,
      newestDigest: repo.newestDigest,
      behind,
    });
  }
  drift.sharedDigests = [...users]
    .filter(([, fns]) => fns.length > 1)
    .map(([digest, fns]) => ({ digest, functions: fns }))
    .sort((a, b) => cmp(a.digest, b.digest));

  const byNameTag = new Map<string, { registry: string; digest: string }[]>();
  for (const r of repositories)
    for (const t of r.tags) {
      const key = `${r.name}\0${t.tag}`;
      byNameTag.set(key, [
        ...(byNameTag.get(key) ?? []),
        { registry: r.registry, digest: t.digest },
      ]);
    }
  for (const [key, regs] of [...byNameTag].sort((a, b) => cmp(a[0], b[0]))) {
    if (regs.length < 2 || new Set(regs.map((x) => x.digest)).size < 2) continue;
    const [name, tag] = key.split('\0') as [string, string];
    const registries = regs.sort((a, b) => cmp(a.registry, b.registry));
    drift.tagsAcrossRegistries.push({ name, tag, registries });
    for (const x of registries)
      drift.findings.push({
        kind: 'tag-differs-across-registries',
        severity: 'warning',
        function: null,
        repository: `${x.registry}/${name}`,
        digest: x.digest,
        message: `${name}:${tag} names ${registries.length} different digests across ${registries.length} registries`,
      });
  }
  drift.findings.sort(
    (a, b) =>
      cmp(a.repository, b.repository) ||
      cmp(a.function ?? '', b.function ?? '') ||
      cmp(a.kind, b.kind)
  );
  return drift;
}
