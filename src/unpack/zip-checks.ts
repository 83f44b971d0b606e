/**
 * Ambiguity and bomb checks over a parsed central directory. Each check
 * either throws UnpackError (the archive is refused before any cataloger
 * runs) or returns findings.
 */
import { crc32 } from 'node:zlib';
import type { Finding } from '../model/finding.js';
import type { EntryKind, Limits } from './source.js';
import {
  FLAG_CD_ENCRYPTED,
  FLAG_DESCRIPTOR,
  FLAG_ENCRYPTED,
  FLAG_PATCHED,
  FLAG_STRONG_ENCRYPTION,
  METHOD_AES,
  decodeUtf8,
  extraFieldEnd,
  zipError,
  type CentralDirectory,
} from './zip-format.js';

/** The compression methods lamina reads: stored and deflate (what Go and Java read too). */
const METHODS = new Set([0, 8]);

/**
 * The highest "version needed to extract" Info-ZIP unzip 6.0 extracts (4.6); it skips a later
 * entry that Go, Java and libarchive extract, and Python refuses the archive past 6.3. Stored and
 * deflated entries need at most 4.5 (zip64), which every mainstream writer records.
 */
export const MAX_VERSION_NEEDED = 46;
/** A "version needed" host byte unzip treats apart: it asks before extracting the entry. */
const VERSION_HOST_VMS = 2;

/**
 * Refuse, before anything is read: encrypted entries, compression methods
 * lamina cannot read (unzip, libarchive and Python read bzip2 or LZMA that Go
 * and Java cannot) or patched data, entries that need a later zip version (or VMS) to extract,
 * too many bytes in total, and single entries compressed beyond maxRatio.
 */
export function checkDeclaredSizes(archive: string, dir: CentralDirectory, limits: Limits): void {
  const { count, names, flags, method, size, compressedSize } = dir;
  const encrypted: string[] = [];
  for (let i = 0; i < count; i++)
    if (
      flags[i]! & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_CD_ENCRYPTED) ||
      method[i] === METHOD_AES
    )
      encrypted.push(names[i]!);
  if (encrypted.length > 0)
    throw zipError('ENCRYPTED_ENTRY', archive, 'encrypted entries cannot be inspected', encrypted);
  const unsupported: number[] = [];
  for (let i = 0; i < count; i++) if (!METHODS.has(method[i]!)) unsupported.push(i);
  if (unsupported.length > 0)
    throw zipError(
      'UNSUPPORTED_COMPRESSION',
      archive,
      `compression method ${method[unsupported[0]!]} is not supported (only stored and deflate)`,
      unsupported.map((i) => names[i]!)
    );
  const patched: string[] = [];
  for (let i = 0; i < count; i++) if (flags[i]! & FLAG_PATCHED) patched.push(names[i]!);
  if (patched.length > 0)
    throw zipError(
      'UNSUPPORTED_COMPRESSION',
      archive,
      'compressed patched data (flag bit 5) is not supported: Python skips such an entry, the other readers extract it',
      patched
    );
  // unzip skips these entries (a VMS one unless told to overwrite, after asking on its stdin)
  // and exits with an error, having extracted the rest; the other readers extract them.
  const needed = dir.versionNeeded;
  const later: number[] = [];
  for (let i = 0; i < count; i++)
    if ((needed[i]! & 0xff) > MAX_VERSION_NEEDED || needed[i]! >> 8 === VERSION_HOST_VMS)
      later.push(i);
  if (later.length > 0) {
    const v = needed[later[0]!]!;
    throw zipError(
      'UNSUPPORTED_VERSION',
      archive,
      `entry needs zip version ${Math.floor((v & 0xff) / 10)}.${(v & 0xff) % 10}` +
        `${v >> 8 === VERSION_HOST_VMS ? ' for VMS' : ''} to extract (unzip skips it, ` +
        `other readers extract it; stored and deflated entries need at most 4.5)`,
      later.map((i) => names[i]!)
    );
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += size[i]!;
    if (total > limits.maxTotalSize)
      throw zipError(
        'TOO_LARGE',
        archive,
        `entries declare more than ${limits.maxTotalSize} bytes uncompressed (--max-total-size)`
      );
  }
  for (let i = 0; i < count; i++) {
    if (size[i]! < limits.ratioFloor) continue;
    const ratio = size[i]! / Math.max(compressedSize[i]!, 1);
    if (ratio > limits.maxRatio)
      throw zipError(
        'RATIO_EXCEEDED',
        archive,
        `entry expands ${Math.round(ratio)}:1, over the ${limits.maxRatio}:1 limit (--max-ratio)`,
        [names[i]!]
      );
  }
  for (let i = 0; i < count; i++) {
    // A stored entry's two sizes are the same bytes; disagreeing sizes mean one of them lies.
    if (method[i] === 0 && size[i] !== compressedSize[i])
      throw zipError('CORRUPT_ARCHIVE', archive, 'stored entry declares two different sizes', [
        names[i]!,
      ]);
  }
}

