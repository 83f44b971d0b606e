/**
 * A map that keeps the most recently used entries up to a total weight: an estate's analysis
 * reads back thousands of inventories and needs only a few at a time, so it keeps those and
 * reads the others again when asked.
 */
export class BoundedCache<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  readonly #entries = new Map<K, { value: V; weight: number }>();
  #weight = 0;

  /**
   * @param maxWeight the most total weight kept; one entry heavier than that is still kept
   *   until the next one arrives, so the value just made is always returned from the cache.
   */
  constructor(readonly maxWeight: number) {}

  /** The value under `key`, now the most recently used; undefined when not kept. */
  get(key: K): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  /** Keep `value` under `key` with `weight`, letting go of the least recently used beyond the bound. */
  set(key: K, value: V, weight: number): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#weight -= old.weight;
      this.#entries.delete(key);
    }
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    for (const [k, e] of this.#entries) {
      if (this.#weight <= this.maxWeight || k === key) break;
      this.#entries.delete(k);
      this.#weight -= e.weight;
    }
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Their total weight. */
  get weight(): number {
    return this.#weight;
  }
}
