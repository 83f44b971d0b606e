/**
 * Bringing one layer into the content-addressed cache, uncompressed, in a
 * single streaming pass: the stored bytes are counted and hashed (digest and
 * size from the manifest), decompressed, and the tar bytes hashed again
 * (diffID from the config) on their way to a temporary file. Only a file
 * that passed all four checks is renamed into place, under its diffID; a
 * failure leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import type { ImageLayer, LayerCompression } from '../../model/oci.js';
import type { ContentCache } from '../cache.js';
import { backoffMs, sleep, type RetryPolicy } from '../retry.js';
import { INTEGRITY_CODES, ImageError, RegistryError } from './errors.js';

/** A layer as a tar file in the cache. */
export interface SpooledLayer {
  layer: ImageLayer;
  /** Path of the uncompressed tar, named by its diffID. */
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
  /** True when the cache already held it (re-hashed against the diffID). */
  cached: boolean;
}

export interface SpoolOptions {
  /** Most uncompressed bytes this layer may expand to. */
  maxBytes: number;
  /** Whether the bytes cross a network: integrity failures are then retried once, truncation per `retry`. */
  remote: boolean;
  retry: RetryPolicy;
}

type ZstdFactory = () => Transform;

/** zstd decompression where the running Node has it (22.15+, 23.8+); undefined on Node 20. */
export function zstdDecompressor(): ZstdFactory | undefined {
  const f = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;
  return typeof f === 'function' ? () => f() : undefined;
}

type Magic = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'other';

/** What a layer's first bytes say it is. */
export function sniffCompression(head: Buffer): Magic {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (
    head.length >= 6 &&
    head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
  ) {
    return 'xz';
  }
  return 'other';
}

/** Counts and hashes the bytes passing through, refusing more than `limit`. */
class HashingCounter extends Transform {
  readonly hash = createHash('sha256');
  count = 0;

  constructor(
    private readonly limit: number,
    private readonly over: () => ImageError
  ) {
    super();
  }

