/**
 * `lamina scan --history`, `verify --all --history` and `lamina changes` end to end: the real CLI
 * against the local AWS endpoint (real SDK clients over HTTP), the estate scanned before and
 * after one change of each kind, the history in a real SQLite file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startAwsLocal } from '@lamina/aws-local/testing';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Changes } from '../../../src/history/changes.js';
import { runCli } from '../helpers/cli.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
import { AFTER, BEFORE, POLICY, R, fn, jobArn, lv } from './estate.js';

let dir: string;
let db: string;
let policy: string;
const runs: Record<string, { code: number; stdout: string; stderr: string }> = {};

/** Scan (and verify) one moment of the estate into the shared history. */
async function scanMoment(name: string, estate: string): Promise<void> {
  const local = await startAwsLocal(estate);
  try {
    const out = join(dir, name);
    runs[`scan-${name}`] = await runCli([
      'scan',
      '--region',
      R,
      '--out',
      out,
      '--history',
      db,
      '--html',
      join(out, 'report.html'),
      '--markdown',
      join(out, 'report.md'),
      ...local.awsFlags,
    ]);
    runs[`verify-${name}`] = await runCli([
      'verify',
      '--all',
      '--history',
      db,
      '--policy',
      policy,
      '--region',
      R,
      ...local.awsFlags,
    ]);
  } finally {
    await local.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-changes-'));
  db = join(dir, 'history.db');
  policy = join(dir, 'policy.yaml');
  await writeFile(policy, POLICY);
  await scanMoment('before', BEFORE);
  await scanMoment('after', AFTER);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scan --history and verify --all --history', () => {
  it('records each scan, says what changed since the last one, and writes the reports', () => {
    const before = runs['scan-before']!;
    expect(before.code).toBe(0);
    expect(before.stderr).toContain(`recorded as scan 1 in ${db}`);
    expect(before.stderr).not.toContain('since scan');
    // The package drift is in the text report: old still runs base v1.
    expect(before.stdout).toContain('Package drift');
    expect(before.stdout).toMatch(/base us-east-1 v1 -> v2 \(1 function\): 1 upgraded/);

    const after = runs['scan-after']!;
    // tools v1 was deleted while worker still uses it: the scan could not complete.
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/recorded as scan 2 in .*; \d+ change\(s\) since scan 1/);
    const html = readFileSync(join(dir, 'after', 'report.html'), 'utf8');
    expect(html).toContain('Changes since scan 1');
    expect(html).toMatch(/^<!doctype html>/i);
    const md = readFileSync(join(dir, 'after', 'report.md'), 'utf8');
    expect(md).toContain('## lamina scan');
    expect(md).toContain('Changes from scan 1');
    // The scan result carries the package drift.
    const scan = JSON.parse(readFileSync(join(dir, 'after', 'scan.json'), 'utf8')) as {
      drift: { layerDiffs?: unknown[]; packages?: { key: string }[] };
    };
    expect(scan.drift.packages?.map((p) => p.key)).toContain('pkg:npm/event-stream');
  });

  it('records the verdicts with the scan verify ran after', () => {
    expect(runs['verify-before']!.stderr).toContain(`verdicts recorded with scan 1 in ${db}`);
    // event-stream is denied by the policy: the republished base v1 fails.
    expect(runs['verify-after']!.code).toBe(1);
    expect(runs['verify-after']!.stderr).toContain(`verdicts recorded with scan 2 in ${db}`);
  });

  it('names the policy of the verdicts by the digest of the bytes verify read', async () => {
    const list = JSON.parse(
      (await runCli(['history', 'list', '--db', db, '--format', 'json'])).stdout
    ) as { scans: { verified: boolean; policyDigest: string | null }[] };
    const digest = `sha256:${createHash('sha256').update(POLICY).digest('hex')}`;
    expect(list.scans.map((s) => [s.verified, s.policyDigest])).toEqual([
      [true, digest],
      [true, digest],
    ]);
  });
});

