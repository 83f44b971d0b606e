import type { Package } from '../../model/package.js';

/**
 * Answers "does some package own this file?" for the layer's files, from the
 * `owns` lists of packages found earlier. Built once: exact paths go in a Set,
 * directory prefixes (ending in '/') in another, and a lookup walks the path's
 * ancestors, so each query costs O(path depth).
 */
export class OwnershipIndex {
  readonly #exact = new Set<string>();
  readonly #prefixes = new Set<string>();

  constructor(packages: readonly Package[]) {
    for (const p of packages) {
      for (const raw of p.owns) {
        const o = raw.replace(/^\/+/, '');
        if (o === '') continue;
        (o.endsWith('/') ? this.#prefixes : this.#exact).add(o);
      }
    }
  }

  /** True when `path` (layer-relative) is owned exactly or lies under an owned prefix. */
  has(path: string): boolean {
    if (this.#exact.has(path)) return true;
    if (this.#prefixes.size === 0) return false;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      if (this.#prefixes.has(path.slice(0, i + 1))) return true;
    }
    return false;
  }
}

/**
 * True when some package's `owns` lists `path` or a directory prefix of it.
 * For many lookups, build an {@link OwnershipIndex} once and pass it instead.
 */
export function isOwned(path: string, packages: readonly Package[] | OwnershipIndex): boolean {
  const index = packages instanceof OwnershipIndex ? packages : new OwnershipIndex(packages);
  return index.has(path);
}
