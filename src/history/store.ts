/**
 * The scan history: an embedded SQLite database (better-sqlite3) in WAL mode. Each scan is
 * written in one IMMEDIATE transaction, so a scan killed half-way leaves the history as it was,
 * and two scans recording at once take turns on SQLite's write lock instead of interleaving.
 * https://www.sqlite.org/wal.html  https://www.sqlite.org/lang_transaction.html
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Inventory } from '../model/inventory.js';
import type { ScanFailure, ScanFunction, ScanResult } from '../scan/result.js';
import { scanFactShapeProblem, type ScanFactKind } from '../scan/shape.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import type { Verdict } from '../verify/verdict.js';
import { Interner } from '../util/intern.js';
import { compressInventory, decompressInventory } from './codec.js';
import { HistoryError, type HistoryErrorCode } from './errors.js';
import { parseScanRef, SCAN_REF_FORMS } from './scan-ref.js';
import {
  factCount,
  factsOf,
  fromFacts,
  layerVersionFact,
  type FactKind,
  type LayerVersionFact,
} from './facts.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import type { RecordScanInput, RecordedScan, ScanInfo, SigningFact } from './types.js';

type Db = BetterSqlite3.Database;

/**
 * Default history file: `$XDG_STATE_HOME/lamina/history.db`, else
 * `~/.local/state/lamina/history.db` (XDG Base Directory Specification: state that persists
 * between runs).
 */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_STATE_HOME'];
  const base = xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state');
  return join(base, 'lamina', 'history.db');
}

export interface OpenHistoryOptions {
  /** Create the database when the file does not exist (default false: NO_HISTORY). */
  create?: boolean;
  /** How long to wait for another process's lock, in ms (default 60,000). */
  busyTimeoutMs?: number;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Rows written between progress calls. */
const PROGRESS_EVERY = 500;

let binding: typeof BetterSqlite3 | undefined;
function loadBinding(): typeof BetterSqlite3 {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    return binding;
  } catch (err) {
    throw new HistoryError({
      code: 'SQLITE_UNAVAILABLE',
      message: `the history needs the optional dependency better-sqlite3, which is not installed (${errText(err)})`,
      cause: err,
    });
  }
}

const errText = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/** Turn a SQLite or file-system error into a HistoryError (passing HistoryErrors through). */
function translate(path: string, err: unknown): HistoryError {
  if (err instanceof HistoryError) return err;
  const code = (err as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  let mapped: HistoryErrorCode = 'IO_ERROR';
  let what = 'could not be read or written';
  if (c === 'SQLITE_CORRUPT' || c === 'SQLITE_NOTADB' || c.startsWith('SQLITE_CORRUPT')) {
    mapped = 'CORRUPT_DATABASE';
    what = 'is damaged or not a SQLite database; it was left as it is';
  } else if (c === 'SQLITE_BUSY' || c.startsWith('SQLITE_BUSY') || c === 'SQLITE_LOCKED') {
    mapped = 'DATABASE_BUSY';
    what = 'stayed locked by another process for longer than the wait allowed';
  } else if (c === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION/.test(errText(err))) {
    mapped = 'SQLITE_UNAVAILABLE';
    what = `cannot be opened: better-sqlite3's native addon is not built for Node ${process.version} (run \`npm rebuild better-sqlite3\`)`;
  }
  return new HistoryError({
    code: mapped,
    message: `history ${path} ${what}: ${errText(err)}`,
    cause: err,
  });
}

/** What a stored fact of `kind` (or a scan's scope) holds, or what about it does not fit. */
function parseFact(kind: ScanFactKind, body: string): { value: unknown; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { value, problem: 'it is not JSON' };
  }
  const problem = scanFactShapeProblem(kind, value);
  return problem ? { value, problem } : { value };
}

/** How many functions, layer versions and failures scans hold (a WHERE clause to go on). */
const COUNT_FACTS = `SELECT sf.scan_id AS id, f.kind AS kind, count(*) AS n
  FROM scan_fact sf JOIN fact f ON f.id = sf.fact_id
  WHERE f.kind IN ('function', 'layer-version', 'failure')`;

/** A scan's facts, with their kinds. */
const FACTS_OF_SCAN =
  'SELECT f.kind AS kind, f.body AS body FROM scan_fact sf JOIN fact f ON f.id = sf.fact_id WHERE sf.scan_id = ?';

