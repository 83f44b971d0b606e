import { describe, expect, it } from 'vitest';
import { fnv1a32 } from './fnv.js';

describe('fnv1a32', () => {
  it("gives FNV-1a's published 32-bit values for ASCII, as signed integers", () => {
    // From the FNV reference test suite (draft-eastlake-fnv, test vectors).
    expect(fnv1a32('') >>> 0).toBe(0x811c9dc5);
    expect(fnv1a32('a') >>> 0).toBe(0xe40c292c);
    expect(fnv1a32('foobar') >>> 0).toBe(0xbf9cf968);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968 | 0);
  });
});
