import { describe, expect, it } from 'vitest';
import { parseGemspec, readRubyString, readRubyStringArray } from './gemspec.js';

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
