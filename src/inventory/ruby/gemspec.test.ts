import { describe, expect, it } from 'vitest';
import {
  parseGemspec,
  parseStubLine,
  readRubyString,
  readRubyStringArray,
  rubygemsVersion,
} from './gemspec.js';

describe('rubygemsVersion', () => {
  // What `ruby -e 'p Gem::Version.new(v).to_s'` prints.
  it.each([
    ['1.0.0', '1.0.0'],
    ['2.0-1', '2.0.pre.1'],
    ['1.0.0-rc-1', '1.0.0.pre.rc.pre.1'],
    [' 2.0 \n', '2.0'],
    ['', '0'],
  ])('%j → %j', (v, out) => {
    expect(rubygemsVersion(v)).toBe(out);
  });
});

describe('readRubyString', () => {
  it.each([
    ['"json".freeze', 'json'],
    ['"a\\nb\\"c\\\\d"', 'a\nb"c\\d'],
    ['"caf\\u00E9 \\u{1F600}"', 'café 😀'],
    ["'it\\'s'", "it's"],
    ['%q<rbs>.freeze', 'rbs'],
    ['%q{a{b}c}', 'a{b}c'],
  ])('%s → %j', (src, value) => {
    expect(readRubyString(src, 0)?.value).toBe(value);
  });

  it.each([['"unterminated'], ['"#{interp}"'], ['nil'], ['Gem::Version.new("1")']])(
    'refuses %s',
    (src) => {
      expect(readRubyString(src, 0)).toBeUndefined();
    }
  );

  it('reads arrays of strings', () => {
    expect(readRubyStringArray('["Ruby".freeze, "BSD-2-Clause".freeze]', 0)?.value).toEqual([
      'Ruby',
      'BSD-2-Clause',
    ]);
    expect(readRubyStringArray('[]', 0)?.value).toEqual([]);
    expect(readRubyStringArray('[1, 2]', 0)).toBeUndefined();
  });
});

describe('parseGemspec', () => {
  it('takes the version from the stub line when it is not a literal', () => {
    const spec = parseGemspec(
      [
        '# stub: old 0.9 ruby lib',
        'Gem::Specification.new do |spec|',
        '  spec.name = "old"',
        '  spec.version = Gem::Version.new("0.9")',
        '  spec.license = "MIT"',
        '  spec.add_dependency "dep", ">= 1"',
        '  spec.add_development_dependency "devdep"',
        'end',
      ].join('\n')
    );
    expect(spec).toMatchObject({
      name: 'old',
      version: '0.9',
      platform: 'ruby',
      licenses: ['MIT'],
      runtimeDependencies: ['dep'],
    });
  });

  it('throws without a Gem::Specification block', () => {
    expect(() => parseGemspec('{"name": "x"}')).toThrow();
  });
});

describe('require paths', () => {
  const spec = (lines: string) =>
    `# -*- encoding: utf-8 -*-\n# stub: tinygem 1.0.0 ruby lib\n\nGem::Specification.new do |s|\n  s.name = "tinygem".freeze\n  s.version = "1.0.0".freeze\n${lines}end\n`;

  it('collects every require_paths (or require_path) assignment, as arrays or strings', () => {
    expect(parseGemspec(spec('')).requirePaths).toEqual([]);
    expect(
      parseGemspec(spec('  s.require_paths = ["lib".freeze, "ext".freeze]\n')).requirePaths
    ).toEqual(['lib', 'ext']);
    // Ruby keeps the last assignment; lamina checks them all.
    const twice = parseGemspec(
      spec('  s.require_paths = ["lib".freeze]\n  s.require_path = "../../x"\n')
    );
    expect(twice.requirePaths).toEqual(['lib', '../../x']);
    expect(twice.requirePathsUnread).toBeUndefined();
    expect(parseGemspec(spec('  s.require_paths = Dir["x"]\n')).requirePathsUnread).toBe(true);
  });

  it('reads the stub line as Gem::StubSpecification does: the second line, four fields, NUL-separated paths', () => {
    expect(parseStubLine(spec(''))).toEqual({
      name: 'tinygem',
      version: '1.0.0',
      platform: 'ruby',
      requirePaths: ['lib'],
    });
    expect(
      parseStubLine('# enc\r\n# stub: x 1.0 x86_64-linux  lib\0ext/a b\0\r\nGem::...')
    ).toEqual({
      name: 'x',
      version: '1.0',
      platform: 'x86_64-linux',
      requirePaths: ['lib', 'ext/a b'],
    });
    // Three fields: RubyGems takes the last for the path list.
    expect(parseStubLine('#\n# stub: x 1.0 ruby\n')?.requirePaths).toEqual(['ruby']);
    // Only the second line is a stub line.
    expect(parseStubLine('# stub: x 1.0 ruby lib\n\n')).toBeUndefined();
    expect(parseStubLine('# stub: x 1.0 ruby lib')).toBeUndefined();
  });
});
