import { describe, expect, it } from 'vitest';
import { heldPer } from '../../util/testing/heap.js';
import { DEFAULT_PRINCIPAL, type Principal } from './clients.js';
import { withLookup, type Lookup } from './enumerate.js';

const role: Principal = { label: 'arn:aws:iam::222222222222:role/r', credentials: undefined };
const home: Lookup = { principal: DEFAULT_PRINCIPAL, region: 'us-east-1' };
const other: Lookup = { principal: role, region: 'eu-west-1' };

describe('withLookup', () => {
  it('puts the lookup that listed the version first, any other last, in a new list', () => {
    const seen = [other];
    const listed = withLookup(seen, home, true);
    expect(listed).toEqual([home, other]);
    expect(withLookup([home], other, false)).toEqual([home, other]);
    expect(listed).not.toBe(seen);
    expect(seen).toEqual([other]);
  });

  it('sizes the list to fit: a record keeps its one lookup to the end of a scan', () => {
    // What each of 20,000 layer version records of a large scan holds: one lookup, added to
    // the empty list of a version first seen attached to a function.
    const none = (): Lookup[] => [];
    const fitted = heldPer(() => withLookup(none(), home, false), [home]);
    const spread = heldPer(() => [...none(), home], [home]);
    expect(fitted).toBeLessThan(spread * 0.4);
    expect(heldPer(() => withLookup(none(), home, true), [home])).toBeLessThan(spread * 0.4);
  });
});
