import { getHashes } from 'node:crypto';
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import { digestEntry } from '../../unpack/hash.js';
import type { FileSource } from '../../unpack/source.js';

/** One row of a wheel RECORD. */
export interface RecordRow {
  /** Path as written, relative to the site directory. */
  path: string;
  /** Hash algorithm (`sha256`) and digest (urlsafe base64, no padding), when recorded. */
  hash?: { algorithm: string; digest: string };
  size?: number;
}

/**
 * Parse a RECORD file: CSV rows `path,algorithm=digest,size` (Python's csv
 * module: fields with commas or quotes are double-quoted, quotes doubled).
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file
 * @throws Error on a row that is not valid CSV or has no path.
 */
export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const fields = csvFields(line, n + 1);
    const [path = '', hash = '', size = ''] = fields;
    if (!path) throw new Error(`RECORD line ${n + 1} has no path`);
    const row: RecordRow = { path };
    const eq = hash.indexOf('=');
    if (eq > 0) row.hash = { algorithm: hash.slice(0, eq), digest: hash.slice(eq + 1) };
    if (/^\d+$/.test(size)) row.size = Number(size);
    rows.push(row);
  }
  return rows;
}

function csvFields(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`RECORD line ${lineNo} has an unterminated quote`);
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      if (i < line.length && line[i] !== ',')
        throw new Error(`RECORD line ${lineNo} has text after a quoted field`);
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/**
 * A RECORD path as a layer-relative path: joined to the site directory and
 * normalised (`../../../bin/x` lands in `python/bin/x`). Undefined for absolute
 * paths and paths that leave the layer.
 */
export function recordPathInLayer(siteDir: string, path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return undefined;
  const joined = posix.normalize(siteDir ? `${siteDir}/${path}` : path);
  if (joined === '..' || joined.startsWith('../') || joined === '.') return undefined;
  return joined;
}

const SUPPORTED = new Set(getHashes());

/**
 * Check one RECORD-listed file against its recorded size and digest, streaming it.
 * @returns a RECORD_FILE_MISSING or RECORD_HASH_MISMATCH finding, or undefined when it matches
 *   (or the algorithm is one Node cannot compute).
 */
export async function verifyRecordFile(
  source: FileSource,
  path: string,
  row: RecordRow & { hash: NonNullable<RecordRow['hash']> },
  owner: string
): Promise<Finding | undefined> {
  const entry = source.get(path);
  if (entry?.kind !== 'file') {
    return {
      code: 'RECORD_FILE_MISSING',
      severity: 'warning',
      path,
      message: `${path} is listed in the RECORD of ${owner} but is not in the layer`,
    };
  }
  const mismatch = (why: string): Finding => ({
    code: 'RECORD_HASH_MISMATCH',
    severity: 'error',
    path,
    message: `${path} differs from the RECORD of ${owner} (${why}): modified after install`,
  });
  if (row.size !== undefined && row.size !== entry.size)
    return mismatch(`size ${entry.size}, recorded ${row.size}`);
  const algorithm = row.hash.algorithm.toLowerCase();
  if (!SUPPORTED.has(algorithm)) return undefined;
  const [digest] = await digestEntry(source, path, [algorithm]);
  const actual = digest!.toString('base64url');
  const recorded = row.hash.digest.replace(/=+$/, '');
  return actual === recorded ? undefined : mismatch(`${algorithm} ${actual}, recorded ${recorded}`);
}
