import { describe, expect, it } from 'vitest';
import { mapLimit } from './pool.js';

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
