import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newPackage } from '../model/package.js';
import { MemorySource } from '../unpack/memory.js';
import { parseElf } from './binary/elf.js';
import { BinaryParseError } from './binary/errors.js';
import { parseModInfo } from './binary/gobuildinfo.js';
import { disownOutsideInstallDir, OwnershipIndex } from './binary/ownership.js';
import { parseDepsJson } from './dotnet/deps-json.js';
import { parseManifest, parseProperties, pomLicenses } from './java/metadata.js';
import { JsonSyntaxError, parseJsonLenient } from './json.js';
import { CoreMetadata } from './python/metadata.js';
import { parseRecord, verifyRecordFiles, type RecordCheck } from './python/record.js';
import { parseGemspec } from './ruby/gemspec.js';

// Every parser driven by generated hostile input. What is asserted is deterministic: which
// errors may escape, and that the work and what is kept are bounded by the input (bytes
// re-hashed, rows, values). Speed is measured by `npm run bench:parsers` (n, 2n, 4n, 8n).

/** Text built from a format's own fragments, random code units, and one fragment repeated. */
function hostile(fragments: readonly string[], maxRepeat = 2000): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fragments) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) }
  );
  return fc
    .tuple(
      fc.array(piece, { maxLength: 60 }),
      fc.constantFrom(...fragments),
      fc.integer({ min: 0, max: maxRepeat })
    )
    .map(([parts, rep, n]) => parts.join('') + rep.repeat(n));
}

const RUNS = { numRuns: 150, seed: 20261129 };
const totalLength = (xs: Iterable<string>): number => [...xs].reduce((a, s) => a + s.length, 0);

/** Run `f`; only errors of the classes in `allowed` may escape (plain Error when none named). */
function only(f: () => unknown, ...allowed: (new (...a: never[]) => Error)[]): unknown {
  try {
    return f();
  } catch (err) {
    const ok = allowed.length
      ? allowed.some((c) => err instanceof c)
      : err instanceof Error && err.constructor === Error;
    if (!ok) throw new Error(`unexpected ${String(err)}`);
    return undefined;
  }
}

