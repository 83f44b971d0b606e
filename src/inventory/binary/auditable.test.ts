import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCargoAuditable } from './auditable.js';
import { parseElf } from './elf.js';
import { BinaryParseError } from './errors.js';
import { buildElf } from './testing/elf-builder.js';

const RUSTBIN = join(import.meta.dirname, '../../../testdata/layers/binary-basic/bin/rustbin');
const EMBEDDED = join(import.meta.dirname, '../../../testdata/sources/binary/rustbin.audit.json');

/** The section as objcopy sees it, decompressed independently of our ELF parser. */
function objcopyJson(): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-audit-'));
  try {
    const out = join(dir, 'dep');
    execFileSync('objcopy', ['--dump-section', `.dep-v0=${out}`, RUSTBIN, join(dir, 'copy')], {
      stdio: 'ignore',
    });
    return JSON.parse(inflateSync(readFileSync(out)).toString('utf8'));
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withSection(data: Buffer): Buffer {
  return buildElf({ sections: [{ name: '.dep-v0', data }] }).buf;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BinaryParseError);
    return (err as BinaryParseError).code;
  }
  return undefined;
}

describe('readCargoAuditable', () => {
  it('reads the packages embedded in the Rust fixture', () => {
    const embedded = JSON.parse(readFileSync(EMBEDDED, 'utf8')) as {
      packages: { name: string; version: string; dependencies?: number[]; kind?: string }[];
    };
    const fromObjcopy = objcopyJson();
    if (fromObjcopy !== undefined) expect(fromObjcopy).toEqual(embedded);

    const info = readCargoAuditable(parseElf(readFileSync(RUSTBIN)), 1 << 20);
    expect(info?.packages.map((p) => [p.name, p.version, p.dependencies])).toEqual(
      embedded.packages.map((p) => [p.name, p.version, p.dependencies ?? []])
    );
    expect(info?.packages.map((p) => p.kind)).toEqual(
      embedded.packages.map((p) => p.kind ?? 'runtime')
    );
    expect(info?.packages.filter((p) => p.root).map((p) => p.name)).toEqual(['rustbin']);
  });

  it('returns undefined without a .dep-v0 section', () => {
    const go = readFileSync(join(RUSTBIN, '../../extensions/goext'));
    expect(readCargoAuditable(parseElf(go), 1 << 20)).toBeUndefined();
  });

  it('accepts the { "Other": name } source form', () => {
    const json = {
      packages: [{ name: 'a', version: '1.0.0', source: { Other: 'vendored' }, root: true }],
    };
    const b = withSection(deflateSync(JSON.stringify(json)));
    expect(readCargoAuditable(parseElf(b), 1 << 20)?.packages[0]?.source).toBe('vendored');
  });

  it('refuses a decompression bomb, bad zlib, bad JSON and bad indexes', () => {
    const bomb = withSection(deflateSync(Buffer.alloc(4 << 20, 0x20)));
    expect(code(() => readCargoAuditable(parseElf(bomb), 1 << 20))).toBe('MALFORMED_AUDIT_DATA');
    const notZlib = withSection(Buffer.from('not zlib'));
    expect(code(() => readCargoAuditable(parseElf(notZlib), 1 << 20))).toBe('MALFORMED_AUDIT_DATA');
    const notJson = withSection(deflateSync('{"packages": ['));
    expect(code(() => readCargoAuditable(parseElf(notJson), 1 << 20))).toBe('MALFORMED_AUDIT_DATA');
    const badIndex = withSection(
      deflateSync(
        JSON.stringify({
          packages: [{ name: 'a', version: '1', source: 'local', dependencies: [5] }],
        })
      )
    );
    expect(code(() => readCargoAuditable(parseElf(badIndex), 1 << 20))).toBe(
      'MALFORMED_AUDIT_DATA'
    );
  });
});
