import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scanCommand } from '../../src/cli/commands/scan.js';
import { UsageError } from '../../src/errors.js';
import type { ScanResult } from '../../src/scan/result.js';
import { SCAN_ESTATE, startHarness, type Harness } from './helpers.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  return { io: { stdout, stderr, isTty: false }, out: () => out.join(''), err: () => err.join('') };
}

let h: Harness | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  h = undefined;
});

describe('lamina scan (command)', () => {
  it('uses the default credential chain, writes scan.json and exits 3 on failures', async () => {
    h = await startHarness(SCAN_ESTATE);
    // The SDK's default chain reads these; no shared files may interfere.
    vi.stubEnv('AWS_ACCESS_KEY_ID', h.endpoint.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', h.endpoint.credentials.secretAccessKey);
    vi.stubEnv('AWS_CONFIG_FILE', join(h.dir, 'none'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(h.dir, 'none'));
    const out = join(h.dir, 'out');
    const c = capture();
    const code = await scanCommand(
      [
        '--endpoint-url',
        h.endpoint.url,
        '--region',
        'us-east-1',
        '--region',
        'eu-west-1',
        '--out',
        out,
        '--cache-dir',
        join(h.dir, 'cache'),
        '--page-size',
        '3',
      ],
      c.io
    );
    expect(code).toBe(3);
    expect(c.out()).toContain('Layer shared (owner 111111111111)');
    expect(c.out()).toContain('Failed (2)');
    // Not a terminal: no progress line, only the closing summary.
    expect(c.err()).not.toContain('\r');
    const result = JSON.parse(await readFile(join(out, 'scan.json'), 'utf8')) as ScanResult;
    expect(result.schemaVersion).toBe(1);
    expect(result.functions).toHaveLength(9);

    const j = capture();
    const again = await scanCommand(
      [
        '--endpoint-url',
        h.endpoint.url,
        '--region',
        'eu-west-1',
        '--out',
        out,
        '--cache-dir',
        join(h.dir, 'cache'),
        '--format',
        'json',
      ],
      j.io
    );
    expect(again).toBe(0);
    const eu = JSON.parse(j.out()) as ScanResult;
    expect(eu.functions.map((f) => f.name)).toEqual(['eu-api']);
    expect(eu.failures).toEqual([]);
  });

  it('draws a progress line on a terminal', async () => {
    h = await startHarness(SCAN_ESTATE);
    vi.stubEnv('AWS_ACCESS_KEY_ID', h.endpoint.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', h.endpoint.credentials.secretAccessKey);
    const c = capture();
    await scanCommand(
      [
        '--endpoint-url',
        h.endpoint.url,
        '--region',
        'eu-west-1',
        '--out',
        join(h.dir, 'o'),
        '--cache-dir',
        join(h.dir, 'cache'),
      ],
      { ...c.io, isTty: true }
    );
    expect(c.err()).toContain('\r\u001b[Klayers 1/1');
  });

  it('rejects bad flags with usage errors', async () => {
    const c = capture();
    await expect(scanCommand(['--format', 'xml', '--region', 'x'], c.io)).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
    await expect(scanCommand(['--concurrency', '0', '--region', 'x'], c.io)).rejects.toBeInstanceOf(
      UsageError
    );
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    await expect(scanCommand([], c.io)).rejects.toMatchObject({ code: 'MISSING_ARGUMENT' });
  });
});
