import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';

const LIBC = '\x7fELF libc';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** A Debian 12-like image: `lib -> usr/lib`, libc6 listing /lib/x86_64-linux-gnu/libc.so.6. */
async function libc6(files: Record<string, MemoryFile>) {
  const source = new MemorySource('image', {
    'var/lib/dpkg/status':
      'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n',
    'var/lib/dpkg/info/libc6.list': '/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n',
    'var/lib/dpkg/info/libc6.md5sums': `${md5(LIBC)}  lib/x86_64-linux-gnu/libc.so.6\n`,
    lib: { symlink: 'usr/lib' },
    ...files,
  });
  const r = await runCataloger(dpkgCataloger, source, { root: 'image' });
  return {
    owns: r.packages[0]?.owns ?? [],
    findings: r.findings.map((f) => `${f.code} ${f.path ?? ''}`),
  };
}

describe('OS package files behind a usrmerge link', () => {
  it('are checked where they are: the installed file passes, another is PACKAGE_FILE_MODIFIED', async () => {
    const same = await libc6({ 'usr/lib/x86_64-linux-gnu/libc.so.6': LIBC });
    expect(same.findings).toEqual([]);
    expect(same.owns).toContain('usr/lib/x86_64-linux-gnu/libc.so.6');
    const trojan = await libc6({ 'usr/lib/x86_64-linux-gnu/libc.so.6': '\x7fELF evil' });
    expect(trojan.findings).toEqual(['PACKAGE_FILE_MODIFIED usr/lib/x86_64-linux-gnu/libc.so.6']);
  });
});

describe('what an OS package owns: only files whose content its database vouches for', () => {
  const TOOL = '\x7fELF tool';
  it("a file listed with no recorded digest is not the package's; directories and links stay", async () => {
    const r = await libc6({
      'usr/lib/x86_64-linux-gnu/libc.so.6': LIBC,
      'var/lib/dpkg/info/libc6.list':
        '/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n/usr/local/bin/tool\n/usr/lib/libc.so\n',
      'usr/local/bin/tool': { data: TOOL, mode: 0o755 },
      'usr/lib/libc.so': { symlink: 'x86_64-linux-gnu/libc.so.6' },
    });
    expect(r.owns).toContain('usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(r.owns).toContain('usr/lib');
    expect(r.owns).not.toContain('usr/local/bin/tool');
  });

  it("a conffile is the package's while its recorded md5 holds; changed, it is no finding and not owned", async () => {
    const conf = (content: string) =>
      libc6({
        'usr/lib/x86_64-linux-gnu/libc.so.6': LIBC,
        'var/lib/dpkg/status': `Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\nConffiles:\n /etc/ld.so.conf.d/x86_64-linux-gnu.conf ${md5('# multiarch\n')}\n`,
        'etc/ld.so.conf.d/x86_64-linux-gnu.conf': content,
      });
    const same = await conf('# multiarch\n');
    expect(same.owns).toContain('etc/ld.so.conf.d/x86_64-linux-gnu.conf');
    const changed = await conf('/usr/share/doc/x\n');
    expect(changed.findings).toEqual([]);
    expect(changed.owns).not.toContain('etc/ld.so.conf.d/x86_64-linux-gnu.conf');
  });
});

describe('what an Alpine package owns', () => {
  const q1 = (s: string): string => `Q1${createHash('sha1').update(s).digest('base64')}`;
  const db = (z: string) =>
    new MemorySource('image', {
      'lib/apk/db/installed': `P:busybox\nV:1.36.1-r2\nF:bin\nR:busybox\nZ:${q1('\x7fELF bb')}\nR:tool\n${z}\n`,
      'bin/busybox': { data: '\x7fELF bb', mode: 0o755 },
      'bin/tool': { data: '\x7fELF tool', mode: 0o755 },
    });
  it('a file with no Z: checksum is not its own', async () => {
    const r = await runCataloger(apkCataloger, db(''), { root: 'image' });
    expect(r.packages[0]?.owns).toContain('bin/busybox');
    expect(r.packages[0]?.owns).not.toContain('bin/tool');
    const z = await runCataloger(apkCataloger, db(`Z:${q1('\x7fELF tool')}`), { root: 'image' });
    expect(z.packages[0]?.owns).toContain('bin/tool');
  });
});
