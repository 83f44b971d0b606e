import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

// What reaches V8: the flag's effect on collections is shown on a real workload in
// test/e2e/scan/heap.test.ts; here, which value is in force when.
const flags = vi.hoisted(() => [] as string[]);
// The old generation's use as the slack bound reads it (bytes), new space left out.
const used = vi.hoisted(() => ({ old: 0, newSpace: 0, newSpaceSize: 0 }));
vi.mock('node:v8', () => ({
  setFlagsFromString: (f: string) => flags.push(f),
  getHeapSpaceStatistics: () => [
    { space_name: 'old_space', space_used_size: used.old },
    { space_name: 'code_space', space_used_size: 0 },
    { space_name: 'new_space', space_used_size: used.newSpace, space_size: used.newSpaceSize },
  ],
}));

// The collection hook a context made with --expose-gc holds (see giveBackMemory).
const hook = vi.hoisted(() => {
  const state: { calls: unknown[]; kind: 'function' | 'none' | 'throws' } = {
    calls: [],
    kind: 'function',
  };
  return state;
});
vi.mock('node:vm', () => ({
  runInNewContext: () =>
    hook.kind === 'none'
      ? undefined
      : (options: unknown) => {
          hook.calls.push(options);
          if (hook.kind === 'throws') throw new Error('no collection here');
        },
}));

const { boundHeapSlack, capYoungGeneration, giveBackMemory, setHeapGrowth, withHeapGrowth } =
  await import('./heap.js');
const MiB = 1024 * 1024;

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

  it('holds the bound until a phase that returns a promise settles, resolved or rejected', async () => {
    setHeapGrowth(50);
    let release!: () => void;
    const phase = withHeapGrowth(10, () => new Promise<string>((r) => (release = () => r('ok'))));
    await Promise.resolve();
    expect(flags.at(-1)).toBe('--heap-growing-percent=10');
    release();
    await expect(phase).resolves.toBe('ok');
    expect(flags.at(-1)).toBe('--heap-growing-percent=50');
    await expect(
      withHeapGrowth(10, () => Promise.reject(new Error('in the phase')))
    ).rejects.toThrow('in the phase');
    expect(flags.at(-1)).toBe('--heap-growing-percent=50');
  });

  it('bounds the growth in MiB once the live heap is large, within the factor set', () => {
    setHeapGrowth(50);
    used.newSpace = 30 * MiB;
    // 16 MiB of 20 live is 80 %: the factor set (50 %) is the tighter.
    used.old = 20 * MiB;
    const stop = boundHeapSlack(16);
    expect(flags.at(-1)).toBe('--heap-growing-percent=50');
    // 16 MiB of 100 live: 16 %.
    used.old = 100 * MiB;
    setHeapGrowth(50);
    expect(flags.at(-1)).toBe('--heap-growing-percent=16');
    // Never under 10 %, and a phase's own bound still holds.
    used.old = 1000 * MiB;
    setHeapGrowth(50);
    expect(flags.at(-1)).toBe('--heap-growing-percent=10');
    used.old = 100 * MiB;
    withHeapGrowth(12, () => expect(flags.at(-1)).toBe('--heap-growing-percent=12'));
    expect(flags.at(-1)).toBe('--heap-growing-percent=16');
    stop();
    setHeapGrowth(50);
    expect(flags.at(-1)).toBe('--heap-growing-percent=50');
  });

  it('rounds to a whole percent of at least 1', () => {
    setHeapGrowth(0.2);
    setHeapGrowth(12.6);
    expect(flags).toEqual(['--heap-growing-percent=1', '--heap-growing-percent=13']);
  });
});

describe('young generation cap', () => {
  beforeEach(() => {
    flags.length = 0;
  });

  it('stops its growth once a doubling would pass the cap, and a later cap replaces it', () => {
    // 16 MiB: a doubling passes 8, not 32.
    used.newSpaceSize = 16 * MiB;
    const stop = capYoungGeneration(8);
    expect(flags).toEqual(['--semi-space-growth-factor=1']);
    // One command's cap replaces another's (a scan's 32 after a layer's 8), in the same watch.
    capYoungGeneration(32);
    expect(flags).toEqual(['--semi-space-growth-factor=1', '--semi-space-growth-factor=2']);
    // Unchanged: nothing set again.
    capYoungGeneration(32);
    expect(flags).toHaveLength(2);
    capYoungGeneration(8);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
    // Stopped, the factor stays as it was last set.
    stop();
    expect(flags).toHaveLength(3);
  });
});

describe('giveBackMemory', () => {
  const v8Version = Object.getOwnPropertyDescriptor(process.versions, 'v8')!;
  const asV8 = (version: string) =>
    Object.defineProperty(process.versions, 'v8', { ...v8Version, value: version });

  beforeEach(() => {
    flags.length = 0;
    hook.calls.length = 0;
    hook.kind = 'function';
    used.old = 100 * MiB;
    asV8('12.4.254.21-node.33');
    // A scan's own cap, as the CLI sets it, under which the young generation grew to 16 MiB.
    used.newSpaceSize = 8 * MiB;
    capYoungGeneration(32);
    used.newSpaceSize = 16 * MiB;
    flags.length = 0;
  });
  afterAll(() => {
    Object.defineProperty(process.versions, 'v8', v8Version);
  });

  it('caps the young generation, collects without compaction, and restores the cap', () => {
    const given = giveBackMemory({ youngMib: 8, atLeastMib: 48 });
    expect(given.outcome).toBe('collected');
    expect(hook.calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(flags).toEqual([
      '--expose-gc',
      '--no-expose-gc',
      '--semi-space-growth-factor=1',
      '--no-compact',
      '--compact',
    ]);
    // V8 shrank it: it may double again up to 8 MiB.
    used.newSpaceSize = 1 * MiB;
    capYoungGeneration(8);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
    used.newSpaceSize = 8 * MiB;
    capYoungGeneration(8);
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
    // Back to the scan's 32: at 8 MiB a doubling fits in it again.
    given.restore();
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
  });

  it('does nothing under its threshold, on V8 11, or without a hook', () => {
    used.old = 40 * MiB;
    expect(giveBackMemory({ youngMib: 8, atLeastMib: 48 }).outcome).toBe('small');
    used.old = 100 * MiB;
    asV8('11.3.244.8-node.38');
    expect(giveBackMemory({ youngMib: 8, atLeastMib: 48 }).outcome).toBe('unsupported');
    asV8('12.4.254.21-node.33');
    hook.kind = 'none';
    expect(giveBackMemory({ youngMib: 8, atLeastMib: 48 }).outcome).toBe('unsupported');
    expect(hook.calls).toEqual([]);
    // Only the hook's flag, set and cleared: no cap, no compaction setting.
    expect(flags).toEqual(['--expose-gc', '--no-expose-gc']);
  });

  it("restores V8's own growth where no cap was set before", async () => {
    vi.resetModules();
    const fresh = await import('./heap.js');
    const given = fresh.giveBackMemory({ youngMib: 8, atLeastMib: 48 });
    expect(given.outcome).toBe('collected');
    expect(flags.at(-2)).toBe('--no-compact');
    given.restore();
    expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
  });

  it('leaves the cap and compaction as they were when the collection fails', () => {
    hook.kind = 'throws';
    const given = giveBackMemory({ youngMib: 8, atLeastMib: 48 });
    expect(given.outcome).toBe('unsupported');
    expect(flags).toEqual([
      '--expose-gc',
      '--no-expose-gc',
      '--semi-space-growth-factor=1',
      '--no-compact',
      '--semi-space-growth-factor=2',
      '--compact',
    ]);
  });
});
