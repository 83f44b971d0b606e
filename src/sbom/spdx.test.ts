import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInventory } from '../inventory/index.js';
import { npmPurl, pypiPurl } from '../inventory/purl.js';
import { mergeLayers, type MergeLayerInput } from '../merge/merge.js';
import { buildFunctionSpdx, serializeFunctionSpdx } from '../merge/spdx.js';
import type { Inventory } from '../model/inventory.js';
import { newPackage, type Package } from '../model/package.js';
import { MemorySource, type MemoryFile } from '../unpack/memory.js';
import { openLayerPath } from '../unpack/open.js';
import { DEFAULT_LIMITS } from '../unpack/source.js';
import { serializeSbom } from './cyclonedx.js';
import { groupComponents } from './group.js';
import {
  buildSpdx,
  propertiesComment,
  serializeSpdx,
  SPDX_DEFAULT_CREATED,
  type SpdxDocument,
} from './spdx.js';
import { spdxRuleViolations, spdxSchemaErrors } from './testing/spdx-rules.js';

const TESTDATA = join(import.meta.dirname, '../../testdata');
/** Every fixture layer: unzipped layer directories and zips, including the hostile ones. */
const FIXTURES = [
  ...readdirSync(join(TESTDATA, 'layers')).map((n) => join('layers', n)),
  ...readdirSync(join(TESTDATA, 'hostile'))
    .filter((n) => n.endsWith('.zip'))
    .map((n) => join('hostile', n)),
];

