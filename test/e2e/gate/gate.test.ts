import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/verify/policy/load.js';
import { runCli } from '../helpers/cli.js';
import { UNPINNED, digest, writePolicy, zipPath } from '../helpers/local-layer.js';

/** `lamina CMD ARGV...` in-process. */
const run = (cmd: string, argv: string[]) => runCli([cmd, ...argv]);

describe('lamina gate', () => {
  it('gate prints the pin entry; --write adds it and keeps comments', async () => {
    const p = writePolicy('gate.yaml', UNPINNED);
    const printed = await run('gate', [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--version',
      '4',
    ]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`sha256: '${digest}'`);
    expect(readFileSync(p, 'utf8')).toBe(UNPINNED);

    const w = await run('gate', [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--version',
      '4',
      '--write',
    ]);
    expect(w.code).toBe(0);
    const after = readFileSync(p, 'utf8');
    expect(after).toContain('# Layers policy, reviewed weekly.');
    expect(after).toContain('# the utils layer');
    const loaded = loadPolicy(after, p);
    expect(loaded.policy.layers?.[0]?.pins).toEqual([{ sha256: digest, version: 4 }]);
    // Now the zip verifies against the written policy.
    expect((await run('verify', [zipPath, '--policy', p, '--layer-name', 'utils'])).code).toBe(0);
  });
  it('gate refuses a layer with a denied package (exit 1) and writes nothing', async () => {
    const p = writePolicy(
      'gate-deny.yaml',
      UNPINNED + "    packages:\n      deny: [{ purl: 'pkg:npm/lodash' }]\n"
    );
    const before = readFileSync(p, 'utf8');
    const r = await run('gate', [zipPath, '--policy', p, '--layer-name', 'utils', '--write']);
    expect(r.code).toBe(1);
    expect(readFileSync(p, 'utf8')).toBe(before);
  });
  it('gate on a name no rule matches fails under default deny', async () => {
    const p = writePolicy('gate-none.yaml', UNPINNED);
    expect((await run('gate', [zipPath, '--policy', p, '--layer-name', 'nope'])).code).toBe(1);
  });
});
