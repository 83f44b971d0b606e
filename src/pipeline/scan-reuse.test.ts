import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageDrift } from '../scan/package-drift.js';
import { DEFAULT_LIMITS } from '../unpack/source.js';
import { openScanReuse, packageDriftKey, type PackageDriftInputs } from './scan-reuse.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const LAYER = 'arn:aws:lambda:us-east-1:111111111111:layer:base';
const FN = 'arn:aws:lambda:us-east-1:222222222222:function:api:$LATEST';

/** A scan's inputs of the package drift: one function on version 1 of a layer whose newest is 2. */
function inputs(digest = `sha256:${'a'.repeat(64)}`): PackageDriftInputs {
  return {
    functions: [
      {
        account: '222222222222',
        region: 'us-east-1',
        name: 'api',
        arn: FN,
        version: '$LATEST',
        runtime: 'nodejs22.x',
        architectures: ['x86_64'],
        packageType: 'Zip',
        codeSigningConfig: null,
        layers: [{ arn: `${LAYER}:1`, digest }],
      },
    ] as PackageDriftInputs['functions'],
    layers: [
      {
        name: 'base',
        owner: '111111111111',
        region: 'us-east-1',
        versions: [1, 2].map((version) => ({
          version,
          arn: `${LAYER}:${version}`,
          digest: version === 1 ? digest : `sha256:${'b'.repeat(64)}`,
          status: 'inventoried',
          usedBy: version === 1 ? [FN] : [],
        })),
      },
    ] as unknown as PackageDriftInputs['layers'],
    drift: {
      layers: [
        {
          name: 'base',
          owner: '111111111111',
          region: 'us-east-1',
          newestVersion: 2,
          newestDigest: `sha256:${'b'.repeat(64)}`,
          functions: [{ arn: FN, version: 1, behind: 1 }],
        },
      ],
      digestMismatches: [],
    },
  };
}

const GONE = 'arn:aws:lambda:us-east-1:222222222222:function:gone:$LATEST';

/**
 * What an analysis would say: some of every list, with text JSON must escape, and function
 * lists where the analysis writes them (one ARN not among the inputs' functions).
 */
const DRIFT = {
  layerDiffs: [
    {
      name: 'base',
      note: 'a\u2028b "c"',
      nested: { x: null },
      inUse: [{ version: 1, functions: [FN, GONE], catchUp: [{ functions: [FN] }] }],
    },
  ],
  regionDiffs: [],
  packages: [
    {
      key: 'npm:left-pad',
      versions: [
        { version: '1.3.0', functions: [FN], shadowedIn: [GONE, FN] },
        { version: '1.2.0', functions: [], shadowedIn: [] },
      ],
    },
    { key: 'npm:é' },
  ],
  incompleteFunctions: [FN, GONE],
} as unknown as PackageDrift;

/** A compute that returns a copy of DRIFT, and how many times it was called. */
function counting(): { compute: () => Promise<PackageDrift>; computed: () => number } {
  let n = 0;
  return {
    compute: () => (n++, Promise.resolve(structuredClone(DRIFT))),
    computed: () => n,
  };
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lamina-scan-reuse-'));
  dirs.push(dir);
  return dir;
}

describe('ScanReuse.packageDrift', () => {
  it('computes once, then reuses an equal drift while the inputs, the limits and lamina are the same', async () => {
    const root = await scratch();
    const { compute, computed } = counting();
    const first = await (
      await openScanReuse(root, true, DEFAULT_LIMITS)
    ).packageDrift(inputs(), compute);
    expect(first).toEqual({ drift: DRIFT, reused: false });
    const next = await (
      await openScanReuse(root, true, DEFAULT_LIMITS)
    ).packageDrift(inputs(), compute);
    expect(next).toEqual({ drift: DRIFT, reused: true });
    // The same bytes as the computed one would write.
    expect(JSON.stringify(next.drift)).toBe(JSON.stringify(DRIFT));
    expect(computed()).toBe(1);
  });

  it('computes again when an input or a limit changed, or reuse is off', async () => {
    const root = await scratch();
    const { compute, computed } = counting();
    const drift = async (i: PackageDriftInputs, limits = DEFAULT_LIMITS, on = true) =>
      (await (await openScanReuse(root, on, limits)).packageDrift(i, compute)).reused;
    expect(await drift(inputs())).toBe(false);
    expect(await drift(inputs())).toBe(true);
    // The function's layer now has other bytes.
    expect(await drift(inputs(`sha256:${'c'.repeat(64)}`))).toBe(false);
    expect(await drift(inputs(`sha256:${'c'.repeat(64)}`))).toBe(true);
    const behind = inputs(`sha256:${'c'.repeat(64)}`);
    behind.drift.layers[0]!.functions[0]!.behind = 2;
    expect(await drift(behind)).toBe(false);
    const limits = { ...DEFAULT_LIMITS, maxEntries: DEFAULT_LIMITS.maxEntries - 1 };
    expect(await drift(behind, limits)).toBe(false);
    expect(await drift(behind, limits)).toBe(true);
    expect(await drift(behind, limits, false)).toBe(false);
    expect(computed()).toBe(5);
    expect(packageDriftKey(inputs(), DEFAULT_LIMITS)).not.toBe(packageDriftKey(inputs(), limits));
  });

  it('computes again when the kept drift is damaged: a line changed, cut short or added', async () => {
    const root = await scratch();
    const { compute, computed } = counting();
    const drift = async () =>
      (await (await openScanReuse(root, true, DEFAULT_LIMITS)).packageDrift(inputs(), compute))
        .reused;
    expect(await drift()).toBe(false);
    const path = join(root, 'scan', 'package-drift.jsonl');
    const kept = (await readFile(path, 'utf8')).split('\n');
    // The header, one line per element, the counts, and the final newline.
    expect(kept.length).toBe(1 + 5 + 1 + 1);
    const damaged = [
      kept.filter((l) => !l.startsWith('["packages"')).join('\n'),
      kept.filter((l) => !l.startsWith('["end"')).join('\n'),
      kept.map((l) => l.replace('"layerDiffs"', '"otherDiffs"')).join('\n'),
      [...kept.slice(0, 2), '["packages",null]', ...kept.slice(2)].join('\n'),
      kept.map((l) => l.replace(/^\["packages",\{.*\}\]$/, '["packages",[1]]')).join('\n'),
      kept
        .map((l) => l.replace(/^\["incompleteFunctions",".*"\]$/, '["incompleteFunctions",{}]'))
        .join('\n'),
      // An object, but not one the renderers can walk: a version in use that is null.
      kept
        .map((l) => (l.startsWith('["layerDiffs"') ? '["layerDiffs",{"inUse":[null]}]' : l))
        .join('\n'),
      [...kept.slice(0, -1), '["packages",{}]', ''].join('\n'),
      kept.join('\n').slice(0, -20),
    ];
    for (const text of damaged) {
      await writeFile(path, text);
      expect(await drift()).toBe(false);
    }
    expect(await drift()).toBe(true);
    expect(computed()).toBe(1 + damaged.length);
  });
});
