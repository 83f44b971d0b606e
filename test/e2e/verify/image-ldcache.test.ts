/**
 * `lamina verify IMAGE` (the built CLI, as users run it) where `/etc/ld.so.cache` maps a soname
 * to a file of any name: the dynamic loader opens that file for every program needing the
 * soname and not finding it through RPATH or `LD_LIBRARY_PATH`, whatever its mode. Such an image
 * once passed with its inventory complete: a dpkg-owned program needing `libreview.so.1` ran
 * `/usr/share/misc/fonts.dat`, a shared object of mode 0644. Requires `npm run build`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { buildElf } from '../../../src/inventory/binary/testing/elf-builder.js';
import { writeNewCache } from '../../../src/inventory/binary/testing/ldcache-writer.js';
import { REPO_ROOT } from '../helpers/cli.js';
import {
  dir,
  file,
  link,
  verifyImageRef,
  writeImageLayout,
  writeInventoryPolicy,
} from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-ldcache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const elf = (type: number, text: string): Buffer =>
  buildElf({ type, sections: [{ name: '.text', data: Buffer.from(text) }] }).buf;

/** A cache the real ldconfig wrote (scripts/fixtures-ldcache.mjs): libz, libacl, libattr. */
const REAL_CACHE = readFileSync(join(REPO_ROOT, 'testdata/sources/ldcache/new.cache'));
/** What an attacker writes instead: libreview.so.1 => a data-looking file. */
const CRAFTED = writeNewCache([{ soname: 'libreview.so.1', path: '/usr/share/misc/fonts.dat' }]);

const LIBDIR = 'usr/lib/x86_64-linux-gnu';
const LIBS = [
  ['zlib1g', 'libz.so.1', 'libz.so.1.2.13'],
  ['libacl1', 'libacl.so.1', 'libacl.so.1.1.2301'],
  ['libattr1', 'libattr.so.1', 'libattr.so.1.1.2501'],
] as const;
/** A dpkg `.md5sums` line: what makes a listed file the package's. */
const md5sum = (path: string, data: Buffer): string =>
  `${createHash('md5').update(data).digest('hex')}  ${path}\n`;
const pkgStatus = (pkg: string): string =>
  `Package: ${pkg}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n`;

/** Debian-like: review-app installed /usr/bin/usesreview, the libraries their packages. */
const BASE: TarEntry[] = [
  dir('etc'),
  file('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
  dir('usr'),
  dir('usr/bin'),
  file('usr/bin/usesreview', elf(2, 'needs libreview.so.1'), 0o755),
  dir('usr/lib'),
  dir(LIBDIR),
  ...LIBS.flatMap(([, soname, real]) => [
    file(`${LIBDIR}/${real}`, elf(3, real)),
    link(`${LIBDIR}/${soname}`, real),
  ]),
  dir('usr/share'),
  dir('usr/share/misc'),
  file('usr/share/misc/fonts.dat', elf(3, 'review payload')),
  dir('var'),
  dir('var/lib'),
  dir('var/lib/dpkg'),
  dir('var/lib/dpkg/info'),
  file(
    'var/lib/dpkg/status',
    [pkgStatus('review-app'), ...LIBS.map(([pkg]) => pkgStatus(pkg))].join('\n')
  ),
  file('var/lib/dpkg/info/review-app.list', '/.\n/usr\n/usr/bin\n/usr/bin/usesreview\n'),
  file(
    'var/lib/dpkg/info/review-app.md5sums',
    md5sum('usr/bin/usesreview', elf(2, 'needs libreview.so.1'))
  ),
  ...LIBS.flatMap(([pkg, soname, real]) => [
    file(
      `var/lib/dpkg/info/${pkg}:amd64.list`,
      `/.\n/usr\n/usr/lib\n/${LIBDIR}\n/${LIBDIR}/${real}\n/${LIBDIR}/${soname}\n`
    ),
    file(`var/lib/dpkg/info/${pkg}:amd64.md5sums`, md5sum(`${LIBDIR}/${real}`, elf(3, real))),
  ]),
];

const POLICY = writeInventoryPolicy(tmp, 'images');

/** Write a two-layer image (BASE, `top`) that runs /usr/bin/usesreview, and verify it. */
async function verify(top: TarEntry[]) {
  const ref = writeImageLayout(tmp, [BASE, top], { Entrypoint: ['/usr/bin/usesreview'] });
  const r = await verifyImageRef(ref, POLICY, join(tmp, 'cache'));
  return { code: r.code, complete: r.check('inventory:complete') };
}

describe('verify IMAGE: what /etc/ld.so.cache makes the loader load', () => {
  it('the controls: no cache, and the cache ldconfig wrote for packaged libraries, pass', async () => {
    for (const top of [[dir('etc')], [dir('etc'), file('etc/ld.so.cache', REAL_CACHE)]]) {
      const r = await verify(top);
      expect(r.code).toBe(0);
      expect(r.complete?.outcome).toBe('pass');
    }
  });

  it.each([
    ['in place', [dir('etc'), file('etc/ld.so.cache', CRAFTED)]],
    [
      'through a symlink',
      [
        dir('etc'),
        dir('usr'),
        dir('usr/share'),
        dir('usr/share/misc'),
        file('usr/share/misc/cache.bin', CRAFTED),
        link('etc/ld.so.cache', '/usr/share/misc/cache.bin'),
      ],
    ],
  ])(
    'a cache mapping libreview.so.1 to a mode-0644 file (%s) fails inventory:complete',
    async (_n, top) => {
      const r = await verify(top);
      expect(r.code).toBe(1);
      expect(r.complete?.outcome).toBe('fail');
      expect(r.complete?.detail).toContain('UNOWNED_EXECUTABLE usr/share/misc/fonts.dat');
    }
  );

  it('a cache lamina cannot read as the loader would (truncated) fails inventory:complete', async () => {
    const r = await verify([dir('etc'), file('etc/ld.so.cache', CRAFTED.subarray(0, 60))]);
    expect(r.code).toBe(1);
    expect(r.complete?.detail).toContain('PARSE_ERROR etc/ld.so.cache');
  });
});
