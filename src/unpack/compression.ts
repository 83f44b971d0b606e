/**
 * How a layer blob is compressed, told from its first bytes: gzip, zstd or a
 * plain tar. zstd needs node:zlib's zstd support (Node 22.15+/23.8+); on an
 * older Node it is a named refusal, never a silent skip.
 */
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { UnpackError } from '../errors.js';
import { BLOCK, headerChecksum, parseNumeric } from './tar-format.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP = Buffer.from([0x1f, 0x8b]);
const ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const OTHERS: [string, Buffer][] = [
  ['bzip2', Buffer.from('BZh')],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['lz4', Buffer.from([0x04, 0x22, 0x4d, 0x18])],
];

/** Bytes {@link detectCompression} wants to see (a whole tar header block). */
export const SNIFF_BYTES = BLOCK;

type ZstdFactory = (opts?: object) => Transform;

function zstdFactory(): ZstdFactory | undefined {
  const f = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;
  return typeof f === 'function' ? f : undefined;
}

/** True when this Node can decompress zstd layers. */
export function zstdSupported(): boolean {
  return zstdFactory() !== undefined;
}

/**
 * Tell the compression from the first bytes of a blob (up to {@link SNIFF_BYTES}).
 * @throws UnpackError UNSUPPORTED_COMPRESSION for bzip2, xz, lz4 and zstd on a Node without
 *   it; NOT_A_TAR for anything that is neither compressed nor a tar header
 */
export function detectCompression(head: Buffer, name = 'layer'): Compression {
  if (head.subarray(0, 2).equals(GZIP)) return 'gzip';
  if (head.subarray(0, 4).equals(ZSTD)) {
    if (!zstdSupported())
      throw new UnpackError({
        code: 'UNSUPPORTED_COMPRESSION',
        message: `${name}: zstd-compressed layer, and Node ${process.versions.node} has no zstd decompressor (Node 22.15 or later has one)`,
      });
    return 'zstd';
  }
  for (const [what, magic] of OTHERS)
    if (head.subarray(0, magic.length).equals(magic))
      throw new UnpackError({
        code: 'UNSUPPORTED_COMPRESSION',
        message: `${name}: ${what}-compressed layer (OCI layers are tar, tar+gzip or tar+zstd)`,
      });
  // Too short to hold a header: let the tar reader call it empty or truncated.
  if (head.length < BLOCK || looksLikeTar(head)) return 'none';
  throw new UnpackError({
    code: 'NOT_A_TAR',
    message: `${name}: neither gzip, zstd nor a tar archive`,
  });
}

/** A first block that is a tar header with a valid checksum, or the zero block of an empty tar. */
function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  const block = head.subarray(0, BLOCK);
  if (block.every((b) => b === 0)) return true;
  return parseNumeric(block.subarray(148, 156)) === headerChecksum(block);
}

/** A decompressing transform for `kind` (undefined for plain tar). */
export function decompressor(kind: Compression, name = 'layer'): Transform | undefined {
  if (kind === 'gzip') return zlib.createGunzip();
  if (kind === 'zstd') {
    const f = zstdFactory();
    if (!f)
      throw new UnpackError({
        code: 'UNSUPPORTED_COMPRESSION',
        message: `${name}: Node ${process.versions.node} has no zstd decompressor`,
      });
    return f();
  }
  return undefined;
}
