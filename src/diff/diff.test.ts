import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { newPackage, type Package } from '../model/package.js';
import { buildInventory } from '../inventory/index.js';
import { npmPurl, pypiPurl } from '../inventory/purl.js';
import { serializeSbom } from '../sbom/cyclonedx.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import { openLayerPath } from '../unpack/open.js';
import { DEFAULT_LIMITS } from '../unpack/source.js';
import { comparableFromInventory, purlWithoutVersion } from './comparable.js';
import { diffInventories } from './diff.js';

async function inventoryOf(path: string): Promise<Inventory> {
  const { source, artifact } = await openLayerPath(path, DEFAULT_LIMITS);
  try {
    return await buildInventory(source, artifact);
  } finally {
    await source.close();
  }
}

function inv(packages: Package[], complete = true, sha = 'aa'.repeat(32)): Inventory {
  return {
    artifact: { name: 'x.zip', kind: 'zip', sha256: sha, size: 1, properties: {} },
    packages,
    findings: [],
    complete,
  };
}

const npm = (name: string, version: string, path: string, hashes: Package['hashes'] = {}) =>
  newPackage({
    id: `npm:${path}`,
    ecosystem: 'npm',
    name,
    version,
    purl: npmPurl(name, version),
    foundBy: 'npm-installed',
    locations: [{ path: `${path}/package.json` }],
    hashes,
  });

