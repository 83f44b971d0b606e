/**
 * One shared instance per distinct value. An estate of 100,000 functions repeats a handful of
 * runtimes, versions, architectures and layer ARNs; each parsed response carries its own copies,
 * which the records would otherwise keep alive for the whole scan.
 */
export class Interner {
  readonly #strings = new Map<string, string>();
  readonly #lists = new Map<string, readonly string[]>();

  /** The shared instance of `s`. */
  string(s: string): string {
    const got = this.#strings.get(s);
    if (got !== undefined) return got;
    this.#strings.set(s, s);
    return s;
  }

  /**
   * `v`, a value `JSON.parse` made, with every string in it (not its keys, which V8 shares
   * already) replaced by the shared instance, in place.
   */
  json(v: unknown): unknown {
    if (typeof v === 'string') return this.string(v);
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = this.json(v[i]);
      return v;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === 'string' || (typeof x === 'object' && x !== null)) o[k] = this.json(x);
    }
    return v;
  }

  /** A shared, exactly sized copy of `list` (same elements, same order); never mutate it. */
  list(list: readonly string[]): string[] {
    // JSON: no two different lists share a key, whatever characters their elements hold.
    const key = JSON.stringify(list);
    let got = this.#lists.get(key);
    if (!got) {
      got = Object.freeze(list.map((s) => this.string(s)));
      this.#lists.set(key, got);
    }
    // Frozen: a caller that sorts or pushes would change every record sharing it.
    return got as string[];
  }
}

/**
 * One empty list for every holder of an empty list (frozen: nothing may add to it). An
 * estate's analysis holds thousands of diffs and inventories at once, most of their lists empty.
 */
export const NONE = Object.freeze([]) as never[];

/**
 * `list` without the spare room pushing leaves: {@link NONE} when empty, else an exactly sized
 * copy. V8 gives an array its first pushed element 17 slots (184 bytes for one element, against
 * 56 copied); an estate's analysis keeps tens of thousands of such short lists at once.
 */
export function sized<T>(list: T[]): T[] {
  return list.length === 0 ? NONE : list.slice();
}

/** Whether two lists hold the same elements in the same order (so one may stand for both). */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
