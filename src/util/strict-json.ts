/**
 * A strict JSON reader for signed or security-relevant documents (signature envelopes, signed
 * payloads). `JSON.parse` keeps the last of two equal keys and Go's encoding/json matches struct
 * fields case-insensitively, so `{"alg":"ES384","ALG":"PS256"}` means different things to lamina
 * and to the signer's own verifier. This reader refuses every such ambiguity instead of picking
 * one reading: duplicate keys, keys equal under case folding, invalid UTF-8, a byte order mark,
 * lone surrogates, and documents nested deeper than a bound.
 * Grammar: RFC 8259 (https://www.rfc-editor.org/rfc/rfc8259).
 */

/** A JSON value as this reader returns it (objects have no prototype surprises: plain records). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Why a document was refused. */
export class StrictJsonError extends Error {}

/** Options of {@link parseStrictJson}. */
export interface StrictJsonOptions {
  /** Deepest nesting of arrays and objects accepted. Default 32. */
  maxDepth?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// A JSON string token: no raw control characters, only the escapes RFC 8259 allows.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const LONE_SURROGATE = /\p{Surrogate}/u;
const LITERALS: readonly [string, JsonValue][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/**
 * Go's encoding/json folds keys with unicode simple folding (so "ſ" matches "s" and the Kelvin
 * sign matches "k"); lower-then-upper casing covers those cases.
 */
export function foldKey(key: string): string {
  return key.toLowerCase().toUpperCase();
}

/** Parses `input` (bytes are decoded as strict UTF-8) or throws {@link StrictJsonError}. */
export function parseStrictJson(
  input: Uint8Array | string,
  opts: StrictJsonOptions = {}
): JsonValue {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = utf8.decode(input);
    } catch {
      throw new StrictJsonError('not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) throw new StrictJsonError('byte order mark before JSON');
  const maxDepth = opts.maxDepth ?? 32;
  let pos = 0;

  const fail = (why: string): never => {
    throw new StrictJsonError(`${why} at offset ${pos}`);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const readString = (): string => {
    STRING.lastIndex = pos;
    const m = STRING.exec(text);
    if (m === null) return fail('invalid string');
    pos = STRING.lastIndex;
    const s = JSON.parse(m[0]) as string;
    if (LONE_SURROGATE.test(s)) fail('string with a lone surrogate');
    return s;
  };
  const value = (depth: number): JsonValue => {
    skipWs();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
      pos++;
      return c === '{' ? object(depth + 1) : array(depth + 1);
    }
    if (c === '"') return readString();
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m === null) return fail('unexpected character');
    pos = NUMBER.lastIndex;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) fail('number out of range');
    return n;
  };
  const object = (depth: number): { [k: string]: JsonValue } => {
    // No prototype: a key named __proto__ is data, not a prototype change.
    const out = Object.create(null) as { [k: string]: JsonValue };
    const folded = new Set<string>();
    skipWs();
    if (text[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skipWs();
      if (text[pos] !== '"') fail('expected a key');
      const key = readString();
      const f = foldKey(key);
      if (folded.has(f))
        fail(`duplicate key ${JSON.stringify(key)} (keys are compared case-insensitively)`);
      folded.add(f);
      skipWs();
      if (text[pos] !== ':') fail('expected ":"');
      pos++;
      out[key] = value(depth);
      skipWs();
      if (text[pos] === ',') pos++;
      else if (text[pos] === '}') {
        pos++;
        return out;
      } else fail('expected "," or "}"');
    }
  };
  const array = (depth: number): JsonValue[] => {
    const out: JsonValue[] = [];
    skipWs();
    if (text[pos] === ']') {
      pos++;
      return out;
    }
    for (;;) {
      out.push(value(depth));
      skipWs();
      if (text[pos] === ',') pos++;
      else if (text[pos] === ']') {
        pos++;
        return out;
      } else fail('expected "," or "]"');
    }
  };

  const v = value(0);
  skipWs();
  if (pos !== text.length) fail('data after the JSON value');
  return v;
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
