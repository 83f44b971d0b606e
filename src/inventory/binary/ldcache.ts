/**
 * glibc's `/etc/ld.so.cache`, read the way its dynamic loader reads it (elf/dl-cache.c,
 * sysdeps/generic/dl-cache.h): for a soname not found through RPATH, `LD_LIBRARY_PATH` or
 * RUNPATH, the loader opens the path the cache maps it to, whatever that file's name or mode.
 * The cache is therefore part of what an image's configuration makes the loader load.
 *
 * Two layouts, both little-endian on the images Lambda runs (x86_64, arm64):
 *
 * - old (`ld.so-1.7.0`, libc5 to glibc 2.1): the magic, padding to 4, `uint32 nlibs`, then
 *   `nlibs` 12-byte entries `{int32 flags, uint32 key, uint32 value}` whose key (soname) and
 *   value (path) are offsets into the string table that follows the entries;
 * - new (`glibc-ld.so.cache` `1.1`, glibc 2.2 on): a 48-byte header (`uint32 nlibs`,
 *   `uint32 len_strings`, `uint8 flags` whose low two bits say the byte order, padding, reserved
 *   words and an extension offset), then `nlibs` 24-byte entries `{int32 flags, uint32 key,
 *   uint32 value, uint32 osversion, uint64 hwcap}` whose offsets count from the header's start.
 *   `ldconfig -c compat` writes an old cache followed, 8-aligned, by a new one that shares its
 *   strings; the loader then uses the new one.
 *
 * Pure and bounded: every count is checked against the bytes there are, every string must end
 * (NUL) inside the file and within PATH_MAX. What the loader might read differently from lamina
 * (a truncated table, another byte order, an offset out of the file) is an error, never a guess.
 */

/** The cache, root-relative: the loader's compiled-in `SYSCONFDIR "/ld.so.cache"`. */
export const LD_SO_CACHE = 'etc/ld.so.cache';

/** Largest cache read: real ones are tens to hundreds of KiB (one 24-byte entry per soname). */
export const MAX_LD_CACHE_SIZE = 4 * 1024 * 1024;

const OLD_MAGIC = 'ld.so-1.7.0';
/** sizeof (struct cache_file): the 11-byte magic, padding to 4, nlibs. */
const OLD_HEADER = 16;
const OLD_ENTRY = 12;
const NEW_MAGIC = 'glibc-ld.so.cache1.1';
/** sizeof (struct cache_file_new). */
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
/** Offset of `flags` in the new header: its low two bits are the byte order. */
const NEW_FLAGS = 28;
/** `flags & 3`: 0 unknown (an ldconfig before glibc 2.32), 1 invalid, 2 little, 3 big endian. */
const ENDIAN_LITTLE = 2;
const ENDIAN_BIG = 3;
/** __alignof__ (struct cache_file_new): where a new cache starts after an old one. */
const NEW_ALIGN = 8;
/** Longest soname or path kept (PATH_MAX with its NUL). */
const MAX_STRING = 4096;

/** One cache entry: the soname the loader looks up and the file it then opens. */
export interface LdCacheEntry {
  soname: string;
  path: string;
  /** The entry's flags (`FLAG_ELF_LIBC6 | FLAG_X8664_LIB64` = 0x303 for x86-64, ...). */
  flags: number;
}

/** A cache read: its layout and entries (for `compat`, the new table's then the old table's). */
export type LdCacheResult =
  | { ok: true; format: 'old' | 'new' | 'compat' | 'empty'; entries: LdCacheEntry[] }
  | { ok: false; error: string };

/**
 * Every (soname, path) an ld.so.cache maps, or why it cannot be read as the loader would. An
 * empty file is no cache (the loader ignores it). Never throws on any input.
 */
export function parseLdCache(buf: Buffer): LdCacheResult {
  try {
    return { ok: true, ...read(buf) };
  } catch (err) {
    if (err instanceof CacheError) return { ok: false, error: err.message };
    throw err;
  }
}

class CacheError extends Error {}

function fail(message: string): never {
  throw new CacheError(message);
}

