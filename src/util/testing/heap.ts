/**
 * Heap bytes held, for tests that hold a memory saving (sharing strings, lists sized to fit):
 * figures taken around real full collections.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';

const WARM_UP = 200;

/** Heap bytes each of `count` values `make` returns holds (the last checked equal to `like`). */
export function heldPer(make: () => unknown, like: unknown, count = 50_000): number {
  // A real collection between the two measurements, or the figures are garbage's; `make` run
  // before them, or they include the code it compiles and the caches it fills once.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < WARM_UP; i++) make();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: count }, make);
  gc();
  const used = (process.memoryUsage().heapUsed - before) / kept.length;
  expect(kept[kept.length - 1]).toEqual(like);
  return used;
}
