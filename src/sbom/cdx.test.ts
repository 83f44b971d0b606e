import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as CDX from './cdx.js';

const load = createRequire(import.meta.url);
const entryFile = load.resolve(CDX.SERIALIZE_ENTRY);
const commonFile = join(dirname(entryFile), CDX.SERIALIZE_COMMON_FILE);

/** The `require` calls of a CommonJS file, in order. */
function requires(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
}

// cdx.ts loads the file the library's `Serialize` entry point re-exports, by path, to leave out
// the XML serializer. These fail when an upgrade of the library changes that layout (cdx.ts then
// falls back to the whole entry point: the same output, the old start-up cost).
describe('the CycloneDX library layout cdx.ts relies on', () => {
  it('`Serialize` is the common module plus the XML serializer, nothing else', () => {
    expect(requires(entryFile)).toEqual(['./index.common', './xmlSerializer.node']);
    const entry = load(CDX.SERIALIZE_ENTRY) as Record<string, unknown>;
    const xmlOnly = load(join(dirname(entryFile), 'xmlSerializer.node.js')) as object;
    expect(Object.keys(xmlOnly).filter((k) => k !== '__esModule')).toEqual(['XmlSerializer']);
    expect(Object.keys(entry).sort()).toEqual(
      [...Object.keys(CDX.Serialize), 'XmlSerializer'].sort()
    );
  });

  it('the common module does not load the XML writer (xmlbuilder2)', () => {
    // Each module it loads, transitively, by the library's own `require` calls.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [commonFile];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const r of requires(file)) {
        if (r.startsWith('.')) queue.push(load.resolve(join(dirname(file), r)));
        else packages.add(r);
      }
    }
    const dist = dirname(dirname(commonFile));
    const names = [...seen].map((f) => f.slice(dist.length + 1));
    expect(names).toContain('serialize/jsonSerializer.js');
    expect(names).toContain('serialize/json/normalize.js');
    expect(names.filter((n) => /xmlSerializer\.node|xmlStringif/.test(n))).toEqual([]);
    expect([...packages].filter((p) => !p.startsWith('spdx-'))).toEqual([]);
  });

  it('cdx.ts took the common module: the very classes `Serialize` exports', () => {
    expect(load.cache[commonFile]).toBeDefined();
    const entry = load(CDX.SERIALIZE_ENTRY) as typeof CDX.T.Serialize;
    expect(CDX.Serialize.JsonSerializer).toBe(entry.JsonSerializer);
    expect(CDX.Serialize.JSON).toBe(entry.JSON);
    expect(CDX.Serialize.XML).toBe(entry.XML);
    expect(CDX.Serialize.XmlBaseSerializer).toBe(entry.XmlBaseSerializer);
    expect(CDX.xmlSerializerClass()).toBe(entry.XmlSerializer);
  });
});
