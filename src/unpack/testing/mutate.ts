/**
 * Seeded mutations of zip layers and tar image layers for the differential fuzz
 * (`differential-fuzz.test.ts`, `npm run fuzz`). Mutant `i` of seed `s` is the same bytes on
 * every machine and every run: its random source is derived from `(s, i)` alone, and its seed
 * archives are either written here by the repository's deterministic writers or read from
 * fixed files under testdata/.
 *
 * Zip mutants come from two families. Model mutants rewrite a small layer's entries before
 * scripts/lib/zipwriter.mjs writes it, so both headers stay consistent where a raw byte flip
 * would only be a corrupt archive: names (a byte order mark, separators, controls, `..`,
 * case), symlink targets, hosts, versions, flags, attributes, extra fields, local-header and
 * data-descriptor lies, hidden entries. Field mutants patch the header fields of real zips
 * (the repository's layers and the model layer) in place, in one or both headers, and a few
 * take plain byte havoc. Tar mutants patch ustar header fields (checksum fixed most of the
 * time), insert PAX and GNU long-name headers, and drop, repeat or cut entries, in windows of
 * the repository's image layers and in a layer with PAX names, links and whiteouts.
 *
 * Each mutant carries the list of operations that made it, for triage. Test-only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { paxRecords, writeTar, type TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import {
  unicodePathExtra,
  writeZip,
  type ZipEntry,
  type ZipOptions,
} from '../../../scripts/lib/zipwriter.mjs';
import { hiddenEntry, xlField } from './hostile-zips.js';

/**
 * mulberry32 over a state mixed from a seed and a stream number: small, fast and the same
 * on every platform (Math.random cannot be seeded).
 */
export class Rng {
  #s: number;

  constructor(seed: number, stream = 0) {
    let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    this.#s = (h ^ (h >>> 15)) >>> 0;
  }

  /** The next 32 random bits. */
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
}

/** One mutated archive and how it was made. */
export interface Mutant {
  /** `zip-SEED-INDEX` or `tar-SEED-INDEX`. */
  id: string;
  bytes: Buffer;
  /** The seed archive and each operation applied, in order. */
  ops: string[];
}

const REPO = join(import.meta.dirname, '../../..');
const BOM = '\ufeff';

// ---------------------------------------------------------------------------------------------
// zip

/** A small layer: directories, deflated and stored files, descriptors, a non-ASCII name, a link. */
const ZIP_LAYER: readonly ZipEntry[] = [
  { name: 'python/', dir: true },
  { name: 'python/pkg/', dir: true },
  { name: 'python/pkg/__init__.py', data: 'VERSION = "1.0"\n' },
  { name: 'python/pkg/mod.py', data: 'def f():\n    return 1\n'.repeat(6) },
  { name: 'python/pkg/data.txt', data: 'stored\n', method: 'store' },
  { name: 'python/pkg/donn\u00e9es.txt', data: 'accents\n' },
  {
    name: 'nodejs/node_modules/x/package.json',
    data: '{"name":"x","main":"index.js"}\n',
    dataDescriptor: true,
  },
  {
    name: 'nodejs/node_modules/x/index.js',
    data: 'module.exports = 1;\n',
    method: 'store',
    dataDescriptor: true,
  },
  { name: 'bin/tool', data: '#!/bin/sh\necho tool\n', mode: 0o755 },
  { name: 'bin/current', symlink: 'tool' },
];

/** Layer zips of the repository small enough to read quickly, each one lamina accepts. */
const ZIP_FILES = [
  'testdata/hostile/plain.zip',
  'testdata/hostile/symlinked-node-modules.zip',
  'testdata/hostile/link-outside.zip',
  'testdata/hostile/exec-wrapper.zip',
  'testdata/hostile/python-plain.zip',
] as const;

const FLAG_DESCRIPTOR = 0x8;
const FLAG_UTF8 = 0x800;
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const extraField = (id: number, body: Buffer): Buffer =>
  Buffer.concat([u16(id), u16(body.length), body]);

