/**
 * NuGet versions as NuGet.Versioning orders them
 * (https://learn.microsoft.com/en-us/nuget/concepts/package-versioning): up to four numeric
 * parts (missing ones are 0, so `1.0` = `1.0.0.0`), SemVer 2.0.0 prerelease labels compared
 * case-insensitively, build metadata ignored. Ranges also take NuGet's interval notation
 * (`[1.0,2.0)`); a bare version, which NuGet reads as a minimum, is refused.
 */
import { comparePrerelease } from './prerelease.js';
import { compileIntervals, type Ordering } from './ranges.js';

/** A parsed NuGet version. */
export interface NugetVersion {
  parts: [number, number, number, number];
  pre: string[];
}

const PATTERN =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function parse(text: string): NugetVersion | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m || m.slice(1, 5).some((x) => x !== undefined && x.length > 15)) return undefined;
  const n = (i: number): number => Number(m[i] ?? '0');
  return { parts: [n(1), n(2), n(3), n(4)], pre: m[5] ? m[5].split('.') : [] };
}

function compare(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = a.parts[i]! - b.parts[i]!;
    if (d !== 0) return Math.sign(d);
  }
  return comparePrerelease(a.pre, b.pre, true);
}

export const nugetOrdering: Ordering<NugetVersion> = {
  name: 'NuGet',
  parse,
  compare,
  bareVersion: 'NuGet reads a bare version as a minimum; write =, >= or [1.0,)',
  native: (text) => compileIntervals(nugetOrdering, text, false),
};
