/**
 * The history's inventories on disk: SBOM JSON, Brotli-compressed (codec `br`), with the size it
 * had when recorded.
 */
import { constants } from 'node:buffer';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

/** zlib's output buffers are made at least this large (one is a view of the next). */
const MIN_CHUNK = 1024;
/** And at most this large: a larger output is gathered from several. */
const MAX_CHUNK = 64 * 1024;
/**
 * The largest SBOM read back: the largest JSON document lamina reads (512 MiB), and no longer
 * than V8's longest string (24 bytes less on 64-bit), which the SBOM becomes.
 */
export const MAX_INVENTORY_BYTES = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH);

/**
 * Brotli at quality 6: on lamina's SBOM JSON within 2% of quality 9's size at an eighth of the
 * time (measured: 108 KB → 13.1 KB in 13 ms, against 12.9 KB in 111 ms).
 *
 * The result holds only its own bytes. zlib's output of one chunk is a view of the whole chunk
 * it wrote into (16 KiB on Node 20, 64 KiB on Node 24 by default), and a scan holds one
 * compressed inventory per new digest until its transaction: at 20,000 digests those views held
 * 320 MiB on Node 20, and pooled copies of them 80 MiB. The chunk is sized near the expected
 * output (SBOM JSON compresses 3–8 ×), so each call also makes less garbage.
 */
export function compressInventory(raw: Buffer): Buffer {
  const out = brotliCompressSync(raw, {
    chunkSize: chunkFor(raw.length >>> 2),
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: 6,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  if (out.byteLength === out.buffer.byteLength) return out;
  // Not from Buffer's pool either: a pooled copy keeps its 8 KiB slab, shared with the garbage of
  // the SBOM read and this call, alive for as long as it is held.
  const own = Buffer.allocUnsafeSlow(out.byteLength);
  out.copy(own);
  return own;
}

/**
 * The SBOM bytes of a stored inventory that was `size` bytes when recorded; undefined when the
 * body does not decompress to exactly that many (a damaged or edited row: never more than
 * `size` bytes are made of it).
 */
export function decompressInventory(body: Buffer, size: number): Buffer | undefined {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_INVENTORY_BYTES) return undefined;
  let out: Buffer;
  try {
    // One more byte than recorded, so a body that makes more is seen to.
    out = brotliDecompressSync(body, { chunkSize: chunkFor(size + 1), maxOutputLength: size + 1 });
  } catch {
    return undefined;
  }
  return out.length === size ? out : undefined;
}

function chunkFor(bytes: number): number {
  return Math.min(Math.max(bytes, MIN_CHUNK), MAX_CHUNK);
}
