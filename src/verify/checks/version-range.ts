/**
 * The dotted-version range matcher (`pkg:generic` and unknown purl types), kept as a small
 * entry point: comparators `<`, `<=`, `>`, `>=`, `=` (or bare version), space- or
 * comma-separated for AND and `||` for OR. Ecosystem ranges: src/verify/versions.
 */
import { parseVersionRange, type VersionRange } from '../../versions/index.js';

/** Parse a dotted-version range. @throws Error naming the bad part */
export function parseRange(text: string): VersionRange {
  return parseVersionRange('generic', text);
}

/** True when `version` lies in `range`; false for a version that is not dotted. */
export function satisfies(version: string, range: VersionRange | string): boolean {
  const r = typeof range === 'string' ? parseRange(range) : range;
  return r.test(version) === 'in';
}
