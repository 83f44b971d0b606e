/**
 * A JSON file read in bounded pieces. `JSON.parse` of a whole file holds its bytes, its text
 * and the parsed graph at once: a 100,000-function scan.json (260 MB) takes 590 MB to read that
 * way, and every ARN it repeats (in functions, in usedBy lists, in drift rows) becomes a string of
 * its own. This reader parses each value of at most {@link PIECE_BYTES} with `JSON.parse` (the
 * grammar is V8's, unchanged), descends into larger arrays and objects member by member, shares
 * one string per distinct value, and leaves out the values of paths the caller does not need.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { Interner } from './intern.js';

/** A value larger than this (in bytes) is read member by member instead of in one parse. */
export const PIECE_BYTES = 4 * 1024 * 1024;

/** Why a file could not be read as JSON (not JSON, over the limit, not a regular file). */
export class JsonFileError extends Error {}

/** Options of {@link readJsonFile}. */
export interface JsonFileOptions {
  /** Largest file read, in bytes. */
  maxBytes: number;
  /**
   * Paths whose values are read (so the document must still be valid JSON) but not kept: keys
   * joined by dots from the top, `[]` for any element of an array (`drift.layerDiffs`).
   */
  skip?: readonly string[];
  /** Shares strings with another document read with the same interner (two scans of one estate). */
  interner?: Interner;
  /** Bytes read from the file at a time (tests use small ones to cross every boundary). */
  chunkBytes?: number;
  /** Values up to this size are parsed whole (tests use small ones to descend everywhere). */
  pieceBytes?: number;
}

// The bytes of JSON's structure.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Read the JSON document in the regular file `path`. Equal to `JSON.parse` of its UTF-8 text
 * (the last of two equal keys kept, `__proto__` an own key), except that the values at `skip`
 * paths are absent and equal strings are one string.
 * @throws JsonFileError when the file is not a regular file, is over `maxBytes` or is not JSON
 */
