/**
 * `lamina sbom IMAGE -o spdx-json` end to end on the committed image fixtures: the SPDX 2.3
 * document is valid against the official schema and the specification's rules, byte-identical
 * across runs, and lists the same packages (purls) as the CycloneDX SBOM of the same run; a
 * docker-archive says it has no manifest digest.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpdxDocument } from '../../../src/sbom/spdx.js';
import { spdxRuleViolations, spdxSchemaErrors } from '../../../src/sbom/testing/spdx-rules.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const IMAGES = join(REPO_ROOT, 'testdata/images');
const ALPINE = join(IMAGES, 'vectors/notation-go/internal/testdata/oci-layout');
const ALPINE_MANIFEST = '19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-image-spdx-'));
const cache = join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Bom {
  metadata: { component: { purl?: string } };
  components: { type: string; purl?: string }[];
}

const cdxPurls = (bom: Bom): string[] =>
  [bom.metadata.component.purl, ...bom.components.map((c) => c.purl)]
    .filter((p): p is string => p !== undefined)
    .sort();

const spdxPurls = (doc: SpdxDocument): string[] =>
  doc.packages
    .flatMap((p) => p.externalRefs ?? [])
    .filter((r) => r.referenceType === 'purl')
    .map((r) => r.referenceLocator)
    .sort();

/** Both formats from one run, written to files (syft-style `-o FORMAT=FILE`). */
async function both(image: string, name: string, extra: string[] = []) {
  const spdxFile = join(tmp, `${name}.spdx.json`);
  const cdxFile = join(tmp, `${name}.cdx.json`);
  const r = await runCli([
    'sbom',
    image,
    '-o',
    `spdx-json=${spdxFile}`,
    '-o',
    `cyclonedx-json=${cdxFile}`,
    '--cache-dir',
    cache,
    '--quiet',
    ...extra,
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const text = readFileSync(spdxFile, 'utf8');
  const doc = JSON.parse(text) as SpdxDocument;
  expect(spdxSchemaErrors(doc)).toEqual([]);
  expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  return { text, doc, bom: JSON.parse(readFileSync(cdxFile, 'utf8')) as Bom };
}

describe('lamina sbom IMAGE -o spdx-json', () => {
  it('describes the Alpine layout: the container, its OS, its 15 apk packages, as CycloneDX does', async () => {
    const { text, doc, bom } = await both(`oci:${ALPINE}:v2`, 'alpine');
    const image = doc.packages[0]!;
    expect(image.primaryPackagePurpose).toBe('CONTAINER');
    expect(image.checksums).toEqual([{ algorithm: 'SHA256', checksumValue: ALPINE_MANIFEST }]);
    expect(image.externalRefs?.[0]?.referenceLocator).toMatch(
      new RegExp(`^pkg:oci/oci-layout@sha256%3A${ALPINE_MANIFEST}\\?arch=amd64&tag=v2$`)
    );
    const os = doc.packages.filter((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM');
    expect(os.map((p) => [p.name, p.versionInfo])).toEqual([['alpine', '3.17.2']]);
    const apk = spdxPurls(doc).filter((p) => p.startsWith('pkg:apk/'));
    expect(apk).toHaveLength(15);
    expect(spdxPurls(doc)).toEqual(cdxPurls(bom));
    // Each package names its layer and image part.
    const musl = doc.packages.find((p) => p.name === 'musl')!;
    expect(musl.comment?.split('\n')).toEqual(
      expect.arrayContaining(['lamina:layer-index=0', 'lamina:image-part=os'])
    );
    expect(musl.licenseDeclared).toBe('MIT');

    // A second run (layers now from the cache) writes the same bytes, to stdout too.
    const again = await runCli([
      'sbom',
      `oci:${ALPINE}:v2`,
      '-o',
      'spdx-json',
      '--cache-dir',
      cache,
      '-q',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(text);
  });

  it('the multi-platform layout picks the platform asked for, the package set as CycloneDX', async () => {
    const { doc, bom } = await both(`oci:${join(IMAGES, 'multi-oci')}:multi`, 'multi', [
      '--platform',
      'linux/arm64',
    ]);
    expect(doc.packages[0]!.comment).toContain('lamina:image:platform=linux/arm64/v8');
    expect(spdxPurls(doc)).toEqual(cdxPurls(bom));
  });

  it('a docker-archive has no manifest digest: no checksum, no purl, said so', async () => {
    const { doc, bom } = await both(
      `docker-archive:${join(IMAGES, 'multi-arm64.docker.tar')}`,
      'archive'
    );
    const image = doc.packages[0]!;
    expect(image.checksums).toBeUndefined();
    expect(image.externalRefs).toBeUndefined();
    expect(image.comment).toContain('lamina:image:identity=config-digest-and-diff-ids');
    expect(doc.comment).toMatch(/no manifest digest \(docker-archive\)/);
    expect(spdxPurls(doc)).toEqual(cdxPurls(bom));
  });

  it('the Lambda-style AL2023 image: rpm packages of the OS part, deterministic', async () => {
    const first = await both(`oci:${join(IMAGES, 'demo-al2023')}:2024-09`, 'al2023-a');
    const second = await both(`oci:${join(IMAGES, 'demo-al2023')}:2024-09`, 'al2023-b');
    expect(second.text).toBe(first.text);
    expect(spdxPurls(first.doc).some((p) => p.startsWith('pkg:rpm/'))).toBe(true);
    expect(spdxPurls(first.doc)).toEqual(cdxPurls(first.bom));
    const parts = new Set(
      first.doc.packages.flatMap((p) =>
        (p.comment ?? '').split('\n').filter((l) => l.startsWith('lamina:image-part='))
      )
    );
    expect(parts.has('lamina:image-part=os')).toBe(true);
  });
});
