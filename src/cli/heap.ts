/**
 * How far V8 lets the heap grow during the commands that read an estate or its results (`scan`,
 * `merge`, `verify --all`, `changes` and `diff` of two scan results), and the young generation of
 * the commands that read one layer or image (or two layers, for `diff`).
 *
 * A scan keeps little alive (a small record per function and layer version) but promotes a lot
 * of short-lived garbage while downloads and inventories are in flight, so with V8's own factor
 * (up to 4 × the live heap on a 64-bit machine) its peak RSS was set by that slack, growing with
 * the estate. A factor of 1.5 collects sooner; the benchmark (`npm run bench:scan`, BENCHMARKS.md)
 * weighs the memory saved against the extra collections' CPU (at 10,000 functions: none
 * measurable against a factor of 2; 1.2 saved 7–8 % more at 100,000 functions for 9–16 % more
 * CPU, so 1.5 stays), and a bound in MiB keeps a large estate's slack from growing with what it
 * holds. The end of a scan (its result, package drift and scan.json) runs tighter still
 * (`pipeline/scan.ts`).
 */
import { boundHeapSlack, capYoungGeneration, setHeapGrowth } from '../util/heap.js';

/** The old generation may grow to (1 + this / 100) × its live size before a full collection. */
export const SCAN_HEAP_GROWING_PERCENT = 50;

/**
 * The most the old generation may grow between full collections, whatever the factor: a large
 * estate's scan holds more live, and a factor alone would let its slack grow with it. At
 * 100,000 functions the downloads' peak fell from 222–234 to 204–222 MiB; 8 MiB took ~7 MiB off
 * a 10,000-function scan and nothing off a 100,000-function one, whose peak is then the end of
 * the scan (BENCHMARKS.md).
 */
export const SCAN_HEAP_SLACK_MIB = 16;

/** The young generation's size, at most (Node 20's own on a 64-bit machine). */
export const SCAN_YOUNG_GENERATION_MIB = 32;

/**
 * The young generation's size, at most, while `sbom`, `verify`, `gate`, `pin` and `diff` read a
 * layer or an image: one archive's entries, parsed files and SBOM are made and dropped in quick
 * succession, and V8 grew the young generation to its maximum for them (128 MiB in Node 24 on a
 * large machine), which the old generation's limit then adds again. A cap of 4 MiB took
 * `lamina sbom` of an 84 MB layer of 38,904 files from ~330 to ~209 MiB on Node 24 and from ~195
 * to ~172 MiB on Node 20, and of a zip of 150,000 entries from 140 to 105 MiB on Node 20, for no
 * CPU measurable (BENCHMARKS.md). V8 can pass the cap during a long synchronous step, before the
 * watch sees a collection; 8 MiB let Node 20 grow it to 32 there. A scan keeps its own larger
 * cap: there a small young generation promoted more and cost CPU.
 */
export const CONTENT_YOUNG_GENERATION_MIB = 4;

/** Keep the young generation at {@link CONTENT_YOUNG_GENERATION_MIB} for the rest of the process. */
export function boundContentHeap(): void {
  capYoungGeneration(CONTENT_YOUNG_GENERATION_MIB);
}

let capped = false;

/**
 * Set V8's heap growing factor for the rest of the process (from the next full collection), keep
 * the young generation at {@link SCAN_YOUNG_GENERATION_MIB} and the old generation's growth
 * between collections at {@link SCAN_HEAP_SLACK_MIB}.
 */
export function boundHeapGrowth(percent: number = SCAN_HEAP_GROWING_PERCENT): void {
  setHeapGrowth(percent);
  capYoungGeneration(SCAN_YOUNG_GENERATION_MIB);
  if (capped) return;
  capped = true;
  boundHeapSlack(SCAN_HEAP_SLACK_MIB);
}
