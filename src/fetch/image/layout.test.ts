import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  descriptor,
  jsonBytes,
  makeImage,
  makeIndex,
  makeLayer,
  MT,
  REF_NAME,
  sha256,
  writeLayout,
} from '../../../scripts/lib/ociwriter.mjs';
import { ContentCache } from '../cache.js';
import { parsePlatform } from './platform.js';
import { resolveImage } from './resolve.js';
import { codeOfAsync } from './testing/expect-code.js';
import {
  ALPINE_DIFF_ID,
  ALPINE_LAYER,
  ALPINE_LAYER_SIZE,
  ALPINE_LAYOUT,
  ALPINE_MANIFEST,
  MULTI_LAYOUT,
} from './testing/fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lamina-layout-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A scratch copy of a fixture layout. */
async function copy(src: string, name: string): Promise<string> {
  const dst = join(tmp, name);
  await cp(src, dst, { recursive: true });
  return dst;
}

describe('OCI layout: the Alpine vector', () => {
  it('resolves by tag, by digest and as a bare directory to the same verified image', async () => {
    for (const ref of [
      `oci:${ALPINE_LAYOUT}:v2`,
      `oci:${ALPINE_LAYOUT}@${ALPINE_MANIFEST}`,
      ALPINE_LAYOUT,
      `oci:${ALPINE_LAYOUT}`,
    ]) {
      const h = await resolveImage(ref);
      expect(h.image.manifestDigest, ref).toBe(ALPINE_MANIFEST);
      expect(h.image.indexDigest).toBeUndefined();
      expect(h.image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
      expect(h.image.layers).toEqual([
        {
          index: 0,
          digest: ALPINE_LAYER,
          size: ALPINE_LAYER_SIZE,
          mediaType: MT.ociLayerGzip,
          compression: 'gzip',
          diffId: ALPINE_DIFF_ID,
        },
      ]);
      await h.close();
    }
  });

  it('spools the layer and its bytes are the diffID', async () => {
    const h = await resolveImage(`oci:${ALPINE_LAYOUT}:v2`);
    const cache = new ContentCache(join(tmp, 'cache'), 'tar');
    const [s] = await h.spoolLayers(cache);
    expect(s!.path.endsWith(`${ALPINE_DIFF_ID.slice(7)}.tar`)).toBe(true);
    expect(sha256(await readFile(s!.path))).toBe(ALPINE_DIFF_ID);
  });

  it('names what exists when the tag does not', async () => {
    const err = await resolveImage(`oci:${ALPINE_LAYOUT}:nope`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MANIFEST_NOT_FOUND', exitCode: 2 });
    expect((err as Error).message).toContain('v2');
  });
});

describe('OCI layout: the multi-platform fixture', () => {
  it('picks linux/amd64 by default, arm64 on request, and skips the attestation', async () => {
    const amd = await resolveImage(`oci:${MULTI_LAYOUT}:multi`);
    expect(amd.image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(amd.image.indexDigest).toMatch(/^sha256:/);
    const direct = await resolveImage(`oci:${MULTI_LAYOUT}:amd64`);
    expect(amd.image.manifestDigest).toBe(direct.image.manifestDigest);
    const arm = await resolveImage(`oci:${MULTI_LAYOUT}:multi`, {
      platform: parsePlatform('linux/arm64'),
    });
    expect(arm.image.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(arm.image.layers[0]!.compression).toBe('none');
    const err = await resolveImage(`oci:${MULTI_LAYOUT}:multi`, {
      platform: parsePlatform('linux/ppc64le'),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLATFORM_NOT_FOUND', exitCode: 2 });
    expect((err as Error).message).toMatch(/available: linux\/amd64, linux\/arm64\/v8$/);
  });

  it('a single manifest is taken as it is unless a platform is asked for', async () => {
    const arm = await resolveImage(`oci:${MULTI_LAYOUT}:arm64`);
    expect(arm.image.platform.architecture).toBe('arm64');
    expect(
      await codeOfAsync(
        resolveImage(`oci:${MULTI_LAYOUT}:arm64`, { platform: parsePlatform('linux/amd64') })
      )
    ).toBe('PLATFORM_MISMATCH');
  });

  it('asks for a name when index.json holds several images', async () => {
    const err = await resolveImage(MULTI_LAYOUT).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REFERENCE' });
    expect((err as Error).message).toContain('amd64, arm64, multi');
  });
});

describe('OCI layout: hostile layouts', () => {
  it('re-hashes every blob it reads', async () => {
    const dir = await copy(ALPINE_LAYOUT, 'tampered-manifest');
    const path = join(dir, 'blobs', 'sha256', ALPINE_MANIFEST.slice(7));
    const bytes = await readFile(path);
    await writeFile(
      path,
      Buffer.from(bytes.toString('utf8').replace('"schemaVersion": 2', '"schemaVersion":2 '))
    );
    expect(await codeOfAsync(resolveImage(`oci:${dir}:v2`))).toBe('DIGEST_MISMATCH');
    const dir2 = await copy(ALPINE_LAYOUT, 'tampered-layer');
    const layer = join(dir2, 'blobs', 'sha256', ALPINE_LAYER.slice(7));
    const lb = await readFile(layer);
    lb[5000] = lb[5000]! ^ 1;
    await writeFile(layer, lb);
    const h = await resolveImage(`oci:${dir2}:v2`);
    expect(await codeOfAsync(h.spoolLayers(new ContentCache(join(tmp, 'c2'), 'tar')))).toMatch(
      /^(DIGEST_MISMATCH|CORRUPT_LAYER)$/
    );
  });

  it('refuses a blob that is a symlink out of the layout, and follows one inside it', async () => {
    const dir = await copy(ALPINE_LAYOUT, 'symlinks');
    const outside = join(tmp, 'outside-config');
    const config = join(
      dir,
      'blobs',
      'sha256',
      '572996c3caeacea40b947911a9dda21516c082b5a64af30048a02a6f5eb956d4'
    );
    await cp(config, outside);
    await unlink(config);
    await symlink(outside, config);
    expect(await codeOfAsync(resolveImage(`oci:${dir}:v2`))).toBe('LAYOUT_INVALID');
    await unlink(config);
    await cp(outside, join(dir, 'config-inside'));
    await symlink('../../config-inside', config);
    const h = await resolveImage(`oci:${dir}:v2`);
    expect(h.image.configDigest).toBe(
      'sha256:572996c3caeacea40b947911a9dda21516c082b5a64af30048a02a6f5eb956d4'
    );
  });

  it('refuses a FIFO in the layout instead of waiting for a writer', async () => {
    // Without O_NONBLOCK the open blocks until something writes to the FIFO: forever.
    const dir = await copy(ALPINE_LAYOUT, 'fifo-index');
    await rm(join(dir, 'index.json'));
    execFileSync('mkfifo', [join(dir, 'index.json')]);
    const index = await resolveImage(`oci:${dir}:v2`).then(
      () => undefined,
      (err: unknown) => err
    );
    expect(index).toMatchObject({ code: 'LAYOUT_INVALID' });
    expect(String((index as Error).message)).toContain('index.json is not a regular file');
    const dir2 = await copy(ALPINE_LAYOUT, 'fifo-blob');
    const m = join(dir2, 'blobs', 'sha256', ALPINE_MANIFEST.slice(7));
    await rm(m);
    execFileSync('mkfifo', [m]);
    expect(await codeOfAsync(resolveImage(`oci:${dir2}:v2`))).toBe('LAYOUT_INVALID');
  });

  it('refuses a directory that is not a layout, and a blob that is not a file', async () => {
    expect(await codeOfAsync(resolveImage(`oci:${join(tmp, 'missing')}`))).toBe('LAYOUT_INVALID');
    const dir = await copy(ALPINE_LAYOUT, 'bad-version');
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    expect(await codeOfAsync(resolveImage(`oci:${dir}:v2`))).toBe('LAYOUT_INVALID');
    const dir2 = await copy(ALPINE_LAYOUT, 'blob-dir');
    const m = join(dir2, 'blobs', 'sha256', ALPINE_MANIFEST.slice(7));
    await rm(m);
    await mkdir(m); // a directory where the manifest blob should be
    expect(await codeOfAsync(resolveImage(`oci:${dir2}:v2`))).toBe('LAYOUT_INVALID');
  });

  function layoutWith(
    name: string,
    build: () => { blobs: Map<string, Buffer>; entries: unknown[] }
  ): string {
    const dir = join(tmp, name);
    writeLayout(dir, build() as Parameters<typeof writeLayout>[1]);
    return dir;
  }
  const layer = makeLayer([{ name: 'f', data: 'x' }]);
  const img = makeImage({ layers: [layer] });

  it('bounds index nesting', async () => {
    let top = img.manifest.descriptor;
    const blobs = new Map([...img.blobs, [img.manifest.descriptor.digest, img.manifest.bytes]]);
    for (let i = 0; i < 5; i++) {
      const idx = makeIndex([{ ...top, platform: { os: 'linux', architecture: 'amd64' } }]);
      blobs.set(idx.descriptor.digest, idx.bytes);
      top = idx.descriptor;
    }
    const dir = layoutWith('deep', () => ({
      blobs,
      entries: [{ ...top, annotations: { [REF_NAME]: 'deep' } }],
    }));
    expect(await codeOfAsync(resolveImage(`oci:${dir}:deep`))).toBe('NESTING_TOO_DEEP');
  });

  it('refuses an index entry whose config says another platform', async () => {
    const idx = makeIndex([
      { ...img.manifest.descriptor, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const dir = layoutWith('lying-index', () => ({
      blobs: new Map([
        ...img.blobs,
        [img.manifest.descriptor.digest, img.manifest.bytes],
        [idx.descriptor.digest, idx.bytes],
      ]),
      entries: [{ ...idx.descriptor, annotations: { [REF_NAME]: 'x' } }],
    }));
    expect(
      await codeOfAsync(resolveImage(`oci:${dir}:x`, { platform: parsePlatform('linux/arm64') }))
    ).toBe('PLATFORM_MISMATCH');
  });

  it('refuses an index entry whose media type disagrees with the document', async () => {
    const dir = layoutWith('lying-entry', () => ({
      blobs: new Map([...img.blobs, [img.manifest.descriptor.digest, img.manifest.bytes]]),
      entries: [
        {
          ...img.manifest.descriptor,
          mediaType: MT.dockerManifest,
          annotations: { [REF_NAME]: 'x' },
        },
      ],
    }));
    expect(await codeOfAsync(resolveImage(`oci:${dir}:x`))).toBe('AMBIGUOUS_DOCUMENT');
  });

  it('refuses an artifact (a manifest whose config is not an image config)', async () => {
    const cfg = jsonBytes({});
    const body = jsonBytes({ hello: 'world' });
    const manifest = jsonBytes({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example+json',
      config: descriptor('application/vnd.oci.empty.v1+json', cfg),
      layers: [descriptor('application/vnd.example+json', body)],
    });
    const dir = layoutWith('artifact', () => ({
      blobs: new Map([
        [sha256(cfg), cfg],
        [sha256(body), body],
        [sha256(manifest), manifest],
      ]),
      entries: [{ ...descriptor(MT.ociManifest, manifest), annotations: { [REF_NAME]: 'a' } }],
    }));
    expect(await codeOfAsync(resolveImage(`oci:${dir}:a`))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
