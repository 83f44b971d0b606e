import { describe, expect, it } from 'vitest';
import { Interner, NONE, sized } from './intern.js';
import { heldPer } from './testing/heap.js';

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

  it('json: shares the strings of a parsed value in place, which then holds less', () => {
    const text = JSON.stringify({
      arn: 'arn:aws:lambda:us-east-1:111111111111:function:fn-1:$LATEST',
      layers: [{ digest: `sha256:${'a'.repeat(64)}`, n: 1, ok: true, none: null }],
      __proto__: 'an own key',
    });
    const i = new Interner();
    const v = JSON.parse(text) as unknown;
    expect(i.json(v)).toBe(v);
    expect(v).toEqual(JSON.parse(text));
    expect(i.json('x')).toBe('x');
    const parsed = heldPer(() => JSON.parse(text), JSON.parse(text));
    const shared = heldPer(() => i.json(JSON.parse(text)), JSON.parse(text));
    expect(shared).toBeLessThan(parsed * 0.6);
  });
});

describe('sized', () => {
  it('gives the shared empty list for an empty one, else an equal copy', () => {
    expect(sized([])).toBe(NONE);
    const pushed: string[] = [];
    pushed.push('a', 'b');
    const copy = sized(pushed);
    expect(copy).toEqual(['a', 'b']);
    expect(copy).not.toBe(pushed);
  });

  it('holds less memory than the pushed list it copies', () => {
    const perList = (make: () => string[]): number => heldPer(make, ['x']);
    const push = (): string[] => {
      const list: string[] = [];
      list.push('x');
      return list;
    };
    const pushed = perList(push);
    const copied = perList(() => sized(push()));
    expect(copied).toBeLessThan(pushed * 0.6);
  });
});
