import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersionRange, type VersionScheme } from './index.js';

/** Assert `versions` is strictly ascending in `scheme` (every pair, both directions). */
function ascending(scheme: VersionScheme, versions: string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      expect(
        compareVersions(scheme, versions[i]!, versions[j]!),
        `${versions[i]} < ${versions[j]}`
      ).toBe(-1);
      expect(
        compareVersions(scheme, versions[j]!, versions[i]!),
        `${versions[j]} > ${versions[i]}`
      ).toBe(1);
    }
  }
}
const equal = (scheme: VersionScheme, a: string, b: string) =>
  expect(compareVersions(scheme, a, b), `${a} = ${b}`).toBe(0);
const test = (scheme: VersionScheme, range: string, version: string) =>
  parseVersionRange(scheme, range).test(version);

describe('PEP 440 (PyPI)', () => {
  it('orders the PEP 440 example sequence', () => {
    // https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering
    ascending('pypi', [
      '1.dev0',
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0rc1.dev456',
      '1.0rc1',
      '1.0',
      '1.0+abc.5',
      '1.0+abc.7',
      '1.0+5',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.0.15',
      '1.1.dev1',
    ]);
  });
  it('epochs outrank release numbers; normalisation', () => {
    ascending('pypi', ['2013.10', '2014.04', '1!1.0', '1!1.1']);
    equal('pypi', '1.0-RC1', '1.0rc1');
    equal('pypi', 'v1.0', '1.0');
    equal('pypi', '1.0.0', '1.0');
    equal('pypi', '1.0_post1', '1.0.post1');
  });
  it('ranges: pre-releases and post-releases fall where their order puts them', () => {
    expect(test('pypi', '<2.0', '2.0rc1')).toBe('in');
    expect(test('pypi', '>1.0', '1.0.post1')).toBe('in');
    expect(test('pypi', '>=1.0,<2.0', '1.5')).toBe('in');
    expect(test('pypi', '>=1.0, <2.0', '2.0')).toBe('out');
    expect(test('pypi', '<1.0', '1!0.5')).toBe('out');
  });
  it('a local version is inside when it or its public version is', () => {
    expect(test('pypi', '<=1.0', '1.0+evil')).toBe('in');
    expect(test('pypi', '==1.0', '1.0+ubuntu1')).toBe('in');
    expect(test('pypi', '>1.0', '1.0+x')).toBe('in');
    expect(test('pypi', '<1.0', '1.0+x')).toBe('out');
  });
  it('~=, ==X.*, !=X.* and ===', () => {
    expect(test('pypi', '~=2.2', '2.9')).toBe('in');
    expect(test('pypi', '~=2.2', '3.0')).toBe('out');
    expect(test('pypi', '~=1.4.5', '1.4.9')).toBe('in');
    expect(test('pypi', '~=1.4.5', '1.5.0')).toBe('out');
    expect(test('pypi', '==1.1.*', '1.1.post1')).toBe('in');
    expect(test('pypi', '==1.1.*', '1.1a1')).toBe('in');
    expect(test('pypi', '==1.1.*', '1.10')).toBe('out');
    expect(test('pypi', '!=1.1.*', '1.2')).toBe('in');
    expect(test('pypi', '===1.0', '1.0')).toBe('in');
    expect(test('pypi', '===1.0', '1.0.0')).toBe('out');
    expect(() => parseVersionRange('pypi', '~=1')).toThrow(/two release segments/);
  });
  it('a version PEP 440 cannot parse is reported as such', () => {
    expect(test('pypi', '<2', 'not-a-version')).toBe('unparseable');
    expect(() => parseVersionRange('pypi', '<banana')).toThrow(/PEP 440/);
  });
});

describe('Maven (ComparableVersion)', () => {
  it('orders qualifiers as Maven does', () => {
    // maven-artifact ComparableVersionTest VERSIONS_QUALIFIER
    ascending('maven', [
      '1-alpha2snapshot',
      '1-alpha2',
      '1-alpha-123',
      '1-beta-2',
      '1-beta123',
      '1-m2',
      '1-m11',
      '1-rc',
      '1-cr2',
      '1-rc123',
      '1-SNAPSHOT',
      '1',
      '1-sp',
      '1-sp2',
      '1-sp123',
      '1-abc',
      '1-def',
      '1-pom-1',
      '1-1-snapshot',
      '1-1',
      '1-2',
      '1-123',
    ]);
  });
  it('orders numbers as Maven does', () => {
    // maven-artifact ComparableVersionTest VERSIONS_NUMBER
    ascending('maven', [
      '2.0',
      '2-1',
      '2.0.a',
      '2.0.0.a',
      '2.0.2',
      '2.0.123',
      '2.1.0',
      '2.1-a',
      '2.1b',
      '2.1-c',
      '2.1-1',
      '2.1.0.1',
      '2.2',
      '2.123',
      '11.a2',
      '11.a11',
      '11.b2',
      '11.b11',
      '11.m2',
      '11.m11',
      '11',
      '11.a',
      '11b',
      '11c',
      '11m',
    ]);
  });
  it('.RELEASE, .Final and ga are the release; -jre and -android come after, lexically', () => {
    equal('maven', '5.3.0.RELEASE', '5.3.0');
    equal('maven', '5.3.0.Final', '5.3');
    equal('maven', '1.0-ga', '1');
    equal('maven', '1.0.0', '1');
    ascending('maven', ['31.1-android', '31.1-jre', '32.0.0-android', '32.0.0-jre']);
    expect(compareVersions('maven', '31.1', '31.1-jre')).toBe(-1);
    equal('maven', '1-cr2', '1-rc2');
  });
  it('ranges: shared operators and interval notation, intervals as a union', () => {
    expect(test('maven', '<32.0.0', '31.1-jre')).toBe('in');
    expect(test('maven', '[2.0,2.17.1)', '2.14.1')).toBe('in');
    expect(test('maven', '[2.0,2.17.1)', '2.17.1')).toBe('out');
    expect(test('maven', '(,1.0],[1.2,)', '1.1')).toBe('out');
    expect(test('maven', '(,1.0],[1.2,)', '1.2-SNAPSHOT')).toBe('out');
    expect(test('maven', '(,1.0],[1.2,)', '1.0.RELEASE')).toBe('in');
    expect(test('maven', '[1.5]', '1.5.0')).toBe('in');
    expect(() => parseVersionRange('maven', '(1.0)')).toThrow(/\[ \]/);
    expect(() => parseVersionRange('maven', '[1.0,2.0')).toThrow(/interval/);
  });
  it('a version that does not start with a digit is not one', () => {
    expect(test('maven', '<2', '${project.version}')).toBe('unparseable');
  });
});