function read(buf: Buffer): {
  format: 'old' | 'new' | 'compat' | 'empty';
  entries: LdCacheEntry[];
} {
  if (buf.length === 0) return { format: 'empty', entries: [] };
  if (buf.length > MAX_LD_CACHE_SIZE)
    fail(`${buf.length} bytes, over the ${MAX_LD_CACHE_SIZE} read`);
  if (hasMagic(buf, 0, NEW_MAGIC)) return { format: 'new', entries: readNew(buf, 0) };
  if (!hasMagic(buf, 0, OLD_MAGIC))
    fail(`no "${OLD_MAGIC}" or "${NEW_MAGIC}" magic: not a cache lamina can read`);
  if (buf.length < OLD_HEADER) fail(`truncated: ${buf.length} bytes, no room for the header`);
  const nlibs = buf.readUInt32LE(11 + 1);
  const room = Math.floor((buf.length - OLD_HEADER) / OLD_ENTRY);
  if (nlibs > room)
    fail(
      `the old table says ${nlibs} entries, the file has room for ${room}` +
        (buf.readUInt32BE(12) <= room
          ? ' (a big-endian cache? the images read are little-endian)'
          : '')
    );
  const strings = OLD_HEADER + nlibs * OLD_ENTRY;
  const old: LdCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const at = OLD_HEADER + i * OLD_ENTRY;
    old.push(entry(buf, at, strings, `old entry ${i}`));
  }
  // A new cache may follow, 8-aligned (ldconfig -c compat); the loader prefers it.
  const next = align(strings, NEW_ALIGN);
  if (buf.length >= next + NEW_HEADER && hasMagic(buf, next, NEW_MAGIC))
    return { format: 'compat', entries: [...readNew(buf, next), ...old] };
  return { format: 'old', entries: old };
}

/** The new-format cache whose header starts at `base`. */
function readNew(buf: Buffer, base: number): LdCacheEntry[] {
  if (buf.length - base < NEW_HEADER)
    fail(`truncated: ${buf.length - base} bytes from the new header, which takes ${NEW_HEADER}`);
  const endian = buf.readUInt8(base + NEW_FLAGS) & 3;
  if (endian === ENDIAN_BIG) fail('a big-endian cache: the images read are little-endian');
  if (endian === 1) fail('the header flags mark the cache invalid (flags & 3 = 1)');
  const nlibs = buf.readUInt32LE(base + 20);
  const lenStrings = buf.readUInt32LE(base + 24);
  const room = Math.floor((buf.length - base - NEW_HEADER) / NEW_ENTRY);
  if (nlibs > room) {
    const hint =
      endian !== ENDIAN_LITTLE && buf.readUInt32BE(base + 20) <= room
        ? ' (a big-endian cache? the images read are little-endian)'
        : '';
    fail(`the table says ${nlibs} entries, the file has room for ${room}${hint}`);
  }
  const tableEnd = base + NEW_HEADER + nlibs * NEW_ENTRY;
  if (lenStrings > buf.length - tableEnd)
    fail(
      `the string table of ${lenStrings} bytes runs past the end of the file (${buf.length - tableEnd} left after the entries)`
    );
  const out: LdCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++)
    out.push(entry(buf, base + NEW_HEADER + i * NEW_ENTRY, base, `entry ${i}`));
  return out;
}

/** One entry at `at` (flags, key, value: the same first 12 bytes in both layouts). */
function entry(buf: Buffer, at: number, strings: number, what: string): LdCacheEntry {
  const flags = buf.readInt32LE(at);
  const soname = string(buf, strings, buf.readUInt32LE(at + 4), `${what}'s soname`);
  const path = string(buf, strings, buf.readUInt32LE(at + 8), `${what}'s path`);
  if (soname === '') fail(`${what} has an empty soname`);
  if (!path.startsWith('/'))
    fail(`${what} maps ${soname} to "${path.slice(0, 256)}", not an absolute path`);
  return { soname, path, flags };
}

/** The NUL-terminated string at `base + offset`, within the file and MAX_STRING. */
function string(buf: Buffer, base: number, offset: number, what: string): string {
  const start = base + offset;
  if (start >= buf.length) fail(`${what} is at offset ${offset}, past the end of the file`);
  // Searched within MAX_STRING only: many entries into one long run cost no more than that each.
  const len = buf.subarray(start, start + MAX_STRING).indexOf(0);
  if (len < 0)
    fail(
      start + MAX_STRING >= buf.length
        ? `${what} at offset ${offset} has no NUL before the end of the file`
        : `${what} at offset ${offset} is longer than ${MAX_STRING - 1} bytes`
    );
  return buf.toString('latin1', start, start + len);
}

function hasMagic(buf: Buffer, at: number, magic: string): boolean {
  return buf.length >= at + magic.length && buf.toString('latin1', at, at + magic.length) === magic;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
