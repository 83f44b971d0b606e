import { describe, expect, it } from 'vitest';
import { escapeForScript, escapeJsonText } from '../util/escape.js';
import { FUNCTIONS_SLICE, functionsInSlices, jsonChunks, jsonPieces } from './result-stream.js';

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

  it("writes each element whole, and functions FUNCTIONS_SLICE to a chunk, with elements 'whole'", () => {
    const big = {
      functions: Array.from({ length: 1000 }, (_, i) => ({ i, l: [i], s: 'a\u202eb\n' })),
      layers: Array.from({ length: 100 }, (_, i) => ({ i })),
      d: { x: [{ y: 1 }] },
    };
    const chunks = [...jsonChunks(big, 3, 'whole', { sliceOf: functionsInSlices })];
    const slices = Math.ceil(1000 / FUNCTIONS_SLICE);
    // Per slice or element a separator and itself; a few more for the containers.
    expect(chunks.length).toBeLessThan(2 * (slices + 100) + 20);
    expect([...jsonChunks(big, 3)].length).toBeGreaterThan(4 * 1000);
    // A slice begins with its first element, on its own line four spaces in.
    const starts = chunks.filter((c) => c.startsWith('\n    {"i"') || c.startsWith('\n    {\n'));
    expect(starts.length).toBe(slices + 100);
    const element = (i: number) =>
      escapeJsonText(JSON.stringify(big.functions[i], null, 2).replaceAll('\n', '\n    '));
    expect(starts[1]).toBe(
      Array.from(
        { length: FUNCTIONS_SLICE },
        (_, j) => `\n    ${element(FUNCTIONS_SLICE + j)}`
      ).join(',')
    );
    // Layers one to a chunk.
    expect(chunks).toContain(
      `\n    ${JSON.stringify({ i: 7 }, null, 2).replaceAll('\n', '\n    ')}`
    );
    expect(chunks.join('')).toBe(want(big));
    expect([...jsonChunks(big, 3, 'whole')].join('')).toBe(want(big));
    const compact = { compact: true, escape: escapeForScript, sliceOf: functionsInSlices };
    expect([...jsonPieces(big, 3, 'whole', compact)].join('')).toBe(
      escapeForScript(JSON.stringify(big))
    );
  });

  it("writes arrays of every length around a slice's, in slices of any size, with elements 'whole'", () => {
    for (const per of [1, 2, 3, FUNCTIONS_SLICE])
      for (const n of [1, per - 1, per, per + 1, 3 * per].filter((x) => x > 0)) {
        const a = Array.from({ length: n }, (_, i) =>
          i % 5 === 0 ? undefined : i % 5 === 1 ? [] : i % 5 === 2 ? { k: [i, {}] } : `s${i}`
        );
        // The array one to four levels in, under the member that is sliced.
        const deep = { a, x: { a, y: { a } }, w: [{ a: [[a]] }] };
        const style = { sliceOf: (m: string) => (m === 'a' ? per : 1) };
        for (const value of [{ a }, deep, [a]]) {
          expect([...jsonChunks(value, 4, 'whole', style)].join('')).toBe(want(value));
          const compact = { compact: true, escape: escapeForScript, ...style };
          expect([...jsonPieces(value, 4, 'whole', compact)].join('')).toBe(
            escapeForScript(JSON.stringify(value))
          );
        }
      }
  });
});