/** What a terminal would act on, which must never appear raw in the output. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

async function inventoryOf(rel: string): Promise<Inventory> {
  const { source, artifact } = await openLayerPath(join(TESTDATA, rel), DEFAULT_LIMITS);
  try {
    return await buildInventory(source, artifact);
  } finally {
    await source.close();
  }
}

function valid(text: string): SpdxDocument {
  const doc = JSON.parse(text) as SpdxDocument;
  expect(spdxSchemaErrors(doc)).toEqual([]);
  expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  return doc;
}

const purlsOf = (doc: SpdxDocument): string[] =>
  doc.packages
    .flatMap((p) => p.externalRefs ?? [])
    .filter((r) => r.referenceType === 'purl')
    .map((r) => r.referenceLocator)
    .sort();

describe('serializeSpdx over every fixture layer', () => {
  const inventories = new Map<string, Inventory>();
  beforeAll(async () => {
    for (const f of FIXTURES) inventories.set(f, await inventoryOf(f));
  });

  it('finds the fixtures', () => {
    expect(FIXTURES).toContain(join('layers', 'sample-layer.zip'));
    expect(FIXTURES.filter((f) => f.startsWith('hostile')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(FIXTURES)('%s: valid against the SPDX 2.3 schema and spec rules', (f) => {
    const inv = inventories.get(f)!;
    const text = serializeSpdx(inv);
    const doc = valid(text);
    expect(RAW.test(text)).toBe(false);
    // The same packages as the CycloneDX SBOM of the same inventory, and every file component.
    const cdx = JSON.parse(
      serializeSbom(inv, { format: 'cyclonedx-json', specVersion: '1.6' })
    ) as {
      components?: { purl?: string; type: string; hashes?: { alg: string; content: string }[] }[];
    };
    const cdxPurls = (cdx.components ?? []).flatMap((c) => (c.purl ? [c.purl] : [])).sort();
    expect(purlsOf(doc)).toEqual(cdxPurls);
    const fileGroups = groupComponents(inv.packages).filter((g) => g.packages[0]?.type === 'file');
    expect(doc.files.map((x) => x.fileName).sort()).toEqual(
      fileGroups.map((g) => `./${g.paths[0]}`).sort()
    );
    for (const g of fileGroups) {
      const file = doc.files.find((x) => x.fileName === `./${g.paths[0]}`)!;
      expect(file.checksums).toEqual([
        { algorithm: 'SHA1', checksumValue: g.hashes['SHA-1'] },
        { algorithm: 'SHA256', checksumValue: g.hashes['SHA-256'] },
      ]);
    }
    // One layer package, described by the document, containing every other element.
    const layer = doc.packages[0]!;
    expect(layer.name).toBe(inv.artifact.name);
    expect(doc.relationships[0]).toEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: layer.SPDXID,
    });
    const contained = doc.relationships
      .filter((r) => r.spdxElementId === layer.SPDXID && r.relationshipType === 'CONTAINS')
      .map((r) => r.relatedSpdxElement)
      .sort();
    expect(contained).toEqual([...doc.packages.slice(1), ...doc.files].map((e) => e.SPDXID).sort());
    // Deterministic: a second run gives the same bytes.
    expect(serializeSpdx(inv)).toBe(text);
  });

  it('sample layer: packages, files, licenses, dependencies and the layer digest', () => {
    const inv = inventories.get(join('layers', 'sample-layer.zip'))!;
    const doc = buildSpdx(inv);
    const layer = doc.packages[0]!;
    expect(layer).toMatchObject({
      primaryPackagePurpose: 'ARCHIVE',
      filesAnalyzed: true,
      checksums: [{ algorithm: 'SHA256', checksumValue: inv.artifact.sha256 }],
    });
    expect(doc.creationInfo).toEqual({
      created: SPDX_DEFAULT_CREATED,
      creators: [expect.stringMatching(/^Tool: lamina-\d+\.\d+\.\d+$/)],
    });
    // Every package with a purl has a package element; every one with dependencies has edges.
    const withPurl = new Set(inv.packages.flatMap((p) => (p.purl ? [p.purl] : [])));
    expect(new Set(purlsOf(doc))).toEqual(withPurl);
    expect(doc.relationships.some((r) => r.relationshipType === 'DEPENDS_ON')).toBe(true);
    expect(doc.files.map((f) => f.fileName)).toEqual(
      expect.arrayContaining(['./bin/hello.sh', './lib/libxshmfence.so.1'])
    );
    // Declared licenses are SPDX expressions or NOASSERTION; MIT is among them.
    const declared = doc.packages.slice(1).map((p) => p.licenseDeclared);
    expect(declared).toContain('MIT');
    expect(doc.packages.every((p) => p.licenseConcluded === 'NOASSERTION')).toBe(true);
  });
});

function pkg(init: Partial<Package> & Pick<Package, 'id' | 'name'>): Package {
  return newPackage({
    ecosystem: 'npm',
    foundBy: 'npm',
    locations: [{ path: `${init.id}/package.json` }],
    ...init,
  });
}

function inventory(packages: Package[], name = 'layer.zip'): Inventory {
  return {
    artifact: { name, kind: 'zip', sha256: 'ab'.repeat(32), size: 10, properties: {} },
    packages,
    findings: [{ code: 'CASE_COLLISION', severity: 'warning', path: 'a/B', message: 'a/B, a/b' }],
    complete: true,
  };
}

const HOSTILE = 'evil\x1b]0;pwned\x07\u202egnp.exe\u2066 #frag ../../x\u0000';

describe('serializeSpdx: licenses, ids and hostile names', () => {
  it('writes licenses as SPDX expressions, LicenseRefs for names, NOASSERTION when unknown', () => {
    const doc = buildSpdx(
      inventory([
        pkg({ id: 'a', name: 'a', purl: npmPurl('a', '1.0.0'), licenses: [] }),
        pkg({
          id: 'b',
          name: 'b',
          purl: npmPurl('b', '1.0.0'),
          licenses: [{ $case: 'expression', expression: 'MIT OR (Apache-2.0 AND BSD-3-Clause)' }],
        }),
        pkg({
          id: 'c',
          name: 'c',
          purl: pypiPurl('c', '1.0'),
          ecosystem: 'pypi',
          licenses: [
            { $case: 'expression', expression: 'BSD-3-Clause OR MIT' },
            { $case: 'name', name: 'Custom License, v2 (see LICENSE)' },
            { $case: 'id', id: 'Apache-2.0' },
            { $case: 'expression', expression: 'LicenseRef-Vendor' },
          ],
        }),
        // A name never becomes an expression, even if it reads like one.
        pkg({
          id: 'd',
          name: 'd',
          purl: npmPurl('d', '1.0.0'),
          licenses: [{ $case: 'name', name: 'MIT' }],
        }),
        // A DocumentRef needs an external document lamina cannot name: kept as a name.
        pkg({
          id: 'e',
          name: 'e',
          purl: npmPurl('e', '1.0.0'),
          licenses: [{ $case: 'expression', expression: 'DocumentRef-x:LicenseRef-y' }],
        }),
      ])
    );
    const byName = new Map(doc.packages.map((p) => [p.name, p.licenseDeclared]));
    expect(byName.get('a')).toBe('NOASSERTION');
    expect(byName.get('b')).toBe('MIT OR (Apache-2.0 AND BSD-3-Clause)');
    expect(byName.get('c')).toMatch(
      /^\(BSD-3-Clause OR MIT\) AND LicenseRef-Custom-License-v2-see-LICENSE-[0-9a-f]{8} AND Apache-2\.0 AND LicenseRef-Vendor$/
    );
    expect(byName.get('d')).toMatch(/^LicenseRef-MIT-[0-9a-f]{8}$/);
    expect(byName.get('e')).toMatch(/^LicenseRef-DocumentRef-x-LicenseRef-y-[0-9a-f]{8}$/);
    const extracted = new Map(doc.hasExtractedLicensingInfos.map((l) => [l.name, l.licenseId]));
    expect(extracted.get('Custom License, v2 (see LICENSE)')).toMatch(/^LicenseRef-Custom/);
    expect(extracted.get('Vendor')).toBe('LicenseRef-Vendor');
    expect(extracted.get('DocumentRef-x:LicenseRef-y')).toBeDefined();
    expect(spdxSchemaErrors(doc)).toEqual([]);
    expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('a name never reuses a LicenseRef an expression already took for other text', () => {
    const taken = `LicenseRef-Foo-${createHash('sha256').update('Foo').digest('hex').slice(0, 8)}`;
    const doc = buildSpdx(
      inventory([
        pkg({
          id: 'a',
          name: 'a',
          purl: npmPurl('a', '1'),
          licenses: [{ $case: 'expression', expression: taken }],
        }),
        pkg({
          id: 'b',
          name: 'b',
          purl: npmPurl('b', '1'),
          licenses: [{ $case: 'name', name: 'Foo' }],
        }),
      ])
    );
    const declared = new Map(doc.packages.map((p) => [p.name, p.licenseDeclared]));
    expect(declared.get('a')).toBe(taken);
    expect(declared.get('b')).toMatch(/^LicenseRef-Foo-[0-9a-f]{16}$/);
    expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('gives safe, unique ids and keeps hostile names intact but escaped', () => {
    const packages = [
      pkg({
        id: 'h1',
        name: HOSTILE,
        version: HOSTILE,
        purl: npmPurl('x', '1'),
        licenses: [{ $case: 'name', name: HOSTILE }],
      }),
      // Same readable part after sanitising, different names: ids must still differ.
      pkg({ id: 'h2', name: 'a b', purl: npmPurl('a-b', '1') }),
      pkg({ id: 'h3', name: 'a/b', purl: npmPurl('a.b', '1') }),
      pkg({ id: 'h4', name: '', purl: npmPurl('empty', '1') }),
      pkg({ id: 'h5', name: 'x'.repeat(5000), purl: npmPurl('long', '1') }),
      newPackage({
        id: 'file:bin/evil',
        ecosystem: 'generic',
        name: HOSTILE,
        type: 'file',
        foundBy: 'binary',
        locations: [{ path: `bin/${HOSTILE}` }],
        hashes: { 'SHA-1': 'a'.repeat(40), 'SHA-256': 'b'.repeat(64) },
        findings: [{ code: 'PARSE_ERROR', severity: 'error', path: HOSTILE, message: HOSTILE }],
      }),
    ];
    const text = serializeSpdx(inventory(packages, `layer${HOSTILE}.zip`));
    expect(RAW.test(text)).toBe(false);
    const doc = valid(text);
    const ids = [...doc.packages, ...doc.files].map((e) => e.SPDXID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.length).toBeLessThan(100);
    expect(doc.name).toBe(`layer${HOSTILE}.zip`);
    expect(doc.packages.some((p) => p.name === HOSTILE && p.versionInfo === HOSTILE)).toBe(true);
    expect(doc.files[0]?.fileName).toBe(`./bin/${HOSTILE}`);
    expect(doc.files[0]?.annotations?.[0]?.comment).toContain(HOSTILE);
    expect(doc.documentNamespace).not.toContain('#');
  });

  it('is deterministic: input order does not matter; the namespace follows the content', () => {
    const a = pkg({ id: 'a', name: 'a', purl: npmPurl('a', '1'), dependsOn: ['b'] });
    const b = pkg({ id: 'b', name: 'b', purl: npmPurl('b', '1') });
    const one = serializeSpdx(inventory([a, b]));
    expect(serializeSpdx(inventory([b, a]))).toBe(one);
    const ns = (t: string): string => (JSON.parse(t) as SpdxDocument).documentNamespace;
    const b2 = pkg({ id: 'b', name: 'b', purl: npmPurl('b', '2') });
    expect(ns(serializeSpdx(inventory([a, b2])))).not.toBe(ns(one));
    const dated = serializeSpdx(inventory([a, b]), {
      created: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect((JSON.parse(dated) as SpdxDocument).creationInfo.created).toBe('2026-01-02T03:04:05Z');
    expect(ns(dated)).not.toBe(ns(one));
    const rel = (JSON.parse(one) as SpdxDocument).relationships.filter(
      (r) => r.relationshipType === 'DEPENDS_ON'
    );
    expect(rel).toHaveLength(1);
  });

  it('a file component without SHA-1 is written as a FILE-purpose package, never a file without SHA1', () => {
    const doc = buildSpdx(
      inventory([
        newPackage({
          id: 'file:bin/x',
          ecosystem: 'generic',
          name: 'x',
          type: 'file',
          foundBy: 'binary',
          locations: [{ path: 'bin/x' }],
          hashes: { 'SHA-256': 'c'.repeat(64) },
        }),
      ])
    );
    expect(doc.files).toEqual([]);
    expect(doc.packages[1]).toMatchObject({
      name: 'x',
      primaryPackagePurpose: 'FILE',
      checksums: [{ algorithm: 'SHA256', checksumValue: 'c'.repeat(64) }],
    });
    expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('the rule checks catch what they are for', () => {
    const doc = buildSpdx(inventory([pkg({ id: 'a', name: 'a', purl: npmPurl('a', '1') })]));
    const broken = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & SpdxDocument;
    broken.packages[1]!.licenseDeclared = 'LicenseRef-missing';
    broken.packages[1]!.SPDXID = 'SPDXRef-bad id';
    broken.documentNamespace = 'https://example.com/x#y';
    broken.creationInfo.created = '2026-01-01T00:00:00.000Z';
    expect(spdxRuleViolations(broken)).toEqual(
      expect.arrayContaining([
        'documentNamespace contains #',
        expect.stringMatching(/created .* is not/),
        'bad SPDX id "SPDXRef-bad id"',
        expect.stringMatching(/LicenseRef-missing is not declared/),
      ])
    );
  });
});

async function layer(arn: string, files: Record<string, MemoryFile>): Promise<MergeLayerInput> {
  const source = new MemorySource(arn, files);
  const inv = await buildInventory(source, {
    name: arn,
    kind: 'zip',
    sha256: source.digest,
    size: source.size,
    properties: {},
  });
  return { arn, entries: source.entries(), inventory: inv };
}

describe('serializeFunctionSpdx', () => {
  it('describes the function, which depends on each layer; shadowed packages are marked', async () => {
    const json = (name: string, version: string) =>
      JSON.stringify({ name, version, license: 'MIT' });
    const view = mergeLayers([
      await layer('arn:aws:lambda:us-east-1:1:layer:a:1', {
        'nodejs/node_modules/axios/package.json': json('axios', '1.7.7'),
        'nodejs/node_modules/ms/package.json': json('ms', '2.1.3'),
      }),
      await layer('arn:aws:lambda:us-east-1:1:layer:b:1', {
        'nodejs/node_modules/axios/package.json': json('axios', '1.8.2'),
      }),
    ]);
    const fn = {
      name: 'orders',
      arn: 'arn:aws:lambda:us-east-1:1:function:orders',
      runtime: 'nodejs20.x',
      handler: 'src/app.handler',
      architectures: ['x86_64'],
    };
    const text = serializeFunctionSpdx(view, fn);
    const doc = valid(text);
    expect(serializeFunctionSpdx(view, fn)).toBe(text);
    const root = doc.packages[0]!;
    expect(root).toMatchObject({ name: 'orders', primaryPackagePurpose: 'APPLICATION' });
    expect(root.comment).toContain('lamina:lambda:handler=src/app.handler');
    const layers = doc.packages.filter((p) => p.primaryPackagePurpose === 'ARCHIVE');
    expect(layers.map((l) => l.name)).toEqual([
      'arn:aws:lambda:us-east-1:1:layer:a:1',
      'arn:aws:lambda:us-east-1:1:layer:b:1',
    ]);
    expect(
      doc.relationships
        .filter((r) => r.spdxElementId === root.SPDXID)
        .map((r) => [r.relationshipType, r.relatedSpdxElement])
    ).toEqual(layers.map((l) => ['DEPENDS_ON', l.SPDXID]));
    const axios = doc.packages.filter((p) => p.name === 'axios');
    expect(axios.map((p) => p.versionInfo).sort()).toEqual(['1.7.7', '1.8.2']);
    expect(axios.find((p) => p.versionInfo === '1.7.7')?.comment).toContain(
      'lamina:shadowed-by=arn:aws:lambda:us-east-1:1:layer:b:1'
    );
    // Each layer contains its own packages only.
    const inLayer = (l: { SPDXID: string }) =>
      doc.relationships
        .filter((r) => r.spdxElementId === l.SPDXID && r.relationshipType === 'CONTAINS')
        .map((r) => doc.packages.find((p) => p.SPDXID === r.relatedSpdxElement)?.versionInfo)
        .sort();
    expect(inLayer(layers[0]!)).toEqual(['1.7.7', '2.1.3']);
    expect(inLayer(layers[1]!)).toEqual(['1.8.2']);
    expect(buildFunctionSpdx(view, fn).name).toBe('orders');
  });
});

describe('propertiesComment', () => {
  it('keeps one line per entry when a value holds line breaks', () => {
    const c = propertiesComment([
      ['image:entrypoint', 'sh\nlamina:image-part=runtime\r'],
      ['layer-index', '0'],
    ]);
    expect(c?.split('\n')).toEqual([
      'lamina:image:entrypoint=sh\\nlamina:image-part=runtime\\r',
      'lamina:layer-index=0',
    ]);
  });
});
