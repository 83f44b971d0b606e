import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** A "billion laughs": each alias level repeats the one before ten times. */
const ALIAS_BOMB = [
  'version: 1',
  'default: deny',
  'x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...Array.from(
    { length: 8 },
    (_, i) => `x${i + 1}: &x${i + 1} [${Array.from({ length: 10 }, () => `*x${i}`).join(', ')}]`
  ),
  '',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'lamina-policy-limits-'));
const LAYER = 'testdata/layers/sample-layer.zip';

describe('lamina verify with a hostile policy', () => {
  it('an alias bomb is bad input (exit 2, INVALID_POLICY), not an internal error', async () => {
    const policy = join(dir, 'bomb.yaml');
    writeFileSync(policy, ALIAS_BOMB);
    const r = await runCli(['verify', LAYER, '--policy', policy, '--layer-name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/aliases expand too far.*\n?.*\[INVALID_POLICY\]/s);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('an oversized policy is refused before it is read (exit 2, POLICY_TOO_LARGE)', async () => {
    const policy = join(dir, 'huge.yaml');
    writeFileSync(policy, `version: 1\ndefault: deny\n#${' '.repeat(2 * 1024 * 1024)}\n`);
    for (const cmd of [
      ['verify', LAYER, '--layer-name', 'x'],
      ['gate', LAYER, '--layer-name', 'x'],
    ]) {
      const r = await runCli([...cmd, '--policy', policy]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[POLICY_TOO_LARGE\]/);
    }
  });
});
