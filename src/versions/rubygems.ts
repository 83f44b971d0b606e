/**
 * RubyGems versions, ordered as `Gem::Version#<=>` orders them
 * (https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb): segments are runs
 * of digits or letters, a letter makes a prerelease (`1.0.a < 1.0`), `-` means `.pre.`, and
 * trailing zeros do not count (`1.0 == 1`). `~>` is the pessimistic operator.
 */
import { compareClause, type Ordering } from './ranges.js';

type Segment = number | string;

/** A parsed gem version: its canonical segments. */
export interface GemVersion {
  segments: Segment[];
}

const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function segmentsOf(text: string): Segment[] {
  const s = text.replace(/-/g, '.pre.');
  return (s.match(/[0-9]+|[a-z]+/gi) ?? []).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/** Trailing zeros dropped from the numeric part and from the part after the first letter. */
function canonical(segments: Segment[]): Segment[] {
  const strip = (xs: Segment[]): Segment[] => {
    const out = [...xs];
    while (out.length > 0 && out[out.length - 1] === 0) out.pop();
    return out;
  };
  const firstString = segments.findIndex((x) => typeof x === 'string');
  if (firstString < 0) return strip(segments);
  return [...strip(segments.slice(0, firstString)), ...strip(segments.slice(firstString))];
}

function parse(text: string): GemVersion | undefined {
  const t = text.trim();
  if (!PATTERN.test(t)) return undefined;
  // Huge digit runs would lose precision as numbers; no real gem has them.
  if (/\d{16,}/.test(t)) return undefined;
  return { segments: canonical(segmentsOf(t)) };
}

function compare(a: GemVersion, b: GemVersion): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const l = a.segments[i] ?? 0;
    const r = b.segments[i] ?? 0;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r === 'number') return -1;
    if (typeof l === 'number' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}

/** `Gem::Version#bump`: drop letters, drop the last segment (if more than one), increment. */
function bump(text: string): GemVersion {
  const segs = segmentsOf(text.trim());
  while (segs.some((s) => typeof s === 'string')) segs.pop();
  if (segs.length > 1) segs.pop();
  segs[segs.length - 1] = (segs[segs.length - 1] as number) + 1;
  return { segments: canonical(segs) };
}

export const gemOrdering: Ordering<GemVersion> = {
  name: 'RubyGems',
  parse,
  compare,
  extraOps: ['~>'],
  clause(op, version) {
    if (op !== '~>') return undefined;
    const low = parse(version);
    if (!low) throw new Error(`${JSON.stringify(version)} is not a RubyGems version`);
    return [compareClause(gemOrdering, '>=', low), compareClause(gemOrdering, '<', bump(version))];
  },
};
