/**
 * The history under real processes: two writers at once, and a writer killed in the middle of
 * its transaction. The children run the built store (dist/), as `lamina scan --history` would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estate, type FunctionSpec } from '../estate/testing/estate.js';
import type { ScanResult } from '../scan/result.js';
import { HistoryStore } from './store.js';

const STORE = fileURLToPath(new URL('../../dist/src/history/store.js', import.meta.url));

/** A scan of `n` functions, each on its own layer version: every scan brings new facts. */
function bigScan(tag: string, n: number): ScanResult {
  return estate(
    [{ region: 'us-east-1', name: `layer-${tag}`, version: 1, tag: `t-${tag}` }],
    Array.from({ length: n }, (_, i): FunctionSpec => [
      'us-east-1',
      `fn-${tag}-${i}`,
      [[`layer-${tag}`, 1]],
    ])
  );
}

/**
 * Child: record every scan in the JSON file, one transaction each. With `--stall`, the last
 * scan stops inside its transaction (after the first progress report) until killed.
 */
const CHILD = `
import { readFileSync, writeSync } from 'node:fs';
const { HistoryStore } = await import(process.argv[1]);
const [db, file, stall] = process.argv.slice(2);
const scans = JSON.parse(readFileSync(file, 'utf8'));
const store = HistoryStore.open(db, { create: true, busyTimeoutMs: 120000 });
scans.forEach((result, i) => {
  const last = i === scans.length - 1;
  store.recordScan({
    result,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
    finishedAt: new Date(Date.UTC(2026, 0, 1, 0, i, 30)),
    onProgress: () => {
      if (!(stall && last)) return;
      writeSync(1, 'in-transaction\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    },
  });
  writeSync(1, 'recorded ' + i + '\\n');
});
store.close();
`;

function child(db: string, scansFile: string, stall = false): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      CHILD,
      pathToFileURL(STORE).href,
      db,
      scansFile,
      ...(stall ? ['stall'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
}

function exited(
  p: ChildProcess
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal, stderr }))
  );
}

let dir: string;
beforeAll(() => {
  if (!existsSync(STORE)) throw new Error(`${STORE} is missing: run npm run build first`);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-history-proc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('history across processes', () => {
  it('keeps every scan of two processes recording at the same time', async () => {
    const db = join(dir, 'h.db');
    const files = ['a', 'b'].map((w) => {
      const f = join(dir, `${w}.json`);
      writeFileSync(
        f,
        JSON.stringify(Array.from({ length: 12 }, (_, i) => bigScan(`${w}${i}`, 400)))
      );
      return f;
    });
    const results = await Promise.all(files.map((f) => exited(child(db, f))));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });

    const store = HistoryStore.open(db);
    const scans = store.listScans();
    expect(scans).toHaveLength(24);
    // Each scan holds exactly its own 400 functions: no writer's rows leaked into another's scan.
    for (const s of scans) {
      const r = store.loadScan(s.id).result;
      expect(r.functions).toHaveLength(400);
      const tags = new Set(r.functions.map((f) => f.name.split('-')[1]));
      expect(tags.size).toBe(1);
    }
    const tags = scans
      .map((s) => store.loadScan(s.id).result.functions[0]!.name.split('-')[1])
      .sort();
    expect(tags).toEqual(
      [
        ...Array.from({ length: 12 }, (_, i) => `a${i}`),
        ...Array.from({ length: 12 }, (_, i) => `b${i}`),
      ].sort()
    );
    store.close();
  });

  it('creates one history when several processes open a new one at once', async () => {
    // The race is narrow (CI saw it once in many runs), so several rounds of six openers.
    const none = join(dir, 'none.json');
    writeFileSync(none, '[]');
    for (let round = 0; round < 4; round++) {
      const db = join(dir, `h${round}.db`);
      const results = await Promise.all(Array.from({ length: 6 }, () => exited(child(db, none))));
      for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
      const store = HistoryStore.open(db);
      expect(store.listScans()).toEqual([]);
      store.close();
    }
  });

  it('leaves the history as it was when a scan is killed half-way through recording', async () => {
    const db = join(dir, 'h.db');
    const file = join(dir, 'scans.json');
    const first = bigScan('first', 50);
    writeFileSync(file, JSON.stringify([first, bigScan('killed', 5000)]));
    const p = child(db, file, true);
    const done = exited(p);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      p.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('in-transaction')) resolve();
      });
      p.on('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    p.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const store = HistoryStore.open(db);
    expect(store.listScans().map((s) => s.functions)).toEqual([50]);
    expect(store.loadScan(1).result).toEqual(first);
    // And the history takes the next scan as usual.
    const id = store.recordScan({
      result: bigScan('after', 3),
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    expect(store.listScans().map((s) => s.id)).toEqual([1, id]);
    store.close();
  });
});
