import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elfKind, elfMachineName, elfTypeName, parseElf, parseElfHeader } from './elf.js';
import { BinaryParseError } from './errors.js';
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
