import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as CDX from './cdx.js';

const load = createRequire(import.meta.url);
const serializeDir = dirname(load.resolve(CDX.SERIALIZE_ENTRY));

/** The `require` calls of a CommonJS file, in order. */
function requires(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
}

/** Every module `files` load, transitively, by the library's own `require` calls. */
function loadedBy(files: string[]): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [...files];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const r of requires(file)) {
      if (r.startsWith('.')) queue.push(load.resolve(join(dirname(file), r)));
      else packages.add(r);
    }
  }
  const dist = dirname(serializeDir);
  return {
    modules: [...seen].map((f) => f.slice(dist.length + 1)).sort(),
    packages: [...packages],
  };
}

// cdx.ts loads two of the modules the library's `Serialize` entry point re-exports, by path, to
// leave out the XML side. These fail when an upgrade of the library changes that layout (cdx.ts
// then falls back to the whole entry point: the same output, the old start-up cost).
describe('the CycloneDX library layout cdx.ts relies on', () => {
  it('the JSON modules export the very serializer and normalizer `Serialize` exports', () => {
    const entry = load(CDX.SERIALIZE_ENTRY) as typeof CDX.T.Serialize;
    const file = (f: string): unknown => load(join(serializeDir, f));
    expect(file(CDX.SERIALIZE_JSON_FILES.JsonSerializer)).toEqual({
      JsonSerializer: entry.JsonSerializer,
    });
    expect(file(CDX.SERIALIZE_JSON_FILES.JSON)).toBe(entry.JSON);
    expect(CDX.Serialize.JsonSerializer).toBe(entry.JsonSerializer);
    expect(CDX.Serialize.JSON).toBe(entry.JSON);
    expect(CDX.serializeWithXml()).toBe(entry);
  });

  it('`Serialize` is the common module plus the XML serializer', () => {
    expect(requires(load.resolve(CDX.SERIALIZE_ENTRY))).toEqual([
      './index.common',
      './xmlSerializer.node',
    ]);
    // The XML serializer's module is what loads xmlbuilder2.
    const xml = loadedBy([join(serializeDir, 'xmlSerializer.node.js')]).modules;
    expect(xml).toContain('_optPlug.node/xmlStringify.js');
  });

  it('the JSON modules load neither the XML serializer nor the XML normalizer', () => {
    const { modules, packages } = loadedBy(
      Object.values(CDX.SERIALIZE_JSON_FILES).map((f) => join(serializeDir, f))
    );
    expect(modules).toContain('serialize/json/normalize.js');
    expect(modules.filter((m) => /xml/i.test(m))).toEqual([]);
    // spdx-expression-parse, behind the library's SPDX module, which lamina loads anyway.
    expect(packages.filter((p) => !p.startsWith('spdx-'))).toEqual([]);
  });
});