/** Info-ZIP's ASi Unix field (0x756e): a mode and, for a link, its target. */
function asiField(mode: number, link = ''): Buffer {
  const body = Buffer.concat([u16(mode), u32(link.length), u16(0), u16(0), Buffer.from(link)]);
  return extraField(0x756e, Buffer.concat([u32(crc32(body)), body]));
}

/** The extra fields readers interpret in different ways, for one entry. */
function zipExtra(rng: Rng, e: ZipEntry): [string, Buffer] {
  const name = Buffer.from(e.name);
  const kinds: (() => [string, Buffer])[] = [
    () => ['unicode-path(other)', unicodePathExtra(`${e.name}x`, name)],
    () => ['unicode-path(bom)', unicodePathExtra(BOM + e.name, name)],
    () => ['unicode-path(same)', unicodePathExtra(e.name, name)],
    () => ['unicode-path(stale crc)', unicodePathExtra(e.name, Buffer.from('other'))],
    () => ['xl(dir)', xlField(0o040755)],
    () => ['xl(file)', xlField(0o100644)],
    () => ['asi(link)', asiField(0o120777, 'tool')],
    () => ['asi(dir)', asiField(0o040755)],
    () => ['asi(file)', asiField(0o100755)],
    () => ['ux', extraField(0x7875, Buffer.from([1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0]))],
    () => ['ut', extraField(0x5455, Buffer.from([1, 0, 0, 0, 0]))],
    () => ['zip64(size)', extraField(0x0001, Buffer.alloc(8))],
    () => ['ntfs', extraField(0x000a, Buffer.alloc(32))],
    () => ['unknown', extraField(rng.int(0x10000), Buffer.alloc(rng.int(6)))],
    () => ['truncated', Buffer.concat([u16(0x7075), u16(40), Buffer.from([1])])],
  ];
  return rng.pick(kinds)();
}

/** Characters and components that readers join, drop, decode or refuse differently. */
const NAME_CHARS = [
  BOM,
  '\\',
  '\x00',
  '\x01',
  '\x1b',
  '\x7f',
  '\u0085',
  '\u202e',
  ' ',
  ':',
  '\u0301',
];
const NAME_PARTS = ['..', '.', '', 'C:', '~', BOM];
const LINK_TARGETS = [
  'tool',
  './tool',
  '../bin/tool',
  '/etc/passwd',
  `${BOM}tool`,
  'tool\x00x',
  '',
  'a b',
  '..',
  '.',
  'x'.repeat(5000),
  'donn\u00e9es',
  'bin/../tool',
];
const HOSTS = [0, 1, 2, 3, 6, 10, 11, 13, 14, 16, 18, 19, 30, 255];
const VERSIONS_NEEDED = [0, 10, 20, 45, 46, 47, 50, 51, 52, 61, 62, 63, 64, 0x0214, 0x0314, 0x1314];
const FLAG_BITS = [
  0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x8000,
];
const MODES = [
  0o100644, 0o100755, 0o120777, 0o040755, 0o010644, 0o020644, 0o060644, 0o140755, 0o170000, 0,
  0o104755, 0o004755,
];
const DOS_ATTRS = [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x80, 0x400];

const baseFlags = (e: ZipEntry): number =>
  // eslint-disable-next-line no-control-regex
  ((e.utf8 ?? !/^[\x00-\x7f]*$/.test(e.name)) ? FLAG_UTF8 : 0) |
  (e.dataDescriptor ? FLAG_DESCRIPTOR : 0);

