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
  /**
   * With elements 'whole': how many elements of the array that is member `member` of an object
   * go to one `JSON.stringify` (default 1). More only where every element is small and bounded
   * in size: a slice is held as one string while it is written.
   */
  sliceOf?: (member: string) => number;
}

/**
 * The chunks of `escapeJsonText(JSON.stringify(value, null, 2)) + '\n'`: objects and arrays
 * down to `depth` levels are written member by member, everything below in one
 * `JSON.stringify` each. With `elements` 'whole', each element of an array is written whole
 * (in slices of `style.sliceOf` elements).
 */
export function* jsonChunks(
  value: unknown,
  depth = 2,
  elements: 'split' | 'whole' = 'split',
  style: Pick<JsonPiecesStyle, 'sliceOf'> = {}
): Generator<string> {
  yield* jsonPieces(value, depth, elements, style);
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
  yield* chunksAt(value, depth, '', elements === 'whole', undefined, {
    compact: style.compact ?? false,
    escape: style.escape ?? escapeJsonText,
    sliceOf: style.sliceOf ?? (() => 1),
  });
}

function* chunksAt(
  value: unknown,
  depth: number,
  pad: string,
  wholeElements: boolean,
  member: string | undefined,
  style: Required<JsonPiecesStyle>
): Generator<string> {
  const inner = style.compact ? '' : `${pad}  `;
  const open = style.compact ? '' : `\n${inner}`;
  const close = style.compact ? '' : `\n${pad}`;
  if (depth > 0 && Array.isArray(value) && value.length > 0) {
    yield '[';
    if (wholeElements) {
      const per = member === undefined ? 1 : Math.max(1, Math.floor(style.sliceOf(member)));
      yield* wholeSlices(value, pad, per, style);
      yield `${close}]`;
      return;
    }
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}${open}`;
      // JSON.stringify writes null for undefined and functions inside arrays.
      const v: unknown = value[i];
      yield* chunksAt(
        v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v,
        depth - 1,
        inner,
        false,
        undefined,
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
        yield* chunksAt(v, depth - 1, inner, wholeElements, k, style);
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

/**
 * Functions of scan.json written to one `JSON.stringify`: a function's record is small and
 * bounded (at most five layers), and one by one the calls and generator steps per record
 * showed (chunking a 1,000-function scan.json took 81–89 ms, so 34–46 ms). Every other list of
 * scan.json goes an element at a time: a layer's drift entry can list every function that uses
 * it, and a slice is one string while it is written.
 */
export const FUNCTIONS_SLICE = 8;

/**
 * The elements of `value` (an array at `pad`), each whole, `per` to a `JSON.stringify`: byte for
 * byte the elements written one by one (undefined, functions and symbols are null in arrays
 * either way). The slice is wrapped in one array per level of `pad`, so `JSON.stringify`
 * indents its elements where they stand in the document: moving each line in afterwards
 * (`replaceAll`) cost three times the `JSON.stringify` and left a string of pieces that
 * escaping had to copy.
 */
function* wholeSlices(
  value: readonly unknown[],
  pad: string,
  per: number,
  style: Required<JsonPiecesStyle>
): Generator<string> {
  const k = pad.length / 2;
  // Before the slice's elements: k × '[' + '\n' + indent, and its own '['; after them: its
  // '\n' + pad + ']', and k × '\n' + indent + ']'. Compact, the brackets alone.
  const head = style.compact ? k + 1 : k * k + 3 * k + 1;
  const tail = style.compact ? k + 1 : k * k + 3 * k + 2;
  for (let i = 0; i < value.length; i += per) {
    let wrapped: unknown = value.slice(i, i + per);
    for (let l = 0; l < k; l++) wrapped = [wrapped];
    const text = style.compact ? JSON.stringify(wrapped) : JSON.stringify(wrapped, null, 2);
    if (i) yield ',';
    yield style.escape(text.slice(head, text.length - tail));
  }
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
 * scan.json in chunks: {@link FUNCTIONS_SLICE} functions to a `JSON.stringify`, every layer,
 * failure and drift entry in one of its own (member by member, the 100,000-function scan.json
 * took 2.7–4.4 s of CPU to write; element by element 2.2–2.4 s).
 */
export function scanResultChunks(result: ScanResult): Generator<string> {
  return jsonChunks(result, 3, 'whole', { sliceOf: functionsInSlices });
}

/** {@link FUNCTIONS_SLICE} functions of a scan result to a slice; everything else one by one. */
export const functionsInSlices = (member: string): number =>
  member === 'functions' ? FUNCTIONS_SLICE : 1;
