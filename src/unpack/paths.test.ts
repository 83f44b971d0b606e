import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  comparePaths,
  normaliseEntryName,
  ordinaryName,
  plainEntryName,
} from './paths.js';
import { checkEntryName } from './zip-checks.js';

/** Every string of up to `len` characters over `alphabet`, shortest first. */
function* strings(alphabet: readonly string[], len: number): Generator<string> {
  let level = [''];
  yield '';
  for (let n = 1; n <= len; n++) {
    level = level.flatMap((s) => alphabet.map((c) => s + c));
    yield* level;
  }
}

describe('ordinaryName, the fast path of the name checks', () => {
  it('accepts only names the full checks pass and leave as they are', () => {
    // Every character class the checks care about: separators, dots, drive colons,
    // backslashes, control characters (C0, DEL, C1), letters and non-ASCII.
    const alphabet = [
      'a',
      'Z',
      '/',
      '.',
      ':',
      '\\',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u00e9',
      ' ',
    ];
    let ordinary = 0;
    let seen = 0;
    for (const name of strings(alphabet, 4)) {
      seen++;
      if (!ordinaryName(name)) continue;
      ordinary++;
      expect(() => checkEntryName('t.zip', name)).not.toThrow();
      expect(normaliseEntryName(name)).toEqual({ path: name, findings: [] });
      expect(plainEntryName(name)).toBe(true);
    }
    expect(seen).toBe(1 + 12 + 12 ** 2 + 12 ** 3 + 12 ** 4);
    expect(ordinary).toBeGreaterThan(100);
  });

  it.each([
    ['nodejs/node_modules/x/package.json', true],
    ['a b/c-d_e~f', true],
    ['', false],
    ['/abs', false],
    ['dir/', false],
    ['a//b', false],
    ['./a', false],
    ['a/../b', false],
    ['a/.bin/x', false],
    ['C:/x', false],
    ['a\\b', false],
    ['a\u0001', false],
    ['caf\u00e9', false],
  ])('%j → %s', (name, want) => {
    expect(ordinaryName(name)).toBe(want);
  });
});

describe('compareCodePoints', () => {
  it('orders well-formed strings as comparePaths does (UTF-8 bytes)', () => {
    // ASCII, the last unit before the surrogates, surrogate pairs at both ends of their range,
    // units above them (U+E000, U+FF5A, U+FFFF), and the code points those pairs encode.
    const pieces = [
      'a',
      '/',
      '\ud7ff',
      '\ue000',
      '\uff5a',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
      '\u{10ffff}',
    ];
    const all = [...strings(pieces, 3)];
    let pairs = 0;
    for (const a of all)
      for (const b of all) {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(comparePaths(a, b)));
        pairs++;
      }
    expect(pairs).toBe(all.length ** 2);
  });
});