  /** A further check on each chunk (after counting); an error stops the stream. */
  protected check(_chunk: Buffer): ImageError | null {
    return null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    const err = this.count > this.limit ? this.over() : this.check(chunk);
    if (err) {
      cb(err);
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/**
 * The stored bytes: at most the descriptor's size, and their first bytes must
 * agree with the declared compression. containerd and Docker detect
 * compression from these bytes, not from the media type, so a "plain tar"
 * layer that is really gzip would unpack to something else there than here.
 */
class StoredMeter extends HashingCounter {
  private head = Buffer.alloc(0);
  private sniffed = false;

  constructor(
    private readonly layer: ImageLayer,
    private readonly what: string
  ) {
    super(
      layer.size,
      () =>
        new ImageError({
          code: 'SIZE_MISMATCH',
          message: `${what}: more than the descriptor's ${layer.size} bytes`,
        })
    );
  }

  protected override check(chunk: Buffer): ImageError | null {
    if (this.sniffed) return null;
    this.head = Buffer.concat([this.head, chunk]).subarray(0, 6);
    return this.head.length >= 6 ? this.checkMagic() : null;
  }

  override _flush(cb: TransformCallback): void {
    cb(this.sniffed ? null : this.checkMagic());
  }

  private checkMagic(): ImageError | null {
    this.sniffed = true;
    const magic = sniffCompression(this.head);
    const declared = this.layer.compression;
    const ok = declared === 'none' ? magic === 'other' : magic === declared;
    if (ok) return null;
    return new ImageError({
      code:
        declared === 'none' && (magic === 'bzip2' || magic === 'xz')
          ? 'UNSUPPORTED_COMPRESSION'
          : 'COMPRESSION_MISMATCH',
      message: `${this.what}: declared ${declared === 'none' ? 'uncompressed' : declared} but the bytes start like ${magic === 'other' ? 'something else' : magic}`,
    });
  }
}

/** The uncompressed tar, refused once it grows past the limit. */
function tarMeter(max: number, what: string): HashingCounter {
  return new HashingCounter(
    max,
    () =>
      new ImageError({ code: 'LAYER_TOO_LARGE', message: `${what}: expands beyond ${max} bytes` })
  );
}

function decompressor(c: LayerCompression, what: string): Transform {
  if (c === 'gzip') return zlib.createGunzip();
  if (c === 'zstd') {
    const z = zstdDecompressor();
    if (!z) {
      throw new ImageError({
        code: 'UNSUPPORTED_COMPRESSION',
        message: `${what}: zstd layers need Node 22.15 or later (this is ${process.version})`,
      });
    }
    return z();
  }
  return new PassThrough();
}

/**
 * Brings `layer` into `cache` (extension `tar`) or throws a coded error.
 * `open` gives the stored bytes afresh for every attempt.
 */
export async function spoolLayer(
  layer: ImageLayer,
  open: () => Promise<Readable>,
  cache: ContentCache,
  options: SpoolOptions
): Promise<SpooledLayer> {
  const hex = layer.diffId.slice('sha256:'.length);
  const key = `${cache.root}\0${cache.extension}\0${hex}`;
  // Images read at the same time often share a base layer: one download, the others wait for it
  // (registered before any await, so two callers never both miss). A failed download is not
  // shared (it may be this image's registry or credentials): the next waiter tries its own.
  const previous = inFlight.get(key);
  const own = (async (): Promise<SpooledLayer> => {
    if (previous) await previous.catch(() => undefined);
    const hit = await cache.lookup(hex);
    if (hit) {
      const { size } = await stat(hit);
      if (size > options.maxBytes) {
        throw new ImageError({
          code: 'LAYER_TOO_LARGE',
          message: `layer ${layer.index} (${layer.diffId}) expands beyond ${options.maxBytes} bytes`,
        });
      }
      return { layer, path: hit, size, cached: true };
    }
    return spoolWithRetries(layer, open, cache, options);
  })();
  inFlight.set(key, own);
  try {
    return await own;
  } finally {
    if (inFlight.get(key) === own) inFlight.delete(key);
  }
}

/** Spools in progress, by cache and diffID. */
const inFlight = new Map<string, Promise<SpooledLayer>>();

async function spoolWithRetries(
  layer: ImageLayer,
  open: () => Promise<Readable>,
  cache: ContentCache,
  options: SpoolOptions
): Promise<SpooledLayer> {
  let integrityRetried = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await spoolOnce(layer, open, cache, options);
    } catch (err) {
      if (!options.remote) throw err;
      if (err instanceof ImageError && INTEGRITY_CODES.has(err.code) && !integrityRetried) {
        integrityRetried = true;
        continue;
      }
      if (
        err instanceof RegistryError &&
        (err.code === 'TRUNCATED' || err.code === 'TIMEOUT') &&
        attempt + 1 < options.retry.attempts
      ) {
        await sleep(backoffMs(options.retry, attempt + 1));
        continue;
      }
      throw err;
    }
  }
}

async function spoolOnce(
  layer: ImageLayer,
  open: () => Promise<Readable>,
  cache: ContentCache,
  options: SpoolOptions
): Promise<SpooledLayer> {
  const what = `layer ${layer.index} (${layer.digest})`;
  const hex = layer.diffId.slice('sha256:'.length);
  const inflate = decompressor(layer.compression, what);
  const stored = new StoredMeter(layer, what);
  const tar = tarMeter(options.maxBytes, what);
  let temp: string;
  try {
    temp = await cache.tempPath(hex);
  } catch (err) {
    throw cacheError(err);
  }
  // The temporary file's stream, closed before the file is removed: a stream destroyed while
  // it still opens its file creates it afterwards, which would leave a partial file behind.
  let sinkClosed: Promise<void> | undefined;
  try {
    const source = await open();
    const sink = createWriteStream(temp);
    sinkClosed = new Promise((done) => sink.once('close', () => done()));
    try {
      await pipeline(source, stored, inflate, tar, sink);
    } catch (err) {
      throw classify(err, stored.count, layer, what);
    }
    if (stored.count < layer.size) {
      throw new RegistryError({
        code: 'TRUNCATED',
        message: `${what}: ended after ${stored.count} of ${layer.size} bytes`,
      });
    }
    const digest = `sha256:${stored.hash.digest('hex')}`;
    if (digest !== layer.digest) {
      throw new ImageError({
        code: 'DIGEST_MISMATCH',
        message: `${what}: bytes hash to ${digest}`,
      });
    }
    const diffId = `sha256:${tar.hash.digest('hex')}`;
    if (diffId !== layer.diffId) {
      throw new ImageError({
        code: 'DIFF_ID_MISMATCH',
        message: `${what}: uncompressed bytes hash to ${diffId}, the config's diffID is ${layer.diffId}`,
      });
    }
    let path: string;
    try {
      path = await cache.commit(temp, hex);
    } catch (err) {
      throw cacheError(err);
    }
    return { layer, path, size: tar.count, cached: false };
  } finally {
    await sinkClosed;
    await rm(temp, { force: true });
  }
}

function cacheError(err: unknown): RegistryError {
  return new RegistryError({
    code: 'CACHE_ERROR',
    message: `cannot write the layer cache: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    cause: err,
  });
}

function classify(
  err: unknown,
  got: number,
  layer: ImageLayer,
  what: string
): ImageError | RegistryError {
  if (err instanceof ImageError || err instanceof RegistryError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.syscall === 'open' || e.syscall === 'write' || e.code === 'ENOSPC' || e.code === 'EDQUOT') {
    return cacheError(err);
  }
  if (got < layer.size) {
    return new RegistryError({
      code: 'TRUNCATED',
      message: `${what}: ended after ${got} of ${layer.size} bytes (${e.code ?? e.message})`,
      cause: err,
    });
  }
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new ImageError({
      code: 'CORRUPT_LAYER',
      message: `${what}: ${layer.compression} stream is corrupt (${e.code})`,
      cause: err,
    });
  }
  return new ImageError({ code: 'CORRUPT_LAYER', message: `${what}: ${e.message}`, cause: err });
}
