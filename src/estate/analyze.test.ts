import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { newPackage } from '../model/package.js';
import { identify } from '../diff/comparable.js';
import { mergeLayers } from '../merge/merge.js';
import { Rng } from '../unpack/testing/mutate.js';
import { fnv1a32 } from '../util/fnv.js';
import { heldPer } from '../util/testing/heap.js';
import { analyzeEstate, estateInventory } from './analyze.js';
import { digest, estate, fnArn, inventory, type VersionSpec } from './testing/estate.js';

const INVENTORIES = new Map(
  [
    inventory('base-1', { lodash: '4.17.20', uuid: '9.0.1' }),
    inventory('base-2', { lodash: '4.17.21', uuid: '9.0.1' }),
    inventory('base-3', { lodash: '4.17.21', uuid: '10.0.0', ms: '2.1.3' }),
    inventory('base-1-eu', { lodash: '4.17.19', uuid: '9.0.1' }),
    inventory('hotfix-1', { lodash: '4.17.21' }),
    inventory('tools-2', { chalk: '5.0.0' }),
  ].map((i) => [`sha256:${i.artifact.sha256}`, i])
);

const E = 'us-east-1';
const W = 'eu-west-1';
const VERSIONS: VersionSpec[] = [
  { region: E, name: 'base', version: 1, tag: 'base-1' },
  { region: E, name: 'base', version: 2, tag: 'base-2' },
  { region: E, name: 'base', version: 3, tag: 'base-3' },
  { region: W, name: 'base', version: 1, tag: 'base-1-eu' },
  { region: E, name: 'hotfix', version: 1, tag: 'hotfix-1' },
  { region: E, name: 'tools', version: 1, tag: null },
  { region: E, name: 'tools', version: 2, tag: 'tools-2' },
];
const FUNCTIONS: [string, string, [string, number][]][] = [
  [E, 'a', [['base', 1]]],
  [E, 'b', [['base', 1]]],
  [E, 'c', [['base', 2]]],
  [E, 'd', [['base', 3]]],
  // The hotfix layer, attached later, hides base's lodash.
  [
    E,
    'e',
    [
      ['base', 1],
      ['hotfix', 1],
    ],
  ],
  [E, 'f', [['tools', 1]]],
  [E, 'g', [['tools', 2]]],
  [W, 'h', [['base', 1]]],
];

