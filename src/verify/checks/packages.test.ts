import { describe, expect, it } from 'vitest';
import { gemPurl, mavenPurl, npmPurl, nugetPurl, pypiPurl } from '../../inventory/purl.js';
import type { Inventory } from '../../model/inventory.js';
import { newPackage, type Ecosystem } from '../../model/package.js';
import { PolicyError } from '../policy/errors.js';
import { loadPolicy } from '../policy/load.js';
import { compileDeny, evaluatePackages, matchesDeny, purlKey } from './packages.js';

function inv(
  pkgs: { ecosystem: Ecosystem; name: string; version?: string; purl: string }[]
): Inventory {
  return {
    artifact: { name: 'l.zip', kind: 'zip', sha256: 'a', size: 0, properties: {} },
    packages: pkgs.map((p, i) =>
      newPackage({
        id: `p${i}`,
        ecosystem: p.ecosystem,
        name: p.name,
        ...(p.version !== undefined ? { version: p.version } : {}),
        purl: p.purl,
        foundBy: 'test',
        locations: [{ path: `x/${i}` }],
      })
    ),
    findings: [],
    complete: true,
  };
}
const status = (deny: Parameters<typeof evaluatePackages>[0], i: Inventory) =>
  evaluatePackages(deny, i).status;

describe('purl canonicalisation (both sides, as the SBOM builds purls)', () => {
  it.each([
    ['pkg:npm/%40Babel/Core', npmPurl('@babel/core', undefined)],
    ['pkg:pypi/Jinja2', pypiPurl('jinja2', undefined)],
    ['pkg:pypi/zope.interface', pypiPurl('Zope_Interface', undefined)],
    ['pkg:golang/GitHub.com/Foo/Bar', 'pkg:golang/github.com/foo/bar'],
    ['pkg:nuget/Newtonsoft.Json', nugetPurl('newtonsoft.json', undefined).toLowerCase()],
    ['pkg:maven/org.Apache/Foo', mavenPurl('org.Apache', 'Foo', undefined)],
  ])('%s', (rule, canonical) => {
    expect(purlKey(rule).base).toBe(canonical);
  });

  it('a rule matches however either side spells the name', () => {
    const layer = inv([
      {
        ecosystem: 'pypi',
        name: 'Zope_Interface',
        version: '5.0',
        purl: pypiPurl('Zope_Interface', '5.0'),
      },
      {
        ecosystem: 'nuget',
        name: 'NEWTONSOFT.JSON',
        version: '12.0.1',
        purl: nugetPurl('NEWTONSOFT.JSON', '12.0.1'),
      },
    ]);
    expect(status([{ purl: 'pkg:pypi/zope-interface' }], layer)).toBe('fail');
    expect(status([{ purl: 'pkg:pypi/ZOPE.INTERFACE', versions: '<6' }], layer)).toBe('fail');
    expect(status([{ purl: 'pkg:nuget/Newtonsoft.Json', versions: '<13.0.1' }], layer)).toBe(
      'fail'
    );
    // Maven keeps case: a different group is another package.
    const mvn = inv([
      {
        ecosystem: 'maven',
        name: 'log4j-core',
        version: '2.14.1',
        purl: mavenPurl('org.apache.logging.log4j', 'log4j-core', '2.14.1'),
      },
    ]);
    expect(
      status(
        [{ purl: 'pkg:maven/org.apache.logging.log4j/log4j-core', versions: '[2.0,2.17.1)' }],
        mvn
      )
    ).toBe('fail');
    expect(status([{ purl: 'pkg:maven/ORG.apache.logging.log4j/log4j-core' }], mvn)).toBe('pass');
  });

  it('qualifiers restrict the match only when the rule names them', () => {
    const layer = inv([
      {
        ecosystem: 'gem',
        name: 'nokogiri',
        version: '1.13.0',
        purl: gemPurl('nokogiri', '1.13.0', 'x86_64-linux'),
      },
    ]);
    expect(status([{ purl: 'pkg:gem/nokogiri' }], layer)).toBe('fail');
    expect(status([{ purl: 'pkg:gem/nokogiri?platform=x86_64-linux' }], layer)).toBe('fail');
    expect(status([{ purl: 'pkg:gem/nokogiri?platform=java' }], layer)).toBe('pass');
  });
});

