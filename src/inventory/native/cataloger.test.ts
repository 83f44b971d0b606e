import { describe, expect, it } from 'vitest';
import { serializeSbom } from '../../sbom/cyclonedx.js';
import { MemorySource } from '../../unpack/memory.js';
import { buildInventory } from '../index.js';

const LIBVIPS = 'nodejs/node_modules/@img/sharp-libvips-linux-x64';

/** A layer with sharp's libvips package as its npm tarball lays it out (versions abridged). */
function layer(versions: string): MemorySource {
  return new MemorySource('sharp', {
    [`${LIBVIPS}/package.json`]: JSON.stringify({
      name: '@img/sharp-libvips-linux-x64',
      version: '1.0.4',
      license: 'LGPL-3.0-or-later',
    }),
    [`${LIBVIPS}/versions.json`]: versions,
  });
}

async function inventory(source: MemorySource) {
  return buildInventory(source, {
    name: 'sharp.zip',
    kind: 'zip',
    sha256: source.digest,
    size: source.size,
    properties: {},
  });
}

describe('native library manifests', () => {
  it("sharp's versions.json: each bundled library a component the npm package depends on", async () => {
    const inv = await inventory(
      layer('{"expat":"2.6.2","png":"1.6.43","vips":"8.15.3","xml":"2.13.3","zlib-ng":"2.2.1"}')
    );
    const native = inv.packages.filter((p) => p.foundBy === 'native-manifest');
    expect(native.map((p) => p.purl)).toEqual([
      'pkg:generic/expat@2.6.2',
      'pkg:generic/libpng@1.6.43',
      'pkg:generic/libvips@8.15.3',
      'pkg:generic/libxml2@2.13.3',
      'pkg:generic/zlib-ng@2.2.1',
    ]);
    expect(native[0]?.locations[0]?.path).toBe(`${LIBVIPS}/versions.json`);
    const npm = inv.packages.find((p) => p.ecosystem === 'npm');
    expect(npm?.purl).toBe('pkg:npm/%40img/sharp-libvips-linux-x64@1.0.4');
    expect(npm?.dependsOn).toEqual(expect.arrayContaining(native.map((p) => p.id)));
    // In the SBOM, where a scanner reads them.
    const bom = JSON.parse(
      serializeSbom(inv, { format: 'cyclonedx-json', specVersion: '1.6' })
    ) as { components: { purl?: string }[] };
    expect(bom.components.map((c) => c.purl)).toContain('pkg:generic/libxml2@2.13.3');
  });

  it('skips what is not a name and a version, says so, and keeps the rest', async () => {
    const inv = await inventory(layer('{"png":"1.6.43","evil\\u001b[2J":"1","x":{"v":1}}'));
    expect(inv.packages.filter((p) => p.foundBy === 'native-manifest').map((p) => p.name)).toEqual([
      'libpng',
    ]);
    expect(inv.findings.filter((f) => f.path === `${LIBVIPS}/versions.json`)).toHaveLength(2);
  });
});
