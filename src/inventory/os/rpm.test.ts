import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../model/package.js';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { rpmCataloger } from './rpm.js';
import { rpmQa, VECTORS } from './testing.js';

const RPMDB = join(VECTORS, 'go-rpmdb/pkg/testdata');
const AL2023 = join(RPMDB, 'amazonlinux2023-plain/rpmdb.sqlite');
const MARINER = join(RPMDB, 'cbl-mariner-2.0/rpmdb.sqlite');
const LIBUUID = join(RPMDB, 'libuuid/Packages');

const AL2023_RELEASE = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nVERSION_ID="2023"\n';

/** Our packages in the rpm -qa format of testing.ts. */
function asQa(pkgs: readonly Package[]): string[] {
  return pkgs
    .map((p) => {
      const [version, ...rel] = (p.version ?? '').split('-');
      const arch = /[?&]arch=([^&]+)/.exec(p.purl ?? '')?.[1] ?? '';
      const license = p.licenses[0];
      const lic = license
        ? 'expression' in license
          ? license.expression
          : 'name' in license
            ? license.name
            : license.id
        : '';
      return [
        p.name,
        p.properties['rpm:epoch'] ?? '',
        version,
        rel.join('-'),
        arch,
        p.properties['rpm:sourcerpm'] ?? '',
        lic,
      ].join('|');
    })
    .sort();
}

async function catalog(files: Record<string, Buffer | string>) {
  return runCataloger(rpmCataloger, new MemorySource('image', files));
}

describe('rpm cataloger', () => {
  it('reads the real Amazon Linux 2023 database: exactly its packages.csv (102 packages)', async () => {
    const csv = readFileSync(join(RPMDB, 'amazonlinux2023-plain/packages.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('¶'))
      .filter(([, name]) => name !== 'gpg-pubkey')
      .map(([epoch, name, version, release, arch, src, , license]) =>
        [name, epoch, version, release, arch, src, license].join('|')
      )
      .sort();
    expect(csv).toHaveLength(102);
    const r = await catalog({
      'var/lib/rpm/rpmdb.sqlite': readFileSync(AL2023),
      'etc/os-release': AL2023_RELEASE,
    });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(asQa(r.packages)).toEqual(csv);
    const bash = r.packages.find((p) => p.name === 'bash');
    expect(bash?.purl).toBe(
      'pkg:rpm/amzn/bash@5.2.15-1.amzn2023.0.2?arch=x86_64&distro=amzn-2023&upstream=bash-5.2.15-1.amzn2023.0.2.src.rpm'
    );
    // Owned files come from the header's file list.
    expect(bash?.owns).toContain('usr/bin/bash');
  });

  it.each([
    ['Amazon Linux 2023 (SQLite)', AL2023, 'sqlite' as const],
    ['CBL-Mariner 2.0 (SQLite)', MARINER, 'sqlite' as const],
    ['libuuid (Berkeley DB hash)', LIBUUID, 'bdb_ro' as const],
  ])('gives what rpm -qa gives on %s', async (_name, file, backend) => {
    const expected = rpmQa(file, backend);
    expect(expected.length).toBeGreaterThan(0);
    const at = backend === 'sqlite' ? 'usr/lib/sysimage/rpm/rpmdb.sqlite' : 'var/lib/rpm/Packages';
    const r = await catalog({ [at]: readFileSync(file) });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(asQa(r.packages)).toEqual(expected);
  });

  it('finds the database in all three directories', async () => {
    for (const dir of ['var/lib/rpm', 'usr/lib/sysimage/rpm', 'usr/share/rpm']) {
      const r = await catalog({ [`${dir}/Packages`]: readFileSync(LIBUUID) });
      expect(
        r.packages.map((p) => p.name),
        dir
      ).toEqual(['libuuid']);
    }
  });

  it('reports an NDB database as unsupported, with error severity', async () => {
    const r = await catalog({ 'var/lib/rpm/Packages.db': Buffer.from('RpmP....') });
    expect(r.packages).toEqual([]);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([
      ['UNSUPPORTED_DATABASE', 'error'],
    ]);
  });

  it('turns a database that is neither SQLite nor BDB into an error finding', async () => {
    const r = await catalog({ 'var/lib/rpm/Packages': Buffer.alloc(4096, 7) });
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['PARSE_ERROR', 'error']]);
  });
});