/** `sf`'s fact is one of scan `?`'s too (an index lookup in scan_fact's key). */
const IN_SCAN = 'EXISTS (SELECT 1 FROM scan_fact o WHERE o.scan_id = ? AND o.fact_id = sf.fact_id)';

/** The kinds of fact rows: a scan's scope is a column of its own row, never a fact. */
const FACT_KINDS: Readonly<Record<FactKind, true>> = Object.freeze({
  function: true,
  'layer-version': true,
  failure: true,
  verdict: true,
  signing: true,
});

/** Refuse, before SQLite touches it, a file that does not start like a SQLite database. */
function checkHeader(path: string): 'missing' | 'empty' | 'sqlite' {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return 'missing';
    throw translate(path, err);
  }
  if (!st.isFile())
    throw new HistoryError({ code: 'BAD_PATH', message: `history ${path} is not a regular file` });
  if (st.size === 0) return 'empty';
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw translate(path, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER) || st.size < 512)
    throw new HistoryError({
      code: 'CORRUPT_DATABASE',
      message: `history ${path} is not a SQLite database (bad header); it was left as it is`,
    });
  return 'sqlite';
}

/** A scan with no facts: what recordVerification splits verdicts and signing facts off. */
const EMPTY_RESULT: ScanResult = {
  schemaVersion: 1,
  tool: { name: 'lamina', version: '' },
  scope: { accounts: [], regions: [] },
  functions: [],
  layers: [],
  failures: [],
  drift: { layers: [], digestMismatches: [] },
};

interface ScanRow {
  id: number;
  started_at: string;
  finished_at: string;
  tool_version: string;
  scope: string;
  policy_digest: string | null;
  verified: number;
}

/**
 * Put the database in WAL mode. Two processes opening a new history at once can get SQLITE_BUSY
 * from this pragma straight away, without SQLite's busy handler waiting (seen in CI: a 120 s
 * timeout, refused within 2 s), so it is asked again until the busy timeout has passed.
 */
