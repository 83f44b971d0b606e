import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonLenient, stripBom } from './json.js';

describe('parseJsonLenient', () => {
  it('reads what the .NET host reads: one BOM, comments, text after the document', () => {
    const r = parseJsonLenient('\ufeff// c\n{ /* x */ "a": [1, 2] } trailing');
    expect(r.value).toEqual({ a: [1, 2] });
    expect(r.tolerated).toEqual(['comments', 'trailing text']);
  });

  it('says when it accepted trailing commas, which no runtime here does', () => {
    expect(parseJsonLenient('{"a":[1,],}').tolerated).toEqual(['trailing commas']);
  });

  it('keeps the first or the last of duplicate keys, and names them', () => {
    const text = '{"libraries":{"x":1},"libraries":{"y":2}}';
    expect(parseJsonLenient(text, { duplicates: 'first' })).toMatchObject({
      value: { libraries: { x: 1 } },
      duplicateKeys: ['libraries'],
    });
    expect(parseJsonLenient(text).value).toEqual(JSON.parse(text));
  });

  it('names every key the top level gives twice, however many other keys repeat first', () => {
    const others = Array.from({ length: 20 }, (_, k) => `"k${k}":1,"k${k}":2`).join(',');
    const r = parseJsonLenient(`{${others},"a":{"main":1,"main":2},"ma\\u0069n":"x","main":0}`);
    expect(r.duplicateKeys).toHaveLength(16);
    expect(r.duplicateKeys).not.toContain('main');
    expect(r.topLevelDuplicates).toContain('main');
    expect(r.topLevelDuplicates).toHaveLength(21);
    expect(parseJsonLenient('{"a":{"main":1,"main":2}}').topLevelDuplicates).toEqual([]);
  });

  it('defines __proto__ as an own key, as JSON.parse does', () => {
    const v = parseJsonLenient('{"__proto__":{"polluted":1}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('refuses what is not JSON with JsonSyntaxError, and nesting past its bound', () => {
    for (const bad of ['', '{', '{"a" 1}', '"\\x"', '"\u0001"', '/* open', '[1 2]'])
      expect(() => parseJsonLenient(bad), bad).toThrow(JsonSyntaxError);
    expect(() => parseJsonLenient('['.repeat(600) + ']'.repeat(600))).toThrow(/nesting/);
    expect(stripBom('\ufeff\ufeffx')).toBe('\ufeffx');
  });
});
