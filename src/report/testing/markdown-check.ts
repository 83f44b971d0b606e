import { marked } from 'marked';
import { expect } from 'vitest';

const ALLOWED = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'code',
  'strong',
  'em',
  'blockquote',
  'ul',
  'ol',
  'li',
  'br',
]);

/**
 * Render Markdown with a GFM renderer (marked) and check what a reader would get: only the
 * elements the reports write, and every table row as wide as its header.
 */
export function expectWellFormedMarkdown(md: string): string {
  const html = marked.parse(md, { async: false, gfm: true });
  const tags = [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
  expect([...new Set(tags)].filter((t) => !ALLOWED.has(t))).toEqual([]);
  for (const table of html.split('<table>').slice(1)) {
    const rows = table.slice(0, table.indexOf('</table>')).split('<tr>').slice(1);
    const width = (r: string) => (r.match(/<t[hd][ >]/g) ?? []).length;
    expect(rows.map(width).every((w) => w === width(rows[0]!))).toBe(true);
  }
  // marked drops cells past the header's width, so count pipes in the source: a stray "|" from
  // a value would make its row wider than the table's header.
  let block: number[] = [];
  for (const line of [...md.split('\n'), '']) {
    if (line.startsWith('|')) block.push((line.match(/\|/g) ?? []).length);
    else {
      expect(block.every((n) => n === block[0])).toBe(true);
      block = [];
    }
  }
  return html;
}
