import { constants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inventory } from '../estate/testing/estate.js';
import { serializeSbom } from '../sbom/cyclonedx.js';
import { compressInventory, decompressInventory, MAX_INVENTORY_BYTES } from './codec.js';

const FAST = { params: { [zlib.BROTLI_PARAM_QUALITY]: 1 } };

/** A real SBOM of `n` packages, as a scan writes it. */
function sbom(n: number): Buffer {
  const packages = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`pkg-${i}-${randomBytes(4).toString('hex')}`, `1.0.${i}`])
  );
  return Buffer.from(
    serializeSbom(inventory('layer', packages), { format: 'cyclonedx-json', specVersion: '1.6' })
  );
}

describe('compressInventory', () => {
  it('reads back byte for byte, small and large', () => {
    for (const raw of [sbom(1), sbom(2000)]) {
      const body = compressInventory(raw);
      expect(body.length).toBeLessThan(raw.length);
      expect(decompressInventory(body, raw.length)?.equals(raw)).toBe(true);
    }
  });

  it('holds only its own bytes, not the output chunk zlib wrote them into', () => {
    // Compressed to more than Buffer's pool takes (half a slab: 4 KiB on Node 20, 32 on 24).
    const large = compressInventory(sbom(2000));
    expect(large.length).toBeGreaterThan(Buffer.poolSize >>> 1);
    expect(large.buffer.byteLength).toBe(large.byteLength);
    // A small one too: not zlib's chunk (16–64 KiB), nor a slab of Buffer's pool, which garbage
    // shares.
    const small = compressInventory(sbom(1));
    expect(small.length).toBeLessThan(Buffer.poolSize >>> 1);
    expect(small.buffer.byteLength).toBe(small.byteLength);
  });
});

describe('decompressInventory', () => {
  const raw = sbom(20);
  const body = compressInventory(raw);

  it('refuses a body that is not the size it was recorded at', () => {
    expect(decompressInventory(body, raw.length - 1)).toBeUndefined();
    expect(decompressInventory(body, raw.length + 1)).toBeUndefined();
    expect(decompressInventory(body, 0)).toBeUndefined();
  });

  it('refuses sizes no inventory can have, and none longer than a string', () => {
    expect(MAX_INVENTORY_BYTES).toBeLessThanOrEqual(constants.MAX_STRING_LENGTH);
    for (const size of [-1, 1.5, Number.NaN, MAX_INVENTORY_BYTES + 1, 2 ** 53])
      expect(decompressInventory(body, size), String(size)).toBeUndefined();
  });

  it('refuses a body that is not Brotli, or is cut short', () => {
    expect(decompressInventory(Buffer.from('{"bomFormat":"CycloneDX"}'), 25)).toBeUndefined();
    expect(decompressInventory(body.subarray(0, body.length >> 1), raw.length)).toBeUndefined();
  });

  it('makes no more than the recorded size of a body that inflates far beyond it', () => {
    // 64 MiB of one byte in 12 KB, recorded as 1 KiB.
    const bomb = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024, 0x20), FAST);
    expect(bomb.length).toBeLessThan(16 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(decompressInventory(bomb, 1024)).toBeUndefined();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });
});