/**
 * Refuse names that collide after lamina's normalisation (DUPLICATE_ENTRY) or
 * after Unicode NFC (NORMALIZATION_COLLISION): different extractors would
 * pick different winners; and a name not in NFC at all (AMBIGUOUS_NAME_ENCODING):
 * libarchive extracts it elsewhere. Names that differ only by case are allowed (Linux
 * keeps both) but reported, since a case-insensitive file system would not.
 * `raws[i]` is entry i's name as stored, `paths[i]` as normalised.
 * @param sorted every entry's index, sorted by path, equal paths in index order
 */
export function checkNames(
  archive: string,
  raws: readonly string[],
  paths: readonly string[],
  sorted: ArrayLike<number>
): Finding[] {
  // Equal paths are neighbours in `sorted`. Refused is the pair met first in directory order:
  // of each group of equal paths its first two entries, of those pairs the one whose second
  // entry comes first.
  let first = -1;
  let second = -1;
  for (let k = 1; k < sorted.length; k++) {
    const i = sorted[k]!;
    const path = paths[i];
    if (path !== paths[sorted[k - 1]!] || (k > 1 && path === paths[sorted[k - 2]!])) continue;
    if (second < 0 || i < second) [first, second] = [sorted[k - 1]!, i];
  }
  if (second >= 0)
    throw zipError(
      'DUPLICATE_ENTRY',
      archive,
      `two entries extract to ${JSON.stringify(paths[second])}`,
      [raws[first]!, raws[second]!]
    );
  let allAscii = true;
  for (let i = 0; i < paths.length && allAscii; i++) allAscii = ascii(paths[i]!);
  const byNfc = new Map<string, string>();
  let notNfc: string | undefined;
  // ASCII is already NFC: when every name is ASCII the check above already covered NFC.
  for (const path of allAscii ? [] : paths) {
    // ASCII is already NFC; skip the costly normalize for the common case.
    const key = ascii(path) ? path : path.normalize('NFC');
    const seen = byNfc.get(key);
    if (seen !== undefined)
      throw zipError(
        'NORMALIZATION_COLLISION',
        archive,
        'entry names are equal after Unicode NFC normalisation',
        [seen, path]
      );
    byNfc.set(key, path);
    notNfc ??= key === path ? undefined : path;
  }
  // libarchive extracts a name under its NFC form; unzip, Python, Go and Java keep its bytes.
  if (notNfc !== undefined)
    throw zipError(
      'AMBIGUOUS_NAME_ENCODING',
      archive,
      'entry name is not in Unicode normal form C (libarchive extracts it under its NFC form, the other readers under its own bytes)',
      [notNfc]
    );
  const findings: Finding[] = [];
  // Only names in a group of two or more that fold to one key can collide: a name with a
  // letter that folds, and a name equal to such a folded key. Paths are unique by now, so
  // when no name folds to another string there is nothing to report.
  const folded = new Set<string>();
  // By index: this loop runs once per archive, mostly before V8 optimises it, and an iterator
  // there makes a result object per name.
  for (let k = 0; k < paths.length; k++) {
    const path = paths[k]!;
    const key = foldCase(path);
    if (key !== path) folded.add(key);
  }
  if (folded.size === 0) return findings;
  const byFold = new Map<string, string>();
  for (const path of paths) {
    const key = foldCase(path);
    if (key === path && !folded.has(key)) continue;
    const seen = byFold.get(key);
    if (seen === undefined) {
      byFold.set(key, path);
      continue;
    }
    findings.push({
      code: 'CASE_COLLISION',
      severity: 'warning',
      path,
      message: `${JSON.stringify(seen)} and ${JSON.stringify(path)} differ only by letter case`,
    });
  }
  return findings;
}

