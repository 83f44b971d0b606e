/**
 * A reader for the one Berkeley DB layout rpm used before SQLite: the hash
 * access method (`/var/lib/rpm/Packages` on Amazon Linux 2, RHEL 7 and 8),
 * in either byte order. It walks every hash page and returns the values
 * (rpm header blobs), following overflow chains. Page layouts are Berkeley
 * DB's dbinc/db_page.h; every pointer is bounds-checked and every chain is
 * bounded, so a hostile file costs at most one visit per page.
 */

const HASH_MAGIC = 0x061561;
/** Page types (db_page.h). */
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
/** Item types on hash pages. */
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
/** Size of a page header. */
const PAGE_HEADER = 26;

const PAGE_SIZES = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);

/** True when the bytes start with a Berkeley DB hash meta page (either byte order). */
export function isBdbHash(buf: Buffer): boolean {
  return (
    buf.length >= 512 &&
    (buf.readUInt32LE(12) === HASH_MAGIC || buf.readUInt32BE(12) === HASH_MAGIC)
  );
}

/**
 * Every value stored in a Berkeley DB hash file.
 * @throws Error on a file that is not a hash database or whose pages lie
 */
export function readBdbHashValues(buf: Buffer): Buffer[] {
  if (!isBdbHash(buf)) throw new Error('not a Berkeley DB hash file');
  const le = buf.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const pageSize = u32(20);
  const encrypted = buf[24] !== 0;
  const last = u32(32);
  if (!PAGE_SIZES.has(pageSize)) throw new Error(`Berkeley DB page size ${pageSize} is not valid`);
  if (encrypted) throw new Error('encrypted Berkeley DB');
  if ((last + 1) * pageSize > buf.length)
    throw new Error('Berkeley DB last page lies past the end of the file');

  const overflow = (first: number, length: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    const seen = new Set<number>();
    for (let pg = first; pg !== 0 && got < length;) {
      if (pg > last || seen.has(pg))
        throw new Error('Berkeley DB overflow chain loops or leaves the file');
      seen.add(pg);
      const o = pg * pageSize;
      if (buf[o + 25] !== P_OVERFLOW)
        throw new Error('Berkeley DB overflow chain reaches a page of another type');
      const n = u16(o + 22);
      if (n > pageSize - PAGE_HEADER)
        throw new Error('Berkeley DB overflow page claims more than it holds');
      parts.push(buf.subarray(o + PAGE_HEADER, o + PAGE_HEADER + n));
      got += n;
      pg = u32(o + 16);
    }
    if (got !== length)
      throw new Error('Berkeley DB overflow chain length disagrees with its item');
    return Buffer.concat(parts);
  };

  const out: Buffer[] = [];
  for (let pg = 1; pg <= last; pg++) {
    const o = pg * pageSize;
    const type = buf[o + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(o + 20);
    if (PAGE_HEADER + entries * 2 > pageSize)
      throw new Error('Berkeley DB hash page lists more items than fit');
    const itemAt = (k: number): number => {
      const off = u16(o + PAGE_HEADER + k * 2);
      if (off < PAGE_HEADER + entries * 2 || off >= pageSize)
        throw new Error('Berkeley DB item offset out of the page');
      return off;
    };
    // Items are key, value pairs; they grow down from the page end, so an
    // item ends where the one listed before it starts.
    for (let k = 1; k < entries; k += 2) {
      const at = itemAt(k);
      const end = itemAt(k - 1);
      const itemType = buf[o + at];
      if (itemType === H_OFFPAGE) {
        if (at + 12 > pageSize) throw new Error('Berkeley DB off-page item overruns its page');
        out.push(overflow(u32(o + at + 4), u32(o + at + 8)));
      } else if (itemType === H_KEYDATA) {
        if (end <= at) throw new Error('Berkeley DB item overlaps the one before it');
        out.push(Buffer.from(buf.subarray(o + at + 1, o + end)));
      }
    }
  }
  return out;
}
