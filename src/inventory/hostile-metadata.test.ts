import { describe, expect, it } from 'vitest';
import { buildInventory } from './index.js';
import { MemorySource, type MemoryFile } from '../unpack/memory.js';

/** A small seeded PRNG so every run feeds the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Paths each cataloger reads, so random bytes reach every parser.
const PATHS = [
  'nodejs/node_modules/a/package.json',
  'nodejs/node_modules/.package-lock.json',
  'python/a-1.0.dist-info/METADATA',
  'python/a-1.0.dist-info/RECORD',
  'python/b-1.0.egg-info',
  'ruby/gems/3.2.0/specifications/a-1.0.gemspec',
  'dotnet/app.deps.json',
  'java/lib/a.jar',
  'bin/tool',
  'extensions/ext',
  'lib/liba.so',
];

/** Bytes that look a bit like the real thing: fragments of each format, mutated. */
const FRAGMENTS = [
  '{"name":"a","version":"1.0.0","dependencies":{"b":"^1"}}',
  'Name: a\nVersion: 1.0\nRequires-Dist: b (>=1) ; extra == "x"\n',
  'a/__init__.py,sha256=AAAA,12\n',
  's.name = "a".freeze\ns.version = "1.0"\ns.add_runtime_dependency(%q<b>.freeze, [">= 0"])\n',
  '{"targets":{"x":{"a/1.0":{"dependencies":{"b":"1"}}}},"libraries":{"a/1.0":{"type":"package"}}}',
  '\x7fELF\x02\x01\x01\x00',
  '\xff Go buildinf:\x08\x02',
  'PK\x03\x04',
];

function hostile(r: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const pick = r();
    if (pick < 0.5)
      parts.push(Buffer.from(FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]!, 'latin1'));
    else if (pick < 0.8)
      parts.push(
        Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)))
      );
    else
      parts.push(
        Buffer.from(['"', '[', '{', '\\', '%q<', '\n ', '('][Math.floor(r() * 7)]!.repeat(5000))
      );
  }
  const buf = Buffer.concat(parts);
  // Flip a few bytes so fragments break in new places.
  for (let i = 0; i < 4 && buf.length > 0; i++)
    buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
  return buf;
}

describe('catalogers on hostile metadata', () => {
  it('never throw or hang: bad files become findings and the inventory is still built', async () => {
    const r = rng(20261128);
    for (let round = 0; round < 150; round++) {
      const files: Record<string, MemoryFile> = {};
      for (const p of PATHS) files[p] = { data: hostile(r), mode: 0o755 };
      files['nodejs/node_modules/ok/package.json'] = '{"name":"ok","version":"1.2.3"}';
      const source = new MemorySource(`round-${round}`, files);
      const inv = await buildInventory(source, {
        name: `round-${round}`,
        kind: 'directory',
        sha256: source.digest,
        size: source.size,
        properties: {},
      });
      // The one well-formed package is always found, whatever its neighbours hold.
      expect(inv.packages.some((p) => p.purl === 'pkg:npm/ok@1.2.3')).toBe(true);
      for (const f of inv.findings) expect(f.code).not.toBe('READ_ERROR');
      expect(inv.findings.some((f) => /cataloger .* failed/.test(f.message))).toBe(false);
    }
  });
});
