/**
 * Whether an installed gemspec is only what `Gem::Specification#to_ruby` writes. RubyGems
 * evaluates the file as Ruby (`Gem::Specification.load`) when it activates the gem, so any
 * other statement (`load File.expand_path(...)`, a backtick, an interpolation, a method call
 * on the spec such as `s.send(...)`) runs code lamina never reads. The accepted language is
 * what every RubyGems generation emits, and nothing that calls anything else:
 *
 *   file  := comment* `Gem::Specification.new do |v|` stmt* `end`
 *   stmt  := v.attr = value [`if` cond] | `current_version =` value
 *          | v.add_[runtime_|development_]dependency(value, ...) [`if` cond]
 *          | `if` cond [`then`] stmt* [`else` stmt*] `end`
 *   cond  := v.respond_to? :symbol | value `>=` value
 *   value := string (no interpolation, `.freeze`) | number | true | false | nil | :symbol
 *          | [value, ...] | { value => value, ... } | Gem::VERSION (and RubyGems 1.x's constants)
 *          | Gem::Requirement.new(value, ...) | Gem::Version.new(...) | Gem::Platform.new(...)
 *
 * (https://github.com/rubygems/rubygems/blob/master/lib/rubygems/specification.rb, `to_ruby`
 * and `ruby_code`.)
 */
import { readRubyString, type ScanBudget } from './gemspec.js';

type Token =
  | { t: 'nl'; at: number }
  | { t: 'str'; at: number }
  | { t: 'num'; at: number }
  | { t: 'sym'; at: number; v: string }
  | { t: 'const'; at: number; v: string }
  | { t: 'id'; at: number; v: string }
  | { t: 'op'; at: number; v: string };

/** Why a gemspec is not in the generated form, and the line where it leaves it. */
export interface NotGenerated {
  line: number;
  why: string;
}

class Refused extends Error {
  constructor(
    readonly at: number,
    why: string
  ) {
    super(why);
  }
}

