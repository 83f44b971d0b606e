import { describe, expect, it } from 'vitest';
import { foldKey, parseStrictJson, StrictJsonError } from './strict-json.js';

const bad = (input: string | Uint8Array, why: RegExp) =>
  expect(() => parseStrictJson(input)).toThrow(why);

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads for well-formed documents', () => {
    const docs = [
      '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{"c":{}},"d":[]}',
      ' [ ] ',
      '"\\ud83d\\ude00"',
      '0',
    ];
    for (const d of docs) expect(parseStrictJson(d)).toEqual(JSON.parse(d));
  });
  it('refuses duplicate keys, also under case folding', () => {
    bad('{"a":1,"a":2}', /duplicate key "a"/);
    bad('{"alg":1,"ALG":2}', /duplicate key "ALG"/);
    bad('{"x":{"scheme":1,"ſcheme":2}}', /duplicate key/);
    expect(() => parseStrictJson('{"a":1,"b":{"a":2}}')).not.toThrow();
  });
  it('refuses what other JSON readers would read differently or not at all', () => {
    bad('{"a":1} x', /data after/);
    bad('\ufeff{}', /byte order mark/);
    bad(Buffer.from([0x22, 0xff, 0x22]), /UTF-8/);
    bad('"\\ud800"', /lone surrogate/);
    bad('{"a":01}', /expected/);
    bad("{'a':1}", /expected a key/);
    bad('[1,]', /unexpected/);
    bad('"a\u0001"', /invalid string/);
    bad('1e999', /out of range/);
    bad('[NaN]', /unexpected/);
  });
  it('bounds nesting', () => {
    bad('['.repeat(40) + ']'.repeat(40), /nesting deeper than 32/);
    expect(() => parseStrictJson('['.repeat(5) + ']'.repeat(5), { maxDepth: 5 })).not.toThrow();
    expect(() => parseStrictJson('[[[]]]', { maxDepth: 2 })).toThrow(StrictJsonError);
  });
  it('objects have no prototype, so __proto__ is plain data', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(v['__proto__']).toEqual({ polluted: true });
  });
  it('folds keys the way Go matches struct fields', () => {
    expect(foldKey('ſ')).toBe(foldKey('s'));
    expect(foldKey('\u212a')).toBe(foldKey('k'));
    expect(foldKey('Alg')).toBe(foldKey('alg'));
  });
});