/** True when every character is ASCII (a loop: faster than a regular expression here). */
function ascii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** `s.toLowerCase()`, without a new string when `s` has no upper-case ASCII and no non-ASCII. */
function foldCase(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return s.toLowerCase();
  }
  return s;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const SPECIAL_TYPES: Record<number, string> = {
  0o010000: 'a FIFO',
  0o020000: 'a character device',
  0o060000: 'a block device',
  0o140000: 'a socket',
};
const HOST_UNIX = 3;
const MSDOS_DIR = 0x10;
const MSDOS_VOLUME_LABEL = 0x08;
/**
 * Hosts whose entries unzip takes the MS-DOS volume label attribute from, in Info-ZIP's
 * numbering (11 is NTFS there, 10 in APPNOTE): FAT, Atari, HPFS, NTFS.
 */
const VOLUME_LABEL_HOSTS = new Set([0, 5, 6, 11]);

/**
 * The kind of an entry, refusing any entry whose kind
 * depends on which field a reader looks at (APPNOTE 4.4.2, 4.4.15):
 * - a name ending in `/` is a directory to every reader, so it must carry no data;
 * - otherwise a Unix directory mode (libarchive and Go: a directory; unzip,
 *   Python, Java: a file) or the MS-DOS directory attribute (Go and
 *   libarchive for FAT hosts: a directory) is refused;
 * - a symlink mode counts only from a Unix host: unzip also honours it from
 *   FAT and VMS hosts and Go from macOS ones, libarchive only from Unix;
 * - FIFOs, devices and sockets are refused (SPECIAL_FILE_ENTRY): unzip,
 *   Python and Java extract their data as a regular file; so is an unknown type, except every
 *   type bit on an empty directory entry (below);
 * - the MS-DOS volume label attribute from a FAT, Atari, HPFS or NTFS host is refused: unzip
 *   skips such an entry as the disk's label, every other reader extracts it.
 * `i` is the record's index in `dir`.
 */
export function entryKind(
  archive: string,
  dir: CentralDirectory,
  i: number
): Exclude<EntryKind, 'special'> {
  const attr = dir.externalAttr[i]!;
  const host = dir.versionMadeBy[i]! >> 8;
  const name = dir.names[i]!;
  const type = (attr >>> 16) & S_IFMT;
  // Old Maven jars (plexus-archiver: commons-lang 2.6, javax.annotation-api 1.2) give their
  // directory entries mode 0177777, every type bit set, which is no type: with the trailing `/`
  // and no data, each reader makes a directory (Go and libarchive by the name too).
  const noType = type === S_IFMT && name.endsWith('/') && dir.size[i] === 0;
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR && type !== S_IFLNK && !noType)
    throw zipError(
      'SPECIAL_FILE_ENTRY',
      archive,
      `entry is ${SPECIAL_TYPES[type] ?? `of unknown type 0o${type.toString(8)}`}, not a regular file, directory or symlink`,
      [name]
    );
  const ambiguous = (why: string): never => {
    throw zipError('AMBIGUOUS_ENTRY_KIND', archive, why, [name]);
  };
  if (attr & MSDOS_VOLUME_LABEL && VOLUME_LABEL_HOSTS.has(host))
    ambiguous(
      `MS-DOS volume label attribute from host ${host} (unzip skips the entry, the other readers extract it)`
    );
  if (name.endsWith('/')) {
    if (dir.size[i]! > 0)
      ambiguous('directory entry carries data (libraries read it, extractors drop it)');
    return 'dir';
  }
  if (type === S_IFDIR)
    ambiguous('Unix mode says directory but the name has no trailing / (readers disagree)');
  if (attr & MSDOS_DIR)
    ambiguous('MS-DOS directory attribute on a name without trailing / (readers disagree)');
  if (type === S_IFLNK) {
    if (host !== HOST_UNIX)
      ambiguous(
        `symlink mode from a non-Unix host (${host}): some readers make a symlink, others a file`
      );
    return 'symlink';
  }
  return 'file';
}

