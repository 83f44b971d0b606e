/**
 * How `--since` and `--until` name a recorded scan: its id, or an ISO 8601 date or date-time (the
 * last scan that finished at or before it).
 */
import { parseIsoInstant } from '../util/iso-time.js';

/** A scan named by its id, or by an instant (milliseconds since the epoch). */
export type ScanRef = { id: number } | { at: number };

/** What {@link parseScanRef} takes, for messages. */
export const SCAN_REF_FORMS =
  'a scan id or an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], UTC unless it ends in an offset such as +02:00)';

/** `text` as a scan reference; undefined when it is neither a scan id nor an ISO 8601 instant. */
export function parseScanRef(text: string): ScanRef | undefined {
  if (/^\d+$/.test(text)) return { id: Number(text) };
  const at = parseIsoInstant(text);
  return at === undefined ? undefined : { at };
}
