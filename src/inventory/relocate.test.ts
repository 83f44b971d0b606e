import { describe, expect, it } from 'vitest';
import type { Package } from '../model/package.js';
import { MemorySource, type MemoryFile } from '../unpack/memory.js';
import { buildInventory } from './index.js';

const so = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);

async function inventory(files: Record<string, MemoryFile>) {
  const source = new MemorySource('l', files);
  return buildInventory(source, {
    name: 'l',
    kind: 'directory',
    sha256: source.digest,
    size: source.size,
    properties: {},
  });
}

const byPurl = (ps: Package[], purl: string) => ps.find((p) => p.purl === purl);
const paths = (p: Package | undefined) => p?.locations.map((l) => l.path);

describe('catalogers see the layer through its symlinks', () => {
  it('a node_modules/<name> link to a folder outside node_modules: real path first, link path after', async () => {
    const inv = await inventory({
      'vendor/foo/package.json': '{"name":"foo","version":"1.0.0"}',
      'vendor/foo/build/foo.node': so,
      'nodejs/node_modules/foo': { symlink: '../../vendor/foo' },
    });
    const foo = byPurl(inv.packages, 'pkg:npm/foo@1.0.0');
    expect(paths(foo)).toEqual(['vendor/foo/package.json', 'nodejs/node_modules/foo/package.json']);
    // Claims follow the link: the addon under the real folder is the package's own.
    expect(foo?.owns).toEqual(['vendor/foo/']);
    const addon = inv.packages.find((p) => p.id === 'file:vendor/foo/build/foo.node');
    expect(addon?.ownedBy).toBe(foo?.id);
    expect(foo?.dependsOn).toContain(addon?.id);
  });

  it('symlinked metadata files: package.json, METADATA, a jar, a gemspec, a deps.json', async () => {
    const inv = await inventory({
      'meta/pj': '{"name":"bar","version":"2.0.0"}',
      'nodejs/node_modules/bar/package.json': { symlink: '../../../meta/pj' },
      'meta/md': 'Name: baz\nVersion: 3.0\n',
      'python/baz-3.0.dist-info/METADATA': { symlink: '../../meta/md' },
      'meta/spec': 'Gem::Specification.new do |s|\n  s.name = "g"\n  s.version = "1.2"\nend\n',
      'ruby/gems/3.2.0/specifications/g-1.2.gemspec': { symlink: '../../../../meta/spec' },
      'meta/deps': '{"targets":{"t":{"App/1.0":{}}},"libraries":{"App/1.0":{"type":"project"}}}',
      'dotnet/App.deps.json': { symlink: '../meta/deps' },
    });
    expect(paths(byPurl(inv.packages, 'pkg:npm/bar@2.0.0'))).toEqual([
      'meta/pj',
      'nodejs/node_modules/bar/package.json',
    ]);
    expect(paths(byPurl(inv.packages, 'pkg:pypi/baz@3.0'))).toEqual([
      'meta/md',
      'python/baz-3.0.dist-info/METADATA',
    ]);
    expect(paths(byPurl(inv.packages, 'pkg:gem/g@1.2'))).toEqual([
      'meta/spec',
      'ruby/gems/3.2.0/specifications/g-1.2.gemspec',
    ]);
    expect(paths(byPurl(inv.packages, 'pkg:generic/App@1.0'))).toEqual([
      'meta/deps',
      'dotnet/App.deps.json',
    ]);
  });

  it('a dist-info reached through a link into a Lambda site dir is read under that site', async () => {
    const inv = await inventory({
      'store/q-1.0.dist-info/METADATA': 'Name: q\nVersion: 1.0\n',
      'store/q-1.0.dist-info/RECORD': 'q/__init__.py,,\nq/_q.so,,\n',
      'store/q/__init__.py': '',
      'store/q/_q.so': so,
      'python/q-1.0.dist-info': { symlink: '../store/q-1.0.dist-info' },
      'python/q': { symlink: '../store/q' },
    });
    const q = byPurl(inv.packages, 'pkg:pypi/q@1.0');
    expect(q?.properties['python:site']).toBe('python');
    // RECORD rows are relative to python/, and resolve through python/q to the real files.
    expect(q?.owns).toContain('store/q/_q.so');
    expect(inv.packages.find((p) => p.id === 'file:store/q/_q.so')?.ownedBy).toBe(q?.id);
  });

  it('a library or program reached only by a link name still counts, once, with both paths', async () => {
    const inv = await inventory({
      'data/blob': so,
      'lib/libz.so.1': { symlink: '../data/blob' },
      'extensions/ext': { symlink: '../data/blob' },
    });
    const files = inv.packages.filter((p) => p.type === 'file');
    expect(files.map((p) => p.id)).toEqual(['file:data/blob']);
    expect(paths(files[0])).toEqual(['data/blob', 'lib/libz.so.1', 'extensions/ext']);
    expect(files[0]?.properties['lambda:extension']).toBe('true');
    expect(inv.complete).toBe(false);
  });

  it('pnpm: every package once, at its store path, with edges through the store links', async () => {
    const pnpm = (name: string, v: string, deps: Record<string, string> = {}) => ({
      [`nodejs/node_modules/.pnpm/${name}@${v}/node_modules/${name}/package.json`]: JSON.stringify({
        name,
        version: v,
        dependencies: deps,
      }),
    });
    const inv = await inventory({
      ...pnpm('a', '1.0.0', { b: '^2' }),
      ...pnpm('b', '2.0.0'),
      'nodejs/node_modules/.pnpm/a@1.0.0/node_modules/b': {
        symlink: '../../b@2.0.0/node_modules/b',
      },
      'nodejs/node_modules/a': { symlink: '.pnpm/a@1.0.0/node_modules/a' },
    });
    const npm = inv.packages.filter((p) => p.ecosystem === 'npm');
    expect(npm.map((p) => p.purl).sort()).toEqual(['pkg:npm/a@1.0.0', 'pkg:npm/b@2.0.0']);
    const a = byPurl(npm, 'pkg:npm/a@1.0.0');
    expect(a?.dependsOn).toEqual([byPurl(npm, 'pkg:npm/b@2.0.0')?.id]);
    expect(a?.properties['npm:missing-dependencies']).toBeUndefined();
    expect(paths(a)).toContain('nodejs/node_modules/a/package.json');
    expect(inv.findings).toEqual([]);
  });

  it('a link out of the layer or in a loop is an error finding; the inventory is incomplete', async () => {
    const inv = await inventory({
      'nodejs/node_modules/ok/package.json': '{"name":"ok","version":"1.0.0"}',
      'nodejs/node_modules/x': { symlink: 'y' },
      'nodejs/node_modules/y': { symlink: 'x' },
    });
    expect(inv.findings.map((f) => [f.code, f.severity])).toEqual([
      ['SYMLINK_LOOP', 'error'],
      ['SYMLINK_LOOP', 'error'],
    ]);
    expect(inv.complete).toBe(false);
  });
});
