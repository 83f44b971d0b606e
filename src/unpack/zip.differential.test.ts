/**
 * Differential tests against the real zip readers (Info-ZIP unzip,
 * libarchive bsdtar from a file and from a pipe, Python zipfile, Go
 * archive/zip, Java ZipFile and ZipInputStream; see testing/zip-readers.ts).
 *
 * For every ambiguity class lamina refuses, an archive is built and two named
 * readers are shown to extract it differently (so the case is real), and
 * lamina is shown to refuse it with its code. Then archives written by the
 * mainstream tools are shown to be accepted, with every reader seeing what
 * lamina sees. The readers are required: a missing one fails the suite
 * (.ci/run installs them).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  unicodePathExtra,
  writeZip,
  type DescriptorOverrides,
} from '../../scripts/lib/zipwriter.mjs';
import { UnpackError, type UnpackErrorCode } from '../errors.js';
import {
  deflateTrailingAnEntry,
  endRecordInComment,
  hiddenEntry,
  storedDescriptorHidingAnEntry,
  xlField,
  zip64DisagreesWithClassic,
  zip64WithExtensibleData,
} from './testing/hostile-zips.js';
import {
  NO_SYMLINKS,
  READERS,
  WRITERS,
  ZipReaders,
  laminaView,
  viewKey,
  type ReaderName,
  type View,
  type WriterName,
} from './testing/zip-readers.js';
import { openZipFile } from './zip.js';
import type { FileSource } from './source.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-zipdiff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const mode = (bits: number): number => (bits << 16) >>> 0;
const FAT = 20; // "made by" MS-DOS/FAT, spec 2.0
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

/** An ambiguity class: how to build it, the code lamina refuses it with, two readers that disagree. */
interface Ambiguity {
  name: string;
  code: UnpackErrorCode;
  differ: [ReaderName, ReaderName];
  zip: () => Buffer;
}

/** A stored entry whose data descriptor says `descriptor`, then another entry. */
const storedWithDescriptor = (descriptor: DescriptorOverrides): Buffer =>
  writeZip([
    { name: 'a.txt', data: 'plain', method: 'store', dataDescriptor: true, descriptor },
    { name: 'b.txt', data: 'b' },
  ]);