/** Edit a name: one character or component inserted, replaced or recased. */
function mutateName(rng: Rng, name: string): [string, string] {
  const parts = name.split('/');
  const at = rng.int(parts.length);
  const part = parts[at] ?? '';
  switch (rng.int(7)) {
    case 0:
      parts[at] = BOM + part;
      return ['bom', parts.join('/')];
    case 1: {
      const c = rng.pick(NAME_CHARS);
      const i = rng.int(part.length + 1);
      parts[at] = part.slice(0, i) + c + part.slice(i);
      return [`char(${JSON.stringify(c)})`, parts.join('/')];
    }
    case 2: {
      const p = rng.pick(NAME_PARTS);
      parts.splice(at, rng.int(2), p);
      return [`part(${JSON.stringify(p)})`, parts.join('/')];
    }
    case 3:
      return ['case', name.toUpperCase()];
    case 4:
      // An NFD spelling: libarchive writes the NFC one.
      return ['nfd', name.includes('\u00e9') ? name.normalize('NFD') : `${name}e\u0301`];
    case 5:
      return ['slash', rng.pick([`${name}/`, `/${name}`, `./${name}`, name.replace('/', '//')])];
    default:
      return ['suffix', `${name}${rng.pick(['.py', '.pth', '.js', '~', '.'])}`];
  }
}

/** One change to a layer's entries (or the archive options); returns what it did. */
function mutateZipModel(rng: Rng, entries: ZipEntry[], options: ZipOptions): string {
  const i = rng.int(entries.length);
  const e = entries[i];
  if (e === undefined) return 'none';
  const op = rng.int(16);
  switch (op) {
    case 0: {
      const [how, name] = mutateName(rng, e.name);
      e.name = name;
      return `name:${how}`;
    }
    case 1: {
      const other = entries[rng.int(entries.length)] ?? e;
      const [how, name] = rng.chance(0.5) ? ['same', other.name] : mutateName(rng, other.name);
      entries.splice(i, 0, { ...other, name });
      return `duplicate:${how}`;
    }
    case 2: {
      const target = rng.pick(LINK_TARGETS);
      delete e.data;
      delete e.dir;
      e.symlink = target;
      return `symlink(${JSON.stringify(target.slice(0, 20))})`;
    }
    case 3: {
      const host = rng.pick(HOSTS);
      e.versionMadeBy = (host << 8) | rng.pick([10, 20, 30, 45, 63]);
      return `made-by(${e.versionMadeBy})`;
    }
    case 4:
      e.versionNeeded = rng.pick(VERSIONS_NEEDED);
      return `needed(${e.versionNeeded})`;
    case 5: {
      const bit = rng.pick(FLAG_BITS);
      e.flags = baseFlags(e) ^ bit;
      return `flag(${bit})`;
    }
    case 6: {
      const mode = rng.pick(MODES);
      const dos = rng.pick(DOS_ATTRS);
      e.externalAttr = ((mode << 16) | dos) >>> 0;
      return `external(${mode.toString(8)},${dos})`;
    }
    case 7: {
      const [how, extra] = zipExtra(rng, e);
      if (rng.chance(0.5)) {
        e.extra = Buffer.concat([e.extra ?? Buffer.alloc(0), extra]);
        return `central-extra:${how}`;
      }
      e.local = { ...e.local, extra: Buffer.concat([e.local?.extra ?? Buffer.alloc(0), extra]) };
      return `local-extra:${how}`;
    }
    case 8: {
      const method = rng.pick([0, 1, 8, 9, 12, 14, 93, 99]);
      e.method = method;
      return `method(${method})`;
    }
    case 9: {
      const what = rng.int(5);
      const local = { ...e.local };
      if (what === 0) local.name = mutateName(rng, e.name)[1];
      else if (what === 1) local.flags = baseFlags(e) ^ rng.pick(FLAG_BITS);
      else if (what === 2) local.method = rng.pick([0, 8, 12]);
      else if (what === 3) local.crc = rng.u32();
      else local.size = rng.int(64);
      e.local = local;
      return `local(${what})`;
    }
    case 10: {
      e.dataDescriptor = !e.dataDescriptor;
      if (rng.chance(0.5))
        e.descriptor = rng.pick([{ signature: false }, { zip64: true }, { crc: 1 }, { size: 3 }]);
      return `descriptor(${JSON.stringify(e.descriptor ?? {})})`;
    }
    case 11: {
      const which = rng.pick(['size', 'crc', 'compressedSize'] as const);
      e[which] = rng.pick([0, 1, 3, 0xffffffff, rng.int(300)]);
      return `declared-${which}(${e[which]})`;
    }
    case 12:
      e.gapAfter = hiddenEntry(rng.pick(['python/evil.pth', e.name]));
      return 'hidden-entry';
    case 13:
      if (rng.chance(0.5)) {
        options.prefix = rng.chance(0.5) ? hiddenEntry() : Buffer.from('#!/bin/sh\nexit 0\n');
        return 'prefix';
      }
      options.comment = rng.pick(['PK\x05\x06', 'x'.repeat(300), 'comment']);
      return 'comment';
    case 14:
      if (rng.chance(0.5)) {
        options.end = { entries: rng.int(entries.length + 2) };
        return `end-entries(${options.end.entries})`;
      }
      options.zip64End = rng.chance(0.5) ? {} : { entries: rng.int(entries.length + 2) };
      return 'zip64-end';
    default: {
      e.utf8 = !(baseFlags(e) & FLAG_UTF8);
      if (!e.utf8 && rng.chance(0.5)) e.rawName = Buffer.from(e.name, 'latin1');
      return `utf8-flag(${String(e.utf8)})`;
    }
  }
}

