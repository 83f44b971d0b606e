import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, type Digest } from '../../model/oci.js';
import {
  imageLayers,
  layerCompression,
  parseDescriptor,
  parseDigest,
  parseImageConfig,
  parseManifestOrIndex,
  sha256Digest,
  verifyBlob,
} from './documents.js';
import { ImageError, RegistryError } from './errors.js';
import { codeOf } from './testing/expect-code.js';

const D1: Digest = `sha256:${'a'.repeat(64)}`;
const D2: Digest = `sha256:${'b'.repeat(64)}`;
const desc = (mediaType: string, digest = D1, size = 10) => ({ mediaType, digest, size });
const manifest = {
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.ociManifest,
  config: desc(MEDIA_TYPES.ociConfig),
  layers: [desc(MEDIA_TYPES.ociLayerGzip, D2, 20)],
};
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('parseManifestOrIndex', () => {
  it('reads OCI and Docker manifests and indexes', () => {
    const m = parseManifestOrIndex(json(manifest), MEDIA_TYPES.ociManifest);
    expect(m).toMatchObject({ kind: 'manifest', mediaType: MEDIA_TYPES.ociManifest });
    const docker = { ...manifest, mediaType: MEDIA_TYPES.dockerManifest };
    expect(parseManifestOrIndex(json(docker), MEDIA_TYPES.dockerManifest).kind).toBe('manifest');
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifestList,
      manifests: [
        { ...desc(MEDIA_TYPES.dockerManifest), platform: { os: 'linux', architecture: 'aarch64' } },
      ],
    };
    const i = parseManifestOrIndex(
      json(index),
      'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8'
    );
    expect(i.kind).toBe('index');
    // aarch64 is normalised to arm64/v8.
    expect(i.kind === 'index' && i.manifests[0]!.platform).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });

  it('infers the type only from an unambiguous shape when nothing names it', () => {
    const bare: Partial<typeof manifest> = { ...manifest };
    delete bare.mediaType;
    expect(parseManifestOrIndex(json(bare), undefined).kind).toBe('manifest');
    expect(parseManifestOrIndex(json(bare), 'application/json').kind).toBe('manifest');
    expect(parseManifestOrIndex(json({ schemaVersion: 2, manifests: [] }), undefined).kind).toBe(
      'index'
    );
  });

  it('refuses documents that read as both an index and a manifest', () => {
    expect(
      codeOf(() => parseManifestOrIndex(json({ ...manifest, manifests: [] }), undefined))
    ).toBe('AMBIGUOUS_DOCUMENT');
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [],
      config: manifest.config,
    };
    expect(codeOf(() => parseManifestOrIndex(json(index), undefined))).toBe('AMBIGUOUS_DOCUMENT');
  });

  it('refuses a media type that disagrees with what the transport said', () => {
    expect(codeOf(() => parseManifestOrIndex(json(manifest), MEDIA_TYPES.dockerManifest))).toBe(
      'AMBIGUOUS_DOCUMENT'
    );
    expect(codeOf(() => parseManifestOrIndex(json(manifest), MEDIA_TYPES.ociIndex))).toBe(
      'AMBIGUOUS_DOCUMENT'
    );
    // Typed as an index by the transport, shaped like a manifest, without its own mediaType.
    const bare: Partial<typeof manifest> = { ...manifest };
    delete bare.mediaType;
    expect(codeOf(() => parseManifestOrIndex(json(bare), MEDIA_TYPES.ociIndex))).toBe(
      'AMBIGUOUS_DOCUMENT'
    );
  });

  it('refuses schema 1, by content type or by content', () => {
    const s1 = { schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [], history: [] };
    expect(codeOf(() => parseManifestOrIndex(json(s1), undefined))).toBe('SCHEMA1_REFUSED');
    expect(
      codeOf(() => parseManifestOrIndex(json(manifest), MEDIA_TYPES.dockerSchema1Signed))
    ).toBe('SCHEMA1_REFUSED');
    expect(
      codeOf(() =>
        parseManifestOrIndex(json({ ...manifest, mediaType: MEDIA_TYPES.dockerSchema1 }), undefined)
      )
    ).toBe('SCHEMA1_REFUSED');
  });

  it('refuses unknown media types, including the withdrawn OCI artifact manifest', () => {
    const artifact = {
      mediaType: 'application/vnd.oci.artifact.manifest.v1+json',
      schemaVersion: 2,
      blobs: [],
    };
    expect(codeOf(() => parseManifestOrIndex(json(artifact), undefined))).toBe(
      'UNSUPPORTED_MEDIA_TYPE'
    );
    expect(
      codeOf(() => parseManifestOrIndex(json({ ...manifest, mediaType: 'text/html' }), undefined))
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses malformed fields and oversized documents', () => {
    expect(
      codeOf(() => parseManifestOrIndex(json({ ...manifest, schemaVersion: 3 }), undefined))
    ).toBe('MALFORMED_DOCUMENT');
    expect(codeOf(() => parseManifestOrIndex(json({ ...manifest, layers: {} }), undefined))).toBe(
      'MALFORMED_DOCUMENT'
    );
    const badSize = { ...manifest, layers: [{ ...manifest.layers[0], size: -1 }] };
    expect(codeOf(() => parseManifestOrIndex(json(badSize), undefined))).toBe('MALFORMED_DOCUMENT');
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    expect(codeOf(() => parseManifestOrIndex(big, undefined))).toBe('DOCUMENT_TOO_LARGE');
    const many = { ...manifest, layers: Array.from({ length: 1025 }, () => manifest.layers[0]) };
    expect(codeOf(() => parseManifestOrIndex(json(many), undefined))).toBe('DOCUMENT_TOO_LARGE');
  });
});

