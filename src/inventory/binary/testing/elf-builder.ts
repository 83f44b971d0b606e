/**
 * Builds small synthetic ELF64 little-endian files for tests: cases no real
 * toolchain here produces (old Go build info, hostile headers). Test-only.
 */

export interface TestSection {
  name: string;
  data: Buffer;
  /** sh_type; PROGBITS by default. */
  type?: number;
}

export interface BuiltElf {
  buf: Buffer;
  /** Virtual address of each section's data (file offset + BASE, one RW PT_LOAD covers the file). */
  addrOf: Record<string, number>;
}

export const BASE = 0x400000;
const EHSIZE = 64;
const PHENTSIZE = 56;
const SHENTSIZE = 64;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Lay out: ELF header, one PT_LOAD program header (RW, whole file), section
 * data (16-aligned), `.shstrtab`, section header table.
 * `sectionData(addr)` callbacks let a section refer to addresses of others.
 */
export function buildElf(opts: {
  type?: number;
  sections: (TestSection | ((addrOf: Record<string, number>) => TestSection))[];
  /** Write section headers (false models a binary stripped of them). */
  withSections?: boolean;
}): BuiltElf {
  // Two passes: sizes first (callbacks see placeholder addresses), then real addresses.
  const layout = (addrOf: Record<string, number>) => {
    const secs = opts.sections.map((s) => (typeof s === 'function' ? s(addrOf) : s));
    let off = EHSIZE + PHENTSIZE;
    const placed = secs.map((s) => {
      off = align(off, 16);
      const at = off;
      off += s.data.length;
      return { ...s, offset: at };
    });
    return { placed, end: off };
  };
  const first = layout(new Proxy({}, { get: () => 0 }));
  const addrOf: Record<string, number> = {};
  for (const p of first.placed) addrOf[p.name] = BASE + p.offset;
  const { placed, end } = layout(addrOf);

  const names = ['', ...placed.map((p) => p.name), '.shstrtab'];
  const nameOff: number[] = [];
  let strtab = Buffer.alloc(0);
  for (const n of names) {
    nameOff.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(`${n}\0`)]);
  }
  const strOff = align(end, 16);
  const shoff = align(strOff + strtab.length, 8);
  const shnum = placed.length + 2;
  const withSections = opts.withSections ?? true;
  const total = withSections ? shoff + shnum * SHENTSIZE : strOff;
  const buf = Buffer.alloc(total);

  // ELF header.
  buf.write('\x7fELF', 0, 'latin1');
  buf.writeUInt8(2, 4); // ELFCLASS64
  buf.writeUInt8(1, 5); // little endian
  buf.writeUInt8(1, 6); // EV_CURRENT
  buf.writeUInt16LE(opts.type ?? 2, 0x10);
  buf.writeUInt16LE(62, 0x12); // x86-64
  buf.writeUInt32LE(1, 0x14);
  buf.writeBigUInt64LE(BigInt(EHSIZE), 0x20); // e_phoff
  buf.writeBigUInt64LE(BigInt(withSections ? shoff : 0), 0x28);
  buf.writeUInt16LE(EHSIZE, 0x34);
  buf.writeUInt16LE(PHENTSIZE, 0x36);
  buf.writeUInt16LE(1, 0x38);
  buf.writeUInt16LE(SHENTSIZE, 0x3a);
  buf.writeUInt16LE(withSections ? shnum : 0, 0x3c);
  buf.writeUInt16LE(withSections ? shnum - 1 : 0, 0x3e);

  // PT_LOAD, RW, whole file.
  const ph = EHSIZE;
  buf.writeUInt32LE(1, ph);
  buf.writeUInt32LE(6, ph + 4); // PF_R | PF_W
  buf.writeBigUInt64LE(0n, ph + 8);
  buf.writeBigUInt64LE(BigInt(BASE), ph + 16);
  buf.writeBigUInt64LE(BigInt(BASE), ph + 24);
  buf.writeBigUInt64LE(BigInt(total), ph + 32);
  buf.writeBigUInt64LE(BigInt(total), ph + 40);

  for (const p of placed) p.data.copy(buf, p.offset);
  if (!withSections) return { buf, addrOf };
  strtab.copy(buf, strOff);

  const sh = (
    i: number,
    name: number,
    type: number,
    addr: number,
    off: number,
    size: number
  ): void => {
    const o = shoff + i * SHENTSIZE;
    buf.writeUInt32LE(name, o);
    buf.writeUInt32LE(type, o + 4);
    buf.writeBigUInt64LE(BigInt(addr), o + 16);
    buf.writeBigUInt64LE(BigInt(off), o + 24);
    buf.writeBigUInt64LE(BigInt(size), o + 32);
  };
  placed.forEach((p, i) =>
    sh(i + 1, nameOff[i + 1] ?? 0, p.type ?? 1, BASE + p.offset, p.offset, p.data.length)
  );
  sh(shnum - 1, nameOff[shnum - 1] ?? 0, 3, 0, strOff, strtab.length);
  return { buf, addrOf };
}
