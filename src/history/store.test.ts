import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeSbom } from '../sbom/cyclonedx.js';
import type { ScanResult } from '../scan/result.js';
import type { Verdict } from '../verify/verdict.js';
import { digest, estate, inventory, type VersionSpec } from '../estate/testing/estate.js';
import { computeChanges } from './changes.js';
import { HistoryError } from './errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { defaultHistoryPath, HistoryStore } from './store.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

const E = 'us-east-1';
const TAGS = ['base-1', 'base-2', 'base-3', 'tools-1'];
const INVENTORIES = new Map(
  [
    inventory('base-1', { lodash: '4.17.20' }),
    inventory('base-2', { lodash: '4.17.21' }),
    inventory('base-3', { lodash: '4.17.21', ms: '2.1.3' }),
    inventory('tools-1', { chalk: '5.0.0' }),
  ].map((i) => [`sha256:${i.artifact.sha256}`, i])
);
const SBOMS = new Map(
  [...INVENTORIES].map(([d, i]) => [
    d,
    serializeSbom(i, { format: 'cyclonedx-json', specVersion: '1.6' }),
  ])
);

/** The n-th scan of a changing estate: a new base version every other scan. */
function nthScan(n: number): ScanResult {
  const versions: VersionSpec[] = [
    { region: E, name: 'base', version: 1, tag: 'base-1' },
    { region: E, name: 'base', version: 2, tag: 'base-2' },
    ...(n >= 1 ? [{ region: E, name: 'base', version: 3, tag: 'base-3' }] : []),
    { region: E, name: 'tools', version: 1, tag: 'tools-1' },
  ];
  return estate(versions, [
    [E, 'a', [['base', 1]]],
    [
      E,
      'b',
      [
        ['base', n >= 2 ? 3 : 2],
        ['tools', 1],
      ],
    ],
    ...(n >= 3 ? ([[E, `c${n}`, [['tools', 1]]]] as [string, string, [string, number][]][]) : []),
  ]);
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute));

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-history-'));
  db = join(dir, 'history.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function errorOf(f: () => unknown): HistoryError {
  try {
    f();
  } catch (err) {
    if (err instanceof HistoryError) return err;
    throw err;
  }
  throw new Error('expected a HistoryError');
}

function record(
  store: HistoryStore,
  n: number,
  extra: Partial<Parameters<HistoryStore['recordScan']>[0]> = {}
) {
  return store.recordScan({
    result: nthScan(n),
    startedAt: at(n * 10),
    finishedAt: at(n * 10 + 1),
    sbomOf: (d) => SBOMS.get(d),
    ...extra,
  });
}

