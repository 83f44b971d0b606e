import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, zipFiles, type AwsLocal } from '@lamina/aws-local/testing';
import { loadPolicy } from '../../../src/verify/policy/load.js';
import { runCli } from '../helpers/cli.js';
import { UNPINNED, digest, writePolicy, zipPath } from '../helpers/local-layer.js';
import { SIGNER_ESTATE, SIGNER_POLICY, layerArn } from '../verify/estate.js';

/** `lamina CMD ARGV...` in-process. */
const run = (cmd: string, argv: string[]) => runCli([cmd, ...argv]);

describe('lamina pin (local zip)', () => {
  it('pin adds the digest with note and expiry, keeps comments, and is idempotent', async () => {
    const p = writePolicy(
      'pin.yaml',
      UNPINNED.replace('    pins: [] # filled by lamina gate --write\n', '')
    );
    const r = await run('pin', [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--note',
      'hotfix',
      '--expires',
      '2030-01-01',
    ]);
    expect(r.code).toBe(0);
    const after = readFileSync(p, 'utf8');
    expect(after).toContain('# the utils layer');
    expect(loadPolicy(after, p).policy.layers?.[0]?.pins).toEqual([
      { sha256: digest, note: 'hotfix', expires: '2030-01-01' },
    ]);
    await run('pin', [zipPath, '--policy', p, '--layer-name', 'utils']);
    expect(readFileSync(p, 'utf8')).toBe(after);
    expect(
      (await run('pin', [zipPath, '--policy', p, '--layer-name', 'utils', '--expires', 'soon']))
        .code
    ).toBe(2);
    expect((await run('pin', [zipPath, '--policy', p, '--layer-name', 'zzz'])).code).toBe(2);
  });
});

describe('lamina pin ARN', () => {
  let h: AwsLocal;
  let arnPolicy: string;
  beforeAll(async () => {
    h = await startAwsLocal(SIGNER_ESTATE);
    arnPolicy = await h.file('policy.yaml', SIGNER_POLICY);
  });
  afterAll(() => h.close());

  it("pins the layer version's CodeSha256 as hex with its version number", async () => {
    const p = await h.file('pin-policy.yaml', SIGNER_POLICY);
    const r = await runCli([
      'pin',
      layerArn('l-good'),
      '--policy',
      p,
      '--layer-name',
      'l-good',
      '--endpoint-url',
      h.endpoint.url,
    ]);
    expect(r.code).toBe(0);
    // The same bytes the estate generated for l-good:1, hashed here independently.
    const zip = zipFiles({
      'nodejs/node_modules/l-good/package.json':
        '{"name":"l-good","version":"1.0.0","license":"MIT"}',
    });
    const hex = createHash('sha256').update(zip).digest('hex');
    const text = await readFile(p, 'utf8');
    expect(text).toContain(`- sha256: '${hex}'\n        version: 1`);
    // Now the digest check passes for that version.
    const v = await runCli(['verify', layerArn('l-good'), '--policy', p, ...h.awsFlags]);
    expect(v.code).toBe(0);
    // The text report wraps long details: join continuation lines before matching.
    expect(v.stdout.replace(/\n +/g, ' ')).toMatch(
      /PASS digest: sha256 [0-9a-f]{64} is pinned as version 1 and equals CodeSha256/
    );
  });

  it('exits 2 for a layer version that does not exist', async () => {
    const r = await runCli([
      'pin',
      layerArn('l-good', 5),
      '--policy',
      arnPolicy,
      '--layer-name',
      'l-good',
      '--endpoint-url',
      h.endpoint.url,
    ]);
    expect(r.code).toBe(2);
  });
});
