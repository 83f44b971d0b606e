import { ApiError } from './wire.js';

/**
 * AWS-style page: `Marker` in, `NextMarker` out. Markers are opaque to callers
 * (base64 of the list name and offset) and rejected if tampered with.
 */
export function page<T>(
  items: T[],
  listName: string,
  marker: string | null,
  maxItemsRaw: string | null,
  limit = 50
): { items: T[]; nextMarker: string | undefined } {
  let max = limit;
  if (maxItemsRaw !== null) {
    const n = Number(maxItemsRaw);
    if (!Number.isInteger(n) || n < 1) {
      throw new ApiError(
        400,
        'InvalidParameterValueException',
        `MaxItems must be a positive integer, got ${maxItemsRaw}`
      );
    }
    max = Math.min(n, limit);
  }
  let start = 0;
  if (marker !== null && marker !== '') {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    const m = /^([A-Za-z]+):(\d+)$/.exec(decoded);
    if (!m || m[1] !== listName || Number(m[2]) > items.length) {
      throw new ApiError(400, 'InvalidParameterValueException', 'Invalid Marker');
    }
    start = Number(m[2]);
  }
  const end = start + max;
  return {
    items: items.slice(start, end),
    nextMarker:
      end < items.length ? Buffer.from(`${listName}:${end}`).toString('base64url') : undefined,
  };
}
