import { describe, expect, it } from 'vitest';
import { LinkIndex } from '../../unpack/links.js';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import type { ElfDynamic } from './elf.js';
import {
  HWCAP_SUBDIRS,
  MAX_IMAGE_WIDE_NAMES,
  MAX_LOOKUPS,
  MAX_SEARCH_DIRS,
  NeededResolver,
} from './needed.js';

const layer = (files: Record<string, MemoryFile>, root: 'layer' | 'image' = 'layer') =>
  new NeededResolver(
    new LinkIndex(new MemorySource('t', files), root === 'image' ? '/' : '/opt'),
    root
  );

const EXT = 'python/fastlib/_speedups.so';
const codes = (r: { findings: { code: string; message: string }[] }) =>
  r.findings.map((f) => f.code);

describe('NeededResolver', () => {
  it('finds a DT_NEEDED through $ORIGIN and ${ORIGIN} in DT_RUNPATH, whatever its name', () => {
    const n = layer({ [EXT]: 'x', 'share/blobs/core.dat': 'x', 'share/other/b.dat': 'x' });
    const dyn: ElfDynamic = {
      needed: ['core.dat', 'b.dat', 'libc.so.6'],
      runpath: '$ORIGIN/../../share/blobs:${ORIGIN}/../../share/other:/usr/lib',
    };
    const r = n.resolve(EXT, [EXT], dyn);
    expect(r.paths).toEqual(['share/blobs/core.dat', 'share/other/b.dat']);
    expect(r.findings).toEqual([]);
    // RUNPATH is not passed on to what the object loads.
    expect(r.rpath).toEqual([]);
  });

  it('finds a DT_AUXILIARY or DT_FILTER filtee as it finds a DT_NEEDED name', () => {
    const n = layer({ [EXT]: 'x', 'share/blob.dat': 'x', 'share/blobs/f.dat': 'x' });
    const dyn: ElfDynamic = {
      needed: [],
      filtees: ['$ORIGIN/../../share/blob.dat', 'f.dat', 'missing.dat'],
      runpath: '$ORIGIN/../../share/blobs',
    };
    const r = n.resolve(EXT, [EXT], dyn);
    expect(r.paths).toEqual(['share/blob.dat', 'share/blobs/f.dat']);
    expect(codes(r)).toEqual([]);
    // A relative filtee path is the working directory's, as a relative DT_NEEDED is.
    const rel = n.resolve(EXT, [EXT], { needed: [], filtees: ['./x.dat'] });
    expect(codes(rel)).toEqual(['LIBRARY_NOT_RESOLVED']);
  });

  it('searches DT_RPATH only without DT_RUNPATH, and passes it on', () => {
    const n = layer({ [EXT]: 'x', 'a/x.so': 'x', 'b/x.so': 'x' });
    expect(n.resolve(EXT, [EXT], { needed: ['x.so'], rpath: '/opt/a' }).paths).toEqual(['a/x.so']);
    const both = n.resolve(EXT, [EXT], { needed: ['x.so'], rpath: '/opt/a', runpath: '/opt/b' });
    expect(both.paths).toEqual(['b/x.so']);
    const child = n.resolve('a/x.so', ['a/x.so'], { needed: ['x.so'] }, ['/opt/b']);
    expect(child.paths).toEqual(['b/x.so']);
    expect(n.resolve(EXT, [EXT], { needed: [], rpath: '/opt/a' }).rpath).toEqual(['/opt/a']);
  });

  it("looks in each search directory's hardware-capability subdirectories too", () => {
    const n = layer({
      [EXT]: 'x',
      'share/blobs/glibc-hwcaps/x86-64-v2/core.dat': 'x',
      'share/blobs/tls/haswell/x86_64/core.dat': 'x',
      'share/blobs/avx512_1/core.dat': 'x',
      'share/blobs/unrelated/core.dat': 'x',
    });
    const r = n.resolve(EXT, [EXT], { needed: ['core.dat'], runpath: '$ORIGIN/../../share/blobs' });
    expect(r.paths.sort()).toEqual([
      'share/blobs/avx512_1/core.dat',
      'share/blobs/glibc-hwcaps/x86-64-v2/core.dat',
      'share/blobs/tls/haswell/x86_64/core.dat',
    ]);
    expect(HWCAP_SUBDIRS).toContain('glibc-hwcaps/x86-64-v3');
    expect(HWCAP_SUBDIRS).toContain('tls');
  });

  it('opens a DT_NEEDED with a slash as a path: /opt/... in the layer, outside it nothing', () => {
    const n = layer({ [EXT]: 'x', 'share/p.bin': 'x' });
    const r = n.resolve(EXT, [EXT], {
      needed: ['/opt/share/p.bin', '/usr/lib/libm.so.6', '$ORIGIN/../../share/p.bin'],
    });
    expect(r.paths).toEqual(['share/p.bin']);
    expect(r.findings).toEqual([]);
  });

  it('follows links as the kernel does (.. after a linked directory is its real parent)', () => {
    const n = layer({
      'real/deep/_x.so': 'x',
      'real/payload': 'x',
      'python/pkg': { symlink: '../real/deep' },
    });
    // Reached as python/pkg/_x.so: $ORIGIN is python/pkg, and python/pkg/.. is real/.
    const r = n.resolve('real/deep/_x.so', ['real/deep/_x.so', 'python/pkg/_x.so'], {
      needed: ['payload'],
      runpath: '$ORIGIN/..',
    });
    expect(r.paths).toEqual(['real/payload']);
  });

  it('reports what it cannot follow: a relative path, a relative or empty directory, $LIB', () => {
    const n = layer({ [EXT]: 'x' });
    const r = n.resolve(EXT, [EXT], {
      needed: ['./core.dat', 'libz.so.1'],
      runpath: 'lib::$ORIGIN/$LIB:/usr/$PLATFORM',
    });
    expect(codes(r)).toEqual([
      'LIBRARY_NOT_RESOLVED',
      'LIBRARY_NOT_RESOLVED',
      'LIBRARY_NOT_RESOLVED',
      'LIBRARY_NOT_RESOLVED',
    ]);
    const text = r.findings.map((f) => f.message).join('\n');
    expect(text).toContain('"lib" is relative');
    expect(text).toContain('"" is empty');
    expect(text).toContain('$LIB');
    expect(text).toContain('"./core.dat" is relative');
    // /usr/$PLATFORM cannot lead into /opt.
    expect(text).not.toContain('$PLATFORM');
    expect(r.findings.every((f) => f.severity === 'error' && f.path === EXT)).toBe(true);
  });

  it('in an image, $LIB anywhere is reported and absolute paths are the root', () => {
    const n = layer({ 'usr/bin/app': 'x', 'srv/blob': 'x' }, 'image');
    const r = n.resolve('usr/bin/app', ['usr/bin/app'], {
      needed: ['/srv/blob', 'blob'],
      runpath: '/usr/$LIB:/srv',
    });
    expect(r.paths).toEqual(['srv/blob']);
    expect(codes(r)).toEqual(['LIBRARY_NOT_RESOLVED']);
  });

  it('reports a dynamic section it could not read whole', () => {
    const n = layer({ [EXT]: 'x' });
    const r = n.resolve(EXT, [EXT], { needed: [], problem: 'over 1024 DT_NEEDED entries' });
    expect(r.findings[0]?.message).toContain('over 1024 DT_NEEDED entries');
  });

  it('is bounded: search directories per object and lookups per source', () => {
    const n = layer({ [EXT]: 'x' });
    const dirs = Array.from({ length: MAX_SEARCH_DIRS + 5 }, (_, i) => `/opt/d${i}`).join(':');
    const r = n.resolve(EXT, [EXT], { needed: ['a'], runpath: dirs });
    expect(r.findings[0]?.message).toContain(`over ${MAX_SEARCH_DIRS}`);
    const needed = Array.from({ length: 1024 }, (_, i) => `n${i}`);
    let last: string[] = [];
    for (let i = 0; i * 1024 * MAX_SEARCH_DIRS <= MAX_LOOKUPS; i++)
      last = n.resolve(EXT, [EXT], { needed, runpath: dirs }).findings.map((f) => f.message);
    expect(n.exhausted).toBe(true);
    expect(last.join('\n')).toContain(`over ${MAX_LOOKUPS} library lookups`);
  });

  it("in an image, looks for a name unlike a library's under every directory", () => {
    // The image's own LD_LIBRARY_PATH or default directories find it; no name rule reads it.
    const files = { 'usr/bin/app': 'x', 'usr/lib64/core.dat': 'x', 'srv/x/core.dat': 'x' };
    const img = layer(files, 'image');
    expect(img.resolve('usr/bin/app', ['usr/bin/app'], { needed: ['core.dat'] }).paths).toEqual([]);
    const entries = new MemorySource('t', files).entries();
    const wide = new NeededResolver(
      new LinkIndex(new MemorySource('t', files), '/'),
      'image',
      () => entries
    );
    const r = wide.resolve('usr/bin/app', ['usr/bin/app'], {
      needed: ['core.dat', 'libc.so.6'],
    });
    expect(r.paths.sort()).toEqual(['srv/x/core.dat', 'usr/lib64/core.dat']);
    expect(r.findings).toEqual([]);
    // A layer's LD_LIBRARY_PATH (/opt/lib) is read by its directory rule: nothing more here.
    const lay = new NeededResolver(
      new LinkIndex(new MemorySource('t', files), '/opt'),
      'layer',
      () => entries
    );
    expect(lay.resolve('usr/bin/app', ['usr/bin/app'], { needed: ['core.dat'] }).paths).toEqual([]);
  });

  it(`looks for at most ${MAX_IMAGE_WIDE_NAMES} such names in an image, then says so`, () => {
    const files = { 'usr/bin/app': 'x' };
    const entries = new MemorySource('t', files).entries();
    const n = new NeededResolver(
      new LinkIndex(new MemorySource('t', files), '/'),
      'image',
      () => entries
    );
    const needed = Array.from({ length: MAX_IMAGE_WIDE_NAMES + 1 }, (_, i) => `x${i}.dat`);
    expect(codes(n.resolve('usr/bin/app', ['usr/bin/app'], { needed }))).toEqual([
      'LIBRARY_NOT_RESOLVED',
    ]);
  });
});
