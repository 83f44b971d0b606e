import { BinaryParseError } from './errors.js';

/**
 * A bounds-checked reader for ELF files. Lambda runs Linux, so ELF is the only
 * executable format lamina inspects (Mach-O and PE are not looked at).
 * Spec: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
 */

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** e_type values. */
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/** Section types, segment types and flags, dynamic tags and flags read here. */
const SHT = { NOBITS: 8, DYNAMIC: 6 } as const;
const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3 } as const;
export const PF_X = 1;
export const PF_W = 2;
const DT = {
  NULL: 0,
  NEEDED: 1,
  STRTAB: 5,
  STRSZ: 10,
  SONAME: 14,
  RPATH: 15,
  RUNPATH: 29,
  FLAGS_1: 0x6ffffffb,
  AUXILIARY: 0x7ffffffd,
  FILTER: 0x7fffffff,
} as const;
const DF_1_PIE = 0x08000000;

/** More section or program headers than any real linker output has; a sign of a hostile file. */
const MAX_TABLE_ENTRIES = 65_536;

/** The fields of the ELF header lamina uses. */
export interface ElfHeader {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_type: ET_EXEC, ET_DYN, ... */
  type: number;
  /** e_machine (62 = x86-64, 183 = AArch64). */
  machine: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/**
 * What the dynamic loader reads of an object's dependencies, from its dynamic segment (ld.so
 * reads PT_DYNAMIC and the string table DT_STRTAB points at, never the section headers).
 */
export interface ElfDynamic {
  /** DT_NEEDED names, in order. */
  needed: string[];
  /**
   * DT_AUXILIARY and DT_FILTER names, in order (`-Wl,--auxiliary=`, `--filter=`): glibc loads
   * each filtee as it loads a DT_NEEDED library, and runs its constructors.
   */
  filtees?: string[];
  /** DT_RPATH (the loader ignores it when DT_RUNPATH is present). */
  rpath?: string;
  /** DT_RUNPATH. */
  runpath?: string;
  /** Why the lists above may miss something the loader reads (over a bound, unreadable string). */
  problem?: string;
}

/** A parsed ELF file over its bytes. */
export interface ElfFile {
  header: ElfHeader;
  sections: ElfSection[];
  segments: ElfSegment[];
  /** DT.SONAME of a shared library, when present. */
  soname?: string;
  /** True when the file asks for a program interpreter or is flagged PIE: a runnable program. */
  runnable: boolean;
  /** Dependencies and search paths, when the file has a dynamic segment (or section). */
  dynamic?: ElfDynamic;
  /** The section named `name`, if any. */
  section(name: string): ElfSection | undefined;
  /** File bytes of a section (empty for SHT.NOBITS). */
  sectionData(s: ElfSection): Buffer;
  /** Up to `size` bytes at virtual address `addr`, from the PT.LOAD segment holding it. */
  readVirtual(addr: number, size: number): Buffer | undefined;
}

function malformed(message: string): BinaryParseError {
  return new BinaryParseError({ code: 'MALFORMED_ELF', message });
}

/** Endian- and class-aware reads that throw MALFORMED_ELF instead of RangeError. */
class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean
  ) {}

  #check(off: number, n: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.buf.length)
      throw malformed(
        `${what} at offset ${off} is past the end of the file (${this.buf.length} bytes)`
      );
  }

  u8(off: number, what = 'field'): number {
    this.#check(off, 1, what);
    return this.buf.readUInt8(off);
  }

  u16(off: number, what = 'field'): number {
    this.#check(off, 2, what);
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }

  u32(off: number, what = 'field'): number {
    this.#check(off, 4, what);
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  /** 64-bit value as a number; values past 2^53 lose precision, which only makes bounds checks fail. */
  u64(off: number, what = 'field'): number {
    this.#check(off, 8, what);
    return Number(this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off));
  }

  /** Address-sized word (4 or 8 bytes). */
  word(bits: 32 | 64, off: number, what?: string): number {
    return bits === 64 ? this.u64(off, what) : this.u32(off, what);
  }
}

/** True when `b` starts with the ELF magic. */
export function isElf(b: Buffer): boolean {
  return b.length >= 4 && b.subarray(0, 4).equals(ELF_MAGIC);
}

/**
 * Parse the ELF header from the first bytes of a file (64 are enough).
 * @throws BinaryParseError `MALFORMED_ELF`
 */
