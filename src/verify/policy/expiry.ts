/**
 * Pin expiry: `YYYY-MM-DD` (expires at the start of that day, UTC) or a full ISO 8601 date-time
 * with a zone. Anything else is refused, so a typo never silently means "never expires".
 */
import { parseIsoInstant } from '../../util/iso-time.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant a pin stops counting, or undefined when `text` is not a date. */
export function parseExpiry(text: string): Date | undefined {
  if (!DATE.test(text) && !DATE_TIME.test(text)) return undefined;
  // Days and times that do not exist (2025-02-30, a date-time's included) are refused there.
  const t = parseIsoInstant(text);
  return t === undefined ? undefined : new Date(t);
}
