/**
 * `lamina sbom` of images in Amazon ECR through the local endpoint: its ECR API issues the
 * registry token (`ecr:GetAuthorizationToken` through the AWS SDK, with `--endpoint-url`) and
 * names its registry front (Debian's docker-registry behind it) as the token's `proxyEndpoint`.
 * An ECR reference gives the same packages as the OCI layout of the same image; an expired
 * token is renewed once, then refused with one line and exit 3; so is a repository the caller
 * may not read. `sbom --function` of an image function reads the digest Lambda resolved, for
 * the function's architecture, and records the function's facts beside the image config.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import type { SpdxDocument } from '../../../src/sbom/spdx.js';
import { spdxRuleViolations, spdxSchemaErrors } from '../../../src/sbom/testing/spdx-rules.js';
import { validateJson } from '../../../src/sbom/testing/validate.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const HOME = '111111111111';
const VENDOR = '222222222222';
const ALPINE = join(REPO_ROOT, 'testdata/images/vectors/notation-go/internal/testdata/oci-layout');
const ALPINE_DIGEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
const MULTI = join(REPO_ROOT, 'testdata/images/multi-oci');
const ARM64 = 'sha256:6825d616421d123ff6d68e36e9225c1d9cc8f93caa2b85b600025673502dc679';
const ecr = (account: string): string => `${account}.dkr.ecr.us-east-1.amazonaws.com`;

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAECRSBOMHOME00001, secretAccessKey: home }]
    regions:
      us-east-1:
        ecr:
          repositories:
            - name: app/web
              images:
                - { layout: '${ALPINE}', tags: [prod], pushedAt: '2024-01-10T00:00:00Z' }
            - name: multi
              images:
                - { layout: '${MULTI}', ref: multi, tags: ['1.0'], pushedAt: '2024-02-01T00:00:00Z' }
        functions:
          - name: web
            packageType: Image
            imageUri: ${ecr(HOME)}/app/web:prod
            lastModified: '2024-02-01T00:00:00Z'
            imageConfig: { command: [other.handler], workingDirectory: /srv }
          - name: worker
            packageType: Image
            architectures: [arm64]
            imageUri: ${ecr(HOME)}/multi:1.0
            lastModified: '2024-03-01T00:00:00Z'
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAECRSBOMVENDOR001, secretAccessKey: vendor }]
    regions:
      us-east-1:
        ecr:
          repositories:
            - name: private
              images:
                - { layout: '${ALPINE}', tags: [latest], pushedAt: '2024-01-01T00:00:00Z' }
`;

interface Prop {
  name: string;
  value: string;
}
interface Comp {
  type: string;
  name: string;
  purl?: string;
  properties?: Prop[];
}
interface Bom {
  metadata: { component: Comp };
  components: Comp[];
}

const prop = (c: Comp, name: string): string | undefined =>
  c.properties?.find((p) => p.name === name)?.value;

/** Package purls with the layer each came from: what must agree between ECR and the layout. */
const packagesOf = (bom: Bom): string[] =>
  bom.components
    .filter((c) => c.purl !== undefined && c.type !== 'operating-system')
    .map((c) => `${c.purl} layer=${prop(c, 'lamina:layer-diffid')}`)
    .sort();

