/**
 * A JSON reader at least as lenient as the runtimes that read package
 * metadata, and explicit about what it tolerated, so a cataloger can say when
 * lamina read a file that a runtime might read differently.
 *
 * - Node's loader strips one UTF-8 byte order mark, then uses JSON.parse
 *   (strict otherwise), and takes the last of duplicate keys.
 * - The .NET host (rapidjson with kParseStopWhenDoneFlag | kParseCommentsFlag)
 *   strips one byte order mark, allows `//` and `/* *\/` comments, stops after
 *   the first value (trailing text is ignored) and finds the first of
 *   duplicate keys.
 *   https://github.com/dotnet/runtime/blob/main/src/native/corehost/json_parser.cpp
 *
 * The parser is linear in the input (one pass, no backtracking) and bounded
 * in nesting depth.
 */

/** What was tolerated beyond strict JSON. */
export type Tolerated = 'comments' | 'trailing commas' | 'trailing text';

export interface LenientJson {
  value: unknown;
  tolerated: Tolerated[];
  /** Dotted paths of keys that occur more than once in one object (first few). */
  duplicateKeys: string[];
  /** Every key the top-level object gives more than once (none left out, sorted). */
  topLevelDuplicates: string[];
}

export interface LenientOptions {
  /** Which of duplicate keys is kept: the first (rapidjson's FindMember) or the last (JSON.parse). */
  duplicates?: 'first' | 'last';
  /** Deepest nesting accepted (default 512). */
  maxDepth?: number;
}

/** Thrown for text no mode of the reader accepts; the message names the offset. */
export class JsonSyntaxError extends Error {}

const MAX_DUPLICATES_KEPT = 16;

/** Strip one UTF-8 byte order mark, as Node's loader and the .NET host do. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parse `text` (after one byte order mark) accepting comments, trailing commas
 * and trailing text, and report which of them it met.
 * @throws JsonSyntaxError when no value can be read at all
 */
export function parseJsonLenient(text: string, options: LenientOptions = {}): LenientJson {
  const p = new Parser(stripBom(text), options.duplicates ?? 'last', options.maxDepth ?? 512);
  p.skip();
  const value = p.value(0, '');
  p.skip();
  if (p.i < p.s.length) p.tolerated.add('trailing text');
  return {
    value,
    tolerated: [...p.tolerated].sort(),
    duplicateKeys: p.duplicates,
    topLevelDuplicates: [...p.topDuplicates].sort(),
  };
}

/** Define an own property, even one named `__proto__` (as JSON.parse does). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  i = 0;
  readonly tolerated = new Set<Tolerated>();
  readonly duplicates: string[] = [];
  readonly topDuplicates = new Set<string>();

  constructor(
    readonly s: string,
    readonly keep: 'first' | 'last',
    readonly maxDepth: number
  ) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.i}`);
  }

  /** Skip whitespace and comments. */
  skip(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        this.i++;
      } else if (c === 0x2f && s[this.i + 1] === '/') {
        this.tolerated.add('comments');
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else if (c === 0x2f && s[this.i + 1] === '*') {
        this.tolerated.add('comments');
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.i = end + 2;
      } else return;
    }
  }

  value(depth: number, path: string): unknown {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    const c = this.s[this.i];
    if (c === '{') return this.object(depth, path);
    if (c === '[') return this.array(depth, path);
    if (c === '"') return this.string();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m) {
      this.i += m[0].length;
      return Number(m[0]);
    }
    return this.fail('expected a value');
  }

  object(depth: number, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.i++;
    this.skip();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      if (this.s[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      this.skip();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      this.skip();
      const v = this.value(depth + 1, path ? `${path}.${key}` : key);
      if (seen.has(key)) {
        if (depth === 0) this.topDuplicates.add(key);
        if (this.duplicates.length < MAX_DUPLICATES_KEPT)
          this.duplicates.push(path ? `${path}.${key}` : key);
        if (this.keep === 'last') define(out, key, v);
      } else {
        seen.add(key);
        define(out, key, v);
      }
      this.skip();
      if (this.s[this.i] === ',') {
        this.i++;
        this.skip();
        if (this.s[this.i] === '}') {
          this.tolerated.add('trailing commas');
          this.i++;
          return out;
        }
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.fail("expected ',' or '}'");
    }
  }

  array(depth: number, path: string): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.skip();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1, path));
      this.skip();
      if (this.s[this.i] === ',') {
        this.i++;
        this.skip();
        if (this.s[this.i] === ']') {
          this.tolerated.add('trailing commas');
          this.i++;
          return out;
        }
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.fail("expected ',' or ']'");
    }
  }

  string(): string {
    const s = this.s;
    let out = '';
    let i = this.i + 1;
    for (;;) {
      let j = i;
      while (j < s.length) {
        const c = s.charCodeAt(j);
        if (c === 0x22 || c === 0x5c) break;
        if (c < 0x20) {
          this.i = j;
          this.fail('control character in a string');
        }
        j++;
      }
      out += s.slice(i, j);
      if (j >= s.length) {
        this.i = j;
        this.fail('unterminated string');
      }
      if (s.charCodeAt(j) === 0x22) {
        this.i = j + 1;
        return out;
      }
      const e = s[j + 1] ?? '';
      if (e === 'u') {
        const hex = s.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.i = j;
          this.fail('bad \\u escape');
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i = j + 6;
      } else {
        const v = ESCAPES[e];
        if (v === undefined) {
          this.i = j;
          this.fail('bad escape');
        }
        out += v;
        i = j + 2;
      }
    }
  }
}