/**
 * Hosts whose entries some reader gives the Unix mode held in the external attributes' high 16
 * bits (Info-ZIP's numbering): unzip for Unix, VMS, Atari, QDOS, Acorn, BeOS, Tandem, THEOS and
 * AtheOS, Go for Unix and macOS (19, whose mode unzip ignores), libarchive for Unix alone.
 */
const MODE_HOSTS = new Set([HOST_UNIX, 2, 5, 12, 13, 16, 17, 18, 19, 30]);

/**
 * An entry's Unix permission bits as the most generous reader gives them, 0 when no reader
 * takes a mode from its host: a `bootstrap` marked 0755 by an Atari host is executable once
 * unzip extracts it, so it counts as executable here too.
 */
export function entryMode(dir: CentralDirectory, i: number): number {
  return MODE_HOSTS.has(dir.versionMadeBy[i]! >> 8) ? (dir.externalAttr[i]! >>> 16) & 0o7777 : 0;
}

/**
 * Refuse names that readers turn into different paths: control characters
 * (unzip drops them, unzip, libarchive and Python cut at NUL, Go and Java
 * keep them), backslashes (libarchive, and unzip for FAT hosts, make them
 * separators), a leading drive letter (libarchive strips it), `..`
 * components (unzip and Python drop them, libarchive refuses the entry) and a
 * file name ending in `;` and digits (unzip strips it as a VMS version, whatever the host;
 * the others keep it).
 */
