import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../scripts/lib/tarwriter.mjs';
import { UnpackError } from '../errors.js';
import { detectCompression, zstdSupported } from './compression.js';
import { bufferAccess } from './random-access.js';
import { indexTarAccess, openTarBuffer, openTarFile, readLayerStream } from './tar.js';
import { TarIndexer } from './tar-index.js';

const dir = mkdtempSync(join(tmpdir(), 'lamina-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = writeTar([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/hosts', data: '127.0.0.1 localhost\n' },
  { name: 'bin/', type: 'dir' },
  { name: 'bin/tool', data: 'x'.repeat(100_000), mode: 0o755 },
  // As writers do: the link's header comes from the same inode (a mode of its own is refused).
  { name: 'bin/alias', type: 'hardlink', linkname: 'bin/tool', mode: 0o755 },
  { name: 'bin/link', type: 'symlink', linkname: 'tool' },
]);

describe('tar reader', () => {
  it('lists entries with kinds, sizes, modes, and reads files, hardlinks and symlinks', async () => {
    const src = await openTarBuffer(sample, { name: 'sample' });
    expect(src.entries().map((e) => `${e.path}:${e.kind}:${e.size}:${e.mode.toString(8)}`)).toEqual(
      [
        'bin:dir:0:755',
        'bin/alias:file:100000:755', // a hardlink is its target's inode: same mode
        'bin/link:symlink:0:777',
        'bin/tool:file:100000:755',
        'etc:dir:0:755',
        'etc/hosts:file:20:644',
      ]
    );
    expect((await src.read('bin/alias')).equals(Buffer.from('x'.repeat(100_000)))).toBe(true);
    expect((await src.head('bin/link', 3)).toString()).toBe('xxx');
    const chunks: Buffer[] = [];
    for await (const c of await src.stream('bin/tool')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).length).toBe(100_000);
    await expect(src.read('bin/tool', 10)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await expect(src.read('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(src.digest).toBe(createHash('sha256').update(sample).digest('hex'));
  });

  it('keeps a leading byte order mark in names and link names, as Python tarfile does', async () => {
    const buf = writeTar([
      { name: 'opt/', type: 'dir' },
      { name: 'opt/python/', type: 'dir' },
      { name: 'opt/python/good.txt', data: '# nothing\n' },
      { name: 'opt/python/\ufeffgood.txt', data: 'import os\n' },
      { name: 'opt/python/x.pth', type: 'symlink', linkname: '\ufeffgood.txt' },
      { name: '\ufefftop.txt', data: 'top\n' },
    ]);
    const file = join(dir, 'bom.tar');
    writeFileSync(file, buf);
    const src = await openTarBuffer(buf, { name: 'bom' });
    expect(src.get('opt/python/x.pth')?.linkTarget).toBe('\ufeffgood.txt');
    expect(src.get('\ufefftop.txt')?.kind).toBe('file');
    // Reading through the link reaches the file the link names, not its BOM-less namesake.
    expect((await src.read('opt/python/x.pth')).toString()).toBe('import os\n');
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys,tarfile,json; t=tarfile.open(sys.argv[1]); print(json.dumps({m.name: m.linkname for m in t}))',
        file,
      ],
      { encoding: 'utf8' }
    );
    const names = JSON.parse(py.stdout) as Record<string, string>;
    expect(names['opt/python/x.pth']).toBe('\ufeffgood.txt');
    expect(Object.keys(names)).toContain('\ufefftop.txt');
  });

  it('indexes a file by offset without reading entry data, and by a full read with the same result', async () => {
    const big = writeTar([
      { name: 'big', data: Buffer.alloc(4 * 1024 * 1024, 1) },
      { name: 'after', data: 'a' },
    ]);
    const reads: number[] = [];
    const ra = bufferAccess(big);
    const counting = {
      ...ra,
      read: (pos: number, len: number) => (reads.push(len), ra.read(pos, len)),
    };
    const skipped = await indexTarAccess(counting);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(512 * 1024);
    const full = await indexTarAccess(ra, { hash: true });
    expect(skipped.entries).toEqual(full.entries);
    expect(full.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('opens a spooled file with a known diffID and index without re-reading it', async () => {
    const f = join(dir, 'sample.tar');
    writeFileSync(f, sample);
    const r = await readLayerStream([gzipSync(sample)], { name: 'sample' });
    const src = await openTarFile(f, { index: r.index, diffId: r.diffId });
    expect(src.digest).toBe(r.diffId.slice(7));
    expect((await src.read('etc/hosts')).toString()).toContain('localhost');
    await src.close();
  });

  it('captures chosen files while streaming', async () => {
    const r = await readLayerStream([sample], { capture: (p) => p === 'etc/hosts' });
    const hosts = r.index.entries.find((e) => e.path === 'etc/hosts')!;
    expect(r.index.captured.get(hosts.order)?.toString()).toBe('127.0.0.1 localhost\n');
    expect(r.index.captured.size).toBe(1);
  });

  it('gives the same index fed one byte at a time', () => {
    const ix = new TarIndexer('bytes');
    for (let i = 0; i < sample.length; i++) ix.write(sample.subarray(i, i + 1));
    const whole = new TarIndexer('whole');
    whole.write(sample);
    expect(ix.end().entries).toEqual(whole.end().entries);
  });

  it('reports a missing end-of-archive marker as info', async () => {
    const src = await openTarBuffer(writeTar([{ name: 'a', data: 'x' }], { end: false }));
    expect(src.findings.map((f) => [f.code, f.severity])).toEqual([['TAR_NO_END_BLOCKS', 'info']]);
  });
});

describe('limits', () => {
  const many = writeTar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
  it('refuses more entries than allowed', async () => {
    await expect(openTarBuffer(many, { limits: { maxEntries: 10 } })).rejects.toMatchObject({
      code: 'TOO_MANY_ENTRIES',
    });
  });
  it('stops a stream that expands past the size limit', async () => {
    const bomb = gzipSync(writeTar([{ name: 'zeros', data: Buffer.alloc(32 * 1024 * 1024) }]));
    await expect(
      readLayerStream([bomb], { limits: { maxSize: 1024 * 1024 } })
    ).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });
  it('refuses a layer that expands beyond the ratio limit for its compressed size', async () => {
    const bomb = gzipSync(writeTar([{ name: 'zeros', data: Buffer.alloc(32 * 1024 * 1024) }]), {
      level: 9,
    });
    await expect(
      readLayerStream([bomb], {
        compressedSize: bomb.length,
        limits: { maxRatio: 100, ratioFloor: 1024 * 1024 },
      })
    ).rejects.toMatchObject({ code: 'RATIO_EXCEEDED' });
  });
  it('refuses an extended header larger than the metadata bound', async () => {
    const long = writeTar([{ name: 'x'.repeat(5000), data: 'x' }]);
    await expect(openTarBuffer(long, { limits: { maxMetaSize: 1024 } })).rejects.toMatchObject({
      code: 'AMBIGUOUS_HEADER',
    });
  });
});

describe('compression', () => {
  it('tells gzip, plain tar and refuses other compressors by name', () => {
    expect(detectCompression(gzipSync(sample))).toBe('gzip');
    expect(detectCompression(sample)).toBe('none');
    expect(() => detectCompression(Buffer.from('BZh91AY&SY'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION' })
    );
    expect(() =>
      detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]))
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION' }));
    expect(() => detectCompression(Buffer.alloc(2048, 0x41))).toThrow(
      expect.objectContaining({ code: 'NOT_A_TAR' })
    );
  });

  it('reads zstd layers where Node can, and refuses them by name where it cannot', async () => {
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    if (zstdSupported()) {
      const zlib = (await import('node:zlib')) as unknown as {
        zstdCompressSync: (b: Buffer) => Buffer;
      };
      const r = await readLayerStream([zlib.zstdCompressSync(sample)]);
      expect(r.compression).toBe('zstd');
      expect(r.index.entries).toHaveLength(6);
    } else {
      expect(() => detectCompression(zstd)).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION' })
      );
      await expect(readLayerStream([zstd])).rejects.toMatchObject({
        code: 'UNSUPPORTED_COMPRESSION',
      });
    }
  });

  it('turns corrupt gzip into CORRUPT_ARCHIVE', async () => {
    const gz = gzipSync(sample);
    gz.writeUInt8(gz.readUInt8(gz.length - 20) ^ 0xff, gz.length - 20);
    await expect(readLayerStream([gz])).rejects.toBeInstanceOf(UnpackError);
  });
});

describe('robustness', () => {
  // A deterministic generator so a failing case can be reproduced.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it('mutated archives give an index or a coded refusal, never a crash or a hang', async () => {
    const base = writeTar([
      { name: 'a/', type: 'dir' },
      { name: 'a/b', data: 'hello' },
      { name: `${'long/'.repeat(30)}name`, data: 'deep' },
      { name: 'a/l', type: 'symlink', linkname: 'b' },
      { name: 'a/h', type: 'hardlink', linkname: 'a/b' },
      { name: 'a/.wh.gone', data: '' },
    ]);
    const next = rng(42);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const buf = Buffer.from(base);
      const flips = 1 + Math.floor(next() * 4);
      for (let k = 0; k < flips; k++)
        buf[Math.floor(next() * buf.length)] = Math.floor(next() * 256);
      let outcome = 'OK';
      try {
        const src = await openTarBuffer(buf);
        for (const e of src.entries()) if (e.kind === 'file') await src.read(e.path);
      } catch (err) {
        if (!(err instanceof UnpackError)) throw err;
        outcome = err.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // Most mutations break a checksum; some land in data and still read.
    expect(outcomes.get('BAD_CHECKSUM') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('OK') ?? 0).toBeGreaterThan(0);
  });
});