export function parseElfHeader(buf: Buffer): ElfHeader {
  if (!isElf(buf)) throw malformed('no ELF magic');
  if (buf.length < 16) throw malformed('ELF identification is truncated');
  const cls = buf.readUInt8(4);
  const data = buf.readUInt8(5);
  if (cls !== 1 && cls !== 2) throw malformed(`unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw malformed(`unknown ELF data encoding ${data}`);
  const bits = cls === 2 ? 64 : 32;
  const r = new Reader(buf, data === 1);
  const hsize = bits === 64 ? 64 : 52;
  if (buf.length < hsize)
    throw malformed(`ELF header is truncated (${buf.length} of ${hsize} bytes)`);
  // Offsets of e_phoff..e_shstrndx differ between the classes by the word size.
  const w = bits === 64 ? 8 : 4;
  const phoffAt = 0x18 + w; // after e_entry
  const shoffAt = phoffAt + w;
  const tail = shoffAt + w + 4 + 2; // after e_flags and e_ehsize
  return {
    bits,
    littleEndian: data === 1,
    type: r.u16(0x10),
    machine: r.u16(0x12),
    phoff: r.word(bits, phoffAt),
    shoff: r.word(bits, shoffAt),
    phentsize: r.u16(tail),
    phnum: r.u16(tail + 2),
    shentsize: r.u16(tail + 4),
    shnum: r.u16(tail + 6),
    shstrndx: r.u16(tail + 8),
  };
}

/** Field offsets of a program header (segment), 32- and 64-bit (the System V ABI's Elf32_Phdr/Elf64_Phdr). */
const SEGMENT_AT = {
  32: { type: 0, offset: 4, vaddr: 8, filesz: 16, flags: 24 },
  64: { type: 0, flags: 4, offset: 8, vaddr: 16, filesz: 32 },
} as const;

/** Field offsets of a section header, 32- and 64-bit (Elf32_Shdr/Elf64_Shdr). */
const SECTION_AT = {
  32: { nameOff: 0, type: 4, flags: 8, addr: 12, offset: 16, size: 20, link: 24 },
  64: { nameOff: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40 },
} as const;

/** Check that a table of `count` entries of `entsize` bytes at `off` lies inside the file. */
function checkTable(
  buf: Buffer,
  what: string,
  off: number,
  count: number,
  entsize: number,
  min: number
): void {
  if (count === 0) return;
  if (count > MAX_TABLE_ENTRIES)
    throw malformed(`${what} has ${count} entries, over ${MAX_TABLE_ENTRIES}`);
  if (entsize < min) throw malformed(`${what} entry size ${entsize} is below ${min}`);
  if (!Number.isSafeInteger(off) || off <= 0 || off + count * entsize > buf.length)
    throw malformed(
      `${what} (${count} × ${entsize} bytes at ${off}) runs past the end of the file`
    );
}

/** Longest section name read; real ones are a few dozen bytes. */
const MAX_SECTION_NAME = 256;
/** Longest DT_SONAME, DT_NEEDED, DT_RPATH or DT_RUNPATH read (PATH_MAX). */
const MAX_SONAME = 4096;
/** Most dynamic entries read; a real object has a few dozen. */
const MAX_DYNAMIC_ENTRIES = 65_536;
/** Most DT_NEEDED entries kept (and most DT_AUXILIARY and DT_FILTER entries); real objects have tens. */
export const MAX_NEEDED = 1024;

/**
 * The NUL-terminated string at `start`, looking no further than `end` or
 * `max` bytes: each lookup costs at most `max`, however many sections point
 * into one unterminated string table.
 */
function cString(buf: Buffer, start: number, end: number, max: number): string {
  if (start < 0 || start >= end) return '';
  const stop = Math.min(end, buf.length, start + max);
  const nul = buf.subarray(start, stop).indexOf(0);
  return buf.toString('utf8', start, nul < 0 ? stop : start + nul);
}

/**
 * Parse an ELF file's header, program headers and section headers, checking
 * every offset against the file size.
 * @throws BinaryParseError `MALFORMED_ELF`
 */
export function parseElf(buf: Buffer): ElfFile {
  const h = parseElfHeader(buf);
  const r = new Reader(buf, h.littleEndian);
  const b64 = h.bits === 64;

  // Extended numbering: counts that do not fit in 16 bits live in section 0.
  let { shnum, phnum, shstrndx } = h;
  const shentMin = b64 ? 64 : 40;
  if (h.shoff !== 0 && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
    checkTable(buf, 'section header table', h.shoff, 1, h.shentsize, shentMin);
    if (shnum === 0) shnum = r.word(h.bits, h.shoff + (b64 ? 0x20 : 0x14), 'section 0 size');
    if (shstrndx === 0xffff) shstrndx = r.u32(h.shoff + (b64 ? 0x28 : 0x18), 'section 0 link');
    if (phnum === 0xffff) phnum = r.u32(h.shoff + (b64 ? 0x2c : 0x1c), 'section 0 info');
  }
  if (h.shoff === 0) shnum = 0;
  if (h.phoff === 0) phnum = 0;

  checkTable(buf, 'program header table', h.phoff, phnum, h.phentsize, b64 ? 56 : 32);
  const segments: ElfSegment[] = [];
  const pAt = SEGMENT_AT[h.bits];
  for (let i = 0; i < phnum; i++) {
    const o = h.phoff + i * h.phentsize;
    segments.push({
      type: r.u32(o + pAt.type),
      flags: r.u32(o + pAt.flags),
      offset: r.word(h.bits, o + pAt.offset),
      vaddr: r.word(h.bits, o + pAt.vaddr),
      filesz: r.word(h.bits, o + pAt.filesz),
    });
  }

  checkTable(buf, 'section header table', h.shoff, shnum, h.shentsize, shentMin);
  const raw: (ElfSection & { nameOff: number })[] = [];
  const sAt = SECTION_AT[h.bits];
  for (let i = 0; i < shnum; i++) {
    const o = h.shoff + i * h.shentsize;
    const s = {
      nameOff: r.u32(o + sAt.nameOff),
      type: r.u32(o + sAt.type),
      flags: r.word(h.bits, o + sAt.flags),
      addr: r.word(h.bits, o + sAt.addr),
      offset: r.word(h.bits, o + sAt.offset),
      size: r.word(h.bits, o + sAt.size),
      link: r.u32(o + sAt.link),
    };
    if (
      s.type !== SHT.NOBITS &&
      s.size > 0 &&
      (s.offset + s.size > buf.length || !Number.isSafeInteger(s.offset + s.size))
    )
      throw malformed(
        `section ${i} (${s.size} bytes at ${s.offset}) runs past the end of the file`
      );
    raw.push({ ...s, name: '' });
  }
  if (shnum > 0) {
    const strtab = raw[shstrndx];
    if (!strtab) throw malformed(`section name table index ${shstrndx} is out of range`);
    const end = strtab.offset + strtab.size;
    for (const s of raw) s.name = cString(buf, strtab.offset + s.nameOff, end, MAX_SECTION_NAME);
  }
  const sections: ElfSection[] = raw.map(({ nameOff: _n, ...s }) => s);

  const sectionData = (s: ElfSection): Buffer =>
    s.type === SHT.NOBITS ? Buffer.alloc(0) : buf.subarray(s.offset, s.offset + s.size);

  // .dynamic: DT.SONAME (name in the string table the section links to) and DT.FLAGS_1 & PIE.
  let soname: string | undefined;
  let pie = false;
  const dyn = sections.find((s) => s.type === SHT.DYNAMIC);
  if (dyn) {
    const entsize = b64 ? 16 : 8;
    const strtab = sections[dyn.link];
    for (let o = dyn.offset; o + entsize <= dyn.offset + dyn.size; o += entsize) {
      const tag = r.word(h.bits, o);
      const val = r.word(h.bits, o + entsize / 2);
      if (tag === DT.NULL) break;
      if (tag === DT.FLAGS_1 && (val & DF_1_PIE) !== 0) pie = true;
      if (
        tag === DT.SONAME &&
        soname === undefined &&
        strtab &&
        strtab.type !== SHT.NOBITS &&
        val < strtab.size
      )
        soname =
          cString(buf, strtab.offset + val, strtab.offset + strtab.size, MAX_SONAME) || undefined;
    }
  }

  const readVirtual = (addr: number, size: number): Buffer | undefined => {
    for (const p of segments) {
      if (p.type !== PT.LOAD || p.filesz === 0) continue;
      if (addr < p.vaddr || addr >= p.vaddr + p.filesz) continue;
      const n = Math.min(size, p.vaddr + p.filesz - addr);
      const start = p.offset + (addr - p.vaddr);
      if (start + n > buf.length) return undefined;
      return buf.subarray(start, start + n);
    }
    return undefined;
  };
  const dynamic = readDynamic(buf, r, h.bits, segments, dyn, sections, readVirtual);

  return {
    header: h,
    sections,
    segments,
    ...(soname !== undefined ? { soname } : {}),
    ...(dynamic ? { dynamic } : {}),
    runnable: pie || segments.some((p) => p.type === PT.INTERP),
    section: (name) => sections.find((s) => s.name === name),
    sectionData,
    readVirtual,
  };
}

/** The PT_LOAD segments whose file image holds the virtual address `addr`. */
function loadsHolding(segments: readonly ElfSegment[], addr: number): ElfSegment[] {
  return segments.filter(
    (p) => p.type === PT.LOAD && p.filesz > 0 && addr >= p.vaddr && addr < p.vaddr + p.filesz
  );
}

/**
 * The file offset of the `size` bytes at virtual address `addr` as the loader maps them (one
 * PT_LOAD segment's file image holding all of them), or why that cannot be told.
 */
function mapVirtual(segments: readonly ElfSegment[], addr: number, size: number): number | string {
  const holding = loadsHolding(segments, addr);
  const p = holding[0];
  if (!p) return 'is in no loaded segment';
  if (holding.length > 1) return 'is in more than one loaded segment';
  if (addr + size > p.vaddr + p.filesz)
    return `runs past the file image of its loaded segment (${size} bytes)`;
  return p.offset + (addr - p.vaddr);
}

/**
 * DT_NEEDED, DT_AUXILIARY, DT_FILTER, DT_RPATH and DT_RUNPATH as ld.so reads them: the entries
 * of the last PT_DYNAMIC segment, at its virtual address (p_vaddr, read through the PT_LOAD
 * segments: the loader never reads p_offset), their strings in the table at DT_STRTAB (a virtual
 * address too) of DT_STRSZ bytes. An address no single PT_LOAD maps, or a dynamic segment whose
 * p_offset shows other entries than its address, is a problem (a crafted object can show readelf
 * one list and the loader another). Without a PT_DYNAMIC segment the SHT_DYNAMIC section and the
 * string table it links to are read instead. Bounded: at most MAX_DYNAMIC_ENTRIES entries,
 * MAX_NEEDED names (and as many filtees), MAX_SONAME bytes a string; what is cut or cannot be
 * read is said in `problem`.
 */
function readDynamic(
  buf: Buffer,
  r: Reader,
  bits: 32 | 64,
  segments: readonly ElfSegment[],
  section: ElfSection | undefined,
  sections: readonly ElfSection[],
  readVirtual: (addr: number, size: number) => Buffer | undefined
): ElfDynamic | undefined {
  const problems: string[] = [];
  // ld.so takes the last PT_DYNAMIC it sees, at its address (p_vaddr), not at p_offset.
  const dynamics = segments.filter((p) => p.type === PT.DYNAMIC);
  const seg = dynamics[dynamics.length - 1];
  let start: number;
  let size: number;
  if (seg) {
    if (new Set(dynamics.map((p) => `${p.offset}/${p.vaddr}/${p.filesz}`)).size > 1)
      problems.push(`${dynamics.length} PT_DYNAMIC segments (the loader reads the last)`);
    start = seg.offset;
    size = seg.filesz;
    const mapped = mapVirtual(segments, seg.vaddr, seg.filesz);
    if (typeof mapped === 'string')
      problems.push(`the dynamic segment's address 0x${seg.vaddr.toString(16)} ${mapped}`);
    else if (
      mapped !== start &&
      (start + size > buf.length ||
        !buf.subarray(start, start + size).equals(buf.subarray(mapped, mapped + size)))
    ) {
      // What the loader reads is at the address; p_offset (readelf's view) shows other entries.
      problems.push(
        `the dynamic segment at its address 0x${seg.vaddr.toString(16)} (file offset ${mapped}, which the loader reads) is not the one at its p_offset ${start}`
      );
      start = mapped;
    }
  } else if (section && section.type !== SHT.NOBITS) {
    start = section.offset;
    size = section.size;
  } else return undefined;
  const entsize = bits === 64 ? 16 : 8;
  const out: ElfDynamic = { needed: [] };
  if (start + size > buf.length) {
    problems.push(`the dynamic segment (${size} bytes at ${start}) runs past the end of the file`);
    size = Math.max(0, buf.length - start);
  }
  const needed: number[] = [];
  const filtees: number[] = [];
  let rpath: number | undefined;
  let runpath: number | undefined;
  let strtab: number | undefined;
  let strsz: number | undefined;
  let count = 0;
  for (let o = start; o + entsize <= start + size; o += entsize) {
    if (++count > MAX_DYNAMIC_ENTRIES) {
      problems.push(`over ${MAX_DYNAMIC_ENTRIES} dynamic entries`);
      break;
    }
    const tag = r.word(bits, o);
    const val = r.word(bits, o + entsize / 2);
    if (tag === DT.NULL) break;
    if (tag === DT.NEEDED) {
      if (needed.length < MAX_NEEDED) needed.push(val);
      else if (needed.length === MAX_NEEDED) {
        problems.push(`over ${MAX_NEEDED} DT_NEEDED entries`);
        needed.push(-1);
      }
    } else if (tag === DT.AUXILIARY || tag === DT.FILTER) {
      if (filtees.length < MAX_NEEDED) filtees.push(val);
      else if (filtees.length === MAX_NEEDED) {
        problems.push(`over ${MAX_NEEDED} DT_AUXILIARY and DT_FILTER entries`);
        filtees.push(-1);
      }
    } else if (tag === DT.RPATH) rpath ??= val;
    else if (tag === DT.RUNPATH) runpath ??= val;
    else if (tag === DT.STRTAB) strtab ??= val;
    else if (tag === DT.STRSZ) strsz ??= val;
  }
  if (needed.length === 0 && filtees.length === 0 && rpath === undefined && runpath === undefined) {
    return problems.length > 0 ? { ...out, problem: problems.join('; ') } : out;
  }
  // The string table: where the loader finds it, or for a section the one it links to.
  let table: Buffer | undefined;
  if (seg) {
    if (strtab === undefined) problems.push('no DT_STRTAB');
    else {
      table = readVirtual(strtab, strsz ?? Number.MAX_SAFE_INTEGER);
      if (!table) problems.push(`DT_STRTAB 0x${strtab.toString(16)} is in no loaded segment`);
      else if (loadsHolding(segments, strtab).length > 1)
        problems.push(`DT_STRTAB 0x${strtab.toString(16)} is in more than one loaded segment`);
    }
  } else {
    const s = section ? sections[section.link] : undefined;
    if (s && s.type !== SHT.NOBITS) table = buf.subarray(s.offset, s.offset + s.size);
    else problems.push('the dynamic section links to no string table');
  }
  const str = (off: number, what: string): string | undefined => {
    if (!table) return undefined;
    if (off < 0 || off >= table.length) {
      problems.push(`${what} string offset ${off} is outside the string table`);
      return undefined;
    }
    const nul = table.subarray(off, Math.min(table.length, off + MAX_SONAME + 1)).indexOf(0);
    if (nul < 0) {
      problems.push(`${what} string at ${off} is unterminated or over ${MAX_SONAME} bytes`);
      return undefined;
    }
    return table.toString('utf8', off, off + nul);
  };
  for (const off of needed) {
    if (off < 0) break;
    const n = str(off, 'DT_NEEDED');
    if (n !== undefined) out.needed.push(n);
  }
  for (const off of filtees) {
    if (off < 0) break;
    const n = str(off, 'DT_AUXILIARY or DT_FILTER');
    if (n !== undefined) (out.filtees ??= []).push(n);
  }
  const rp = rpath !== undefined ? str(rpath, 'DT_RPATH') : undefined;
  const rn = runpath !== undefined ? str(runpath, 'DT_RUNPATH') : undefined;
  if (rp !== undefined) out.rpath = rp;
  if (rn !== undefined) out.runpath = rn;
  if (problems.length > 0) out.problem = problems.join('; ');
  return out;
}

