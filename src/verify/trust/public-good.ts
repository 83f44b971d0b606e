/**
 * The Sigstore public-good trusted root, shipped as a pinned file (never fetched at verify time).
 * Extracted from @sigstore/tuf's embedded seeds by scripts/pin-public-good-root.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrustRootError } from './errors.js';
import { loadTrustedRoot, type TrustedRootMaterial } from './trusted-root.js';

/** sha256 of policies/trust/public-good-trusted-root.json; update only together with the file. */
export const PUBLIC_GOOD_SHA256 =
  '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66';

/** Path of the pinned file relative to the lamina package root. */
export const PUBLIC_GOOD_RELATIVE_PATH = join('policies', 'trust', 'public-good-trusted-root.json');

/**
 * Finds the lamina package root by walking up from this module: the depth differs between
 * src/ (tests) and dist/src/ (built package), and `policies/` ships beside both.
 */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        if (name === 'lamina') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Absolute path of the shipped public-good trusted root. @throws TrustRootError */
export function publicGoodTrustedRootPath(): string {
  const root = packageRoot();
  if (root === undefined) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_NOT_FOUND',
      message: 'cannot locate the lamina package root for the public-good trusted root',
    });
  }
  return join(root, PUBLIC_GOOD_RELATIVE_PATH);
}

/** Loads the public-good trusted root and checks it against {@link PUBLIC_GOOD_SHA256}. @throws TrustRootError */
export function loadPublicGoodTrustedRoot(): TrustedRootMaterial {
  const path = publicGoodTrustedRootPath();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_NOT_FOUND',
      message: `cannot read ${path}`,
      cause,
    });
  }
  return loadTrustedRoot(bytes, { expectedSha256: PUBLIC_GOOD_SHA256 });
}