export function readJsonFile(path: string, options: JsonFileOptions): unknown {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new JsonFileError(`${path}: cannot be opened (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new JsonFileError(`${path}: not a regular file`);
    if (st.size > options.maxBytes)
      throw new JsonFileError(`${path}: over ${options.maxBytes} bytes`);
    const reader = new PieceReader(fd, options);
    try {
      return reader.document();
    } catch (e) {
      if (e instanceof JsonFileError) throw new JsonFileError(`${path}: ${e.message}`);
      // Sharing the strings of a piece nested thousands deep runs out of stack.
      if (e instanceof RangeError) throw new JsonFileError(`${path}: nested too deeply to read`);
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

class PieceReader {
  readonly #fd: number;
  readonly #max: number;
  readonly #chunk: number;
  readonly #piece: number;
  readonly #skip: ReadonlySet<string>;
  /** Every path with a skipped path below it. */
  readonly #above: ReadonlySet<string>;
  readonly #interner: Interner;
  #buf: Buffer;
  /** File offset of `#buf[0]`. */
  #base = 0;
  /** File offset one past the last byte in `#buf`. */
  #end = 0;
  /** File offset of the next byte to look at. */
  #pos = 0;
  /** While a value is scanned for one parse: its file offset (its bytes must stay). */
  #capture: number | null = null;
  #eof = false;

  constructor(fd: number, options: JsonFileOptions) {
    this.#fd = fd;
    this.#max = options.maxBytes;
    this.#chunk = options.chunkBytes ?? 1024 * 1024;
    this.#piece = options.pieceBytes ?? PIECE_BYTES;
    this.#skip = new Set(options.skip ?? []);
    const above = new Set<string>();
    for (const p of this.#skip)
      for (let i = p.length; i > 0; i--) if (p[i] === '.' || p[i] === '[') above.add(p.slice(0, i));
    above.add('');
    this.#above = above;
    this.#interner = options.interner ?? new Interner();
    this.#buf = Buffer.allocUnsafe(this.#chunk);
  }

  document(): unknown {
    const v = this.#value('', false);
    if (this.#peekNonSpace() !== -1) throw this.#error('more after the JSON value');
    return v;
  }

  /** The byte at `#pos` (-1 at the end of the file), reading more when needed. */
  #peek(): number {
    if (this.#pos >= this.#end && !this.#fill()) return -1;
    return this.#buf[this.#pos - this.#base]!;
  }

  #peekNonSpace(): number {
    for (;;) {
      const b = this.#peek();
      if (b === -1 || !isSpace(b)) return b;
      this.#pos += 1;
    }
  }

  /** Read more of the file, dropping what no value still needs. @returns whether any came */
  #fill(): boolean {
    if (this.#eof) return false;
    const keep = Math.min(this.#capture ?? this.#pos, this.#end);
    const kept = this.#end - keep;
    if (keep > this.#base && kept + this.#chunk <= this.#buf.length) {
      this.#buf.copyWithin(0, keep - this.#base, this.#end - this.#base);
      this.#base = keep;
    } else if (this.#end - this.#base + this.#chunk > this.#buf.length) {
      // What one value still needs fills the buffer: a larger one.
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, kept + this.#chunk));
      this.#buf.copy(next, 0, keep - this.#base, this.#end - this.#base);
      this.#buf = next;
      this.#base = keep;
    }
    const at = this.#end - this.#base;
    const n = readSync(this.#fd, this.#buf, at, this.#buf.length - at, this.#end);
    if (n === 0) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    // A file that grew after its size was checked.
    if (this.#end > this.#max) throw new JsonFileError(`over ${this.#max} bytes`);
    return true;
  }

  #error(what: string): JsonFileError {
    return new JsonFileError(`not JSON: ${what} at byte ${this.#pos}`);
  }

  /**
   * The value at `#pos` (its path `path`), kept unless `skipping`. One parse when it ends within
   * the piece size; else an array or object member by member.
   */
  #value(path: string, skipping: boolean): unknown {
    const skip = skipping || this.#skip.has(path);
    if (this.#peekNonSpace() === -1) throw this.#error('the end of the file where a value was due');
    const from = this.#pos;
    if (this.#scanned(from, from + this.#piece)) return this.#parsed(from, path, skip);
    // Over the piece size: back to its start (still in the buffer), member by member.
    this.#pos = from;
    const open = this.#peek();
    if (open === OPEN_BRACKET) return this.#array(path, skip);
    if (open === OPEN_BRACE) return this.#object(path, skip);
    // One string or number over the piece size: whole (the file's limit bounds it).
    this.#scanned(from, Infinity);
    return this.#parsed(from, path, skip);
  }

  /** Whether the value at `from` ends before the file offset `limit` (then `#pos` is past it). */
  #scanned(from: number, limit: number): boolean {
    this.#capture = from;
    try {
      return this.#scanValue(limit);
    } finally {
      this.#capture = null;
    }
  }

  /** The value in the bytes from `from` to `#pos`, parsed; undefined when skipped. */
  #parsed(from: number, path: string, skip: boolean): unknown {
    let v: unknown;
    try {
      v = JSON.parse(this.#buf.toString('utf8', from - this.#base, this.#pos - this.#base));
    } catch {
      // Not V8's message: it quotes the text, which is the file's and may hold anything.
      throw new JsonFileError(`not JSON: the value at byte ${from}`);
    }
    if (skip) return undefined;
    if (this.#above.has(path)) this.#prune(v, path);
    return this.#interner.json(v);
  }

  /** Take the skipped paths out of `v`, a value at `path` parsed whole. */
  #prune(v: unknown, path: string): void {
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      const at = `${path}[]`;
      if (this.#above.has(at)) for (const x of v) this.#prune(x, at);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const at = path === '' ? k : `${path}.${k}`;
      if (this.#skip.has(at)) delete o[k];
      else if (this.#above.has(at)) this.#prune(o[k], at);
    }
  }

  #array(path: string, skip: boolean): unknown[] | undefined {
    this.#pos += 1;
    const out: unknown[] = [];
    const at = `${path}[]`;
    if (this.#peekNonSpace() === CLOSE_BRACKET) {
      this.#pos += 1;
      return skip ? undefined : out;
    }
    for (;;) {
      const v = this.#value(at, skip);
      if (!skip) out.push(v);
      const b = this.#peekNonSpace();
      this.#pos += 1;
      if (b === CLOSE_BRACKET) return skip ? undefined : out;
      if (b !== COMMA) throw this.#error("no ',' or ']' after an element");
    }
  }

  #object(path: string, skip: boolean): Record<string, unknown> | undefined {
    this.#pos += 1;
    const out: Record<string, unknown> = {};
    if (this.#peekNonSpace() === CLOSE_BRACE) {
      this.#pos += 1;
      return skip ? undefined : out;
    }
    for (;;) {
      if (this.#peekNonSpace() !== QUOTE) throw this.#error('no key where one was due');
      const key = this.#value('\0key', false) as string;
      if (this.#peekNonSpace() !== COLON) throw this.#error("no ':' after a key");
      this.#pos += 1;
      const at = path === '' ? key : `${path}.${key}`;
      const v = this.#value(at, skip);
      // As JSON.parse does: an own property even for "__proto__"; the last of equal keys wins.
      if (!skip && !this.#skip.has(at))
        Object.defineProperty(out, key, {
          value: v,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      const b = this.#peekNonSpace();
      this.#pos += 1;
      if (b === CLOSE_BRACE) return skip ? undefined : out;
      if (b !== COMMA) throw this.#error("no ',' or '}' after a member");
    }
  }

  /**
   * Move `#pos` past the value starting there. Only its extent is found here (strings, nesting);
   * `JSON.parse` of it, or the member-by-member reading, checks the rest.
   * @returns false, leaving `#pos` past `limit`, when it does not end by the file offset `limit`
   */
  #scanValue(limit: number): boolean {
    const first = this.#peek();
    if (first === QUOTE) {
      this.#pos += 1;
      return this.#scanString(limit);
    }
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      // A number or a literal: up to the next delimiter (JSON.parse refuses what is not one).
      for (;;) {
        const b = this.#peek();
        if (b === -1 || isSpace(b) || b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET)
          return true;
        if (b === COLON) throw this.#error("':' where a value was due");
        this.#pos += 1;
        if (this.#pos > limit) return false;
      }
    }
    let depth = 0;
    for (;;) {
      const end = this.#readable(limit);
      if (end < 0) return false;
      const buf = this.#buf;
      const base = this.#base;
      let i = this.#pos - base;
      let quote = false;
      while (i < end) {
        const b = buf[i]!;
        i += 1;
        if (b === QUOTE) {
          quote = true;
          break;
        }
        if (b === OPEN_BRACE || b === OPEN_BRACKET) depth += 1;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          depth -= 1;
          if (depth === 0) {
            this.#pos = base + i;
            return true;
          }
        }
      }
      this.#pos = base + i;
      if (quote && !this.#scanString(limit)) return false;
    }
  }

  /**
   * Where in `#buf` the bytes already read up to `limit` end, those from `#pos` on being looked
   * at in a loop of their own rather than a call per byte; -1 when `#pos` is past `limit`.
   */
  #readable(limit: number): number {
    if (this.#pos > limit) return -1;
    if (this.#pos >= this.#end && !this.#fill()) throw this.#error('the end of the file');
    return Math.min(this.#end, limit + 1) - this.#base;
  }

  /** Past the closing quote of a string whose opening quote is behind `#pos`. */
  #scanString(limit: number): boolean {
    for (;;) {
      const end = this.#readable(limit);
      if (end < 0) return false;
      const buf = this.#buf;
      const base = this.#base;
      let i = this.#pos - base;
      while (i < end) {
        const b = buf[i]!;
        i += 1;
        if (b === QUOTE) {
          this.#pos = base + i;
          return true;
        }
        // The escaped byte, even one not read yet, never ends the string.
        if (b === BACKSLASH) i += 1;
      }
      this.#pos = base + i;
    }
  }
}
