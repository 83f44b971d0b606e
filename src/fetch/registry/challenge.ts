/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1, §11.2):
 *
 *     challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *     auth-param  = token BWS "=" BWS ( token / quoted-string )
 *
 * Several challenges may share one header, separated by commas, which the
 * grammar only tells apart from parameters by looking ahead for `token =`.
 * Pure; bounded (header length, parameter count).
 */

export interface Challenge {
  /** Lowercased scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const MAX_HEADER = 8192;
const MAX_PARAMS = 32;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parses every challenge in the header values; malformed tails are dropped. */
export function parseChallenges(values: string | readonly string[] | undefined): Challenge[] {
  if (values === undefined) return [];
  const out: Challenge[] = [];
  for (const v of typeof values === 'string' ? [values] : values) {
    if (v.length > MAX_HEADER) continue;
    out.push(...parseOne(v));
  }
  return out;
}

function parseOne(header: string): Challenge[] {
  const out: Challenge[] = [];
  let s = header;
  const skip = (re: RegExp): void => {
    s = s.replace(re, '');
  };
  for (;;) {
    skip(/^[\s,]+/);
    const scheme = TOKEN.exec(s)?.[0];
    if (!scheme) return out;
    s = s.slice(scheme.length);
    const params: Record<string, string> = {};
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params };
    out.push(challenge);
    skip(/^[ \t]+/);
    // token68 form (e.g. `Negotiate abc==`): a lone token, not `name=value`.
    const t68 = /^[A-Za-z0-9._~+/-]+=*(?=[ \t]*(?:,|$))/.exec(s)?.[0];
    if (t68) {
      s = s.slice(t68.length);
      continue;
    }
    let count = 0;
    for (;;) {
      skip(/^[ \t]*/);
      const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*/.exec(s);
      if (!m) break; // next challenge (or end)
      s = s.slice(m[0].length);
      let value: string;
      if (s.startsWith('"')) {
        let i = 1;
        value = '';
        for (; i < s.length && s[i] !== '"'; i++) {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
        }
        if (i >= s.length) return out; // unterminated quoted-string: drop the rest
        s = s.slice(i + 1);
      } else {
        const tok = TOKEN.exec(s)?.[0];
        if (!tok) return out;
        value = tok;
        s = s.slice(tok.length);
      }
      if (++count <= MAX_PARAMS) {
        const name = m[1]!.toLowerCase();
        if (!(name in params)) {
          Object.defineProperty(params, name, { value, enumerable: true, writable: true });
        }
      }
      skip(/^[ \t]*/);
      if (!s.startsWith(',')) break;
      // A comma: another param of this challenge, or the next challenge's scheme.
      const ahead = s.slice(1).replace(/^[\s,]*/, '');
      if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=/.test(ahead)) {
        s = ahead;
        continue;
      }
      break;
    }
  }
}
