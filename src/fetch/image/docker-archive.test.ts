import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonBytes,
  makeImage,
  makeLayer,
  sha256,
  tarDirectory,
  writeDockerArchive,
} from '../../../scripts/lib/ociwriter.mjs';
import { writeTar, type TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { ContentCache } from '../cache.js';
import { parsePlatform } from './platform.js';
import { resolveImage } from './resolve.js';
import { listTarMembers } from './testing/tar-members.js';
import { codeOfAsync } from './testing/expect-code.js';
import {
  ALPINE_CONFIG,
  ALPINE_DIFF_ID,
  ALPINE_LAYER,
  ALPINE_LAYER_SIZE,
  ALPINE_LAYOUT,
  MULTI_ARM64_ARCHIVE,
} from './testing/fixtures.js';

const opts = { archiveIndexer: listTarMembers };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lamina-archive-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function archive(name: string, entries: TarEntry[]): Promise<string> {
  const file = join(tmp, name);
  await writeFile(file, writeTar(entries));
  return file;
}

describe('docker-archive', () => {
  it('reads a docker save archive (legacy layout, uncompressed layers): identity is config digest + diffIDs', async () => {
    const config = await readFile(join(ALPINE_LAYOUT, 'blobs/sha256', ALPINE_CONFIG.slice(7)));
    const tar = gunzipSync(
      await readFile(join(ALPINE_LAYOUT, 'blobs/sha256', ALPINE_LAYER.slice(7)))
    );
    const file = join(tmp, 'alpine.docker.tar');
    writeDockerArchive(file, { config, layers: [tar], repoTags: ['alpine:3.17'] });
    const h = await resolveImage(`docker-archive:${file}`, opts);
    expect(h.image.manifestDigest).toBeUndefined();
    expect(h.image.configDigest).toBe(ALPINE_CONFIG);
    expect(h.image.layers).toEqual([
      {
        index: 0,
        digest: ALPINE_DIFF_ID, // stored uncompressed: the stored digest is the diffID
        size: tar.length,
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        compression: 'none',
        diffId: ALPINE_DIFF_ID,
      },
    ]);
    const [s] = await h.spoolLayers(new ContentCache(join(tmp, 'cache'), 'tar'));
    expect(sha256(await readFile(s!.path))).toBe(ALPINE_DIFF_ID);
    // The tag selects the same image.
    const tagged = await resolveImage(`docker-archive:${file}:alpine:3.17`, opts);
    expect(tagged.image.configDigest).toBe(ALPINE_CONFIG);
    expect(await codeOfAsync(resolveImage(`docker-archive:${file}:alpine:other`, opts))).toBe(
      'MANIFEST_NOT_FOUND'
    );
  });

  it('reads a Docker 25 / containerd export (blobs/sha256 paths, gzip layers)', async () => {
    const file = join(tmp, 'alpine-oci.tar');
    await writeFile(file, tarDirectory(ALPINE_LAYOUT));
    const h = await resolveImage(`docker-archive:${file}`, opts);
    expect(h.image.configDigest).toBe(ALPINE_CONFIG);
    expect(h.image.layers[0]).toMatchObject({
      digest: ALPINE_LAYER,
      compression: 'gzip',
      diffId: ALPINE_DIFF_ID,
    });
    const [s] = await h.spoolLayers(new ContentCache(join(tmp, 'cache2'), 'tar'));
    expect(s!.size).toBeGreaterThan(ALPINE_LAYER_SIZE);
  });

  it('reads the committed multi-arm64 fixture and checks the platform asked for', async () => {
    const file = MULTI_ARM64_ARCHIVE;
    const h = await resolveImage(`docker-archive:${file}:lamina/multi:arm64`, opts);
    expect(h.image.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(
      await codeOfAsync(
        resolveImage(`docker-archive:${file}`, { ...opts, platform: parsePlatform('linux/amd64') })
      )
    ).toBe('PLATFORM_MISMATCH');
  });

  const layer = makeLayer([{ name: 'a.txt', data: 'a' }], { compression: 'none' });
  const img = makeImage({ layers: [layer] });
  const configName = `${img.config.descriptor.digest.slice(7)}.json`;
  const manifest = (over: Record<string, unknown> = {}) =>
    jsonBytes([{ Config: configName, RepoTags: ['x:1'], Layers: ['l/layer.tar'], ...over }]);

  it('refuses a config whose name is not its digest, and a layer that is not its diffID', async () => {
    const badConfig = await archive('bad-config.tar', [
      { name: configName, data: Buffer.concat([img.config.bytes, Buffer.from(' ')]) },
      { name: 'l/layer.tar', data: layer.tar },
      { name: 'manifest.json', data: manifest() },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${badConfig}`, opts))).toBe(
      'DIGEST_MISMATCH'
    );
    const badLayer = await archive('bad-layer.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', data: makeLayer([{ name: 'b.txt', data: 'b' }]).tar },
      { name: 'manifest.json', data: manifest() },
    ]);
    const h = await resolveImage(`docker-archive:${badLayer}`, opts);
    expect(await codeOfAsync(h.spoolLayers(new ContentCache(join(tmp, 'cache3'), 'tar')))).toMatch(
      /^(DIGEST_MISMATCH|DIFF_ID_MISMATCH)$/
    );
  });

  it('follows links inside the archive and refuses links out of it', async () => {
    const linked = await archive('linked.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'real/layer.tar', data: layer.tar },
      { name: 'l/', type: 'dir' },
      { name: 'l/layer.tar', type: 'symlink', linkname: '../real/layer.tar' },
      { name: 'manifest.json', data: manifest() },
    ]);
    const h = await resolveImage(`docker-archive:${linked}`, opts);
    expect(h.image.layers[0]!.diffId).toBe(layer.diffId);
    const escaping = await archive('escape.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', type: 'symlink', linkname: '../../etc/passwd' },
      { name: 'manifest.json', data: manifest() },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${escaping}`, opts))).toBe(
      'ARCHIVE_INVALID'
    );
    const absolute = await archive('absolute.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'manifest.json', data: manifest({ Layers: ['/etc/passwd'] }) },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${absolute}`, opts))).toBe(
      'ARCHIVE_INVALID'
    );
  });

  it('refuses ambiguous archives: duplicate members, several images without a tag, count mismatches', async () => {
    const dup = await archive('dup.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', data: layer.tar },
      { name: './l/layer.tar', data: layer.tar },
      { name: 'manifest.json', data: manifest() },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${dup}`, opts))).toBe('ARCHIVE_INVALID');
    const two = await archive('two.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', data: layer.tar },
      {
        name: 'manifest.json',
        data: jsonBytes([
          { Config: configName, RepoTags: ['x:1'], Layers: ['l/layer.tar'] },
          { Config: configName, RepoTags: ['x:2'], Layers: ['l/layer.tar'] },
        ]),
      },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${two}`, opts))).toBe('BAD_REFERENCE');
    expect((await resolveImage(`docker-archive:${two}:x:2`, opts)).image.configDigest).toBe(
      img.config.descriptor.digest
    );
    const count = await archive('count.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', data: layer.tar },
      { name: 'manifest.json', data: manifest({ Layers: ['l/layer.tar', 'l/layer.tar'] }) },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${count}`, opts))).toBe(
      'DIFF_ID_COUNT_MISMATCH'
    );
    const dupKey = await archive('dupkey.tar', [
      { name: configName, data: img.config.bytes },
      { name: 'l/layer.tar', data: layer.tar },
      {
        name: 'manifest.json',
        data: `[{"Config":"${configName}","Layers":["l/layer.tar"],"layers":[]}]`,
      },
    ]);
    expect(await codeOfAsync(resolveImage(`docker-archive:${dupKey}`, opts))).toBe(
      'AMBIGUOUS_DOCUMENT'
    );
  });

  it('says plainly when no tar reader is configured', async () => {
    const err = await resolveImage(`docker-archive:${MULTI_ARM64_ARCHIVE}`).catch(
      (e: unknown) => e
    );
    expect(err).toMatchObject({ code: 'ARCHIVE_INVALID' });
    expect((err as Error).message).toContain('no tar reader');
  });
});
