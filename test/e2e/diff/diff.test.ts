/**
 * `lamina diff A B` through the real CLI: the diff fixtures (whose differences
 * scripts/fixtures-diff.mjs lists by hand) as zips and as SBOMs, layer version ARNs through the
 * local AWS endpoint, two scan results, and the exit codes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDiff } from '../../../src/diff/diff.js';
import type { Changes } from '../../../src/history/changes.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { AFTER, BEFORE, R, lv } from '../changes/estate.js';

const OLD = 'testdata/layers/diff-old.zip';
const NEW = 'testdata/layers/diff-new.zip';
let dir: string;

/** The differences scripts/fixtures-diff.mjs builds into the fixtures, written out by hand. */
function expectFixtureDiff(d: PackageDiff): void {
  expect(d.added.map((p) => `${p.name}@${p.version}`)).toEqual([
    'ansi-styles@4.3.0',
    'chalk@4.1.2',
    'color-convert@2.0.1',
    'color-name@1.1.4',
    'has-flag@4.0.0',
    'supports-color@7.2.0',
  ]);
  expect(d.removed.map((p) => `${p.name}@${p.version}`)).toEqual(['ms@2.1.3']);
  expect(d.versionChanged.map((v) => [v.name, v.from.version, v.to.version, v.direction])).toEqual([
    ['uuid', '9.0.1', '8.3.2', 'downgrade'],
  ]);
  expect(d.contentChanged.map((c) => `${c.name}@${c.version}`)).toEqual([
    'commons-cli:commons-cli@1.5.0',
  ]);
  expect(d.executables.added.map((e) => e.path)).toEqual(['bin/tool.sh']);
  expect(d.executables.removed.map((e) => e.path)).toEqual(['lib/libxshmfence.so.1']);
  expect(d.executables.changed.map((e) => e.path)).toEqual(['bin/hello.sh']);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-diff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lamina diff: local inputs', () => {
  it('two layer zips: the hand-listed differences, in text and JSON', async () => {
    const json = await runCli(['diff', OLD, NEW, '--format', 'json']);
    expect(json.code).toBe(0);
    expectFixtureDiff(JSON.parse(json.stdout) as PackageDiff);
    const text = await runCli(['diff', OLD, NEW]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('  ~ uuid 9.0.1 -> 8.3.2 (downgrade)');
    expect(text.stdout).toContain('  - ms 2.1.3');
  });

  it('two SBOMs (written by lamina sbom) give the same differences as the zips', async () => {
    const a = join(dir, 'old.cdx.json');
    const b = join(dir, 'new.cdx.json');
    expect((await runCli(['sbom', OLD, '-o', a])).code).toBe(0);
    expect((await runCli(['sbom', NEW, '-o', b])).code).toBe(0);
    const r = await runCli(['diff', a, b, '--format', 'json']);
    expect(r.code).toBe(0);
    expectFixtureDiff(JSON.parse(r.stdout) as PackageDiff);
    // An SBOM against the zip it came from: nothing differs.
    const same = await runCli(['diff', a, OLD, '--exit-code']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('no package differences');
  });

  it('Markdown to a file; --exit-code exits 1 when they differ', async () => {
    const out = join(dir, 'diff.md');
    const r = await runCli(['diff', OLD, NEW, '--format', 'markdown', '-o', out, '--exit-code']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const md = await readFile(out, 'utf8');
    expect(md).toMatch(
      /^### Package diff: <code>diff-old\.zip<\/code> → <code>diff-new\.zip<\/code>/
    );
    expect(md).toContain('<details>');
  });

  it('bad input exits 2 with one line: missing file, not an SBOM, one scan against a zip', async () => {
    const missing = await runCli(['diff', join(dir, 'nope.zip'), NEW]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^lamina: .*nope\.zip: no such file or directory \[BAD_INPUT\]\n$/
    );
    const notSbom = join(dir, 'other.json');
    await writeFile(notSbom, '{"hello": "world"}\n');
    const r = await runCli(['diff', notSbom, NEW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[NOT_CYCLONEDX]');
    const scan = join(dir, 'scan.json');
    const empty = {
      schemaVersion: 1,
      scope: { accounts: [], regions: [] },
      functions: [],
      layers: [],
      failures: [],
      drift: { layers: [], digestMismatches: [] },
    };
    await writeFile(scan, JSON.stringify(empty));
    const mixed = await runCli(['diff', scan, NEW]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('not one of each');
    const broken = join(dir, 'broken-scan.json');
    await writeFile(broken, JSON.stringify({ schemaVersion: 1, functions: [{}], layers: [] }));
    const b = await runCli(['diff', broken, broken]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/not a scan result this lamina reads .* \[BAD_INPUT\]\n$/);
    // Edited by hand where the changes walk: the field named, exit 2 (was a TypeError, exit 3).
    const edited = join(dir, 'edited-scan.json');
    await writeFile(
      edited,
      JSON.stringify({
        ...empty,
        drift: { layers: [{ name: 'x', owner: '1', region: 'r', newestVersion: 1 }] },
      })
    );
    const e = await runCli(['diff', scan, edited]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(
      `lamina: ${edited}: not a scan result this lamina reads (scan.drift.layers[0].newestDigest is missing) [BAD_INPUT]\n`
    );
    expect((await runCli(['diff', OLD])).code).toBe(2);
    expect((await runCli(['diff', OLD, NEW, '--format', 'yaml'])).code).toBe(2);
  });
});

describe('lamina diff: layer versions and scans from the local AWS endpoint', () => {
  let local: AwsLocal;
  beforeAll(async () => {
    local = await startAwsLocal(AFTER);
  });
  afterAll(async () => {
    await local?.close();
  });

  it('two layer version ARNs', async () => {
    const r = await runCli([
      'diff',
      lv('base', 2),
      lv('base', 3),
      '--format',
      'json',
      ...local.awsFlags,
    ]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as PackageDiff;
    expect(
      d.versionChanged.map((v) => [v.name, v.from.version, v.to.version, v.direction])
    ).toEqual([['left-pad', '1.1.0', '1.3.0', 'upgrade']]);
    expect(d.added).toEqual([]);
  });

  it('a layer version AWS does not have is bad input (2); an endpoint that is down, exit 3', async () => {
    const gone = await runCli(['diff', lv('base', 9), lv('base', 3), ...local.awsFlags]);
    expect(gone.code).toBe(2);
    const down = await runCli([
      'diff',
      lv('base', 2),
      lv('base', 3),
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--max-attempts',
      '1',
      '--cache-dir',
      join(dir, 'cache-down'),
    ]);
    expect(down.code).toBe(3);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });

  it('two scan results: what changed from the first to the second', async () => {
    const before = await startAwsLocal(BEFORE);
    try {
      const s1 = await runCli([
        'scan',
        '--region',
        R,
        '--out',
        join(dir, 's1'),
        ...before.awsFlags,
      ]);
      expect(s1.code).toBe(0);
    } finally {
      await before.close();
    }
    await runCli(['scan', '--region', R, '--out', join(dir, 's2'), ...local.awsFlags]);
    const r = await runCli([
      'diff',
      join(dir, 's1', 'scan.json'),
      join(dir, 's2', 'scan.json'),
      '--format',
      'json',
      '--exit-code',
    ]);
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout) as Changes;
    expect(c.digestsChanged.map((d) => d.arn)).toEqual([lv('base', 1)]);
    // Both scans' SBOMs are beside their scan.json: the republished bytes are diffed.
    expect(c.digestsChanged[0]!.diff!.added.map((p) => p.name)).toEqual(['event-stream']);
    expect(c.layerVersionsAdded.map((l) => l.arn)).toEqual([lv('base', 3)]);

    // A scan directory lamina did not write may hold anything at an SBOM's path: a FIFO is not
    // waited on and a device not read; that SBOM is left out and its diff is unavailable.
    const from = c.digestsChanged[0]!.from;
    const sbom = join(dir, 's1', 'sboms', `${from.slice('sha256:'.length)}.cdx.json`);
    await readFile(sbom); // the SBOM the first diff read is there
    await rm(sbom);
    execFileSync('mkfifo', [sbom]);
    const fifo = spawnCli(
      ['diff', join(dir, 's1', 'scan.json'), join(dir, 's2', 'scan.json'), '--format', 'json'],
      { timeoutMs: 60_000 }
    );
    expect(fifo.code).toBe(0);
    const f = JSON.parse(fifo.stdout) as Changes;
    expect(f.digestsChanged.map((d) => d.arn)).toEqual([lv('base', 1)]);
    expect(f.digestsChanged[0]!.diff).toBeNull();
    await rm(sbom);
    await symlink('/dev/zero', sbom);
    const zero = spawnCli(
      ['diff', join(dir, 's1', 'scan.json'), join(dir, 's2', 'scan.json'), '--format', 'json'],
      { timeoutMs: 60_000 }
    );
    expect(zero.code).toBe(0);
    expect((JSON.parse(zero.stdout) as Changes).digestsChanged[0]!.diff).toBeNull();

    // The parts of a scan the changes do not read (its layer diffs) must still be JSON.
    const s2 = JSON.parse(await readFile(join(dir, 's2', 'scan.json'), 'utf8')) as ScanResult;
    const broken = join(dir, 's2', 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({ ...s2, drift: { ...s2.drift, layerDiffs: [] } }).replace(
        '"layerDiffs":[]',
        '"layerDiffs":[tru]'
      )
    );
    const b = await runCli(['diff', join(dir, 's1', 'scan.json'), broken]);
    expect(b.code).toBe(2);
  });
});
