// A small deterministic zip writer (no dependencies) for fixtures, the
// benchmark and tests. Every timestamp is 1980-01-01 00:00 so the same
// inputs always give the same bytes. It can also craft hostile archives:
// each entry and the archive as a whole take overrides that make the
// local header, central directory or end record lie.
//
// Format: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const UNIX = 3;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DESCRIPTOR = 0x8;
const FLAG_UTF8 = 0x800;

const u16 = (n) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n >>> 0);
  return b;
};
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const pick = (v, d) => (v === undefined ? d : v);

/** A data descriptor (APPNOTE 4.3.9): signature, CRC-32 and both sizes, each overridable. */
function descriptor(c, o) {
  const size = o.zip64 ? u64 : u32;
  return Buffer.concat([
    o.signature === false ? Buffer.alloc(0) : u32(0x08074b50),
    u32(pick(o.crc, c.crc)),
    size(pick(o.compressedSize, c.compressedSize)),
    size(pick(o.size, c.size)),
  ]);
}

/**
 * An Info-ZIP Unicode Path extra field (0x7075): version 1, the CRC-32 of
 * the name bytes it stands for, and the UTF-8 name.
 * @param {string} name
 * @param {Buffer} forName
 */
export function unicodePathExtra(name, forName) {
  const utf8 = Buffer.from(name, 'utf8');
  return Buffer.concat([
    u16(0x7075),
    u16(5 + utf8.length),
    Buffer.from([1]),
    u32(crc32(forName)),
    utf8,
  ]);
}

function methodCode(m) {
  if (m === undefined || m === 'deflate') return 8;
  if (m === 'store') return 0;
  return m;
}

/** Resolve one entry spec to the bytes and header fields it will be written with. */
function prepare(e) {
  const isDir = e.dir === true || e.name.endsWith('/');
  const name = isDir && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  let data = Buffer.alloc(0);
  let type = S_IFREG;
  let perm = pick(e.mode, 0o644);
  if (e.symlink !== undefined) {
    data = Buffer.from(e.symlink, 'utf8');
    type = S_IFLNK;
    perm = pick(e.mode, 0o777);
  } else if (isDir) {
    type = S_IFDIR;
    perm = pick(e.mode, 0o755);
  } else if (e.data !== undefined) {
    data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
  }
  let method = methodCode(
    e.method ?? (data.length === 0 || e.symlink !== undefined ? 'store' : 'deflate')
  );
  let stored;
  if (e.compressed !== undefined) stored = e.compressed;
  else if (method === 8) stored = deflateRawSync(data, { level: 9 });
  else stored = data;
  const nameBytes = e.rawName ?? Buffer.from(name, 'utf8');
  // eslint-disable-next-line no-control-regex
  const utf8 = pick(e.utf8, !/^[\x00-\x7f]*$/.test(name));
  let flags = (utf8 ? FLAG_UTF8 : 0) | (e.encrypted ? FLAG_ENCRYPTED : 0);
  if (e.dataDescriptor) flags |= FLAG_DESCRIPTOR;
  if (e.flags !== undefined) flags = e.flags;
  const central = {
    nameBytes,
    method,
    flags,
    crc: pick(e.crc, crc32(data)),
    compressedSize: pick(e.compressedSize, stored.length),
    size: pick(e.size, data.length),
    versionMadeBy: pick(e.versionMadeBy, (UNIX << 8) | 20),
    versionNeeded: pick(e.versionNeeded, 20),
    externalAttr: pick(e.externalAttr, (((type | perm) << 16) | (isDir ? 0x10 : 0)) >>> 0),
    extra: e.extra ?? Buffer.alloc(0),
  };
  const l = e.local ?? {};
  const descriptor = (central.flags & FLAG_DESCRIPTOR) !== 0;
  const local = {
    nameBytes: l.rawName ?? (l.name !== undefined ? Buffer.from(l.name, 'utf8') : nameBytes),
    method: pick(l.method, central.method),
    flags: pick(l.flags, central.flags),
    // With a data descriptor the local header carries zeros, as zip(1) writes it.
    crc: pick(l.crc, descriptor ? 0 : central.crc),
    compressedSize: pick(l.compressedSize, descriptor ? 0 : central.compressedSize),
    size: pick(l.size, descriptor ? 0 : central.size),
    extra: l.extra ?? Buffer.alloc(0),
  };
  return { e, stored, central, local, descriptor };
}

function localHeader(l) {
  return Buffer.concat([
    u32(0x04034b50),
    u16(20),
    u16(l.flags),
    u16(l.method),
    u16(DOS_TIME),
    u16(DOS_DATE),
    u32(l.crc),
    u32(l.compressedSize),
    u32(l.size),
    u16(l.nameBytes.length),
    u16(l.extra.length),
    l.nameBytes,
    l.extra,
  ]);
}

function centralHeader(c, offset) {
  const extra = c.extra ?? Buffer.alloc(0);
  return Buffer.concat([
    u32(0x02014b50),
    u16(c.versionMadeBy),
    u16(pick(c.versionNeeded, 20)),
    u16(c.flags),
    u16(c.method),
    u16(DOS_TIME),
    u16(DOS_DATE),
    u32(c.crc),
    u32(c.compressedSize),
    u32(c.size),
    u16(c.nameBytes.length),
    u16(extra.length),
    u16(0),
    u16(0),
    u16(0),
    u32(c.externalAttr),
    u32(offset),
    c.nameBytes,
    extra,
  ]);
}

