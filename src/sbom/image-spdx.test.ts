import { describe, expect, it } from 'vitest';
import { newPackage, type Package } from '../model/package.js';
import { buildImageSpdx, serializeImageSpdx } from './image-spdx.js';
import { serializeImageSbom, type ImageSubject } from './image.js';
import type { SpdxDocument } from './spdx.js';
import { spdxRuleViolations, spdxSchemaErrors } from './testing/spdx-rules.js';

const MANIFEST = `sha256:${'ab'.repeat(32)}`;
const CONFIG = `sha256:${'cd'.repeat(32)}`;
const DIFF: `sha256:${string}`[] = [`sha256:${'01'.repeat(32)}`, `sha256:${'02'.repeat(32)}`];

function attributed(p: Package, layer: number, part: string): Package {
  p.properties['image-part'] = part;
  p.properties['layer-index'] = String(layer);
  p.properties['layer-diffid'] = DIFF[layer]!;
  return p;
}

function packages(): Package[] {
  return [
    attributed(
      newPackage({
        id: 'apk:musl',
        ecosystem: 'apk',
        name: 'musl',
        version: '1.2.3-r4',
        purl: 'pkg:apk/alpine/musl@1.2.3-r4?arch=x86_64&distro=alpine-3.17.2',
        foundBy: 'apk',
        locations: [{ path: 'lib/apk/db/installed' }],
        licenses: [{ $case: 'expression', expression: 'MIT' }],
      }),
      0,
      'os'
    ),
    attributed(
      newPackage({
        id: 'npm:left-pad',
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        purl: 'pkg:npm/left-pad@1.3.0',
        foundBy: 'npm',
        locations: [{ path: 'var/task/node_modules/left-pad/package.json' }],
        licenses: [{ $case: 'name', name: 'WTFPL-ish' }],
      }),
      1,
      'function'
    ),
    attributed(
      newPackage({
        id: 'file:tool',
        ecosystem: 'generic',
        name: 'tool',
        type: 'file',
        foundBy: 'binary',
        locations: [{ path: 'opt/bin/tool' }],
        hashes: { 'SHA-1': '11'.repeat(20), 'SHA-256': '22'.repeat(32) },
        properties: { 'binary:format': 'elf' },
      }),
      1,
      'opt'
    ),
  ];
}

function subject(extra: Partial<ImageSubject> = {}): ImageSubject {
  return {
    name: 'oci:build/app:v1',
    transport: 'oci',
    imageName: 'app',
    tag: 'v1',
    manifestDigest: MANIFEST,
    configDigest: CONFIG,
    platform: 'linux/amd64',
    architecture: 'amd64',
    layers: DIFF.map((d, index) => ({
      index,
      diffId: d,
      digest: d,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      compression: 'none' as const,
      size: 10,
    })),
    size: 20,
    scope: 'squashed',
    os: {
      id: 'alpine',
      versionId: '3.17.2',
      prettyName: 'Alpine Linux v3.17',
      idLike: [],
      path: 'etc/os-release',
      homeUrl: 'https://alpinelinux.org/',
    },
    run: { entrypoint: ['/lambda-entrypoint.sh'], cmd: ['app.handler'], workingDir: '/var/task' },
    inventory: {
      artifact: {
        name: 'oci:build/app:v1',
        kind: 'image',
        sha256: 'ab'.repeat(32),
        size: 20,
        properties: {},
      },
      packages: packages(),
      findings: [],
      complete: true,
    },
    removed: [],
    ...extra,
  };
}

function valid(doc: SpdxDocument): SpdxDocument {
  expect(spdxSchemaErrors(doc)).toEqual([]);
  expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  return doc;
}

const lines = (comment: string | undefined): string[] => (comment ?? '').split('\n');
const purls = (doc: SpdxDocument): string[] =>
  doc.packages.flatMap((p) => p.externalRefs?.map((r) => r.referenceLocator) ?? []).sort();

