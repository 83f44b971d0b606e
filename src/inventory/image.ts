/**
 * What a package's place in a Lambda container image says about it: which
 * part of the image it belongs to (function code in `/var/task`, layer-style
 * content copied under `/opt`, the runtime in `/var/runtime` and `/var/lang`,
 * or the OS), and which layer its evidence came from. Pure: it reads only
 * the squashed image's index.
 */
import type { Package } from '../model/package.js';
import type { LayerRef } from '../unpack/squash.js';

/** The parts of a Lambda container image, as the Lambda base images lay them out. */
export type ImagePart = 'function' | 'opt' | 'runtime' | 'os';

export interface ImagePartOptions {
  /**
   * Where the function code is (`LAMBDA_TASK_ROOT`, or the config's
   * WorkingDirectory), root-relative; default `var/task`.
   */
  taskRoot?: string;
}

function under(path: string, dir: string): boolean {
  return dir !== '' && (path === dir || path.startsWith(`${dir}/`));
}

/** Which part of a Lambda image a root-relative path belongs to. */
export function imagePartOf(path: string, opts: ImagePartOptions = {}): ImagePart {
  const p = path.replace(/^\/+/, '');
  const task = (opts.taskRoot ?? 'var/task').replace(/^\/+|\/+$/g, '');
  if (under(p, task)) return 'function';
  if (under(p, 'opt')) return 'opt';
  if (under(p, 'var/runtime') || under(p, 'var/lang')) return 'runtime';
  return 'os';
}

/** A path inside a nested archive (`a.jar!/b.jar!/pom.properties`) lives in the image as its outermost archive. */
function outerPath(path: string): string {
  const bang = path.indexOf('!/');
  return bang < 0 ? path : path.slice(0, bang);
}

/** Where an image's entries came from: the squashed image (or a view of it). */
export interface LayerAttribution {
  layerOf(path: string): LayerRef | undefined;
}

/**
 * Stamp each package with its image part and the layer of its primary
 * evidence: `image-part`, `layer-index`, `layer-diffid` (and `layer-digest`
 * when the compressed digest is known) properties, and the diffID (hex) as
 * every location's layer digest. Packages are changed in place.
 */
export function attributeImagePackages(
  packages: readonly Package[],
  image: LayerAttribution,
  opts: ImagePartOptions = {}
): void {
  for (const p of packages) {
    const path = p.locations[0]?.path;
    if (path === undefined) continue;
    p.properties['image-part'] = imagePartOf(path, opts);
    for (const loc of p.locations) {
      const layer = image.layerOf(outerPath(loc.path));
      if (layer) loc.layerDigest = layer.diffId.replace(/^sha256:/, '');
    }
    const layer = image.layerOf(outerPath(path));
    if (!layer) continue;
    p.properties['layer-index'] = String(layer.index);
    p.properties['layer-diffid'] = layer.diffId;
    if (layer.digest) p.properties['layer-digest'] = layer.digest;
  }
}