/** Where each record of a well-formed zip is: its end record and central and local headers. */
function zipRecords(b: Buffer): { eocd: number; central: number[]; local: number[] } | undefined {
  const eocd = b.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  if (eocd < 0 || eocd + 22 > b.length) return undefined;
  const central: number[] = [];
  const local: number[] = [];
  let p = b.readUInt32LE(eocd + 16);
  for (let n = b.readUInt16LE(eocd + 10); n > 0; n--) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) break;
    central.push(p);
    local.push(b.readUInt32LE(p + 42));
    p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return { eocd, central, local };
}

const CENTRAL_FIELDS: readonly [string, number, 2 | 4][] = [
  ['made-by', 4, 2],
  ['needed', 6, 2],
  ['flags', 8, 2],
  ['method', 10, 2],
  ['time', 12, 4],
  ['crc', 16, 4],
  ['csize', 20, 4],
  ['size', 24, 4],
  ['name-len', 28, 2],
  ['extra-len', 30, 2],
  ['comment-len', 32, 2],
  ['disk', 34, 2],
  ['internal', 36, 2],
  ['external', 38, 4],
  ['offset', 42, 4],
];
const LOCAL_FIELDS: readonly [string, number, 2 | 4][] = [
  ['needed', 4, 2],
  ['flags', 6, 2],
  ['method', 8, 2],
  ['crc', 14, 4],
  ['csize', 18, 4],
  ['size', 22, 4],
  ['name-len', 26, 2],
  ['extra-len', 28, 2],
];
const END_FIELDS: readonly [string, number, 2 | 4][] = [
  ['disk', 4, 2],
  ['cd-disk', 6, 2],
  ['disk-entries', 8, 2],
  ['entries', 10, 2],
  ['cd-size', 12, 4],
  ['cd-offset', 16, 4],
  ['comment-len', 20, 2],
];
const V2 = [0, 1, 2, 8, 20, 45, 46, 47, 63, 0x0800, 0x0808, 0x0314, 0x031e, 0x0214, 0x8000, 0xffff];
const V4 = [
  0, 1, 0x10, 0x20, 0x7fffffff, 0x80000000, 0xffffffff, 0xa1ff0000, 0x41ed0010, 0x81a40000,
];

function put(b: Buffer, at: number, size: 2 | 4, v: number): void {
  if (at + size > b.length) return;
  if (size === 2) b.writeUInt16LE(v & 0xffff, at);
  else b.writeUInt32LE(v >>> 0, at);
}

/** A new value for a field: an interesting one, a nudge of the current one, or random bits. */
function fieldValue(rng: Rng, b: Buffer, at: number, size: 2 | 4): number {
  const r = rng.int(10);
  if (r < 5) return rng.pick(size === 2 ? V2 : V4);
  const cur = size === 2 ? b.readUInt16LE(at) : b.readUInt32LE(at);
  if (r < 8) return cur + rng.pick([-16, -2, -1, 1, 2, 16, 30]);
  return size === 2 ? rng.int(0x10000) : rng.u32();
}

