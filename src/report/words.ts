/** Small wording helpers shared by the text, Markdown and HTML reports. */
import type { FunctionImageConfig } from '../model/function-image-config.js';

/** `1 function`, `2 functions`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Digest shown in reports: algorithm and the first 12 hex digits. */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '(unknown)';
  const i = digest.indexOf(':');
  return i < 0 ? digest.slice(0, 12) : `${digest.slice(0, i)}:${digest.slice(i + 1, i + 13)}`;
}

/** An environment variable as reports show it: `NAME="value"` (the value JSON-quoted). */
export function variableText(v: { name: string; value: string }): string {
  return `${v.name}=${JSON.stringify(v.value)}`;
}

/** A Handler as reports show it: JSON-quoted, or `(none returned)` when Lambda gave none. */
export function handlerText(handler: string | null): string {
  return handler === null ? '(none returned)' : JSON.stringify(handler);
}

/** A function's own image settings as `EntryPoint=[…] Command=[…] WorkingDirectory="…"` words. */
export function imageConfigWords(c: FunctionImageConfig): string[] {
  return [
    ...(c.entryPoint ? [`EntryPoint=${JSON.stringify(c.entryPoint)}`] : []),
    ...(c.command ? [`Command=${JSON.stringify(c.command)}`] : []),
    ...(c.workingDirectory !== undefined
      ? [`WorkingDirectory=${JSON.stringify(c.workingDirectory)}`]
      : []),
  ];
}