describe('descriptors and digests', () => {
  it('accepts only sha256 digests, naming other algorithms', () => {
    expect(parseDigest(D1, 'x')).toBe(D1);
    expect(codeOf(() => parseDigest(`sha512:${'a'.repeat(128)}`, 'x'))).toBe('UNSUPPORTED_DIGEST');
    expect(codeOf(() => parseDigest(`sha256:${'A'.repeat(64)}`, 'x'))).toBe('UNSUPPORTED_DIGEST');
    expect(codeOf(() => parseDigest('nope', 'x'))).toBe('MALFORMED_DOCUMENT');
  });

  it('refuses foreign layers (urls) and embedded data that does not match', () => {
    expect(
      codeOf(() => parseDescriptor({ ...desc('x'), urls: ['https://example.com/l'] }, 'd'))
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    const data = Buffer.from('hello');
    const good = {
      mediaType: 'x',
      digest: sha256Digest(data),
      size: data.length,
      data: data.toString('base64'),
    };
    expect(parseDescriptor(good, 'd').digest).toBe(good.digest);
    expect(
      codeOf(() => parseDescriptor({ ...good, data: Buffer.from('other').toString('base64') }, 'd'))
    ).toBe('DIGEST_MISMATCH');
  });

  it('verifyBlob checks size, then digest', () => {
    const b = Buffer.from('abc');
    expect(
      codeOf(() => verifyBlob(b, { mediaType: 'x', digest: sha256Digest(b), size: 4 }, 'b'))
    ).toBe('SIZE_MISMATCH');
    expect(codeOf(() => verifyBlob(b, { mediaType: 'x', digest: D1, size: 3 }, 'b'))).toBe(
      'DIGEST_MISMATCH'
    );
    expect(() =>
      verifyBlob(b, { mediaType: 'x', digest: sha256Digest(b), size: 3 }, 'b')
    ).not.toThrow();
  });

  it('maps layer media types to compressions and refuses the rest', () => {
    expect(layerCompression(MEDIA_TYPES.ociLayer, 'l')).toBe('none');
    expect(layerCompression(MEDIA_TYPES.dockerLayerGzip, 'l')).toBe('gzip');
    expect(layerCompression(MEDIA_TYPES.ociLayerZstd, 'l')).toBe('zstd');
    expect(
      codeOf(() =>
        layerCompression('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'l')
      )
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('parseImageConfig', () => {
  const config = {
    architecture: 'arm64',
    os: 'linux',
    config: {
      Env: ['A=1'],
      Cmd: ['x'],
      WorkingDir: '/var/task',
      Labels: { Architecture: 'label, not a field' },
    },
    rootfs: { type: 'layers', diff_ids: [D1, D2] },
  };

  it('reads platform, diffIDs and the run settings', () => {
    const c = parseImageConfig(json(config));
    expect(c.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(c.diffIds).toEqual([D1, D2]);
    expect(c).toMatchObject({ env: ['A=1'], cmd: ['x'], workingDir: '/var/task' });
  });

  it('refuses configs without a platform or layer rootfs, and folded field names', () => {
    expect(codeOf(() => parseImageConfig(json({ ...config, os: undefined })))).toBe(
      'MALFORMED_DOCUMENT'
    );
    expect(
      codeOf(() => parseImageConfig(json({ ...config, rootfs: { type: 'x', diff_ids: [] } })))
    ).toBe('MALFORMED_DOCUMENT');
    const folded = { ...config, Architecture: 'amd64' };
    expect(codeOf(() => parseImageConfig(json(folded)))).toBe('AMBIGUOUS_DOCUMENT');
  });

  it('pairs layers with diffIDs and refuses a count mismatch', () => {
    const m = parseManifestOrIndex(json(manifest), undefined);
    if (m.kind !== 'manifest') throw new Error('manifest expected');
    const oneDiff = parseImageConfig(
      json({ ...config, rootfs: { type: 'layers', diff_ids: [D1] } })
    );
    expect(imageLayers(m, oneDiff, 'm')).toEqual([
      {
        index: 0,
        digest: D2,
        size: 20,
        mediaType: MEDIA_TYPES.ociLayerGzip,
        compression: 'gzip',
        diffId: D1,
      },
    ]);
    expect(codeOf(() => imageLayers(m, parseImageConfig(json(config)), 'm'))).toBe(
      'DIFF_ID_COUNT_MISMATCH'
    );
  });
});

describe('exit classes', () => {
  it('puts a refused image or request in class 2 and a registry that failed in class 3', () => {
    expect(new ImageError({ code: 'DIGEST_MISMATCH', message: '' }).exitCode).toBe(2);
    expect(new ImageError({ code: 'PLATFORM_NOT_FOUND', message: '' }).exitCode).toBe(2);
    expect(new RegistryError({ code: 'RETRIES_EXHAUSTED', message: '' }).exitCode).toBe(3);
    expect(new RegistryError({ code: 'AUTH_REQUIRED', message: '' }).exitCode).toBe(3);
  });
});
