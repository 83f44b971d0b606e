/**
 * How far V8 lets the heap grow between full collections during `lamina scan` and `lamina merge`.
 *
 * After each full collection V8 lets the old generation grow to a multiple of what stayed live
 * before collecting again; with the default heap limit of a 64-bit machine that multiple is up to
 * 4. A scan keeps little alive (a small record per function and layer version) but promotes a lot
 * of short-lived garbage while downloads and inventories are in flight, so its peak RSS was set
 * by that slack: about 4 × the live heap, growing with the estate. A factor of 1.5 collects
 * sooner; the benchmark (`npm run bench:scan`, BENCHMARKS.md) weighs the memory saved against the
 * extra collections' CPU (at 10,000 functions: none measurable against a factor of 2; 1.2 saved
 * 7–8 % more at 100,000 functions for 9–16 % more CPU, so 1.5 stays). V8 adds the young
 * generation's capacity to the limit, so the old generation holds that much more than the factor
 * says.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to (1 + this / 100) × its live size before a full collection. */
export const SCAN_HEAP_GROWING_PERCENT = 50;

/**
 * Set V8's heap growing factor for the rest of the process. V8 reads the flag each time it sizes
 * the heap after a collection, so setting it at run time takes effect from the next one.
 */
export function boundHeapGrowth(percent: number = SCAN_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${Math.max(1, Math.round(percent))}`);
}