describe('parsers on generated hostile input', () => {
  it('parseGemspec: a value or a plain Error; values are no longer than the text', () => {
    const frags = [
      'Gem::Specification.new do |s|\n',
      '  s.name = "a".freeze\n',
      '  s.version = "1.0"\n',
      '  s.licenses = ["MIT".freeze, %q{x}]\n',
      '  s.add_runtime_dependency(%q<b>.freeze, [">= 0"])\n',
      '%q<',
      '%Q{',
      '"\\u{1F600 10FFFF 110000}"',
      '"\\x4',
      '#{',
      '\\',
      '[',
      'end\n',
    ];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        const g = only(() => parseGemspec(text)) as ReturnType<typeof parseGemspec> | undefined;
        if (g) {
          const kept = [g.name, g.version, ...g.licenses, ...g.runtimeDependencies];
          expect(totalLength(kept)).toBeLessThanOrEqual(text.length);
        }
      }),
      RUNS
    );
  });

  it('parseProperties and parseManifest: total, and keep no more than the text', () => {
    const frags = [
      'k=v\n',
      'a\\\n',
      '\\\\',
      '\\u00',
      ' x\n',
      '#c\n',
      ':',
      '=',
      '\r',
      '\u2028',
      'Name: v\r\n',
    ];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        for (const m of [parseProperties(text), parseManifest(text)]) {
          expect(totalLength([...m.keys(), ...m.values()])).toBeLessThanOrEqual(text.length);
        }
        expect(pomLicenses(text).length).toBeLessThanOrEqual(text.split('<license>').length);
      }),
      RUNS
    );
  });

  it('parseRecord: total; rows and paths bounded by the text', () => {
    const frags = ['a.py,sha256=x,1\n', '"', '""', ',', '\n', '\r\n', '\f', 'x"y', '"q,r"'];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        const rows = parseRecord(text);
        expect(totalLength(rows.map((r) => r.path))).toBeLessThanOrEqual(text.length);
      }),
      RUNS
    );
  });

  it('RECORD checks: each file hashed once, never past the byte budget', async () => {
    const files = {
      'a.py': Buffer.alloc(3000, 0x61),
      'b.py': Buffer.alloc(5000, 0x62),
      'c.py': Buffer.alloc(7000, 0x63),
    };
    const source = new MemorySource('r', files);
    const check = fc.record({
      path: fc.constantFrom('a.py', 'b.py', 'c.py', 'missing.py'),
      algorithm: fc.constantFrom('sha256', 'sha512', 'md5', 'nope'),
      size: fc.option(fc.constantFrom(3000, 5000, 7000, 1)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(check, { maxLength: 400 }),
        fc.integer({ min: 0, max: 20_000 }),
        async (rows, budget) => {
          const checks: RecordCheck[] = rows.map((r) => ({
            path: r.path,
            owner: 'x',
            row: {
              path: r.path,
              hash: { algorithm: r.algorithm, digest: 'AAAA' },
              ...(r.size !== null ? { size: r.size } : {}),
            },
          }));
          const v = await verifyRecordFiles(source, checks, budget, 4);
          const distinct = new Set(rows.map((r) => r.path).filter((p) => p in files));
          const max = [...distinct].reduce((a, p) => a + files[p as keyof typeof files].length, 0);
          expect(v.bytesHashed).toBeLessThanOrEqual(Math.min(max, budget));
        }
      ),
      { ...RUNS, numRuns: 60 }
    );
  });

  it('CoreMetadata: never throws; values no longer than the text', () => {
    const frags = [
      'Name: a\n',
      'Version: 1\n',
      ' cont\n',
      '\tcont\r',
      'bad line\n',
      ': x\n',
      'From x\n',
      '\r\n',
      '\ufeff',
    ];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        const m = new CoreMetadata(text);
        const values = ['name', 'version', 'summary'].flatMap((k) => m.all(k));
        expect(totalLength(values)).toBeLessThanOrEqual(text.length);
      }),
      RUNS
    );
  });

  it('parseJsonLenient: agrees with JSON.parse on every JSON text, and fails only with JsonSyntaxError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (v, bom) => {
        const text = (bom ? '\ufeff' : '') + JSON.stringify(v, null, 1);
        expect(parseJsonLenient(text).value).toEqual(JSON.parse(text.replace(/^\ufeff/, '')));
      }),
      RUNS
    );
    const frags = [
      '{',
      '}',
      '[',
      ']',
      '"a":',
      '1,',
      ',',
      '//c\n',
      '/*',
      '*/',
      '"\\u12',
      'true',
      '-',
    ];
    fc.assert(
      fc.property(hostile(frags, 5000), (text) => {
        only(() => parseJsonLenient(text), JsonSyntaxError);
      }),
      RUNS
    );
  });

  it('parseDepsJson: a value or a plain Error; the graph no larger than the text', () => {
    const frags = [
      '{"targets":{"t":{',
      '"A/1.0":{"dependencies":{"B":"1.0"},"native":{"../../x.so":{}}},',
      '"libraries":{"A/1.0":{"type":"package","sha512":"sha512-AA=="},',
      '"A/1.0":{},',
      '}}',
      '}',
      '//x\n',
      ',',
    ];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        const d = only(() => parseDepsJson(text), Error) as
          ReturnType<typeof parseDepsJson> | undefined;
        if (d) expect(Object.keys(d.deps.libraries).length).toBeLessThanOrEqual(text.length);
      }),
      RUNS
    );
  });

  it('parseElf: only MALFORMED_ELF escapes; tables never larger than the file allows', () => {
    const header = fc.record({
      bits: fc.constantFrom(1, 2),
      endian: fc.constantFrom(1, 2),
      phoff: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      shoff: fc.bigInt({ min: 0n, max: 4096n }),
      phnum: fc.integer({ min: 0, max: 0xffff }),
      shnum: fc.integer({ min: 0, max: 0xffff }),
      shentsize: fc.constantFrom(0, 40, 64, 0xffff),
      shstrndx: fc.integer({ min: 0, max: 0xffff }),
      tail: fc.uint8Array({ maxLength: 8192 }),
    });
    fc.assert(
      fc.property(header, (h) => {
        const b = Buffer.alloc(64 + h.tail.length);
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, h.bits, h.endian, 1]).copy(b);
        Buffer.from(h.tail).copy(b, 64);
        const le = h.endian === 1;
        const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
        const w64 = (v: bigint, o: number) =>
          le ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o);
        w64(h.phoff, 0x20);
        w64(h.shoff, 0x28);
        w16(h.phnum, 0x38);
        w16(h.shentsize, 0x3a);
        w16(h.shnum, 0x3c);
        w16(h.shstrndx, 0x3e);
        const elf = only(() => parseElf(b), BinaryParseError) as
          ReturnType<typeof parseElf> | undefined;
        if (elf) {
          expect(elf.sections.length * 40).toBeLessThanOrEqual(b.length);
          expect(totalLength(elf.sections.map((s) => s.name))).toBeLessThanOrEqual(
            elf.sections.length * 256
          );
        }
      }),
      RUNS
    );
  });

  it('parseModInfo: only Go build info errors escape; modules bounded by lines', () => {
    const frags = [
      'path\tx\n',
      'mod\tm\tv1\th1:x\n',
      'dep\td\tv2\n',
      '=>\tr\tv3\th1:y\n',
      'build\t"k"=`v`\n',
      'build\t=\n',
      '\t',
      '\n',
    ];
    fc.assert(
      fc.property(hostile(frags), (text) => {
        const info = only(() => parseModInfo(text), BinaryParseError) as
          ReturnType<typeof parseModInfo> | undefined;
        if (info) expect(info.deps.length).toBeLessThanOrEqual(text.split('\n').length);
      }),
      RUNS
    );
  });

  it('OwnershipIndex: agrees with a plain reading of the rules on generated claims', () => {
    const seg = fc.constantFrom('bin', 'lib', 'extensions', 'nodejs', 'node_modules', 'a', 'b');
    const path = fc.array(seg, { minLength: 1, maxLength: 5 }).map((p) => p.join('/'));
    const pkg = fc.record({
      dir: fc.option(path),
      owns: fc.array(fc.tuple(path, fc.boolean()), { maxLength: 6 }),
      evidence: path,
    });
    fc.assert(
      fc.property(
        fc.array(pkg, { maxLength: 5 }),
        fc.array(path, { maxLength: 20 }),
        (ps, probes) => {
          const packages = ps.map((p, i) =>
            newPackage({
              id: `p${i}`,
              ecosystem: 'generic',
              name: `p${i}`,
              foundBy: 't',
              locations: [{ path: p.evidence }],
              owns: p.owns.map(([o, dir]) => (dir ? `${o}/` : o)),
              ...(p.dir !== null ? { installDir: p.dir } : {}),
            })
          );
          const reference = packages.map((p) => ({ ...p, owns: [...p.owns] }));
          for (const p of packages) disownOutsideInstallDir(p);
          const index = new OwnershipIndex(packages);
          for (const probe of probes) {
            // Reference: the deepest accepted claim covering the probe; the first package wins a tie.
            let best: { depth: number; id: string } | undefined;
            for (const p of reference) {
              for (const claim of p.owns) {
                const dir = claim.endsWith('/');
                const target = dir ? claim.slice(0, -1) : claim;
                const covers = dir ? probe.startsWith(`${target}/`) : probe === target;
                if (!covers) continue;
                const own = p.locations.some((l) => l.path === claim);
                const inDir = !p.installDir || claim.startsWith(`${p.installDir}/`) || own;
                const runtime = ['bin', 'lib', 'extensions'].includes(claim.split('/')[0]!);
                if (!inDir || (runtime && !own)) continue;
                const depth = target.split('/').length + (dir ? 0 : 0.5);
                if (!best || depth > best.depth) best = { depth, id: p.id };
              }
            }
            expect(index.owner(probe)?.id).toBe(best?.id);
          }
        }
      ),
      RUNS
    );
  });
});