describe('diffInventories on the diff-old/diff-new fixtures', () => {
  it('finds exactly the changes scripts/fixtures-diff.mjs made', async () => {
    const a = comparableFromInventory(await inventoryOf('testdata/layers/diff-old.zip'));
    const b = comparableFromInventory(await inventoryOf('testdata/layers/diff-new.zip'));
    const d = diffInventories(a, b);
    expect(d.from.name).toBe('diff-old.zip');
    expect(d.to.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(d.added.map((p) => `${p.name}@${p.version}`)).toEqual([
      'ansi-styles@4.3.0',
      'chalk@4.1.2',
      'color-convert@2.0.1',
      'color-name@1.1.4',
      'has-flag@4.0.0',
      'supports-color@7.2.0',
    ]);
    // debug's nested ms 2.0.0 stays; only the top-level 2.1.3 is gone.
    expect(d.removed).toEqual([
      {
        key: 'pkg:npm/ms',
        ecosystem: 'npm',
        name: 'ms',
        version: '2.1.3',
        purl: 'pkg:npm/ms@2.1.3',
        paths: ['nodejs/node_modules/ms/package.json'],
      },
    ]);
    expect(d.versionChanged).toEqual([
      {
        key: 'pkg:npm/uuid',
        ecosystem: 'npm',
        name: 'uuid',
        from: {
          version: '9.0.1',
          purl: 'pkg:npm/uuid@9.0.1',
          paths: ['nodejs/node_modules/uuid/package.json'],
        },
        to: {
          version: '8.3.2',
          purl: 'pkg:npm/uuid@8.3.2',
          paths: ['nodejs/node_modules/uuid/package.json'],
        },
        direction: 'downgrade',
      },
    ]);
    // The package stayed where it was: both sides share one list (an estate keeps every diff).
    expect(d.versionChanged[0]!.to.paths).toBe(d.versionChanged[0]!.from.paths);
    expect(d.contentChanged.map((c) => [c.key, c.version, c.paths])).toEqual([
      ['pkg:maven/commons-cli/commons-cli', '1.5.0', ['java/lib/commons-cli-1.5.0.jar']],
    ]);
    expect(d.contentChanged[0]!.fromHash).not.toBe(d.contentChanged[0]!.toHash);
    expect(d.executables.added.map((e) => e.path)).toEqual(['bin/tool.sh']);
    expect(d.executables.removed.map((e) => [e.path, e.binaryKind])).toEqual([
      ['lib/libxshmfence.so.1', 'shared-library'],
    ]);
    expect(d.executables.changed.map((e) => e.path)).toEqual(['bin/hello.sh']);
    expect(d.summary).toMatchObject({
      added: 6,
      removed: 1,
      upgraded: 0,
      downgraded: 1,
      unordered: 0,
      contentChanged: 1,
      executablesAdded: 1,
      executablesRemoved: 1,
      executablesChanged: 1,
    });
    // Unowned executables make both inventories incomplete: never "identical".
    expect(d.complete).toBe(false);
    expect(d.identical).toBe(false);

    // The reverse diff mirrors it.
    const r = diffInventories(b, a);
    expect(r.summary).toMatchObject({ added: 1, removed: 6, upgraded: 1, downgraded: 0 });
    expect(r.executables.added.map((e) => e.path)).toEqual(['lib/libxshmfence.so.1']);
  });

  it('compares the SBOMs lamina wrote exactly as it compares the inventories', async () => {
    const a = await inventoryOf('testdata/layers/diff-old.zip');
    const b = await inventoryOf('testdata/layers/diff-new.zip');
    const sbom = (i: Inventory) =>
      inventoryFromCycloneDx(serializeSbom(i, { format: 'cyclonedx-json', specVersion: '1.6' }));
    expect(comparableFromInventory(sbom(a))).toEqual(comparableFromInventory(a));
    expect(
      diffInventories(comparableFromInventory(sbom(a)), comparableFromInventory(sbom(b)))
    ).toEqual(diffInventories(comparableFromInventory(a), comparableFromInventory(b)));
  });

  it('is empty between a layer and itself', async () => {
    const a = comparableFromInventory(await inventoryOf('testdata/layers/diff-old.zip'));
    const d = diffInventories(a, a);
    expect(d.summary.unchanged).toBe(a.entries.length);
    expect(d.added.length + d.removed.length + d.versionChanged.length).toBe(0);
    // An estate holds thousands of diffs at once: their empty lists are one frozen array.
    const again = diffInventories(a, a);
    expect(again.removed).toBe(d.added);
    expect(d.executables.changed).toBe(d.added);
    expect(Object.isFrozen(d.added)).toBe(true);
    // So is the executables part of every diff that changes none.
    expect(again.executables).toBe(d.executables);
    expect(Object.isFrozen(d.executables)).toBe(true);
  });
});

describe('diffInventories rules', () => {
  it('pairs copies of one package by path and reports the one that moved', () => {
    const a = inv([
      npm('ms', '2.1.3', 'nodejs/node_modules/ms'),
      npm('ms', '2.0.0', 'nodejs/node_modules/debug/node_modules/ms'),
    ]);
    const b = inv([
      npm('ms', '2.1.4', 'nodejs/node_modules/ms'),
      npm('ms', '2.0.0', 'nodejs/node_modules/debug/node_modules/ms'),
    ]);
    const d = diffInventories(comparableFromInventory(a), comparableFromInventory(b));
    expect(d.versionChanged.map((v) => [v.from.version, v.to.version, v.direction])).toEqual([
      ['2.1.3', '2.1.4', 'upgrade'],
    ]);
    expect(d.summary.unchanged).toBe(1);
    expect(d.identical).toBe(false);
  });

  it('pairs a single copy even when it moved, and leaves surplus copies added', () => {
    const a = inv([npm('x', '1.0.0', 'nodejs/node_modules/x')]);
    const b = inv([
      npm('x', '1.0.0', 'nodejs/node18/node_modules/x'),
      npm('x', '2.0.0', 'nodejs/node20/node_modules/x'),
    ]);
    const d = diffInventories(comparableFromInventory(a), comparableFromInventory(b));
    // Two new copies, neither at the old path: the old one pairs with nothing.
    expect(d.removed.map((p) => p.version)).toEqual(['1.0.0']);
    expect(d.added.map((p) => p.version)).toEqual(['1.0.0', '2.0.0']);
  });

  it('orders versions it can parse and calls the rest unordered', () => {
    const py = (v: string) =>
      newPackage({
        id: 'py',
        ecosystem: 'pypi',
        name: 'requests',
        version: v,
        purl: pypiPurl('requests', v),
        foundBy: 'python',
        locations: [{ path: 'python/requests.dist-info/METADATA' }],
      });
    const dir = (x: string, y: string) =>
      diffInventories(comparableFromInventory(inv([py(x)])), comparableFromInventory(inv([py(y)])))
        .versionChanged[0]?.direction;
    expect(dir('2.31.0', '2.32.3')).toBe('upgrade');
    expect(dir('2.32.3', '2.9.0')).toBe('downgrade');
    // PEP 440: a release candidate comes before its release.
    expect(dir('2.0.0', '2.0.0rc1')).toBe('downgrade');
    expect(dir('2.0.0', 'not a version')).toBe('unordered');
    // Equal as versions, different as text: still a change, order unknown.
    expect(dir('2.0', '2.0.0')).toBe('unordered');
  });

  it('reports same-version content changes only when both sides hash with one algorithm', () => {
    const a = inv([npm('x', '1.0.0', 'n/node_modules/x', { 'SHA-512': 'aa' })]);
    const b = inv([npm('x', '1.0.0', 'n/node_modules/x', { 'SHA-512': 'bb' })]);
    const c = inv([npm('x', '1.0.0', 'n/node_modules/x', { 'SHA-1': 'cc' })]);
    const ab = diffInventories(comparableFromInventory(a), comparableFromInventory(b));
    expect(ab.contentChanged.map((x) => [x.fromHash, x.toHash])).toEqual([
      ['SHA-512:aa', 'SHA-512:bb'],
    ]);
    const ac = diffInventories(comparableFromInventory(a), comparableFromInventory(c));
    expect(ac.contentChanged).toEqual([]);
    expect(ac.identical).toBe(true);
  });

  it('is identical only when both inventories are complete', () => {
    const p = [npm('x', '1.0.0', 'n/node_modules/x')];
    expect(
      diffInventories(comparableFromInventory(inv(p)), comparableFromInventory(inv(p))).identical
    ).toBe(true);
    expect(
      diffInventories(comparableFromInventory(inv(p)), comparableFromInventory(inv(p, false)))
        .identical
    ).toBe(false);
  });
});

describe('purlWithoutVersion', () => {
  it.each([
    ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash'],
    ['pkg:npm/%40middy/core@5.4.0', 'pkg:npm/%40middy/core'],
    ['pkg:maven/g/a@1.0?type=jar', 'pkg:maven/g/a?type=jar'],
    ['pkg:gem/nokogiri@1.16.0?platform=x86_64-linux', 'pkg:gem/nokogiri?platform=x86_64-linux'],
    ['pkg:golang/github.com/a/b@v1.2.3#sub/dir', 'pkg:golang/github.com/a/b#sub/dir'],
    ['pkg:maven/gettext/gettext', 'pkg:maven/gettext/gettext'],
    ['pkg:generic/x?download_url=https://h/a@b', 'pkg:generic/x?download_url=https://h/a@b'],
  ])('%s → %s', (purl, want) => {
    expect(purlWithoutVersion(purl)).toBe(want);
  });
});