const ambiguities: Ambiguity[] = [
  // Entry kind
  {
    name: 'Unix directory mode on a name without trailing /',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['bsdtar', 'unzip'],
    zip: () => writeZip([{ name: 'evil.py', data: 'print(1)', externalAttr: mode(0o040755) }]),
  },
  {
    name: 'MS-DOS directory attribute on a name without trailing / (FAT host)',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['go', 'python'],
    zip: () =>
      writeZip([{ name: 'evil.py', data: 'print(1)', versionMadeBy: FAT, externalAttr: 0x10 }]),
  },
  {
    name: 'MS-DOS volume label attribute (FAT host)',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['unzip', 'python'],
    zip: () =>
      writeZip([
        { name: 'a.py', data: 'x' },
        { name: 'evil.py', data: 'print(1)', versionMadeBy: FAT, externalAttr: 0x08 },
      ]),
  },
  {
    // Info-ZIP numbers NTFS 11 (APPNOTE: 10), with a Unix mode as Windows zips of WSL files have.
    name: "MS-DOS volume label attribute (NTFS host in Info-ZIP's numbering)",
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 'a.py', data: 'x' },
        {
          name: 'evil.py',
          data: 'print(1)',
          versionMadeBy: (11 << 8) | 45,
          externalAttr: mode(0o100644) | 0x08,
        },
      ]),
  },
  {
    name: 'symlink mode from a FAT host',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['unzip', 'bsdtar'],
    zip: () =>
      writeZip([
        { name: 't.py', data: 'x' },
        {
          name: 'l.py',
          data: 't.py',
          method: 'store',
          versionMadeBy: FAT,
          externalAttr: mode(0o120444) | 1,
        },
      ]),
  },
  {
    name: 'symlink mode from a macOS host',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['go', 'unzip'],
    zip: () =>
      writeZip([
        { name: 't.py', data: 'x' },
        {
          name: 'l.py',
          data: 't.py',
          method: 'store',
          versionMadeBy: (19 << 8) | 20,
          externalAttr: mode(0o120755),
        },
      ]),
  },
  {
    name: 'symlink mode from a VMS host',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 't.py', data: 'x' },
        {
          name: 'l.py',
          data: 't.py',
          method: 'store',
          versionMadeBy: (2 << 8) | 20,
          externalAttr: mode(0o120755),
        },
      ]),
  },
  {
    name: 'symlink whose internal attributes mark record control fields (bit 2)',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['unzip', 'go'],
    zip: () => {
      const zip = writeZip([
        { name: 't.py', data: 'x' },
        { name: 'l.py', symlink: 't.py' },
      ]);
      zip.writeUInt16LE(4, zip.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1')) + 36);
      return zip;
    },
  },
  {
    name: 'directory entry carrying data',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['go', 'unzip'],
    zip: () => {
      const data = ascii('print(1)');
      return writeZip([
        { name: 'evil/', compressed: data, method: 'store', size: data.length, crc: crc32(data) },
      ]);
    },
  },
  {
    name: 'local "xl" extra field giving another mode',
    code: 'AMBIGUOUS_ENTRY_KIND',
    differ: ['bsdtar-stream', 'unzip'],
    zip: () =>
      writeZip([{ name: 'evil.py', data: 'print(1)', local: { extra: xlField(0o040755) } }]),
  },
  {
    name: 'FIFO with content',
    code: 'SPECIAL_FILE_ENTRY',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([{ name: 'p.py', data: 'print(1)', method: 'store', externalAttr: mode(0o010644) }]),
  },
  {
    name: 'character device with content',
    code: 'SPECIAL_FILE_ENTRY',
    differ: ['python', 'go'],
    zip: () =>
      writeZip([{ name: 'c.py', data: 'print(1)', method: 'store', externalAttr: mode(0o020644) }]),
  },
  // Symlink targets
  {
    name: 'symlink target with a NUL byte',
    code: 'BAD_SYMLINK_TARGET',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 't.py', data: 'x' },
        { name: 'l', symlink: 't.py\u0000evil' },
      ]),
  },
  {
    name: 'symlink with an empty target',
    code: 'BAD_SYMLINK_TARGET',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'l', symlink: '' }]),
  },
  // Names
  {
    name: 'NUL in a name',
    code: 'CONTROL_CHARACTER_IN_NAME',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'evil.py\u0000.txt', data: 'print(1)' }]),
  },
  {
    name: 'LF in a name',
    code: 'CONTROL_CHARACTER_IN_NAME',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'a\nb.py', data: 'print(1)' }]),
  },
  {
    name: 'DEL in a name',
    code: 'CONTROL_CHARACTER_IN_NAME',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'a\u007fb.py', data: 'print(1)' }]),
  },
  {
    name: 'backslash in a name (Unix host)',
    code: 'BACKSLASH_IN_NAME',
    differ: ['bsdtar', 'unzip'],
    zip: () => writeZip([{ name: 'python\\evil.pth', data: 'import os' }]),
  },
  {
    name: 'backslash in a name (FAT host)',
    code: 'BACKSLASH_IN_NAME',
    differ: ['unzip', 'python'],
    zip: () =>
      writeZip([
        { name: 'python\\evil.pth', data: 'import os', versionMadeBy: FAT, externalAttr: 0x20 },
      ]),
  },
  {
    name: 'drive letter',
    code: 'DRIVE_LETTER_IN_NAME',
    differ: ['bsdtar', 'unzip'],
    zip: () => writeZip([{ name: 'C:/python/evil.pth', data: 'import os' }]),
  },
  {
    name: 'a VMS version at the end of a name',
    code: 'VERSION_SUFFIX_IN_NAME',
    differ: ['unzip', 'python'],
    zip: () => writeZip([{ name: 'bootstrap;1', data: '#!/bin/sh\n', mode: 0o755 }]),
  },
  {
    name: 'a bare ";" at the end of a name (a VMS version with no digits)',
    code: 'VERSION_SUFFIX_IN_NAME',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'python/evil.py;', data: 'print(1)' }]),
  },
  {
    name: '.. components',
    code: 'PATH_TRAVERSAL',
    differ: ['unzip', 'go'],
    zip: () => writeZip([{ name: 'x/../../python/evil.pth', data: 'import os' }]),
  },
  {
    name: 'UTF-8 name without the UTF-8 flag',
    code: 'AMBIGUOUS_NAME_ENCODING',
    differ: ['python', 'unzip'],
    zip: () =>
      writeZip([{ name: 'x', rawName: Buffer.from('café.py'), utf8: false, data: 'print(1)' }]),
  },
  {
    name: 'CP437 name',
    code: 'AMBIGUOUS_NAME_ENCODING',
    differ: ['python', 'go'],
    zip: () =>
      writeZip([
        {
          name: 'x',
          rawName: Buffer.from([0x82, 0x2e, 0x70, 0x79]),
          utf8: false,
          data: 'print(1)',
        },
      ]),
  },
  {
    // bsdtar extracts it as python/caf\u00e9.py, where `import café` (NFKC) finds it.
    name: 'name not in Unicode NFC',
    code: 'AMBIGUOUS_NAME_ENCODING',
    differ: ['bsdtar', 'unzip'],
    zip: () => writeZip([{ name: 'python/cafe\u0301.py', data: 'print(1)' }]),
  },
  {
    name: 'UTF-8 flagged name from a FAT host (what jar writes)',
    code: 'AMBIGUOUS_NAME_ENCODING',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([{ name: 'caf\u00e9.py', data: 'print(1)', versionMadeBy: FAT, externalAttr: 0 }]),
  },
  {
    name: 'central Unicode Path field naming another file',
    code: 'UNICODE_PATH_MISMATCH',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 'good.py', data: 'print(1)', extra: unicodePathExtra('evil.py', ascii('good.py')) },
      ]),
  },
  {
    name: 'local Unicode Path field naming another file',
    code: 'UNICODE_PATH_MISMATCH',
    differ: ['bsdtar', 'go'],
    zip: () =>
      writeZip([
        {
          name: 'good.py',
          data: 'print(1)',
          local: { extra: unicodePathExtra('evil.py', ascii('good.py')) },
        },
      ]),
  },
  {
    name: 'local header name differs from the central one',
    code: 'HEADER_MISMATCH',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () => writeZip([{ name: 'good.py', data: 'print(1)', local: { name: 'evil.py' } }]),
  },
  {
    name: 'local sizes that lie next to a data descriptor',
    code: 'HEADER_MISMATCH',
    differ: ['unzip', 'bsdtar'],
    zip: () =>
      writeZip([
        {
          name: 'a.txt',
          data: 'plain text',
          method: 'store',
          dataDescriptor: true,
          local: { size: 3, compressedSize: 3, crc: crc32(ascii('pla')) },
        },
        { name: 'b.txt', data: 'b' },
      ]),
  },
  {
    name: 'the same name twice',
    code: 'DUPLICATE_ENTRY',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 'a.py', data: 'print("first")' },
        { name: 'a.py', data: 'print("second")' },
      ]),
  },
  // Structure
  {
    name: 'zip64 end record listing another directory than the classic one',
    code: 'ZIP64_END_MISMATCH',
    differ: ['go', 'python'],
    zip: zip64DisagreesWithClassic,
  },
  {
    name: 'zip64 end record with extensible data (a second record in it)',
    code: 'ZIP64_END_MISMATCH',
    differ: ['go', 'python'],
    zip: zip64WithExtensibleData,
  },
  {
    name: 'end record hidden in the archive comment',
    code: 'AMBIGUOUS_END_RECORD',
    differ: ['python', 'java-zipfile'],
    zip: endRecordInComment,
  },
  {
    name: 'end record counting 0xFFFF entries on this disk, with no zip64 end record',
    code: 'CORRUPT_ARCHIVE',
    differ: ['bsdtar', 'unzip'],
    zip: () =>
      writeZip(
        [
          { name: 't.txt', data: 'x' },
          { name: 'l.txt', symlink: 't.txt' },
        ],
        { end: { entriesOnDisk: 0xffff } }
      ),
  },
  {
    name: 'a local entry hidden between two listed ones',
    code: 'UNLISTED_DATA',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () =>
      writeZip([
        { name: 'a.txt', data: 'a', gapAfter: hiddenEntry() },
        { name: 'b.txt', data: 'b' },
      ]),
  },
  {
    name: 'a local entry hidden before the central directory',
    code: 'UNLISTED_DATA',
    differ: ['unzip', 'java-zipinputstream'],
    zip: () =>
      writeZip([
        { name: 'a.txt', data: 'a' },
        { name: 'b.txt', data: 'b', gapAfter: hiddenEntry() },
      ]),
  },
  {
    name: 'a local entry hidden before the first one',
    code: 'DATA_BEFORE_FIRST_ENTRY',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () => writeZip([{ name: 'a.txt', data: 'a' }], { prefix: hiddenEntry() }),
  },
  {
    name: 'stored entry with a data descriptor hiding an entry in its data',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'bsdtar-stream'],
    zip: storedDescriptorHidingAnEntry,
  },
  {
    name: 'data descriptor with another CRC (stored entry)',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () => storedWithDescriptor({ crc: 1 }),
  },
  {
    name: 'data descriptor with another size (deflate entry)',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () =>
      writeZip([
        { name: 'a.txt', data: 'plain text', dataDescriptor: true, descriptor: { size: 3 } },
        { name: 'b.txt', data: 'b' },
      ]),
  },
  {
    name: 'data descriptor without its signature (stored entry)',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () => storedWithDescriptor({ signature: false }),
  },
  {
    // bsdtar from a pipe reads 8-byte descriptor sizes and loses b.txt; ZipInputStream reads
    // 4 (with an 8-byte descriptor it fails instead, which lamina refused already).
    name: 'zip64 field in the local header of an entry with a data descriptor',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'bsdtar-stream'],
    zip: () => {
      const zip64 = Buffer.alloc(20);
      zip64.writeUInt16LE(0x0001, 0);
      zip64.writeUInt16LE(16, 2);
      return writeZip([
        { name: 'a.txt', data: 'plain', dataDescriptor: true, local: { extra: zip64 } },
        { name: 'b.txt', data: 'b' },
      ]);
    },
  },
  {
    name: 'deflate stream ending early, an entry hidden after it',
    code: 'TRAILING_COMPRESSED_DATA',
    differ: ['unzip', 'bsdtar-stream'],
    zip: deflateTrailingAnEntry,
  },
  {
    name: 'entry inflating past its declared size',
    code: 'CORRUPT_ARCHIVE',
    differ: ['unzip', 'python'],
    zip: () => {
      const data = ascii('A'.repeat(100) + 'EVIL'.repeat(10));
      return writeZip([{ name: 'a.txt', data, size: 100, crc: crc32(data.subarray(0, 100)) }]);
    },
  },
  {
    // A decoder that drops a leading U+FEFF would read the field as spelling the name.
    name: 'central Unicode Path extra field that is the stored name after a byte order mark',
    code: 'UNICODE_PATH_MISMATCH',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        {
          name: 'good.py',
          data: 'print(1)',
          extra: unicodePathExtra('\ufeffgood.py', ascii('good.py')),
        },
      ]),
  },
  {
    // unzip: "invalid zip file with overlapped components (possible zip bomb)", after a.py.
    name: 'Unicode Path field spelling the name, in an archive with a data descriptor',
    code: 'AMBIGUOUS_DATA_DESCRIPTOR',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        {
          name: 'python/a.py',
          data: 'print(1)\n',
          extra: unicodePathExtra('python/a.py', ascii('python/a.py')),
        },
        { name: 'python/b.py', data: 'print(2)\n', dataDescriptor: true },
        { name: 'python/c.py', data: 'print(3)\n' },
      ]),
  },
  {
    name: 'entry flagged as compressed patched data (flag bit 5)',
    code: 'UNSUPPORTED_COMPRESSION',
    differ: ['python', 'go'],
    zip: () =>
      writeZip([
        { name: 'python/a.py', data: 'print(1)\n' },
        { name: 'python/b.py', data: 'print(2)\n', flags: 0x20 },
      ]),
  },
  {
    name: 'entry that needs zip version 4.7 to extract',
    code: 'UNSUPPORTED_VERSION',
    differ: ['unzip', 'go'],
    zip: () =>
      writeZip([
        { name: 'python/a.py', data: 'print(1)\n' },
        { name: 'python/b.py', data: 'print(2)\n', versionNeeded: 47 },
      ]),
  },
  {
    // Python refuses the whole archive past 6.3.
    name: 'entry that needs zip version 6.4 to extract',
    code: 'UNSUPPORTED_VERSION',
    differ: ['unzip', 'java-zipfile'],
    zip: () =>
      writeZip([
        { name: 'python/a.py', data: 'print(1)\n' },
        { name: 'python/b.py', data: 'print(2)\n', versionNeeded: 64 },
      ]),
  },
  {
    name: 'bzip2 entry (read by some readers only)',
    code: 'UNSUPPORTED_COMPRESSION',
    differ: ['python', 'go'],
    zip: () =>
      writeZip([
        {
          name: 'a.py',
          // bzip2 -c of "print(1)\n"
          compressed: Buffer.from(
            '425a683931415926535959f83a2e000003598000100060200000215400200022034d3d420c988b121b0f17724538509059f83a2e',
            'hex'
          ),
          method: 12,
          size: 9,
          crc: crc32(ascii('print(1)\n')),
        },
      ]),
  },
];