/** One in-place change to a zip's records, or (rarely) to its bytes. */
function mutateZipBytes(rng: Rng, b: Buffer): [string, Buffer] {
  const rec = zipRecords(b);
  const k = rec ? rng.int(rec.central.length) : -1;
  const cen = rec?.central[k];
  const loc = rec?.local[k];
  const locOk = loc !== undefined && loc + 30 <= b.length && b.readUInt32LE(loc) === 0x04034b50;
  const op = rng.int(12);
  if (rec && cen !== undefined && op < 4) {
    const [name, off, size] = rng.pick(CENTRAL_FIELDS);
    put(b, cen + off, size, fieldValue(rng, b, cen + off, size));
    return [`central.${name}`, b];
  }
  if (locOk && op < 6) {
    const [name, off, size] = rng.pick(LOCAL_FIELDS);
    put(b, loc + off, size, fieldValue(rng, b, loc + off, size));
    return [`local.${name}`, b];
  }
  if (rec && cen !== undefined && locOk && op < 9) {
    // The same change in both headers, as a writer would make it.
    const what = rng.int(3);
    if (what === 0) {
      const f = b.readUInt16LE(cen + 8) ^ rng.pick(FLAG_BITS);
      put(b, cen + 8, 2, f);
      put(b, loc + 6, 2, f);
      return [`both.flags(${f})`, b];
    }
    if (what === 1) {
      const v = rng.pick(VERSIONS_NEEDED);
      put(b, cen + 6, 2, v);
      put(b, loc + 4, 2, v);
      return [`both.needed(${v})`, b];
    }
    const len = Math.min(b.readUInt16LE(cen + 28), b.readUInt16LE(loc + 26));
    const i = rng.int(len);
    const c = rng.pick([0x00, 0x01, 0x2f, 0x5c, 0x3a, 0x2e, 0x7f, 0x80, 0xc3, 0xef, 0xff]);
    if (cen + 46 + i < b.length) b[cen + 46 + i] = c;
    if (loc + 30 + i < b.length) b[loc + 30 + i] = c;
    return [`both.name-byte(${i},${c})`, b];
  }
  if (rec && op < 10) {
    const [name, off, size] = rng.pick(END_FIELDS);
    put(b, rec.eocd + off, size, fieldValue(rng, b, rec.eocd + off, size));
    return [`end.${name}`, b];
  }
  return havoc(rng, b);
}

/** A byte-level change anywhere: a flipped bit, a set byte, bytes inserted, removed or cut off. */
function havoc(rng: Rng, b: Buffer): [string, Buffer] {
  const i = rng.int(b.length);
  switch (rng.int(5)) {
    case 0:
      b[i] = (b[i] ?? 0) ^ (1 << rng.int(8));
      return [`flip(${i})`, b];
    case 1:
      b[i] = rng.pick([0, 0xff, 0x7f, 0x80, 0x2f, 0x2e, 0x5c]);
      return [`set(${i})`, b];
    case 2: {
      const j = rng.int(b.length);
      return [
        `copy(${j}->${i})`,
        Buffer.concat([b.subarray(0, i), b.subarray(j, j + 1 + rng.int(64)), b.subarray(i)]),
      ];
    }
    case 3:
      return [`delete(${i})`, Buffer.concat([b.subarray(0, i), b.subarray(i + 1 + rng.int(16))])];
    default:
      return [`truncate(${i})`, Buffer.from(b.subarray(0, i))];
  }
}

const zipFileCache = new Map<string, Buffer>();
function repoFile(path: string): Buffer {
  let b = zipFileCache.get(path);
  if (!b) zipFileCache.set(path, (b = readFileSync(join(REPO, path))));
  return b;
}

