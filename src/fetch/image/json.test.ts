import { describe, expect, it } from 'vitest';
import { parseStrictJson } from './json.js';
import { codeOf } from './testing/expect-code.js';

const opts = {
  knownKeys: new Set(['layers', 'mediaType', 'annotations', 'config']),
  freeForm: new Set(['annotations']),
  what: 'doc',
};
const parse = (text: string | Buffer): unknown =>
  parseStrictJson(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, opts);
const code = (text: string | Buffer): string | undefined => codeOf(() => parse(text));

describe('parseStrictJson', () => {
  it('parses ordinary documents like JSON.parse', () => {
    const text = '{"layers":[{"a":1.5e3,"b":null,"c":true}],"mediaType":"x\\u0041\\n","config":{}}';
    expect(parse(text)).toEqual(JSON.parse(text));
    expect(parse(' [ ] ')).toEqual([]);
  });

  it('refuses duplicate keys, at any depth', () => {
    expect(code('{"layers":[],"layers":[]}')).toBe('AMBIGUOUS_DOCUMENT');
    expect(code('{"config":{"x":1,"x":2}}')).toBe('AMBIGUOUS_DOCUMENT');
    // The same key spelled with an escape is the same key.
    expect(code('{"layers":[],"l\\u0061yers":[]}')).toBe('AMBIGUOUS_DOCUMENT');
  });

  it("refuses keys Go's encoding/json would fold onto a schema field", () => {
    expect(code('{"Layers":[]}')).toBe('AMBIGUOUS_DOCUMENT');
    expect(code('{"layers":[],"LAYERS":[]}')).toBe('AMBIGUOUS_DOCUMENT');
    // U+017F LATIN SMALL LETTER LONG S folds to "s"; U+212A KELVIN SIGN to "k".
    expect(code('{"layer\u017f":[]}')).toBe('AMBIGUOUS_DOCUMENT');
    expect(code('{"a":1,"\u212a":2,"k":3}')).toBe('AMBIGUOUS_DOCUMENT');
    // Unknown keys that fold to nothing known are fine.
    expect(parse('{"Layerz":1}')).toEqual({ Layerz: 1 });
  });

  it('leaves free-form maps alone except for exact duplicates', () => {
    expect(parse('{"annotations":{"Config":"a","config":"b"}}')).toEqual({
      annotations: { Config: 'a', config: 'b' },
    });
    expect(code('{"annotations":{"a":"1","a":"2"}}')).toBe('AMBIGUOUS_DOCUMENT');
  });

  it('refuses what readers decode differently: bad UTF-8, a BOM, lone surrogates', () => {
    expect(code(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toBe(
      'MALFORMED_DOCUMENT'
    );
    expect(code('\ufeff{}')).toBe('MALFORMED_DOCUMENT');
    expect(code('{"a":"\\ud800"}')).toBe('MALFORMED_DOCUMENT');
    expect(parse('{"a":"\\ud83d\\ude00"}')).toEqual({ a: '😀' });
  });

  it('refuses malformed JSON and bounds nesting without recursing deeply', () => {
    for (const bad of [
      '',
      '{',
      '{"a":}',
      '{"a":1,}',
      '[1 2]',
      '{"a":1} x',
      "{'a':1}",
      '{"a":01}',
      '{"a":"\n"}',
    ]) {
      expect(code(bad), bad).toBe('MALFORMED_DOCUMENT');
    }
    expect(code('['.repeat(100_000) + ']'.repeat(100_000))).toBe('MALFORMED_DOCUMENT');
    expect(parse('['.repeat(60) + ']'.repeat(60))).toBeInstanceOf(Array);
  });
});
