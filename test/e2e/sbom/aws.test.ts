import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli } from '../helpers/cli.js';
import { validateJson, validateXml } from '../../../src/sbom/testing/validate.js';
import { SBOM_ESTATE, arnOf } from './estate.js';

interface Prop {
  name: string;
  value: string;
}
interface Comp {
  'bom-ref': string;
  type: string;
  name: string;
  version?: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  properties?: Prop[];
}
interface Bom {
  metadata: { component: Comp };
  components?: Comp[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  compositions?: { aggregate: string; assemblies: string[] }[];
}

const props = (c: Comp | undefined, name: string): string[] =>
  (c?.properties ?? []).filter((p) => p.name === name).map((p) => p.value);
const prop = (c: Comp | undefined, name: string): string | undefined => props(c, name)[0];

let h: AwsLocal | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('lamina sbom ARN', () => {
  it('fetches the layer version and inventories it like the same zip', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const arn = arnOf('npm', 1);
    const r = await runCli(['sbom', arn, ...h.awsFlags]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await validateJson(r.stdout)).toBeNull();
    const bom = JSON.parse(r.stdout) as Bom;
    const layer = bom.metadata.component;
    expect(layer.name).toBe(arn);
    expect(prop(layer, 'lamina:lambda:layer-version-arn')).toBe(arn);
    expect(prop(layer, 'lamina:lambda:layer-version')).toBe('1');
    expect(prop(layer, 'lamina:lambda:signing-profile-version-arn')).toBe(
      'arn:aws:signer:us-east-1:111111111111:/signing-profiles/Signer/S1gn3r0001'
    );
    expect(prop(layer, 'lamina:lambda:signing-job-arn')).toBe(
      'arn:aws:signer:us-east-1:111111111111:/signing-jobs/5b1e2d4c-0001-4a5b-8c7d-000000000001'
    );

    // The very zip the endpoint served, now in the cache, inventoried as a file.
    const hex = layer.hashes?.find((x) => x.alg === 'SHA-256')?.content ?? '';
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    const zip = join(h.dir, 'layer.zip');
    await copyFile(join(h.dir, 'cache', 'sha256', `${hex}.zip`), zip);
    const z = await runCli(['sbom', zip]);
    expect(z.code).toBe(0);
    const fromZip = JSON.parse(z.stdout) as Bom;
    const strip = (b: Bom) => b.components?.map((c) => JSON.stringify(c)).sort();
    expect(fromZip.components?.length).toBeGreaterThan(3);
    expect(strip(bom)).toEqual(strip(fromZip));
    expect(fromZip.metadata.component.hashes).toEqual(layer.hashes);

    // A second run is served from the cache: no new content request.
    const before = h.endpoint.log.filter((x) => x.service === 'content').length;
    const again = await runCli(['sbom', arn, ...h.awsFlags, '--format', 'cyclonedx-xml']);
    expect(again.code).toBe(0);
    expect(await validateXml(again.stdout)).toBeNull();
    expect(h.endpoint.log.filter((x) => x.service === 'content').length).toBe(before);
  });

  it('exits 2 for an unknown or malformed ARN and 3 when access is denied', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const unknown = await runCli(['sbom', arnOf('npm', 99), ...h.awsFlags]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('[BAD_INPUT]');

    const malformed = await runCli([
      'sbom',
      'arn:aws:lambda:us-east-1:111111111111:layer:npm',
      ...h.awsFlags,
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('[BAD_ARGUMENT]');

    const denied = await runCli(['sbom', arnOf('private', 1, '222222222222'), ...h.awsFlags]);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('[ACCESS_DENIED]');
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 3 when the endpoint is unreachable', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const url = h.endpoint.url;
    await h.endpoint.close();
    const r = await runCli([
      'sbom',
      arnOf('npm', 1),
      '--endpoint-url',
      url,
      '--cache-dir',
      join(h.dir, 'cache'),
      '--max-attempts',
      '1',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    h.endpoint.close = () => Promise.resolve();
  });
});

describe('lamina sbom --function', () => {
  it('merges layers in order and marks what layer 2 shadows (JSON and XML validate)', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const out = join(h.dir, 'merged.cdx.json');
    const r = await runCli(['sbom', '--function', 'merged', ...h.awsFlags, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('3 packages across 2 layers, 1 shadowed');
    const text = await readFile(out, 'utf8');
    expect(await validateJson(text)).toBeNull();
    const bom = JSON.parse(text) as Bom;

    const fn = bom.metadata.component;
    expect(fn.type).toBe('application');
    expect(fn.name).toBe('merged');
    expect(prop(fn, 'lamina:lambda:function-arn')).toBe(
      'arn:aws:lambda:us-east-1:111111111111:function:merged'
    );
    expect(prop(fn, 'lamina:lambda:runtime')).toBe('nodejs20.x');
    // With the runtime, what starts the function's code (an image function's: its entry point).
    expect(prop(fn, 'lamina:lambda:handler')).toBe('src/app.handler');
    expect(prop(fn, 'lamina:lambda:architectures')).toBe('arm64');
    const base = arnOf('base', 1);
    const override = arnOf('override', 1);
    expect(prop(fn, 'lamina:lambda:layer:1')).toMatch(new RegExp(`^${base} sha256:[0-9a-f]{64}$`));
    expect(prop(fn, 'lamina:lambda:layer:2')).toMatch(
      new RegExp(`^${override} sha256:[0-9a-f]{64}$`)
    );
    // etc/config.txt is no package's evidence: a finding on the function.
    expect(props(fn, 'lamina:finding')).toEqual([
      expect.stringMatching(/^SHADOWED_FILE etc\/config\.txt: layer 1 .* replaced by layer 2/),
    ]);

    const comps = bom.components ?? [];
    const layers = comps.filter((c) => c.type === 'file');
    expect(layers.map((c) => [c['bom-ref'], c.name, prop(c, 'lamina:layer-order')])).toEqual([
      ['layer:1', base, '1'],
      ['layer:2', override, '2'],
    ]);
    for (const l of layers) {
      expect(l.hashes?.[0]?.alg).toBe('SHA-256');
      expect(prop(l, 'lamina:lambda:code-sha256')).toBe(
        Buffer.from(l.hashes?.[0]?.content ?? '', 'hex').toString('base64')
      );
    }

    const uuid8 = comps.find((c) => c.purl === 'pkg:npm/uuid@8.3.2');
    const uuid9 = comps.find((c) => c.purl === 'pkg:npm/uuid@9.0.1');
    const leftPad = comps.find((c) => c.purl === 'pkg:npm/left-pad@1.3.0');
    expect(prop(uuid8, 'lamina:layer')).toBe(base);
    expect(prop(uuid8, 'lamina:shadowed-by')).toBe(override);
    expect(prop(uuid9, 'lamina:layer')).toBe(override);
    expect(prop(uuid9, 'lamina:shadowed-by')).toBeUndefined();
    expect(prop(leftPad, 'lamina:shadowed-by')).toBeUndefined();

    const deps = new Map(bom.dependencies?.map((d) => [d.ref, d.dependsOn ?? []]));
    expect(deps.get('function')).toEqual(['layer:1', 'layer:2']);
    expect(deps.get('layer:1')).toEqual(
      expect.arrayContaining([uuid8?.['bom-ref'], leftPad?.['bom-ref']])
    );
    expect(deps.get('layer:2')).toEqual([uuid9?.['bom-ref']]);
    expect(bom.compositions?.[0]?.assemblies).toEqual(['function', 'layer:1', 'layer:2']);

    const x = await runCli([
      'sbom',
      '--function',
      'merged',
      ...h.awsFlags,
      '--format',
      'cyclonedx-xml',
      '-q',
    ]);
    expect(x.code).toBe(0);
    expect(x.stderr).toBe('');
    expect(await validateXml(x.stdout)).toBeNull();
    expect(x.stdout).toContain('<property name="lamina:shadowed-by">' + override + '</property>');
    expect(x.stdout).toContain('<property name="lamina:lambda:handler">src/app.handler</property>');
  });

  it('writes a valid SBOM for a function without layers', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const r = await runCli(['sbom', '--function', 'bare', ...h.awsFlags]);
    expect(r.code).toBe(0);
    expect(await validateJson(r.stdout)).toBeNull();
    const bom = JSON.parse(r.stdout) as Bom;
    expect(bom.metadata.component.name).toBe('bare');
    expect(bom.components ?? []).toEqual([]);
    expect(prop(bom.metadata.component, 'lamina:lambda:runtime')).toBe('python3.12');
  });

  it('exits 2 for unknown functions, 3 for a deleted layer version or an image not in ECR', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    // An image function is read from ECR (test/e2e/sbom/ecr.test.ts); this one's repository
    // does not exist there.
    const img = await runCli(['sbom', '--function', 'img', ...h.awsFlags]);
    expect(img.code).toBe(3);
    expect(img.stdout).toBe('');
    expect(img.stderr).toContain('111111111111.dkr.ecr.us-east-1.amazonaws.com/img@sha256:');
    const nope = await runCli(['sbom', '--function', 'nope', ...h.awsFlags]);
    expect(nope.code).toBe(2);
    const broken = await runCli(['sbom', '--function', 'broken', ...h.awsFlags]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain('[NOT_FOUND]');
    const both = await runCli(['sbom', 'x.zip', '--function', 'merged']);
    expect(both.code).toBe(2);
  });
});
