import { describe, expect, it } from 'vitest';
import { bareModules } from './bare.js';

describe('bareModules', () => {
  const withManifest = new Set(['nodejs/node_modules/ok', 'nodejs/node_modules/@s/ok']);
  const bare = (paths: string[]) => bareModules(paths.sort(), (d) => withManifest.has(d));

  it('finds module files directly in node_modules, named as require takes them', () => {
    expect(
      bare([
        'nodejs/node_modules/lodash.js',
        'nodejs/node_modules/conf.json',
        'nodejs/node_modules/addon.node',
        'nodejs/node_modules/noext',
        'nodejs/node_modules/esm.mjs',
        'nodejs/node_modules/@s/x.js',
      ]).map((m) => [m.name, m.kind, m.path])
    ).toEqual([
      ['@s/x', 'file', 'nodejs/node_modules/@s/x.js'],
      ['addon', 'file', 'nodejs/node_modules/addon.node'],
      ['conf', 'file', 'nodejs/node_modules/conf.json'],
      ['esm.mjs', 'file', 'nodejs/node_modules/esm.mjs'],
      ['lodash', 'file', 'nodejs/node_modules/lodash.js'],
      ['noext', 'file', 'nodejs/node_modules/noext'],
    ]);
  });

  it('finds package directories without a package.json, once, with their first file', () => {
    expect(
      bare([
        'nodejs/node_modules/ms/index.js',
        'nodejs/node_modules/ms/lib/x.js',
        'nodejs/node_modules/@s/y/lib/y.js',
        'nodejs/node_modules/ok/index.js',
        'nodejs/node_modules/@s/ok/index.js',
        'nodejs/node_modules/a/node_modules/b/index.js',
      ])
    ).toEqual([
      {
        name: '@s/y',
        path: 'nodejs/node_modules/@s/y',
        kind: 'directory',
        evidence: 'nodejs/node_modules/@s/y/lib/y.js',
        deep: false,
      },
      {
        name: 'b',
        path: 'nodejs/node_modules/a/node_modules/b',
        kind: 'directory',
        evidence: 'nodejs/node_modules/a/node_modules/b/index.js',
        deep: false,
      },
      {
        name: 'ms',
        path: 'nodejs/node_modules/ms',
        kind: 'directory',
        evidence: 'nodejs/node_modules/ms/index.js',
        deep: false,
      },
    ]);
  });

  it('marks node_modules a package keeps deeper inside itself (test fixtures) as deep, not nested dependencies', () => {
    expect(
      bare([
        'nodejs/node_modules/pino/test/fixtures/eval/node_modules/file1.js',
        'nodejs/node_modules/resolve/test/shadowed_core/node_modules/util/index.js',
        'nodejs/node_modules/@s/ok/test/node_modules/x.js',
        'nodejs/node_modules/@s/ok/node_modules/nested.js',
        'nodejs/node_modules/ok/node_modules/lodash.js',
        'nodejs/node_modules/ok/lib/node_modules/lodash.js',
        'nodejs/lib/node_modules/outside.js',
      ]).map((m) => [m.path, m.deep])
    ).toEqual([
      ['nodejs/lib/node_modules/outside.js', false],
      ['nodejs/node_modules/@s/ok/node_modules/nested.js', false],
      ['nodejs/node_modules/@s/ok/test/node_modules/x.js', true],
      ['nodejs/node_modules/ok/lib/node_modules/lodash.js', true],
      ['nodejs/node_modules/ok/node_modules/lodash.js', false],
      ['nodejs/node_modules/pino/test/fixtures/eval/node_modules/file1.js', true],
      ['nodejs/node_modules/resolve/test/shadowed_core/node_modules/util', true],
    ]);
  });

  it("skips the package managers' own dot entries and paths outside node_modules", () => {
    expect(
      bare([
        'nodejs/node_modules/.package-lock.json',
        'nodejs/node_modules/.bin/x',
        'nodejs/node_modules/.pnpm/lock.yaml',
        'nodejs/node_modules/.modules.yaml',
        'nodejs/node_modules/.yarn-integrity',
        'nodejs/node_modules/.DS_Store',
        'nodejs/node_modules/@s/.DS_Store',
        'nodejs/index.js',
        'python/x.py',
      ])
    ).toEqual([]);
  });

  it('finds other dot names, which require takes as module names (require(".x"))', () => {
    expect(
      bare([
        'nodejs/node_modules/.x.js',
        'nodejs/node_modules/.js',
        'nodejs/node_modules/.cache/x.js',
        'nodejs/node_modules/.prisma/client/index.js',
        'nodejs/node_modules/.bin.js',
        'nodejs/node_modules/.package-lock.json/index.js',
        'nodejs/node_modules/@s/.y/index.js',
      ]).map((m) => [m.name, m.kind, m.path])
    ).toEqual([
      ['.bin', 'file', 'nodejs/node_modules/.bin.js'],
      ['.cache', 'directory', 'nodejs/node_modules/.cache'],
      ['.js', 'file', 'nodejs/node_modules/.js'],
      ['.package-lock.json', 'directory', 'nodejs/node_modules/.package-lock.json'],
      ['.prisma', 'directory', 'nodejs/node_modules/.prisma'],
      ['.x', 'file', 'nodejs/node_modules/.x.js'],
      ['@s/.y', 'directory', 'nodejs/node_modules/@s/.y'],
    ]);
  });
});
