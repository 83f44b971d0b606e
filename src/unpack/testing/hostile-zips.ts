/**
 * Builders for hostile zips that need more than one writeZip call: hidden
 * local entries, two central directories behind one archive, fake records in
 * comments and data. Test-only.
 *
 * Format: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** An archive's parts: local entries, central records, and where the directory starts. */
function split(zip: Buffer): { body: Buffer; records: Buffer[]; cdOffset: number } {
  const cdSize = zip.readUInt32LE(zip.length - 10);
  const cdOffset = zip.readUInt32LE(zip.length - 6);
  const records: Buffer[] = [];
  for (let p = cdOffset; p < cdOffset + cdSize;) {
    const len = 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    records.push(zip.subarray(p, p + len));
    p += len;
  }
  return { body: zip.subarray(0, cdOffset), records, cdOffset };
}

/**
 * The same archive with its central records in reverse order (sizes and offsets unchanged): the
 * records no longer in file order. `zip` has a classic end record and no comment.
 */
export function reverseCentralDirectory(zip: Buffer): Buffer {
  const { body, records } = split(zip);
  return Buffer.concat([body, ...records.reverse(), zip.subarray(zip.length - 22)]);
}

/** A complete local header and stored data: what a gap can hide from central-directory readers. */
export function hiddenEntry(name = 'python/evil.pth', data = 'import os'): Buffer {
  return split(writeZip([{ name, data, method: 'store' }])).body;
}

/** A libarchive "xl" extra field stating a Unix host and these mode bits. */
export function xlField(mode: number): Buffer {
  return Buffer.concat([
    u16(0x6c78),
    u16(7),
    Buffer.from([1 | 4]),
    u16((3 << 8) | 20),
    u32(mode << 16),
  ]);
}

/** The 56-byte zip64 end of central directory record. */
function zip64Record(entries: number, cdSize: number, cdOffset: number, extensible = 0): Buffer {
  return Buffer.concat([
    u32(0x06064b50),
    u64(44 + extensible),
    u16((3 << 8) | 45),
    u16(45),
    u32(0),
    u32(0),
    u64(entries),
    u64(entries),
    u64(cdSize),
    u64(cdOffset),
  ]);
}

function locator(recordAt: number): Buffer {
  return Buffer.concat([u32(0x07064b50), u32(0), u64(recordAt), u32(1)]);
}

function endRecord(entries: number, cdSize: number, cdOffset: number): Buffer {
  return Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries),
    u16(entries),
    u32(cdSize),
    u32(cdOffset),
    u16(0),
  ]);
}

const twoEntries = (): Buffer =>
  writeZip([
    { name: 'good.py', data: 'print("good")' },
    { name: 'evil.py', data: 'print("evil")' },
  ]);

/**
 * The classic end record lists good.py and evil.py, the zip64 one good.py
 * only. Go reads the classic record (nothing is saturated), Python the zip64
 * one. A byte between the two directories stops Go reading on into the second.
 */
export function zip64DisagreesWithClassic(): Buffer {
  const { body, records } = split(twoEntries());
  const both = Buffer.concat(records);
  const goodOnly = records[0] ?? Buffer.alloc(0);
  const bothAt = body.length;
  const goodAt = bothAt + both.length + 1;
  const recordAt = goodAt + goodOnly.length;
  return Buffer.concat([
    body,
    both,
    Buffer.from([0]),
    goodOnly,
    zip64Record(1, goodOnly.length, goodAt),
    locator(recordAt),
    endRecord(2, both.length, bothAt),
  ]);
}

/**
 * A zip64 end record whose extensible data holds a second directory and a
 * second zip64 record: Python reads the record 56 bytes before the locator
 * (the second one, listing good.py), Go and libarchive the one the locator
 * points at (listing both).
 */
export function zip64WithExtensibleData(): Buffer {
  const { body, records } = split(twoEntries());
  const both = Buffer.concat(records);
  const goodOnly = records[0] ?? Buffer.alloc(0);
  const realAt = body.length + both.length;
  const goodAt = realAt + 56;
  const fake = zip64Record(1, goodOnly.length, goodAt);
  const real = zip64Record(2, both.length, body.length, goodOnly.length + fake.length);
  const saturated = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(0xffff),
    u16(0xffff),
    u32(0xffffffff),
    u32(0xffffffff),
    u16(0),
  ]);
  return Buffer.concat([body, both, real, goodOnly, fake, locator(realAt), saturated]);
}

/**
 * A second end record inside the archive comment whose own comment does not
 * reach the end of the file. Python and Go take the last signature that
 * fits (it lists nothing), Java the one whose comment reaches the end.
 */
export function endRecordInComment(): Buffer {
  const zip = writeZip([{ name: 'evil.py', data: 'print(1)' }]);
  const fake = endRecord(0, 0, zip.readUInt32LE(zip.length - 6));
  const comment = Buffer.concat([Buffer.from('xx'), fake, Buffer.from('tail')]);
  return Buffer.concat([zip.subarray(0, zip.length - 2), u16(comment.length), comment]);
}

/** A fake data descriptor for `data`: what a streaming reader takes as the end of the entry. */
function fakeDescriptor(data: Buffer): Buffer {
  return Buffer.concat([u32(0x08074b50), u32(crc32(data)), u32(data.length), u32(data.length)]);
}

/**
 * A stored entry with a data descriptor whose data holds a fake descriptor
 * and then a whole local entry: libarchive's streaming reader ends the entry
 * at the fake and extracts the hidden one.
 */
export function storedDescriptorHidingAnEntry(): Buffer {
  const head = Buffer.from('harmless\n');
  const data = Buffer.concat([head, fakeDescriptor(head), hiddenEntry()]);
  return writeZip([
    { name: 'a.txt', data, method: 'store', dataDescriptor: true },
    { name: 'b.txt', data: 'b' },
  ]);
}

/**
 * A deflate entry whose compressed bytes go on after the end of the deflate
 * stream, with a fake descriptor and a whole local entry: a streaming reader
 * stops at the end of the stream and reads on from there.
 */
export function deflateTrailingAnEntry(): Buffer {
  const text = Buffer.from('harmless\n');
  const compressed = Buffer.concat([deflateRawSync(text), fakeDescriptor(text), hiddenEntry()]);
  return writeZip([
    { name: 'a.txt', data: text, compressed, dataDescriptor: true },
    { name: 'b.txt', data: 'b' },
  ]);
}
