/**
 * A small version-range matcher for package deny rules, npm-style but deliberately limited:
 * comparators `<`, `<=`, `>`, `>=`, `=` (or bare version), space-separated for AND and `||`
 * for OR. Versions compare as dotted numbers (missing parts are 0); a prerelease suffix
 * (`-rc.1`) sorts before its release, and prereleases compare by dot-separated identifiers.
 * Versions that do not start with a number (e.g. git hashes) match no comparator.
 */

type Op = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  op: Op;
  version: ParsedVersion;
}
interface ParsedVersion {
  release: number[];
  pre: string[];
}
/** OR of ANDs. */
export type Range = Comparator[][];

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parse a dotted version; undefined when it is not one. */
export function parseVersion(text: string): ParsedVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { release: m[1]!.split('.').map(Number), pre: m[2] ? m[2].split('.') : [] };
}

/** Negative, zero or positive like a sort comparator. */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  // A release sorts after its prereleases.
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
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
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Parse a range. @throws Error naming the bad part */
export function parseRange(text: string): Range {
  const alternatives = text.split('||').map((s) => s.trim());
  return alternatives.map((alt) => {
    if (alt === '') throw new Error(`empty alternative in range ${JSON.stringify(text)}`);
    // Allow "< 1.2" as well as "<1.2".
    const tokens = alt.replace(/(<=|>=|<|>|=)\s+/g, '$1').split(/\s+/);
    return tokens.map((tok) => {
      const m = /^(<=|>=|<|>|=)?(.*)$/.exec(tok)!;
      const version = parseVersion(m[2]!);
      if (!version) throw new Error(`not a version comparator: ${JSON.stringify(tok)}`);
      return { op: (m[1] ?? '=') as Op, version };
    });
  });
}

/** True when `version` lies in `range`; false for unparseable versions. */
export function satisfies(version: string, range: Range | string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  const r = typeof range === 'string' ? parseRange(range) : range;
  return r.some((and) =>
    and.every(({ op, version: c }) => {
      const d = compareVersions(v, c);
      switch (op) {
        case '<':
          return d < 0;
        case '<=':
          return d <= 0;
        case '>':
          return d > 0;
        case '>=':
          return d >= 0;
        case '=':
          return d === 0;
      }
    })
  );
}
