import { describe, expect, it } from 'vitest';
import { Interner } from './intern.js';

describe('Interner', () => {
  it('returns the first instance of an equal string', () => {
    const i = new Interner();
    const a = i.string(['nodejs', '20.x'].join(''));
    const b = i.string(['nodejs2', '0.x'].join(''));
    expect(b).toBe(a);
    expect(i.string('python3.12')).toBe('python3.12');
  });

  it('shares equal lists, keeps order and refuses mutation', () => {
    const i = new Interner();
    const a = i.list(['x86_64']);
    const b = i.list(['x86_64']);
    expect(b).toBe(a);
    expect(i.list(['arm64', 'x86_64'])).not.toBe(i.list(['x86_64', 'arm64']));
    expect(i.list(['a', 'b'])).toEqual(['a', 'b']);
    expect(() => a.push('arm64')).toThrow(TypeError);
    // An element that joins into the same key as another split stays distinct.
    expect(i.list(['a\0b'])).not.toBe(i.list(['a', 'b']));
  });
});
