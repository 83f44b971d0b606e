import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('lets go of the least recently used beyond its weight', () => {
    const c = new BoundedCache<string, number>(10);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    // Using a makes b the least recent.
    expect(c.get('a')).toBe(1);
    c.set('c', 3, 4);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.weight).toBe(8);
    expect(c.size).toBe(2);
  });

  it('keeps the entry just set even when it alone is over the bound', () => {
    const c = new BoundedCache<string, string>(10);
    c.set('small', 's', 3);
    c.set('huge', 'h', 50);
    expect(c.get('huge')).toBe('h');
    expect(c.get('small')).toBeUndefined();
    // The next one lets it go.
    c.set('next', 'n', 1);
    expect(c.get('huge')).toBeUndefined();
    expect(c.get('next')).toBe('n');
    expect(c.weight).toBe(1);
  });

  it('replaces an entry set again, counting its weight once', () => {
    const c = new BoundedCache<string, number>(10);
    c.set('a', 1, 6);
    c.set('a', 2, 6);
    expect(c.get('a')).toBe(2);
    expect(c.weight).toBe(6);
    expect(c.size).toBe(1);
  });
});
