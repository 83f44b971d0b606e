import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from './elf.js';
import { BinaryParseError } from './errors.js';
import { parseModInfo, readGoBuildInfo, type GoBuildInfo } from './gobuildinfo.js';
import { buildElf } from './testing/elf-builder.js';

const GOEXT = join(import.meta.dirname, '../../../testdata/layers/binary-basic/extensions/goext');
const EXPECTED = join(
  import.meta.dirname,
  '../../../testdata/sources/binary/goext.go-version-m.txt'
);

/** `go version -m` output: live when Go is installed, else what the fixture script saved. */
function goVersionM(): string {
  try {
    return execFileSync('go', ['version', '-m', GOEXT], { encoding: 'utf8' });
  } catch {
    return readFileSync(EXPECTED, 'utf8');
  }
}

/** Render build info the way `go version -m` prints it (tab-indented mod lines). */
function render(bi: GoBuildInfo): string[] {
  const lines = [`path\t${bi.path}`];
  const mod = (tag: string, m: { path: string; version: string; sum: string }): string =>
    `${tag}\t${m.path}\t${m.version}${m.sum || tag !== 'dep' ? `\t${m.sum}` : ''}`;
  if (bi.main) lines.push(mod('mod', bi.main));
  for (const d of bi.deps) {
    lines.push(mod('dep', d));
    if (d.replace) lines.push(`=>\t${d.replace.path}\t${d.replace.version}\t${d.replace.sum}`);
  }
  for (const s of bi.settings) lines.push(`build\t${s.key}=${s.value}`);
  return lines;
}

function expectCode(fn: () => unknown, code: string): void {
  expect(fn).toThrow(BinaryParseError);
  try {
    fn();
  } catch (err) {
    expect((err as BinaryParseError).code).toBe(code);
  }
}

describe('readGoBuildInfo', () => {
  const buf = readFileSync(GOEXT);

  it('matches `go version -m` for the Go fixture', () => {
    const bi = readGoBuildInfo(parseElf(buf), buf);
    expect(bi).toBeDefined();
    const [first, ...rest] = goVersionM().split('\n');
    expect(first?.split(': ')[1]).toBe(bi?.goVersion);
    const reference = rest.map((l) => l.replace(/^\t/, '')).filter((l) => l.trim() !== '');
    expect(render(bi as GoBuildInfo)).toEqual(reference);
    // And the specific facts the cataloger relies on.
    expect(bi?.main).toEqual({ path: 'example.com/lamina/goext', version: '(devel)', sum: '' });
    expect(bi?.deps[0]?.replace?.path).toBe('../greet');
    expect(bi?.settings).toContainEqual({ key: 'GOOS', value: 'linux' });
  });

  it('finds the build info from the data segment when section headers are stripped', () => {
    const stripped = Buffer.from(buf);
    stripped.writeBigUInt64LE(0n, 0x28); // e_shoff
    stripped.writeUInt16LE(0, 0x3c); // e_shnum
    stripped.writeUInt16LE(0, 0x3e); // e_shstrndx
    const elf = parseElf(stripped);
    expect(elf.sections).toEqual([]);
    expect(readGoBuildInfo(elf, stripped)).toEqual(readGoBuildInfo(parseElf(buf), buf));
  });

  it('returns undefined for a non-Go binary', () => {
    const so = readFileSync(join(GOEXT, '../../lib/libxshmfence.so.1'));
    expect(readGoBuildInfo(parseElf(so), so)).toBeUndefined();
  });

  it('reads the pointer-based format of Go < 1.18', () => {
    const modText =
      'path\tex.com/old\nmod\tex.com/old\tv1.0.0\th1:abc=\ndep\tgolang.org/x/sys\tv0.1.0\th1:def=\n';
    // The module string carries 16-byte sentinels on both sides.
    const mod = Buffer.concat([
      Buffer.alloc(16, 0x30),
      Buffer.from(modText),
      Buffer.alloc(16, 0x31),
    ]);
    const vers = Buffer.from('go1.16.5');
    const strHeader = (addr: number, len: number): Buffer => {
      const b = Buffer.alloc(16);
      b.writeBigUInt64LE(BigInt(addr), 0);
      b.writeBigUInt64LE(BigInt(len), 8);
      return b;
    };
    const { buf: elfBuf } = buildElf({
      sections: [
        { name: '.rodata', data: Buffer.concat([vers, mod]) },
        (at) => ({
          name: '.hdrs',
          data: Buffer.concat([
            strHeader(at['.rodata'] ?? 0, vers.length),
            strHeader((at['.rodata'] ?? 0) + vers.length, mod.length),
          ]),
        }),
        (at) => {
          const h = Buffer.alloc(32);
          h.write('\xff Go buildinf:', 0, 'latin1');
          h.writeUInt8(8, 14); // pointer size
          h.writeUInt8(0, 15); // little endian, pointers (not inline)
          h.writeBigUInt64LE(BigInt(at['.hdrs'] ?? 0), 16);
          h.writeBigUInt64LE(BigInt((at['.hdrs'] ?? 0) + 16), 24);
          return { name: '.go.buildinfo', data: h };
        },
      ],
    });
    const bi = readGoBuildInfo(parseElf(elfBuf), elfBuf);
    expect(bi?.goVersion).toBe('go1.16.5');
    expect(bi?.main).toEqual({ path: 'ex.com/old', version: 'v1.0.0', sum: 'h1:abc=' });
    expect(bi?.deps).toEqual([{ path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:def=' }]);
  });

  it('rejects a pointer-format header with an odd pointer size', () => {
    const h = Buffer.alloc(32);
    h.write('\xff Go buildinf:', 0, 'latin1');
    h.writeUInt8(3, 14);
    const { buf: b } = buildElf({ sections: [{ name: '.go.buildinfo', data: h }] });
    expectCode(() => readGoBuildInfo(parseElf(b), b), 'UNSUPPORTED_GO_BUILDINFO');
  });

  it('rejects an inline string length past the section', () => {
    const h = Buffer.alloc(40);
    h.write('\xff Go buildinf:', 0, 'latin1');
    h.writeUInt8(8, 14);
    h.writeUInt8(2, 15); // inline strings
    h.writeUInt8(0x7f, 32); // 127-byte version string in an 8-byte tail
    const { buf: b } = buildElf({ sections: [{ name: '.go.buildinfo', data: h }] });
    expectCode(() => readGoBuildInfo(parseElf(b), b), 'MALFORMED_GO_BUILDINFO');
  });
});

describe('parseModInfo', () => {
  it('attaches a replacement to the previous module and unquotes build settings', () => {
    const bi = parseModInfo(
      'path\tx/cmd\nmod\tx\t(devel)\t\ndep\ta/b\tv1.2.3\th1:x=\n=>\tc/d\tv1.2.4\th1:y=\n' +
        'build\t-ldflags="-s -w"\nbuild\t"we ird"=v\n'
    );
    expect(bi.deps[0]?.replace).toEqual({ path: 'c/d', version: 'v1.2.4', sum: 'h1:y=' });
    expect(bi.settings).toEqual([
      { key: '-ldflags', value: '-s -w' },
      { key: 'we ird', value: 'v' },
    ]);
  });

  it('rejects a replacement with no module before it, and a bad column count', () => {
    expectCode(() => parseModInfo('=>\ta\tv1\th1:x\n'), 'MALFORMED_GO_BUILDINFO');
    expectCode(() => parseModInfo('dep\ta\n'), 'MALFORMED_GO_BUILDINFO');
  });
});