function useWal(db: Db, busyTimeoutMs: number): void {
  if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const busy = typeof code === 'string' && code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw err;
      // The store is synchronous (better-sqlite3 is): wait without spinning.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

/** The history database. Synchronous: better-sqlite3 is, and each call is short. */
export class HistoryStore {
  readonly path: string;
  readonly #db: Db;

  readonly #busyTimeoutMs: number;

  private constructor(path: string, db: Db, busyTimeoutMs: number) {
    this.path = path;
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /**
   * Open (and migrate) the history at `path`.
   * @throws HistoryError NO_HISTORY, CORRUPT_DATABASE, NOT_A_HISTORY_DB, SCHEMA_TOO_NEW, …
   */
  static open(path: string, options: OpenHistoryOptions = {}): HistoryStore {
    const state = checkHeader(path);
    if (state === 'missing' && !options.create)
      throw new HistoryError({ code: 'NO_HISTORY', message: `no history at ${path}` });
    const Database = loadBinding();
    let db: Db | undefined;
    try {
      const busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
      db = new Database(path, { timeout: busyTimeoutMs });
      const store = new HistoryStore(path, db, busyTimeoutMs);
      store.#prepare(state !== 'sqlite');
      return store;
    } catch (err) {
      db?.close();
      throw translate(path, err);
    }
  }

  #prepare(fresh: boolean): void {
    const db = this.#db;
    // One read transaction: read one by one, another process creating the history between
    // the reads showed an id of 0 beside its version and tables, a database lamina did not write.
    const { app, version, tables } = db.transaction(() => ({
      app: db.pragma('application_id', { simple: true }) as number,
      version: db.pragma('user_version', { simple: true }) as number,
      tables: db
        .prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        .pluck()
        .get() as number,
    }))();
    if (app !== APPLICATION_ID && (app !== 0 || version !== 0 || tables > 0))
      throw new HistoryError({
        code: 'NOT_A_HISTORY_DB',
        message: `${this.path} is a SQLite database that lamina did not write; it was left as it is`,
      });
    if (version > SCHEMA_VERSION)
      throw new HistoryError({
        code: 'SCHEMA_TOO_NEW',
        message: `history ${this.path} has schema version ${version}; this lamina knows up to ${SCHEMA_VERSION}`,
      });
    if (!fresh) {
      const check = (db.pragma('quick_check(3)') as { quick_check: string }[]).map((r) =>
        r.quick_check.replace(/\s+/g, ' ')
      );
      if (check.join() !== 'ok')
        throw new HistoryError({
          code: 'CORRUPT_DATABASE',
          message: `history ${this.path} failed SQLite's integrity check (${check.join('; ')}); it was left as it is`,
        });
    }
    useWal(db, this.#busyTimeoutMs);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (version < SCHEMA_VERSION) this.#migrate();
  }

  /** Apply the migrations the database lacks, under the write lock, re-reading the version there. */
  #migrate(): void {
    const db = this.#db;
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return this.#run(() => this.#db.pragma('user_version', { simple: true }) as number);
  }

  close(): void {
    this.#db.close();
  }

  #run<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw translate(this.path, err);
    }
  }

  /**
   * Record one scan in a single transaction; returns its id. Inventories are compressed before
   * the transaction starts, and only for digests the database does not hold; facts are made as
   * they are stored.
   */
  recordScan(input: RecordScanInput): number {
    return this.#run(() => {
      const db = this.#db;
      const verdicts = input.verdicts ?? [];
      const signing = input.signing ?? [];
      const have = db.prepare('SELECT 1 FROM inventory WHERE digest = ?').pluck();
      const digests = [
        ...new Set(
          input.result.layers.flatMap((l) =>
            l.versions.filter((v) => v.status === 'inventoried').map((v) => v.digest)
          )
        ),
      ].filter((d): d is string => d !== null);
      const inventories: { digest: string; size: number; body: Buffer }[] = [];
      for (const d of digests) {
        if (have.get(d) !== undefined || !input.sbomOf) continue;
        const sbom = input.sbomOf(d);
        if (sbom === undefined) continue;
        const raw = typeof sbom === 'string' ? Buffer.from(sbom) : sbom;
        inventories.push({ digest: d, size: raw.length, body: compressInventory(raw) });
      }

      const insertScan = db.prepare(
        `INSERT INTO scan (started_at, finished_at, tool_version, scope, policy_digest, verified)
         VALUES (?, ?, ?, ?, ?, ?)`
      );
      const insertFact = db.prepare(
        'INSERT INTO fact (kind, hash, subject, digest, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING'
      );
      const factId = db.prepare('SELECT id FROM fact WHERE hash = ?').pluck();
      const link = db.prepare('INSERT OR IGNORE INTO scan_fact (scan_id, fact_id) VALUES (?, ?)');
      const insertInventory = db.prepare(
        "INSERT OR IGNORE INTO inventory (digest, codec, size, body) VALUES (?, 'br', ?, ?)"
      );
      const total = factCount(input.result, verdicts, signing) + inventories.length;
      let done = 0;
      const step = () => {
        done++;
        if (input.onProgress && (done % PROGRESS_EVERY === 0 || done === total))
          input.onProgress(done, total);
      };
      return db
        .transaction(() => {
          const scanId = Number(
            insertScan.run(
              input.startedAt.toISOString(),
              input.finishedAt.toISOString(),
              input.result.tool.version,
              JSON.stringify(input.result.scope),
              input.policyDigest ?? null,
              input.verdicts ? 1 : 0
            ).lastInsertRowid
          );
          for (const f of factsOf(input.result, verdicts, signing)) {
            const r = insertFact.run(f.kind, f.hash, f.subject, f.digest, f.body);
            const id = r.changes > 0 ? Number(r.lastInsertRowid) : (factId.get(f.hash) as number);
            link.run(scanId, id);
            step();
          }
          for (const i of inventories) {
            insertInventory.run(i.digest, i.size, i.body);
            step();
          }
          return scanId;
        })
        .immediate();
    });
  }

  /**
   * Record `verify --all`'s verdicts and signing status with an already recorded scan (the scan
   * of the same estate the verification ran on), replacing any it had, in one transaction.
   * @throws HistoryError SCAN_NOT_FOUND
   */
  recordVerification(
    scanId: number,
    input: Pick<RecordScanInput, 'verdicts' | 'signing' | 'policyDigest'>
  ): void {
    this.#run(() => {
      const db = this.#db;
      db.transaction(() => {
        const found = db.prepare('SELECT 1 FROM scan WHERE id = ?').get(scanId);
        if (found === undefined)
          throw new HistoryError({
            code: 'SCAN_NOT_FOUND',
            message: `no scan ${scanId} in history ${this.path}`,
          });
        db.prepare(
          `DELETE FROM scan_fact WHERE scan_id = ? AND fact_id IN
             (SELECT id FROM fact WHERE kind IN ('verdict', 'signing'))`
        ).run(scanId);
        const insertFact = db.prepare(
          'INSERT INTO fact (kind, hash, subject, digest, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING'
        );
        const factId = db.prepare('SELECT id FROM fact WHERE hash = ?').pluck();
        const link = db.prepare('INSERT OR IGNORE INTO scan_fact (scan_id, fact_id) VALUES (?, ?)');
        for (const f of factsOf(EMPTY_RESULT, input.verdicts ?? [], input.signing ?? [])) {
          const r = insertFact.run(f.kind, f.hash, f.subject, f.digest, f.body);
          link.run(scanId, r.changes > 0 ? Number(r.lastInsertRowid) : factId.get(f.hash));
        }
        db.prepare('UPDATE scan SET verified = 1, policy_digest = ? WHERE id = ?').run(
          input.policyDigest ?? null,
          scanId
        );
      }).immediate();
    });
  }

  /** Every recorded scan, oldest first. */
  listScans(): ScanInfo[] {
    return this.#run(() => {
      const rows = this.#db.prepare('SELECT * FROM scan ORDER BY id').all() as ScanRow[];
      return this.#infos(rows, `${COUNT_FACTS} GROUP BY sf.scan_id, f.kind`);
    });
  }

  /**
   * One recorded scan, as {@link listScans} gives it, counting only its own facts (every scan's
   * is a pass over the whole history).
   * @throws HistoryError SCAN_NOT_FOUND
   */
  scanInfo(id: number): ScanInfo {
    return this.#run(() => {
      const row = this.#scanRow(id);
      return this.#infos([row], `${COUNT_FACTS} AND sf.scan_id = ? GROUP BY f.kind`, id)[0]!;
    });
  }

  /** The scan recorded last before scan `id`, if any. */
  scanBefore(id: number): number | undefined {
    return this.#run(
      () =>
        (this.#db.prepare('SELECT max(id) FROM scan WHERE id < ?').pluck().get(id) as
          number | null) ?? undefined
    );
  }

  /** @throws HistoryError SCAN_NOT_FOUND */
  #scanRow(id: number): ScanRow {
    const row = this.#db.prepare('SELECT * FROM scan WHERE id = ?').get(id) as ScanRow | undefined;
    if (!row)
      throw new HistoryError({
        code: 'SCAN_NOT_FOUND',
        message: `no scan ${id} in history ${this.path}`,
      });
    return row;
  }

  #infos(rows: ScanRow[], countSql: string, ...args: unknown[]): ScanInfo[] {
    const counts = this.#db.prepare(countSql).all(...args) as {
      id: number;
      kind: FactKind;
      n: number;
    }[];
    const count = (id: number, kind: FactKind) =>
      counts.find((c) => c.id === id && c.kind === kind)?.n ?? 0;
    return rows.map((r) =>
      info(r, count(r.id, 'function'), count(r.id, 'layer-version'), count(r.id, 'failure'))
    );
  }

  /**
   * Read a recorded scan back. Its strings are shared through `interner`: give two scans of one
   * estate the same one and an ARN both hold is one string.
   * @throws HistoryError SCAN_NOT_FOUND
   */
  loadScan(id: number, interner: Interner = new Interner()): RecordedScan {
    return this.#run(() => this.#load(this.#scanRow(id), interner, [], []));
  }

  /**
   * Read scan `id` back as {@link loadScan} does, but take the function and layer version records
   * it shares with `later` (a scan recorded after it, held in memory as recorded) from `later`
   * rather than read them again: comparing a re-scan of a large estate that changed little with
   * the scan before it then holds most records once.
   * @throws HistoryError SCAN_NOT_FOUND
   */
  loadScanBeside(id: number, later: RecordedScan): RecordedScan {
    return this.#run(() => {
      const row = this.#scanRow(id);
      const functions = this.#shared(id, later, 'function', later.result.functions, (f) => f.arn);
      const versions = this.#shared(
        id,
        later,
        'layer-version',
        later.result.layers.flatMap((l) => l.versions.map((v) => ({ l, v }))),
        (x) => x.v.arn
      );
      if (!functions || !versions) return this.#load(row, new Interner(), [], []);
      return this.#load(
        row,
        new Interner(),
        functions,
        versions.map((x) => layerVersionFact(x.l, x.v)),
        later.info.id
      );
    });
  }

  /**
   * `later`'s `records` of one kind whose facts scan `id` holds too, or undefined when records
   * and facts are not one to one by their subject (then the whole scan is read).
   */
  #shared<T>(
    id: number,
    later: RecordedScan,
    kind: 'function' | 'layer-version',
    records: readonly T[],
    subject: (r: T) => string
  ): T[] | undefined {
    // Two equal records are one fact: the facts would not say which record to keep.
    const facts = kind === 'function' ? later.info.functions : later.info.layerVersions;
    if (facts !== records.length) return undefined;
    const differing = this.#db
      .prepare(
        `SELECT f.subject FROM scan_fact sf JOIN fact f ON f.id = sf.fact_id
         WHERE sf.scan_id = ? AND f.kind = ? AND NOT ${IN_SCAN}`
      )
      .pluck()
      .all(later.info.id, kind, id) as string[];
    const subjects = new Set(differing);
    const kept = records.filter((r) => !subjects.has(subject(r)));
    // Two records of one subject, one shared and one not, cannot be told apart by it.
    return records.length - kept.length === differing.length ? kept : undefined;
  }

  /**
   * A scan from its row and its facts. With `besideId`, the function and layer version facts
   * scan `besideId` also holds are skipped: `functions` and `versions` hold them already.
   */
  #load(
    row: ScanRow,
    interner: Interner,
    functions: ScanFunction[],
    versions: LayerVersionFact[],
    besideId?: number
  ): RecordedScan {
    const id = row.id;
    // Row by row: a large scan's fact bodies are never all held at once.
    const facts = (
      besideId === undefined
        ? this.#db.prepare(FACTS_OF_SCAN).iterate(id)
        : this.#db
            .prepare(
              `${FACTS_OF_SCAN} AND NOT (f.kind IN ('function', 'layer-version') AND ${IN_SCAN})`
            )
            .iterate(id, besideId)
    ) as IterableIterator<{ kind: FactKind; body: string }>;
    const failures: ScanFailure[] = [];
    const verdicts: Verdict[] = [];
    const signing: SigningFact[] = [];
    // Written by lamina, but a file on the user's disk: a damaged or edited fact is refused
    // by name, never a TypeError deep inside the comparison.
    const corrupt = (what: string): HistoryError =>
      new HistoryError({
        code: 'CORRUPT_DATABASE',
        message: `history ${this.path}: scan ${id} holds ${what}`,
      });
    const fit = (kind: ScanFactKind, body: string): unknown => {
      const { value, problem } = parseFact(kind, body);
      if (problem) throw corrupt(`a ${kind} that does not fit: ${problem}`);
      return value;
    };
    for (const f of facts) {
      if (!Object.hasOwn(FACT_KINDS, f.kind))
        throw corrupt('a fact of a kind lamina does not know');
      const v = interner.json(fit(f.kind, f.body));
      if (f.kind === 'function') functions.push(v as ScanFunction);
      else if (f.kind === 'layer-version') versions.push(v as LayerVersionFact);
      else if (f.kind === 'failure') failures.push(v as ScanFailure);
      else if (f.kind === 'verdict') verdicts.push(v as Verdict);
      else signing.push(v as SigningFact);
    }
    const result: ScanResult = fromFacts(
      { toolVersion: row.tool_version, scope: fit('scope', row.scope) as ScanResult['scope'] },
      functions,
      versions,
      failures
    );
    const key = (v: Verdict) => `${v.subject.kind}\0${v.subject.arn ?? v.subject.name}`;
    verdicts.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    signing.sort((a, b) => (a.jobArn < b.jobArn ? -1 : a.jobArn > b.jobArn ? 1 : 0));
    return {
      info: info(row, functions.length, versions.length, failures.length),
      result,
      verdicts: row.verified ? verdicts : null,
      signing,
    };
  }

  /** The SBOM JSON recorded for a digest, or undefined. */
  sbom(digest: string): string | undefined {
    return this.#run(() => {
      const row = this.#db
        .prepare('SELECT codec, size, body FROM inventory WHERE digest = ?')
        .get(digest) as { codec: string; size: unknown; body: unknown } | undefined;
      if (!row) return undefined;
      const corrupt = (what: string) =>
        new HistoryError({
          code: 'CORRUPT_DATABASE',
          message: `history ${this.path}: inventory ${digest} ${what}`,
        });
      if (row.codec !== 'br') throw corrupt(`has unknown codec ${row.codec}`);
      const raw =
        typeof row.size === 'number' && Buffer.isBuffer(row.body)
          ? decompressInventory(row.body, row.size)
          : undefined;
      if (raw === undefined) throw corrupt('does not decompress to the size it was recorded at');
      return raw.toString('utf8');
    });
  }

  /** The inventory recorded for a digest, read back from its SBOM; undefined when none. */
  inventory(digest: string): Inventory | undefined {
    const text = this.sbom(digest);
    return text === undefined ? undefined : inventoryFromCycloneDx(text, { name: digest });
  }

  /**
   * Resolve which scan `--since` names: a scan id, or an ISO date/time (the last scan that
   * finished at or before it); without one, the scan before the latest.
   * @throws HistoryError SCAN_NOT_FOUND
   */
  resolveSince(since?: string): number {
    return this.#run(() => {
      let id: number | undefined;
      let what: string;
      if (since === undefined) {
        what = 'previous scan';
        id = this.#db
          .prepare('SELECT id FROM scan ORDER BY id DESC LIMIT 1 OFFSET 1')
          .pluck()
          .get() as number | undefined;
      } else {
        const ref = parseScanRef(since);
        if (ref === undefined)
          throw new HistoryError({
            code: 'SCAN_NOT_FOUND',
            message: `${JSON.stringify(since)}: not ${SCAN_REF_FORMS}`,
          });
        if ('id' in ref) {
          what = `scan ${since}`;
          id = this.#db.prepare('SELECT id FROM scan WHERE id = ?').pluck().get(ref.id) as
            number | undefined;
        } else {
          const iso = new Date(ref.at).toISOString();
          what = `scan finished at or before ${iso}`;
          id = this.#db
            .prepare(
              'SELECT id FROM scan WHERE finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT 1'
            )
            .pluck()
            .get(iso) as number | undefined;
        }
      }
      if (id === undefined)
        throw new HistoryError({
          code: 'SCAN_NOT_FOUND',
          message: `history ${this.path} has no ${what}`,
        });
      return id;
    });
  }

  /** The id of the latest scan. @throws HistoryError SCAN_NOT_FOUND when there is none */
  latestScan(): number {
    return this.#run(() => {
      const id = this.#db.prepare('SELECT max(id) FROM scan').pluck().get() as number | null;
      if (id === null)
        throw new HistoryError({
          code: 'SCAN_NOT_FOUND',
          message: `history ${this.path} has no scans`,
        });
      return id;
    });
  }

  /**
   * Keep the newest `keep` scans; delete the rest, the facts and inventories only they used, and
   * give the space back to the file system.
   */
  prune(keep: number): { scans: number; facts: number; inventories: number } {
    if (!Number.isSafeInteger(keep) || keep < 1)
      throw new RangeError('prune: keep must be a positive integer');
    return this.#run(() => {
      const db = this.#db;
      const counts = db
        .transaction(() => {
          const scans = db
            .prepare(
              'DELETE FROM scan WHERE id NOT IN (SELECT id FROM scan ORDER BY id DESC LIMIT ?)'
            )
            .run(keep).changes;
          const facts = db
            .prepare('DELETE FROM fact WHERE id NOT IN (SELECT fact_id FROM scan_fact)')
            .run().changes;
          const inventories = db
            .prepare(
              'DELETE FROM inventory WHERE digest NOT IN (SELECT digest FROM fact WHERE digest IS NOT NULL)'
            )
            .run().changes;
          return { scans, facts, inventories };
        })
        .immediate();
      if (counts.scans > 0) {
        db.exec('VACUUM');
        db.pragma('wal_checkpoint(TRUNCATE)');
      }
      return counts;
    });
  }
}

function info(r: ScanRow, functions: number, layerVersions: number, failures: number): ScanInfo {
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    toolVersion: r.tool_version,
    policyDigest: r.policy_digest ?? null,
    verified: r.verified === 1,
    functions,
    layerVersions,
    failures,
  };
}
