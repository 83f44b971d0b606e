import { describe, expect, it } from 'vitest';
import { limiter, mapLimit, workQueue } from './pool.js';

describe('mapLimit', () => {
  it('never runs more than the limit at once and keeps order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([...Array(20).keys()], 3, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1));
      active--;
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(out).toEqual([...Array(20).keys()].map((i) => i * 2));
  });
});

describe('mapLimit failures', () => {
  it('rethrows the first error and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([0, 1, 2, 3, 4, 5], 1, (i) => {
        started.push(i);
        return i === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(i);
      })
    ).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
  });
});

describe('limiter', () => {
  it('keeps at most the limit in flight as work arrives, in arrival order, and passes failures on', async () => {
    const run = limiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      active--;
      if (i === 4) throw new Error('four');
      return i;
    };
    const first = [0, 1, 2].map((i) => run(task(i)));
    await new Promise((r) => setTimeout(r, 2));
    const later = [3, 4, 5, 6].map((i) => run(task(i)));
    const settled = await Promise.allSettled([...first, ...later]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'))).toEqual([
      0,
      1,
      2,
      3,
      'failed',
      5,
      6,
    ]);
  });
});

describe('workQueue', () => {
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('starts work as items arrive, at most the limit at once, in arrival order', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const q = workQueue<number>(3, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await tick(1 + (i % 2));
      active--;
      done.push(i);
    });
    for (const i of [0, 1, 2, 3, 4]) q.push(i);
    await tick(3);
    for (const i of [5, 6, 7, 8, 9]) q.push(i);
    await q.drained();
    expect(peak).toBe(3);
    expect([...done].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(active).toBe(0);
    // Drained again with nothing queued: settles at once; later items start again.
    await q.drained();
    q.push(10);
    await q.drained();
    expect(done).toContain(10);
  });

  it('rejects drained() with the first error, starts nothing after it and waits for in-flight work', async () => {
    const started: number[] = [];
    let inFlight = 0;
    const q = workQueue<number>(2, async (i) => {
      started.push(i);
      inFlight++;
      await tick(i === 1 ? 1 : 5);
      inFlight--;
      if (i === 1) throw new Error('one');
    });
    for (const i of [0, 1, 2, 3, 4]) q.push(i);
    await expect(q.drained()).rejects.toThrow('one');
    expect(inFlight).toBe(0);
    expect(started).toEqual([0, 1]);
  });

  it('turns a work call that throws before it awaits into the same rejection', async () => {
    const q = workQueue<number>(1, (i) => {
      if (i === 0) throw new Error('sync');
      return Promise.resolve();
    });
    q.push(0);
    await expect(q.drained()).rejects.toThrow('sync');
  });
});
