import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeLayer } from '../../../scripts/lib/ociwriter.mjs';
import type { ImageLayer, LayerCompression } from '../../model/oci.js';
import { ContentCache } from '../cache.js';
import { sha256Digest } from './documents.js';
import { sniffCompression, spoolLayer, zstdDecompressor, type SpoolOptions } from './spool.js';
import { codeOfAsync } from './testing/expect-code.js';

const OPTS: SpoolOptions = {
  maxBytes: 1 << 30,
  remote: false,
  retry: { attempts: 3, baseMs: 1, capMs: 2 },
};
const tar = makeLayer([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/hostname', data: 'lamina\n' },
  { name: 'usr/lib/big.bin', data: Buffer.alloc(300_000, 7) },
]).tar;

function layerFor(stored: Buffer, compression: LayerCompression, diffTar = tar): ImageLayer {
  return {
    index: 0,
    digest: sha256Digest(stored),
    size: stored.length,
    mediaType: 'x',
    compression,
    diffId: sha256Digest(diffTar),
  };
}

/** A source that hands out the bytes in small chunks and counts how often it was opened. */
function source(bytes: Buffer) {
  const s = {
    opened: 0,
    open: () => {
      s.opened++;
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
      return Promise.resolve(Readable.from(chunks));
    },
  };
  return s;
}

let dir: string;
let cache: ContentCache;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-spool-'));
  cache = new ContentCache(dir, 'tar');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entries = async (): Promise<string[]> => readdir(join(dir, 'sha256')).catch(() => []);

