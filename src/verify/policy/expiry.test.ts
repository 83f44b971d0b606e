import { describe, expect, it } from 'vitest';
import { parseExpiry } from './expiry.js';

describe('parseExpiry', () => {
  it('reads a day (its start, UTC) or a date-time with a zone', () => {
    expect(parseExpiry('2026-12-31')?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(parseExpiry('2026-12-31T18:00+01:00')?.toISOString()).toBe('2026-12-31T17:00:00.000Z');
    expect(parseExpiry('2026-12-31T18:00:05.5Z')?.toISOString()).toBe('2026-12-31T18:00:05.500Z');
  });

  it.each([
    '2025-02-30', // would roll over to 2 March
    '2025-02-30T00:00Z', // so would this one, as a date-time
    '2026-12-31T18:00', // no zone: whose 18:00?
    '2026-12-31T24:00Z',
    'next-tuesday',
    'Dec 31',
  ])('refuses %j', (text) => {
    expect(parseExpiry(text)).toBeUndefined();
  });
});
