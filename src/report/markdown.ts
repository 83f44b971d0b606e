/**
 * GitHub-flavoured Markdown building blocks for reports meant for a pull-request comment or an
 * issue: tables and folded `<details>` sections. Cell text must already be escaped (mdText,
 * mdCode from ./escape.ts).
 * https://github.github.com/gfm/#tables-extension-
 */

/** A table; `align` per column ('l' or 'r'). */
export function mdTable(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = headers.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** A folded section; the blank lines let Markdown inside it render. */
export function mdDetails(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body.trim()}\n\n</details>`;
}

/**
 * Keep a table to `max` rows, with a last row saying how many were left out (comments have a
 * size limit: 65,536 characters on GitHub).
 */
export function limitRows(rows: string[][], max: number): string[][] {
  if (rows.length <= max) return rows;
  const width = rows[0]?.length ?? 1;
  return [
    ...rows.slice(0, max),
    [`… and ${rows.length - max} more not shown`, ...Array<string>(width - 1).fill('')],
  ];
}
