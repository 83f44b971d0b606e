/**
 * Escaping for terminal output. Names, paths, messages and AWS fields come from layers,
 * policies and AWS responses; printed raw, an ESC or CSI could move the cursor, rewrite earlier
 * lines or set the window title, a CR could overwrite a line, and a bidi override (U+202E) could
 * make text read differently from its bytes (CVE-2021-42574, "Trojan Source"). Each such
 * character is shown visibly instead: `\x1b`, `\r`, `\u202e`.
 */

/**
 * Characters a terminal could act on or that change how text reads: C0 controls, DEL, C1
 * controls, the Arabic letter mark, zero-width and directional marks, line/paragraph separators,
 * bidi embeddings, overrides and isolates, word joiner and invisible operators, the BOM, and
 * lone surrogates.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Options for {@link escapeTerminal}. */
export interface EscapeOptions {
  /** Keep line feeds (for text that is several lines by design); everything else is escaped. */
  keepNewlines?: boolean;
}

/** Make text safe to print on a terminal: every unsafe character is written as an escape. */
export function escapeTerminal(text: string, options: EscapeOptions = {}): string {
  return text.replace(UNSAFE, (c) => (options.keepNewlines && c === '\n' ? c : escapeChar(c)));
}

/** Escape each line of a report on its own, so no field can start a line of its own. */
export function escapeLines(lines: readonly string[]): string[] {
  return lines.map((l) => escapeTerminal(l));
}

// JSON.stringify already escapes C0 controls (and XML forbids them but tab, LF and CR, which
// its serializers escape or keep as layout); these are the rest, escaped in the format's own way.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * Escape, in JSON text, the characters JSON.stringify leaves raw that a terminal could act on
 * (DEL, C1, bidi and zero-width marks). The JSON value is unchanged.
 */
export function escapeJsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${hex4(c)}`);
}

/**
 * Escape, in serialized XML, the same characters as {@link escapeJsonText}, as character
 * references (`&#x202e;`): the parsed value is unchanged. For XML whose markup (element and
 * attribute names, comments) is the writer's own, so such characters can only be in values.
 */
export function escapeXmlText(xml: string): string {
  return xml.replace(JSON_UNSAFE, (c) => `&#x${hex4(c)};`);
}

/**
 * Text for a Markdown table cell or list item: printable, no HTML, no Markdown syntax, and
 * nothing GFM would turn into a link (`@` of emails, `:` of URLs, `www.`). GitHub finds
 * @mentions and #123 references in the rendered text, after entities are decoded, so an empty
 * comment follows `@` and a `#` before a digit: it splits the text and shows nothing.
 */
export function mdText(s: string): string {
  return escapeTerminal(s)
    .replace(/[\\`*_[\]<>|~&@]|#(?=\d)/g, (c) =>
      c === '#' ? '#<!-- -->' : c === '@' ? '&#64;<!-- -->' : `&#${c.charCodeAt(0)};`
    )
    .replace(/:\/\//g, '&#58;//')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`);
}

/** Inline code in Markdown: HTML `<code>` so backticks in the value cannot end it early. */
export function mdCode(s: string): string {
  return `<code>${mdText(s)}</code>`;
}

/** Text for HTML element content or a quoted attribute value. */
export function htmlText(s: string): string {
  return escapeTerminal(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  );
}

/**
 * JSON text to embed in an HTML `<script type="application/json">`: `<`, `>`, `&` and the JS line
 * separators escaped so no string in it can close the element or start a comment. Character by
 * character, so pieces of one document may be escaped one at a time.
 */
export function escapeForScript(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}