describe('RubyGems', () => {
  it('orders as Gem::Version does', () => {
    ascending('gem', ['1.0.a', '1.0.b1', '1.0.pre', '1.0.rc1', '1.0', '1.0.1', '1.1.a', '1.1']);
    equal('gem', '1.0', '1');
    equal('gem', '1.0.0', '1');
    equal('gem', '1.0-rc1', '1.0.pre.rc1');
  });
  it('~> is the pessimistic operator', () => {
    expect(test('gem', '~> 1.2.3', '1.2.9')).toBe('in');
    expect(test('gem', '~> 1.2.3', '1.3')).toBe('out');
    expect(test('gem', '~> 1.2', '1.9')).toBe('in');
    expect(test('gem', '~> 1.2', '2.0')).toBe('out');
    expect(test('gem', '~> 1.2, != 1.5', '1.5.0')).toBe('out');
    expect(test('gem', '< 7.0.8', '7.0.8.rc1')).toBe('in');
  });
});

describe('NuGet', () => {
  it('orders as NuGet.Versioning does', () => {
    ascending('nuget', [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0',
      '1.0.0.1',
      '1.0.1',
    ]);
    equal('nuget', '1.0', '1.0.0.0');
    equal('nuget', '1.0.0-Beta', '1.0.0-beta');
    equal('nuget', '1.0.0+build', '1.0.0');
  });
  it('ranges: intervals and operators; a bare version is refused', () => {
    expect(test('nuget', '[13.0.1,)', '13.0.3')).toBe('in');
    expect(test('nuget', '(,13.0.1)', '13.0.1')).toBe('out');
    expect(test('nuget', '>=12, <13.0.1', '12.0.3')).toBe('in');
    expect(() => parseVersionRange('nuget', '13.0.1')).toThrow(/minimum/);
  });
});

describe('Go modules', () => {
  it('pseudo-versions and +incompatible order as Go orders them', () => {
    ascending('golang', [
      'v0.0.0-20191109021931-daa7c04131f5',
      'v0.0.1',
      'v1.2.3',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.4',
      'v2.0.0+incompatible',
      'v2.1.0',
    ]);
    equal('golang', 'v2.0.0+incompatible', 'v2.0.0');
    equal('golang', 'v1.2', 'v1.2.0');
  });
  it('ranges; a version without the v, or (devel), is not a Go version', () => {
    expect(test('golang', '<v1.2.4', 'v1.2.4-0.20191109021931-daa7c04131f5')).toBe('in');
    expect(test('golang', '<v0.17.0', 'v0.0.0-20220722155217-630584e8d5aa')).toBe('in');
    expect(test('golang', '<v1', '1.0.0')).toBe('unparseable');
    expect(test('golang', '<v1', '(devel)')).toBe('unparseable');
  });
});

describe('npm and Cargo semver', () => {
  it('npm ranges use the whole npm syntax and include prereleases', () => {
    expect(test('npm', '^1.2.3', '1.9.0-beta.1')).toBe('in');
    expect(test('npm', '<2.0.0', '2.0.0-rc.1')).toBe('in');
    expect(test('npm', '1.2.3 - 2', '2.5.0')).toBe('in');
    expect(test('npm', '<4.17.21', '4.17.21')).toBe('out');
    expect(test('npm', '<4.17.21', '4.17.20+build')).toBe('in');
    expect(test('npm', '<5', '1.0')).toBe('unparseable');
    expect(() => parseVersionRange('npm', '<=banana')).toThrow(/npm semver/);
  });
  it('Cargo refuses a bare version (Cargo reads it as a caret)', () => {
    expect(() => parseVersionRange('cargo', '1.2.3')).toThrow(/caret/);
    expect(test('cargo', '>=0.3.0, <0.3.8', '0.3.7')).toBe('in');
  });
});

describe('dotted fallback', () => {
  it.each([
    ['4.17.20', '<4.17.21', 'in'],
    ['2.0.0-rc.2', '>2.0.0-rc.10', 'out'],
    ['3.1', '<1 || >=3', 'in'],
    ['1.0', '=1.0.0', 'in'],
    ['1:2.3-4', '<3', 'unparseable'],
  ])('%s in %s: %s', (v, r, want) => {
    expect(test('generic', r, v)).toBe(want);
  });
});
