/**
 * What an image function runs: its `ImageUri` resolved against the estate's ECR repositories
 * the way Lambda resolves it at deploy time. A tag names the image it pointed to when the
 * function (version) was last modified, not the one it points to now; an index resolves to the
 * child manifest for the function's architecture. `ResolvedImageUri`, `CodeSha256` and
 * `CodeSize` come from that manifest.
 */
import { createHash } from 'node:crypto';
import { digestForTagAt, type EcrImage } from './ecr-store.js';
import { regionIndex } from './estate-index.js';
import type { Estate, FunctionVersion, LambdaFunction } from './estate.js';

export interface FunctionImage {
  imageUri: string;
  resolvedImageUri: string;
  /** Hex sha256, as Lambda reports CodeSha256 for images. */
  codeSha256: string;
  codeSize: number;
}

const IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::([A-Za-z0-9_.-]+))?(?:@(sha256:[a-f0-9]{64}))?$/;

const ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

/** Resolves the image of `fn` ($LATEST) or of one published version. */
export function functionImage(
  estate: Estate,
  fn: LambdaFunction,
  version: FunctionVersion | undefined,
  account: string,
  region: string
): FunctionImage {
  const imageUri =
    version?.imageUri ??
    fn.imageUri ??
    `${account}.dkr.ecr.${region}.amazonaws.com/${fn.name}:latest`;
  const image = resolve(estate, imageUri, fn, version);
  if (!image) {
    // Not an estate repository: a stable stand-in digest, nothing behind it.
    const hex = createHash('sha256').update(imageUri).digest('hex');
    const repo = imageUri.replace(/[:@][^/]*$/, '');
    return {
      imageUri,
      resolvedImageUri: `${repo}@sha256:${hex}`,
      codeSha256: fn.codeSha256 ?? hex,
      codeSize: 0,
    };
  }
  const repo = imageUri.replace(/@sha256:[a-f0-9]{64}$/, '').replace(/:[A-Za-z0-9_.-]+$/, '');
  return {
    imageUri,
    resolvedImageUri: `${repo}@${image.digest}`,
    codeSha256: fn.codeSha256 ?? image.digest.slice('sha256:'.length),
    codeSize: image.sizeInBytes,
  };
}

function resolve(
  estate: Estate,
  uri: string,
  fn: LambdaFunction,
  version: FunctionVersion | undefined
): EcrImage | undefined {
  const m = IMAGE_URI.exec(uri);
  if (!m) return undefined;
  const repo = regionIndex(estate, m[1]!, m[2]!).repositoriesByName.get(m[3]!);
  if (!repo) return undefined;
  const when = new Date(version?.lastModified ?? fn.lastModified);
  const digest = m[5] ?? digestForTagAt(repo, m[4] ?? 'latest', when);
  const image = repo.images.find((i) => i.digest === digest);
  if (!image || image.manifest.children.length === 0) return image;
  const arch = ARCH[fn.architectures[0] ?? 'x86_64'];
  const child = image.manifest.children.find(
    (c) => c.architecture === arch && (c.os ?? 'linux') === 'linux'
  );
  return child ? repo.images.find((i) => i.digest === child.digest) : image;
}
