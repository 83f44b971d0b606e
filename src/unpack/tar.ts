/**
 * Reading tar layers: in one pass over a (compressed) stream, which indexes,
 * hashes and optionally spools the uncompressed bytes; or by offset over an
 * uncompressed tar on disk (a spooled layer), which serves files as a
 * FileSource. Why our own reader and not tar-stream: tar-stream hides the
 * ustar name behind PAX `path`, reads past the end-of-archive blocks and
 * passes unknown and sparse types through, so it cannot tell a layer that
 * other readers extract differently (see tar-format.ts and tar-index.ts).
 */
import { rename, rm } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnpackError } from '../errors.js';
import { decompressor, detectCompression, SNIFF_BYTES, type Compression } from './compression.js';
import { bufferAccess, hashAccess, openFileAccess, type RandomAccess } from './random-access.js';
import type { Limits } from './source.js';
import { squashLayers, type ImageLimits, type SquashedImage } from './squash.js';
import { tarError } from './tar-format.js';
import {
  DEFAULT_TAR_LIMITS,
  TarIndexer,
  type TarIndex,
  type TarIndexerOptions,
  type TarLimits,
} from './tar-index.js';

/** Bounds on how much a compressed layer may expand. */
export interface RatioLimits {
  /** Highest uncompressed/compressed size ratio of a layer. `--max-ratio` */
  maxRatio: number;
  /** Layers up to this many uncompressed bytes are never refused for their ratio. */
  ratioFloor: number;
}

/**
 * Deflate cannot expand beyond 1032:1, so the ratio bound mostly stops zstd
 * bombs; gzip ones are stopped by the size bound as they stream.
 */
export const DEFAULT_RATIO_LIMITS: Readonly<RatioLimits> = Object.freeze({
  maxRatio: 1000,
  ratioFloor: 64 * 1024 * 1024,
});

export interface ReadLayerOptions {
  /** Name used in messages (e.g. the layer digest). */
  name?: string;
  limits?: Partial<TarLimits & RatioLimits>;
  /** Compression of the input; detected from its first bytes when not given. */
  compression?: Compression;
  /** `sha256:<hex>` the uncompressed bytes must hash to (the config's diffID). */
  diffId?: string;
  /** Size of the blob as stored (the descriptor's size), for the expansion-ratio bound. */
  compressedSize?: number;
  /**
   * Write the uncompressed tar to this path: first to `<path>.partial`,
   * renamed into place only after the whole layer was read, checked and
   * (when `diffId` is given) found to hash to it.
   */
  spoolPath?: string;
  /** Keep the data of these regular files in memory (see {@link TarIndex.captured}). */
  capture?: TarIndexerOptions['capture'];
  maxCapture?: number;
}

/** Bytes of a layer blob: a stream, an async generator, or chunks in memory. */
export type LayerInput =
  AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>;

export interface LayerReadResult {
  index: TarIndex;
  /** `sha256:<hex>` of the uncompressed tar. */
  diffId: string;
  compression: Compression;
}

/** Async iteration over `input` with its first bytes taken off for sniffing. */
async function sniff(
  input: LayerInput
): Promise<{ head: Buffer; rest: AsyncIterator<Buffer | Uint8Array | string> }> {
  const iterable: AsyncIterable<Buffer | Uint8Array | string> =
    Symbol.asyncIterator in input ? input : Readable.from(input);
  const it = iterable[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let n = 0;
  while (n < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.from(r.value as Uint8Array);
    parts.push(b);
    n += b.length;
  }
  return { head: Buffer.concat(parts), rest: it };
}

async function* replay(
  head: Buffer,
  rest: AsyncIterator<Buffer | Uint8Array | string>
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield Buffer.from(r.value as Uint8Array);
  }
}

/**
 * Read a layer blob in one pass: detect its compression, decompress, index
 * and hash the tar, and optionally spool the uncompressed bytes. Every
 * ambiguity check of the tar reader applies; output is bounded by the size
 * and ratio limits while it streams, so a bomb stops early.
 * @throws UnpackError (tar refusals), DIGEST_MISMATCH, TOO_LARGE, RATIO_EXCEEDED,
 *   UNSUPPORTED_COMPRESSION, CORRUPT_ARCHIVE (bad compressed data)
 */
