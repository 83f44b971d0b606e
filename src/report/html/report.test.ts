import { describe, expect, it } from 'vitest';
import { estate, type FunctionSpec, type VersionSpec } from '../../estate/testing/estate.js';
import { htmlReportChunks, renderHtmlReport } from './report.js';

describe('htmlReportChunks', () => {
  it('is the rendered page in pieces, a piece per function row', () => {
    const versions: VersionSpec[] = Array.from({ length: 5 }, (_, i) => ({
      region: 'us-east-1',
      name: 'base',
      version: i + 1,
      tag: `base-${i + 1}`,
    }));
    const functions: FunctionSpec[] = Array.from({ length: 2000 }, (_, i) => [
      'us-east-1',
      `fn-${i}`,
      [['base', (i % 5) + 1]],
    ]);
    const input = { scan: estate(versions, functions) };
    const pieces = [...htmlReportChunks(input)];
    const page = pieces.join('');
    expect(page).toBe(renderHtmlReport(input));
    expect(page).toContain('fn-1999');
    // The data, element by element: each function's row is a piece of its own, not the block.
    const rows = pieces.filter((p) => p.includes(':function:fn-'));
    expect(rows.length).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...rows.map((p) => p.length))).toBeLessThan(500);
  });
});
