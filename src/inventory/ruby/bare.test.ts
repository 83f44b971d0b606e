import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { bareRubyLibraries } from './bare.js';
import { rubyCataloger } from './cataloger.js';

const files = (...paths: string[]) => paths.sort().map((path) => ({ path, kind: 'file' }));
const listed = (entries: { path: string; kind: string }[]) =>
  bareRubyLibraries(entries).map((l) => `${l.kind} ${l.name} ${l.path} ${l.evidence}`);

describe('bareRubyLibraries', () => {
  it('finds each library file in ruby/lib and each directory holding some', () => {
    expect(
      listed(
        files(
          'ruby/lib/a.rb',
          'ruby/lib/b.so',
          'ruby/lib/c/d/e.rb',
          'ruby/lib/c/f.rb',
          // Not loaded by require: no library suffix, or not on RUBYLIB.
          'ruby/lib/README',
          'ruby/lib/data/x.json',
          'ruby/gems/3.3.0/gems/g-1.0/lib/g.rb',
          'ruby/libx/h.rb',
          'other/ruby/lib/i.rb'
        )
      )
    ).toEqual([
      'file a ruby/lib/a.rb ruby/lib/a.rb',
      'file b ruby/lib/b.so ruby/lib/b.so',
      'directory c ruby/lib/c ruby/lib/c/d/e.rb',
    ]);
  });

  it('takes a link directly in ruby/lib as the library it names', () => {
    expect(
      listed([
        { path: 'ruby/lib/linked', kind: 'symlink' },
        { path: 'ruby/lib/linked.rb', kind: 'symlink' },
        { path: 'ruby/lib/x/inner.rb', kind: 'symlink' },
      ])
    ).toEqual([
      'directory linked ruby/lib/linked ruby/lib/linked',
      'file linked ruby/lib/linked.rb ruby/lib/linked.rb',
    ]);
  });
});

describe('rubyCataloger and libraries on RUBYLIB', () => {
  it('records each by its require name, with no version and an error, beside the gems', async () => {
    const { packages } = await runCataloger(
      rubyCataloger,
      new MemorySource('rb', {
        'ruby/gems/3.3.0/specifications/rack-3.0.0.gemspec':
          'Gem::Specification.new do |s|\n  s.name = "rack"\n  s.version = "3.0.0"\nend\n',
        'ruby/gems/3.3.0/gems/rack-3.0.0/lib/rack.rb': 'module Rack; end\n',
        'ruby/lib/rack.rb': 'module Rack; end\n',
      }),
      { layerDigest: 'c'.repeat(64) }
    );
    expect(
      packages.map((p) => ({
        id: p.id,
        purl: p.purl,
        owns: p.owns,
        finding: p.findings.map((f) => `${f.code} ${f.severity} ${f.path}`),
      }))
    ).toEqual([
      {
        id: 'gem:ruby/gems/3.3.0/specifications/rack-3.0.0.gemspec',
        purl: 'pkg:gem/rack@3.0.0',
        owns: [
          'ruby/gems/3.3.0/specifications/rack-3.0.0.gemspec',
          'ruby/gems/3.3.0/gems/rack-3.0.0/',
        ],
        finding: [],
      },
      {
        id: 'gem:ruby/lib/rack.rb',
        purl: 'pkg:gem/rack',
        owns: ['ruby/lib/rack.rb'],
        finding: ['METADATA_INCOMPLETE error ruby/lib/rack.rb'],
      },
    ]);
  });

  it('finds libraries a link puts on RUBYLIB', async () => {
    const { packages } = await runCataloger(
      rubyCataloger,
      new MemorySource('rb', {
        'ruby/lib': { symlink: '../vendor/rb' },
        'vendor/rb/thing.rb': 'module Thing; end\n',
      }),
      { layerDigest: 'c'.repeat(64) }
    );
    expect(packages.map((p) => [p.purl, p.locations.map((l) => l.path)])).toEqual([
      ['pkg:gem/thing', ['vendor/rb/thing.rb', 'ruby/lib/thing.rb']],
    ]);
  });

  it("in an image, finds them on /opt/ruby/lib, not in a ruby/lib at the image's root", async () => {
    const files = {
      'opt/ruby/lib/evil.rb': 'system("id")\n',
      'ruby/lib/elsewhere.rb': 'module Elsewhere; end\n',
    };
    const image = await runCataloger(rubyCataloger, new MemorySource('img', files), {
      layerDigest: 'c'.repeat(64),
      root: 'image',
    });
    expect(
      image.packages.map((p) => [p.purl, p.installDir, p.findings.map((f) => f.code)])
    ).toEqual([['pkg:gem/evil', 'opt/ruby/lib', ['METADATA_INCOMPLETE']]]);
    const layer = await runCataloger(rubyCataloger, new MemorySource('zip', files), {
      layerDigest: 'c'.repeat(64),
    });
    expect(layer.packages.map((p) => p.purl)).toEqual(['pkg:gem/elsewhere']);
  });

  it('in a layer, sees opt/ruby/lib/ where a ruby/lib -> opt/ruby/lib link puts it on RUBYLIB', async () => {
    const { packages } = await runCataloger(
      rubyCataloger,
      new MemorySource('rb', {
        'ruby/lib': { symlink: '../opt/ruby/lib' },
        'opt/ruby/lib/evil.rb': 'system("id")\n',
      }),
      { layerDigest: 'c'.repeat(64) }
    );
    expect(packages.map((p) => [p.purl, p.locations.map((l) => l.path)])).toEqual([
      ['pkg:gem/evil', ['opt/ruby/lib/evil.rb', 'ruby/lib/evil.rb']],
    ]);
  });

  it('sees a library file linked from inside a directory on RUBYLIB', async () => {
    // `require "x/evil"` opens the link and runs what it names.
    const { packages } = await runCataloger(
      rubyCataloger,
      new MemorySource('rb', {
        'ruby/lib/x/evil.rb': { symlink: '../../../share/e.txt' },
        'share/e.txt': 'system("id")\n',
      }),
      { layerDigest: 'c'.repeat(64) }
    );
    expect(packages.map((p) => [p.purl, p.findings.map((f) => f.severity)])).toEqual([
      ['pkg:gem/x', ['error']],
    ]);
  });
});
