/**
 * The range grammar every ecosystem shares, over that ecosystem's own version order:
 * `||` separates alternatives (OR); within one, clauses separated by `,` or spaces must all hold
 * (AND); a clause is an operator and a version (`<`, `<=`, `>`, `>=`, `=`/`==`, `!=`, plus the
 * ecosystem's own, e.g. PEP 440 `~=` or RubyGems `~>`). Ranges are evaluated over the ORDER of
 * versions, never over install-time preferences (a pre-release below a bound is inside it).
 */

/** One clause, compiled: does a parsed version satisfy it? */
export type Clause<V> = (v: V) => boolean;

/** How an ecosystem parses and orders versions, and which operators it adds. */
export interface Ordering<V> {
  /** Name used in messages, e.g. `PEP 440`. */
  readonly name: string;
  /** A version as this ecosystem reads it; undefined when it is not one. */
  parse(text: string): V | undefined;
  /** Negative, zero or positive like a sort comparator. */
  compare(a: V, b: V): number;
  /**
   * Other readings of a version a range must also consider (e.g. PEP 440's public version of a
   * local one): the version is in a range when ANY reading is, so a suffix can never move a
   * version out of a deny range.
   */
  readings?(v: V): V[];
  /** Compile an ecosystem-specific clause (operator not among the shared ones); undefined if none. */
  clause?(op: string, version: string): Clause<V>[] | undefined;
  /** Operators beyond the shared ones, longest first (tokenising needs them). */
  readonly extraOps?: readonly string[];
  /**
   * Why a bare version (no operator) is refused, for ecosystems whose own syntax gives it another
   * meaning (a NuGet bare version is a minimum, a Cargo one a caret range); undefined: `=`.
   */
  readonly bareVersion?: string;
  /** Parse a whole alternative written in the ecosystem's own notation (Maven/NuGet intervals). */
  native?(text: string): Clause<V>[][] | undefined;
}

const SHARED_OPS = ['<=', '>=', '==', '!=', '<', '>', '='] as const;

/** A compiled range: OR of ANDs. */
export interface CompiledRange<V> {
  alternatives: Clause<V>[][];
}

/** Parse a range for an ordering. @throws Error naming the bad part */
export function compileRange<V>(ordering: Ordering<V>, text: string): CompiledRange<V> {
  const alternatives: Clause<V>[][] = [];
  for (const raw of text.split('||')) {
    const alt = raw.trim();
    if (alt === '') throw new Error(`empty alternative in range ${JSON.stringify(text)}`);
    const native = ordering.native?.(alt);
    if (native) {
      alternatives.push(...native);
      continue;
    }
    alternatives.push(compileAlternative(ordering, alt));
  }
  return { alternatives };
}

function compileAlternative<V>(ordering: Ordering<V>, alt: string): Clause<V>[] {
  const ops = [...(ordering.extraOps ?? []), ...SHARED_OPS].sort((a, b) => b.length - a.length);
  const opPattern = ops.map((o) => o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // Allow "< 1.2" as well as "<1.2".
  const joined = alt.replace(new RegExp(`(${opPattern})\\s+`, 'g'), '$1');
  const tokens = joined.split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.length === 0) throw new Error(`empty range ${JSON.stringify(alt)}`);
  const clauses: Clause<V>[] = [];
  for (const tok of tokens) {
    const op = ops.find((o) => tok.startsWith(o));
    const version = op ? tok.slice(op.length) : tok;
    if (version === '') throw new Error(`no version after ${JSON.stringify(tok)}`);
    if (op === undefined && ordering.bareVersion !== undefined)
      throw new Error(`${JSON.stringify(tok)}: ${ordering.bareVersion}`);
    const own = op !== undefined ? ordering.clause?.(op, version) : undefined;
    if (own) {
      clauses.push(...own);
      continue;
    }
    const v = ordering.parse(version);
    if (v === undefined)
      throw new Error(`${JSON.stringify(version)} is not a ${ordering.name} version`);
    clauses.push(compareClause(ordering, op ?? '=', v));
  }
  return clauses;
}

