/**
 * A reader for the gemspecs RubyGems writes into `specifications/` when it
 * installs a gem (`Gem::Specification#to_ruby`). They are Ruby source; we
 * never evaluate them, we pick the literal assignments out with a small
 * scanner that understands the string and array literals `to_ruby` emits.
 * https://guides.rubygems.org/specification-reference/
 */

/** The fields of an installed gemspec lamina uses. */
export interface Gemspec {
  name: string;
  version: string;
  /** `ruby` (pure Ruby) unless the gem is built for a platform, e.g. `x86_64-linux`. */
  platform: string;
  licenses: string[];
  summary?: string;
  description?: string;
  homepage?: string;
  authors: string[];
  executables: string[];
  /** Names of runtime dependencies (`add_runtime_dependency` / `add_dependency`), deduplicated. */
  runtimeDependencies: string[];
  /**
   * Every value any `require_paths =` (or `require_path =`) assignment gives, in order (Ruby
   * keeps the last; each is checked): the directories of the gem RubyGems puts on `$LOAD_PATH`.
   * Empty when there is none (RubyGems' default is `lib`).
   */
  requirePaths: string[];
  /** An assignment to `require_paths` whose value is not a literal lamina can read. */
  requirePathsUnread?: boolean;
}

/**
 * The stub line RubyGems reads instead of evaluating an installed gemspec: the second line,
 * `# stub: <name> <version> <platform> <require paths joined by NUL>`, split at whitespace into
 * at most four fields, the last holding the require paths (Gem::StubSpecification::StubLine).
 */
export interface StubLine {
  name: string;
  version: string;
  platform: string;
  requirePaths: string[];
}

const STUB_PREFIX = '# stub: ';

/**
 * Read the stub line as RubyGems does: the first line (the encoding comment) is skipped, the
 * second must start with `# stub: `. Undefined when there is none (RubyGems then evaluates the
 * whole file).
 */
export function parseStubLine(text: string): StubLine | undefined {
  const first = text.indexOf('\n');
  if (first < 0) return undefined;
  const end = text.indexOf('\n', first + 1);
  // `readline.chomp`: the line without its "\n", "\r\n" or "\r".
  const line = text.slice(first + 1, end < 0 ? text.length : end).replace(/\r$/, '');
  if (!line.startsWith(STUB_PREFIX)) return undefined;
  const parts = rubySplit(line.slice(STUB_PREFIX.length), 4);
  if (parts.length === 0) return undefined;
  // `parts.last`: with fewer than four fields, the last field is taken as the path list.
  const pathList = parts[parts.length - 1]!;
  return {
    name: parts[0]!,
    version: parts[1] ?? '',
    platform: parts[2] ?? 'ruby',
    requirePaths: rubySplitOn(pathList, '\0'),
  };
}

/** Ruby's awk-style `str.split(" ", limit)`: runs of whitespace separate, leading ones skipped. */
function rubySplit(s: string, limit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);
  while (i < s.length) {
    while (ws(s[i])) i++;
    if (i >= s.length) break;
    if (out.length === limit - 1) {
      out.push(s.slice(i));
      break;
    }
    const start = i;
    while (i < s.length && !ws(s[i])) i++;
    out.push(s.slice(start, i));
  }
  return out;
}

/** Ruby's `str.split(sep)` with a one-character string: trailing empty fields dropped. */
function rubySplitOn(s: string, sep: string): string[] {
  const out = s.split(sep);
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  s: ' ',
  e: '\x1b',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

const CLOSERS: Record<string, string> = { '<': '>', '{': '}', '(': ')', '[': ']' };

/** A literal read from `src` at `i`: its value and the index just past it. */
interface Read<T> {
  value: T;
  end: number;
}

/**
 * Characters the literal readers may still scan for one gemspec. Each read
 * may run to the end of the text when a literal is unterminated; the budget
 * keeps the total linear in the text however many reads start.
 */
export interface ScanBudget {
  left: number;
}

const UNBOUNDED: ScanBudget = { left: Number.POSITIVE_INFINITY };

function spend(budget: ScanBudget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) throw new Error('gemspec is too irregular to scan within its budget');
}

