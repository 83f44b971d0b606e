import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli } from '../helpers/cli.js';
import { SIGNER_ESTATE, SIGNER_POLICY, layerArn } from './estate.js';

let h: AwsLocal;
let policy: string;

beforeAll(async () => {
  h = await startAwsLocal(SIGNER_ESTATE);
  policy = await h.file('policy.yaml', SIGNER_POLICY);
});
afterAll(async () => {
  await h.close();
});

describe('verify ARN: formats and exit codes', () => {
  it('writes SARIF for an ARN with the failing check as a result', async () => {
    const r = await runCli([
      'verify',
      layerArn('l-unsigned'),
      '--policy',
      policy,
      '--format',
      'sarif',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { results: { ruleId?: string; level?: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(JSON.stringify(sarif.runs[0]!.results)).toContain('signer:team');
  });

  it('exits 2 for a malformed ARN and for a layer version that does not exist', async () => {
    expect(
      (
        await runCli([
          'verify',
          'arn:aws:lambda:us-east-1:1:layer:x',
          '--policy',
          policy,
          ...h.awsFlags,
        ])
      ).code
    ).toBe(2);
    const gone = await runCli(['verify', layerArn('l-good', 9), '--policy', policy, ...h.awsFlags]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/BAD_INPUT/);
  });

  it('exits 2 for usage errors: no policy, two inputs', async () => {
    expect((await runCli(['verify', layerArn('l-good'), ...h.awsFlags])).code).toBe(2);
    expect((await runCli(['verify', layerArn('l-good'), '--all', '--policy', policy])).code).toBe(
      2
    );
  });

  it('fails closed on a cached zip changed on disk; --rehash-cache fetches it anew', async () => {
    const verify = (...extra: string[]) =>
      runCli(['verify', layerArn('l-good'), '--policy', policy, ...h.awsFlags, ...extra]);
    expect((await verify()).code).toBe(0);
    const dir = join(h.cacheDir, 'sha256');
    const zips = (await readdir(dir)).filter((f) => f.endsWith('.zip'));
    /** Flip a bit of each cached zip's first modification time: the zips still open. */
    const tamper = async () => {
      for (const f of zips) {
        const bytes = await readFile(join(dir, f));
        bytes[10] = bytes[10]! ^ 0x01;
        await writeFile(join(dir, f), bytes);
      }
    };
    await tamper();
    const changed = await verify();
    expect(changed.code).toBe(3);
    expect(changed.stderr).toContain('CACHE_CHANGED');
    // Removed: the next run fetches it again and passes.
    expect((await verify()).code).toBe(0);
    await tamper();
    expect((await verify('--rehash-cache')).code).toBe(0);
  });

  it('exits 3 when the endpoint is unreachable', async () => {
    const other = await startAwsLocal(SIGNER_ESTATE);
    const flags = other.awsFlags;
    await other.close();
    const r = await runCli(['verify', layerArn('l-good'), '--policy', policy, ...flags]);
    expect(r.code).toBe(3);
    const all = await runCli([
      'verify',
      '--all',
      '--region',
      'us-east-1',
      '--policy',
      policy,
      ...flags,
    ]);
    expect(all.code).toBe(3);
  }, 60_000);
});
