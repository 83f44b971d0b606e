import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from './iso-time.js';

const iso = (text: string) => {
  const t = parseIsoInstant(text);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('parseIsoInstant', () => {
  it('reads dates and date-times, in UTC unless an offset is given', () => {
    expect(iso('2026-12-01')).toBe('2026-12-01T00:00:00.000Z');
    expect(iso('2026-12-01T10:15')).toBe('2026-12-01T10:15:00.000Z');
    expect(iso('2026-12-01T10:15:30')).toBe('2026-12-01T10:15:30.000Z');
    expect(iso('2026-12-01T10:15:30.1234Z')).toBe('2026-12-01T10:15:30.123Z');
    expect(iso('2026-12-01t10:15:30z')).toBe('2026-12-01T10:15:30.000Z');
    expect(iso('2026-12-01T10:15:30+02:00')).toBe('2026-12-01T08:15:30.000Z');
    expect(iso('2026-12-01T00:30-01:30')).toBe('2026-12-01T02:00:00.000Z');
    expect(iso('2028-02-29')).toBe('2028-02-29T00:00:00.000Z');
  });

  it.each([
    'hello 5', // Date.parse: 2001-05-01
    'Dec 1', // Date.parse: 2001-12-01
    '1',
    '  2026-12-01',
    '2026-12-01 ',
    '2026-02-30', // Date.parse: 2026-03-02
    '2027-02-29',
    '2026-13-01',
    '2026-00-10',
    '0050-01-01', // Date.UTC: 1950
    '2026-12-01T24:00',
    '2026-12-01T10:60',
    '2026-12-01T10:15:60',
    '2026-12-01T10:15+24:00',
    '2026-12-01T10:15+02',
    '2026-12-01T10',
    '2026-12-01Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseIsoInstant(text)).toBeUndefined();
  });
});
