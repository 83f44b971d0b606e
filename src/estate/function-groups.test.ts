import { describe, expect, it } from 'vitest';
import { Rng } from '../unpack/testing/mutate.js';
import { FunctionGroups, sortedUnique } from './function-groups.js';

describe('FunctionGroups', () => {
  const groups = new FunctionGroups([
    [['c', 'a'], ['e']],
    [['b', 'b']],
    // A result that lists a function twice can put it in two groups.
    [['a'], ['d']],
    [],
  ]);

  it('gives the ARNs of groups together, sorted, each once', () => {
    expect(groups.arns([0])).toEqual(['a', 'c', 'e']);
    expect(groups.arns([1])).toEqual(['b']);
    expect(groups.arns([2, 0])).toEqual(['a', 'c', 'd', 'e']);
    expect(groups.arns([0, 1, 2, 3])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(groups.arns([3])).toEqual([]);
    expect(groups.arns([])).toEqual([]);
  });

  it('leaves out the ARNs of other groups', () => {
    expect(groups.arnsExcept([0, 1], [2])).toEqual(['b', 'c', 'e']);
    expect(groups.arnsExcept([2], [0])).toEqual(['d']);
    expect(groups.arnsExcept([0], [0])).toEqual([]);
    expect(groups.arnsExcept([1], [])).toEqual(['b']);
  });

  it('hands out a new frozen list on each read', () => {
    const a = groups.arns([0]);
    expect(Object.isFrozen(a)).toBe(true);
    expect(groups.arns([0])).not.toBe(a);
  });

  it('agrees with sets of strings on random groups', () => {
    const rng = new Rng(7);
    for (let round = 0; round < 50; round++) {
      const names = Array.from({ length: 1 + rng.int(40) }, (_, i) => `arn:${(i * 7919) % 997}`);
      const spec = Array.from({ length: 1 + rng.int(8) }, () =>
        Array.from({ length: rng.int(3) }, () =>
          Array.from({ length: rng.int(6) }, () => names[rng.int(names.length)]!)
        )
      );
      const g = new FunctionGroups(spec);
      const pick = () => spec.flatMap((_, i) => (rng.int(2) === 0 ? [i] : []));
      const of = pick();
      const except = pick();
      const set = (ids: number[]) => new Set(ids.flatMap((i) => spec[i]!.flat()));
      const without = set(except);
      expect(g.arns(of)).toEqual([...set(of)].sort());
      expect(g.arnsExcept(of, except)).toEqual([...set(of)].filter((a) => !without.has(a)).sort());
    }
  });
});

describe('sortedUnique', () => {
  it('sorts by code unit and drops repeats, in place', () => {
    const list = ['b', 'a', 'B', 'b', 'a'];
    expect(sortedUnique(list)).toBe(list);
    expect(list).toEqual(['B', 'a', 'b']);
  });
});
