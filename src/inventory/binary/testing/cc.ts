/**
 * Shared objects compiled at test time by this machine's C compiler, for the tests of what the
 * loader reads (DT_NEEDED, DT_RPATH, DT_RUNPATH), with `readelf -d` as the oracle. Test-only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `cc` (else `gcc`) when it runs here. */
export const CC = ['cc', 'gcc'].find((c) => spawnSync(c, ['--version']).status === 0);
/** Whether `readelf` runs here. */
export const HAS_READELF = spawnSync('readelf', ['--version']).status === 0;

/** A library with a constructor that prints `marker` to stderr, and `core_answer()`. */
export const CORE_C = (marker: string): string =>
  '#include <stdio.h>\n' +
  `__attribute__((constructor)) static void ran(void) { fprintf(stderr, "${marker}\\n"); }\n` +
  'int core_answer(void) { return 42; }\n';

/** An object calling `core_answer()`, so it needs the library it is linked with. */
export const EXT_C = 'int core_answer(void);\nint answer(void) { return core_answer(); }\n';

/** Compile `source` in `dir` into the shared object `out` with `args` (libraries, -Wl options). */
export function sharedObject(
  dir: string,
  out: string,
  source: string,
  args: string[] = []
): string {
  if (!CC) throw new Error('no C compiler');
  const src = join(dir, `${out.replace(/[^A-Za-z0-9]/g, '_')}.c`);
  writeFileSync(src, source);
  const path = join(dir, out);
  execFileSync(CC, ['-shared', '-fPIC', '-o', path, src, ...args], { cwd: dir });
  return path;
}

/** The NEEDED, AUXILIARY and FILTER (as `filtees`, when any), RPATH and RUNPATH entries `readelf -d` lists. */
export function readelfDynamic(path: string): {
  needed: string[];
  filtees?: string[];
  rpath?: string;
  runpath?: string;
} {
  const text = execFileSync('readelf', ['-d', '-W', path], { encoding: 'utf8' });
  const out: { needed: string[]; filtees?: string[]; rpath?: string; runpath?: string } = {
    needed: [],
  };
  for (const m of text.matchAll(/\((NEEDED|AUXILIARY|FILTER|RPATH|RUNPATH)\)\s+[^[]*\[(.*)\]$/gm)) {
    const v = m[2] ?? '';
    if (m[1] === 'NEEDED') out.needed.push(v);
    else if (m[1] === 'AUXILIARY' || m[1] === 'FILTER') (out.filtees ??= []).push(v);
    else if (m[1] === 'RPATH') out.rpath = v;
    else out.runpath = v;
  }
  return out;
}

/**
 * A lying PT_DYNAMIC (a 64-bit little-endian object): a copy of the dynamic array appended to the
 * file with its DT_NEEDED entries retagged (0x6ffffdff, DT_SYMINENT, which names no library), and
 * p_offset pointed at the copy; p_vaddr still names the real array, which is what the loader
 * reads. readelf, once the section headers are gone, reads p_offset and sees no DT_NEEDED.
 */
export function lyingDynamic(b: Buffer): Buffer {
  const ph = Number(b.readBigUInt64LE(0x20));
  const phnum = b.readUInt16LE(0x38);
  let at = -1;
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(ph + i * 56) === 2) at = ph + i * 56;
  if (at < 0) throw new Error('no PT_DYNAMIC');
  const off = Number(b.readBigUInt64LE(at + 8));
  const copy = Buffer.from(b.subarray(off, off + Number(b.readBigUInt64LE(at + 32))));
  for (let o = 0; o + 16 <= copy.length; o += 16)
    if (copy.readBigUInt64LE(o) === 1n) copy.writeBigUInt64LE(0x6ffffdffn, o);
  const newOff = (b.length + 15) & ~15;
  const out = Buffer.concat([b, Buffer.alloc(newOff - b.length), copy]);
  out.writeBigUInt64LE(BigInt(newOff), at + 8);
  return out;
}
