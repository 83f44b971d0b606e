import { getHashes } from 'node:crypto';
import type { Finding } from '../../model/finding.js';
import { digestEntry } from '../../unpack/hash.js';
import type { FileSource } from '../../unpack/source.js';
import { mapLimit } from '../../util/pool.js';
import { joinInLayer } from '../binary/ownership.js';

/** One row of a wheel RECORD. */
export interface RecordRow {
  /** Path as written, relative to the site directory. */
  path: string;
  /** Hash algorithm (`sha256`) and digest (urlsafe base64, no padding), when recorded. */
  hash?: { algorithm: string; digest: string };
  size?: number;
}

/** Line breaks of Python's `str.splitlines`, which importlib.metadata splits RECORD on. */
// eslint-disable-next-line no-control-regex -- these control characters are line breaks to Python
const SPLITLINES = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/**
 * Parse a RECORD file the way `importlib.metadata` does: `str.splitlines()`,
 * then Python's `csv.reader` with the default dialect (not strict): a quoted
 * field may span lines, text after a closing quote joins the field, a quote
 * inside an unquoted field is literal, an unterminated quote ends at the end
 * of the file. Rows are `path,algorithm=digest,size`; rows without a path are
 * skipped. One pass over the text.
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file
 * https://github.com/python/cpython/blob/main/Modules/_csv.c
 */
export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const fields of csvRows(text)) {
    const [path = '', hash = '', size = ''] = fields;
    if (!path) continue;
    const row: RecordRow = { path };
    const eq = hash.indexOf('=');
    if (eq > 0) row.hash = { algorithm: hash.slice(0, eq), digest: hash.slice(eq + 1) };
    if (/^\d{1,15}$/.test(size)) row.size = Number(size);
    rows.push(row);
  }
  return rows;
}

/** CPython's csv reader state machine over `splitlines()` lines (delimiter ',', quote '"'). */
function* csvRows(text: string): Generator<string[]> {
  let fields: string[] = [];
  // The current field's pieces, joined once when it ends (no per-character string building).
  let field: string[] = [];
  // 'start': at a field's start; 'plain': in an unquoted field; 'quoted'; 'quote': a quote seen in a quoted field.
  let state: 'start' | 'plain' | 'quoted' | 'quote' = 'start';
  const endField = (): void => {
    fields.push(field.join(''));
    field = [];
    state = 'start';
  };
  for (const line of text.split(SPLITLINES)) {
    if (state !== 'quoted' && line === '' && fields.length === 0) continue;
    let i = 0;
    while (i < line.length) {
      const c = line[i]!;
      if (state === 'start') {
        if (c === '"') state = 'quoted';
        else if (c === ',') endField();
        else {
          state = 'plain';
          continue;
        }
        i++;
      } else if (state === 'plain') {
        const comma = line.indexOf(',', i);
        const end = comma < 0 ? line.length : comma;
        field.push(line.slice(i, end));
        i = end;
        if (comma >= 0) {
          endField();
          i++;
        }
      } else if (state === 'quoted') {
        const q = line.indexOf('"', i);
        const end = q < 0 ? line.length : q;
        field.push(line.slice(i, end));
        i = end;
        if (q >= 0) {
          state = 'quote';
          i++;
        }
      } else {
        // After a quote inside a quoted field: a doubled quote, the field's end, or text that joins it.
        if (c === '"') {
          field.push('"');
          state = 'quoted';
          i++;
        } else if (c === ',') {
          endField();
          i++;
        } else state = 'plain';
      }
    }
    // End of line: a quoted field goes on to the next line; anything else ends the row.
    if (state === 'quoted') continue;
    endField();
    yield fields;
    fields = [];
  }
  if (state === 'quoted') {
    endField();
    yield fields;
  }
}

/**
 * A RECORD path as a layer-relative path: joined to the site directory and
 * normalised (`../../../bin/x` lands in `python/bin/x`). Undefined for absolute
 * paths and paths that leave the layer.
 */
export function recordPathInLayer(siteDir: string, path: string): string | undefined {
  return joinInLayer(siteDir, path);
}

const SUPPORTED = new Set(getHashes());

/** Whether lamina can check `row` against the file: it has a hash of an algorithm Node computes. */
export function hasCheckableHash(
  row: RecordRow
): row is RecordRow & { hash: NonNullable<RecordRow['hash']> } {
  return row.hash !== undefined && SUPPORTED.has(row.hash.algorithm.toLowerCase());
}

/** One RECORD row to check, with the distribution whose RECORD lists it. */
export interface RecordCheck {
  /** Layer-relative path of the listed file. */
  path: string;
  row: RecordRow & { hash: NonNullable<RecordRow['hash']> };
  /** Id of the distribution (for messages and to attach findings). */
  owner: string;
}

