import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import { newPackage, type Package } from '../model/package.js';
import { npmPurl, pypiPurl } from '../inventory/purl.js';
import { validateJson, validateXml } from './testing/validate.js';
import { serializeSbom } from './cyclonedx.js';

const DIGEST = 'd919d904486c037f8d193412da0c92e22a9fa24230b9d67a57855c5c31c7e94e';

function pkg(init: Partial<Package> & Pick<Package, 'id' | 'name'>): Package {
  return newPackage({
    ecosystem: 'npm',
    foundBy: 'npm',
    locations: [{ path: `${init.id}/package.json` }],
    ...init,
  });
}

function inventory(packages: Package[]): Inventory {
  return {
    artifact: { name: 'layer.zip', kind: 'zip', sha256: DIGEST, size: 1234, properties: {} },
    packages,
    findings: [
      {
        code: 'CASE_COLLISION',
        severity: 'warning',
        path: 'a/B',
        message: 'a/B and a/b differ only by case',
      },
    ],
    complete: true,
  };
}

const core = pkg({
  id: 'nodejs/node_modules/@middy/core',
  name: 'core',
  namespace: '@middy',
  version: '5.4.0',
  purl: npmPurl('@middy/core', '5.4.0'),
  licenses: [{ $case: 'expression', expression: 'MIT' }],
  dependsOn: ['nodejs/node_modules/uuid'],
  hashes: { 'SHA-512': 'ab'.repeat(64) },
});
const uuidA = pkg({
  id: 'nodejs/node_modules/uuid',
  name: 'uuid',
  version: '9.0.1',
  purl: npmPurl('uuid', '9.0.1'),
  hashes: { 'SHA-512': 'cd'.repeat(64) },
});
const uuidSame = pkg({
  id: 'nodejs/node20/node_modules/uuid',
  name: 'uuid',
  version: '9.0.1',
  purl: npmPurl('uuid', '9.0.1'),
  hashes: { 'SHA-512': 'cd'.repeat(64) },
});
const uuidOther = pkg({
  id: 'nodejs/node18/node_modules/uuid',
  name: 'uuid',
  version: '9.0.1',
  purl: npmPurl('uuid', '9.0.1'),
  hashes: { 'SHA-512': 'ef'.repeat(64) },
});
const py = newPackage({
  id: 'py:python/Jinja2-3.1.2.dist-info',
  ecosystem: 'pypi',
  name: 'Jinja2',
  version: '3.1.2',
  purl: pypiPurl('Jinja2', '3.1.2'),
  foundBy: 'python',
  locations: [{ path: 'python/Jinja2-3.1.2.dist-info/METADATA' }],
  licenses: [
    { $case: 'expression', expression: 'BSD-3-Clause OR MIT' },
    { $case: 'name', name: 'Custom' },
  ],
});

