import { describe, expect, it } from 'vitest';
import { parseScanRef } from './scan-ref.js';

describe('parseScanRef', () => {
  it('reads a scan id or an ISO 8601 instant', () => {
    expect(parseScanRef('12')).toEqual({ id: 12 });
    expect(parseScanRef('2026-12-04')).toEqual({ at: Date.UTC(2026, 11, 4) });
    expect(parseScanRef('2026-12-04T10:30+02:00')).toEqual({ at: Date.UTC(2026, 11, 4, 8, 30) });
  });

  it.each(['', 'yesterday', '-1', '1.5', '12 ', '2026-02-30', '2026-12-04T24:00', 'Dec 1'])(
    'refuses %j',
    (text) => {
      expect(parseScanRef(text)).toBeUndefined();
    }
  );
});
