/**
 * Writes glibc ld.so.cache files for tests: the caches ldconfig never writes (an entry mapping a
 * soname to a file of any name, another byte order), laid out as glibc's dl-cache.h says. The
 * unit tests check that glibc's own `ldconfig -p` reads what this writes. Test-only.
 */

export interface WrittenEntry {
  soname: string;
  path: string;
  /** Default 0x303: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64. */
  flags?: number;
}

const X8664_LIBC6 = 0x0303;

/** A new-format cache (`glibc-ld.so.cache1.1`), little-endian unless `bigEndian`. */
export function writeNewCache(
  entries: readonly WrittenEntry[],
  opts: { bigEndian?: boolean } = {}
): Buffer {
  const be = opts.bigEndian === true;
  const tableEnd = 48 + entries.length * 24;
  const { table, offsets } = strings(entries, tableEnd);
  const head = Buffer.alloc(48);
  head.write('glibc-ld.so.cache1.1', 0, 'latin1');
  u32(head, 20, entries.length, be);
  u32(head, 24, table.length, be);
  head.writeUInt8(be ? 3 : 2, 28);
  const ents = Buffer.alloc(entries.length * 24);
  entries.forEach((e, i) => {
    const [key, value] = offsets[i]!;
    u32(ents, i * 24, e.flags ?? X8664_LIBC6, be);
    u32(ents, i * 24 + 4, key, be);
    u32(ents, i * 24 + 8, value, be);
  });
  return Buffer.concat([head, ents, table]);
}

/** An old-format cache (`ld.so-1.7.0`): offsets count from the string table after the entries. */
export function writeOldCache(entries: readonly WrittenEntry[]): Buffer {
  const { table, offsets } = strings(entries, 0);
  const head = Buffer.alloc(16);
  head.write('ld.so-1.7.0', 0, 'latin1');
  head.writeUInt32LE(entries.length, 12);
  const ents = Buffer.alloc(entries.length * 12);
  entries.forEach((e, i) => {
    const [key, value] = offsets[i]!;
    ents.writeInt32LE(e.flags ?? X8664_LIBC6, i * 12);
    ents.writeUInt32LE(key, i * 12 + 4);
    ents.writeUInt32LE(value, i * 12 + 8);
  });
  return Buffer.concat([head, ents, table]);
}

/** The string table (each soname, then each path, NUL-terminated) and each entry's offsets. */
function strings(
  entries: readonly WrittenEntry[],
  base: number
): { table: Buffer; offsets: [number, number][] } {
  const parts: Buffer[] = [];
  let at = base;
  const put = (s: string): number => {
    const b = Buffer.from(`${s}\0`, 'latin1');
    parts.push(b);
    at += b.length;
    return at - b.length;
  };
  const offsets = entries.map((e): [number, number] => [put(e.soname), put(e.path)]);
  return { table: Buffer.concat(parts), offsets };
}

function u32(buf: Buffer, at: number, v: number, be: boolean): void {
  if (be) buf.writeUInt32BE(v, at);
  else buf.writeUInt32LE(v, at);
}
