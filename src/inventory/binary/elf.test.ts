import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  elfKind,
  elfMachineName,
  elfTypeName,
  MAX_NEEDED,
  parseElf,
  parseElfHeader,
  type ElfFile,
} from './elf.js';
import { BinaryParseError } from './errors.js';
import {
  CC,
  CORE_C,
  EXT_C,
  HAS_READELF,
  lyingDynamic,
  readelfDynamic,
  sharedObject,
} from './testing/cc.js';
import { buildElf } from './testing/elf-builder.js';

const LAYER = join(import.meta.dirname, '../../../testdata/layers/binary-basic');
const EXPECTED = join(import.meta.dirname, '../../../testdata/sources/binary');
const FIXTURES = [
  ['extensions/goext', 'goext'],
  ['bin/rustbin', 'rustbin'],
  ['lib/libxshmfence.so.1', 'libxshmfence.so.1'],
] as const;

function readelf(args: string[], file: string): string | undefined {
  try {
    return execFileSync('readelf', [...args, '-W', file], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

/** `Key: value` lines of `readelf -h`. */
function headerFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^\s+([^:]+):\s+(.*)$/gm))
    out[(m[1] ?? '').trim()] = (m[2] ?? '').trim();
  return out;
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BinaryParseError);
    expect((err as BinaryParseError).code).toBe(code);
    return;
  }
  expect.fail('expected a BinaryParseError');
}

describe('parseElf on real binaries, cross-checked with readelf', () => {
  for (const [rel, name] of FIXTURES) {
    it(rel, () => {
      const file = join(LAYER, rel);
      const elf = parseElf(readFileSync(file));
      // Live readelf when installed, else the output the fixture script saved.
      const h = headerFields(
        readelf(['-h'], file) ?? readFileSync(join(EXPECTED, `${name}.readelf-h.txt`), 'utf8')
      );
      expect(elf.header.bits === 64 ? 'ELF64' : 'ELF32').toBe(h.Class);
      expect(h.Data).toContain(elf.header.littleEndian ? 'little endian' : 'big endian');
      expect(h.Type?.split(' ')[0]).toBe(elfTypeName(elf.header.type));
      expect(h.Machine).toMatch(/X86-64/);
      expect(elfMachineName(elf.header.machine)).toBe('x86_64');
      expect(elf.sections.length).toBe(Number(h['Number of section headers']));
      expect(elf.segments.length).toBe(Number(h['Number of program headers']));

      const sections = readelf(['-S'], file);
      if (sections) {
        // Every section name readelf lists (it abbreviates long ones with [...]).
        const listed = [...sections.matchAll(/^\s+\[\s*\d+\]\s+(\S+)/gm)].map((m) => m[1] ?? '');
        const ours = elf.sections.map((s) => s.name).filter((n) => n !== '');
        expect(ours.length).toBe(listed.filter((n) => n !== 'NULL').length);
        for (const n of listed.filter((x) => x !== 'NULL' && !x.includes('[...]')))
          expect(ours).toContain(n);
      }
    });
  }

  it('tells programs from libraries and reads the SONAME', () => {
    const go = parseElf(readFileSync(join(LAYER, 'extensions/goext')));
    const rust = parseElf(readFileSync(join(LAYER, 'bin/rustbin')));
    const so = parseElf(readFileSync(join(LAYER, 'lib/libxshmfence.so.1')));
    expect(elfKind(go.header.type, go.runnable)).toBe('executable'); // static ET_EXEC
    expect(elfKind(rust.header.type, rust.runnable)).toBe('executable'); // PIE: ET_DYN + interpreter
    expect(elfKind(so.header.type, so.runnable)).toBe('shared-library');
    expect(so.soname).toBe('libxshmfence.so.1');
    const dyn = readelf(['-d'], join(LAYER, 'lib/libxshmfence.so.1'));
    if (dyn) expect(dyn).toContain(`Library soname: [${so.soname}]`);
    expect(rust.section('.dep-v0')).toBeDefined();
    expect(go.section('.go.buildinfo')).toBeDefined();
  });
});

