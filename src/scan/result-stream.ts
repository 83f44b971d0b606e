/**
 * scan.json as a sequence of chunks, byte for byte what {@link serializeScanResult} returns,
 * without building the whole string: at 100,000 functions that string alone is ~150 MB.
 */
import type { ScanResult } from './result.js';
import { escapeJsonText } from '../util/escape.js';

/** How {@link jsonPieces} writes: indented by two spaces or compact, and escaped how. */
export interface JsonPiecesStyle {
  /** `JSON.stringify(value, null, 2)`'s layout (default), or `JSON.stringify(value)`'s. */
  compact?: boolean;
  /** Applied to each piece (default escapeJsonText); it must act on each character alone. */
  escape?: (text: string) => string;
}

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
  yield* jsonPieces(value, depth, elements);
  yield '\n';
}

/**
 * The pieces of `JSON.stringify(value, null, 2)` (or of `JSON.stringify(value)` when `compact`),
 * each escaped: objects and arrays down to `depth` levels member by member, as
 * {@link jsonChunks}, with no newline after the last.
 */
export function* jsonPieces(
  value: unknown,
  depth = 2,
  elements: 'split' | 'whole' = 'split',
  style: JsonPiecesStyle = {}
): Generator<string> {
  yield* chunksAt(value, depth, '', elements === 'whole', {
    compact: style.compact ?? false,
    escape: style.escape ?? escapeJsonText,
  });
}

function* chunksAt(
  value: unknown,
  depth: number,
  pad: string,
  wholeElements: boolean,
  style: Required<JsonPiecesStyle>
): Generator<string> {
  const inner = style.compact ? '' : `${pad}  `;
  const open = style.compact ? '' : `\n${inner}`;
  const close = style.compact ? '' : `\n${pad}`;
  if (depth > 0 && Array.isArray(value) && value.length > 0) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}${open}`;
      // JSON.stringify writes null for undefined and functions inside arrays.
      const v: unknown = value[i];
      yield* chunksAt(
        v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v,
        wholeElements ? 0 : depth - 1,
        inner,
        wholeElements,
        style
      );
    }
    yield `${close}]`;
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
        yield `${first ? '' : ','}${open}${style.escape(JSON.stringify(k))}:${style.compact ? '' : ' '}`;
        first = false;
        yield* chunksAt(v, depth - 1, inner, wholeElements, style);
      }
      yield `${close}}`;
      return;
    }
  }
  if (style.compact) {
    yield style.escape(JSON.stringify(value));
    return;
  }
  const text = style.escape(JSON.stringify(value, null, 2));
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