/** A shared-operator clause against bound `b`. */
export function compareClause<V>(ordering: Ordering<V>, op: string, b: V): Clause<V> {
  switch (op) {
    case '<':
      return (v) => ordering.compare(v, b) < 0;
    case '<=':
      return (v) => ordering.compare(v, b) <= 0;
    case '>':
      return (v) => ordering.compare(v, b) > 0;
    case '>=':
      return (v) => ordering.compare(v, b) >= 0;
    case '=':
    case '==':
      return (v) => ordering.compare(v, b) === 0;
    case '!=':
      return (v) => ordering.compare(v, b) !== 0;
    default:
      throw new Error(`operator ${op} is not supported for ${ordering.name}`);
  }
}

/** Where a version lies relative to a range. */
export type RangeResult = 'in' | 'out' | 'unparseable';

/** Test a version string against a compiled range. */
export function testRange<V>(
  ordering: Ordering<V>,
  range: CompiledRange<V>,
  version: string
): RangeResult {
  const v = ordering.parse(version);
  if (v === undefined) return 'unparseable';
  const readings = [v, ...(ordering.readings?.(v) ?? [])];
  const inside = range.alternatives.some((and) =>
    readings.some((r) => and.every((clause) => clause(r)))
  );
  return inside ? 'in' : 'out';
}

/**
 * Interval notation shared by Maven and NuGet: `[1.0,2.0)`, `(,1.0]`, `[1.5,)`, `[1.0]`; Maven
 * also lists several intervals, comma-separated, as a union. Returns undefined when `text` is
 * not in interval notation.
 */
export function compileIntervals<V>(
  ordering: Ordering<V>,
  text: string,
  allowUnion: boolean
): Clause<V>[][] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') && !t.startsWith('(')) return undefined;
  const interval = /^\s*([[(])([^,[\]()]*)(?:(,)([^,[\]()]*))?([\])])\s*(?:,|$)/;
  const out: Clause<V>[][] = [];
  let rest = t;
  while (rest.length > 0) {
    const m = interval.exec(rest);
    if (!m) throw new Error(`not an interval: ${JSON.stringify(rest)}`);
    const [whole, open, lowRaw, comma, highRaw, close] = m;
    rest = rest.slice(whole.length).trim();
    const bound = (s: string | undefined): V | undefined => {
      const x = (s ?? '').trim();
      if (x === '') return undefined;
      const v = ordering.parse(x);
      if (v === undefined)
        throw new Error(`${JSON.stringify(x)} is not a ${ordering.name} version`);
      return v;
    };
    const low = bound(lowRaw);
    if (!comma) {
      // `[1.0]` is exactly 1.0; `(1.0)` and `[1.0)` mean nothing.
      if (open !== '[' || close !== ']' || low === undefined)
        throw new Error(`${JSON.stringify(whole.trim())}: a single version needs [ ]`);
      out.push([compareClause(ordering, '=', low)]);
      continue;
    }
    const high = bound(highRaw);
    const and: Clause<V>[] = [];
    if (low !== undefined) and.push(compareClause(ordering, open === '[' ? '>=' : '>', low));
    else if (open === '[')
      throw new Error(`${JSON.stringify(whole.trim())}: no lower bound needs (`);
    if (high !== undefined) and.push(compareClause(ordering, close === ']' ? '<=' : '<', high));
    else if (close === ']')
      throw new Error(`${JSON.stringify(whole.trim())}: no upper bound needs )`);
    if (and.length === 0) throw new Error(`${JSON.stringify(whole.trim())}: no bound`);
    out.push(and);
    if (!allowUnion && rest.length > 0)
      throw new Error(`${ordering.name} takes one interval; join several with ||`);
  }
  return out;
}