/** The outcome of checking RECORD rows: findings per owner, and what the budget left unchecked. */
export interface RecordVerification {
  findings: { owner: string; finding: Finding }[];
  /** Paths not re-hashed because the byte budget was spent. */
  unverified: string[];
  /** Bytes read to re-hash files: at most the sum of distinct listed files' sizes, and `maxBytes`. */
  bytesHashed: number;
}

/**
 * Check RECORD-listed files against their recorded sizes and digests. Each
 * file is read once, whatever number of rows (in one RECORD or several) name
 * it, with every algorithm they use computed in the same pass; files are
 * re-hashed in path order until `maxBytes` would be exceeded, and the rest
 * are returned as unverified. A file whose size differs is a mismatch without
 * being read.
 */
export async function verifyRecordFiles(
  source: FileSource,
  checks: readonly RecordCheck[],
  maxBytes: number,
  concurrency: number
): Promise<RecordVerification> {
  const byPath = new Map<string, RecordCheck[]>();
  for (const c of checks) {
    const list = byPath.get(c.path);
    if (list) list.push(c);
    else byPath.set(c.path, [c]);
  }
  const out: RecordVerification = { findings: [], unverified: [], bytesHashed: 0 };
  const toHash: { path: string; checks: RecordCheck[]; algorithms: string[] }[] = [];
  let budget = maxBytes;
  for (const path of [...byPath.keys()].sort()) {
    const group = byPath.get(path)!;
    const entry = source.get(path);
    const pending: RecordCheck[] = [];
    for (const c of group) {
      if (entry?.kind !== 'file') {
        out.findings.push({
          owner: c.owner,
          finding: {
            code: 'RECORD_FILE_MISSING',
            severity: 'warning',
            path,
            message: `listed in the RECORD of ${c.owner} but not in the layer`,
          },
        });
      } else if (c.row.size !== undefined && c.row.size !== entry.size) {
        out.findings.push({
          owner: c.owner,
          finding: mismatch(path, c.owner, `size ${entry.size}, recorded ${c.row.size}`),
        });
      } else if (SUPPORTED.has(c.row.hash.algorithm.toLowerCase())) pending.push(c);
    }
    if (pending.length === 0 || !entry) continue;
    if (entry.size > budget) {
      out.unverified.push(path);
      continue;
    }
    budget -= entry.size;
    out.bytesHashed += entry.size;
    const algorithms = [...new Set(pending.map((c) => c.row.hash.algorithm.toLowerCase()))];
    toHash.push({ path, checks: pending, algorithms });
  }
  const results = await mapLimit(toHash, concurrency, async (job) => {
    const found: RecordVerification['findings'] = [];
    let digests: Buffer[];
    try {
      digests = await digestEntry(source, job.path, job.algorithms);
    } catch (err) {
      return job.checks.map((c) => ({
        owner: c.owner,
        finding: {
          code: 'READ_ERROR',
          severity: 'error',
          path: job.path,
          message: `could not read ${job.path} to check the RECORD of ${c.owner}: ${err instanceof Error ? err.message : String(err)}`,
        } satisfies Finding,
      }));
    }
    for (const c of job.checks) {
      const algorithm = c.row.hash.algorithm.toLowerCase();
      const digest = digests[job.algorithms.indexOf(algorithm)]!;
      const recorded = c.row.hash.digest.replace(/=+$/, '');
      // The format says urlsafe base64; some distribution builds write hex. A hex digest is
      // twice the byte length, never the length of the base64 one, so the two cannot be confused.
      const hex = recorded.length === digest.length * 2 && /^[0-9a-f]+$/i.test(recorded);
      const actual = hex ? digest.toString('hex') : digest.toString('base64url');
      if (actual !== (hex ? recorded.toLowerCase() : recorded))
        found.push({
          owner: c.owner,
          finding: mismatch(job.path, c.owner, `${algorithm} ${actual}, recorded ${recorded}`),
        });
    }
    return found;
  });
  for (const r of results) for (const f of r) out.findings.push(f);
  return out;
}

/**
 * Shared objects and extension modules: distribution packagers run `strip` on them after the
 * wheel is installed, which changes them without changing RECORD.
 */
const STRIPPED_BY_PACKAGERS = /\.(?:so(?:\.\d+)*|pyd|dylib)$/;

/** One line, the path left to the finding's own field (printed once). */
function mismatch(path: string, owner: string, why: string): Finding {
  const cause = STRIPPED_BY_PACKAGERS.test(path)
    ? 'a shared library, which distribution builds strip after install, or modified after install'
    : 'modified after install';
  return {
    code: 'RECORD_HASH_MISMATCH',
    severity: 'error',
    path,
    message: `differs from the RECORD of ${owner} (${why}): ${cause}`,
  };
}
