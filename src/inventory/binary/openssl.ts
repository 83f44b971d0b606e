/**
 * What OpenSSL's own configuration makes it load. Every program that initialises OpenSSL (Python's
 * `ssl`, which boto3 imports; curl; Node.js, which reads its `nodejs_conf` section) reads the
 * default `openssl.cnf` of its OPENSSLDIR, with no variable set, and loads the shared object a
 * provider's `module` or an engine's `dynamic_path` names, whatever its name or mode.
 * https://docs.openssl.org/3.0/man5/config/
 */

/** Where distributions' OPENSSLDIR keeps `openssl.cnf` (Debian, Amazon Linux and Red Hat, a build's default). */
export const OPENSSL_CONFIGS: readonly string[] = [
  'etc/ssl/openssl.cnf',
  'etc/pki/tls/openssl.cnf',
  'usr/lib/ssl/openssl.cnf',
  'usr/local/ssl/openssl.cnf',
];

/** Most configuration files read through `.include`, and the largest read. */
export const MAX_OPENSSL_CONFIGS = 64;
export const MAX_OPENSSL_CONFIG_SIZE = 1024 * 1024;

/** What one configuration file says to load or include. */
export interface OpensslConfigScan {
  /** Values of `module` and `dynamic_path`: the shared objects OpenSSL loads. */
  loads: string[];
  /** Paths of `.include` directives (a file, or a directory whose `.cnf` and `.conf` files count). */
  includes: string[];
  /** Values lamina cannot tell the file of (`$var` expansions). */
  unresolved: string[];
}

const LOAD_KEY = /^(?:module|dynamic_path)$/i;

/**
 * Scan the text of an OpenSSL configuration file as its parser reads it: `#` starting a comment
 * anywhere outside quotes, `\` escaping the next character (a trailing one continuing the line),
 * `name = value`, `.include [=] path`. Quotes around a value are dropped; a value holding `$` (a
 * variable OpenSSL expands) is unresolved.
 */
export function scanOpensslConfig(text: string): OpensslConfigScan {
  const out: OpensslConfigScan = { loads: [], includes: [], unresolved: [] };
  for (const raw of logicalLines(text)) {
    const line = withoutComment(raw).trim();
    if (line === '' || line.startsWith('[')) continue;
    const inc = /^\.include\s*(?:=\s*)?(.*)$/i.exec(line);
    if (inc) {
      const path = unescape(unquote(inc[1]!.trim()));
      (path.includes('$') ? out.unresolved : out.includes).push(path);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    // `section.module` (an explicit section prefix) names the same setting.
    if (!LOAD_KEY.test(key.slice(key.lastIndexOf('.') + 1))) continue;
    const value = unescape(unquote(line.slice(eq + 1).trim()));
    if (value === '') continue;
    (value.includes('$') ? out.unresolved : out.loads).push(value);
  }
  return out;
}

/**
 * The file's lines with continuations joined: a line ending in an odd number of `\` continues
 * on the next (an even number is escaped backslashes, and the line ends there).
 */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const physical of text.split(/\r?\n/)) {
    const trailing = /\\*$/.exec(physical)![0].length;
    if (trailing % 2 === 1) {
      pending += physical.slice(0, -1);
      continue;
    }
    out.push(pending + physical);
    pending = '';
  }
  if (pending !== '') out.push(pending);
  return out;
}

/**
 * The line up to its first `#` outside quotes and not escaped by `\` (OpenSSL's comment,
 * wherever it starts).
 */
function withoutComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') i += 1;
    else if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** `\x` is `x` to OpenSSL's parser (`a\#b.dat` names `a#b.dat`). */
function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}
