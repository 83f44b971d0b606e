/**
 * How far V8 lets the old generation grow between full collections, set at run time.
 *
 * After each full collection V8 lets the old generation grow to a multiple of what stayed live
 * (plus the young generation's capacity) before collecting again; with the default heap limit
 * of a 64-bit machine that multiple is up to 4. V8 reads `--heap-growing-percent` each time it
 * sizes the heap after a collection, so a setting made at run time takes effect from the next one.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's own value: 0 lets V8 choose its factor. */
const V8_DEFAULT = 0;

let current = V8_DEFAULT;
/** The most the old generation may grow between full collections, in bytes (see boundHeapSlack). */
let slack: number | undefined;

/**
 * Let the old generation grow to (1 + `percent` / 100) × its live size between full collections,
 * for the rest of the process (0: V8's own factor again).
 */
export function setHeapGrowth(percent: number): void {
  current = percent <= 0 ? V8_DEFAULT : Math.max(1, Math.round(percent));
  apply();
}

/** The smallest factor {@link boundHeapSlack} sets: below it full collections come too often. */
export const MIN_HEAP_GROWING_PERCENT = 10;

/**
 * Let the old generation grow by at most `mib` MiB between full collections, for the rest of
 * the process, within the factor {@link setHeapGrowth} sets and no tighter than
 * {@link MIN_HEAP_GROWING_PERCENT}: after each collection the factor is set from the old
 * generation's use, which V8 reads when it sizes the heap after its next full collection (use
 * seen after a young collection counts garbage not yet collected: the bound errs tight). A
 * factor alone lets the slack grow with the live heap, so a process holding twice as much would
 * peak at twice the slack as well; a small heap keeps its factor.
 * Returns a function that stops the watch (the factor then stays as it is).
 */
export function boundHeapSlack(mib: number): () => void {
  slack = mib * 1024 * 1024;
  const observer = new PerformanceObserver(apply);
  observer.observe({ entryTypes: ['gc'] });
  apply();
  return () => {
    observer.disconnect();
    slack = undefined;
  };
}

