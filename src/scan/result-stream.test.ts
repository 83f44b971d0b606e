import { describe, expect, it } from 'vitest';
import { escapeForScript, escapeJsonText } from '../util/escape.js';
import { jsonChunks, jsonPieces } from './result-stream.js';

const join = (value: unknown, depth?: number) => [...jsonChunks(value, depth)].join('');
// U+2028 and the like are JSON escapes, as in every JSON lamina writes.
const want = (value: unknown) => escapeJsonText(JSON.stringify(value, null, 2)) + '\n';

describe('jsonChunks', () => {
  const cases: [string, unknown][] = [
    ['scalars', { a: 1, b: 'x\n"y"', c: null, d: true, e: 1.5e-7 }],
    ['empty containers', { a: [], b: {}, c: [[]], d: [{}] }],
    ['undefined members and array holes', { a: undefined, b: [undefined, 1], c: { d: undefined } }],
    [
      'nesting deeper than the depth',
      { l: [{ v: [{ w: [1, { x: [2] }] }] }], m: 'é\u2028', ['k\u202e']: 1 },
    ],
    ['a top-level array', [1, { a: [2, 3] }, 'x']],
    ['toJSON', { when: new Date(0), n: { toJSON: () => 'j' } }],
  ];
  for (const [name, value] of cases) {
    it(`writes what escapeJsonText(JSON.stringify(value, null, 2)) writes: ${name}`, () => {
      for (const depth of [0, 1, 2, 3, 5]) {
        expect(join(value, depth)).toBe(want(value));
        expect([...jsonChunks(value, depth, 'whole')].join('')).toBe(want(value));
      }
    });

    it(`compact, escaped for a script: writes what JSON.stringify(value) writes: ${name}`, () => {
      const compact = { compact: true, escape: escapeForScript };
      for (const depth of [0, 1, 2, 3, 5])
        for (const elements of ['split', 'whole'] as const)
          expect([...jsonPieces(value, depth, elements, compact)].join('')).toBe(
            escapeForScript(JSON.stringify(value))
          );
    });
  }

  it('compact: functions and symbols are left out of objects and null in arrays, as JSON.stringify', () => {
    const value = {
      f: () => 1,
      s: Symbol('s'),
      a: [() => 1, Symbol('t'), undefined],
      t: '</script>',
    };
    const got = [...jsonPieces(value, 3, 'split', { compact: true, escape: escapeForScript })];
    expect(got.join('')).toBe(escapeForScript(JSON.stringify(value)));
    expect(got.join('')).not.toContain('</script>');
  });

  it('yields one chunk per element at the streamed depth', () => {
    const big = { functions: Array.from({ length: 1000 }, (_, i) => ({ i, l: [i] })) };
    const chunks = [...jsonChunks(big, 3)];
    expect(chunks.length).toBeGreaterThan(1000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(40);
  });

  it("writes each array element in one chunk with elements 'whole'", () => {
    const big = {
      functions: Array.from({ length: 1000 }, (_, i) => ({ i, l: [i] })),
      d: { x: [{ y: 1 }] },
    };
    const chunks = [...jsonChunks(big, 3, 'whole')];
    // Per element a separator and the element; a few more for the containers.
    expect(chunks.length).toBeLessThan(2 * 1000 + 20);
    expect([...jsonChunks(big, 3)].length).toBeGreaterThan(4 * 1000);
    expect(chunks).toContain(JSON.stringify({ i: 7, l: [7] }, null, 2).replaceAll('\n', '\n    '));
    expect(chunks.join('')).toBe(want(big));
  });
});
