/**
 * NuGet versions as NuGet.Versioning orders them
 * (https://learn.microsoft.com/en-us/nuget/concepts/package-versioning): up to four numeric
 * parts (missing ones are 0, so `1.0` = `1.0.0.0`), SemVer 2.0.0 prerelease labels compared
 * case-insensitively, build metadata ignored. Ranges also take NuGet's interval notation
 * (`[1.0,2.0)`); a bare version, which NuGet reads as a minimum, is refused.
 */
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
  if (a.pre.length === 0 || b.pre.length === 0)
    return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (xn !== yn) return xn ? -1 : 1;
    else {
      const xl = x.toLowerCase();
      const yl = y.toLowerCase();
      if (xl !== yl) return xl < yl ? -1 : 1;
    }
  }
  return 0;
}

export const nugetOrdering: Ordering<NugetVersion> = {
  name: 'NuGet',
  parse,
  compare,
  bareVersion: 'NuGet reads a bare version as a minimum; write =, >= or [1.0,)',
  native: (text) => compileIntervals(nugetOrdering, text, false),
};
