import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
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
