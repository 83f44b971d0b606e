#!/usr/bin/env node
// Builds the ld.so.cache fixtures with the real ldconfig of this machine (Debian 12, glibc 2.36):
//   testdata/sources/ldcache/{new,old,compat}.cache   what `ldconfig -c FORMAT` writes for a tiny
//                                                     root holding this machine's libz, libacl and
//                                                     libattr under /usr/lib/x86_64-linux-gnu
//   testdata/sources/ldcache/{new,old,compat}.txt     `ldconfig -p -C` of each (the oracle)
// Needs: ldconfig (libc-bin), zlib1g, libacl1, libattr1. Deterministic for one glibc version.
// Run: node scripts/fixtures-ldcache.mjs
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'testdata/sources/ldcache');
const LIBDIR = '/usr/lib/x86_64-linux-gnu';
const LIBS = ['libz.so.1', 'libacl.so.1', 'libattr.so.1'];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'lamina-fixtures-ldcache-'));
try {
  const sysroot = join(work, 'root');
  mkdirSync(join(sysroot, LIBDIR), { recursive: true });
  mkdirSync(join(sysroot, 'etc'));
  // The real files (libz.so.1.2.13, ...); ldconfig makes the soname links itself.
  for (const lib of LIBS) {
    const real = realpathSync(join(LIBDIR, lib));
    copyFileSync(real, join(sysroot, LIBDIR, basename(real)));
  }
  writeFileSync(join(sysroot, 'etc/ld.so.conf'), `${LIBDIR}\n`);
  for (const format of ['new', 'old', 'compat']) {
    const cache = `/etc/ld.so.cache.${format}`;
    execFileSync('ldconfig', ['-c', format, '-r', sysroot, '-f', '/etc/ld.so.conf', '-C', cache]);
    copyFileSync(join(sysroot, cache), join(out, `${format}.cache`));
    const printed = execFileSync('ldconfig', ['-p', '-C', join(sysroot, cache)], {
      encoding: 'utf8',
    });
    writeFileSync(
      join(out, `${format}.txt`),
      printed.replace(join(sysroot, cache), `${format}.cache`)
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