let readers: ZipReaders;
const views = new Map<string, Record<ReaderName, View>>();
const archivePath = (name: string): string =>
  join(tmp, `${createHash('sha256').update(name).digest('hex').slice(0, 12)}.zip`);

/** How the readers group on one archive: one line per distinct view. */
function describeViews(v: Record<ReaderName, View>): string {
  const groups = new Map<string, ReaderName[]>();
  for (const r of READERS) groups.set(viewKey(v[r]), [...(groups.get(viewKey(v[r])) ?? []), r]);
  return [...groups.entries()]
    .map(([key, rs]) => `${rs.join(',')}: ${key.slice(0, 300)}`)
    .join('\n');
}

async function refusal(path: string): Promise<UnpackErrorCode | 'OK'> {
  try {
    const src = await openZipFile(path);
    await src.close();
    return 'OK';
  } catch (err) {
    if (err instanceof UnpackError) return err.code;
    throw err;
  }
}

// Files the valid archives hold: a small layer with an executable and a symlink.
const LAYER: Record<string, string> = {
  'nodejs/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0"}\n',
  'nodejs/node_modules/left-pad/index.js': 'module.exports = (s) => s;\n',
  'python/pkg/__init__.py': 'VERSION = "1.0"\n',
  'python/pkg/data.stored': 'stored by the Go writer\n',
  'bin/tool': '#!/bin/sh\necho tool\n'.repeat(40),
};
const NON_ASCII = 'python/pkg/donn\u00e9es.txt';

