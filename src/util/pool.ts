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
