/**
 * `lamina history list|prune` through the real CLI, on a history two scans of the local AWS
 * endpoint recorded at the default location; and what every history command says when the
 * SQLite binding is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILT_CLI, REPO_ROOT, runCli } from '../helpers/cli.js';
import { BEFORE, R } from '../changes/estate.js';

let dir: string;
let local: AwsLocal;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-history-'));
  // The documented default: $XDG_STATE_HOME/lamina/history.db.
  vi.stubEnv('XDG_STATE_HOME', join(dir, 'state'));
  db = join(dir, 'state', 'lamina', 'history.db');
  local = await startAwsLocal(BEFORE);
  for (const n of [1, 2, 3]) {
    const r = await runCli([
      'scan',
      '--history',
      '--region',
      R,
      '--out',
      join(dir, `out${n}`),
      ...local.awsFlags,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The same estate each time: the changes the scan computes as it records are none.
    if (n > 1) expect(r.stderr).toContain(`as scan ${n} in ${db}; 0 change(s) since scan ${n - 1}`);
  }
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await local?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lamina history', () => {
  it('list: the scans recorded at the default location, oldest first', async () => {
    expect(existsSync(db)).toBe(true);
    const r = await runCli(['history', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`History ${db}: 3 scans`);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '3']);
    // 4 functions and 3 layer versions each, nothing failed, no verdicts.
    expect(lines[2]).toMatch(/^\s+1\s+\S+Z\s+4\s+3\s+0\s+no$/);
    const json = JSON.parse((await runCli(['history', 'list', '--format', 'json'])).stdout) as {
      db: string;
      scans: { id: number; functions: number; verified: boolean }[];
    };
    expect(json.db).toBe(db);
    expect(json.scans.map((s) => [s.id, s.functions, s.verified])).toEqual([
      [1, 4, false],
      [2, 4, false],
      [3, 4, false],
    ]);
  });

  it('an unchanged estate: changes finds nothing and exits 0 even on --fail-on any', async () => {
    const r = await runCli(['changes', '--fail-on', 'any']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Changes from scan 2 \(\S+\) to scan 3 \(\S+\)\n {2}nothing changed\n/
    );
    // base v2 is signed, and no verify --all recorded its status: said, not hidden.
    expect(r.stdout).toContain(
      'Not compared (changes of these kinds may be missing):\n  scan 3 recorded no signing status'
    );
  });

  it('prune --keep N keeps the newest N; usage errors exit 2', async () => {
    const r = await runCli(['history', 'prune', '--keep', '1', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept the newest 1 scan; removed 2 scans, /);
    const list = await runCli(['history', 'list', '--db', db]);
    expect(list.stdout).toContain(': 1 scan\n');
    expect(list.stdout).toMatch(/\n\s+3\s/);
    // One scan left: nothing to compare with.
    const c = await runCli(['changes', '--db', db]);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(`lamina: history ${db} has no previous scan [SCAN_NOT_FOUND]\n`);

    for (const argv of [
      ['history'],
      ['history', 'show'],
      ['history', 'prune', '--db', db],
      ['history', 'prune', '--keep', '0', '--db', db],
      ['history', 'list', '--keep', '1', '--db', db],
    ]) {
      const u = await runCli(argv);
      expect(u.code, argv.join(' ')).toBe(2);
      expect(u.stderr).toMatch(/^lamina: .*\[(MISSING_ARGUMENT|BAD_ARGUMENT)\]\n$/s);
    }
    expect((await runCli(['history', 'list', '--db', join(dir, 'none.db')])).code).toBe(2);
    expect(statSync(db).size).toBeGreaterThan(0);
  });
});

describe('without the SQLite binding', () => {
  // The built CLI in a child, so the preload can hide the package (npm test builds first).
  it('every history command says better-sqlite3 is missing and exits 3', () => {
    for (const argv of [
      ['history', 'list', '--db', db],
      ['changes', '--db', db],
      ['scan', '--history', db, '--region', R, '--endpoint-url', 'http://127.0.0.1:9'],
    ]) {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          pathToFileURL(join(REPO_ROOT, 'test/e2e/history/no-sqlite.mjs')).href,
          BUILT_CLI,
          ...argv,
        ],
        { cwd: dir, encoding: 'utf8' }
      );
      expect(r.status, argv.join(' ')).toBe(3);
      expect(r.stderr).toMatch(
        /^lamina: the history needs the optional dependency better-sqlite3, which is not installed .*\[SQLITE_UNAVAILABLE\]\n$/
      );
    }
  });
});