/** Zip mutant `index` of `seed`. */
export function zipMutant(seed: number, index: number): Mutant {
  const rng = new Rng(seed, index);
  const ops: string[] = [];
  let bytes: Buffer;
  // Two in three rewrite the model layer's entries; the rest patch a real zip's fields.
  if (rng.int(3) < 2) {
    const entries = ZIP_LAYER.map((e) => ({ ...e }));
    const options: ZipOptions = {};
    ops.push('seed:model');
    for (let n = 1 + rng.int(2); n > 0; n--) ops.push(mutateZipModel(rng, entries, options));
    bytes = writeZip(entries, options);
    if (rng.chance(0.15)) {
      const [op, b] = mutateZipBytes(rng, bytes);
      ops.push(op);
      bytes = b;
    }
  } else {
    const file = rng.chance(0.3) ? undefined : rng.pick(ZIP_FILES);
    ops.push(`seed:${file ?? 'model'}`);
    bytes = Buffer.from(file ? repoFile(file) : writeZip(ZIP_LAYER.map((e) => ({ ...e }))));
    for (let n = 1 + rng.int(2); n > 0; n--) {
      const [op, b] = mutateZipBytes(rng, bytes);
      ops.push(op);
      bytes = b;
    }
  }
  return { id: `zip-${seed}-${index}`, bytes, ops };
}

// ---------------------------------------------------------------------------------------------
// tar

const GNU_LONG = `opt/${'g'.repeat(120)}.txt`;