function endRecord(count, cdSize, cdOffset, comment, o) {
  return Buffer.concat([
    u32(0x06054b50),
    u16(pick(o.disk, 0)),
    u16(pick(o.cdDisk, 0)),
    u16(pick(o.entriesOnDisk, pick(o.entries, count))),
    u16(pick(o.entries, count)),
    u32(pick(o.cdSize, cdSize)),
    u32(pick(o.cdOffset, cdOffset)),
    u16(comment.length),
    comment,
  ]);
}

/**
 * Build a zip archive in memory. See zipwriter.d.mts for every knob.
 * @param {import('./zipwriter.d.mts').ZipEntry[]} entries
 * @param {import('./zipwriter.d.mts').ZipOptions} [options]
 * @returns {Buffer}
 */
export function writeZip(entries, options = {}) {
  const prefix = options.prefix ?? Buffer.alloc(0);
  // By default offsets count the prefix (as `zip -A` leaves them); with
  // shiftOffsets: false they are relative to the first local header instead.
  const base = options.shiftOffsets === false ? 0 : prefix.length;
  const parts = [prefix];
  let pos = 0;
  const offsets = [];
  const prepared = entries.map(prepare);
  for (const p of prepared) {
    if (p.e.offsetOf !== undefined) {
      // Point this central record at an earlier entry's local header and write nothing.
      offsets.push(offsets[p.e.offsetOf]);
      continue;
    }
    offsets.push(base + pos + pick(p.e.offsetDelta, 0));
    const h = localHeader(p.local);
    parts.push(h, p.stored);
    pos += h.length + p.stored.length;
    if (p.descriptor) {
      const d = descriptor(p.central, p.e.descriptor ?? {});
      parts.push(d);
      pos += d.length;
    }
    if (p.e.gapAfter !== undefined) {
      parts.push(p.e.gapAfter);
      pos += p.e.gapAfter.length;
    }
  }
  const cdOffset = base + pos;
  const central = prepared.map((p, i) => centralHeader(p.central, offsets[i]));
  const cd = Buffer.concat(central);
  parts.push(cd);
  const comment = Buffer.from(options.comment ?? '', 'latin1');
  if (options.zip64End) {
    const z = options.zip64End;
    const at = base + pos + cd.length;
    const extensible = z.extensible ?? Buffer.alloc(0);
    parts.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44 + extensible.length),
        u16((UNIX << 8) | 45),
        u16(45),
        u32(0),
        u32(0),
        u64(pick(z.entries, prepared.length)),
        u64(pick(z.entries, prepared.length)),
        u64(pick(z.cdSize, cd.length)),
        u64(pick(z.cdOffset, cdOffset)),
        extensible,
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(pick(z.recordOffset, at)), u32(1)])
    );
  }
  if (!options.omitEnd)
    parts.push(endRecord(prepared.length, cd.length, cdOffset, comment, options.end ?? {}));
  let out = Buffer.concat(parts);
  if (options.truncate !== undefined) out = out.subarray(0, options.truncate);
  return out;
}

/**
 * Write a stored (uncompressed) zip straight to a file, streaming each
 * entry's chunks, so multi-hundred-megabyte archives never sit in memory.
 * @param {string} path
 * @param {import('./zipwriter.d.mts').StreamEntry[]} entries
 */
export async function writeZipFile(path, entries) {
  const fh = await open(path, 'w');
  try {
    let pos = 0;
    const central = [];
    for (const e of entries) {
      const nameBytes = Buffer.from(e.name, 'utf8');
      const offset = pos;
      const l = {
        nameBytes,
        method: 0,
        flags: 0,
        crc: 0,
        compressedSize: 0,
        size: 0,
        extra: Buffer.alloc(0),
      };
      await fh.write(localHeader(l), 0, 30 + nameBytes.length, pos);
      pos += 30 + nameBytes.length;
      let crc = 0;
      let size = 0;
      const chunks = e.data !== undefined ? [Buffer.from(e.data)] : e.chunks;
      for (const c of chunks) {
        crc = crc32(c, crc);
        await fh.write(c, 0, c.length, pos);
        pos += c.length;
        size += c.length;
      }
      // Patch crc and sizes into the local header now that they are known.
      const fix = Buffer.concat([u32(crc), u32(size), u32(size)]);
      await fh.write(fix, 0, 12, offset + 14);
      central.push(
        centralHeader(
          {
            nameBytes,
            method: 0,
            flags: 0,
            crc,
            compressedSize: size,
            size,
            versionMadeBy: (UNIX << 8) | 20,
            externalAttr: ((S_IFREG | pick(e.mode, 0o644)) << 16) >>> 0,
          },
          offset
        )
      );
    }
    const cd = Buffer.concat(central);
    const tail = Buffer.concat([
      cd,
      endRecord(entries.length, cd.length, pos, Buffer.alloc(0), {}),
    ]);
    await fh.write(tail, 0, tail.length, pos);
  } finally {
    await fh.close();
  }
}

/**
 * Zip a directory deterministically: entries sorted by byte order of their
 * path, directories included, symlinks stored as links, files deflated.
 * @param {string} dir
 * @returns {Buffer}
 */
export function zipDirectory(dir) {
  return writeZip(directoryEntries(dir));
}

/** The entries zipDirectory writes for `dir` (sorted, symlinks kept as links), to extend first. */
export function directoryEntries(dir) {
  const entries = [];
  const walk = (rel) => {
    const names = readdirSync(join(dir, rel)).sort((a, b) =>
      Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
    );
    for (const n of names) {
      const path = rel ? `${rel}/${n}` : n;
      const abs = join(dir, path);
      const st = lstatSync(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) entries.push({ name: path, symlink: readlinkSync(abs) });
      else if (st.isDirectory()) {
        entries.push({ name: `${path}/`, mode });
        walk(path);
      } else if (st.isFile()) entries.push({ name: path, data: readFileSync(abs), mode });
    }
  };
  walk('');
  return entries;
}