describe('serializeSbom', () => {
  it.each(['1.6', '1.5'] as const)(
    'writes JSON %s that the strict validator accepts',
    async (spec) => {
      const json = serializeSbom(inventory([core, uuidA, uuidSame, uuidOther, py]), {
        format: 'cyclonedx-json',
        specVersion: spec,
      });
      expect(await validateJson(json, spec)).toBeNull();
      const bom = JSON.parse(json);
      expect(bom.specVersion).toBe(spec);
      expect(bom.metadata.timestamp).toBeUndefined();
    }
  );

  it.each(['1.6', '1.5'] as const)('writes XML %s that validates against the XSD', async (spec) => {
    const xml = serializeSbom(inventory([core, uuidA, uuidSame, uuidOther, py]), {
      format: 'cyclonedx-xml',
      specVersion: spec,
    });
    expect(await validateXml(xml, spec)).toBeNull();
    expect(xml).toContain('<location>/opt/nodejs/node_modules/@middy/core/package.json</location>');
    expect(xml).toMatch(/<compositions>\s*<composition>\s*<aggregate>complete<\/aggregate>/);
  });

  it('describes the layer with its sha256 and Lambda CodeSha256', () => {
    const bom = JSON.parse(
      serializeSbom(inventory([core]), { format: 'cyclonedx-json', specVersion: '1.6' })
    );
    const layer = bom.metadata.component;
    expect(layer.type).toBe('file');
    expect(layer.hashes).toEqual([{ alg: 'SHA-256', content: DIGEST }]);
    const prop = layer.properties.find(
      (p: { name: string }) => p.name === 'lamina:lambda:code-sha256'
    );
    expect(Buffer.from(prop.value, 'base64').toString('hex')).toBe(DIGEST);
    expect(
      layer.properties.some(
        (p: { name: string; value: string }) =>
          p.name === 'lamina:finding' && p.value.startsWith('CASE_COLLISION')
      )
    ).toBe(true);
  });

  it('keeps one component per purl, split only by differing content', () => {
    const bom = JSON.parse(
      serializeSbom(inventory([core, uuidA, uuidSame, uuidOther]), {
        format: 'cyclonedx-json',
        specVersion: '1.6',
      })
    );
    const uuids = bom.components.filter((c: { name: string }) => c.name === 'uuid');
    expect(uuids).toHaveLength(2);
    const same = uuids.find(
      (c: { hashes: { content: string }[] }) => c.hashes[0]!.content === 'cd'.repeat(64)
    );
    expect(same.evidence.occurrences.map((o: { location: string }) => o.location)).toEqual([
      '/opt/nodejs/node20/node_modules/uuid/package.json',
      '/opt/nodejs/node_modules/uuid/package.json',
    ]);
    expect(new Set(uuids.map((c: { 'bom-ref': string }) => c['bom-ref'])).size).toBe(2);
    expect(uuids.every((c: { purl: string }) => c.purl === 'pkg:npm/uuid@9.0.1')).toBe(true);
  });

  it('emits dependency edges and roots them at the layer', () => {
    const bom = JSON.parse(
      serializeSbom(inventory([core, uuidA]), { format: 'cyclonedx-json', specVersion: '1.6' })
    );
    const deps = new Map(
      bom.dependencies.map((d: { ref: string; dependsOn?: string[] }) => [d.ref, d.dependsOn ?? []])
    );
    expect(deps.get('pkg:npm/%40middy/core@5.4.0')).toEqual(['pkg:npm/uuid@9.0.1']);
    expect(deps.get('layer')).toEqual(['pkg:npm/%40middy/core@5.4.0']);
  });

  it('marks an incomplete inventory in compositions, whatever its `complete` flag says', () => {
    const unowned = pkg({ id: 'file:bin/tool', name: 'tool', type: 'file' });
    const parseError = inventory([core]);
    parseError.findings.push({
      code: 'PARSE_ERROR',
      severity: 'warning',
      path: 'x/package.json',
      message: 'could not parse',
    });
    for (const inv of [inventory([core, unowned]), parseError]) {
      const bom = JSON.parse(serializeSbom(inv, { format: 'cyclonedx-json', specVersion: '1.6' }));
      expect(bom.compositions).toEqual([{ aggregate: 'incomplete', assemblies: ['layer'] }]);
      const props = bom.metadata.component.properties as { name: string; value: string }[];
      expect(props).toContainEqual({ name: 'lamina:inventory', value: 'incomplete' });
    }
    // A file component that a package links to is owned: complete again.
    const owner = pkg({ ...core, id: 'owner', dependsOn: ['file:bin/tool'] });
    const bom = JSON.parse(
      serializeSbom(inventory([owner, unowned]), { format: 'cyclonedx-json', specVersion: '1.6' })
    );
    expect(bom.compositions).toEqual([{ aggregate: 'complete', assemblies: ['layer'] }]);
  });

  it('is deterministic: same input, byte-identical output, content-derived serial number', () => {
    const a = serializeSbom(inventory([py, core, uuidA]), {
      format: 'cyclonedx-json',
      specVersion: '1.6',
    });
    const b = serializeSbom(inventory([uuidA, py, core]), {
      format: 'cyclonedx-json',
      specVersion: '1.6',
    });
    expect(a).toBe(b);
    const other = {
      ...inventory([core]),
      artifact: { ...inventory([core]).artifact, sha256: 'ff'.repeat(32) },
    };
    const c = serializeSbom(other, { format: 'cyclonedx-json', specVersion: '1.6' });
    expect(JSON.parse(c).serialNumber).not.toBe(JSON.parse(a).serialNumber);
  });

  it('keeps licenses it cannot express as one SPDX expression as named licenses', () => {
    const bom = JSON.parse(
      serializeSbom(inventory([py]), { format: 'cyclonedx-json', specVersion: '1.6' })
    );
    const c = bom.components.find((x: { name: string }) => x.name === 'Jinja2');
    expect(c.purl).toBe('pkg:pypi/jinja2@3.1.2');
    expect(c.licenses).toEqual([
      { license: { name: 'BSD-3-Clause OR MIT' } },
      { license: { name: 'Custom' } },
    ]);
  });
});
