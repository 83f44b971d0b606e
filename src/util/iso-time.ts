/**
 * ISO 8601 instants as users type them on the command line. `Date.parse` alone takes far more
 * (its legacy forms read "hello 5" as 1 May 2001 and "Dec 1" as 2001), rolls impossible dates
 * over (2026-02-30 is 2 March) and reads a date-time without an offset in the machine's time
 * zone, so the same flag chose another instant on another machine.
 */

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/**
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]` as milliseconds since the epoch,
 * in UTC unless the text gives an offset; undefined for any other text or a day or time that
 * does not exist.
 */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const back = new Date(t);
  // Date.UTC rolls 2026-02-30 over to March and maps years below 100 to 19xx.
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day
  )
    return undefined;
  const zone = m[8] ?? 'Z';
  if (zone.toUpperCase() === 'Z') return t;
  const [zh, zm] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (zh > 23 || zm > 59) return undefined;
  return t - (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm) * 60_000;
}
