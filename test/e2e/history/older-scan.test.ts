/**
 * `lamina changes` against a history whose earlier scan an older lamina recorded: its scan.json
 * had no `environment` (nor `handler`) for any function version, which says nothing of what
 * was set. Compared with a scan that records them, that is said once per kind, never reported
 * as every loader variable set since; between two scans that both record them, a change still
 * is. The scans are of the local AWS endpoint through the real CLI, the history a real SQLite
 * file.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsLocal } from '@lamina/aws-local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Changes } from '../../../src/history/changes.js';
import { HistoryStore } from '../../../src/history/store.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { runCli } from '../helpers/cli.js';

const HOME = '222222222222';
const R = 'us-east-1';
const fn = (name: string) => `arn:aws:lambda:${R}:${HOME}:function:${name}`;

/** hooked sets NODE_OPTIONS; later its hook, and plain's Handler, change, and hooked:1 is published. */
function estate(later: boolean): string {
  const hook = later ? '--import /opt/nodejs/other.mjs' : '--require /opt/nodejs/hook.js';
  return `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAOLDERSCANHOME001, secretAccessKey: home-secret }]
    regions:
      ${R}:
        layers:
          - name: base
            versions:
              - generate: { files: { nodejs/node_modules/x/package.json: '{"name":"x","version":"1.0.0","license":"MIT"}' } }
        functions:
          - { name: hooked, layers: ['base:1'], environment: { variables: { NODE_OPTIONS: '${hook}' } }${later ? `, versions: [{ version: 1, layers: ['base:1'], environment: { variables: { NODE_PATH: /tmp/modules } } }]` : ''} }
          - { name: plain, layers: ['base:1'], handler: ${later ? '/opt/share/doc/x.handler' : 'index.handler'} }
`;
}

let dir: string;
let db: string;

/** Scan the estate at one moment: into the history, or only to `out`. */
async function scan(text: string, args: string[]): Promise<void> {
  const local = await startAwsLocal(text);
  try {
    const r = await runCli(['scan', '--region', R, '--quiet', ...args, ...local.awsFlags]);
    expect(r.code, r.stderr).toBe(0);
  } finally {
    await local.close();
  }
}

async function changes(...args: string[]): Promise<{ code: number; json: Changes }> {
  const r = await runCli(['changes', '--db', db, '--format', 'json', ...args]);
  return { code: r.code, json: JSON.parse(r.stdout) as Changes };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-older-scan-'));
  db = join(dir, 'history.db');
  // Scan 1 as a lamina before environments and Handlers were recorded wrote it.
  const out = join(dir, 'older');
  await scan(estate(false), ['--out', out]);
  const result = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as ScanResult;
  for (const f of result.functions) {
    delete f.environment;
    delete f.handler;
  }
  const store = HistoryStore.open(db, { create: true });
  try {
    const at = new Date('2026-11-01T00:00:00Z');
    store.recordScan({ result, startedAt: at, finishedAt: at });
  } finally {
    store.close();
  }
  // Scan 2: the same estate, by this lamina; scan 3: after the changes.
  await scan(estate(false), ['--out', join(dir, 'same'), '--history', db]);
  await scan(estate(true), ['--out', join(dir, 'later'), '--history', db]);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('changes from a scan an older lamina recorded', () => {
  it('the same estate: no loader variable nor Handler reported, each kind not compared said once', async () => {
    const { code, json } = await changes('--since', '1', '--until', '2');
    expect(json.functionsEnvironment).toEqual([]);
    expect(json.functionsHandler).toEqual([]);
    expect(json.unavailable).toEqual([
      'scan 1 recorded no Handlers (scanned by an earlier lamina): Handler changes of 2 function versions not compared',
      'scan 1 recorded no environments (scanned by an earlier lamina): environment changes of 2 function versions not compared',
    ]);
    expect(code).toBe(0);
  });

  it('the estate changed since: still not compared with it, not guessed', async () => {
    const { json } = await changes('--since', '1', '--until', '3');
    expect(json.functionsEnvironment).toEqual([]);
    expect(json.functionsHandler).toEqual([]);
    // hooked, plain, and hooked:1 published since.
    expect(json.unavailable).toContain(
      'scan 1 recorded no environments (scanned by an earlier lamina): environment changes of 3 function versions not compared'
    );
  });

  it('between two scans that both recorded them, the changes are reported and fail', async () => {
    const { code, json } = await changes();
    expect(json.from.scan).toBe(2);
    expect(json.to.scan).toBe(3);
    expect(json.functionsEnvironment).toEqual([
      {
        function: fn('hooked:$LATEST'),
        loaders: [{ name: 'NODE_OPTIONS', value: '--import /opt/nodejs/other.mjs' }],
        before: [{ name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' }],
      },
      {
        function: fn('hooked:1'),
        loaders: [{ name: 'NODE_PATH', value: '/tmp/modules' }],
        before: [{ name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' }],
        comparedWith: fn('hooked:$LATEST'),
      },
    ]);
    expect(json.functionsHandler.map((h) => [h.function, h.from, h.to])).toEqual([
      [fn('plain:$LATEST'), 'index.handler', '/opt/share/doc/x.handler'],
    ]);
    expect(json.unavailable.filter((u) => u.includes('recorded no'))).toEqual([]);
    expect(code).toBe(1);
  });
});
