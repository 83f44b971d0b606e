import { describe, expect, it } from 'vitest';
import type { ScanInfo } from '../history/types.js';
import { renderHistoryJson, renderHistoryText, renderPruneText } from './history.js';

const scan = (id: number, verified: boolean): ScanInfo => ({
  id,
  startedAt: `2026-11-0${id}T00:00:00.000Z`,
  finishedAt: `2026-11-0${id}T00:01:00.000Z`,
  toolVersion: '0.1.0',
  policyDigest: verified ? 'sha256:' + 'ab'.repeat(32) : null,
  verified,
  functions: 10 * id,
  layerVersions: 3,
  failures: id - 1,
});

describe('history renderers', () => {
  it('list the scans in aligned columns, the database first', () => {
    expect(renderHistoryText('/h.db', [scan(1, false), scan(2, true)])).toBe(
      [
        'History /h.db: 2 scans',
        '     id  finished                  functions  layer versions  failures  verified',
        '      1  2026-11-01T00:01:00.000Z         10               3         0  no',
        '      2  2026-11-02T00:01:00.000Z         20               3         1  yes (policy sha256:abababababab)',
        '',
      ].join('\n')
    );
    expect(renderHistoryText('/h.db', [])).toBe('History /h.db: 0 scans\n');
    expect(JSON.parse(renderHistoryJson('/h.db', [scan(1, false)]))).toEqual({
      db: '/h.db',
      scans: [scan(1, false)],
    });
  });

  it('neutralise control characters in the path', () => {
    expect(renderHistoryText('/tmp/\u001b[2Jx.db', [])).not.toContain('\u001b');
    expect(renderPruneText({ db: '/h.db', keep: 1, scans: 2, facts: 5, inventories: 1 })).toBe(
      'History /h.db: kept the newest 1 scan; removed 2 scans, 5 facts and 1 inventory only they used\n'
    );
  });
});
