/**
 * Version ordering for the package diff, behind a small interface so the diff does not depend
 * on how ordering is implemented per ecosystem.
 */
import type { Ecosystem } from '../model/package.js';
import { compareVersions, schemeOfPurlType } from '../versions/index.js';

/** Orders two versions of one package; undefined when they cannot be ordered. */
export interface VersionOrder {
  compare(ecosystem: Ecosystem, a: string, b: string): number | undefined;
}

/**
 * Each ecosystem's own version order (npm semver, PEP 440, Maven, RubyGems, NuGet, Go, Cargo), the
 * one the policy's version ranges use; ecosystems without one (OS packages, bare files) fall back
 * to the dotted order. Versions an order cannot parse are not ordered.
 */
export const ecosystemVersionOrder: VersionOrder = {
  compare(ecosystem, a, b) {
    return compareVersions(schemeOfPurlType(ecosystem), a, b);
  },
};
