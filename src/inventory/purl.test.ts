import fc from 'fast-check';
import type { PackageURL as PackageUrlClass } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { requireCjs } from '../util/cjs.js';
import {
  apkPurl,
  debPurl,
  gemPurl,
  golangPurl,
  mavenPurl,
  npmPurl,
  purl,
  pypiPurl,
  rpmPurl,
  wellFormed,
} from './purl.js';

// lamina builds purls with its own encoder; packageurl-js (which lamina still uses to parse
// policy purls) is the oracle: for every component lamina could feed it, the same string.
const { PackageURL } = requireCjs('packageurl-js') as { PackageURL: typeof PackageUrlClass };

/** The purl packageurl-js builds, with lamina's fallback where it refuses the components. */
function oracle(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  const ns = namespace === undefined ? undefined : wellFormed(namespace);
  const n = wellFormed(name);
  const v = version === undefined ? undefined : wellFormed(version);
  try {
    return new PackageURL(type, ns, n, v, q, undefined).toString();
  } catch {
    const enc = (c: string): string => encodeURIComponent(c);
    const path = [...(ns ? ns.split('/').map(enc) : []), enc(n) || '%00'].join('/');
    return `pkg:${type}/${path}${v !== undefined && v !== '' ? `@${enc(v)}` : ''}`;
  }
}

/** The purl types lamina writes. */
const TYPES = [
  'npm',
  'pypi',
  'maven',
  'gem',
  'golang',
  'cargo',
  'nuget',
  'generic',
  'deb',
  'apk',
  'rpm',
] as const;

/** What the specification treats specially, and what an attacker would put in a name. */
const PIECES = [
  ...'%/@?#:+&=;,._-~*!$\'()[]{}<>|\\^`" ',
  '\t',
  '\n',
  '\r',
  '\0',
  '\x7f',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\ufffd',
  'é',
  'İ',
  'ß',
  '\u212a', // KELVIN SIGN: lowercases to ASCII `k`
  '𝒳',
  '\ud800',
  '\udfff',
  '%2F',
  '%3A',
  '%40',
  '%25',
  '..',
  '//',
  'v',
  'v1.2.3',
  '1.2.3-rc.1+build.5',
  'v0.0.0-20240101000000-abcdef012345',
  '1:2.4.47-2',
  'Name',
  'a',
  'Z',
  '0',
  '9',
  '_',
];

const text = (maxLength = 8): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength }).map((p) => p.join('')),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.constant('') }
  );
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined });
const qualifiers = fc.option(
  fc.dictionary(
    fc.oneof(
      fc.constantFrom('arch', 'distro', 'epoch', 'upstream', 'platform', 'Arch', ''),
      text(4)
    ),
    text(6),
    { maxKeys: 4 }
  ),
  { nil: undefined }
);

const RUNS = { numRuns: 3000, seed: 20261130 };

describe('purl: lamina encoder against packageurl-js', () => {
  it('every type, namespace, name, version and qualifiers give the string packageurl-js gives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        maybe(text()),
        text(),
        maybe(text()),
        qualifiers,
        (type, ns, name, version, q) => {
          expect(purl(type, ns, name, version, q)).toBe(oracle(type, ns, name, version, q));
        }
      ),
      RUNS
    );
  });

  it('the per-type builders agree with it too', () => {
    fc.assert(
      fc.property(text(), text(), maybe(text()), text(4), (a, b, v, p) => {
        if (!a.includes('/') && /^(@[^/]+)\/(.+)$/.test(`@${a}/${b}`))
          expect(npmPurl(`@${a}/${b}`, v)).toBe(
            oracle('npm', `@${a}`.toLowerCase(), b.toLowerCase(), v)
          );
        if (!b.includes('/'))
          expect(npmPurl(b, v)).toBe(oracle('npm', undefined, b.toLowerCase(), v));
        expect(pypiPurl(a, v)).toBe(
          oracle('pypi', undefined, a.replace(/[-_.]+/g, '-').toLowerCase(), v)
        );
        expect(mavenPurl(a, b, v)).toBe(oracle('maven', a, b, v));
        expect(gemPurl(a, v, p)).toBe(
          oracle('gem', undefined, a, v, p && p !== 'ruby' ? { platform: p } : undefined)
        );
        const go = `${a}/${b}`.toLowerCase();
        const i = go.lastIndexOf('/');
        expect(golangPurl(`${a}/${b}`, v)).toBe(
          oracle('golang', i > 0 ? go.slice(0, i) : undefined, i > 0 ? go.slice(i + 1) : go, v)
        );
        const q = { arch: p, distro: b, epoch: '', upstream: a };
        const oq = Object.fromEntries(Object.entries(q).filter(([, x]) => x));
        expect(debPurl(b, a, v, q)).toBe(oracle('deb', b.toLowerCase(), a.toLowerCase(), v, oq));
        expect(apkPurl(undefined, a, v, q)).toBe(oracle('apk', undefined, a.toLowerCase(), v, oq));
        expect(rpmPurl(b, a, v, q)).toBe(oracle('rpm', b.toLowerCase(), a, v, oq));
      }),
      RUNS
    );
  });

  it('canonical forms and the fallback, spelled out', () => {
    expect(npmPurl('@Scope/Left-Pad', '1.3.0')).toBe('pkg:npm/%40scope/left-pad@1.3.0');
    expect(pypiPurl('Zope.Interface', '5.0')).toBe('pkg:pypi/zope-interface@5.0');
    expect(mavenPurl('org.apache', 'commons-lang3', '3.1', { type: 'jar' })).toBe(
      'pkg:maven/org.apache/commons-lang3@3.1?type=jar'
    );
    expect(
      debPurl('Debian', 'LibC6', '1:2.36-9+deb12u4', { arch: 'amd64', distro: 'debian-12' })
    ).toBe('pkg:deb/debian/libc6@1:2.36-9+deb12u4?arch=amd64&distro=debian-12');
    // Qualifiers sorted by lowercased key, empty values left out, form-encoded.
    expect(purl('generic', undefined, 'n', ' 1 +% ', { B: 'y z', a: ' ', C: '+&=' })).toBe(
      'pkg:generic/n@1%20+%25?b=y%20z&c=%2B%26%3D'
    );
    // Refused by the specification, still a purl: an empty name, maven without a group, a Go `v`
    // version that is not semver.
    expect(purl('npm', undefined, ' ', '1')).toBe('pkg:npm/%20@1');
    expect(mavenPurl('', 'a', '1')).toBe('pkg:maven/a@1');
    expect(golangPurl('example.com/m', 'vX')).toBe('pkg:golang/example.com/m@vX');
    expect(purl('generic', 'a/../b', '', '1%')).toBe('pkg:generic/a/../b/%00@1%25');
    // A qualifier key outside the specification's alphabet: the fallback, untrimmed.
    expect(purl('generic', undefined, 'n', ' 1 ', { 'b c': 'x' })).toBe('pkg:generic/n@%201%20');
  });
});