function apply(): void {
  let percent = current;
  if (slack !== undefined && percent !== V8_DEFAULT) {
    const live = oldGenerationUsed();
    if (live > 0)
      percent = Math.min(
        percent,
        Math.max(MIN_HEAP_GROWING_PERCENT, Math.round((100 * slack) / live))
      );
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Bytes in use in the spaces V8 counts as the old generation. */
function oldGenerationUsed(): number {
  let used = 0;
  for (const s of getHeapSpaceStatistics())
    if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space')
      used += s.space_used_size;
  return used;
}

/**
 * Run `fn` with the heap growth bounded to `percent`, then restore what was set before (by
 * {@link setHeapGrowth}, or V8's own factor); when `fn` returns a promise, once it settles.
 * For a phase that holds much live and allocates little that survives: more full collections
 * there cost little, and its peak is lower.
 */
export function withHeapGrowth<T>(percent: number, fn: () => T): T {
  const before = current;
  setHeapGrowth(percent);
  let out: T;
  try {
    out = fn();
  } catch (err) {
    setHeapGrowth(before);
    throw err;
  }
  if (out instanceof Promise) return out.finally(() => setHeapGrowth(before)) as T;
  setHeapGrowth(before);
  return out;
}

/** V8's own growth of the young generation: it doubles after a collection that needs room. */
const SEMI_SPACE_GROWTH = 2;

/** The young generation's cap in bytes, while a watch keeps it (see capYoungGeneration). */
let youngCap: number | undefined;
let youngFactor = SEMI_SPACE_GROWTH;
let youngWatch: PerformanceObserver | undefined;

/**
 * Keep V8's young generation (its two semi-spaces together) at or under `mib` MiB, for the rest
 * of the process; returns a function that stops the watch (the cap then stays as it is). A
 * later call sets another cap for the same watch: one command's cap replaces another's.
 *
 * V8 sizes the young generation's maximum at start-up from the machine's memory: 32 MiB in
 * Node 20 and 128 MiB in Node 24 on a machine with 24 GiB, all of it resident once grown, and
 * the old generation's limit adds it again. Its maximum can only be set on the command line,
 * but V8 reads its growth factor each time it grows it: after each collection the factor is set
 * to 1 (no growth) once a doubling would pass `mib`, and back when V8 has shrunk it. Between
 * two checks V8 can still pass the cap (Node 24 on a loaded machine reached 35 MiB for a cap of
 * 8); it does not reach its own maximum.
 */
export function capYoungGeneration(mib: number): () => void {
  youngCap = mib * 1024 * 1024;
  if (!youngWatch) {
    youngWatch = new PerformanceObserver(checkYoung);
    youngWatch.observe({ entryTypes: ['gc'] });
  }
  checkYoung();
  return stopYoungWatch;
}

/** No cap from here on; the growth factor stays as it was last set. */
function stopYoungWatch(): void {
  youngWatch?.disconnect();
  youngWatch = undefined;
  youngCap = undefined;
}

function checkYoung(): void {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (!young || youngCap === undefined) return;
  setYoungFactor(young.space_size * SEMI_SPACE_GROWTH <= youngCap ? SEMI_SPACE_GROWTH : 1);
}

function setYoungFactor(factor: number): void {
  if (factor === youngFactor) return;
  youngFactor = factor;
  setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}

/** What {@link giveBackMemory} did. */
export type GiveBack = 'collected' | 'small' | 'unsupported';

/** V8's collection hook as `--expose-gc` installs it in a context (its options since V8 12). */
type CollectHook = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Give memory back before a phase that holds much live and allocates little that lasts, once
 * the old generation holds at least `atLeastMib` MiB, and keep the young generation at
 * `youngMib` MiB until `restore` puts its cap back as it was (none: V8's own growth).
 *
 * V8 keeps its young generation at the size it grew to (32 MiB in a scan), resident, and adds
 * that size again to the old generation's limit before a full collection. It shrinks it only in
 * a collection that reduces memory: the last-resort one, which V8 runs before it would fail an
 * allocation and the gc hook runs on request (`flavor`, V8 12 and later: Node 22 and 24). The
 * hook is taken from a context made while `--expose-gc` is set, so no global `gc` appears.
 * Compaction is off for that collection: moving live objects holds both copies at once, which
 * raised a 100,000-function scan's peak by 5 MiB. On V8 11 (Node 20) the hook reads no flavor
 * and the young generation stays as it is: nothing runs there. Memory given back is a saving,
 * never a condition: a hook that cannot be had or fails leaves the process as it was.
 */
export function giveBackMemory(options: { youngMib: number; atLeastMib: number }): {
  outcome: GiveBack;
  restore: () => void;
} {
  const nothing = { restore: () => undefined };
  if (Number(process.versions.v8.split('.')[0]) < 12) return { outcome: 'unsupported', ...nothing };
  if (oldGenerationUsed() < options.atLeastMib * 1024 * 1024)
    return { outcome: 'small', ...nothing };
  const collect = collectHook();
  if (!collect) return { outcome: 'unsupported', ...nothing };
  const previous = youngCap;
  const restore = (): void => restoreYoungCap(previous);
  capYoungGeneration(options.youngMib);
  setFlagsFromString('--no-compact');
  try {
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    restore();
    return { outcome: 'unsupported', ...nothing };
  } finally {
    setFlagsFromString('--compact');
  }
  return { outcome: 'collected', restore };
}

/** V8's collection hook, from a context of its own; undefined where none is installed. */
function collectHook(): CollectHook | undefined {
  setFlagsFromString('--expose-gc');
  try {
    const hook: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof hook === 'function' ? (hook as CollectHook) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** The young generation's cap as it was (in bytes; undefined: no watch, V8's own growth). */
function restoreYoungCap(previous: number | undefined): void {
  if (previous !== undefined) {
    youngCap = previous;
    checkYoung();
    return;
  }
  stopYoungWatch();
  setYoungFactor(SEMI_SPACE_GROWTH);
}