describe('lamina changes', () => {
  it('reports each change and exits 1 on the default kinds (republished, revoked)', async () => {
    const r = await runCli(['changes', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Changes from scan 1');
    expect(r.stdout).toMatch(
      /Republished under the same version number \(other bytes\) \(1\) {2}\[fails: --fail-on\]/
    );
    expect(r.stdout).toContain(`${lv('base', 1)}  sha256:`);
    expect(r.stdout).toMatch(/Signing jobs or profiles revoked \(1\) {2}\[fails: --fail-on\]/);
    expect(r.stdout).toContain(`job  ${jobArn}  was not revoked`);
    expect(r.stdout).toContain(`Layer versions published (1)`);
    expect(r.stdout).toContain(lv('base', 3));
    expect(r.stdout).toMatch(/api \(us-east-1\) {2}base {2}v2 {2}v3/);
    expect(r.stdout).toMatch(/Functions added \(2\)\n {2}fresh \(us-east-1\)/);
    // worker's Handler now names a layer's data file, tracer's is now read by Node.js, and
    // tracer:1, published since, has one no version of tracer had: their own kind, failing by
    // default.
    expect(r.stdout).toMatch(
      /Functions whose Handler now makes the runtime load other code \(3\) {2}\[fails: --fail-on\]\n {2}tracer \(us-east-1\) {2}"\/opt\/nodejs\/tracer\.handler" \(nodejs20\.x\) {2}"\/opt\/nodejs\/tracer\.handler" \(provided\.al2023\) {2}function:handler fails it unless handler\.allow lists it: \/opt\/nodejs\/tracer .*\n {2}tracer:1 \(us-east-1\) {2}"\/opt\/share\/doc\/y\.handler" \(nodejs20\.x\) {2}"\/opt\/nodejs\/tracer\.handler" \(provided\.al2023\) \(of \$LATEST: a version published since\) {2}function:handler fails it unless handler\.allow lists it: \/opt\/share\/doc\/y .*\n {2}worker \(us-east-1\) {2}"\/opt\/share\/doc\/x\.handler" {2}"index\.handler" {2}function:handler fails it unless handler\.allow lists it: \/opt\/share\/doc\/x /
    );
    // tracer:1 also sets NODE_OPTIONS no version of tracer set.
    expect(r.stdout).toMatch(
      /Functions whose environment now makes the runtime load other code \(1\) {2}\[fails: --fail-on\]\n {2}tracer:1 \(us-east-1\) {2}NODE_OPTIONS="--require \/opt\/nodejs\/hook\.js" {2}\(none\) \(of \$LATEST: a version published since\)/
    );
    expect(r.stdout).not.toContain('Not compared');
  });

  it('as JSON: every kind counted, the republished version diffed at package level', async () => {
    const r = await runCli(['changes', '--db', db, '--format', 'json', '--policy', policy]);
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout) as Changes & { failing: string[] };
    expect(c.summary).toMatchObject({
      'digest-changed': 1,
      'signing-revoked': 1,
      'package-denied': 1,
      'layer-version-added': 1,
      'layer-version-removed': 1,
      'function-added': 2,
      'function-moved': 1,
      'function-handler': 3,
      'function-environment': 1,
      'failure-new': 1,
    });
    expect(c.failing).toEqual([
      'digest-changed',
      'signing-revoked',
      'package-denied',
      'function-environment',
      'function-handler',
    ]);
    const tracer1 = fn('tracer').replace('$LATEST', '1');
    expect(c.functionsHandler).toEqual([
      {
        function: fn('tracer'),
        runtime: 'nodejs20.x',
        runtimeBefore: 'provided.al2023',
        from: '/opt/nodejs/tracer.handler',
        to: '/opt/nodejs/tracer.handler',
        target: 'outside',
        loads:
          "/opt/nodejs/tracer (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
      },
      {
        function: tracer1,
        runtime: 'nodejs20.x',
        runtimeBefore: 'provided.al2023',
        from: '/opt/nodejs/tracer.handler',
        to: '/opt/share/doc/y.handler',
        comparedWith: fn('tracer'),
        target: 'outside',
        loads:
          "/opt/share/doc/y (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
      },
      {
        function: fn('worker'),
        runtime: 'nodejs20.x',
        runtimeBefore: 'nodejs20.x',
        from: 'index.handler',
        to: '/opt/share/doc/x.handler',
        target: 'outside',
        loads:
          "/opt/share/doc/x (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
      },
    ]);
    expect(c.digestsChanged[0]!.diff!.added.map((p) => p.name)).toEqual(['event-stream']);
    expect(c.packagesDenied.map((p) => [p.name, p.version, p.functions])).toEqual([
      ['event-stream', '3.3.6', [fn('old')]],
    ]);
    expect(c.functionsAdded).toEqual([fn('fresh'), tracer1]);
    // tracer:1 sets a variable that loads code no version of tracer set: not only function-added.
    expect(c.functionsEnvironment).toEqual([
      {
        function: tracer1,
        loaders: [{ name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' }],
        before: [],
        comparedWith: fn('tracer'),
      },
    ]);
    expect(c.layerVersionsRemoved.map((l) => l.arn)).toEqual([lv('tools', 1)]);
  });

  it('--html: the later scan with its recorded verdicts, package drift and the changes', async () => {
    const html = join(dir, 'changes.html');
    const r = await runCli(['changes', '--db', db, '--html', html, '--fail-on', 'none']);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('id="verdicts-h"');
    expect(page).toContain('Changes since scan 1');
    // The report's data: the failing verdict of the republished base v1 (event-stream denied).
    const data = JSON.parse(
      /<script type="application\/json" id="lamina-data">([^]*?)<\/script>/.exec(page)![1]!
    ) as { verdicts: { ok: boolean; arn: string | null }[]; packages: { key: string }[] };
    expect(data.verdicts.find((v) => v.arn === lv('base', 1))?.ok).toBe(false);
    // Deployed at two versions (old on base v1, api and fresh on v3): from the recorded inventories.
    expect(data.packages.map((p) => p.key)).toEqual(['pkg:npm/left-pad']);
  });

  it('--fail-on chooses the kinds that fail: none, one that occurred, one that did not', async () => {
    expect((await runCli(['changes', '--db', db, '--fail-on', 'none'])).code).toBe(0);
    expect((await runCli(['changes', '--db', db, '--fail-on', 'function-added'])).code).toBe(1);
    expect((await runCli(['changes', '--db', db, '--fail-on', 'function-removed'])).code).toBe(0);
    const bad = await runCli(['changes', '--db', db, '--fail-on', 'everything']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown kind "everything"/);
  });

  it('--since a scan id or a date; Markdown with the summary table first', async () => {
    const same = await runCli(['changes', '--db', db, '--since', '2', '--fail-on', 'none']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/scan 2 is not earlier than scan 2/);
    const md = await runCli(['changes', '--db', db, '--since', '1', '--format', 'markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout.split('\n')[0]).toMatch(/^## Changes from scan 1/);
    expect(md.stdout).toContain('| Change | Kind | Count |');
    expect(md.stdout).toContain('<details>');
    const early = await runCli(['changes', '--db', db, '--since', '2000-01-01']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('[SCAN_NOT_FOUND]');
    // Not a scan reference at all: a usage error, told before any database is opened.
    for (const flag of ['--since', '--until']) {
      const bad = await runCli(['changes', '--db', join(dir, 'nope.db'), flag, 'last week']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(
        `lamina: ${flag}: not a scan id or an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], UTC unless it ends in an offset such as +02:00): "last week" [BAD_ARGUMENT]\n`
      );
    }
  });

  it('missing or damaged history: a clear error, exit 2, the file left as it was', async () => {
    const none = await runCli(['changes', '--db', join(dir, 'nope.db')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`lamina: no history at ${join(dir, 'nope.db')} [NO_HISTORY]\n`);
    expect(existsSync(join(dir, 'nope.db'))).toBe(false);

    const bad = join(dir, 'bad.db');
    const garbage = Buffer.from('SQLite format 3\0' + 'x'.repeat(4096));
    await writeFile(bad, garbage);
    const r = await runCli(['changes', '--db', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lamina: history .*bad\.db .*\[CORRUPT_DATABASE\]\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(bad).equals(garbage)).toBe(true);
  });

  it('a recorded scan edited in the database: exit 2 naming the field, never a stack trace', async () => {
    // A copy of the history both scans were recorded in, one function's layer ARN made a number.
    const edited = join(dir, 'edited.db');
    const source = new Database(db, { readonly: true });
    await source.backup(edited);
    source.close();
    const raw = new Database(edited);
    const row = raw
      .prepare(
        "SELECT id, body FROM fact WHERE kind = 'function' AND body LIKE '%\"layers\":[{%' LIMIT 1"
      )
      .get() as { id: number; body: string };
    const f = JSON.parse(row.body) as { layers: { arn: unknown }[] };
    f.layers[0]!.arn = 42;
    raw.prepare('UPDATE fact SET body = ? WHERE id = ?').run(JSON.stringify(f), row.id);
    raw.close();
    const before = readFileSync(edited);
    const r = await runCli(['changes', '--db', edited]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^lamina: history .*edited\.db: scan \d holds a function that does not fit: layers\[0\]\.arn is a number, not a string \[CORRUPT_DATABASE\]\n$/
    );
    expect(readFileSync(edited).equals(before)).toBe(true);
  });

  it('scan --history refuses a damaged history before scanning (nothing written)', async () => {
    const bad = join(dir, 'not-sqlite.db');
    await writeFile(bad, 'this is not a database\n');
    const out = join(dir, 'refused');
    const r = await runCli([
      'scan',
      '--region',
      R,
      '--out',
      out,
      '--history',
      bad,
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CORRUPT_DATABASE]');
    expect(existsSync(join(out, 'scan.json'))).toBe(false);
    expect(readFileSync(bad, 'utf8')).toBe('this is not a database\n');
  });

  it('verify --history without --all is a usage error; without a recorded scan exit 2', async () => {
    const r = await runCli(['verify', 'x.zip', '--history', db, '--policy', policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--history goes with --all');
    // Checked before anything is read from AWS (the endpoint here does not exist).
    const none = join(dir, 'empty.db');
    const v = await runCli([
      'verify',
      '--all',
      '--history',
      none,
      '--policy',
      policy,
      '--region',
      R,
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe(`lamina: no history at ${none} [NO_HISTORY]\n`);
    const other = await runCli([
      'verify',
      '--all',
      '--history',
      db,
      '--policy',
      policy,
      '--region',
      'eu-west-1',
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/covers us-east-1, not eu-west-1: run 'lamina scan --history'/);
  });
});
