import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  unicodePathExtra,
  writeZip,
  zipDirectory,
  type ZipEntry,
} from '../../scripts/lib/zipwriter.mjs';
import { UnpackError, type UnpackErrorCode } from '../errors.js';
import { DEFAULT_LIMITS, type FileSource, type Limits } from './source.js';
import { hiddenEntry, xlField } from './testing/hostile-zips.js';
import { openZipBuffer, openZipFile } from './zip.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const open = (buf: Buffer, limits?: Partial<Limits>): Promise<FileSource> =>
  openZipBuffer(buf, { name: 'test.zip', limits: { ...DEFAULT_LIMITS, ...limits } });

/** The UnpackError code a promise rejects with, or 'OK'. */
async function codeOf(p: Promise<unknown>): Promise<UnpackErrorCode | 'OK'> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (!(err instanceof UnpackError)) throw err;
    // Refusal messages are one line naming the archive.
    expect(err.message).not.toContain('\n');
    expect(err.message.startsWith('test.zip: ')).toBe(true);
    return err.code;
  }
}

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Set bytes in a copy of `buf`. */
function patch(buf: Buffer, at: number, bytes: number[]): Buffer {
  const out = Buffer.from(buf);
  bytes.forEach((b, i) => (out[at + i] = b));
  return out;
}

const pkgJson = JSON.stringify({ name: 'x', version: '1.2.3' });
const big = Buffer.from('lamina '.repeat(20_000)); // 140 KB, compresses well
const goodEntries: ZipEntry[] = [
  { name: 'nodejs/' },
  { name: 'nodejs/node_modules/x/package.json', data: pkgJson },
  { name: 'bin/tool', data: '#!/bin/sh\necho hi\n', mode: 0o755, method: 'store' },
  { name: 'bin/link', symlink: 'tool' },
  { name: 'bin/abs', symlink: '/opt/bin/tool' },
  { name: 'big.txt', data: big },
];
const good = writeZip(goodEntries, {
  comment: 'a comment that is longer than eighty bytes so unzipper would not find the end record',
});