describe('HistoryStore', () => {
  it('records a scan and reads the same result back', () => {
    const store = HistoryStore.open(db, { create: true });
    const id = record(store, 0);
    const back = store.loadScan(id);
    expect(back.result).toEqual(nthScan(0));
    expect(back.info).toMatchObject({
      id,
      startedAt: at(0).toISOString(),
      functions: 2,
      layerVersions: 3,
      failures: 0,
      verified: false,
      policyDigest: null,
    });
    expect(back.verdicts).toBeNull();
    expect(store.inventory(digest('base-1'))).toMatchObject({
      packages: [{ name: 'lodash', version: '4.17.20' }],
    });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.close();
    // WAL mode, our application id.
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    raw.close();
  });

  it('gives one scan and the scan before it as the list gives them', () => {
    const store = HistoryStore.open(db, { create: true });
    const ids = [0, 1, 2, 3].map((n) => record(store, n, n === 2 ? { verdicts: [] } : {}));
    const listed = store.listScans();
    expect(listed.map((s) => s.id)).toEqual(ids);
    for (const s of listed) expect(store.scanInfo(s.id)).toEqual(s);
    // Counted per scan: scan 3 adds a function.
    expect(listed.map((s) => s.functions)).toEqual([2, 2, 2, 3]);
    expect(ids.map((id) => store.scanBefore(id))).toEqual([undefined, ...ids.slice(0, 3)]);
    expect(store.scanBefore(ids[3]! + 10)).toBe(ids[3]);
    expect(errorOf(() => store.scanInfo(ids[3]! + 1)).code).toBe('SCAN_NOT_FOUND');
    store.close();
  });

  it('reads a scan beside a later one as it reads it alone, sharing the records both hold', () => {
    const store = HistoryStore.open(db, { create: true });
    const signing = {
      jobArn: 'arn:aws:signer:us-east-1:111111111111:/signing-jobs/j1',
      profileVersionArn: null,
      jobStatus: 'Succeeded',
      jobRevoked: false,
      profileStatus: 'Active',
      profileRevoked: false,
    };
    const verdict: Verdict = {
      subject: { kind: 'function', name: 'a', arn: nthScan(0).functions[0]!.arn },
      mode: 'enforce',
      ok: true,
      checks: [],
    };
    // Scan 1 verified: its verdicts and signing facts are read whatever the later scan holds.
    const ids = [0, 1, 2, 3].map((n) =>
      record(store, n, n === 1 ? { verdicts: [verdict], signing: [signing] } : {})
    );
    const inMemory = (i: number, result = nthScan(i)) => ({
      info: store.scanInfo(ids[i]!),
      result,
      verdicts: null,
      signing: [],
    });
    for (const [i, j] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [0, 3],
      [3, 0],
      [1, 1],
    ] as const) {
      const later = inMemory(j);
      const beside = store.loadScanBeside(ids[i]!, later);
      expect(beside).toEqual(store.loadScan(ids[i]!));
      // Function a is the same record in every scan: taken from the later scan, not read.
      const a = (r: ScanResult) => r.functions.find((f) => f.name === 'a');
      expect(a(beside.result)).toBe(a(later.result));
    }
    expect(store.loadScanBeside(ids[1]!, inMemory(2)).verdicts).toEqual([verdict]);
    // b changed from scan 1 to 2: read from the history, never the later scan's record.
    const b = (r: ScanResult) => r.functions.find((f) => f.name === 'b');
    const later = inMemory(2);
    expect(b(store.loadScanBeside(ids[1]!, later).result)).not.toBe(b(later.result));
    expect(errorOf(() => store.loadScanBeside(ids[3]! + 1, later)).code).toBe('SCAN_NOT_FOUND');
    store.close();
  });

  it('reads the whole scan when the later records are not one to one with their facts', () => {
    const store = HistoryStore.open(db, { create: true });
    const first = nthScan(0);
    const id = store.recordScan({ result: first, startedAt: at(0), finishedAt: at(1) });
    const expected = store.loadScan(id);
    // b twice as it was and once changed: by ARN, the one shared cannot be told from the other.
    const twice = nthScan(0);
    const b = twice.functions.find((f) => f.name === 'b')!;
    twice.functions.push({ ...b, runtime: 'python3.12' });
    // a twice, equal: one fact for two records.
    const equal = nthScan(0);
    equal.functions.push({ ...equal.functions.find((f) => f.name === 'a')! });
    // The same for layer versions: base v1 twice, once as it was and once with other bytes.
    const version = nthScan(0);
    const base = version.layers.find((l) => l.name === 'base')!;
    base.versions.push({ ...base.versions[0]!, digest: digest('tools-1') });
    for (const result of [twice, equal, version]) {
      const laterId = store.recordScan({ result, startedAt: at(2), finishedAt: at(3) });
      const later = { info: store.scanInfo(laterId), result, verdicts: null, signing: [] };
      const beside = store.loadScanBeside(id, later);
      expect(beside).toEqual(expected);
      for (const f of beside.result.functions) expect(result.functions).not.toContain(f);
    }
    store.close();
  });

  it('stores each fact and each inventory once, however many scans share them', () => {
    const store = HistoryStore.open(db, { create: true });
    const asked: string[] = [];
    const sbomOf = (d: string) => {
      asked.push(d);
      return SBOMS.get(d);
    };
    record(store, 1, { sbomOf });
    expect(asked.sort()).toEqual(['base-1', 'base-2', 'base-3', 'tools-1'].map(digest).sort());
    asked.length = 0;
    record(store, 1, { sbomOf });
    record(store, 2, { sbomOf });
    // Every digest was already stored: no SBOM was asked for again.
    expect(asked).toEqual([]);
    store.close();
    const raw = new Database(db, { readonly: true });
    const count = (sql: string) => raw.prepare(sql).pluck().get() as number;
    expect(count('SELECT count(*) FROM inventory')).toBe(TAGS.length);
    // Scan 2 differs from scan 1 in function b only (and the usedBy it implies).
    expect(count("SELECT count(*) FROM fact WHERE kind = 'function'")).toBe(3);
    expect(count('SELECT count(*) FROM scan_fact')).toBe(3 * 6);
    raw.close();
  });

  it('records verdicts, signing facts and the policy digest with a verified scan', () => {
    const store = HistoryStore.open(db, { create: true });
    const verdict: Verdict = {
      subject: {
        kind: 'layer',
        name: 'base:1',
        arn: 'arn:aws:lambda:us-east-1:111111111111:layer:base:1',
      },
      mode: 'enforce',
      ok: false,
      checks: [
        { id: 'digest', kind: 'digest', outcome: 'fail', detail: 'not pinned', evidence: {} },
      ],
    };
    const id = record(store, 0, {
      verdicts: [verdict],
      policyDigest: 'sha256:' + 'ab'.repeat(32),
      signing: [
        {
          jobArn: 'arn:aws:signer:us-east-1:111111111111:/signing-jobs/j1',
          profileVersionArn: null,
          jobStatus: 'Succeeded',
          jobRevoked: true,
          profileStatus: 'Active',
          profileRevoked: false,
        },
      ],
    });
    const back = store.loadScan(id);
    expect(back.verdicts).toEqual([verdict]);
    expect(back.signing[0]!.jobRevoked).toBe(true);
    expect(back.info).toMatchObject({ verified: true, policyDigest: 'sha256:' + 'ab'.repeat(32) });
    store.close();
  });

  it('records verify --all afterwards with a scan, replacing what it had, scan facts untouched', () => {
    const store = HistoryStore.open(db, { create: true });
    const id = record(store, 0);
    const before = store.loadScan(id);
    const verdict = (ok: boolean): Verdict => ({
      subject: {
        kind: 'layer',
        name: 'base:1',
        arn: 'arn:aws:lambda:us-east-1:111111111111:layer:base:1',
      },
      mode: 'enforce',
      ok,
      checks: [],
    });
    const job = (revoked: boolean) => ({
      jobArn: 'arn:aws:signer:us-east-1:111111111111:/signing-jobs/j1',
      profileVersionArn: null,
      jobStatus: 'Succeeded',
      jobRevoked: revoked,
      profileStatus: 'Active',
      profileRevoked: false,
    });
    store.recordVerification(id, {
      verdicts: [verdict(true)],
      signing: [job(false)],
      policyDigest: 'sha256:01',
    });
    store.recordVerification(id, {
      verdicts: [verdict(false)],
      signing: [job(true)],
      policyDigest: 'sha256:02',
    });
    const back = store.loadScan(id);
    expect(back.verdicts).toEqual([verdict(false)]);
    expect(back.signing).toEqual([job(true)]);
    expect(back.info).toMatchObject({ verified: true, policyDigest: 'sha256:02' });
    expect(back.result).toEqual(before.result);
    expect(errorOf(() => store.recordVerification(id + 1, { verdicts: [] })).code).toBe(
      'SCAN_NOT_FOUND'
    );
    store.close();
  });

  it('gives back what computeChanges needs: the same changes as from the scans in memory', () => {
    const store = HistoryStore.open(db, { create: true });
    const a = store.loadScan(record(store, 0));
    const b = store.loadScan(record(store, 3));
    const fromStore = computeChanges(a, b, { inventoryOf: (d) => store.inventory(d) });
    const inMemory = computeChanges(
      { ...a, result: nthScan(0) },
      { ...b, result: nthScan(3) },
      { inventoryOf: (d) => INVENTORIES.get(d) }
    );
    expect(fromStore).toEqual(inMemory);
    expect(fromStore.summary).toMatchObject({
      'function-moved': 1,
      'layer-version-added': 1,
      'function-added': 1,
    });
    store.close();
  });

  it('finds the scan --since names', () => {
    const store = HistoryStore.open(db, { create: true });
    for (const n of [0, 1, 2]) record(store, n);
    expect(store.latestScan()).toBe(3);
    expect(store.resolveSince()).toBe(2);
    expect(store.resolveSince('1')).toBe(1);
    // Scan 2 finished at 12:11; the last one finished by 12:15 is it.
    expect(store.resolveSince('2026-11-01T12:15:00Z')).toBe(2);
    expect(errorOf(() => store.resolveSince('2026-10-01')).code).toBe('SCAN_NOT_FOUND');
    expect(errorOf(() => store.resolveSince('7')).code).toBe('SCAN_NOT_FOUND');
    expect(errorOf(() => store.resolveSince('yesterday')).code).toBe('SCAN_NOT_FOUND');
    // Date.parse reads these as 2001-11-01 and 2026-12-01 (the latest scan): refused instead.
    for (const text of ['Nov 1', '2026-11-31'])
      expect(errorOf(() => store.resolveSince(text)).message).toMatch(
        /not a scan id or an ISO 8601 date/
      );
    // Without an offset, UTC on every machine.
    expect(store.resolveSince('2026-11-01T12:15')).toBe(2);
    expect(errorOf(() => store.loadScan(9)).exitCode).toBe(2);
    store.close();
  });

  it('prunes to the newest N scans and drops what only the pruned scans used', () => {
    const store = HistoryStore.open(db, { create: true });
    const ids = [0, 1, 2, 3, 4].map((n) => record(store, n));
    const kept = ids.slice(-2).map((id) => store.loadScan(id));
    expect(store.prune(2)).toMatchObject({ scans: 3 });
    expect(store.listScans().map((s) => s.id)).toEqual(ids.slice(-2));
    expect(kept.map((k) => store.loadScan(k.info.id))).toEqual(kept);
    // base v3 and tools are still in use; nothing else was recorded.
    expect(store.prune(2)).toEqual({ scans: 0, facts: 0, inventories: 0 });
    expect(() => store.prune(0)).toThrow(RangeError);
    store.close();
    const raw = new Database(db, { readonly: true });
    const facts = raw.prepare("SELECT count(*) FROM fact WHERE kind = 'function'").pluck().get();
    // Functions a, b (on v3) and c3, c4 remain; b on v2 was used only by pruned scans.
    expect(facts).toBe(4);
    raw.close();
  });

  it('drops inventories no remaining scan refers to', () => {
    const store = HistoryStore.open(db, { create: true });
    const only = estate([{ region: E, name: 'tools', version: 1, tag: 'tools-1' }], []);
    record(store, 0);
    store.recordScan({ result: only, startedAt: at(50), finishedAt: at(51) });
    expect(store.prune(1)).toMatchObject({ scans: 1, inventories: 2 });
    expect(store.sbom(digest('base-1'))).toBeUndefined();
    expect(store.sbom(digest('tools-1'))).toBe(SBOMS.get(digest('tools-1')));
    store.close();
  });

  it('migrates a database written with schema version 1', () => {
    const raw = new Database(db);
    raw.pragma('journal_mode = WAL');
    raw.exec(MIGRATIONS[0]!);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma('user_version = 1');
    // A scan as lamina with schema 1 wrote it: no policy digest, no verdict columns.
    raw
      .prepare(
        'INSERT INTO scan (started_at, finished_at, tool_version, scope) VALUES (?, ?, ?, ?)'
      )
      .run(
        at(0).toISOString(),
        at(1).toISOString(),
        '0.0.9',
        '{"accounts":["111111111111"],"regions":["us-east-1"]}'
      );
    const fn = nthScan(0).functions[0]!;
    const factId = raw
      .prepare(
        "INSERT INTO fact (kind, hash, subject, digest, body) VALUES ('function', ?, ?, NULL, ?)"
      )
      .run(Buffer.alloc(32, 1), fn.arn, JSON.stringify(fn)).lastInsertRowid;
    raw.prepare('INSERT INTO scan_fact (scan_id, fact_id) VALUES (1, ?)').run(factId);
    raw.close();

    const store = HistoryStore.open(db);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const old = store.loadScan(1);
    expect(old.info).toMatchObject({
      toolVersion: '0.0.9',
      policyDigest: null,
      verified: false,
      functions: 1,
    });
    expect(old.result.functions).toEqual([fn]);
    const id = record(store, 1, { verdicts: [], policyDigest: 'sha256:00' });
    expect(store.loadScan(id).info).toMatchObject({ verified: true, policyDigest: 'sha256:00' });
    store.close();
  });

  it('refuses a corrupted file with a coded error and leaves it byte for byte', () => {
    const store = HistoryStore.open(db, { create: true });
    for (const n of [0, 1, 2, 3]) record(store, n);
    store.close();
    const good = readFileSync(db);
    // A damaged page in the middle of the file (past the header page).
    const bad = Buffer.from(good);
    bad.fill(0xa5, 4096, 8192);
    writeFileSync(db, bad);
    const e = errorOf(() => HistoryStore.open(db));
    expect(e.code).toBe('CORRUPT_DATABASE');
    expect(e.exitCode).toBe(2);
    expect(readFileSync(db).equals(bad)).toBe(true);

    // Not a database at all.
    writeFileSync(db, 'this is not a database\n'.repeat(100));
    expect(errorOf(() => HistoryStore.open(db, { create: true })).code).toBe('CORRUPT_DATABASE');
    expect(readFileSync(db, 'utf8')).toBe('this is not a database\n'.repeat(100));
    // Truncated to its first page.
    writeFileSync(db, good.subarray(0, 4096));
    expect(errorOf(() => HistoryStore.open(db)).code).toBe('CORRUPT_DATABASE');
    expect(readFileSync(db).equals(good.subarray(0, 4096))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['history.db']);
  });

  it('refuses a recorded scan whose stored parts were edited, naming what does not fit', () => {
    const store = HistoryStore.open(db, { create: true });
    const id = record(store, 1, { verdicts: [], signing: [] });
    store.close();
    const edit = (sql: string, ...args: unknown[]) => {
      const raw = new Database(db);
      raw.prepare(sql).run(...args);
      raw.close();
    };
    const refusal = (): HistoryError => {
      const s = HistoryStore.open(db);
      try {
        return errorOf(() => s.loadScan(id));
      } finally {
        s.close();
      }
    };
    const bodyOf = (kind: string): { id: number; body: string } => {
      const raw = new Database(db, { readonly: true });
      const row = raw
        .prepare('SELECT id, body FROM fact WHERE kind = ? ORDER BY id LIMIT 1')
        .get(kind) as { id: number; body: string };
      raw.close();
      return row;
    };
    const fn = bodyOf('function');
    const lv = bodyOf('layer-version');
    const cases: [string, () => void, RegExp][] = [
      [
        'a layer ARN made a number',
        () => {
          const f = JSON.parse(fn.body) as { layers: { arn: unknown }[] };
          f.layers[0]!.arn = 7;
          edit('UPDATE fact SET body = ? WHERE id = ?', JSON.stringify(f), fn.id);
        },
        /scan \d+ holds a function that does not fit: layers\[0\]\.arn is a number, not a string$/,
      ],
      [
        'a function cut short',
        () => edit('UPDATE fact SET body = ? WHERE id = ?', fn.body.slice(0, 20), fn.id),
        /holds a function that does not fit: it is not JSON$/,
      ],
      [
        "a layer version without its layer's name",
        () => {
          const v = JSON.parse(lv.body) as { name?: string };
          delete v.name;
          edit('UPDATE fact SET body = ? WHERE id = ?', JSON.stringify(v), lv.id);
        },
        /holds a layer-version that does not fit: name is missing$/,
      ],
      [
        'a fact of another kind',
        () => edit("UPDATE fact SET kind = 'scope' WHERE id = ?", fn.id),
        /holds a fact of a kind lamina does not know$/,
      ],
      [
        "the scan's scope",
        () => edit('UPDATE scan SET scope = ? WHERE id = ?', '{"accounts":"all"}', id),
        /holds a scope that does not fit: accounts is a string, not an array$/,
      ],
    ];
    const good = readFileSync(db);
    for (const [what, damage, message] of cases) {
      writeFileSync(db, good);
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      damage();
      const e = refusal();
      expect(e.code, what).toBe('CORRUPT_DATABASE');
      expect(e.exitCode, what).toBe(2);
      expect(e.message, what).toMatch(message);
    }
    // The same database as recorded reads back.
    writeFileSync(db, good);
    const s = HistoryStore.open(db);
    expect(s.loadScan(id).result).toEqual(nthScan(1));
    s.close();
  });

  it('refuses an inventory whose stored body or size was edited', () => {
    const store = HistoryStore.open(db, { create: true });
    record(store, 0);
    store.close();
    const d = digest('base-1');
    const sbomText = SBOMS.get(d)!;
    const cases: [string, string, unknown[], RegExp][] = [
      ['a smaller size', 'UPDATE inventory SET size = size - 1 WHERE digest = ?', [d], /size/],
      ['a size as text', "UPDATE inventory SET size = 'x' WHERE digest = ?", [d], /size/],
      [
        'a body cut short',
        'UPDATE inventory SET body = substr(body, 1, 8) WHERE digest = ?',
        [d],
        /size/,
      ],
      [
        'a body of far more than its size',
        'UPDATE inventory SET body = ? WHERE digest = ?',
        [
          brotliCompressSync(Buffer.alloc(32 * 1024 * 1024, 0x20), {
            params: { [zlib.BROTLI_PARAM_QUALITY]: 1 },
          }),
          d,
        ],
        /size/,
      ],
      [
        'another codec',
        "UPDATE inventory SET codec = 'gz' WHERE digest = ?",
        [d],
        /unknown codec gz/,
      ],
    ];
    const good = readFileSync(db);
    for (const [what, sql, args, message] of cases) {
      writeFileSync(db, good);
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      const raw = new Database(db);
      raw.prepare(sql).run(...args);
      raw.close();
      const s = HistoryStore.open(db);
      const e = errorOf(() => s.sbom(d));
      s.close();
      expect(e.code, what).toBe('CORRUPT_DATABASE');
      expect(e.exitCode, what).toBe(2);
      expect(e.message, what).toMatch(message);
    }
    writeFileSync(db, good);
    const s = HistoryStore.open(db);
    expect(s.sbom(d)).toBe(sbomText);
    s.close();
  });

  it('refuses other SQLite databases, newer schemas, directories and missing files', () => {
    const other = new Database(db);
    other.exec('CREATE TABLE notes (t TEXT)');
    other.close();
    const before = readFileSync(db);
    expect(errorOf(() => HistoryStore.open(db, { create: true })).code).toBe('NOT_A_HISTORY_DB');
    expect(readFileSync(db).equals(before)).toBe(true);

    rmSync(db);
    HistoryStore.open(db, { create: true }).close();
    const raw = new Database(db);
    raw.pragma('user_version = 99');
    raw.close();
    expect(errorOf(() => HistoryStore.open(db)).code).toBe('SCHEMA_TOO_NEW');

    mkdirSync(join(dir, 'd'));
    expect(errorOf(() => HistoryStore.open(join(dir, 'd'), { create: true })).code).toBe(
      'BAD_PATH'
    );
    const missing = errorOf(() => HistoryStore.open(join(dir, 'none.db')));
    expect(missing.code).toBe('NO_HISTORY');
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('defaults to the XDG state directory', () => {
    expect(defaultHistoryPath({ XDG_STATE_HOME: '/s' })).toBe('/s/lamina/history.db');
    expect(defaultHistoryPath({ XDG_STATE_HOME: 'relative' })).toMatch(
      /\/\.local\/state\/lamina\/history\.db$/
    );
  });
});
