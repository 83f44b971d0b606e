import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { SCAN_HEAP_GROWING_PERCENT } from '../../../src/cli/heap.js';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { SIGNER_ESTATE, SIGNER_POLICY } from './estate.js';

// What the bounds save is measured by benchmarks (BENCHMARKS.md); here, which bounds each kind
// of verify sets: the V8 flags the process set, recorded by a preload wrapping V8's setter.
const PRELOAD = `
import { writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
const v8 = createRequire(import.meta.url)('node:v8');
const set = v8.setFlagsFromString;
const seen = [];
v8.setFlagsFromString = (flag) => {
  seen.push(flag);
  set(flag);
};
syncBuiltinESMExports();
process.on('exit', () => writeSync(2, '\\nlamina-test-v8-flags ' + JSON.stringify(seen) + '\\n'));
`;

let h: AwsLocal;
let policy: string;
let dir: string;
let preload: string;
beforeAll(async () => {
  h = await startAwsLocal(SIGNER_ESTATE);
  policy = await h.file('policy.yaml', SIGNER_POLICY);
  dir = mkdtempSync(join(tmpdir(), 'lamina-verify-heap-'));
  preload = join(dir, 'flags.mjs');
  writeFileSync(preload, PRELOAD);
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The V8 flags `lamina ARGV` set (asynchronously: the endpoint runs in this process). */
function flagsSet(argv: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(preload).href, BUILT_CLI, ...argv],
      { cwd: REPO_ROOT, encoding: 'utf8' },
      (err, _stdout, stderr) => {
        // A policy failure (exit 1) is a verdict: the work ran.
        if (err && err.code !== 1) return reject(new Error(`${err.message}\n${stderr}`));
        const line = stderr.trim().split('\n').at(-1) ?? '';
        if (!line.startsWith('lamina-test-v8-flags ')) return reject(new Error(stderr));
        resolve(JSON.parse(line.slice('lamina-test-v8-flags '.length)) as string[]);
      }
    );
  });
}

describe('verify: a scan heap for --all, a small young generation for one layer', () => {
  it('bounds the heap growth of verify --all as a scan does', async () => {
    const flags = await flagsSet([
      'verify',
      '--all',
      '--region',
      'us-east-1',
      '--policy',
      policy,
      '-q',
      ...h.awsFlags,
    ]);
    expect(flags).toContain(`--heap-growing-percent=${SCAN_HEAP_GROWING_PERCENT}`);
  }, 60_000);

  it('leaves the growth factor to V8 for one layer', async () => {
    const layer = join(REPO_ROOT, 'testdata', 'layers', 'sample-layer.zip');
    const flags = await flagsSet([
      'verify',
      layer,
      '--layer-name',
      'l-good',
      '--policy',
      policy,
      '-q',
      ...h.awsFlags,
    ]);
    expect(flags.filter((f) => f.startsWith('--heap-growing-percent'))).toEqual([]);
  }, 60_000);
});