describe('reading a well-formed zip', () => {
  const file = join(tmp, 'good.zip');
  writeFileSync(file, good);

  it.each([
    ['openZipBuffer', () => open(good)],
    ['openZipFile', () => openZipFile(file, { name: 'test.zip' })],
    [
      'openZipFile, read in ranges',
      () => openZipFile(file, { name: 'test.zip', wholeFileBytes: 0 }),
    ],
  ])('%s lists, reads, heads and streams entries', async (_label, opener) => {
    const src = await opener();
    try {
      expect(src.entries().map((e) => [e.path, e.kind])).toEqual([
        ['big.txt', 'file'],
        ['bin', 'dir'],
        ['bin/abs', 'symlink'],
        ['bin/link', 'symlink'],
        ['bin/tool', 'file'],
        ['nodejs', 'dir'],
        ['nodejs/node_modules', 'dir'],
        ['nodejs/node_modules/x', 'dir'],
        ['nodejs/node_modules/x/package.json', 'file'],
      ]);
      expect(src.digest).toBe(sha256(good));
      expect(src.size).toBe(good.length);
      expect(src.findings).toEqual([]);
      expect(src.get('bin/tool')?.mode).toBe(0o755);
      expect(src.get('nodejs')?.mode).toBe(0o755);
      expect(src.get('nodejs/node_modules/x/package.json')).toMatchObject({
        mode: 0o644,
        size: pkgJson.length,
      });
      expect(src.get('bin/link')?.linkTarget).toBe('tool');
      expect((await src.read('nodejs/node_modules/x/package.json')).toString()).toBe(pkgJson);
      expect((await src.read('big.txt')).equals(big)).toBe(true);
      expect((await src.head('big.txt', 10)).toString()).toBe('lamina lam');
      expect((await src.head('bin/tool', 4)).toString()).toBe('#!/b');
      expect((await drain(await src.stream('big.txt'))).equals(big)).toBe(true);
      // Symlinks that stay in the layer are followed for reads, relative or via /opt.
      expect((await src.read('bin/link')).toString()).toBe('#!/bin/sh\necho hi\n');
      expect((await src.read('bin/abs')).toString()).toBe('#!/bin/sh\necho hi\n');
      expect(await codeOf(src.read('big.txt', 100))).toBe('ENTRY_TOO_LARGE');
      expect(await codeOf(src.read('nodejs'))).toBe('NOT_FOUND');
      expect(await codeOf(src.read('missing'))).toBe('NOT_FOUND');
    } finally {
      await src.close();
    }
  });

  it.each([
    ['read whole', undefined],
    ['read in ranges', 0],
  ])(
    'opens a small zip %s through buffers no larger than the file (a scan opens thousands)',
    async (_label, wholeFileBytes) => {
      const small = writeZip([{ name: 'nodejs/node_modules/x/package.json', data: pkgJson }]);
      const smallFile = join(tmp, 'small.zip');
      writeFileSync(smallFile, small);
      const spy = vi.spyOn(Buffer, 'allocUnsafe');
      try {
        const src = await openZipFile(smallFile, {
          name: 'small.zip',
          ...(wholeFileBytes === undefined ? {} : { wholeFileBytes }),
        });
        expect((await src.read('nodejs/node_modules/x/package.json')).toString()).toBe(pkgJson);
        await src.close();
        const sizes = spy.mock.calls.map(([n]) => n);
        expect(sizes.length).toBeGreaterThan(0);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(small.length);
      } finally {
        spy.mockRestore();
      }
    }
  );

  it('openZipFile reports a missing file as NOT_FOUND', async () => {
    await expect(openZipFile(join(tmp, 'nope.zip'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('decodes UTF-8 flagged names and checks data descriptors', async () => {
    const src = await open(
      writeZip([
        { name: 'naïve/ü.txt', data: 'b' },
        { name: 'dd.txt', data: 'c'.repeat(500), dataDescriptor: true },
        { name: 'dd-nosig.txt', data: 'd', dataDescriptor: true, descriptor: { signature: false } },
        { name: 'dd-stored.txt', data: 'e', method: 'store', dataDescriptor: true },
      ])
    );
    expect(src.entries().map((e) => e.path)).toEqual([
      'dd-nosig.txt',
      'dd-stored.txt',
      'dd.txt',
      'naïve',
      'naïve/ü.txt',
    ]);
    expect((await src.read('dd.txt')).toString()).toBe('c'.repeat(500));
  });

  it('accepts a Unicode Path extra field that spells the stored name', async () => {
    const raw = Buffer.from('a.txt');
    const extra = unicodePathExtra('a.txt', raw);
    const src = await open(writeZip([{ name: 'a.txt', data: 'a', extra, local: { extra } }]));
    expect(src.get('a.txt')?.kind).toBe('file');
  });

  it('reads each field of an extra area, and passes over a tail too short for a field', async () => {
    // The Unicode Path field second, after an unknown one, then three bytes no field fits in.
    const path = unicodePathExtra('a.txt', Buffer.from('a.txt'));
    const ok = Buffer.concat([Buffer.from([0xfe, 0xca, 2, 0, 7, 7]), path, Buffer.from([1, 2, 3])]);
    const src = await open(
      writeZip([{ name: 'a.txt', data: 'a', extra: ok, local: { extra: ok } }])
    );
    expect(src.get('a.txt')?.kind).toBe('file');
    // The same field naming another file, second in either header, is found.
    const other = Buffer.concat([
      Buffer.from([0xfe, 0xca, 2, 0, 7, 7]),
      unicodePathExtra('b.txt', Buffer.from('a.txt')),
    ]);
    for (const entry of [{ extra: other }, { local: { extra: other } }])
      expect(await codeOf(open(writeZip([{ name: 'a.txt', data: 'a', ...entry }])))).toBe(
        'UNICODE_PATH_MISMATCH'
      );
  });

  it('accepts a zip64 end record that agrees with the classic one', async () => {
    const src = await open(writeZip([{ name: 'a.txt', data: 'a' }], { zip64End: {} }));
    expect((await src.read('a.txt')).toString()).toBe('a');
  });
});

/** Where Info-ZIP unzip extracted `zip` (written as `name`.zip, extracted into `name`/). */
function unzipped(zip: Buffer, name: string): string {
  const path = join(tmp, `${name}.zip`);
  writeFileSync(path, zip);
  const out = join(tmp, name);
  mkdirSync(out);
  execFileSync('unzip', ['-q', '-o', path, '-d', out]);
  return out;
}

describe("an entry's mode, from the host that made it", () => {
  // Info-ZIP's host numbers 0-19 and AtheOS (30); each zip holds one file marked 0755.
  const hosts = [...Array.from({ length: 20 }, (_, h) => h), 30];
  it.each(hosts)('host %i: executable when unzip (or Go, for macOS) extracts it so', async (h) => {
    const zip = writeZip([
      { name: 'bootstrap', data: '#!/bin/sh\n', mode: 0o755, versionMadeBy: (h << 8) | 20 },
    ]);
    const out = unzipped(zip, `mode-host-${h}`);
    const unzipExec = (statSync(join(out, 'bootstrap')).mode & 0o111) !== 0;
    const src = await open(zip);
    const mode = src.get('bootstrap')?.mode ?? -1;
    // Go's archive/zip takes the mode from Unix and macOS hosts; unzip ignores macOS's.
    expect(mode, `unzip ${unzipExec ? 'extracts it executable' : 'does not'}`).toBe(
      unzipExec || h === 19 ? 0o755 : 0
    );
  });
});

describe('semicolons in names', () => {
  // unzip strips `;` and digits from the end of a file's name only (a VMS version).
  it('keeps a name whose semicolon is not a version at its end, as unzip does', async () => {
    const names = ['a;b', 'x;1b', 'dir;1/x.py', 'd;2/'];
    const zip = writeZip(names.map((name) => ({ name, data: name.endsWith('/') ? '' : 'x' })));
    const out = unzipped(zip, 'semicolons');
    for (const n of names) expect(statSync(join(out, n)).isFile()).toBe(!n.endsWith('/'));
    const src = await open(zip);
    expect(src.entries().map((e) => e.path)).toEqual(['a;b', 'd;2', 'dir;1', 'dir;1/x.py', 'x;1b']);
  });

  it.each(['bootstrap;1', 'python/x.py;23', 'x;'])('refuses %s', async (name) => {
    await expect(open(writeZip([{ name, data: 'x' }]))).rejects.toMatchObject({
      code: 'VERSION_SUFFIX_IN_NAME',
    });
  });
});

describe('reading zips made by Info-ZIP zip(1)', () => {
  const dir = join(tmp, 'layer');
  mkdirSync(join(dir, 'nodejs/node_modules/y'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'nodejs/node_modules/y/package.json'), '{"name":"y","version":"0.0.1"}');
  writeFileSync(join(dir, 'bin/run.sh'), '#!/bin/sh\nexit 0\n'.repeat(50));
  chmodSync(join(dir, 'bin/run.sh'), 0o755);
  symlinkSync('run.sh', join(dir, 'bin/current'));
  symlinkSync('../../etc/shadow', join(dir, 'bin/escape'));

  it.each([
    ['zip -r -X -y', ['-r', '-X', '-y']],
    ['zip64 (-fz)', ['-r', '-X', '-y', '-fz']],
  ])('%s', async (label, args) => {
    const out = join(tmp, `${label.replace(/\W/g, '')}.zip`);
    execFileSync('zip', ['-q', ...args, out, '.'], { cwd: dir });
    const src = await openZipFile(out, { name: 'test.zip' });
    try {
      expect(src.get('bin/run.sh')).toMatchObject({ kind: 'file', mode: 0o755 });
      expect(src.get('bin/current')).toMatchObject({ kind: 'symlink', linkTarget: 'run.sh' });
      expect(src.get('nodejs/node_modules/y')).toMatchObject({ kind: 'dir' });
      expect((await src.read('bin/current')).toString()).toBe('#!/bin/sh\nexit 0\n'.repeat(50));
      expect((await src.read('nodejs/node_modules/y/package.json')).toString()).toContain('"y"');
      expect(src.findings.map((f) => [f.code, f.path])).toEqual([
        ['SYMLINK_OUTSIDE_LAYER', 'bin/escape'],
      ]);
      expect(await codeOf(src.read('bin/escape'))).toBe('NOT_FOUND');
    } finally {
      await src.close();
    }
  });
});

/** A buffer with the central directory's first signature broken. */
function badCentralSignature(): Buffer {
  const buf = writeZip([{ name: 'a', data: 'a' }]);
  return patch(buf, buf.readUInt32LE(buf.length - 6), [0, 0, 0, 0]);
}

const zeros = Buffer.alloc(2 * 1024 * 1024);
type Case = [string, () => Buffer, UnpackErrorCode, Partial<Limits>?];
const refusals: Case[] = [
  ['not a zip', () => Buffer.from('just some text, no end record here at all'), 'NOT_A_ZIP'],
  ['empty file', () => Buffer.alloc(0), 'NOT_A_ZIP'],
  ['cut short (no end record)', () => good.subarray(0, 200), 'TRUNCATED_ARCHIVE'],
  [
    'central directory past EOF',
    () => writeZip([{ name: 'a', data: 'a' }], { end: { cdSize: 5000 } }),
    'TRUNCATED_ARCHIVE',
  ],
  [
    'entry data past EOF',
    () => writeZip([{ name: 'a', data: 'aaaa', compressedSize: 1_000_000 }]),
    'TRUNCATED_ARCHIVE',
  ],
  ['bad central signature', badCentralSignature, 'CORRUPT_ARCHIVE'],
  [
    'bad local signature',
    () => patch(writeZip([{ name: 'a', data: 'a' }]), 0, [0x50, 0x4b, 9, 9]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'local offset past the entries',
    () =>
      writeZip([
        { name: 'a', data: 'a' },
        { name: 'b', data: 'b', offsetDelta: 100_000 },
      ]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'entry count below the records present',
    () => writeZip([{ name: 'a' }, { name: 'b' }], { end: { entries: 1 } }),
    'CORRUPT_ARCHIVE',
  ],
  ['multi-disk', () => writeZip([{ name: 'a' }], { end: { disk: 1 } }), 'CORRUPT_ARCHIVE'],
  [
    'stored sizes disagree',
    () => writeZip([{ name: 'a', data: 'abc', method: 'store', size: 2 }]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'encrypted flag',
    () =>
      writeZip([
        { name: 'a', data: 'a' },
        { name: 's', data: 'x', encrypted: true },
      ]),
    'ENCRYPTED_ENTRY',
  ],
  ['AES method 99', () => writeZip([{ name: 's', data: 'x', method: 99 }]), 'ENCRYPTED_ENTRY'],
  [
    'too many entries',
    () => writeZip(['a', 'b', 'c', 'd'].map((name) => ({ name }))),
    'TOO_MANY_ENTRIES',
    { maxEntries: 3 },
  ],
  [
    'too large in total',
    () =>
      writeZip([
        { name: 'a', data: 'x'.repeat(60) },
        { name: 'b', data: 'y'.repeat(60) },
      ]),
    'TOO_LARGE',
    { maxTotalSize: 100 },
  ],
  [
    'compression ratio over --max-ratio',
    () => writeZip([{ name: 'zeros', data: zeros }]),
    'RATIO_EXCEEDED',
    { maxRatio: 250 },
  ],
  [
    'a declared size no deflate stream reaches (over 1032:1)',
    () => writeZip([{ name: 'zeros', data: zeros, size: zeros.length * 2 }]),
    'RATIO_EXCEEDED',
  ],
  [
    'two records, one local header (full overlap)',
    () =>
      writeZip([
        { name: 'kernel', data: zeros },
        { name: 'kernel2', offsetOf: 0 },
      ]),
    'OVERLAPPING_ENTRIES',
    { ratioFloor: Infinity },
  ],
  [
    'local header inside the previous entry (quoted overlap)',
    () =>
      writeZip([
        { name: 'a', data: 'a'.repeat(100), method: 'store' },
        { name: 'b', data: 'b', offsetDelta: -40 },
      ]),
    'OVERLAPPING_ENTRIES',
  ],
  [
    'same name twice',
    () =>
      writeZip([
        { name: 'x', data: '1' },
        { name: 'x', data: '2' },
      ]),
    'DUPLICATE_ENTRY',
  ],
  [
    'a/b and a//b',
    () =>
      writeZip([
        { name: 'a/b', data: '1' },
        { name: 'a//b', data: '2' },
      ]),
    'DUPLICATE_ENTRY',
  ],
  [
    './a/b and a/b',
    () =>
      writeZip([
        { name: './a/b', data: '1' },
        { name: 'a/b', data: '2' },
      ]),
    'DUPLICATE_ENTRY',
  ],
  [
    'a second end record hidden in the archive comment',
    () => {
      const fake = Buffer.alloc(22);
      fake.writeUInt32LE(0x06054b50, 0);
      return writeZip([{ name: 'a.txt', data: 'hello' }], { comment: fake.toString('latin1') });
    },
    'AMBIGUOUS_END_RECORD',
  ],
  [
    'bytes appended after the end record',
    () => Buffer.concat([writeZip([{ name: 'a.txt', data: 'hello' }]), Buffer.from('JUNKJUNK')]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'a file with an entry under it (a and a/b)',
    () =>
      writeZip([
        { name: 'a', data: '1' },
        { name: 'a/b', data: '2' },
      ]),
    'PATH_CONFLICT',
  ],
  [
    'an entry written through a symlinked directory',
    () =>
      writeZip([
        { name: 'lib', symlink: '/etc' },
        { name: 'lib/cron.d/evil', data: '* * * * * root sh' },
      ]),
    'PATH_CONFLICT',
  ],
  [
    'local name differs',
    () => writeZip([{ name: 'a.txt', data: 'a', local: { name: 'b.txt' } }]),
    'HEADER_MISMATCH',
  ],
  [
    'local method differs',
    () => writeZip([{ name: 'a', data: 'aaaa', local: { method: 0 } }]),
    'HEADER_MISMATCH',
  ],
  [
    'local encryption differs',
    () => writeZip([{ name: 'a', data: 'a', local: { flags: 1 } }]),
    'HEADER_MISMATCH',
  ],
  [
    'local crc differs',
    () => writeZip([{ name: 'a', data: 'a', local: { crc: 1 } }]),
    'HEADER_MISMATCH',
  ],
  [
    'local size differs',
    () => writeZip([{ name: 'a', data: 'aaaa', local: { size: 3 } }]),
    'HEADER_MISMATCH',
  ],
  [
    'NFC and NFD spellings',
    () =>
      writeZip([
        { name: 'caf\u00e9.txt', data: '1' },
        { name: 'cafe\u0301.txt', data: '2' },
      ]),
    'NORMALIZATION_COLLISION',
  ],
  [
    'stub before the first entry (offsets shifted)',
    () => writeZip([{ name: 'a', data: 'a' }], { prefix: Buffer.from('MZ stub') }),
    'DATA_BEFORE_FIRST_ENTRY',
  ],
  [
    'stub before the first entry (offsets not shifted)',
    () =>
      writeZip([{ name: 'a', data: 'a' }], { prefix: Buffer.from('MZ stub'), shiftOffsets: false }),
    'DATA_BEFORE_FIRST_ENTRY',
  ],
  [
    'fake end record in the comment, its comment not reaching the end',
    () => {
      const fake = Buffer.alloc(22);
      fake.writeUInt32LE(0x06054b50, 0);
      return writeZip([{ name: 'a.txt', data: 'hello' }], {
        comment: `x${fake.toString('latin1')}tail`,
      });
    },
    'AMBIGUOUS_END_RECORD',
  ],
  [
    'central directory encryption (flag bit 13)',
    () => writeZip([{ name: 'a', data: 'a', flags: 0x2000 }]),
    'ENCRYPTED_ENTRY',
  ],
  [
    'unsupported method on a directory',
    () => writeZip([{ name: 'd/', method: 14 }]),
    'UNSUPPORTED_COMPRESSION',
  ],
  // Entry kind
  [
    'central "xl" field restating the attributes',
    () => writeZip([{ name: 'evil.py', data: 'print(1)', extra: xlField(0o100644) }]),
    'AMBIGUOUS_ENTRY_KIND',
  ],
  [
    'character device',
    () => writeZip([{ name: 'c', externalAttr: (0o020644 << 16) >>> 0 }]),
    'SPECIAL_FILE_ENTRY',
  ],
  [
    'unknown file type bits',
    () => writeZip([{ name: 'u', data: 'x', externalAttr: (0o170644 << 16) >>> 0 }]),
    'SPECIAL_FILE_ENTRY',
  ],
  // Symlink targets
  [
    'symlink target not UTF-8',
    () =>
      writeZip([
        {
          name: 'l',
          data: Buffer.from([0x74, 0xff]),
          method: 'store',
          externalAttr: (0o120777 << 16) >>> 0,
        },
      ]),
    'BAD_SYMLINK_TARGET',
  ],
  [
    'symlink target longer than PATH_MAX',
    () => writeZip([{ name: 'l', symlink: 'a/'.repeat(2100) }]),
    'BAD_SYMLINK_TARGET',
  ],
  // Names
  [
    'C1 control in a name',
    () => writeZip([{ name: 'a\u0085b.py', data: 'x' }]),
    'CONTROL_CHARACTER_IN_NAME',
  ],
  [
    'drive letter after a slash',
    () => writeZip([{ name: '/c:evil.pth', data: 'x' }]),
    'DRIVE_LETTER_IN_NAME',
  ],
  ['.. at the start', () => writeZip([{ name: '../evil.txt', data: 'x' }]), 'PATH_TRAVERSAL'],
  [
    'name flagged UTF-8 that is not',
    () =>
      writeZip([{ name: 'x', rawName: Buffer.from([0x61, 0xc0, 0xaf]), utf8: true, data: 'x' }]),
    'AMBIGUOUS_NAME_ENCODING',
  ],
  [
    'stale Unicode Path field (CRC of other bytes)',
    () =>
      writeZip([
        { name: 'good.py', data: 'x', extra: unicodePathExtra('evil.py', Buffer.from('other')) },
      ]),
    'UNICODE_PATH_MISMATCH',
  ],
  // Structure
  [
    'zip64 end record pointing elsewhere than the classic one',
    () => writeZip([{ name: 'a', data: 'a' }], { zip64End: { cdOffset: 0 } }),
    'ZIP64_END_MISMATCH',
  ],
  [
    'zip64 end record with another entry count',
    () =>
      writeZip(
        [
          { name: 'a', data: 'a' },
          { name: 'b', data: 'b' },
        ],
        { zip64End: { entries: 1 } }
      ),
    'ZIP64_END_MISMATCH',
  ],
  [
    'zip64 end record with extensible data',
    () =>
      writeZip([{ name: 'a', data: 'a' }], { zip64End: { extensible: Buffer.from('PK\x06\x06') } }),
    'ZIP64_END_MISMATCH',
  ],
  [
    'bytes between the last entry and the central directory',
    () => writeZip([{ name: 'a', data: 'a', gapAfter: hiddenEntry() }]),
    'UNLISTED_DATA',
  ],
  [
    'an empty directory after unlisted bytes',
    () => writeZip([], { prefix: hiddenEntry() }),
    'DATA_BEFORE_FIRST_ENTRY',
  ],
  [
    'bytes after a data descriptor',
    () => writeZip([{ name: 'a', data: 'a', dataDescriptor: true, gapAfter: Buffer.from('junk') }]),
    'UNLISTED_DATA',
  ],
  [
    'data descriptor flag but no descriptor',
    () => {
      // Set bit 3 in both headers of an entry written without a descriptor.
      const z = writeZip([
        { name: 'a', data: 'aaa', local: { crc: 0, size: 0, compressedSize: 0 } },
      ]);
      const cd = z.readUInt32LE(z.length - 6);
      return patch(patch(z, 6, [0x08]), cd + 8, [0x08]);
    },
    'AMBIGUOUS_DATA_DESCRIPTOR',
  ],
  [
    'data descriptor with 8-byte sizes for a small entry',
    () => writeZip([{ name: 'a', data: 'aaa', dataDescriptor: true, descriptor: { zip64: true } }]),
    'AMBIGUOUS_DATA_DESCRIPTOR',
  ],
  [
    'stored entry with a descriptor signature inside its data',
    () =>
      writeZip([
        {
          name: 'a',
          data: Buffer.concat([Buffer.from('x'), Buffer.from('PK\x07\x08')]),
          method: 'store',
          dataDescriptor: true,
        },
        { name: 'b', data: 'b' },
      ]),
    'AMBIGUOUS_DATA_DESCRIPTOR',
  ],
  // An extra field that says it is longer than what is left of its header's extra area.
  [
    'central extra field running past its header',
    () => writeZip([{ name: 'a', data: 'a', extra: Buffer.from([0x55, 0x54, 9, 0, 1, 2, 3]) }]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'local extra field running past its header',
    () =>
      writeZip([{ name: 'a', data: 'a', local: { extra: Buffer.from([0x55, 0x54, 9, 0, 1]) } }]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'local extra field running past its header, with a data descriptor',
    () =>
      writeZip([
        {
          name: 'a',
          data: 'a',
          dataDescriptor: true,
          local: { extra: Buffer.from([0x75, 0x78, 11, 0, 1]) },
        },
      ]),
    'CORRUPT_ARCHIVE',
  ],
  [
    'local UTF-8 flag differs',
    () => writeZip([{ name: 'café.py', data: 'x', local: { flags: 0 } }]),
    'HEADER_MISMATCH',
  ],
  [
    'local data descriptor flag differs',
    () => writeZip([{ name: 'a', data: 'aaa', dataDescriptor: true, local: { flags: 0 } }]),
    'HEADER_MISMATCH',
  ],
];

describe('refusals at open time', () => {
  // The code goes second so the test name shows it (not the builder's source).
  const table = refusals.map(([label, make, code, limits]) => [label, code, make, limits] as const);
  it.each(table)('%s → %s', async (_label, code, make, limits) => {
    expect(await codeOf(open(make(), limits))).toBe(code);
  });

  it('never puts a raw control character from a name in its message', async () => {
    for (const name of ['a\u001b[31mred', 'a\u0085b', 'a\u007fb']) {
      const err = await open(writeZip([{ name, data: 'x' }])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnpackError);
      // eslint-disable-next-line no-control-regex
      expect((err as UnpackError).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });

  it('refuses each alike from a file, read whole or in ranges', async () => {
    for (const [label, code, make, limits] of table) {
      const file = join(tmp, 'refused.zip');
      writeFileSync(file, make());
      const from = (wholeFileBytes: number) =>
        codeOf(
          openZipFile(file, {
            name: 'test.zip',
            limits: { ...DEFAULT_LIMITS, ...limits },
            wholeFileBytes,
          })
        );
      expect([label, await from(0), await from(1 << 20)]).toEqual([label, code, code]);
    }
  });

  it('refuses the same archives from a file', async () => {
    const file = join(tmp, 'overlap.zip');
    writeFileSync(
      file,
      writeZip([
        { name: 'k', data: 'abc' },
        { name: 'k2', offsetOf: 0 },
      ])
    );
    expect(await codeOf(openZipFile(file, { name: 'test.zip' }))).toBe('OVERLAPPING_ENTRIES');
  });

  it('accepts an entry deflate expands as far as it can (2 MiB of zeros, 1024:1)', async () => {
    const src = await open(writeZip([{ name: 'zeros', data: zeros }]));
    expect((await src.read('zeros')).equals(zeros)).toBe(true);
  });

  it.each([
    [4, 'OK'],
    [5, 'NESTING_TOO_DEEP'],
  ] as const)('nesting depth %i with maxDepth 4 → %s', async (depth, code) => {
    const p = openZipBuffer(writeZip([{ name: 'a', data: 'a' }]), { name: 'test.zip', depth });
    expect(await codeOf(p)).toBe(code);
  });
});

describe('refusals of entry data, at open whichever entry it is', () => {
  const lyingSmall = Buffer.alloc(10 * 1024 * 1024); // declared as 1000 bytes
  const lyingBig = Buffer.alloc(64 * 1024 * 1024); // declared as 5 MiB: the streaming path
  const cases: [string, UnpackErrorCode, () => ZipEntry][] = [
    [
      'bad deflate data',
      'CORRUPT_ARCHIVE',
      () => ({
        name: 'f',
        compressed: Buffer.from('this is not deflate'),
        size: 10,
        method: 'deflate',
      }),
    ],
    [
      'CRC mismatch (deflate)',
      'CORRUPT_ARCHIVE',
      () => ({ name: 'f', data: 'hello world', crc: 0x1234 }),
    ],
    [
      'CRC mismatch (stored)',
      'CORRUPT_ARCHIVE',
      () => ({ name: 'f', data: 'hello world', method: 'store', crc: 0x1234 }),
    ],
    [
      'fewer bytes than declared',
      'CORRUPT_ARCHIVE',
      () => ({ name: 'f', data: 'hello world', size: 50 }),
    ],
    [
      'bomb lying about its size (sync path)',
      'CORRUPT_ARCHIVE',
      () => ({ name: 'f', data: lyingSmall, size: 1000 }),
    ],
    [
      'bomb lying about its size (stream path)',
      'CORRUPT_ARCHIVE',
      () => ({ name: 'f', data: lyingBig, size: 5 * 1024 * 1024 }),
    ],
    [
      'deflate stream ends before the compressed data',
      'TRAILING_COMPRESSED_DATA',
      () => ({
        name: 'f',
        data: 'hello',
        compressed: Buffer.concat([deflateRawSync('hello'), Buffer.from('PK\x03\x04')]),
      }),
    ],
    [
      'deflate stream ends before the compressed data (stream path)',
      'TRAILING_COMPRESSED_DATA',
      () => ({
        name: 'f',
        data: lyingBig.subarray(0, 5 * 1024 * 1024),
        compressed: Buffer.concat([
          deflateRawSync(lyingBig.subarray(0, 5 * 1024 * 1024)),
          Buffer.alloc(5 * 1024 * 1024),
        ]),
      }),
    ],
    [
      'bzip2',
      'UNSUPPORTED_COMPRESSION',
      () => ({ name: 'f', compressed: Buffer.from('BZh9'), size: 4, method: 12 }),
    ],
  ];

  it.each(cases)('%s → %s', async (_label, code, entry) => {
    // The bad entry is one no cataloger would read: it still refuses the archive.
    const zip = writeZip([{ name: 'package.json', data: '{}' }, entry()]);
    expect(await codeOf(open(zip, { maxFileSize: 64 * 1024 * 1024 }))).toBe(code);
  });

  it('refuses from a file as from a buffer', async () => {
    const file = join(tmp, 'bomb.zip');
    writeFileSync(file, writeZip([{ name: 'f', data: lyingSmall, size: 1000 }]));
    expect(await codeOf(openZipFile(file, { name: 'test.zip' }))).toBe('CORRUPT_ARCHIVE');
  });
});

describe('findings on odd names (the archive still opens)', () => {
  it('reports absolute paths, escaping symlinks and case collisions', async () => {
    const src = await open(
      writeZip([
        { name: '/abs/path.txt', data: 'x' },
        { name: 'lib/out', symlink: '../../etc/passwd' },
        { name: 'lib/root', symlink: '/etc/passwd' },
        { name: 'lib/ok', symlink: '/opt/README' },
        { name: 'README', data: 'x' },
        { name: 'readme', data: 'y' },
      ])
    );
    expect(src.findings.map((f) => [f.code, f.path]).sort()).toEqual(
      [
        ['ABSOLUTE_PATH', '/abs/path.txt'],
        ['SYMLINK_OUTSIDE_LAYER', 'lib/out'],
        ['SYMLINK_OUTSIDE_LAYER', 'lib/root'],
        ['CASE_COLLISION', 'readme'],
      ].sort()
    );
    expect(src.get('abs/path.txt')?.kind).toBe('file');
    expect((await src.read('readme')).toString()).toBe('y');
    expect((await src.read('lib/ok')).toString()).toBe('x');
    expect(await codeOf(src.read('lib/out'))).toBe('NOT_FOUND');
  });

  it('follows a directory symlink in the middle of a path but not out of the layer', async () => {
    const src = await open(
      writeZip([
        { name: 'python/lib/real/mod.py', data: 'print(1)' },
        { name: 'python/lib/alias', symlink: 'real' },
        { name: 'loop', symlink: 'loop' },
      ])
    );
    expect((await src.read('python/lib/alias/mod.py')).toString()).toBe('print(1)');
    expect(await codeOf(src.read('loop'))).toBe('NOT_FOUND');
  });
});

describe('zipDirectory', () => {
  it('is deterministic and round-trips through the reader', async () => {
    const dir = join(tmp, 'stage');
    mkdirSync(join(dir, 'python/pkg'), { recursive: true });
    writeFileSync(join(dir, 'python/pkg/__init__.py'), 'x = 1\n');
    symlinkSync('pkg', join(dir, 'python/alias'));
    const a = zipDirectory(dir);
    expect(zipDirectory(dir).equals(a)).toBe(true);
    const src = await open(a);
    expect(src.entries().map((e) => `${e.kind}:${e.path}`)).toEqual([
      'dir:python',
      'symlink:python/alias',
      'dir:python/pkg',
      'file:python/pkg/__init__.py',
    ]);
    expect((await src.read('python/alias/__init__.py')).toString()).toBe('x = 1\n');
    writeFileSync(join(tmp, 'stage.zip'), a);
    execFileSync('unzip', ['-tq', join(tmp, 'stage.zip')]); // Info-ZIP accepts it too
  });
});

describe('many entries', () => {
  // Speed is measured by `npm run bench`, not asserted here; this checks a
  // 20k-entry layer opens with every entry and implied directory listed.
  it('opens a 20k-entry layer and lists every entry', async () => {
    const entries: ZipEntry[] = [];
    for (let i = 0; i < 20_000; i++)
      entries.push({
        name: `nodejs/node_modules/p${i % 500}/f${i}.js`,
        data: `module.exports=${i}`,
      });
    const file = join(tmp, 'many.zip');
    writeFileSync(file, writeZip(entries));
    const src = await openZipFile(file);
    expect(src.entries().length).toBe(20_000 + 500 + 2);
    expect((await src.read('nodejs/node_modules/p7/f19507.js')).toString()).toBe(
      'module.exports=19507'
    );
    await src.close();
  });
});
