import { describe, expect, it } from 'vitest';
import { inventoryFromCycloneDx, SbomReadError } from './read.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof SbomReadError) return err.code;
    throw err;
  }
  return undefined;
}

describe('inventoryFromCycloneDx', () => {
  it('refuses what is not a CycloneDX JSON document', () => {
    expect(code(() => inventoryFromCycloneDx('{nope'))).toBe('NOT_JSON');
    expect(code(() => inventoryFromCycloneDx('[]'))).toBe('NOT_CYCLONEDX');
    expect(code(() => inventoryFromCycloneDx('{"bomFormat":"SPDX","specVersion":"1.6"}'))).toBe(
      'NOT_CYCLONEDX'
    );
  });

  it('bounds the number of components, nested ones included', () => {
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ name: 'a', components: [{ name: 'b' }, { name: 'c' }] }],
    };
    expect(inventoryFromCycloneDx(JSON.stringify(doc)).packages.map((p) => p.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(code(() => inventoryFromCycloneDx(JSON.stringify(doc), { maxComponents: 2 }))).toBe(
      'TOO_MANY_COMPONENTS'
    );
    expect(
      inventoryFromCycloneDx(JSON.stringify(doc), { maxDepth: 1 }).packages.map((p) => p.name)
    ).toEqual(['a']);
  });

  it('reads another tool’s SBOM as incomplete and ignores malformed fields', () => {
    const inv = inventoryFromCycloneDx(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        metadata: {
          component: { type: 'file', name: 'l.zip', hashes: [{ alg: 'SHA-256', content: 'AB' }] },
        },
        components: [
          {
            type: 'library',
            name: 'requests',
            version: '2.32.3',
            purl: 'pkg:pypi/requests@2.32.3',
            hashes: [{ alg: 'SHA-999', content: 'x' }, 'junk'],
            evidence: { occurrences: [{ location: '/opt/python/requests/__init__.py' }, {}] },
            licenses: [{ license: { id: 'Apache-2.0' } }],
          },
          'not a component',
        ],
      })
    );
    expect(inv.complete).toBe(false);
    expect(inv.artifact.sha256).toBe('ab');
    expect(inv.packages).toHaveLength(1);
    expect(inv.packages[0]).toMatchObject({
      ecosystem: 'pypi',
      hashes: {},
      locations: [{ path: 'python/requests/__init__.py' }],
      licenses: [{ $case: 'id', id: 'Apache-2.0' }],
    });
  });
});