/** What kind of file an ELF is, as the SBOM property `binary:kind` names it. */
export type ElfKind = 'executable' | 'shared-library' | 'relocatable' | 'core' | 'unknown';

/**
 * ET_EXEC is a program; ET_DYN is a program when it has an interpreter or the
 * PIE flag (PIE executables are ET_DYN too), else a shared library.
 */
export function elfKind(type: number, runnable: boolean | undefined): ElfKind {
  switch (type) {
    case ET_EXEC:
      return 'executable';
    case ET_DYN:
      return runnable ? 'executable' : 'shared-library';
    case ET_REL:
      return 'relocatable';
    case ET_CORE:
      return 'core';
    default:
      return 'unknown';
  }
}

/** e_type as readelf names it. */
export function elfTypeName(type: number): string {
  return (
    ({ 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' } as Record<number, string>)[type] ??
    `0x${type.toString(16)}`
  );
}

/** e_machine as a short architecture name (Lambda runs x86_64 and arm64). */
export function elfMachineName(machine: number): string {
  return (
    (
      {
        3: 'x86',
        8: 'mips',
        20: 'ppc',
        21: 'ppc64',
        22: 's390',
        40: 'arm',
        62: 'x86_64',
        183: 'aarch64',
        243: 'riscv',
      } as Record<number, string>
    )[machine] ?? `unknown(${machine})`
  );
}
