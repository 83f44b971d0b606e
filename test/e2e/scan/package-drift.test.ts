import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeEstate } from '../../../src/estate/analyze.js';
import type { Inventory } from '../../../src/model/inventory.js';
import { inventoryFromCycloneDx } from '../../../src/sbom/read.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

const HOME = '111111111111';
const fn = (region: string, name: string) =>
  `arn:aws:lambda:${region}:${HOME}:function:${name}:$LATEST`;

/**
 * The package-level drift of a real scan (real SDK, local endpoint), computed from the SBOMs the
 * scan wrote and read back: what `scan` will compute once it is wired in.
 */
describe('package drift of a scanned estate', () => {
  let h: Harness;
  let result: ScanResult;
  const inventories = new Map<string, Inventory>();

  beforeAll(async () => {
    h = await startHarness(SCAN_ESTATE);
    result = (await h.scan()).result;
    for (const v of result.layers.flatMap((l) => l.versions)) {
      if (!v.sbom || !v.digest) continue;
      const text = await readFile(join(h.dir, 'out', v.sbom), 'utf8');
      inventories.set(v.digest, inventoryFromCycloneDx(text, { name: v.sbom }));
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('diffs the versions functions use against the newest, and the regions against each other', () => {
    const d = analyzeEstate(result, { inventoryOf: (x) => inventories.get(x) });
    const shared = d.layerDiffs.find((l) => l.name === 'shared' && l.region === 'us-east-1')!;
    expect(shared.newestVersion).toBe(3);
    expect(
      shared.inUse.map((u) => [
        u.version,
        u.functions.map((f) => f.split(':')[6]),
        u.diff?.versionChanged.map(
          (v) => `${v.name} ${v.from.version}->${v.to.version} ${v.direction}`
        ) ?? u.diffUnavailable,
      ])
    ).toEqual([
      [1, ['old'], ['left-pad 1.0.0->1.3.0 upgrade']],
      [2, ['f01', 'f02'], ['left-pad 1.1.0->1.3.0 upgrade']],
      [3, ['api', 'f03'], null],
      // Deleted after release: its content never reached the scan.
      [4, ['gone'], 'v4 has no readable content'],
    ]);
    expect(shared.inUse[0]!.catchUp).toEqual([
      { functions: [fn('us-east-1', 'old')], sameAsLayerDiff: true, diff: null, unavailable: null },
    ]);

    expect(d.regionDiffs).toHaveLength(1);
    const r = d.regionDiffs[0]!;
    expect(r.baseline.regions).toEqual(['eu-west-1']);
    expect(
      r.others[0]!.diff!.versionChanged.map((v) => [v.from.version, v.to.version, v.direction])
    ).toEqual([['1.0.0-eu', '1.0.0', 'upgrade']]);

    const leftPad = d.packages.find((p) => p.key === 'pkg:npm/left-pad')!;
    expect(
      leftPad.versions.map((v) => [
        v.version,
        v.functions.map((f) => f.split(':')[3] + '/' + f.split(':')[6]),
      ])
    ).toEqual([
      ['1.0.0-eu', ['eu-west-1/eu-api']],
      ['1.0.0', ['us-east-1/old']],
      ['1.1.0', ['us-east-1/f01', 'us-east-1/f02']],
      ['1.3.0', ['us-east-1/api', 'us-east-1/f03']],
    ]);
    // Their layer could not be read: the package view of these functions is partial.
    expect(d.incompleteFunctions).toEqual([fn('us-east-1', 'denied'), fn('us-east-1', 'gone')]);
  });
});
