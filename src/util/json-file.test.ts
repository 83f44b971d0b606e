import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Interner } from './intern.js';
import { JsonFileError, readJsonFile, type JsonFileOptions } from './json-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lamina-json-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `${n++}.json`);
  writeFileSync(path, text);
  return path;
}

// Every boundary crossed: one byte read at a time, every value over the piece size (read member
// by member), and the defaults.
const SHAPES: [string, Partial<JsonFileOptions>][] = [
  ['byte by byte, everything descended', { chunkBytes: 1, pieceBytes: 1 }],
  ['small chunks, small pieces', { chunkBytes: 7, pieceBytes: 40 }],
  ['defaults', {}],
];
const read = (path: string, o: Partial<JsonFileOptions> = {}) =>
  readJsonFile(path, { maxBytes: 1 << 20, ...o });

/** A seeded generator of JSON values with the characters that make readers differ. */
function randomValue(seed: number): unknown {
  let s = seed;
  const rnd = (k: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % k;
  };
  const strings = ['', 'a', '"', '\\', '\\"', 'é', '😀', '\u0000', '\n', '}', ']', ',', 'x:y', 'ﬀ'];
  const value = (depth: number): unknown => {
    switch (depth > 4 ? rnd(4) : rnd(7)) {
      case 0:
        return rnd(2) === 0 ? rnd(1000) - 500 : (rnd(100000) - 50000) / 7;
      case 1:
        return [true, false, null][rnd(3)];
      case 2:
      case 3:
        return Array.from({ length: 1 + rnd(3) }, () => strings[rnd(strings.length)]).join('');
      case 4:
      case 5:
        return Array.from({ length: rnd(5) }, () => value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = rnd(5); i > 0; i--)
          o[strings[rnd(strings.length)]! + String(rnd(3))] = value(depth + 1);
        return o;
      }
    }
  };
  return value(0);
}

describe('readJsonFile', () => {
  describe.each(SHAPES)('%s', (_, shape) => {
    it('reads what JSON.parse reads, value for value', () => {
      for (let seed = 1; seed <= 150; seed++) {
        const v = randomValue(seed);
        // Compact and indented: whitespace between every token.
        for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2)]) {
          expect(read(file(text), shape), `seed ${seed}`).toEqual(JSON.parse(text));
        }
      }
    });

    it('keeps escapes and multi-byte characters that cross a read', () => {
      const text = '{"a\\"b":["\\\\","\\u00e9\\"","é😀",-1.5e+3,"\\\\\\""],"c":{"d":[[],{}]}}';
      expect(read(file(text), shape)).toEqual(JSON.parse(text));
    });

    it('makes "__proto__" an own key, as JSON.parse does, and keeps the last of equal keys', () => {
      const text = '{"__proto__":{"polluted":1},"k":1,"k":[2]}';
      const got = read(file(text), shape) as Record<string, unknown>;
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got)).toEqual(['__proto__', 'k']);
      expect(got.k).toEqual([2]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('leaves out the skipped paths, still checking they are JSON', () => {
      const doc = {
        keep: 1,
        drift: { layers: [{ a: 1 }], layerDiffs: [{ big: 'x'.repeat(100) }], packages: [] },
        list: [{ drop: 1, stay: 2 }, { stay: 3 }],
      };
      const skip = ['drift.layerDiffs', 'drift.packages', 'list[].drop'];
      expect(read(file(JSON.stringify(doc)), { ...shape, skip })).toEqual({
        keep: 1,
        drift: { layers: [{ a: 1 }] },
        list: [{ stay: 2 }, { stay: 3 }],
      });
      const bad = '{"keep":1,"drift":{"layerDiffs":[{"a":tru}]}}';
      expect(() => read(file(bad), { ...shape, skip })).toThrow(JsonFileError);
    });

    it.each([
      ['', 'empty'],
      ['{"a":1', 'truncated object'],
      ['{"a":"1', 'truncated string'],
      ['{"a":"1\\', 'truncated escape'],
      ['[1,2', 'truncated array'],
      ['[1,2,]', 'a comma before ]'],
      ['{"a":1,}', 'a comma before }'],
      ['{"a":1}{}', 'two documents'],
      ['{"a":1} x', 'text after'],
      ['{"a" 1}', 'no colon'],
      ['{a:1}', 'an unquoted key'],
      ['[1 2]', 'no comma'],
      ['[tru]', 'a bad literal'],
      ['[01]', 'a leading zero'],
      ['["a\tb"]', 'a raw tab in a string'],
      ['{"a":1]', 'mismatched brackets'],
      ['[{"a":1}}', 'mismatched brackets'],
      ['\ufeff{}', 'a byte order mark'],
    ])('refuses %j (%s)', (text) => {
      expect(() => read(file(text), shape)).toThrow(JsonFileError);
    });
  });

  it('shares one string per value, through the interner given', () => {
    const seen: string[] = [];
    const interner = new (class extends Interner {
      override string(s: string): string {
        seen.push(s);
        return super.string(s);
      }
    })();
    const text = JSON.stringify({ a: ['arn:1', 'arn:1'], b: { c: 'arn:1' } });
    read(file(text), { interner, pieceBytes: 4 });
    expect(seen.filter((s) => s === 'arn:1')).toHaveLength(3);
  });

  it('refuses a file over the limit, a directory and a missing file, naming them', () => {
    const big = file(JSON.stringify({ a: 'x'.repeat(100) }));
    expect(() => readJsonFile(big, { maxBytes: 50 })).toThrow(/over 50 bytes/);
    expect(() => read(dir)).toThrow(/not a regular file/);
    expect(() => read(join(dir, 'missing.json'))).toThrow(/cannot be opened \(ENOENT\)/);
  });

  it('refuses nesting too deep to walk, and names where a value is not JSON without quoting it', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(() => read(file(deep))).toThrow(/nested too deeply/);
    const path = file('{"a":[1,2],"b":[tru]}');
    expect(() => read(path, { pieceBytes: 4 })).toThrow(
      new JsonFileError(`${path}: not JSON: the value at byte 15`)
    );
    // A raw escape sequence where a value is due: the message does not repeat it.
    const raw = file('{"a":\u001b[31m}');
    expect(() => read(raw)).toThrow(
      new JsonFileError(`${raw}: not JSON: the end of the file at byte 11`)
    );
    expect(() => read(raw, { pieceBytes: 2 })).toThrow(
      new JsonFileError(`${raw}: not JSON: the value at byte 5`)
    );
  });

  it('reads a value larger than the buffer and the piece size whole when it is one string', () => {
    const text = JSON.stringify({ s: 'é'.repeat(5000), n: 1 });
    expect(read(file(text), { chunkBytes: 16, pieceBytes: 100 })).toEqual(JSON.parse(text));
  });

  it('reads invalid UTF-8 as JSON.parse of the decoded text does', () => {
    const bytes = Buffer.concat([
      Buffer.from('["a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('b"]'),
    ]);
    const path = file(bytes);
    expect(read(path, { chunkBytes: 2, pieceBytes: 1 })).toEqual(
      JSON.parse(bytes.toString('utf8'))
    );
  });
});
