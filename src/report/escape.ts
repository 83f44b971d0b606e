/**
 * Escaping for text taken from untrusted layers (package names, versions, paths) before it
 * reaches a terminal, a Markdown document or an HTML page.
 */

// C0 and C1 controls, DEL, and the Unicode bidirectional controls that can reorder what a
// reader sees (https://www.unicode.org/reports/tr9/, "Trojan Source").
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Replace control and bidi characters with `\u{..}` so the text prints as one visible line. */
export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * Text for a Markdown table cell or list item: printable, no HTML, no Markdown syntax, and
 * nothing GFM would turn into a link (`@` of emails, `:` of URLs, `www.`).
 */
export function mdText(s: string): string {
  return printable(s)
    .replace(/[\\`*_[\]<>|~&@]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/:\/\//g, '&#58;//')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}&#46;`);
}

/** Inline code in Markdown: HTML `<code>` so backticks in the value cannot end it early. */
export function mdCode(s: string): string {
  return `<code>${mdText(s)}</code>`;
}

/** Text for HTML element content or a quoted attribute value. */
export function htmlText(s: string): string {
  return printable(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  );
}

/**
 * JSON to embed in an HTML `<script type="application/json">`: `<`, `>`, `&` and the JS line
 * separators escaped so no string in it can close the element or start a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}