function stage(dir: string, withNonAscii: boolean): void {
  for (const [path, text] of Object.entries(LAYER)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  chmodSync(join(dir, 'bin/tool'), 0o755);
  symlinkSync('tool', join(dir, 'bin/current'));
  if (withNonAscii) writeFileSync(join(dir, NON_ASCII), 'accents\n');
}

const written = WRITERS.map((w) => ({ writer: w, path: join(tmp, `written-${w}.zip`) }));
const SAMPLE = join(import.meta.dirname, '../../testdata/layers/sample-layer.zip');
/** Writers that record non-ASCII names in a way readers disagree on (no UTF-8 flag, or a FAT host). */
const NON_ASCII_REFUSED: WriterName[] = ['zip', 'jar'];
const nonAscii = (w: WriterName): string => join(tmp, `non-ascii-${w}.zip`);
const asciiOnly = (w: WriterName): boolean => w === 'zip-stream' || NON_ASCII_REFUSED.includes(w);
/**
 * Readers that cannot read what a writer writes, rather than reading it
 * differently: Java's ZipInputStream refuses stored entries with a data
 * descriptor, which Go's writer always adds.
 */
const CANNOT_READ: Partial<Record<WriterName, ReaderName[]>> = { go: ['java-zipinputstream'] };

beforeAll(() => {
  readers = ZipReaders.prepare(join(tmp, 'readers'));
  for (const a of ambiguities) writeFileSync(archivePath(a.name), a.zip());
  const plain = join(tmp, 'stage-ascii');
  const unicode = join(tmp, 'stage-unicode');
  stage(plain, false);
  stage(unicode, true);
  for (const { writer, path } of written)
    readers.write(writer, asciiOnly(writer) ? plain : unicode, ['nodejs', 'python', 'bin'], path);
  for (const w of NON_ASCII_REFUSED) readers.write(w, unicode, ['python'], nonAscii(w));
  const all = [
    ...ambiguities.map((a) => archivePath(a.name)),
    ...written.map((w) => w.path),
    SAMPLE,
    ...NON_ASCII_REFUSED.map(nonAscii),
  ];
  for (const [path, v] of readers.viewAll(all)) views.set(path, v);
}, 600_000);

describe('each ambiguity class: real readers disagree, lamina refuses', () => {
  it.each(ambiguities.map((a) => [a.name, a.code, a] as const))(
    '%s → %s',
    async (_name, code, a) => {
      const v = views.get(archivePath(a.name));
      if (!v) throw new Error(`no reader views for ${a.name}`);
      const [x, y] = a.differ;
      const why = `readers:\n${describeViews(v)}`;
      expect(v[x].error, `${x} refused the archive; ${why}`).toBeUndefined();
      expect(v[y].error, `${y} refused the archive; ${why}`).toBeUndefined();
      expect(viewKey(v[x]), `${x} and ${y} agree; ${why}`).not.toBe(viewKey(v[y]));
      expect(await refusal(archivePath(a.name))).toBe(code);
    }
  );

  // The readers' harness runs `unzip -o`, which extracts it: without -o, unzip asks on its
  // standard input whether to extract an entry marked VMS, and skips it unanswered.
  it('an entry needing VMS to extract: unzip without -o skips it, Go extracts it, lamina refuses', async () => {
    const path = join(tmp, 'vms-needed.zip');
    writeFileSync(
      path,
      writeZip([
        { name: 'python/a.py', data: 'print(1)\n' },
        { name: 'python/b.py', data: 'print(2)\n', versionNeeded: (2 << 8) | 20 },
      ])
    );
    const dest = join(tmp, 'vms-unzip');
    mkdirSync(dest);
    const r = spawnSync('unzip', ['-q', path, '-d', dest], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).not.toBe(0);
    expect(existsSync(join(dest, 'python/a.py'))).toBe(true);
    expect(existsSync(join(dest, 'python/b.py'))).toBe(false);
    const v = readers.viewAll([path]).get(path);
    expect(v?.go.entries.map((e) => e.path)).toContain('python/b.py');
    expect(await refusal(path)).toBe('UNSUPPORTED_VERSION');
  });

  // Info-ZIP zip 3.0 (Debian) writes UTF-8 bytes without the flag: Python reads CP437.
  // jar sets the flag but records a FAT host: unzip converts the name from CP437.
  it.each([
    ['zip', 'python', 'go'],
    ['jar', 'unzip', 'go'],
  ] as const)(
    'a non-ASCII name written by %s: %s and %s extract different paths, lamina refuses',
    async (writer, x, y) => {
      const v = views.get(nonAscii(writer));
      if (!v) throw new Error('no reader views');
      expect(viewKey(v[x]), describeViews(v)).not.toBe(viewKey(v[y]));
      expect(v[y].entries.map((e) => e.path)).toContain(NON_ASCII);
      expect(await refusal(nonAscii(writer))).toBe('AMBIGUOUS_NAME_ENCODING');
    }
  );
});

describe("a symlink target: readers without links extract it as the file's content", () => {
  const code = "__import__('os').system('echo RAN')#";
  const link = (name: string, target: string) => ({
    name,
    data: target,
    method: 'store' as const,
    externalAttr: mode(0o120777),
  });

  it('a target that is Python code and a path (through a directory named as the code) is refused', async () => {
    const path = join(tmp, 'code-link.zip');
    writeFileSync(
      path,
      writeZip([
        { name: `python/${code}/`, data: '', externalAttr: mode(0o040755) },
        { name: 'python/good.py', data: 'print("good")\n' },
        link('python/x.py', `${code}/../good.py`),
      ])
    );
    const v = readers.viewAll([path]).get(path);
    if (!v) throw new Error('no reader views');
    // Go makes the link, which reaches good.py; Python writes the target as x.py's content.
    expect(v.go.entries.find((e) => e.path === 'python/x.py')?.kind).toBe('symlink');
    expect(v.python.entries.find((e) => e.path === 'python/x.py')?.kind).toBe('file');
    const dest = join(tmp, 'code-link-python');
    const x = spawnSync('python3', ['-m', 'zipfile', '-e', path, dest]);
    expect(x.status).toBe(0);
    const run = spawnSync('python3', ['-c', 'import x'], {
      cwd: join(dest, 'python'),
      encoding: 'utf8',
    });
    expect(run.stdout).toBe('RAN\n');
    expect(await refusal(path)).toBe('BAD_SYMLINK_TARGET');
  });

  it('a target any runtime could read as code is refused whatever the name; plain ones are accepted', async () => {
    const write = (name: string, entries: Parameters<typeof writeZip>[0]): string => {
      const path = join(tmp, name);
      writeFileSync(path, writeZip(entries));
      return path;
    };
    // Node.js runs a package's main by any name ("main": "notes.txt").
    const notes = write('code-notes.zip', [
      { name: `nodejs/node_modules/x/${code}/`, data: '', externalAttr: mode(0o040755) },
      { name: 'nodejs/node_modules/x/good.js', data: '1;\n' },
      link('nodejs/node_modules/x/notes.txt', `${code}/../good.js`),
    ]);
    expect(await refusal(notes)).toBe('BAD_SYMLINK_TARGET');
    const spaced = write('spaced-link.zip', [
      { name: 'certs/NetLock Arany (Class Gold).pem', data: 'cert\n' },
      link('certs/988a38cb.0', 'NetLock Arany (Class Gold).pem'),
    ]);
    expect(await refusal(spaced)).toBe('BAD_SYMLINK_TARGET');
    const plain = write('plain-links.zip', [
      { name: 'python/my_module.py', data: 'print("good")\n' },
      link('python/x.py', 'my_module.py'),
      // Debian's certificate links: '_' for spaces, '=' for parentheses, letters beyond ASCII.
      {
        name: 'certs/NetLock_Arany_=Class_Gold=_F\u0151tan\u00fas\u00edtv\u00e1ny.pem',
        data: 'cert\n',
      },
      link('certs/988a38cb.0', 'NetLock_Arany_=Class_Gold=_F\u0151tan\u00fas\u00edtv\u00e1ny.pem'),
    ]);
    expect(await refusal(plain)).toBe('OK');
  });
});

/** Every reader extracts the archive at `path`, each seeing what lamina's `src` of it lists. */
async function expectReadersSee(path: string, src: FileSource): Promise<void> {
  const v = readers.viewAll([path]).get(path);
  if (!v) throw new Error('no reader views');
  const view = await laminaView(src, true);
  for (const r of READERS) {
    expect(v[r].error, `${r} refused it`).toBeUndefined();
    expect(v[r].entries, r).toEqual(view);
  }
}

describe('a byte order mark is part of a name, as every reader keeps it', () => {
  it('a name may start with one; a link to "\\uFEFFgood.txt" is refused, not read as one to "good.txt"', async () => {
    const path = join(tmp, 'bom.zip');
    const link = (name: string, target: string) => ({
      name,
      data: target,
      method: 'store' as const,
      externalAttr: mode(0o120777),
    });
    const files = [
      { name: 'python/good.txt', data: '# nothing\n' },
      { name: 'python/\ufeffgood.txt', data: 'import os\n' },
      { name: '\ufefftop.txt', data: 'top\n' },
    ];
    writeFileSync(path, writeZip(files));
    const src = await openZipFile(path);
    try {
      expect(src.get('\ufefftop.txt')?.kind).toBe('file');
      expect(src.get('python/\ufeffgood.txt')?.kind).toBe('file');
      await expectReadersSee(path, src);
    } finally {
      await src.close();
    }
    const linked = join(tmp, 'bom-link.zip');
    writeFileSync(linked, writeZip([...files, link('python/notes.txt', '\ufeffgood.txt')]));
    expect(await refusal(linked)).toBe('BAD_SYMLINK_TARGET');
  });
});

describe('a directory entry with every type bit set, as old Maven jars have them', () => {
  it('is a directory to every reader and to lamina; a file with that mode is refused', async () => {
    // plexus-archiver wrote META-INF/maven/ with mode 0177777 and the MS-DOS directory bit.
    const path = join(tmp, 'maven-dir.zip');
    const dirEntry = (name: string) => ({
      name,
      data: '',
      method: 'store' as const,
      externalAttr: mode(0o177777) | 0x10,
    });
    writeFileSync(
      path,
      writeZip([
        dirEntry('META-INF/'),
        { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' },
        dirEntry('META-INF/maven/'),
        { name: 'META-INF/maven/pom.properties', data: 'version=2.6\n' },
      ])
    );
    const src = await openZipFile(path);
    try {
      expect(src.get('META-INF/maven')?.kind).toBe('dir');
      await expectReadersSee(path, src);
    } finally {
      await src.close();
    }
    const file = join(tmp, 'maven-file.zip');
    writeFileSync(
      file,
      writeZip([{ name: 'x.py', data: 'print(1)', method: 'store', externalAttr: mode(0o177777) }])
    );
    expect(await refusal(file)).toBe('SPECIAL_FILE_ENTRY');
  });
});

describe('archives the mainstream writers produce: accepted, and every reader sees what lamina sees', () => {
  it.each([...written.map((w) => [w.writer, w.path] as const), ['sample layer', SAMPLE] as const])(
    '%s',
    async (writer: WriterName | 'sample layer', path) => {
      const v = views.get(path);
      if (!v) throw new Error(`no reader views for ${writer}`);
      const src = await openZipFile(path);
      try {
        if (writer !== 'sample layer') {
          expect(src.get('bin/tool')).toMatchObject({ kind: 'file' });
          expect((await src.read('nodejs/node_modules/left-pad/package.json')).toString()).toBe(
            LAYER['nodejs/node_modules/left-pad/package.json']
          );
          if (!asciiOnly(writer)) expect((await src.read(NON_ASCII)).toString()).toBe('accents\n');
        }
        const withLinks = await laminaView(src, true);
        const withoutLinks = await laminaView(src, false);
        for (const r of READERS) {
          if (writer !== 'sample layer' && CANNOT_READ[writer]?.includes(r)) {
            expect(v[r].error, `${r} now reads ${writer}'s archive`).toBeDefined();
            continue;
          }
          expect(v[r].error, `${r} refused ${writer}'s archive`).toBeUndefined();
          expect(v[r].entries, `${r} on ${writer}'s archive`).toEqual(
            NO_SYMLINKS.has(r) ? withoutLinks : withLinks
          );
        }
      } finally {
        await src.close();
      }
    }
  );
});
