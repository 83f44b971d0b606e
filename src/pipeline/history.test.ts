import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digest, estate, inventory, type VersionSpec } from '../estate/testing/estate.js';
import { serializeSbom } from '../sbom/cyclonedx.js';
import type { ScanResult } from '../scan/result.js';
import { historyChanges, recordScanHistory } from './history.js';

const E = 'us-east-1';
const PACKAGES: Record<string, Record<string, string>> = {
  'base-1': { lodash: '4.17.20' },
  'base-2': { lodash: '4.17.21' },
  'base-2b': { lodash: '4.17.21', 'event-stream': '3.3.6' },
  'base-3': { lodash: '4.17.21', ms: '2.1.3' },
  'tools-1': { chalk: '5.0.0' },
};

/** A scan result whose versions point at SBOMs written into `out`, as a scan leaves them. */
function scanWithSboms(out: string, versions: VersionSpec[], fns: Parameters<typeof estate>[1]) {
  const result = estate(versions, fns);
  mkdirSync(join(out, 'sboms'), { recursive: true });
  for (const l of result.layers)
    for (const v of l.versions) {
      const tag = versions.find((s) => s.name === l.name && s.version === v.version)?.tag;
      if (!tag || !v.digest) continue;
      const file = `sboms/${v.digest.slice(7)}.cdx.json`;
      writeFileSync(
        join(out, file),
        serializeSbom(inventory(tag, PACKAGES[tag]!), {
          format: 'cyclonedx-json',
          specVersion: '1.6',
        })
      );
      v.sbom = file;
    }
  return result;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-record-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('recordScanHistory', () => {
  it('gives the changes the history gives for the same two scans', () => {
    const db = join(dir, 'history.db');
    const first: ScanResult = scanWithSboms(
      join(dir, 'one'),
      [
        { region: E, name: 'base', version: 1, tag: 'base-1' },
        { region: E, name: 'base', version: 2, tag: 'base-2' },
        { region: E, name: 'tools', version: 1, tag: 'tools-1' },
      ],
      [
        [E, 'a', [['base', 1]]],
        // d the same in both scans (its record shared), e on the republished version.
        [E, 'd', [['base', 1]]],
        [E, 'e', [['base', 2]]],
        [
          E,
          'b',
          [
            ['base', 2],
            ['tools', 1],
          ],
        ],
      ]
    );
    // base v2 republished with other bytes, v3 published, tools v1 deleted, a moved, c added,
    // b removed.
    const second: ScanResult = scanWithSboms(
      join(dir, 'two'),
      [
        { region: E, name: 'base', version: 1, tag: 'base-1' },
        { region: E, name: 'base', version: 2, tag: 'base-2b' },
        {
          region: E,
          name: 'base',
          version: 3,
          tag: 'base-3',
          signingJob: `arn:aws:signer:${E}:111111111111:/signing-jobs/j-3`,
          signingProfile: `arn:aws:signer:${E}:111111111111:/signing-profiles/P/V1`,
        },
        { region: E, name: 'tools', version: 1, tag: null },
      ],
      [
        [E, 'a', [['base', 3]]],
        [E, 'd', [['base', 1]]],
        [E, 'e', [['base', 2]]],
        [
          E,
          'c',
          [
            ['base', 2],
            ['tools', 1],
          ],
        ],
      ]
    );
    const at = (m: number) => new Date(Date.UTC(2026, 11, 4, 12, m));
    const one = recordScanHistory({
      db,
      result: first,
      outDir: join(dir, 'one'),
      startedAt: at(0),
      finishedAt: at(1),
    });
    expect(one.changes).toBeNull();
    const two = recordScanHistory({
      db,
      result: second,
      outDir: join(dir, 'two'),
      startedAt: at(10),
      finishedAt: at(11),
    });
    expect(two.scanId).toBe(one.scanId + 1);
    const recorded = historyChanges({ db, failOn: 'none' }).changes;
    expect(two.changes).toEqual(recorded);
    // Each kind of change the two scans differ by, the republished version with its diff.
    expect(recorded.digestsChanged).toEqual([
      expect.objectContaining({ from: digest('base-2'), to: digest('base-2b') }),
    ]);
    expect(JSON.stringify(recorded.digestsChanged[0]!.diff)).toContain('event-stream');
    expect(recorded.functionsAdded).toEqual([expect.stringContaining(':function:c:')]);
    expect(recorded.functionsRemoved).toEqual([expect.stringContaining(':function:b:')]);
    expect(recorded.functionsMoved).toHaveLength(1);
    expect(recorded.layerVersionsAdded).toHaveLength(1);
    expect(recorded.layerVersionsRemoved).toHaveLength(1);
    // A scan records no signing status: said, as of the scan read back.
    expect(recorded.unavailable).toEqual([
      expect.stringMatching(/^scan 2 recorded no signing status/),
    ]);
  });
});