describe('spoolLayer', () => {
  it('stores a gzip layer uncompressed under its diffID, then serves it from the cache', async () => {
    const gz = zlib.gzipSync(tar);
    const src = source(gz);
    const layer = layerFor(gz, 'gzip');
    const s = await spoolLayer(layer, src.open, cache, OPTS);
    expect(s).toMatchObject({ cached: false, size: tar.length });
    expect(s.path).toBe(cache.pathFor(layer.diffId.slice(7)));
    expect((await readFile(s.path)).equals(tar)).toBe(true);
    const again = await spoolLayer(layer, src.open, cache, OPTS);
    expect(again.cached).toBe(true);
    expect(src.opened).toBe(1);
  });

  it('reads a layer two images share once when both ask at the same time', async () => {
    const gz = zlib.gzipSync(tar);
    const src = source(gz);
    const first = layerFor(gz, 'gzip');
    const second = { ...first, index: 3 };
    const [a, b] = await Promise.all([
      spoolLayer(first, src.open, cache, OPTS),
      spoolLayer(second, src.open, cache, OPTS),
    ]);
    expect(src.opened).toBe(1);
    expect([a.cached, b.cached]).toEqual([false, true]);
    expect(b.layer.index).toBe(3);
    expect(b.path).toBe(a.path);
  });

  it('lets a waiter read for itself when the shared read fails', async () => {
    const gz = zlib.gzipSync(tar);
    const good = source(gz);
    const bad = source(zlib.gzipSync(Buffer.from('not the layer')));
    const layer = layerFor(gz, 'gzip');
    const [a, b] = await Promise.allSettled([
      spoolLayer(layer, bad.open, cache, OPTS),
      spoolLayer(layer, good.open, cache, OPTS),
    ]);
    expect(a.status).toBe('rejected');
    expect(b.status === 'fulfilled' && b.value.cached).toBe(false);
    expect(good.opened).toBe(1);
  });

  it('stores a plain tar layer as it is', async () => {
    const s = await spoolLayer(layerFor(tar, 'none'), source(tar).open, cache, OPTS);
    expect((await readFile(s.path)).equals(tar)).toBe(true);
  });

  it('re-fetches when a cache entry no longer hashes to its diffID', async () => {
    const gz = zlib.gzipSync(tar);
    const layer = layerFor(gz, 'gzip');
    const first = await spoolLayer(layer, source(gz).open, cache, OPTS);
    await writeFile(first.path, 'damaged');
    const src = source(gz);
    const second = await spoolLayer(layer, src.open, cache, OPTS);
    expect(second.cached).toBe(false);
    expect(src.opened).toBe(1);
    expect((await readFile(second.path)).equals(tar)).toBe(true);
  });

  it('refuses bytes whose leading magic contradicts the media type', async () => {
    const gz = zlib.gzipSync(tar);
    // Declared plain but gzip: containerd would detect gzip and unpack something else.
    expect(
      await codeOfAsync(spoolLayer(layerFor(gz, 'none', gz), source(gz).open, cache, OPTS))
    ).toBe('COMPRESSION_MISMATCH');
    expect(
      await codeOfAsync(spoolLayer(layerFor(tar, 'gzip'), source(tar).open, cache, OPTS))
    ).toBe('COMPRESSION_MISMATCH');
    const bz = Buffer.concat([Buffer.from('BZh91AY&SY'), tar]);
    expect(
      await codeOfAsync(spoolLayer(layerFor(bz, 'none', bz), source(bz).open, cache, OPTS))
    ).toBe('UNSUPPORTED_COMPRESSION');
    expect(await entries()).toEqual([]);
  });

  it('refuses a corrupt gzip stream and a wrong diffID, leaving nothing behind', async () => {
    const gz = zlib.gzipSync(tar);
    const bad = Buffer.from(gz);
    bad[100] = bad[100]! ^ 0xff;
    const corrupt = { ...layerFor(gz, 'gzip'), digest: sha256Digest(bad) };
    expect(await codeOfAsync(spoolLayer(corrupt, source(bad).open, cache, OPTS))).toMatch(
      /^(CORRUPT_LAYER|DIFF_ID_MISMATCH)$/
    );
    const other = zlib.gzipSync(Buffer.concat([tar, Buffer.alloc(512)]));
    expect(
      await codeOfAsync(spoolLayer(layerFor(other, 'gzip'), source(other).open, cache, OPTS))
    ).toBe('DIFF_ID_MISMATCH');
    expect(await entries()).toEqual([]);
  });

  it('refuses compressed bytes that do not match the descriptor digest even if the content is right', async () => {
    const gz = zlib.gzipSync(tar);
    const gz9 = zlib.gzipSync(tar, { level: 1 });
    const layer = { ...layerFor(gz, 'gzip'), size: gz9.length };
    expect(await codeOfAsync(spoolLayer(layer, source(gz9).open, cache, OPTS))).toBe(
      'DIGEST_MISMATCH'
    );
  });

  it('bounds the expansion of a layer', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(20_000_000));
    const layer = layerFor(bomb, 'gzip', Buffer.alloc(20_000_000));
    expect(
      await codeOfAsync(
        spoolLayer(layer, source(bomb).open, cache, { ...OPTS, maxBytes: 1_000_000 })
      )
    ).toBe('LAYER_TOO_LARGE');
    expect(await entries()).toEqual([]);
  });

  it('retries integrity failures once and truncation per the policy, only for remote sources', async () => {
    const gz = zlib.gzipSync(tar);
    const layer = layerFor(gz, 'gzip');
    const bad = Buffer.from(gz);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    let opened = 0;
    const flaky = () => Promise.resolve(Readable.from([++opened === 1 ? bad : gz]));
    expect((await spoolLayer(layer, flaky, cache, { ...OPTS, remote: true })).cached).toBe(false);
    expect(opened).toBe(2);
    await rm(join(dir, 'sha256'), { recursive: true });
    opened = 0;
    const alwaysBad = () => Promise.resolve(Readable.from([(opened++, bad)]));
    // A flipped gzip trailer byte fails the CRC check: an integrity error.
    expect(await codeOfAsync(spoolLayer(layer, alwaysBad, cache, { ...OPTS, remote: true }))).toBe(
      'CORRUPT_LAYER'
    );
    expect(opened).toBe(2);
    opened = 0;
    expect(await codeOfAsync(spoolLayer(layer, alwaysBad, cache, OPTS))).toBe('CORRUPT_LAYER');
    expect(opened).toBe(1);
    opened = 0;
    const short = () =>
      Promise.resolve(Readable.from([(opened++, gz.subarray(0, gz.length >> 1))]));
    expect(await codeOfAsync(spoolLayer(layer, short, cache, { ...OPTS, remote: true }))).toBe(
      'TRUNCATED'
    );
    expect(opened).toBe(OPTS.retry.attempts);
  });

  it('reads zstd layers where Node can, and refuses them by name where it cannot', async () => {
    const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
    const decompress = zstdDecompressor();
    if (decompress && z.zstdCompressSync) {
      const zst = z.zstdCompressSync(tar);
      expect(sniffCompression(zst)).toBe('zstd');
      const s = await spoolLayer(layerFor(zst, 'zstd'), source(zst).open, cache, OPTS);
      expect((await readFile(s.path)).equals(tar)).toBe(true);
    } else {
      // A zstd frame header (magic 28 b5 2f fd) is enough: decoding never starts.
      const fake = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
      const err = await spoolLayer(layerFor(fake, 'zstd'), source(fake).open, cache, OPTS).catch(
        (e: unknown) => e
      );
      expect(err).toMatchObject({ code: 'UNSUPPORTED_COMPRESSION', exitCode: 2 });
      expect((err as Error).message).toContain(process.version);
    }
  });

  it('sniffs the common compressions', () => {
    expect(sniffCompression(zlib.gzipSync('x'))).toBe('gzip');
    expect(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(sniffCompression(Buffer.from('BZh9'))).toBe('bzip2');
    expect(sniffCompression(tar)).toBe('other');
    expect(sniffCompression(Buffer.alloc(0))).toBe('other');
  });
});
