import { execFileSync, spawn } from 'node:child_process';
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

  it('an oversized policy is refused without being read whole (exit 2, POLICY_TOO_LARGE)', async () => {
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

  it('a device or FIFO as the policy or a bundle is read up to its bound, never forever', async () => {
    // stat gives /dev/zero a size of 0: a size check then a read would never end.
    const zero = await runCli(['verify', LAYER, '--layer-name', 'x', '--policy', '/dev/zero']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/larger than 1048576 bytes: refused \[POLICY_TOO_LARGE\]/);
    const policy = join(dir, 'ok.yaml');
    writeFileSync(policy, 'version: 1\ndefault: deny\n');
    const bundle = await runCli(
      ['verify', LAYER, '--layer-name', 'x', '--policy', policy].concat(['--bundle', '/dev/zero'])
    );
    expect(bundle.code).toBe(2);
    expect(bundle.stderr).toMatch(/bundle \/dev\/zero is larger than 16777216 bytes: refused/);
    // A FIFO (a shell's <(...)) is read to its end, as before.
    const fifo = join(dir, 'policy.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat '${policy}' > '${fifo}'`]);
    const written = new Promise((done) => writer.on('close', done));
    const r = await runCli(['verify', LAYER, '--layer-name', 'x', '--policy', fifo]);
    await written;
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/default: No rule matches layer x; the policy's default is deny/);
  });
});
