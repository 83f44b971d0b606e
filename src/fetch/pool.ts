/**
 * Run `worker` over `items` with at most `limit` in flight. Results keep the
 * input order. Workers should not throw (record failures instead); if one does,
 * the pool stops starting new items and rethrows the first error.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { err: unknown } | undefined;
  const run = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await worker(items[i]!, i);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, run));
  if (failed) throw failed.err;
  return results;
}
