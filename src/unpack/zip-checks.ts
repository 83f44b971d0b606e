/**
 * Ambiguity and bomb checks over a parsed central directory. Each check
 * either throws UnpackError (the archive is refused before any cataloger
 * runs) or returns findings.
 */
import type { Finding } from '../model/finding.js';
import type { Limits } from './source.js';
import {
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  METHOD_AES,
  zipError,
  type CentralRecord,
} from './zip-format.js';

/** Refuse encrypted entries, too many bytes in total, and single entries compressed beyond maxRatio. */
export function checkDeclaredSizes(
  archive: string,
  records: readonly CentralRecord[],
  limits: Limits
): void {
  const encrypted = records.filter(
    (r) => r.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || r.method === METHOD_AES
  );
  if (encrypted.length > 0)
    throw zipError(
      'ENCRYPTED_ENTRY',
      archive,
      'encrypted entries cannot be inspected',
      encrypted.map((r) => r.name)
    );
  let total = 0;
  for (const r of records) {
    total += r.size;
    if (total > limits.maxTotalSize)
      throw zipError(
        'TOO_LARGE',
        archive,
        `entries declare more than ${limits.maxTotalSize} bytes uncompressed (--max-total-size)`
      );
  }
  for (const r of records) {
    if (r.size < limits.ratioFloor) continue;
    const ratio = r.size / Math.max(r.compressedSize, 1);
    if (ratio > limits.maxRatio)
      throw zipError(
        'RATIO_EXCEEDED',
        archive,
        `entry expands ${Math.round(ratio)}:1, over the ${limits.maxRatio}:1 limit (--max-ratio)`,
        [r.name]
      );
  }
  for (const r of records) {
    // A stored entry's two sizes are the same bytes; disagreeing sizes mean one of them lies.
    if (r.method === 0 && r.size !== r.compressedSize)
      throw zipError('CORRUPT_ARCHIVE', archive, 'stored entry declares two different sizes', [
        r.name,
      ]);
  }
}

/** A name as stored and as normalised to a layer path. */
export interface NamedEntry {
  raw: string;
  path: string;
}

/**
 * Refuse names that collide after lamina's normalisation (DUPLICATE_ENTRY) or
 * after Unicode NFC (NORMALIZATION_COLLISION): different extractors would
 * pick different winners. Names that differ only by case are allowed (Linux
 * keeps both) but reported, since a case-insensitive file system would not.
 */
export function checkNames(archive: string, names: readonly NamedEntry[]): Finding[] {
  const byPath = new Map<string, string>();
  for (const n of names) {
    const seen = byPath.get(n.path);
    if (seen !== undefined)
      throw zipError(
        'DUPLICATE_ENTRY',
        archive,
        `two entries extract to ${JSON.stringify(n.path)}`,
        [seen, n.raw]
      );
    byPath.set(n.path, n.raw);
  }
  const byNfc = new Map<string, string>();
  for (const n of names) {
    // ASCII is already NFC; skip the costly normalize for the common case.
    // eslint-disable-next-line no-control-regex
    const key = /^[\x00-\x7f]*$/.test(n.path) ? n.path : n.path.normalize('NFC');
    const seen = byNfc.get(key);
    if (seen !== undefined)
      throw zipError(
        'NORMALIZATION_COLLISION',
        archive,
        'entry names are equal after Unicode NFC normalisation',
        [seen, n.path]
      );
    byNfc.set(key, n.path);
  }
  const findings: Finding[] = [];
  const byFold = new Map<string, string>();
  for (const n of names) {
    const key = n.path.toLowerCase();
    const seen = byFold.get(key);
    if (seen === undefined) {
      byFold.set(key, n.path);
      continue;
    }
    findings.push({
      code: 'CASE_COLLISION',
      severity: 'warning',
      path: n.path,
      message: `${JSON.stringify(seen)} and ${JSON.stringify(n.path)} differ only by letter case`,
    });
  }
  return findings;
}