export function checkEntryName(archive: string, name: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    throw zipError('CONTROL_CHARACTER_IN_NAME', archive, 'entry name holds a control character', [
      name,
    ]);
  if (name.includes('\\'))
    throw zipError(
      'BACKSLASH_IN_NAME',
      archive,
      'entry name holds a backslash (a path separator to some readers)',
      [name]
    );
  if (/^\/*[A-Za-z]:/.test(name))
    throw zipError(
      'DRIVE_LETTER_IN_NAME',
      archive,
      'entry name starts with a drive letter (stripped by some readers)',
      [name]
    );
  if (/(?:^|\/)\.\.(?:\/|$)/.test(name))
    throw zipError('PATH_TRAVERSAL', archive, "entry name has a '..' component", [name]);
  if (/;[0-9]*$/.test(name))
    throw zipError(
      'VERSION_SUFFIX_IN_NAME',
      archive,
      'entry name ends in a VMS version (";" and digits), which unzip strips: `bootstrap;1` lands as bootstrap',
      [name]
    );
}

/** Info-ZIP Unicode Path extra field (https://libzip.org/specifications/extrafld.txt). */
const UNICODE_PATH = 0x7075;
/** libarchive's experimental "xl" field: restates "made by" and the external attributes. */
const XL_FIELD = 0x6c78;

/**
 * Refuse extra fields that change an entry's name or kind for some readers
 * only. A Unicode Path field (central or local) must spell exactly the stored
 * name: unzip takes the central one, libarchive the local one, Go, Java and
 * Python before 3.12 neither. An "xl" field that restates the host or the
 * attributes is read by libarchive alone (a file elsewhere, a symlink or a
 * directory there). Record `i`'s central or local extra field is `buf[start, end)`.
 */
export function checkNameFields(
  archive: string,
  dir: CentralDirectory,
  i: number,
  buf: Buffer,
  start: number,
  end: number,
  where: 'central' | 'local'
): void {
  const name = dir.names[i]!;
  for (let f = start, e: number; (e = extraFieldEnd(archive, buf, f, end, name)) >= 0; f = e) {
    const id = buf.readUInt16LE(f);
    if (id === UNICODE_PATH) {
      const data = buf.subarray(f + 4, e);
      const same =
        data.length >= 5 &&
        data[0] === 1 &&
        data.readUInt32LE(1) === crc32(dir.nameBytes(i)) &&
        decodeUtf8(data.subarray(5)) === name;
      if (!same)
        throw zipError(
          'UNICODE_PATH_MISMATCH',
          archive,
          `${where} Unicode Path extra field gives another name (${JSON.stringify(data.subarray(5).toString('latin1'))})`,
          [name]
        );
      // Info-ZIP unzip 6.0 reads such an archive as "overlapped components" and stops at the
      // entry with a descriptor, whichever of the two comes first; the other readers read on.
      const described = withDescriptor(dir);
      if (described !== undefined)
        throw zipError(
          'AMBIGUOUS_DATA_DESCRIPTOR',
          archive,
          `${where} Unicode Path extra field in an archive with a data descriptor (unzip stops extracting at the entry with the descriptor, the other readers extract the rest)`,
          [name, dir.names[described]!]
        );
    } else if (id === XL_FIELD && e > f + 4 && buf[f + 4]! & 0x05)
      throw zipError(
        'AMBIGUOUS_ENTRY_KIND',
        archive,
        `${where} "xl" extra field restates the entry's host or attributes (only libarchive reads it)`,
        [name]
      );
  }
}

const firstDescriptor = new WeakMap<CentralDirectory, number | undefined>();

/** The first entry with a data descriptor (flag bit 3), once per directory. */
function withDescriptor(dir: CentralDirectory): number | undefined {
  if (firstDescriptor.has(dir)) return firstDescriptor.get(dir);
  const i = dir.flags.findIndex((f) => (f & FLAG_DESCRIPTOR) !== 0);
  const found = i < 0 ? undefined : i;
  firstDescriptor.set(dir, found);
  return found;
}

/** Longest symlink target (Linux PATH_MAX). */
export const MAX_LINK_TARGET = 4096;

/**
 * A symlink target as every reader that makes symlinks would write it:
 * non-empty, at most PATH_MAX bytes, valid UTF-8 (lamina decodes it) and
 * without NUL (unzip and libarchive cut the target there, Go keeps it).
 */
export function symlinkTarget(archive: string, name: string, data: Buffer): string {
  const bad = (why: string): never => {
    throw zipError('BAD_SYMLINK_TARGET', archive, why, [name]);
  };
  if (data.length === 0) bad('symlink with an empty target');
  if (data.length > MAX_LINK_TARGET) bad(`symlink target longer than ${MAX_LINK_TARGET} bytes`);
  if (data.includes(0)) bad('symlink target holds a NUL byte');
  const target = decodeUtf8(data) ?? bad('symlink target is not valid UTF-8');
  // Whatever the link's name: Node.js runs a package's main by any name (`notes.txt`), and a
  // shell or interpreter may be handed any file.
  if (!PLAIN_TARGET.test(target))
    bad(
      'symlink target is not a plain path: Python, Java and libarchive from a pipe extract a ' +
        'symlink as a file holding its target, which a runtime loading that file would run as code'
    );
  return target;
}

/**
 * Letters, digits and `_.+@~,=/-`: in these no script language lamina meets says anything but
 * a name or a path (no space, quote, parenthesis, operator or comment sign: a target
 * `__import__('os')…#/../a.py` resolves to a.py for readers that make links).
 */
const PLAIN_TARGET = /^[\p{L}\p{N}_.+@~,=/-]+$/u;