describe('versions that cannot be placed fail closed', () => {
  it('an unparseable or missing version matches a deny rule naming the package, and says so', () => {
    const layer = inv([
      { ecosystem: 'npm', name: 'lodash', version: '4.17', purl: npmPurl('lodash', '4.17') },
      { ecosystem: 'npm', name: 'left-pad', purl: npmPurl('left-pad', undefined) },
    ]);
    const c = evaluatePackages(
      [
        { purl: 'pkg:npm/lodash', versions: '<4.17.21' },
        { purl: 'pkg:npm/left-pad', versions: '>=1.0.0' },
      ],
      layer
    );
    expect(c.status).toBe('fail');
    expect(c.detail).toMatch(
      /version "4\.17" is not a npm semver version, so it is taken as inside the range/
    );
    expect(c.evidence['denied']).toEqual([
      expect.objectContaining({ purl: 'pkg:npm/lodash@4.17', unparsedVersion: '4.17' }),
      expect.objectContaining({ purl: 'pkg:npm/left-pad', unparsedVersion: '(none)' }),
    ]);
  });

  it('a parseable version outside the range passes', () => {
    const layer = inv([
      { ecosystem: 'npm', name: 'lodash', version: '4.17.21', purl: npmPurl('lodash', '4.17.21') },
    ]);
    expect(status([{ purl: 'pkg:npm/lodash', versions: '<4.17.21' }], layer)).toBe('pass');
  });
});

describe('policy load checks deny rules per ecosystem', () => {
  const load = (deny: string) =>
    loadPolicy(
      `version: 1\ndefault: deny\nlayers:\n  - match: { name: x }\n    packages:\n      deny:\n        - ${deny}\n`,
      'p.yaml'
    );
  const problem = (deny: string): string => {
    try {
      load(deny);
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      return (e as PolicyError).problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    }
    throw new Error('loaded');
  };
  it('accepts native range syntax of each ecosystem', () => {
    expect(() => load("{ purl: 'pkg:pypi/django', versions: '~=3.2, !=3.2.1' }")).not.toThrow();
    expect(() => load("{ purl: 'pkg:maven/org.x/y', versions: '[1.0,2.0),[3.0,)' }")).not.toThrow();
    expect(() => load("{ purl: 'pkg:gem/rails', versions: '~> 7.0.4' }")).not.toThrow();
    expect(() => load("{ purl: 'pkg:npm/x', versions: '^1.2.3 || ~2.0' }")).not.toThrow();
  });
  it('refuses a range the ecosystem cannot read, a bare NuGet version, a version in the purl', () => {
    expect(problem("{ purl: 'pkg:pypi/django', versions: '<three' }")).toMatch(
      /versions: not a PEP 440 range/
    );
    expect(problem("{ purl: 'pkg:nuget/x', versions: '13.0.1' }")).toMatch(/minimum/);
    expect(problem("{ purl: 'pkg:golang/x/y', versions: '<1.2.3' }")).toMatch(/Go module/);
    expect(problem("{ purl: 'pkg:npm/x@1.0.0' }")).toMatch(/purl/);
  });
});

describe('matchesDeny (the changes command asks it one package at a time)', () => {
  it('decides as the packages check: name however spelled, range, unplaceable versions', () => {
    const rule = compileDeny({ purl: 'pkg:npm/Event-Stream', versions: '>=3.3.6 <4.0.0' });
    expect(matchesDeny(rule, 'pkg:npm/event-stream@3.3.6', '3.3.6')).toBe(true);
    expect(matchesDeny(rule, 'pkg:npm/event-stream@4.0.1', '4.0.1')).toBe(false);
    expect(matchesDeny(rule, 'pkg:npm/event-stream@3.3.5', '3.3.5')).toBe(false);
    // A version the order cannot place is taken as inside the range (fail closed).
    expect(matchesDeny(rule, 'pkg:npm/event-stream@banana', 'banana')).toBe(true);
    expect(matchesDeny(rule, 'pkg:npm/other@3.3.6', '3.3.6')).toBe(false);
    const any = compileDeny({ purl: 'pkg:pypi/Py_Yaml' });
    expect(matchesDeny(any, 'pkg:pypi/py-yaml@6.0', '6.0')).toBe(true);
  });
});