describe('analyzeEstate', () => {
  const result = estate(VERSIONS, FUNCTIONS);
  const drift = analyzeEstate(result, { inventoryOf: (d) => INVENTORIES.get(d) });

  it("gives diff sides the result's digest strings, not copies made per comparison", () => {
    // The smallest estate with a diff, so that enough analyses run to tell 32 bytes per call
    // from the noise: code V8 compiles for the analysis partway through the measured calls
    // reads as tens of bytes per call over a few thousand of them.
    const small = estate(VERSIONS.slice(0, 2), [FUNCTIONS[0]!, FUNCTIONS[2]!]);
    const from = (): string => {
      const d = analyzeEstate(small, { inventoryOf: (x) => INVENTORIES.get(x) });
      return d.layerDiffs[0]!.inUse[0]!.diff!.from.digest;
    };
    for (let i = 0; i < 2_000; i++) from();
    // The result's own string costs a list slot (~16-20 bytes a call measured here); a copy
    // made per comparison ~100 (a cons string over the inventory's hex, and what holds it).
    expect(heldPer(from, digest('base-1'), 10_000)).toBeLessThan(50);
  });

  it('diffs each version in use against the newest, grouping its functions', () => {
    const base = drift.layerDiffs.find((l) => l.name === 'base' && l.region === E)!;
    expect(base.newestVersion).toBe(3);
    expect(
      base.inUse.map((u) => [u.version, u.behind, u.functions.map((f) => f.split(':')[6])])
    ).toEqual([
      [1, 2, ['a', 'b', 'e']],
      [2, 1, ['c']],
      [3, 0, ['d']],
    ]);
    const v1 = base.inUse[0]!.diff!;
    expect(
      v1.versionChanged.map((v) => [v.name, v.from.version, v.to.version, v.direction])
    ).toEqual([
      ['lodash', '4.17.20', '4.17.21', 'upgrade'],
      ['uuid', '9.0.1', '10.0.0', 'upgrade'],
    ]);
    expect(v1.added.map((p) => p.name)).toEqual(['ms']);
    expect(base.inUse[1]!.diff!.versionChanged.map((v) => v.name)).toEqual(['uuid']);
    expect(base.inUse[2]).toMatchObject({ diff: null, diffUnavailable: null, catchUp: [] });
    // Only layers with a function off the newest bytes are listed.
    expect(drift.layerDiffs.map((l) => `${l.name}/${l.region}`)).toEqual([
      'base/us-east-1',
      'tools/us-east-1',
    ]);
  });

  it("shares one newest side among a layer's diffs, and equal summaries, frozen", () => {
    const base = drift.layerDiffs.find((l) => l.name === 'base' && l.region === E)!;
    const [v1, v2] = base.inUse.map((u) => u.diff!);
    expect(v1!.to).toBe(v2!.to);
    expect(v1!.from).not.toBe(v2!.from);
    expect(Object.isFrozen(v1!.to)).toBe(true);
    expect(Object.isFrozen(v1!.summary)).toBe(true);
    // Two layers whose old versions differ from their newest alike: one summary for both.
    const bumps = estate(
      [
        { region: E, name: 'x', version: 1, tag: 'base-1' },
        { region: E, name: 'x', version: 2, tag: 'hotfix-1' },
        { region: E, name: 'y', version: 1, tag: 'base-1-eu' },
        { region: E, name: 'y', version: 2, tag: 'hotfix-1' },
      ],
      [
        [E, 'a', [['x', 1]]],
        [E, 'b', [['y', 1]]],
      ]
    );
    const d = analyzeEstate(bumps, { inventoryOf: (k) => INVENTORIES.get(k) });
    const [x, y] = d.layerDiffs.map((l) => l.inUse[0]!.diff!);
    expect(x!.summary).toEqual(y!.summary);
    expect(x!.summary).toBe(y!.summary);
  });

  it('works out what catching up changes in each function, shadowing respected', () => {
    const v1 = drift.layerDiffs.find((l) => l.name === 'base' && l.region === E)!.inUse[0]!;
    expect(v1.catchUp).toHaveLength(2);
    const [plain, hidden] = v1.catchUp;
    expect(plain).toMatchObject({
      functions: [fnArn(E, 'a'), fnArn(E, 'b')],
      sameAsLayerDiff: true,
      diff: null,
    });
    // For e the hotfix layer already provides lodash 4.17.21: only uuid and ms change.
    expect(hidden!.functions).toEqual([fnArn(E, 'e')]);
    expect(hidden!.sameAsLayerDiff).toBe(false);
    expect(hidden!.diff!.versionChanged.map((v) => v.name)).toEqual(['uuid']);
    expect(hidden!.diff!.added.map((p) => p.name)).toEqual(['ms']);
  });

  it('gives a version whose functions all catch up alike its own list, not a copy', () => {
    const single = drift.layerDiffs.flatMap((l) => l.inUse).filter((u) => u.catchUp.length === 1);
    expect(single.length).toBeGreaterThan(0);
    for (const u of single) expect(u.catchUp[0]!.functions).toBe(u.functions);
  });

  it("gives a version in use its record's list of users, not a copy, when they agree", () => {
    const inUse = drift.layerDiffs.flatMap((l) =>
      l.inUse.map((u) => ({ l, u, rec: result.layers.find((x) => x.name === l.name)!.versions }))
    );
    expect(inUse.length).toBeGreaterThan(0);
    for (const { l, u, rec } of inUse) {
      const usedBy = rec.find((v) => v.version === u.version && v.region === l.region)!;
      expect(u.functions).toBe(usedBy.usedBy);
    }
    // A result read back whose record disagrees (hand-edited): the drift's own list is kept.
    const edited = estate(VERSIONS, FUNCTIONS);
    for (const l of edited.layers) for (const v of l.versions) v.usedBy = [];
    const again = analyzeEstate(edited, { inventoryOf: (d) => INVENTORIES.get(d) });
    expect(again.layerDiffs).toEqual(drift.layerDiffs);
  });

  it('says why a diff is unavailable when a version could not be read', () => {
    const tools = drift.layerDiffs.find((l) => l.name === 'tools')!;
    expect(tools.inUse[0]).toMatchObject({
      version: 1,
      digest: null,
      diff: null,
      diffUnavailable: 'v1 has no readable content',
    });
    expect(tools.inUse[0]!.catchUp[0]).toMatchObject({
      unavailable: 'the layer diff is unavailable',
    });
    expect(drift.incompleteFunctions).toEqual([fnArn(E, 'f')]);
  });

  it('diffs a version number whose bytes differ between regions', () => {
    expect(drift.regionDiffs).toHaveLength(1);
    const r = drift.regionDiffs[0]!;
    expect(r).toMatchObject({ name: 'base', version: 1, baseline: { regions: [W] } });
    expect(r.others.map((o) => o.regions)).toEqual([[E]]);
    expect(r.others[0]!.diff!.versionChanged.map((v) => [v.from.version, v.to.version])).toEqual([
      ['4.17.19', '4.17.20'],
    ]);
  });

  it('lists every package version each function actually sees', () => {
    const lodash = drift.packages.find((p) => p.key === 'pkg:npm/lodash')!;
    expect(
      lodash.versions.map((v) => [
        v.version,
        v.functions.map((f) => f.split(':')[6]),
        v.layers.map((l) => l.split(':').slice(3).join(':')),
        v.shadowedIn.map((f) => f.split(':')[6]),
      ])
    ).toEqual([
      ['4.17.19', ['h'], ['eu-west-1:111111111111:layer:base:1'], []],
      ['4.17.20', ['a', 'b'], ['us-east-1:111111111111:layer:base:1'], ['e']],
      [
        '4.17.21',
        ['c', 'd', 'e'],
        [
          'us-east-1:111111111111:layer:base:2',
          'us-east-1:111111111111:layer:base:3',
          'us-east-1:111111111111:layer:hotfix:1',
        ],
        [],
      ],
    ]);
    // Its lists are made when read: JSON, spreads and key order are a plain object's.
    const v = lodash.versions[1]!;
    expect(Object.keys(v)).toEqual(['version', 'functions', 'layers', 'shadowedIn']);
    expect(JSON.parse(JSON.stringify(v))).toEqual({ ...v });
    expect({ ...v }.shadowedIn).toEqual([fnArn(E, 'e')]);
    expect(drift.packages.map((p) => p.key)).toEqual([
      'pkg:npm/chalk',
      'pkg:npm/lodash',
      'pkg:npm/ms',
      'pkg:npm/uuid',
    ]);
  });

  it('names each layer a package version is seen through once, however its groups interleave', () => {
    // Three layer combinations, visited in this order: uuid 9.0.1 is seen through base:1, then
    // base:2, then base:1 again.
    const r = estate(VERSIONS, [
      [E, 'x', [['base', 1]]],
      [E, 'y', [['base', 2]]],
      [
        E,
        'z',
        [
          ['base', 1],
          ['tools', 2],
        ],
      ],
    ]);
    const d = analyzeEstate(r, { inventoryOf: (x) => INVENTORIES.get(x) });
    const uuid = d.packages.find((p) => p.key === 'pkg:npm/uuid')!.versions[0]!;
    expect(uuid.version).toBe('9.0.1');
    expect(uuid.functions.map((f) => f.split(':')[6])).toEqual(['x', 'y', 'z']);
    expect(uuid.layers.map((l) => l.split(':').slice(6).join(':'))).toEqual(['base:1', 'base:2']);
  });

  it('is deterministic and ignores the order functions are given in', () => {
    const reversed = { ...result, functions: [...result.functions].reverse() };
    const again = analyzeEstate(reversed, { inventoryOf: (d) => INVENTORIES.get(d) });
    expect(JSON.stringify(again)).toBe(JSON.stringify(drift));
  });

  it('lists as incomplete the functions whose inventory was read once and then could not be', () => {
    // An inventory reader that keeps only some (the scan's) may find an SBOM gone when it reads
    // it again: the functions whose view needed it are incomplete, not silently left out. The
    // hotfix layer hides base's lodash, so e's view is merged from the inventories, read again.
    const asked = new Map<string, number>();
    const flaky = (d: string): Inventory | undefined => {
      const n = (asked.get(d) ?? 0) + 1;
      asked.set(d, n);
      return d === digest('hotfix-1') && n > 1 ? undefined : INVENTORIES.get(d);
    };
    const r = estate(VERSIONS, [FUNCTIONS[4]!, [E, 'g', [['tools', 2]]]]);
    const d = analyzeEstate(r, { inventoryOf: flaky });
    expect(asked.get(digest('hotfix-1'))).toBeGreaterThan(1);
    expect(d.incompleteFunctions).toEqual([fnArn(E, 'e')]);
    expect(d.packages.some((p) => p.name === 'lodash')).toBe(false);
    // g's one layer was read once and that was enough: its view is whole.
    expect(d.packages.find((p) => p.name === 'chalk')!.versions[0]!.functions).toEqual([
      fnArn(E, 'g'),
    ]);
  });

  it('reads a combination of layers that cannot affect each other no more than the layers alone', () => {
    // Six layers of one package each at their own paths, every function two of them: each
    // combination shows its layers' own packages, known from the one read that found each
    // inventory readable. Only hotfix, which hides base's lodash, needs its view merged.
    const tags = ['base-1', 'hotfix-1', 'tools-2', 'base-2', 'base-3', 'base-1-eu'];
    const versions: VersionSpec[] = tags.map((tag, i) => ({
      region: E,
      name: `l${i}`,
      version: 1,
      tag,
    }));
    const functions: (typeof FUNCTIONS)[number][] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        if (i !== j)
          functions.push([
            E,
            `f${i}${j}`,
            [
              [`l${i}`, 1],
              [`l${j}`, 1],
            ],
          ]);
    const r = estate(versions, functions);
    const asked = new Map<string, number>();
    const d = analyzeEstate(r, {
      inventoryOf: (x) => {
        asked.set(x, (asked.get(x) ?? 0) + 1);
        return INVENTORIES.get(x);
      },
    });
    // tools (chalk) is in four combinations, with base and with hotfix: read once.
    expect(asked.get(digest('tools-2'))).toBe(1);
    // base and hotfix share lodash: their two combinations are merged from the inventories.
    expect(asked.get(digest('base-1'))).toBe(3);
    expect(d.packages.find((p) => p.name === 'chalk')!.versions[0]!.functions).toHaveLength(4);
    const lodash = d.packages.find((p) => p.name === 'lodash')!;
    expect(lodash.versions.map((v) => [v.version, v.functions.length, v.shadowedIn])).toEqual([
      ['4.17.20', 3, [fnArn(E, 'f01')]],
      ['4.17.21', 3, [fnArn(E, 'f10')]],
    ]);
  });

  it('sees in every combination what merging its layers shows (random layers, shared paths)', () => {
    // Packages at paths that collide, nest (a file where another layer has a directory) or
    // stand alone, with keys shared across layers: the package view must equal, function by
    // function, the merged view of its layers.
    const spots: [string, string, 'npm' | 'pypi' | null][] = [
      // [name, evidence path, ecosystem (the purl's type), or null for an unowned executable]
      ['a', 'nodejs/node_modules/a/package.json', 'npm'],
      ['a', 'python/a-1.0.dist-info/METADATA', 'pypi'],
      ['b', 'nodejs/node_modules/b/package.json', 'npm'],
      ['c', 'python/c', 'pypi'],
      ['c', 'python/c/METADATA', 'pypi'],
      ['d', 'bin/d', null],
      ['e', 'nodejs/node_modules/b/node_modules/e/package.json', 'npm'],
    ];
    const pkgOf = (spot: (typeof spots)[number], version: string) => {
      const [name, path, type] = spot;
      return newPackage({
        id: `${type ?? 'file'}:${name}:${path}`,
        ecosystem: type ?? 'generic',
        name,
        foundBy: 'test',
        locations: [{ path }],
        ...(type ? { version, purl: `pkg:${type}/${name}@${version}` } : { type: 'file' }),
      });
    };
    let merged = 0;
    let alone = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Rng(seed);
      const invs = new Map<string, Inventory>();
      const versions: VersionSpec[] = [];
      for (let l = 0; l < 6; l++) {
        const tag = `s${seed}-l${l}`;
        const base = inventory(tag, {});
        const picks = new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.int(spots.length)));
        base.packages = [...picks].map((i) =>
          pkgOf(spots[i]!, rng.chance(0.5) ? '1.0.0' : '2.0.0')
        );
        invs.set(digest(tag), base);
        versions.push({ region: E, name: `l${l}`, version: 1, tag });
      }
      const functions: (typeof FUNCTIONS)[number][] = Array.from({ length: 12 }, (_, f) => {
        // One to three distinct layers in a random order (Fisher-Yates).
        const order = [0, 1, 2, 3, 4, 5];
        for (let k = order.length - 1; k > 0; k--) {
          const j = rng.int(k + 1);
          [order[k], order[j]] = [order[j]!, order[k]!];
        }
        order.length = 1 + rng.int(3);
        return [E, `f${f}`, order.map((l): [string, number] => [`l${l}`, 1])];
      });
      const r = estate(versions, functions);
      const d = analyzeEstate(r, { inventoryOf: (x) => invs.get(x) });

      // The reference: each function's layers merged, package by package.
      const want = new Map<
        string,
        { functions: Set<string>; layers: Set<string>; hidden: Set<string> }
      >();
      for (const fn of r.functions) {
        const view = mergeLayers(
          fn.layers.map((l) => {
            const inv = invs.get(l.digest!)!;
            const paths = [...new Set(inv.packages.flatMap((p) => p.locations.map((x) => x.path)))];
            return {
              arn: l.arn,
              entries: paths.map((path) => ({
                path,
                kind: 'file' as const,
                size: 0,
                compressedSize: 0,
                mode: 0,
              })),
              inventory: inv,
            };
          })
        );
        if (view.shadowed.length > 0) merged += 1;
        else alone += 1;
        for (const mp of view.packages) {
          const id = identify(mp.package, mp.package.locations[0]?.path);
          if (id.kind === 'executable') continue;
          const k = `${id.key} ${mp.package.version ?? null}`;
          const w = want.get(k) ?? { functions: new Set(), layers: new Set(), hidden: new Set() };
          want.set(k, w);
          if (mp.shadowedBy === undefined) {
            w.functions.add(fn.arn);
            w.layers.add(fn.layers[mp.layer]!.arn);
          } else w.hidden.add(fn.arn);
        }
      }
      const got = new Map(
        d.packages.flatMap((p) =>
          p.versions.map((v) => [
            `${p.key} ${v.version}`,
            { functions: v.functions, layers: v.layers, hidden: v.shadowedIn },
          ])
        )
      );
      const sorted = (x: Set<string>) => [...x].sort();
      expect(
        new Map(
          [...want].map(([k, w]) => [
            k,
            {
              functions: sorted(w.functions),
              layers: sorted(w.layers),
              hidden: sorted(w.hidden).filter((f) => !w.functions.has(f)),
            },
          ])
        ),
        `seed ${seed}`
      ).toEqual(got);
    }
    // Both ways were taken: combinations whose layers hide something, and ones that do not.
    expect(merged).toBeGreaterThan(50);
    expect(alone).toBeGreaterThan(50);
  });

  it('reads an inventory a bounded number of times, not once per function list holding it', () => {
    // Forty functions, each with a layer list of its own (as a scan read back gives): whether
    // base:1 can be read is asked once, and the forty lists are one view.
    const r = estate(
      VERSIONS,
      Array.from({ length: 40 }, (_, i): (typeof FUNCTIONS)[number] => [E, `f${i}`, [['base', 1]]])
    );
    let reads = 0;
    const d = analyzeEstate(r, {
      inventoryOf: (x) => {
        if (x === digest('base-1')) reads += 1;
        return INVENTORIES.get(x);
      },
    });
    expect(d.packages.find((p) => p.name === 'lodash')!.versions[0]!.functions).toHaveLength(40);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(10);
  });

  it('finds a function listed twice by its last listing, as a map by ARN would', () => {
    const r = estate(VERSIONS, FUNCTIONS);
    const a = r.functions.find((f) => f.arn === fnArn(E, 'a'))!;
    // A hand-edited result read back: a second a, whose layers are e's (base 1 under hotfix).
    const e = r.functions.find((f) => f.arn === fnArn(E, 'e'))!;
    r.functions.push({ ...a, layers: e.layers });
    const d = analyzeEstate(r, { inventoryOf: (x) => INVENTORIES.get(x) });
    const v1 = d.layerDiffs.find((l) => l.name === 'base' && l.region === E)!.inUse[0]!;
    const hidden = v1.catchUp.find((c) => !c.sameAsLayerDiff)!;
    expect(hidden.functions).toEqual([fnArn(E, 'a'), fnArn(E, 'e')]);
  });

  it('keeps apart one layer ARN given two digests in a result read back', () => {
    // Hand-edited: b's reference to base 1 names base 2's bytes.
    const r = estate(VERSIONS, [
      [E, 'a', [['base', 1]]],
      [E, 'b', [['base', 1]]],
    ]);
    const b = r.functions.find((f) => f.arn === fnArn(E, 'b'))!;
    b.layers = [{ ...b.layers[0]!, digest: digest('base-2') }];
    const d = analyzeEstate(r, { inventoryOf: (x) => INVENTORIES.get(x) });
    const lodash = d.packages.find((p) => p.name === 'lodash')!;
    expect(
      lodash.versions.map((v) => [v.version, v.functions.map((f) => f.split(':')[6])])
    ).toEqual([
      ['4.17.20', ['a']],
      ['4.17.21', ['b']],
    ]);
  });

  it('answers exactly when two layers share only a hash of a path, not the path', () => {
    // Footprints compare 32-bit hashes: find two package paths whose hashes collide.
    const path = (n: string) => `nodejs/node_modules/${n}/package.json`;
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const h = fnv1a32(path(`p${i}`));
      const other = seen.get(h);
      if (other !== undefined) pair = [other, `p${i}`];
      else seen.set(h, `p${i}`);
    }
    const [x, y] = pair;
    expect(fnv1a32(path(x))).toBe(fnv1a32(path(y)));
    const invs = new Map(
      [
        inventory('x-1', { [x]: '1.0.0' }),
        inventory('x-2', { [x]: '2.0.0' }),
        inventory('y-1', { [y]: '1.0.0' }),
      ].map((i) => [`sha256:${i.artifact.sha256}`, i])
    );
    const r = estate(
      [
        { region: E, name: 'x', version: 1, tag: 'x-1' },
        { region: E, name: 'x', version: 2, tag: 'x-2' },
        { region: E, name: 'y', version: 1, tag: 'y-1' },
      ],
      [
        [
          E,
          'f',
          [
            ['x', 1],
            ['y', 1],
          ],
        ],
      ]
    );
    const d = analyzeEstate(r, { inventoryOf: (k) => invs.get(k) });
    const v1 = d.layerDiffs.find((l) => l.name === 'x')!.inUse[0]!;
    // The merged views are diffed and agree with the layer's own diff: nothing hides it.
    expect(v1.catchUp).toEqual([
      { functions: [fnArn(E, 'f')], sameAsLayerDiff: true, diff: null, unavailable: null },
    ]);
  });

  it('lists nothing when every function runs the newest bytes', () => {
    const r = estate(VERSIONS, [[E, 'd', [['base', 3]]]]);
    const d = analyzeEstate(r, { inventoryOf: (x) => INVENTORIES.get(x) });
    expect(d.layerDiffs).toEqual([]);
    expect(d.packages.map((p) => p.versions.map((v) => v.version))).toEqual([
      ['4.17.21'],
      ['2.1.3'],
      ['10.0.0'],
    ]);
  });
});