describe('image SPDX', () => {
  it('describes the image (CONTAINER, pkg:oci purl, manifest SHA256) containing its OS and packages', () => {
    const doc = valid(buildImageSpdx(subject()));
    const image = doc.packages[0]!;
    expect(doc.relationships[0]).toEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: image.SPDXID,
    });
    expect(image).toMatchObject({
      name: 'oci:build/app:v1',
      versionInfo: 'v1',
      primaryPackagePurpose: 'CONTAINER',
      filesAnalyzed: true,
      checksums: [{ algorithm: 'SHA256', checksumValue: 'ab'.repeat(32) }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?arch=amd64&tag=v1`,
        },
      ],
    });
    expect(lines(image.comment)).toEqual(
      expect.arrayContaining([
        'lamina:image:identity=manifest-digest',
        `lamina:image:manifest-digest=${MANIFEST}`,
        `lamina:image:layer:001:diff-id=${DIFF[1]}`,
        'lamina:image:entrypoint=["/lambda-entrypoint.sh"]',
        'lamina:image:working-dir=/var/task',
        // The executable no package owns leaves the inventory incomplete.
        'lamina:inventory=incomplete',
      ])
    );
    const os = doc.packages.find((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM');
    expect(os).toMatchObject({
      name: 'alpine',
      versionInfo: '3.17.2',
      description: 'Alpine Linux v3.17',
    });
    const contained = doc.relationships
      .filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS')
      .map((r) => r.relatedSpdxElement)
      .sort();
    expect(contained).toEqual([...doc.packages.slice(1), ...doc.files].map((e) => e.SPDXID).sort());
    // Every package with its purl, layer and image part; the license name as a LicenseRef.
    expect(purls(doc)).toEqual(
      [
        'pkg:apk/alpine/musl@1.2.3-r4?arch=x86_64&distro=alpine-3.17.2',
        'pkg:npm/left-pad@1.3.0',
        `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?arch=amd64&tag=v1`,
      ].sort()
    );
    const leftPad = doc.packages.find((p) => p.name === 'left-pad')!;
    expect(lines(leftPad.comment)).toEqual(
      expect.arrayContaining([
        'lamina:image-part=function',
        'lamina:layer-index=1',
        `lamina:layer-diffid=${DIFF[1]}`,
      ])
    );
    expect(leftPad.licenseDeclared).toMatch(/^LicenseRef-WTFPL-ish-[0-9a-f]{8}$/);
    expect(leftPad.sourceInfo).toBe(
      'found by lamina at /var/task/node_modules/left-pad/package.json'
    );
    expect(doc.packages.find((p) => p.name === 'musl')?.licenseDeclared).toBe('MIT');
    // An unowned executable is a file with its checksums.
    expect(doc.files).toEqual([
      expect.objectContaining({
        fileName: './opt/bin/tool',
        checksums: [
          { algorithm: 'SHA1', checksumValue: '11'.repeat(20) },
          { algorithm: 'SHA256', checksumValue: '22'.repeat(32) },
        ],
      }),
    ]);
  });

  it('has the same packages as the CycloneDX image SBOM', () => {
    const s = subject();
    const cdx = JSON.parse(
      serializeImageSbom(s, { format: 'cyclonedx-json', specVersion: '1.6' })
    ) as { metadata: { component: { purl?: string } }; components: { purl?: string }[] };
    const cdxPurls = [cdx.metadata.component.purl, ...cdx.components.map((c) => c.purl)]
      .filter((p): p is string => p !== undefined)
      .sort();
    expect(purls(buildImageSpdx(s))).toEqual(cdxPurls);
  });

  it('states a docker-archive identity: no manifest digest, no purl, no checksum', () => {
    const doc = valid(
      buildImageSpdx(
        subject({
          transport: 'docker-archive',
          name: 'docker-archive:app.tar',
          tag: undefined,
          manifestDigest: undefined,
        })
      )
    );
    const image = doc.packages[0]!;
    expect(image.checksums).toBeUndefined();
    expect(image.externalRefs).toBeUndefined();
    expect(lines(image.comment)).toContain('lamina:image:identity=config-digest-and-diff-ids');
    expect(doc.comment).toContain(`no manifest digest (docker-archive): config ${CONFIG}`);
  });

  it('records the function and its image config overrides beside the image config', () => {
    const doc = valid(
      buildImageSpdx(
        subject({
          lambda: {
            functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:web',
            codeSha256: 'q83vEjRWeJA=',
            imageUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/app:prod',
            resolvedImageUri: `111111111111.dkr.ecr.us-east-1.amazonaws.com/app@${MANIFEST}`,
            architectures: ['x86_64'],
            imageConfig: { command: ['other.handler'], workingDirectory: '/srv' },
          },
        })
      )
    );
    expect(lines(doc.packages[0]!.comment)).toEqual(
      expect.arrayContaining([
        'lamina:lambda:function-arn=arn:aws:lambda:us-east-1:111111111111:function:web',
        'lamina:lambda:code-sha256=q83vEjRWeJA=',
        'lamina:lambda:image-config:command=["other.handler"]',
        'lamina:lambda:image-config:working-directory=/srv',
        // The function's command and directory win; the image's entry point stays.
        'lamina:lambda:entrypoint=["/lambda-entrypoint.sh"]',
        'lamina:lambda:cmd=["other.handler"]',
        'lamina:lambda:working-dir=/srv',
        'lamina:image:cmd=["app.handler"]',
      ])
    );
  });

  it('keeps removed packages apart, marked with the layer that removed them', () => {
    const gone = packages()[1]!;
    const s = subject({
      scope: 'all-layers',
      removed: [{ package: gone, layer: 1, removedBy: 1 }],
    });
    const doc = valid(buildImageSpdx(s));
    const copies = doc.packages.filter((p) => p.name === 'left-pad');
    expect(copies).toHaveLength(2);
    expect(
      copies.filter((p) => lines(p.comment).includes('lamina:removed-by-layer=1'))
    ).toHaveLength(1);
    // The subject is not changed by serializing it.
    expect(gone.properties['removed-by-layer']).toBeUndefined();
  });

  it('is byte-identical across runs and dated as given', () => {
    expect(serializeImageSpdx(subject())).toBe(serializeImageSpdx(subject()));
    expect(buildImageSpdx(subject()).creationInfo.created).toBe('1970-01-01T00:00:00Z');
    const at = new Date('2024-05-06T07:08:09.123Z');
    expect(buildImageSpdx(subject(), { created: at }).creationInfo.created).toBe(
      '2024-05-06T07:08:09Z'
    );
  });
});