describe('OS packages: the vendor comes from os-release, which the image writes', () => {
  const nc = (purl: string) =>
    inv([{ ecosystem: 'deb', name: 'netcat-openbsd', version: '1.219-1', purl }]);
  const DENY = [{ purl: 'pkg:deb/debian/netcat-openbsd' }];

  it.each([
    [
      'the vendor the rule names',
      'pkg:deb/debian/netcat-openbsd@1.219-1?arch=amd64&distro=debian-12',
    ],
    [
      'another vendor (ID=ubuntu on a Debian image)',
      'pkg:deb/ubuntu/netcat-openbsd@1.219-1?distro=ubuntu-22.04',
    ],
    ['no vendor (no os-release)', 'pkg:deb/netcat-openbsd@1.219-1'],
  ])('a deb deny rule matches the package under %s', (_n, purl) => {
    expect(status(DENY, nc(purl))).toBe('fail');
  });

  it('a rule without a vendor, or naming a distro, matches too; rpm and apk alike', () => {
    expect(
      status([{ purl: 'pkg:deb/netcat-openbsd' }], nc('pkg:deb/debian/netcat-openbsd@1'))
    ).toBe('fail');
    expect(
      status(
        [{ purl: 'pkg:deb/debian/netcat-openbsd?distro=debian-12' }],
        nc('pkg:deb/acme/netcat-openbsd@1')
      )
    ).toBe('fail');
    const rpm = inv([
      {
        ecosystem: 'rpm',
        name: 'nmap-ncat',
        version: '7.92-1',
        purl: 'pkg:rpm/fedora/nmap-ncat@7.92-1',
      },
    ]);
    expect(status([{ purl: 'pkg:rpm/amzn/nmap-ncat' }], rpm)).toBe('fail');
    const apk = inv([
      {
        ecosystem: 'apk',
        name: 'busybox',
        version: '1.36.1-r2',
        purl: 'pkg:apk/busybox@1.36.1-r2',
      },
    ]);
    expect(status([{ purl: 'pkg:apk/alpine/busybox' }], apk)).toBe('fail');
  });

  it('other package names, other arch qualifiers and versions outside the range still pass', () => {
    expect(status(DENY, nc('pkg:deb/debian/netcat-traditional@1'))).toBe('pass');
    expect(
      status(
        [{ purl: 'pkg:deb/debian/netcat-openbsd?arch=arm64' }],
        nc('pkg:deb/debian/netcat-openbsd@1?arch=amd64')
      )
    ).toBe('pass');
    expect(
      status(
        [{ purl: 'pkg:deb/debian/netcat-openbsd', versions: '<1.0' }],
        nc('pkg:deb/ubuntu/netcat-openbsd@1.219-1')
      )
    ).toBe('pass');
  });
});

describe('an npm package by the name require finds it by', () => {
  const renamed = (ecosystem: Ecosystem) => {
    const i = inv([
      { ecosystem, name: 'es-helper', version: '3.3.6', purl: npmPurl('es-helper', '3.3.6') },
    ]);
    i.packages[0]!.properties['npm:required-as'] = 'event-stream,@scope/other';
    return i;
  };
  const deny = [{ purl: 'pkg:npm/event-stream', versions: '3.3.6' }];

  it('a deny rule matches the directory name with the package.json version', () => {
    const c = evaluatePackages(deny, renamed('npm'));
    expect(c.status).toBe('fail');
    expect(c.detail).toContain(
      'pkg:npm/event-stream@3.3.6 (installed under that name; its package.json says pkg:npm/es-helper@3.3.6)'
    );
    expect(status([{ purl: 'pkg:npm/%40scope/other' }], renamed('npm'))).toBe('fail');
    expect(status([{ purl: 'pkg:npm/event-stream', versions: '<3.3.6' }], renamed('npm'))).toBe(
      'pass'
    );
  });

  it('only npm packages are found by that property', () => {
    expect(status(deny, renamed('pypi'))).toBe('pass');
  });
});
