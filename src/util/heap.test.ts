import { beforeEach, describe, expect, it, vi } from 'vitest';

// What reaches V8: the flag's effect on collections is shown on a real workload in
// test/e2e/scan/heap.test.ts; here, which value is in force when.
const flags = vi.hoisted(() => [] as string[]);
vi.mock('node:v8', () => ({ setFlagsFromString: (f: string) => flags.push(f) }));

const { setHeapGrowth, withHeapGrowth } = await import('./heap.js');

describe('heap growth', () => {
  beforeEach(() => {
    flags.length = 0;
  });

  it('sets the bound for one phase and restores the one set before', () => {
    setHeapGrowth(50);
    const got = withHeapGrowth(10, () => {
      expect(flags.at(-1)).toBe('--heap-growing-percent=10');
      return 'done';
    });
    expect(got).toBe('done');
    expect(flags).toEqual([
      '--heap-growing-percent=50',
      '--heap-growing-percent=10',
      '--heap-growing-percent=50',
    ]);
  });

  it('restores when the phase throws', () => {
    setHeapGrowth(50);
    expect(() =>
      withHeapGrowth(10, () => {
        throw new Error('in the phase');
      })
    ).toThrow('in the phase');
    expect(flags.at(-1)).toBe('--heap-growing-percent=50');
  });

  it("restores V8's own factor when none was set, and nests", () => {
    setHeapGrowth(0);
    withHeapGrowth(10, () => withHeapGrowth(20, () => undefined));
    expect(flags).toEqual([
      '--heap-growing-percent=0',
      '--heap-growing-percent=10',
      '--heap-growing-percent=20',
      '--heap-growing-percent=10',
      '--heap-growing-percent=0',
    ]);
  });

  it('rounds to a whole percent of at least 1', () => {
    setHeapGrowth(0.2);
    setHeapGrowth(12.6);
    expect(flags).toEqual(['--heap-growing-percent=1', '--heap-growing-percent=13']);
  });
});
