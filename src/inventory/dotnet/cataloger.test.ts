import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { dotnetCataloger } from './cataloger.js';
import { sha512Hex, splitLibraryKey } from './deps-json.js';

const FIXTURE = join(import.meta.dirname, '../../../testdata/layers/dotnet-basic');
const DEPS = 'dotnet/app/MyApp.deps.json';

interface FixtureLib {
  type: string;
  sha512: string;
}

describe('dotnetCataloger over dotnet-basic', async () => {
  const source = await DirectorySource.open(FIXTURE);
  const { packages, findings } = await runCataloger(dotnetCataloger, source);
  const doc = JSON.parse(readFileSync(join(FIXTURE, DEPS), 'utf8')) as {
    libraries: Record<string, FixtureLib>;
  };
  const byName = new Map(packages.map((p) => [p.name, p]));
  const get = (name: string): Package => {
    const p = byName.get(name);
    if (!p) throw new Error(`no package ${name}`);
    return p;
  };

  it('finds every package and project library and nothing else', () => {
    expect(findings).toEqual([]);
    const expected = Object.entries(doc.libraries)
      .filter(([, l]) => l.type === 'package' || l.type === 'project')
      .map(([k]) => k)
      .sort();
    expect(expected.length).toBe(6);
    expect(packages.map((p) => `${p.name}/${p.version}`).sort()).toEqual(expected);
  });

  it('gives NuGet packages a nuget purl and the SHA-512 of the nupkg in hex', () => {
    for (const [key, lib] of Object.entries(doc.libraries)) {
      if (lib.type !== 'package') continue;
      const nv = splitLibraryKey(key);
      const p = get(nv?.name ?? '');
      expect(p.purl).toBe(`pkg:nuget/${nv?.name}@${nv?.version}`);
      const hex = Buffer.from(lib.sha512.replace(/^sha512-/, ''), 'base64').toString('hex');
      expect(hex).toHaveLength(128);
      expect(p.hashes).toEqual({ 'SHA-512': hex });
      expect(p.type).toBe('library');
      expect(p.locations).toEqual([{ path: DEPS, layerDigest: source.digest }]);
    }
  });

  it('treats the project named like the deps file as the application', () => {
    expect(get('MyApp')).toMatchObject({
      type: 'application',
      purl: 'pkg:generic/MyApp@1.0.0',
      hashes: {},
    });
    expect(get('MyApp.Common')).toMatchObject({
      type: 'library',
      purl: 'pkg:generic/MyApp.Common@1.0.0',
    });
  });

  it('resolves dependencies from the runtime target', () => {
    expect(get('MyApp').dependsOn.sort()).toEqual(
      [get('Newtonsoft.Json').id, get('Serilog.Sinks.Console').id, get('MyApp.Common').id].sort()
    );
    expect(get('Serilog.Sinks.Console').dependsOn).toEqual([get('Serilog').id]);
    expect(get('MyApp.Common').dependsOn).toEqual([get('AWSSDK.Core').id]);
    expect(get('Newtonsoft.Json').dependsOn).toEqual([]);
  });

  it('owns the published assemblies that exist next to the deps.json', () => {
    expect(get('Newtonsoft.Json').owns).toEqual(['dotnet/app/Newtonsoft.Json.dll']);
    expect(get('Serilog').owns).toEqual([]); // not published in the fixture
    expect(get('MyApp').owns.sort()).toEqual(
      [DEPS, 'dotnet/app/MyApp.dll', 'dotnet/app/MyApp.runtimeconfig.json'].sort()
    );
  });
});

describe('dotnetCataloger on odd inputs', () => {
  it.each([
    ['not JSON', '{ "targets": '],
    ['no libraries', '{ "targets": {} }'],
    ['library without type', '{ "targets": {}, "libraries": { "A/1.0": {} } }'],
    ['array', '[]'],
  ])('%s → PARSE_ERROR, other deps files still read', async (_label, text) => {
    const source = new MemorySource('mem', {
      'a/Bad.deps.json': text,
      'b/Good.deps.json': JSON.stringify({
        targets: { x: { 'Good/1.0.0': {} } },
        libraries: { 'Good/1.0.0': { type: 'project' } },
      }),
    });
    const { packages, findings } = await runCataloger(dotnetCataloger, source);
    expect(findings.map((f) => [f.code, f.path])).toEqual([['PARSE_ERROR', 'a/Bad.deps.json']]);
    expect(packages.map((p) => [p.name, p.type])).toEqual([['Good', 'application']]);
  });
});

describe('sha512Hex', () => {
  it('refuses what is not a 64-byte sha512 SRI value', () => {
    expect(sha512Hex('')).toBeUndefined();
    expect(sha512Hex('sha512-AAAA')).toBeUndefined();
    expect(sha512Hex('sha256-' + 'A'.repeat(88))).toBeUndefined();
    expect(sha512Hex('sha512-' + Buffer.alloc(64, 1).toString('base64'))).toBe('01'.repeat(64));
  });
});
