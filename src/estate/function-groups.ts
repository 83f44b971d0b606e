/**
 * Functions held as groups of ranks. The package view lists, for each package version, every
 * function that sees it; built by pushing each function's ARN onto each list, they were 9.3 MiB
 * of 64,351 lists at the end of the view of the 100,000-function benchmark, and sorting them
 * took seconds of CPU. Functions with the same layers see the same packages, so a package version
 * keeps the numbers of the groups that see it, and its lists of ARNs are made when read.
 */
import { cmp } from '../util/compare.js';
import { sized } from '../util/intern.js';

/** Groups of function ARNs, each ARN numbered by its place among all of them sorted. */
export class FunctionGroups {
  /** Every ARN of every group, sorted, each once. */
  readonly #arns: string[];
  /** Each group's ranks in #arns, ascending, group after group. */
  readonly #ranks: Uint32Array;
  /** Where each group's ranks begin in #ranks; one more entry, the end. */
  readonly #starts: Uint32Array;

  /** `groups[i]` is group i: its ARNs in any order, in lists (an ARN may repeat). */
  constructor(groups: readonly (readonly (readonly string[])[])[]) {
    const all: string[] = [];
    for (const g of groups) for (const list of g) for (const arn of list) all.push(arn);
    this.#arns = sized(sortedUnique([...all]));
    this.#ranks = new Uint32Array(all.length);
    this.#starts = new Uint32Array(groups.length + 1);
    let at = 0;
    for (const [i, g] of groups.entries()) {
      this.#starts[i] = at;
      for (const list of g) for (const arn of list) this.#ranks[at++] = this.#rank(arn);
      this.#ranks.subarray(this.#starts[i], at).sort();
    }
    this.#starts[groups.length] = at;
  }

  /** The ARNs of the given groups together, sorted, each once. */
  arns(groups: readonly number[]): string[] {
    return this.#named(this.#ranksOf(groups));
  }

  /** The ARNs of groups `of` that are in none of groups `except`, sorted, each once. */
  arnsExcept(of: readonly number[], except: readonly number[]): string[] {
    const a = this.#ranksOf(of);
    const b = this.#ranksOf(except);
    let n = 0;
    let j = 0;
    for (let i = 0; i < a.length; i++) {
      const r = a[i]!;
      while (j < b.length && b[j]! < r) j++;
      if (j >= b.length || b[j] !== r) a[n++] = r;
    }
    return this.#named(a.subarray(0, n));
  }

  #rank(arn: string): number {
    let lo = 0;
    let hi = this.#arns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(this.#arns[mid]!, arn) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The ranks of the given groups, ascending, each once. */
  #ranksOf(groups: readonly number[]): Uint32Array {
    let n = 0;
    for (const g of groups) n += this.#starts[g + 1]! - this.#starts[g]!;
    const out = new Uint32Array(n);
    let at = 0;
    for (const g of groups) {
      const part = this.#ranks.subarray(this.#starts[g], this.#starts[g + 1]);
      out.set(part, at);
      at += part.length;
    }
    if (groups.length > 1) out.sort();
    // A group may repeat an ARN, and two groups share one when a result lists a function twice.
    let k = 0;
    for (let i = 0; i < out.length; i++) if (k === 0 || out[i] !== out[k - 1]) out[k++] = out[i]!;
    return out.subarray(0, k);
  }

  #named(ranks: Uint32Array): string[] {
    const out = new Array<string>(ranks.length);
    for (let i = 0; i < ranks.length; i++) out[i] = this.#arns[ranks[i]!]!;
    // Frozen, as a layer drift's rows: a list made on read is not one to edit.
    return Object.freeze(out) as string[];
  }
}

/** `list` sorted with duplicates removed, in place. */
export function sortedUnique(list: string[]): string[] {
  list.sort(cmp);
  let n = 0;
  for (let i = 0; i < list.length; i++)
    if (i === 0 || list[i] !== list[n - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}