/** Read a Ruby string literal (`"…"`, `'…'`, `%q<…>`, `%Q{…}`) starting at `i`, with an optional `.freeze`. */
export function readRubyString(
  src: string,
  i: number,
  budget: ScanBudget = UNBOUNDED
): Read<string> | undefined {
  let value: string;
  let end: number;
  const c = src[i];
  if (c === '"') {
    const r = readDoubleQuoted(src, i + 1, '"', budget);
    if (!r) return undefined;
    ({ value, end } = r);
  } else if (c === "'") {
    const r = readSingleQuoted(src, i + 1, "'", "'", budget);
    if (!r) return undefined;
    ({ value, end } = r);
  } else if (c === '%' && (src[i + 1] === 'q' || src[i + 1] === 'Q')) {
    const open = src[i + 2] ?? '';
    const close = CLOSERS[open] ?? open;
    if (!open || /[\w\s]/.test(open)) return undefined;
    const r =
      src[i + 1] === 'Q'
        ? readDoubleQuoted(src, i + 3, close, budget)
        : readSingleQuoted(src, i + 3, open, close, budget);
    if (!r) return undefined;
    ({ value, end } = r);
  } else return undefined;
  if (src.startsWith('.freeze', end)) end += '.freeze'.length;
  return { value, end };
}

/** Index of the next character of `src` from `i` that is one of `stops` (or src.length). */
function nextStop(src: string, i: number, stops: string): number {
  while (i < src.length && !stops.includes(src[i]!)) i++;
  return i;
}

function readDoubleQuoted(
  src: string,
  from: number,
  close: string,
  budget: ScanBudget
): Read<string> | undefined {
  // Plain runs are copied as slices: no per-character string building.
  const out: string[] = [];
  let i = from;
  try {
    while (i < src.length) {
      const j = nextStop(src, i, `${close}#\\`);
      out.push(src.slice(i, j));
      i = j;
      if (i >= src.length) break;
      const c = src[i]!;
      if (c === close) return { value: out.join(''), end: i + 1 };
      if (c === '#') {
        if (src[i + 1] === '{') return undefined; // interpolation: not a literal
        out.push('#');
        i++;
        continue;
      }
      const n = src[i + 1] ?? '';
      if (n === 'u') {
        const braced = /^\{([0-9a-fA-F ]+)\}/.exec(src.slice(i + 2, i + 40));
        const plain = /^[0-9a-fA-F]{4}/.exec(src.slice(i + 2, i + 6));
        if (braced?.[1]) {
          for (const cp of braced[1].trim().split(/\s+/)) {
            const v = parseInt(cp, 16);
            if (v > 0x10ffff) return undefined;
            out.push(String.fromCodePoint(v));
          }
          i += 2 + braced[0].length;
        } else if (plain) {
          out.push(String.fromCharCode(parseInt(plain[0], 16)));
          i += 6;
        } else return undefined;
      } else if (n === 'x') {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i + 2, i + 4));
        if (!hex) return undefined;
        out.push(String.fromCharCode(parseInt(hex[0], 16)));
        i += 2 + hex[0].length;
      } else {
        out.push(ESCAPES[n] ?? n);
        i += 2;
      }
    }
    return undefined;
  } finally {
    spend(budget, i - from);
  }
}

function readSingleQuoted(
  src: string,
  from: number,
  open: string,
  close: string,
  budget: ScanBudget
): Read<string> | undefined {
  const out: string[] = [];
  const nests = open !== close;
  let nest = 0;
  let i = from;
  try {
    while (i < src.length) {
      const j = nextStop(src, i, `${open}${close}\\`);
      out.push(src.slice(i, j));
      i = j;
      if (i >= src.length) break;
      const c = src[i]!;
      if (c === '\\' && (src[i + 1] === close || src[i + 1] === '\\' || src[i + 1] === open)) {
        out.push(src[i + 1]!);
        i += 2;
        continue;
      }
      if (c === close && nest === 0) return { value: out.join(''), end: i + 1 };
      if (nests && c === open) nest++;
      if (nests && c === close) nest--;
      out.push(c);
      i++;
    }
    return undefined;
  } finally {
    spend(budget, i - from);
  }
}

/** Read `[ "a".freeze, "b" ]` (strings only) starting at `i`. */
export function readRubyStringArray(
  src: string,
  i: number,
  budget: ScanBudget = UNBOUNDED
): Read<string[]> | undefined {
  if (src[i] !== '[') return undefined;
  const value: string[] = [];
  i++;
  for (;;) {
    const ws = i;
    while (/\s/.test(src[i] ?? '')) i++;
    spend(budget, i - ws);
    if (src[i] === ']') return { value, end: i + 1 };
    const s = readRubyString(src, i, budget);
    if (!s) return undefined;
    value.push(s.value);
    i = s.end;
    while (/\s/.test(src[i] ?? '')) i++;
    if (src[i] === ',') i++;
    else if (src[i] !== ']') return undefined;
  }
}