export async function readLayerStream(
  input: LayerInput,
  opts: ReadLayerOptions = {}
): Promise<LayerReadResult> {
  const name = opts.name ?? 'layer';
  const limits = { ...DEFAULT_TAR_LIMITS, ...DEFAULT_RATIO_LIMITS, ...opts.limits };
  const ratioCap =
    opts.compressedSize !== undefined
      ? Math.max(limits.ratioFloor, opts.compressedSize * limits.maxRatio)
      : Infinity;
  const maxSize = Math.min(limits.maxSize, ratioCap);
  const { head, rest } = await sniff(input);
  const compression = opts.compression ?? detectCompression(head, name);
  const indexer = new TarIndexer(name, {
    limits: { ...limits, maxSize },
    hash: true,
    ...(opts.capture ? { capture: opts.capture } : {}),
    ...(opts.maxCapture !== undefined ? { maxCapture: opts.maxCapture } : {}),
  });
  const partial = opts.spoolPath !== undefined ? `${opts.spoolPath}.partial` : undefined;
  const spool = partial !== undefined ? await open(partial, 'w') : undefined;
  try {
    const dec = decompressor(compression, name);
    const source = Readable.from(replay(head, rest));
    // The consumer's own error (a refusal) wins over the AbortError the
    // pipeline reports when it tears the other streams down.
    let refusal: unknown;
    const consume = async (src: AsyncIterable<Buffer>): Promise<void> => {
      try {
        for await (const chunk of src) {
          indexer.write(chunk);
          if (spool) await spool.write(chunk);
        }
      } catch (err) {
        refusal ??= err;
        throw err;
      }
    };
    try {
      if (dec) await pipeline(source, dec, consume);
      else await pipeline(source, consume);
    } catch (err) {
      throw asLayerError(
        name,
        refusal ?? err,
        maxSize < limits.maxSize ? limits.maxRatio : undefined
      );
    }
    const index = indexer.end();
    const diffId = `sha256:${index.sha256 ?? ''}`;
    if (opts.diffId !== undefined && opts.diffId !== diffId)
      throw tarError(
        'DIGEST_MISMATCH',
        name,
        `uncompressed layer hashes to ${diffId}, not the diffID ${opts.diffId}`
      );
    if (spool) {
      await spool.sync();
      await spool.close();
      await rename(partial!, opts.spoolPath!);
    }
    return { index, diffId, compression };
  } catch (err) {
    if (spool) {
      await spool.close().catch(() => undefined);
      await rm(partial!, { force: true });
    }
    throw err;
  }
}

/** zlib errors become CORRUPT_ARCHIVE; a size stop caused by the ratio bound becomes RATIO_EXCEEDED. */
function asLayerError(name: string, err: unknown, ratio: number | undefined): unknown {
  if (err instanceof UnpackError) {
    if (err.code === 'TOO_LARGE' && ratio !== undefined)
      return tarError(
        'RATIO_EXCEEDED',
        name,
        `layer expands more than ${ratio}:1 over its compressed size (--max-ratio)`
      );
    return err;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_'))
    return tarError(
      'CORRUPT_ARCHIVE',
      name,
      `bad compressed data (${err instanceof Error ? err.message : String(err)})`
    );
  return err;
}

/** Bytes read at once while indexing by offset; larger entry data is skipped, not read. */
const WINDOW = 64 * 1024;

/**
 * Index an uncompressed tar by positional reads, skipping entry data (so a
 * 1 GiB layer costs its headers, not its bytes). With `hash`, every byte is
 * read and the index carries the sha256.
 */
export async function indexTarAccess(
  ra: RandomAccess,
  opts: { name?: string; limits?: Partial<TarLimits>; hash?: boolean } = {}
): Promise<TarIndex> {
  const ix = new TarIndexer(opts.name ?? 'layer', {
    ...(opts.limits ? { limits: opts.limits } : {}),
    hash: opts.hash ?? false,
  });
  let pos = 0;
  while (pos < ra.size) {
    const skip = opts.hash ? 0 : Math.min(ix.skippable, ra.size - pos);
    if (skip > WINDOW) {
      ix.skip(skip);
      pos += skip;
      continue;
    }
    const buf = await ra.read(pos, opts.hash ? 1024 * 1024 : WINDOW);
    if (buf.length === 0) break;
    ix.write(buf);
    pos += buf.length;
  }
  return ix.end();
}

export interface OpenTarOptions {
  name?: string;
  limits?: Partial<TarLimits & ImageLimits>;
  /** Limits for reads through the FileSource (maxFileSize). */
  readLimits?: Limits;
  /**
   * `sha256:<hex>` of the file, already verified (a spooled layer in the
   * content-addressed cache): the file is then indexed without reading its data.
   */
  diffId?: string;
  /** An index from the pass that spooled the file (skips indexing). */
  index?: TarIndex;
}

/**
 * Open one uncompressed tar layer on disk as a FileSource (a one-layer
 * image: whiteouts in it hide nothing and are not listed).
 */
export async function openTarFile(path: string, opts: OpenTarOptions = {}): Promise<SquashedImage> {
  const name = opts.name ?? path;
  const ra = await openFileAccess(path, name);
  try {
    return await openTarAccess(ra, { ...opts, name });
  } catch (err) {
    await ra.close();
    throw err;
  }
}

/** Open an uncompressed tar held in memory (tests, small layers). */
export function openTarBuffer(buf: Buffer, opts: OpenTarOptions = {}): Promise<SquashedImage> {
  return openTarAccess(bufferAccess(buf), opts);
}

async function openTarAccess(ra: RandomAccess, opts: OpenTarOptions): Promise<SquashedImage> {
  const name = opts.name ?? 'layer';
  const head = await ra.read(0, SNIFF_BYTES);
  const kind = detectCompression(head, name);
  if (kind !== 'none')
    throw tarError(
      'NOT_A_TAR',
      name,
      `${kind}-compressed: decompress it first (readLayerStream with spoolPath)`
    );
  let index = opts.index;
  let diffId = opts.diffId;
  if (!index) {
    index = await indexTarAccess(ra, {
      name,
      ...(opts.limits ? { limits: opts.limits } : {}),
      hash: diffId === undefined,
    });
    diffId ??= `sha256:${index.sha256 ?? (await hashAccess(ra))}`;
  }
  diffId ??= `sha256:${await hashAccess(ra)}`;
  return squashLayers([{ index, access: ra, diffId }], {
    name,
    digest: diffId.replace(/^sha256:/, ''),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.readLimits ? { readLimits: opts.readLimits } : {}),
  });
}
