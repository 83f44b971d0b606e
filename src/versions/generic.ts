/**
 * Fallback order for ecosystems without a scheme of their own (`pkg:generic` and unknown
 * types): dotted numbers (missing parts are 0), an optional `v`, a `-prerelease` that sorts
 * before its release and compares by dot-separated identifiers, `+build` ignored. Anything else
 * (a git hash, a Debian epoch) is not a version here.
 */
import { comparePrerelease } from './prerelease.js';
import type { Ordering } from './ranges.js';

/** A parsed dotted version. */
export interface DottedVersion {
  release: number[];
  pre: string[];
}

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export const genericOrdering: Ordering<DottedVersion> = {
  name: 'dotted',
  parse(text) {
    const m = VERSION.exec(text.trim());
    if (!m || /\d{16,}/.test(m[1]!)) return undefined;
    return { release: m[1]!.split('.').map(Number), pre: m[2] ? m[2].split('.') : [] };
  },
  compare(a, b) {
    const n = Math.max(a.release.length, b.release.length);
    for (let i = 0; i < n; i++) {
      const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
      if (d !== 0) return Math.sign(d);
    }
    return comparePrerelease(a.pre, b.pre);
  },
};