const tmp = mkdtempSync(join(tmpdir(), 'lamina-sbom-ecr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let h: AwsLocal | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let layoutPackages: string[] | undefined;
/** The packages of the Alpine image read from its OCI layout (once). */
async function alpineFromLayout(): Promise<string[]> {
  if (!layoutPackages) {
    const r = await runCli([
      'sbom',
      `oci:${ALPINE}:v2`,
      '--cache-dir',
      join(tmp, 'layout-cache'),
      '-q',
    ]);
    expect(r.code).toBe(0);
    layoutPackages = packagesOf(JSON.parse(r.stdout) as Bom);
  }
  return layoutPackages;
}

/** `lamina sbom ARGS` writing CycloneDX and SPDX to files, both checked and parsed. */
async function bothFormats(local: AwsLocal, args: string[]) {
  const cdx = join(local.dir, 'out.cdx.json');
  const spdx = join(local.dir, 'out.spdx.json');
  const r = await runCli([
    'sbom',
    ...args,
    ...local.awsFlags,
    '-o',
    `cyclonedx-json=${cdx}`,
    '-o',
    `spdx-json=${spdx}`,
  ]);
  expect(r.code).toBe(0);
  const text = readFileSync(cdx, 'utf8');
  expect(await validateJson(text)).toBeNull();
  return { stderr: r.stderr, bom: JSON.parse(text) as Bom, spdx: spdxOf(spdx) };
}

function spdxOf(file: string): SpdxDocument {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as SpdxDocument;
  expect(spdxSchemaErrors(doc)).toEqual([]);
  expect(spdxRuleViolations(doc as unknown as Record<string, unknown>)).toEqual([]);
  return doc;
}

const tokenRequests = (local: AwsLocal): number =>
  local.endpoint.log.filter((r) => r.service === 'ecr' && r.op === 'GetAuthorizationToken').length;

/** One line on stderr, nothing on stdout. */
function oneLine(r: { stdout: string; stderr: string }): string {
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('lamina sbom ECR-REFERENCE', () => {
  it('reads the image through the token proxyEndpoint: the same packages as its OCI layout', async () => {
    h = await startAwsLocal(ESTATE);
    const ref = `${ecr(HOME)}/app/web:prod`;
    const { stderr, bom, spdx } = await bothFormats(h, [ref]);
    expect(stderr).toContain(`lamina: ${ref}: ${ALPINE_DIGEST} linux/amd64`);
    expect(packagesOf(bom)).toEqual(await alpineFromLayout());
    expect(packagesOf(bom)).toHaveLength(15);
    // The SBOM names the ECR repository, not the local front it was read from.
    const image = bom.metadata.component;
    expect(image.name).toBe(`${ecr(HOME)}/app/web`);
    expect(image.purl).toBe(
      `pkg:oci/web@${encodeURIComponent(ALPINE_DIGEST)}?arch=amd64&repository_url=${ecr(HOME)}/app/web&tag=prod`
    );
    expect(spdx.packages[0]!.externalRefs?.[0]?.referenceLocator).toBe(image.purl);
    expect(tokenRequests(h)).toBe(1);
    // The token goes with the first request (ECR wants Basic): no registry request is refused.
    const registry = h.endpoint.log.filter((x) => x.service === 'registry');
    expect(registry.length).toBeGreaterThan(0);
    expect(registry.every((x) => x.status === 200 || x.status === 307)).toBe(true);
  });

  it('renews an expired token once; a token that stays refused is one line and exit 3', async () => {
    h = await startAwsLocal(ESTATE, { faults: 'expired@GetAuthorizationToken#1=1' });
    const ref = `${ecr(HOME)}/app/web@${ALPINE_DIGEST}`;
    const renewed = await runCli(['sbom', ref, ...h.awsFlags, '-q']);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    expect(packagesOf(JSON.parse(renewed.stdout) as Bom)).toEqual(await alpineFromLayout());
    expect(tokenRequests(h)).toBe(2);
    await h.close();

    h = await startAwsLocal(ESTATE, { faults: 'expired@GetAuthorizationToken=1' });
    const refused = await runCli(['sbom', ref, ...h.awsFlags]);
    expect(refused.code).toBe(3);
    expect(oneLine(refused)).toMatch(
      new RegExp(`${ecr(HOME).replace(/\./g, '\\.')} refused the credentials`)
    );
    expect(tokenRequests(h)).toBe(2);
  });

  it('a repository the caller may not read: one line naming the refusal, exit 3', async () => {
    h = await startAwsLocal(ESTATE);
    const r = await runCli(['sbom', `${ecr(VENDOR)}/private:latest`, ...h.awsFlags]);
    expect(r.code).toBe(3);
    const line = oneLine(r);
    expect(line).toContain(`${ecr(VENDOR)}/private`);
    expect(line).toContain('HTTP 403');
    expect(line).toContain('not authorized to perform: ecr:BatchGetImage');
  });
});

describe('lamina sbom --function (container image functions)', () => {
  it('writes the image SBOM of the digest Lambda resolved, with the function and its overrides', async () => {
    h = await startAwsLocal(ESTATE);
    const { stderr, bom, spdx } = await bothFormats(h, [
      '--function',
      'web',
      '--region',
      'us-east-1',
    ]);
    expect(stderr).toContain(`lamina: web: ${ecr(HOME)}/app/web@${ALPINE_DIGEST}`);
    expect(packagesOf(bom)).toEqual(await alpineFromLayout());
    const image = bom.metadata.component;
    const arn = `arn:aws:lambda:us-east-1:${HOME}:function:web`;
    expect(prop(image, 'lamina:lambda:function-arn')).toBe(arn);
    expect(prop(image, 'lamina:lambda:code-sha256')).toBe(ALPINE_DIGEST.slice('sha256:'.length));
    expect(prop(image, 'lamina:lambda:image-uri')).toBe(`${ecr(HOME)}/app/web:prod`);
    expect(prop(image, 'lamina:lambda:resolved-image-uri')).toBe(
      `${ecr(HOME)}/app/web@${ALPINE_DIGEST}`
    );
    expect(prop(image, 'lamina:lambda:architectures')).toBe('x86_64');
    // The function's Command and WorkingDirectory win over the image config's, both recorded.
    expect(prop(image, 'lamina:lambda:image-config:command')).toBe('["other.handler"]');
    expect(prop(image, 'lamina:lambda:image-config:working-directory')).toBe('/srv');
    expect(prop(image, 'lamina:lambda:image-config:entrypoint')).toBeUndefined();
    expect(prop(image, 'lamina:lambda:cmd')).toBe('["other.handler"]');
    expect(prop(image, 'lamina:lambda:working-dir')).toBe('/srv');
    expect(prop(image, 'lamina:image:cmd')).toBe('["/bin/bash"]');
    expect(prop(image, 'lamina:image:manifest-digest')).toBe(ALPINE_DIGEST);

    const lines = spdx.packages[0]!.comment?.split('\n') ?? [];
    expect(lines).toEqual(
      expect.arrayContaining([
        `lamina:lambda:function-arn=${arn}`,
        'lamina:lambda:cmd=["other.handler"]',
        'lamina:lambda:working-dir=/srv',
      ])
    );
  });

  it('reads the child of a multi-platform tag for an arm64 function', async () => {
    h = await startAwsLocal(ESTATE);
    const r = await runCli([
      'sbom',
      '--function',
      'worker',
      '--region',
      'us-east-1',
      ...h.awsFlags,
      '-q',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const image = (JSON.parse(r.stdout) as Bom).metadata.component;
    expect(prop(image, 'lamina:image:manifest-digest')).toBe(ARM64);
    expect(prop(image, 'lamina:image:platform')).toBe('linux/arm64/v8');
    expect(prop(image, 'lamina:lambda:architectures')).toBe('arm64');
  });
});
