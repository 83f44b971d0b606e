#!/usr/bin/env node
// `npm run bench:parsers` (and part of `npm run bench`): every metadata and binary parser on
// hostile inputs of size n, 2n, 4n and 8n. A linear parser's time grows 2x, 4x, 8x; a
// quadratic one 4x, 16x, 64x. Prints a table, writes .bench/parsers.json, and exits 1 when a
// parser's 8x time exceeds 8 x its 1x time by more than the slack below (measured as the best
// of several runs, interleaved with a peer: JSON.parse of a string of the same size).
//
// usage: node scripts/bench-parsers.mjs [--base N] [--runs N]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(ROOT, 'dist/src', p));

const { values } = parseArgs({
  options: { base: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' } },
});
const BASE = Number(values.base);
const RUNS = Number(values.runs);
const SCALES = [1, 2, 4, 8];
/** An 8x input may cost at most this many times the 8x of a perfectly linear parser. */
const SLACK = 3;

const { parseGemspec } = await dist('inventory/ruby/gemspec.js');
const { parseProperties, parseManifest, pomLicenses } = await dist('inventory/java/metadata.js');
const { parseRecord, verifyRecordFiles } = await dist('inventory/python/record.js');
const { CoreMetadata } = await dist('inventory/python/metadata.js');
const { parseJsonLenient } = await dist('inventory/json.js');
const { parseDepsJson } = await dist('inventory/dotnet/deps-json.js');
const { parseElf } = await dist('inventory/binary/elf.js');
const { parseModInfo } = await dist('inventory/binary/gobuildinfo.js');
const { LinkIndex } = await dist('unpack/links.js');
const { OwnershipIndex } = await dist('inventory/binary/ownership.js');
const { newPackage } = await dist('model/package.js');
const { MemorySource } = await dist('unpack/memory.js');
const { buildInventory } = await dist('inventory/index.js');

const tryRun = (f) => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** A 64-bit ELF header plus `count` section headers naming one unterminated string table. */
function hostileElf(count, strtabSize) {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(3, 0x10);
  header.writeUInt16LE(62, 0x12);
  header.writeBigUInt64LE(64n, 0x28);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(Math.min(count, 0xfffe), 0x3c);
  header.writeUInt16LE(1, 0x3e);
  const n = Math.min(count, 0xfffe);
  const table = Buffer.alloc(64 * n);
  const strOff = 64 + table.length;
  for (let i = 0; i < n; i++) {
    table.writeUInt32LE(3, i * 64 + 4);
    table.writeBigUInt64LE(BigInt(strOff), i * 64 + 24);
    table.writeBigUInt64LE(BigInt(strtabSize), i * 64 + 32);
  }
  return Buffer.concat([header, table, Buffer.alloc(strtabSize, 0x41)]);
}

const deep = (k) => Array.from({ length: k }, (_, i) => `d${i % 10}`).join('/');

/** Each case: a name, what makes it hostile, and a function of the scale n returning a thunk. */
const CASES = [
  {
    name: 'gemspec: unterminated %q< literals',
    make: (n) => {
      const t = `Gem::Specification.new do |s|\n${'  s.a = %q<\n'.repeat(n)}`;
      return () => tryRun(() => parseGemspec(t));
    },
  },
  {
    name: 'gemspec: many dependencies',
    make: (n) => {
      const t = `Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = "1"\n${Array.from({ length: n }, (_, i) => `  s.add_runtime_dependency(%q<d${i}>.freeze, [">= 0"])\n`).join('')}end\n`;
      return () => parseGemspec(t);
    },
  },
  {
    name: 'pom.properties: continuation lines',
    make: (n) => {
      const t = `artifactId=x\nversion=1\nk=${'v\\\n'.repeat(n)}end\n`;
      return () => parseProperties(t);
    },
  },
  {
    name: 'pom.properties: one line of backslashes',
    make: (n) => {
      const t = `k=${'\\'.repeat(n * 4)}\u2028`;
      return () => parseProperties(t);
    },
  },
  {
    name: 'MANIFEST.MF: continuation lines',
    make: (n) => {
      const t = `Manifest-Version: 1.0\nImplementation-Title: x\n${' y\n'.repeat(n)}`;
      return () => parseManifest(t);
    },
  },
  {
    name: 'pom.xml licenses: unclosed <license>',
    make: (n) => {
      const t = `<licenses>${'<license>'.repeat(n)}</licenses>`;
      return () => pomLicenses(t);
    },
  },
  {
    name: 'RECORD: rows',
    make: (n) => {
      const t = 'a/b.py,sha256=AAAA,10\n"q,""x""",,\n'.repeat(n);
      return () => parseRecord(t);
    },
  },
  {
    name: 'RECORD: one huge quoted row',
    make: (n) => {
      const t = `"${'a""'.repeat(n * 4)}`;
      return () => parseRecord(t);
    },
  },
  {
    name: 'RECORD check: one file listed n times',
    make: (n) => {
      const src = new MemorySource('r', { 'f.py': Buffer.alloc(256 * 1024, 0x61) });
      const checks = Array.from({ length: n }, () => ({
        path: 'f.py',
        row: { path: 'f.py', hash: { algorithm: 'sha256', digest: 'AAAA' } },
        owner: 'x',
      }));
      return () => verifyRecordFiles(src, checks, 1 << 30, 4);
    },
  },
  {
    name: 'METADATA: continuation lines',
    make: (n) => {
      const t = `Metadata-Version: 2.1\nName: x\nVersion: 1\nDescription: a\n${' b\n'.repeat(n)}`;
      return () => new CoreMetadata(t);
    },
  },
  {
    name: 'package.json (lenient): deep nesting',
    make: (n) => {
      const t = `{"name":"x","v":${'['.repeat(n)}`;
      return () => tryRun(() => parseJsonLenient(t));
    },
  },
  {
    name: 'package.json (lenient): many keys, comments, commas',
    make: (n) => {
      const t = `{${Array.from({ length: n }, (_, i) => `/*c*/"k${i}":[1,2,],`).join('')}}trailing`;
      return () => parseJsonLenient(t);
    },
  },
  {
    name: 'deps.json: libraries and edges',
    make: (n) => {
      const targets = {};
      const libraries = {};
      for (let i = 0; i < n / 4; i++) {
        targets[`L${i}/1.0`] = { dependencies: { [`L${(i + 1) % (n / 4)}`]: '1.0' } };
        libraries[`L${i}/1.0`] = { type: 'package', sha512: 'sha512-AAAA' };
      }
      const t = JSON.stringify({
        runtimeTarget: { name: 't' },
        targets: { t: targets },
        libraries,
      });
      return () => parseDepsJson(t);
    },
  },
  {
    name: 'ELF: sections naming an unterminated string table',
    make: (n) => {
      const b = hostileElf(Math.floor(n / 8), n * 4);
      return () => tryRun(() => parseElf(b));
    },
  },
  {
    name: 'Go build info: module lines',
    make: (n) => {
      const t = `path\tx\nmod\tx\t(devel)\t\n${'dep\tgithub.com/a/b\tv1.0.0\th1:x=\n'.repeat(n / 2)}build\t"k"=v\n`;
      return () => parseModInfo(t);
    },
  },
  {
    name: 'symlinks: resolve and aliases on deep paths',
    make: (n) => {
      // n = 20,000 gives paths of 200 components (1,000 characters); 8n nears PATH_MAX.
      const k = Math.floor(n / 100);
      const files = { [`${deep(k)}/f`]: 'x', top: { symlink: deep(Math.floor(k / 2)) } };
      const idx = new LinkIndex(new MemorySource('l', files));
      const via = `top/${deep(k)
        .split('/')
        .slice(Math.floor(k / 2))
        .join('/')}/f`;
      return () => {
        for (let i = 0; i < 20; i++) idx.resolve(via);
        return idx.aliases(`${deep(k)}/f`);
      };
    },
  },
  {
    name: 'ownership: deep claims and lookups',
    make: (n) => {
      const owns = Array.from({ length: n / 20 }, (_, i) => `${deep(20)}/p${i}/`);
      const idx = new OwnershipIndex([
        newPackage({ id: 'p', ecosystem: 'npm', name: 'p', foundBy: 't', locations: [], owns }),
      ]);
      const probe = `${deep(20)}/p7/${deep(200)}/x.node`;
      return () => {
        for (let i = 0; i < n; i++) idx.owner(probe);
      };
    },
  },
  {
    name: 'inventory: n npm packages with symlinked directories (pnpm)',
    make: (n) => {
      const files = {};
      for (let i = 0; i < n / 100; i++) {
        files[`nodejs/node_modules/.pnpm/p${i}@1.0.0/node_modules/p${i}/package.json`] =
          JSON.stringify({ name: `p${i}`, version: '1.0.0', dependencies: { [`p${i + 1}`]: '1' } });
        files[`nodejs/node_modules/.pnpm/p${i}@1.0.0/node_modules/p${i + 1}`] = {
          symlink: `../../p${i + 1}@1.0.0/node_modules/p${i + 1}`,
        };
        files[`nodejs/node_modules/p${i}`] = { symlink: `.pnpm/p${i}@1.0.0/node_modules/p${i}` };
      }
      const src = new MemorySource('pnpm', files);
      const artifact = {
        name: 'l',
        kind: 'directory',
        sha256: src.digest,
        size: src.size,
        properties: {},
      };
      return () => buildInventory(src, artifact);
    },
  },
];

/** Best (least disturbed) time in ms of `thunk`, awaited. */
async function best(thunk) {
  let min = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    await thunk();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
}

const results = [];
let failed = 0;
console.log(`base n = ${BASE}, best of ${RUNS} runs; columns: ms at n, then time(kn) / time(n)`);
console.log(
  `${'parser'.padEnd(58)} ${'ms@1x'.padStart(8)} ${'2x'.padStart(6)} ${'4x'.padStart(6)} ${'8x'.padStart(6)}  peer 8x`
);
for (const c of CASES) {
  const times = [];
  const peers = [];
  for (const k of SCALES) {
    const thunk = c.make(BASE * k);
    await thunk(); // warm up (JIT) before timing
    times.push(await best(thunk));
    const peerText = JSON.stringify('x'.repeat(BASE * k * 8));
    peers.push(await best(() => JSON.parse(peerText)));
  }
  const ratios = times.map((t) => t / Math.max(times[0], 0.01));
  const peerRatio = peers[3] / Math.max(peers[0], 0.001);
  // Tiny timings are noise: judge only cases whose 8x run takes over 5 ms.
  const ok = times[3] < 5 || ratios[3] <= 8 * SLACK;
  if (!ok) failed++;
  results.push({ parser: c.name, ms: times, ratios, peerRatio, linear: ok });
  console.log(
    `${c.name.padEnd(58)} ${times[0].toFixed(2).padStart(8)} ${ratios
      .slice(1)
      .map((r) => r.toFixed(1).padStart(6))
      .join(' ')}  ${peerRatio.toFixed(1).padStart(6)}${ok ? '' : '  NOT LINEAR'}`
  );
}
mkdirSync(join(ROOT, '.bench'), { recursive: true });
writeFileSync(
  join(ROOT, '.bench/parsers.json'),
  JSON.stringify({ base: BASE, runs: RUNS, node: process.version, results }, null, 2) + '\n'
);
console.log(failed === 0 ? 'every parser linear' : `${failed} parser(s) not linear`);
process.exit(failed === 0 ? 0 : 1);