describe('estateInventory', () => {
  /** An inventory with everything a cataloger fills: what the analysis reads and what it does not. */
  function rich(tag: string, lodash: string, toolHash: string, gap: boolean): Inventory {
    const base = inventory(tag, { lodash, uuid: '9.0.1' });
    const lib = base.packages[0]!;
    Object.assign(lib, {
      namespace: undefined,
      licenses: [{ $case: 'id', id: 'MIT' }],
      hashes: { 'SHA-256': toolHash },
      owns: ['nodejs/node_modules/lodash/'],
      installDir: 'nodejs/node_modules/lodash',
      description: 'a long description nobody diffs',
      properties: { 'npm:path': 'nodejs/node_modules/lodash', other: 'x' },
      findings: [{ code: 'AMBIGUOUS_METADATA', severity: 'info', message: 'noted' }],
      dependsOn: ['file:bin/tool'],
    });
    const tool = newPackage({
      id: 'file:bin/tool',
      ecosystem: 'generic',
      name: 'tool',
      type: 'file',
      foundBy: 'binary',
      locations: [{ path: 'bin/tool' }],
      hashes: { 'SHA-256': toolHash },
      properties: { 'binary:kind': 'executable', 'binary:format': 'elf' },
    });
    // No package depends on it: an unowned library leaves the inventory incomplete.
    const loose = newPackage({
      id: 'file:lib/loose.so',
      ecosystem: 'generic',
      name: 'loose.so',
      type: 'file',
      foundBy: 'binary',
      locations: [{ path: 'lib/loose.so' }],
      properties: { 'binary:kind': 'shared-library' },
    });
    const scoped = newPackage({
      id: 'npm:@scope/x',
      ecosystem: 'npm',
      name: 'x',
      namespace: '@scope',
      version: '1.0.0',
      purl: 'pkg:npm/%40scope/x@1.0.0',
      foundBy: 'npm-installed',
      locations: [{ path: 'nodejs/node_modules/@scope/x/package.json' }],
    });
    return {
      ...base,
      artifact: { ...base.artifact, properties: { layerVersionArn: tag } },
      packages: [...base.packages, tool, loose, scoped],
      findings: gap
        ? [{ code: 'PATH_TRAVERSAL', severity: 'error', path: '../x', message: 'refused' }]
        : [{ code: 'AMBIGUOUS_METADATA', severity: 'info', message: 'noted' }],
      complete: !gap,
    };
  }

  it('gives exactly the analysis the whole inventories give, and keeps less', () => {
    const whole = new Map(
      [
        rich('r-1', '4.17.20', 'a'.repeat(64), false),
        rich('r-2', '4.17.21', 'b'.repeat(64), true),
        inventory('fix-1', { lodash: '4.17.21' }),
      ].map((i) => [`sha256:${i.artifact.sha256}`, i])
    );
    const versions: VersionSpec[] = [
      { region: E, name: 'r', version: 1, tag: 'r-1' },
      { region: E, name: 'r', version: 2, tag: 'r-2' },
      { region: W, name: 'r', version: 2, tag: 'r-1' },
      { region: E, name: 'fix', version: 1, tag: 'fix-1' },
    ];
    const functions: [string, string, [string, number][]][] = [
      [E, 'old', [['r', 1]]],
      [E, 'new', [['r', 2]]],
      [
        E,
        'shadowed',
        [
          ['r', 1],
          ['fix', 1],
        ],
      ],
      [W, 'eu', [['r', 2]]],
    ];
    const result = estate(versions, functions);
    const slim = new Map([...whole].map(([d, i]) => [d, estateInventory(i)]));
    const a = analyzeEstate(result, { inventoryOf: (d) => whole.get(d) });
    const b = analyzeEstate(result, { inventoryOf: (d) => slim.get(d) });
    expect(b).toEqual(a);
    // The analysis found something to compare: diffs with versions, executables and gaps.
    expect(a.layerDiffs.length).toBeGreaterThan(0);
    expect(a.regionDiffs.length).toBe(1);
    expect(JSON.stringify(a)).toContain('bin/tool');
    for (const [d, i] of whole) {
      const s = slim.get(d)!;
      expect(JSON.stringify(s).length).toBeLessThan(JSON.stringify(i).length);
      expect(s.complete).toBe(i.complete);
    }
    expect(slim.get(digest('r-2'))!.findings.map((f) => f.code)).toEqual(['PATH_TRAVERSAL']);
    expect(slim.get(digest('r-1'))!.packages[0]!.licenses).toEqual([]);
  });
});