describe('parseElf on malformed input', () => {
  const so = readFileSync(join(LAYER, 'lib/libxshmfence.so.1'));

  it('rejects a truncated header', () => {
    expectCode(() => parseElfHeader(so.subarray(0, 40)), 'MALFORMED_ELF');
    expectCode(() => parseElf(so.subarray(0, 10)), 'MALFORMED_ELF');
  });

  it('rejects a section table past the end of the file', () => {
    const b = Buffer.from(so);
    b.writeBigUInt64LE(BigInt(so.length - 10), 0x28); // e_shoff
    expectCode(() => parseElf(b), 'MALFORMED_ELF');
  });

  it('rejects a huge extended section count without allocating for it', () => {
    const b = Buffer.from(so);
    const shoff = Number(b.readBigUInt64LE(0x28));
    b.writeUInt16LE(0, 0x3c); // e_shnum = 0: real count in section 0's sh_size
    b.writeBigUInt64LE(0xffffffffffn, shoff + 0x20);
    expectCode(() => parseElf(b), 'MALFORMED_ELF');
  });

  it('rejects a section whose data runs past the end', () => {
    const b = Buffer.from(so);
    const shoff = Number(b.readBigUInt64LE(0x28));
    b.writeBigUInt64LE(BigInt(so.length), shoff + 64 + 0x18); // section 1 sh_offset
    expectCode(() => parseElf(b), 'MALFORMED_ELF');
  });

  it('rejects an out-of-range section name table index and tiny entry sizes', () => {
    const a = Buffer.from(so);
    a.writeUInt16LE(999, 0x3e);
    expectCode(() => parseElf(a), 'MALFORMED_ELF');
    const c = Buffer.from(so);
    c.writeUInt16LE(8, 0x3a); // e_shentsize
    expectCode(() => parseElf(c), 'MALFORMED_ELF');
  });

  it('never throws anything but BinaryParseError on any truncation', () => {
    for (let n = 0; n < so.length; n += 97) {
      try {
        parseElf(so.subarray(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(BinaryParseError);
      }
    }
  });

  it('reads a binary stripped of its section headers from the program headers alone', () => {
    const { buf } = buildElf({
      sections: [{ name: '.data', data: Buffer.from('x') }],
      withSections: false,
    });
    const elf = parseElf(buf);
    expect(elf.sections).toEqual([]);
    expect(elf.segments).toHaveLength(1);
    expect(elf.readVirtual(0x400000, 4)?.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });
});

/** What parseElf read of the dynamic section, in readelfDynamic's shape. */
const dynamicOf = (elf: ElfFile) => {
  const d = elf.dynamic;
  return {
    needed: d?.needed ?? [],
    ...(d?.filtees !== undefined ? { filtees: d.filtees } : {}),
    ...(d?.rpath !== undefined ? { rpath: d.rpath } : {}),
    ...(d?.runpath !== undefined ? { runpath: d.runpath } : {}),
  };
};

describe.skipIf(!CC || !HAS_READELF)(
  'DT_NEEDED, DT_RPATH and DT_RUNPATH of objects cc builds',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-elf-dyn-'));
    // A library with a SONAME, one without (linked by path, it is needed by that path).
    sharedObject(dir, 'core.dat', CORE_C('core'), ['-Wl,-soname,core.dat']);
    sharedObject(dir, 'nosoname.dat', CORE_C('nosoname'));
    const built = {
      runpath: sharedObject(dir, 'runpath.so', EXT_C, [
        './core.dat',
        '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../../share/blobs:/opt/lib/x',
      ]),
      rpath: sharedObject(dir, 'rpath.so', EXT_C, [
        './core.dat',
        '-Wl,--disable-new-dtags,-rpath,${ORIGIN}/b:/usr/$LIB',
      ]),
      path: sharedObject(dir, 'path.so', EXT_C, ['./nosoname.dat', '-Wl,--no-as-needed', '-lm']),
      none: sharedObject(dir, 'none.so', 'int f(void) { return 1; }\n'),
      // Filters: glibc loads the filtee as it loads a DT_NEEDED library, constructors and all.
      auxiliary: sharedObject(dir, 'aux.so', EXT_C, [
        '-Wl,--auxiliary=$ORIGIN/../../share/blob.dat',
        '-Wl,--auxiliary=libaux2.so',
      ]),
      filter: sharedObject(dir, 'filter.so', EXT_C, [
        './core.dat',
        '-Wl,--filter=${ORIGIN}/filtee.dat',
      ]),
    };

    it.each(Object.entries(built))('%s: what readelf -d lists', (_name, file) => {
      expect(dynamicOf(parseElf(readFileSync(file)))).toEqual(readelfDynamic(file));
      expect(parseElf(readFileSync(file)).dynamic?.problem).toBeUndefined();
    });

    it('reads what the tests build (readelf agrees on each)', () => {
      const at = (f: string) => dynamicOf(parseElf(readFileSync(f)));
      expect(at(built.runpath)).toMatchObject({
        needed: expect.arrayContaining(['core.dat']),
        runpath: '$ORIGIN/../../share/blobs:/opt/lib/x',
      });
      expect(at(built.rpath)).toMatchObject({ rpath: '${ORIGIN}/b:/usr/$LIB' });
      expect(at(built.path).needed).toEqual(
        expect.arrayContaining(['./nosoname.dat', 'libm.so.6'])
      );
      expect(at(built.runpath).rpath).toBeUndefined();
      expect(at(built.auxiliary).filtees).toEqual(['$ORIGIN/../../share/blob.dat', 'libaux2.so']);
      expect(at(built.filter)).toMatchObject({
        needed: expect.arrayContaining(['core.dat']),
        filtees: ['${ORIGIN}/filtee.dat'],
      });
      expect(at(built.runpath).filtees).toBeUndefined();
    });

    it('the debian fixture library too', () => {
      const file = join(LAYER, 'lib/libxshmfence.so.1');
      expect(dynamicOf(parseElf(readFileSync(file)))).toEqual(readelfDynamic(file));
    });

    /** The file offset of each (tag, value) pair of the PT_DYNAMIC segment. */
    const entries = (b: Buffer): { at: number; tag: number; val: number }[] => {
      const seg = parseElf(b).segments.find((p) => p.type === 2)!;
      const out = [];
      for (let o = seg.offset; o + 16 <= seg.offset + seg.filesz; o += 16)
        out.push({
          at: o,
          tag: Number(b.readBigUInt64LE(o)),
          val: Number(b.readBigUInt64LE(o + 8)),
        });
      return out;
    };

    it('reads the dynamic segment as the loader does: without section headers, not from them', () => {
      const b = Buffer.from(readFileSync(built.runpath));
      const want = readelfDynamic(built.runpath);
      // Stripped of its section headers (sstrip): the loader never reads them.
      const stripped = Buffer.from(b);
      stripped.writeBigUInt64LE(0n, 0x28);
      stripped.writeUInt16LE(0, 0x3c);
      stripped.writeUInt16LE(0, 0x3e);
      expect(dynamicOf(parseElf(stripped))).toEqual(want);
      // Section headers that hide the .dynamic section (typed PROGBITS) do not matter either.
      const i = parseElf(b).sections.findIndex((s) => s.type === 6);
      const hidden = Buffer.from(b);
      hidden.writeUInt32LE(1, Number(b.readBigUInt64LE(0x28)) + i * 64 + 4);
      expect(parseElf(hidden).sections.some((s) => s.type === 6)).toBe(false);
      expect(dynamicOf(parseElf(hidden))).toEqual(want);
      // Without PT_DYNAMIC the section is read.
      const noSeg = Buffer.from(b);
      const ph = Number(b.readBigUInt64LE(0x20));
      const phnum = b.readUInt16LE(0x38);
      for (let i = 0; i < phnum; i++)
        if (noSeg.readUInt32LE(ph + i * 56) === 2) noSeg.writeUInt32LE(0, ph + i * 56);
      expect(dynamicOf(parseElf(noSeg))).toEqual(want);
    });

    it('says what it could not read: an unmapped string table, a string offset past it', () => {
      const b = Buffer.from(readFileSync(built.runpath));
      const strtab = entries(b).find((e) => e.tag === 5)!;
      const unmapped = Buffer.from(b);
      unmapped.writeBigUInt64LE(0x7fff_0000_0000n, strtab.at + 8);
      expect(parseElf(unmapped).dynamic?.problem).toMatch(/DT_STRTAB .* is in no loaded segment/);

      const needed = entries(b).find((e) => e.tag === 1)!;
      const past = Buffer.from(b);
      past.writeBigUInt64LE(0xfff_ffffn, needed.at + 8);
      expect(parseElf(past).dynamic?.problem).toMatch(/DT_NEEDED string offset .* is outside/);
    });

    it('reads the dynamic segment at its address, as the loader does, and says when p_offset lies', () => {
      const file = built.runpath;
      const b = readFileSync(file);
      const want = readelfDynamic(file);
      expect(want.needed).toContain('core.dat');
      const lying = lyingDynamic(b);
      // readelf reads the PT_DYNAMIC at p_offset once the section headers are gone (sstrip), and
      // then sees no DT_NEEDED at all; it sees them in the unchanged object.
      const sstrip = (x: Buffer): string => {
        const y = Buffer.from(x);
        y.writeBigUInt64LE(0n, 0x28);
        y.writeUInt16LE(0, 0x3c);
        y.writeUInt16LE(0, 0x3e);
        const dir2 = mkdtempSync(join(tmpdir(), 'lamina-elf-lie-'));
        writeFileSync(join(dir2, 'x.so'), y);
        return join(dir2, 'x.so');
      };
      expect(readelfDynamic(sstrip(b)).needed).toEqual(want.needed);
      expect(readelfDynamic(sstrip(lying)).needed).toEqual([]);
      // lamina reads what the loader reads (core.dat and the rest), and says the two differ.
      const d = parseElf(lying).dynamic;
      expect(d?.needed).toEqual(want.needed);
      expect(d?.runpath).toBe(want.runpath);
      expect(d?.problem).toMatch(/is not the one at its p_offset/);
      // The unchanged object reads as before, with no problem.
      expect(parseElf(b).dynamic?.problem).toBeUndefined();
    });

    it('says when the dynamic segment or the string table is mapped by no PT_LOAD, or by two', () => {
      const b = readFileSync(built.runpath);
      // p_vaddr moved where no segment maps it: the loader's view cannot be read.
      const unmapped = Buffer.from(b);
      const ph = Number(b.readBigUInt64LE(0x20));
      const phnum = b.readUInt16LE(0x38);
      const dynAt = [...Array(phnum).keys()]
        .map((i) => ph + i * 56)
        .find((o) => b.readUInt32LE(o) === 2)!;
      unmapped.writeBigUInt64LE(0x7fff_0000_0000n, dynAt + 16);
      expect(parseElf(unmapped).dynamic?.problem).toMatch(/address 0x7fff00000000 is in no loaded/);
      // The PT_DYNAMIC entry duplicated over another program header, at another address.
      const two = Buffer.from(b);
      const other = [...Array(phnum).keys()]
        .map((i) => ph + i * 56)
        .find((o) => b.readUInt32LE(o) === 4)!; // PT_NOTE
      b.copy(two, other, dynAt, dynAt + 56);
      two.writeBigUInt64LE(two.readBigUInt64LE(dynAt + 16) + 16n, other + 16);
      expect(parseElf(two).dynamic?.problem).toMatch(
        /PT_DYNAMIC segments \(the loader reads the last\)/
      );
      // A PT_LOAD that also maps the string table (a copy of the first over PT_NOTE).
      const load = [...Array(phnum).keys()]
        .map((i) => ph + i * 56)
        .find((o) => b.readUInt32LE(o) === 1)!;
      const strtab = entries(b).find((e) => e.tag === 5)!.val;
      const overlap = Buffer.from(b);
      b.copy(overlap, other, load, load + 56);
      const d = parseElf(overlap).dynamic;
      // cc puts the string table in the first PT_LOAD (at 0), as readelf -l shows.
      expect(parseElf(b).segments.find((p) => p.type === 1)?.filesz).toBeGreaterThan(strtab);
      expect(d?.problem).toMatch(/DT_STRTAB .* is in more than one loaded segment/);
    });

    it(`keeps at most ${MAX_NEEDED} DT_NEEDED entries and says so`, () => {
      // A dynamic section of MAX_NEEDED + 1 DT_NEEDED entries, read through the section fallback.
      const strtab = Buffer.from('\0libx.so\0');
      const dyn = Buffer.alloc((MAX_NEEDED + 2) * 16);
      for (let i = 0; i <= MAX_NEEDED; i++) {
        dyn.writeBigUInt64LE(1n, i * 16);
        dyn.writeBigUInt64LE(1n, i * 16 + 8);
      }
      const { buf } = buildElf({
        type: 3,
        sections: [
          { name: '.dynstr', data: strtab, type: 3 },
          { name: '.dynamic', data: dyn, type: 6 },
        ],
      });
      // sh_link of .dynamic (section 2) to .dynstr (section 1).
      const shoff = Number(buf.readBigUInt64LE(0x28));
      buf.writeUInt32LE(1, shoff + 2 * 64 + 40);
      const d = parseElf(buf).dynamic;
      expect(d?.needed).toHaveLength(MAX_NEEDED);
      expect(d?.needed[0]).toBe('libx.so');
      expect(d?.problem).toContain(`over ${MAX_NEEDED} DT_NEEDED entries`);
    });

    it('never throws anything but BinaryParseError on any truncation', () => {
      const so = readFileSync(built.runpath);
      for (let n = 0; n < so.length; n += 61) {
        try {
          parseElf(so.subarray(0, n));
        } catch (err) {
          expect(err).toBeInstanceOf(BinaryParseError);
        }
      }
    });
  }
);