const OPS = ['=>', '>=', '::', '.', '=', ',', '(', ')', '[', ']', '{', '}', '|'];
const NEW_CONSTS = new Set(['Gem::Requirement', 'Gem::Version', 'Gem::Platform']);
/** Constants read as values (RubyGems 1.x wrote `Gem::RubyGemsVersion` and the spec version). */
const VALUE_CONSTS = new Set([
  'Gem::VERSION',
  'Gem::RubyGemsVersion',
  'Gem::Specification::CURRENT_SPECIFICATION_VERSION',
]);
const DEPENDENCY = /^add_(?:runtime_|development_)?dependency$/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const budget: ScanBudget = { left: 4 * src.length + 65536 };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\n') {
      out.push({ t: 'nl', at: i });
      i++;
      continue;
    }
    if (c === '#') {
      // A comment to the end of the line (the encoding and stub lines).
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
      continue;
    }
    if (c === '"' || c === "'" || (c === '%' && (src[i + 1] === 'q' || src[i + 1] === 'Q'))) {
      const s = readRubyString(src, i, budget);
      if (!s) throw new Refused(i, 'a string lamina cannot read as a literal (an interpolation?)');
      out.push({ t: 'str', at: i });
      i = s.end;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(src.slice(i, i + 32));
    if (num && !/\w/.test(src[i + num[0].length] ?? '')) {
      out.push({ t: 'num', at: i });
      i += num[0].length;
      continue;
    }
    const sym = /^:[A-Za-z_]\w*[=?!]?/.exec(src.slice(i, i + 256));
    if (sym && src[i + 1] !== ':') {
      out.push({ t: 'sym', at: i, v: sym[0].slice(1) });
      i += sym[0].length;
      continue;
    }
    const cnst = /^[A-Z]\w*(?:::[A-Z]\w*)*/.exec(src.slice(i, i + 256));
    if (cnst) {
      out.push({ t: 'const', at: i, v: cnst[0] });
      i += cnst[0].length;
      continue;
    }
    const id = /^[a-z_]\w*[?!]?/.exec(src.slice(i, i + 256));
    if (id) {
      out.push({ t: 'id', at: i, v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined)
      throw new Refused(i, `${JSON.stringify(c)} is not in a generated gemspec`);
    out.push({ t: 'op', at: i, v: op });
    i += op.length;
  }
  return out;
}

/** A recursive-descent reader over the tokens of the generated form. */
class Reader {
  #i = 0;
  #v = '';
  constructor(
    readonly tokens: Token[],
    readonly end: number
  ) {}

  #peek(k = 0): Token | undefined {
    return this.tokens[this.#i + k];
  }
  #at(): number {
    return this.#peek()?.at ?? this.end;
  }
  #fail(why: string): never {
    throw new Refused(this.#at(), why);
  }
  #is(t: Token['t'], v?: string, k = 0): boolean {
    const tok = this.#peek(k);
    return tok !== undefined && tok.t === t && (v === undefined || ('v' in tok && tok.v === v));
  }
  #eat(t: Token['t'], v?: string): Token {
    if (!this.#is(t, v)) this.#fail(`expected ${v ?? t}`);
    return this.tokens[this.#i++]!;
  }
  #skipNl(): void {
    while (this.#is('nl')) this.#i++;
  }

  file(): void {
    this.#skipNl();
    this.#eat('const', 'Gem::Specification');
    this.#eat('op', '.');
    this.#eat('id', 'new');
    this.#eat('id', 'do');
    this.#eat('op', '|');
    this.#v = (this.#eat('id') as { v: string }).v;
    this.#eat('op', '|');
    this.#block();
    this.#eat('id', 'end');
    this.#skipNl();
    if (this.#peek()) this.#fail('code after the specification block');
  }

  /** Statements up to an `end` or `else` (not consumed). */
  #block(): void {
    for (;;) {
      this.#skipNl();
      if (this.#is('id', 'end') || this.#is('id', 'else') || !this.#peek()) return;
      this.#statement();
      if (!this.#is('nl')) this.#fail('more on the line than one generated statement');
    }
  }

  #statement(): void {
    if (this.#is('id', 'if')) {
      this.#i++;
      this.#condition();
      if (this.#is('id', 'then')) this.#i++;
      this.#block();
      if (this.#is('id', 'else')) {
        this.#i++;
        this.#block();
      }
      this.#eat('id', 'end');
      return;
    }
    // RubyGems 1.x: `current_version = Gem::Specification::CURRENT_SPECIFICATION_VERSION`.
    if (this.#is('id', 'current_version') && this.#is('op', '=', 1)) {
      this.#i += 2;
      this.#value();
      return;
    }
    this.#eat('id', this.#v);
    this.#eat('op', '.');
    const name = (this.#eat('id') as { v: string }).v;
    if (this.#is('op', '=')) {
      if (!/^[a-z_]\w*$/.test(name)) this.#fail(`${name} is not an attribute`);
      this.#i++;
      this.#value();
    } else if (DEPENDENCY.test(name)) {
      const paren = this.#is('op', '(');
      if (paren) this.#i++;
      this.#list(paren ? ')' : undefined);
      if (paren) this.#eat('op', ')');
    } else this.#fail(`${this.#v}.${name} is a call a generated gemspec does not make`);
    if (this.#is('id', 'if')) {
      this.#i++;
      this.#condition();
    }
  }

  #condition(): void {
    if (this.#is('id', this.#v) && this.#is('op', '.', 1) && this.#is('id', 'respond_to?', 2)) {
      this.#i += 3;
      const paren = this.#is('op', '(');
      if (paren) this.#i++;
      this.#eat('sym');
      if (paren) this.#eat('op', ')');
      return;
    }
    this.#value();
    this.#eat('op', '>=');
    this.#value();
  }

  /** Values separated by commas, up to `close` (newlines allowed inside brackets). */
  #list(close: string | undefined, pairs = false): void {
    const inside = close !== undefined;
    if (inside) this.#skipNl();
    if (inside && this.#is('op', close)) return;
    for (;;) {
      this.#value();
      if (pairs) {
        if (inside) this.#skipNl();
        this.#eat('op', '=>');
        if (inside) this.#skipNl();
        this.#value();
      }
      if (inside) this.#skipNl();
      if (!this.#is('op', ',')) return;
      this.#i++;
      if (inside) this.#skipNl();
      if (inside && this.#is('op', close)) return;
    }
  }

  #value(): void {
    const tok = this.#peek();
    if (!tok) this.#fail('a value');
    if (tok.t === 'str' || tok.t === 'num' || tok.t === 'sym') {
      this.#i++;
      return;
    }
    if (tok.t === 'id' && (tok.v === 'true' || tok.v === 'false' || tok.v === 'nil')) {
      this.#i++;
      return;
    }
    if (tok.t === 'op' && (tok.v === '[' || tok.v === '{')) {
      this.#i++;
      const close = tok.v === '[' ? ']' : '}';
      this.#list(close, tok.v === '{');
      this.#skipNl();
      this.#eat('op', close);
      return;
    }
    if (tok.t === 'const' && VALUE_CONSTS.has(tok.v)) {
      this.#i++;
      return;
    }
    if (tok.t === 'const' && NEW_CONSTS.has(tok.v)) {
      this.#i++;
      this.#eat('op', '.');
      this.#eat('id', 'new');
      this.#eat('op', '(');
      this.#list(')');
      this.#skipNl();
      this.#eat('op', ')');
      return;
    }
    this.#fail('a value a generated gemspec does not hold');
  }
}

/** Ruby's magic encoding comment (`# -*- encoding: X -*-`, `# coding=X`, vim's `fileencoding=X`). */
const MAGIC_ENCODING = /coding[:=]\s*([\w.-]+)/i;

/**
 * The first line of `text` whose bytes Ruby may read otherwise than lamina: an encoding comment
 * among the leading comments naming anything but UTF-8 (`to_ruby` always writes
 * `# -*- encoding: utf-8 -*-`; Ruby honours one on the first line, or the second after a
 * shebang, and every leading comment is looked at), or a byte that is not UTF-8 (decoded to
 * U+FFFD). In Shift_JIS, `"A\x95\\"` is one string whose 0x95 0x5C is a single character, so
 * the quote after it ends the string and what follows runs; read as UTF-8 it is one literal.
 */
function notUtf8(text: string): NotGenerated | undefined {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    const name = MAGIC_ENCODING.exec(line)?.[1];
    if (name !== undefined && name.toLowerCase() !== 'utf-8')
      return {
        line: n + 1,
        why: `an encoding comment naming ${name}: Ruby reads the file in that encoding, lamina as UTF-8`,
      };
  }
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0)
    return {
      line: text.slice(0, bad).split('\n').length,
      why: 'bytes that are not UTF-8, which Ruby and lamina may read differently',
    };
  return undefined;
}

/**
 * Undefined when `text` is in the form `to_ruby` writes; else where and why it is not. `text` is
 * the file decoded as UTF-8 with invalid bytes replaced by U+FFFD (`Buffer#toString('utf8')`).
 */
export function notGenerated(text: string): NotGenerated | undefined {
  const enc = notUtf8(text);
  if (enc) return enc;
  try {
    new Reader(tokenize(text), text.length).file();
    return undefined;
  } catch (err) {
    if (!(err instanceof Refused)) {
      // The literal readers' budget: too irregular to be generated.
      return { line: 1, why: err instanceof Error ? err.message : String(err) };
    }
    const line = text.slice(0, err.at).split('\n').length;
    return { line, why: err.message };
  }
}
