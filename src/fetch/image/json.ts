import { ImageError, printable } from './errors.js';

/** What {@link parseStrictJson} checks besides JSON syntax. */
export interface StrictJsonOptions {
  /** Field names of the schema the document must follow (exact spelling). */
  knownKeys: ReadonlySet<string>;
  /** Keys whose object values are free-form maps (annotations, labels): no case-fold rule inside. */
  freeForm: ReadonlySet<string>;
  /** Nesting limit (default 64). */
  maxDepth?: number;
  /** Names the document in error messages ("manifest", "config"). */
  what: string;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Go's encoding/json (what containerd, the Docker engine and the registry read
 * manifests with) matches object keys to struct fields case-insensitively and
 * with Unicode simple folding (`ſ` ~ `s`, the Kelvin sign ~ `k`), and takes the
 * last of duplicate keys. A document where two keys fold together, or where a
 * key is a folded spelling of a schema field, could therefore mean something
 * else to those readers than to JSON.parse.
 */
function fold(key: string): string {
  return key.toLowerCase().toUpperCase().toLowerCase();
}

const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Parse a JSON document only if every mainstream reader would read it the
 * same way: valid UTF-8 (no BOM), no lone surrogates, bounded nesting, no
 * duplicate keys, no two keys that fold together, no folded spelling of a
 * schema field. Throws `MALFORMED_DOCUMENT` or `AMBIGUOUS_DOCUMENT`.
 */
export function parseStrictJson(bytes: Uint8Array, options: StrictJsonOptions): unknown {
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    throw new ImageError({
      code: 'MALFORMED_DOCUMENT',
      message: `${options.what} is not valid UTF-8`,
    });
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new ImageError({
      code: 'MALFORMED_DOCUMENT',
      message: `${options.what} starts with a byte order mark`,
    });
  }
  // The scan runs first so that nesting is bounded before JSON.parse recurses.
  new KeyScanner(text, options).run();
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ImageError({
      code: 'MALFORMED_DOCUMENT',
      message: `${options.what} is not valid JSON: ${printable((err as Error).message, 120)}`,
    });
  }
}

/** A single pass over the text that finds object keys; it never builds values. */
class KeyScanner {
  private pos = 0;
  private readonly maxDepth: number;
  private readonly foldedKnown: Map<string, string>;

  constructor(
    private readonly text: string,
    private readonly options: StrictJsonOptions
  ) {
    this.maxDepth = options.maxDepth ?? 64;
    this.foldedKnown = new Map([...options.knownKeys].map((k) => [fold(k), k]));
  }

  run(): void {
    this.value(0, undefined);
    this.ws();
    if (this.pos !== this.text.length) this.malformed('data after the document');
  }

  private malformed(why: string): never {
    throw new ImageError({
      code: 'MALFORMED_DOCUMENT',
      message: `${this.options.what} is not valid JSON: ${why} at offset ${this.pos}`,
    });
  }

  private ambiguous(why: string): never {
    throw new ImageError({
      code: 'AMBIGUOUS_DOCUMENT',
      message: `${this.options.what} ${why}`,
    });
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(depth: number, parentKey: string | undefined): void {
    if (depth > this.maxDepth) this.malformed(`nesting deeper than ${this.maxDepth}`);
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') this.object(depth + 1, parentKey);
    else if (c === '[') this.array(depth + 1);
    else if (c === '"') this.string();
    else if (c !== undefined && /[-0-9tfn]/.test(c)) this.scalar();
    else this.malformed(c === undefined ? 'unexpected end' : 'unexpected character');
  }

  private object(depth: number, parentKey: string | undefined): void {
    this.pos++; // {
    const exact = new Set<string>();
    const folded = new Map<string, string>();
    const freeForm = parentKey !== undefined && this.options.freeForm.has(parentKey);
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.malformed('expected a key');
      const key = this.string();
      if (exact.has(key)) this.ambiguous(`has the key "${printable(key, 60)}" twice`);
      exact.add(key);
      if (!freeForm) {
        const f = fold(key);
        const other = folded.get(f);
        if (other !== undefined) {
          this.ambiguous(
            `has keys "${printable(other, 60)}" and "${printable(key, 60)}" that Go's JSON decoder treats as one`
          );
        }
        folded.set(f, key);
        const field = this.foldedKnown.get(f);
        if (field !== undefined && field !== key) {
          this.ambiguous(
            `spells the field "${field}" as "${printable(key, 60)}", which only some readers accept`
          );
        }
      }
      this.ws();
      if (this.text[this.pos] !== ':') this.malformed('expected ":"');
      this.pos++;
      this.value(depth, key);
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return;
      if (c !== ',') this.malformed('expected "," or "}"');
    }
  }

  private array(depth: number): void {
    this.pos++; // [
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth, undefined);
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return;
      if (c !== ',') this.malformed('expected "," or "]"');
    }
  }

  /** Scans a string token and returns its decoded value. */
  private string(): string {
    const start = this.pos;
    const t = this.text;
    this.pos++; // opening quote
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.malformed('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) this.malformed('control character in a string');
      this.pos += c === 0x5c ? 2 : 1;
    }
    this.pos++; // closing quote
    let decoded: string;
    try {
      decoded = JSON.parse(t.slice(start, this.pos)) as string;
    } catch {
      this.malformed('bad escape in a string');
    }
    if (LONE_SURROGATE.test(decoded)) this.malformed('lone surrogate in a string');
    return decoded;
  }

  private scalar(): void {
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(
      this.text.slice(this.pos, this.pos + 400)
    );
    if (!m) this.malformed('bad literal');
    this.pos += m[0].length;
  }
}