/**
 * Parse an installed gemspec.
 * @throws Error when the text is not a `Gem::Specification.new` block with a literal name and version.
 */
export function parseGemspec(text: string): Gemspec {
  const block = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*(\w+)\s*\|/.exec(text);
  if (!block?.[1]) throw new Error('no Gem::Specification.new block');
  const v = block[1];
  const body = text.slice(block.index + block[0].length);
  // Every read together may scan the text a few times over, never once per assignment.
  const budget: ScanBudget = { left: 4 * text.length + 65536 };

  // `s.field = <literal>` at the start of a line; the first assignment wins.
  const strings = new Map<string, string>();
  const arrays = new Map<string, string[]>();
  const requirePaths: string[] = [];
  let requirePathsUnread = false;
  const assign = new RegExp(`^[ \\t]*${v}\\.(\\w+)[ \\t]*=[ \\t]*`, 'gm');
  for (const m of body.matchAll(assign)) {
    const field = m[1] as string;
    const at = (m.index ?? 0) + m[0].length;
    const s = readRubyString(body, at, budget);
    if (s && !strings.has(field)) strings.set(field, s.value);
    const a = s ? undefined : readRubyStringArray(body, at, budget);
    if (a && !arrays.has(field)) arrays.set(field, a.value);
    if (field === 'require_paths' || field === 'require_path') {
      // `require_paths=` takes `Array(value)`: a string is one path.
      if (s) requirePaths.push(s.value);
      else if (a) requirePaths.push(...a.value);
      else requirePathsUnread = true;
    }
  }

  const runtimeDependencies: string[] = [];
  const deps = new Set<string>();
  const dep = new RegExp(`\\b${v}\\.add_(runtime_)?dependency\\b[ \\t]*\\(?[ \\t]*`, 'g');
  for (const m of body.matchAll(dep)) {
    const s = readRubyString(body, (m.index ?? 0) + m[0].length, budget);
    if (s && !deps.has(s.value)) {
      deps.add(s.value);
      runtimeDependencies.push(s.value);
    }
  }

  const name = strings.get('name');
  // Old generators wrote `s.version = Gem::Version.new("1.0")`; the stub line always has it.
  const stub = /^# stub: (\S+) (\S+) (\S+)/m.exec(text);
  const version = strings.get('version') ?? (stub?.[1] === name ? stub?.[2] : undefined);
  if (!name) throw new Error('gemspec has no literal name');
  if (!version) throw new Error(`gemspec for ${name} has no literal version`);
  const platform =
    strings.get('platform') ?? (stub?.[1] === name ? stub?.[3] : undefined) ?? 'ruby';

  const licenses = arrays.get('licenses') ?? [];
  const single = strings.get('license');
  if (licenses.length === 0 && single) licenses.push(single);
  const authors = arrays.get('authors') ?? [];
  if (authors.length === 0 && strings.has('author')) authors.push(strings.get('author') as string);

  return {
    name,
    version,
    platform,
    licenses,
    summary: strings.get('summary'),
    description: strings.get('description'),
    homepage: strings.get('homepage'),
    authors,
    executables: arrays.get('executables') ?? [],
    runtimeDependencies,
    requirePaths,
    ...(requirePathsUnread ? { requirePathsUnread } : {}),
  };
}

/**
 * A version as `Gem::Version` makes it, which is how RubyGems names the gem's directory
 * (`gems/<name>-<version>`): surrounding whitespace dropped, a blank one `0`, and each `-` read
 * as `.pre.` (`"2.0-1"` is `2.0.pre.1`).
 */
export function rubygemsVersion(version: string): string {
  const v = version.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  return v === '' ? '0' : v.replaceAll('-', '.pre.');
}

/**
 * `nokogiri-1.15.4-x86_64-linux.gemspec` → nokogiri 1.15.4 (x86_64-linux):
 * RubyGems names an installed spec `<name>-<version>[-<platform>].gemspec`,
 * and a version starts with a digit.
 */
export function gemFromFileName(path: string): Gemspec | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.gemspec$/, '');
  const m = /^(.+?)-(\d[^-]*)(?:-(.+))?$/.exec(base);
  if (!m?.[1] || !m[2]) return undefined;
  return {
    name: m[1],
    version: m[2],
    platform: m[3] ?? 'ruby',
    licenses: [],
    authors: [],
    executables: [],
    runtimeDependencies: [],
    requirePaths: [],
  };
}
