/**
 * Reading an SQLite database from untrusted bytes with a real SQLite engine
 * (sql.js: SQLite compiled to WebAssembly), entirely in memory: no file is
 * written, no extension loads, and the engine runs with the defensive
 * settings SQLite recommends for untrusted databases
 * (https://www.sqlite.org/security.html): trusted_schema off, cell size
 * checks, a heap limit, read-only queries, and a quick_check before use.
 *
 * A write-ahead log beside the database (rpm keeps its database in WAL mode)
 * is applied here, as SQLite would on open: only frames up to the last
 * valid commit whose salts and checksums match (https://www.sqlite.org/fileformat2.html#walformat).
 */
import { createRequire } from 'node:module';
import type { Database, SqlJsStatic } from 'sql.js';

const require = createRequire(import.meta.url);

let engine: Promise<SqlJsStatic> | undefined;

/** Load sql.js once (the WebAssembly module is ~650 KB). */
function sqlJs(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    const init = require('sql.js') as (cfg?: object) => Promise<SqlJsStatic>;
    return init();
  })();
  return engine;
}

/** Bound on SQLite's own heap while reading (the database bytes are held outside it). */
const HEAP_LIMIT = 256 * 1024 * 1024;

const HEADER = 'SQLite format 3\0';

export function isSqlite(buf: Buffer): boolean {
  return buf.length >= 100 && buf.toString('latin1', 0, 16) === HEADER;
}

/** What applying a WAL did. */
export interface WalResult {
  /** Database bytes with committed frames applied. */
  db: Buffer;
  /** Frames applied (0 when the WAL was empty or had no valid commit). */
  applied: number;
  /** Frames present after the last commit (ignored, as SQLite ignores them). */
  uncommitted: number;
  /** Why the WAL was not usable, when it was not empty but could not be applied. */
  problem?: string;
}

const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;

/** SQLite's WAL checksum (fileformat2 "Checksum algorithm"), continuing from (s0, s1). */
function walChecksum(data: Buffer, bigEndian: boolean, s0: number, s1: number): [number, number] {
  if (data.length % 8 !== 0) throw new Error('WAL checksum over a length not a multiple of 8');
  let a = s0;
  let b = s1;
  for (let i = 0; i < data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    a = (a + x0 + b) >>> 0;
    b = (b + x1 + a) >>> 0;
  }
  return [a, b];
}

/**
 * Apply the committed frames of `wal` to `db`. Returns the database as SQLite
 * would see it, switched to rollback-journal mode (header bytes 18 and 19) so
 * the engine does not look for a WAL of its own.
 */
export function applyWal(db: Buffer, wal: Buffer | undefined): WalResult {
  const out = (
    bytes: Buffer,
    applied: number,
    uncommitted: number,
    problem?: string
  ): WalResult => {
    const copy = Buffer.from(bytes);
    if (copy.length >= 20) {
      copy[18] = 1;
      copy[19] = 1;
    }
    return { db: copy, applied, uncommitted, ...(problem ? { problem } : {}) };
  };
  if (!wal || wal.length === 0) return out(db, 0, 0);
  if (wal.length < 32) return out(db, 0, 0, 'WAL shorter than its header');
  const magic = wal.readUInt32BE(0);
  if (magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE)
    return out(db, 0, 0, 'WAL has a bad magic number');
  const be = magic === WAL_MAGIC_BE;
  const pageSize = wal.readUInt32BE(8);
  const dbPageSize =
    db.length >= 18 ? (db.readUInt16BE(16) === 1 ? 65536 : db.readUInt16BE(16)) : 0;
  if (pageSize !== dbPageSize || pageSize < 512 || (pageSize & (pageSize - 1)) !== 0)
    return out(db, 0, 0, `WAL page size ${pageSize} differs from the database's ${dbPageSize}`);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let [s0, s1] = walChecksum(wal.subarray(0, 24), be, 0, 0);
  if (s0 !== wal.readUInt32BE(24) || s1 !== wal.readUInt32BE(28))
    return out(db, 0, 0, 'WAL header checksum fails');
  const frameSize = 24 + pageSize;
  const pending: { page: number; at: number }[] = [];
  let committed: { page: number; at: number }[] = [];
  let dbPages = Math.floor(db.length / pageSize);
  let valid = 0;
  for (let at = 32; at + frameSize <= wal.length; at += frameSize) {
    const page = wal.readUInt32BE(at);
    const commitSize = wal.readUInt32BE(at + 4);
    if (page === 0 || wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2)
      break;
    [s0, s1] = walChecksum(wal.subarray(at, at + 8), be, s0, s1);
    [s0, s1] = walChecksum(wal.subarray(at + 24, at + frameSize), be, s0, s1);
    if (s0 !== wal.readUInt32BE(at + 16) || s1 !== wal.readUInt32BE(at + 20)) break;
    pending.push({ page, at: at + 24 });
    valid++;
    if (commitSize !== 0) {
      committed = committed.concat(pending);
      pending.length = 0;
      dbPages = commitSize;
    }
  }
  if (committed.length === 0) return out(db, 0, valid);
  // Pages can only come from the database or the log: a larger size is a lie.
  if (dbPages * pageSize > db.length + wal.length)
    return out(db, 0, valid, 'a WAL commit claims a database larger than the files hold');
  const result = Buffer.alloc(dbPages * pageSize);
  db.copy(result, 0, 0, Math.min(db.length, dbPages * pageSize));
  for (const f of committed)
    if (f.page <= dbPages) wal.copy(result, (f.page - 1) * pageSize, f.at, f.at + pageSize);
  return out(result, committed.length, valid - committed.length);
}

/** One query result: rows of column values. */
export type Row = (number | string | Uint8Array | null)[];

/**
 * Open database bytes in memory with defensive settings, check their
 * integrity, and run `read` against them.
 * @throws Error when the bytes are not a sound SQLite database
 */
export async function withSqlite<T>(
  bytes: Buffer,
  read: (query: (sql: string) => Row[]) => T
): Promise<T> {
  const SQL = await sqlJs();
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    for (const p of [
      'PRAGMA trusted_schema=OFF',
      'PRAGMA cell_size_check=ON',
      `PRAGMA hard_heap_limit=${HEAP_LIMIT}`,
      'PRAGMA mmap_size=0',
      'PRAGMA query_only=1',
    ])
      db.exec(p);
    const check = db.exec('PRAGMA quick_check');
    const verdict = check[0]?.values[0]?.[0];
    if (verdict !== 'ok') throw new Error(`SQLite quick_check: ${String(verdict)}`);
    const open = db;
    return read((sql) => open.exec(sql)[0]?.values ?? []);
  } finally {
    db?.close();
  }
}
