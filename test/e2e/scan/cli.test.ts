import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScanResult } from '../../../src/scan/result.js';
import { runCli } from '../helpers/cli.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  h = undefined;
});

describe('lamina scan (command)', () => {
  it('uses the default credential chain, writes scan.json and exits 3 on failures', async () => {
    // The SDK's default chain reads the environment startAwsLocal sets; no shared files.
    h = await startHarness(SCAN_ESTATE);
    const out = join(h.dir, 'out');
    const c = await runCli([
      'scan',
      '--endpoint-url',
      h.endpoint.url,
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--output-dir',
      out,
      '--cache-dir',
      join(h.dir, 'cache'),
      '--page-size',
      '3',
    ]);
    expect(c.code).toBe(3);
    expect(c.stdout).toContain('Layer shared (owner 111111111111)');
    expect(c.stdout).toContain('Failed (2)');
    // Not a terminal: no progress line, only the closing summary.
    expect(c.stderr).not.toContain('\r');
    const result = JSON.parse(await readFile(join(out, 'scan.json'), 'utf8')) as ScanResult;
    expect(result.schemaVersion).toBe(1);
    expect(result.functions).toHaveLength(9);

    // eu-west-1 alone, with more flags.
    const scanEu = (...more: string[]) =>
      runCli([
        'scan',
        '--endpoint-url',
        h!.endpoint.url,
        '--region',
        'eu-west-1',
        '--output-dir',
        out,
        '--cache-dir',
        join(h!.dir, 'cache'),
        ...more,
      ]);
    const again = await scanEu('--format', 'json');
    expect(again.code).toBe(0);
    const eu = JSON.parse(again.stdout) as ScanResult;
    expect(eu.functions.map((f) => f.name)).toEqual(['eu-api']);
    expect(eu.failures).toEqual([]);
    // Written in chunks, to stdout or to -o FILE: byte for byte scan.json.
    expect(again.stdout).toBe(await readFile(join(out, 'scan.json'), 'utf8'));
    const copy = join(h.dir, 'scan-copy.json');
    expect((await scanEu('--format', 'json', '-o', copy)).stdout).toBe('');
    expect(await readFile(copy, 'utf8')).toBe(again.stdout);
    const text = await scanEu();
    expect(text.stdout).toContain('Layer ');
    const report = join(h.dir, 'report.txt');
    await scanEu('-o', report);
    expect(await readFile(report, 'utf8')).toBe(text.stdout);
  });

  it('draws a progress line on a terminal', async () => {
    h = await startHarness(SCAN_ESTATE);
    const c = await runCli(
      [
        'scan',
        '--endpoint-url',
        h.endpoint.url,
        '--region',
        'eu-west-1',
        '--output-dir',
        join(h.dir, 'o'),
        '--cache-dir',
        join(h.dir, 'cache'),
      ],
      { isTty: true }
    );
    expect(c.stderr).toContain('\r\u001b[Klayers 1/1');
    // The end of the scan says what runs after the last download, in the order it runs.
    const end = [
      'building the result (functions: 1, layer versions: 1)',
      'package drift (functions: 1)',
      'writing scan.json',
    ].map((line) => c.stderr.indexOf(`\r\u001b[K${line}`));
    expect(end.every((at) => at >= 0)).toBe(true);
    expect([...end].sort((a, b) => a - b)).toEqual(end);
    // The line is cleared before the summary.
    expect(c.stderr).toContain('\r\u001b[Kwriting scan.json\r\u001b[Klamina: ');
  });

  it('rejects bad flags with usage errors (exit 2)', async () => {
    const usage = async (argv: string[], code: string) => {
      const r = await runCli(['scan', ...argv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`[${code}]`);
    };
    await usage(['--format', 'xml', '--region', 'x'], 'BAD_ARGUMENT');
    await usage(['--concurrency', '0', '--region', 'x'], 'BAD_ARGUMENT');
    await usage(['--prune-cache', '--shard', '1/2', '--region', 'x'], 'BAD_ARGUMENT');
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    await usage([], 'MISSING_ARGUMENT');
  });

  it('--stats prints API calls against the floor; a re-scan reuses, --no-reuse does not', async () => {
    h = await startHarness(SCAN_ESTATE);
    const args = [
      'scan',
      '--endpoint-url',
      h.endpoint.url,
      '--region',
      'us-east-1',
      '--out',
      join(h.dir, 'out'),
      '--cache-dir',
      join(h.dir, 'cache'),
      '--stats',
      '--quiet',
    ];
    const cold = await runCli(args);
    expect(cold.code).toBe(3);
    expect(cold.stderr).toMatch(/^API calls (\d+), floor \1 \(1\.00 × floor\), 0 throttled$/m);
    expect(cold.stderr).toMatch(/^ {2}ListCodeSigningConfigs +1$/m);
    expect(cold.stderr).not.toContain('GetFunctionCodeSigningConfig');
    expect(cold.stderr).toContain('7 layer versions described (0 known from an earlier scan)');
    expect(cold.stderr).toContain('package drift: computed\n');
    const scanJson = () => readFile(join(h!.dir, 'out', 'scan.json'), 'utf8');
    const coldJson = await scanJson();
    const warm = await runCli(args);
    expect(warm.stderr).toContain('3 layer versions described (4 known from an earlier scan)');
    expect(warm.stderr).toContain('0 downloads (0 B), 5 from cache, 5 SBOMs reused, 0 inventoried');
    expect(warm.stderr).toContain(
      'package drift: reused (its inputs unchanged since an earlier scan)\n'
    );
    expect(await scanJson()).toBe(coldJson);
    expect(JSON.parse(coldJson).drift.layerDiffs.length).toBeGreaterThan(0);
    // Every zip and SBOM in the cache is this estate's: a prune removes nothing, and says so.
    const prune = await runCli([...args.filter((a) => a !== '--quiet'), '--prune-cache']);
    expect(prune.stderr).toContain(
      'lamina: cache pruned: removed 0 file(s) (0 B) this scan did not use\n'
    );
    expect(await scanJson()).toBe(coldJson);
    const fresh = await runCli([...args, '--no-reuse']);
    expect(fresh.stderr).toContain('7 layer versions described (0 known from an earlier scan)');
    expect(fresh.stderr).toContain('0 SBOMs reused, 5 inventoried');
    expect(fresh.stderr).toContain('package drift: computed\n');
    expect(await scanJson()).toBe(coldJson);
  });
});
