/**
 * Map over items with at most `limit` calls in flight; results keep the input
 * order. Workers should record their own failures; if one throws anyway, no
 * new items start and the first error is rethrown once in-flight work settles.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.err;
  return out;
}

/**
 * A gate for work that arrives over time (mapLimit needs the items up front): `run(fn)` starts
 * `fn` once fewer than `limit` calls are in flight, in arrival order, and settles as it does.
 */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finished call hands its slot to the next waiter, so no newcomer can slip in between.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (active >= Math.max(1, limit)) await new Promise<void>((go) => waiting.push(go));
    else active += 1;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

/** Work started as items arrive; see {@link workQueue}. */
export interface WorkQueue<T> {
  /** Queue `item`; its work starts once fewer than `limit` are in flight, in arrival order. */
  push(item: T): void;
  /**
   * Settles once every item pushed so far is done; rejects with the first error a work call
   * threw (after that no queued item starts; in-flight ones are waited for).
   */
  drained(): Promise<void>;
}

/**
 * Like {@link limiter}, for work that arrives in bulk: a waiting item is only held, not a
 * pending call (a promise, a suspended function and a closure each), so a queue of tens of
 * thousands of items costs a slot each.
 */
export function workQueue<T>(limit: number, work: (item: T) => Promise<void>): WorkQueue<T> {
  const max = Math.max(1, limit);
  let queued: (T | undefined)[] = [];
  let head = 0;
  let active = 0;
  let failed: { err: unknown } | undefined;
  let waiters: (() => void)[] = [];
  const settle = (): void => {
    if (active > 0 || (head < queued.length && !failed)) return;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const pump = (): void => {
    while (!failed && active < max && head < queued.length) {
      const item = queued[head] as T;
      queued[head++] = undefined;
      if (head === queued.length) {
        queued = [];
        head = 0;
      }
      active += 1;
      new Promise<void>((run) => run(work(item))).then(
        () => {
          active -= 1;
          pump();
          settle();
        },
        (err: unknown) => {
          failed ??= { err };
          active -= 1;
          settle();
        }
      );
    }
  };
  return {
    push(item) {
      queued.push(item);
      pump();
    },
    async drained() {
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
      if (failed) throw failed.err;
    },
  };
}
