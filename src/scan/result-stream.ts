/**
 * scan.json as a sequence of chunks, byte for byte what {@link serializeScanResult} returns,
 * without building the whole string: at 100,000 functions that string alone is ~150 MB.
 */
import type { ScanResult } from './result.js';
import { escapeJsonText } from '../util/escape.js';

/**
 * The chunks of `escapeJsonText(JSON.stringify(value, null, 2)) + '\n'`: objects and arrays
 * down to `depth` levels are written member by member, everything below in one
 * `JSON.stringify` each. With `elements` 'whole', each element of an array is written in one
 * `JSON.stringify` too.
 */
export function* jsonChunks(
  value: unknown,
  depth = 2,
  elements: 'split' | 'whole' = 'split'
): Generator<string> {
  yield* chunksAt(value, depth, '', elements === 'whole');
  yield '\n';
}

function* chunksAt(
  value: unknown,
  depth: number,
  pad: string,
  wholeElements: boolean
): Generator<string> {
  const inner = `${pad}  `;
  if (depth > 0 && Array.isArray(value) && value.length > 0) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}\n${inner}`;
      // JSON.stringify writes null for undefined and functions inside arrays.
      const v: unknown = value[i];
      yield* chunksAt(
        v === undefined || typeof v === 'function' ? null : v,
        wholeElements ? 0 : depth - 1,
        inner,
        wholeElements
      );
    }
    yield `\n${pad}]`;
    return;
  }
  if (depth > 0 && isPlainObject(value)) {
    const entries = Object.entries(value).filter(
      ([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol'
    );
    if (entries.length > 0) {
      yield '{';
      let first = true;
      for (const [k, v] of entries) {
        yield `${first ? '' : ','}\n${inner}${escapeJsonText(JSON.stringify(k))}: `;
        first = false;
        yield* chunksAt(v, depth - 1, inner, wholeElements);
      }
      yield `\n${pad}}`;
      return;
    }
  }
  const text = escapeJsonText(JSON.stringify(value, null, 2));
  yield pad ? text.replaceAll('\n', `\n${pad}`) : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/**
 * scan.json in chunks: one per function, layer, failure and drift entry, each in one
 * `JSON.stringify` (member by member, the 100,000-function scan.json took 2.7–4.4 s of CPU to
 * write; element by element 2.2–2.4 s, in a tenth of the chunks).
 */
export function scanResultChunks(result: ScanResult): Generator<string> {
  return jsonChunks(result, 3, 'whole');
}