/** A layer as image builders write one: PAX names, a GNU long name, links, whiteouts, xattrs. */
const TAR_LAYER: readonly TarEntry[] = [
  { name: 'etc/', type: 'dir', mode: 0o755 },
  { name: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' },
  { name: 'usr/', type: 'dir', mode: 0o755 },
  { name: 'usr/bin/', type: 'dir', mode: 0o755 },
  { name: 'usr/bin/python3', data: '\x7fELF python3\n', mode: 0o755 },
  { name: 'usr/bin/py', type: 'symlink', linkname: 'python3' },
  { name: 'usr/bin/python3.11', type: 'hardlink', linkname: 'usr/bin/python3', mode: 0o755 },
  { name: 'opt/', type: 'dir', mode: 0o755 },
  { name: `opt/${'d'.repeat(110)}/`, type: 'dir' },
  { name: `opt/${'d'.repeat(110)}/mod.py`, data: 'print(1)\n' },
  { name: 'opt/\u00fcn\u00ef.txt', data: 'unicode\n' },
  // GNU tar's long name: an L header, and the name cut at 100 bytes in the ustar header.
  {
    name: GNU_LONG,
    gnuLongName: GNU_LONG,
    ustarName: GNU_LONG.slice(0, 100),
    noPax: true,
    data: 'g\n',
  },
  {
    name: 'opt/ping',
    data: 'cap\n',
    mode: 0o755,
    pax: [['SCHILY.xattr.security.capability', '\u0001\u0000\u0000\u0002']],
  },
  { name: 'var/', type: 'dir' },
  { name: 'var/.wh.old', data: '' },
  { name: 'var/lib/', type: 'dir' },
  { name: 'var/lib/.wh..wh..opq', data: '' },
];

/** The repository's image layers; a mutant takes a window of a few consecutive entries. */
const TAR_FILES = [
  'testdata/images/layers/debian/0.tar',
  'testdata/images/layers/debian/1.tar',
  'testdata/images/layers/debian/2.tar',
  'testdata/images/layers/al2023/0.tar',
] as const;

const TAR_FIELDS: Record<string, readonly [number, number]> = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  size: [124, 12],
  mtime: [136, 12],
  type: [156, 1],
  linkname: [157, 100],
  magic: [257, 8],
  uname: [265, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
};
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const TAR_VALUES: Record<string, readonly Buffer[]> = {
  name: [
    '',
    './',
    '../x',
    'a'.repeat(100),
    'opt//x.py',
    'opt/./x.py',
    'opt/x.py/',
    'etc/passwd',
  ].map((s) => Buffer.from(s)),
  mode: [
    '0000755\0',
    '0104755\0',
    '0120777\0',
    '7777777\0',
    '\x80\0\0\0\0\0\x01\xed',
    '0000644 ',
  ].map(latin1),
  uid: ['0000000\0', '\x80\0\0\0\0\0\0\x01', '       \0', 'x'].map(latin1),
  size: [
    '00000000000\0',
    '77777777777\0',
    '\x80\0\0\0\0\0\0\0\0\0\0\x10',
    '0000000001 \0',
    ' 0000000010\0',
    '\x0000000000005',
    '\xff'.repeat(12),
    '0000000000x\0',
    '00000001000\0',
  ].map(latin1),
  mtime: ['00000000000\0', '\x80\0\0\0\0\0\0\0\0\0\0\x01', '\xff'.repeat(12), '99999999999\0'].map(
    latin1
  ),
  type: [
    '0',
    '\0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    'g',
    'x',
    'L',
    'K',
    'S',
    'D',
    'M',
    'V',
    'A',
    'Z',
  ].map(latin1),
  linkname: ['', '/etc/passwd', '../../x', '.', 'usr/bin/python3', `${BOM}python3`].map((s) =>
    Buffer.from(s)
  ),
  magic: ['ustar\x0000', 'ustar  \0', '\0'.repeat(8), 'USTAR\x0000', 'ustar\0  '].map(latin1),
  uname: ['root', '\x1b[31m', ''].map(latin1),
  devmajor: [
    '0000000\0',
    '000\xad000\0',
    '7777777\0',
    '\x80\0\0\0\0\0\0\x01',
    ' 12    \0',
    'x\0',
    '\0'.repeat(8),
  ].map(latin1),
  devminor: ['0000000\0', '000\xad000\0', '\xff'.repeat(8), 'zz\0'].map(latin1),
  prefix: ['', 'opt', '../x', 'a'.repeat(154), '/', BOM].map((s) => Buffer.from(s)),
};
const PAX_RECORDS: readonly [string, string][] = [
  ['path', 'opt/evil.py'],
  ['path', ''],
  ['path', `${BOM}etc/passwd`],
  ['path', 'a\0b'],
  ['path', 'opt/../x'],
  ['linkpath', '/etc'],
  ['linkpath', `${BOM}python3`],
  ['size', '5'],
  ['size', '-1'],
  ['GNU.sparse.major', '1'],
  ['hdrcharset', 'BINARY'],
  ['mtime', '1.5'],
  ['uid', '99999999999'],
  ['SCHILY.xattr.trusted.overlay.opaque', 'y'],
  ['SCHILY.xattr.security.capability', 'x'],
  ['comment', 'x'],
];

const BLOCK = 512;

/** The octal size field of the header at `at` (NaN when it is not octal). */
function entrySize(b: Buffer, at: number): number {
  const text = b
    .toString('latin1', at + 124, at + 136)
    .replace(/\0.*$/s, '')
    .trim();
  return /^[0-7]*$/.test(text) ? parseInt(text || '0', 8) : NaN;
}

/** Header offsets of a tar, walking sizes as octal (stops at the end blocks or a bad size). */
function tarHeaders(b: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; p + BLOCK <= b.length;) {
    if (b.subarray(p, p + BLOCK).every((x) => x === 0)) break;
    const size = entrySize(b, p);
    if (!Number.isFinite(size) || size < 0) break;
    out.push(p);
    p += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/** Rewrite a header's checksum as writers compute it. */
function fixChecksum(b: Buffer, at: number): void {
  b.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += b[i] ?? 0;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

/** A window of up to eight consecutive entries of a layer, with fresh end blocks. */
function tarWindow(rng: Rng, layer: Buffer): Buffer {
  const hs = tarHeaders(layer);
  const from = rng.int(hs.length);
  const to = Math.min(hs.length, from + 1 + rng.int(8));
  const end = hs[to] ?? tarEnd(layer, hs);
  return Buffer.concat([layer.subarray(hs[from] ?? 0, end), Buffer.alloc(2 * BLOCK)]);
}

/** Where the last entry's data ends. */
function tarEnd(b: Buffer, hs: number[]): number {
  const last = hs[hs.length - 1];
  if (last === undefined) return 0;
  return last + BLOCK + Math.ceil(entrySize(b, last) / BLOCK) * BLOCK;
}

/** One change to a tar's headers or entry sequence. */
function mutateTar(rng: Rng, b: Buffer): [string, Buffer] {
  const hs = tarHeaders(b);
  const k = rng.int(hs.length);
  const at = hs[k] ?? 0;
  const op = rng.int(10);
  // Cut down to less than a header: nothing to patch.
  if (op <= 6 && at + BLOCK > b.length) return ['no-header', b];
  if (op < 5) {
    const field = rng.pick(Object.keys(TAR_FIELDS));
    const [off, len] = TAR_FIELDS[field] ?? [0, 0];
    const v = Buffer.alloc(len);
    rng.pick(TAR_VALUES[field] ?? []).copy(v, 0, 0, len);
    v.copy(b, at + off);
    const fix = rng.chance(0.9);
    if (fix) fixChecksum(b, at);
    return [`field.${field}${fix ? '' : '(bad-sum)'}`, b];
  }
  if (op === 5) {
    // A byte order mark before the stored name.
    const name = b.subarray(at, at + 100);
    Buffer.concat([Buffer.from(BOM), name]).copy(b, at, 0, 100);
    fixChecksum(b, at);
    return ['name-bom', b];
  }
  if (op === 6) {
    b[at + rng.int(BLOCK)] = rng.int(256);
    const fix = rng.chance(0.8);
    if (fix) fixChecksum(b, at);
    return [`header-byte${fix ? '' : '(bad-sum)'}`, b];
  }
  if (op === 7) {
    const [key, value] = rng.pick(PAX_RECORDS);
    const type = rng.chance(0.8) ? 'x' : 'g';
    const data = paxRecords([[key, value]]);
    const meta = writeTar([{ name: 'PaxHeader', typeflag: type, data, noPax: true }], {
      end: false,
    });
    return [`pax-${type}(${key})`, Buffer.concat([b.subarray(0, at), meta, b.subarray(at)])];
  }
  if (op === 8) {
    const type = rng.pick(['L', 'K']);
    const name = rng.pick(['opt/long-evil.py', `${BOM}etc/passwd`, 'x'.repeat(200)]);
    const meta = writeTar(
      [{ name: '././@LongLink', typeflag: type, data: `${name}\0`, noPax: true }],
      {
        end: false,
      }
    );
    return [`gnu-${type}`, Buffer.concat([b.subarray(0, at), meta, b.subarray(at)])];
  }
  const next = hs[k + 1] ?? tarEnd(b, hs);
  switch (rng.int(5)) {
    case 0:
      return ['drop-entry', Buffer.concat([b.subarray(0, at), b.subarray(next)])];
    case 1:
      return [
        'repeat-entry',
        Buffer.concat([b.subarray(0, next), b.subarray(at, next), b.subarray(next)]),
      ];
    case 2: {
      const end = tarEnd(b, hs);
      const extra = writeTar([{ name: 'opt/hidden.py', data: 'print(1)\n' }]);
      return [
        'after-end',
        Buffer.concat([b.subarray(0, end), Buffer.alloc(rng.pick([BLOCK, 2 * BLOCK])), extra]),
      ];
    }
    case 3:
      return ['no-end', Buffer.from(b.subarray(0, tarEnd(b, hs)))];
    default: {
      const cut = rng.int(b.length);
      return [`truncate(${cut})`, Buffer.from(b.subarray(0, cut))];
    }
  }
}

/** Tar mutant `index` of `seed`. */
export function tarMutant(seed: number, index: number): Mutant {
  const rng = new Rng(seed, index);
  const ops: string[] = [];
  let bytes: Buffer;
  if (rng.chance(0.5)) {
    ops.push('seed:model');
    bytes = writeTar(TAR_LAYER.map((e) => ({ ...e })));
  } else {
    const file = rng.pick(TAR_FILES);
    ops.push(`seed:${file}`);
    bytes = tarWindow(rng, repoFile(file));
  }
  for (let n = 1 + rng.int(2); n > 0; n--) {
    const [op, b] = mutateTar(rng, bytes);
    ops.push(op);
    bytes = b;
  }
  return { id: `tar-${seed}-${index}`, bytes, ops };
}
