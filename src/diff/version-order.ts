/**
 * Version ordering for the package diff, behind a small interface so the diff does not depend
 * on how ordering is implemented per ecosystem.
 */
import type { Ecosystem } from '../model/package.js';
import { compareVersions, parseVersion } from '../verify/checks/version-range.js';

/** Orders two versions of one package; undefined when they cannot be ordered. */
export interface VersionOrder {
  compare(ecosystem: Ecosystem, a: string, b: string): number | undefined;
}

/**
 * Dotted numeric versions with prerelease suffixes (semver-like), the ordering the policy's
 * version ranges use; versions it cannot parse (PEP 440 `rc1`, git hashes) are not ordered.
 */
export const dottedVersionOrder: VersionOrder = {
  compare(_ecosystem, a, b) {
    const x = parseVersion(a);
    const y = parseVersion(b);
    return x && y ? compareVersions(x, y) : undefined;
  },
};
