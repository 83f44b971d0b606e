import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/exit.js';
import type { CliIo } from '../../src/cli/io.js';
import { gateCommand } from '../../src/cli/commands/gate.js';
import { pinCommand } from '../../src/cli/commands/pin.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { loadPolicy } from '../../src/verify/policy/load.js';
import { zipFiles } from '@lamina/aws-local/testing';
import { sha256 } from './helpers.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Run a command like main() does: errors become exit codes. */
async function run(cmd: (a: string[], io: CliIo) => Promise<number>, argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  let code: number;
  try {
    code = await cmd(argv, { stdout, stderr });
  } catch (e) {
    const d = describeError(e);
    stderr.write(d.line);
    code = d.code;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const dir = mkdtempSync(join(tmpdir(), 'lamina-verify-'));
const zip = zipFiles({
  'nodejs/node_modules/lodash/package.json': JSON.stringify({
    name: 'lodash',
    version: '4.17.20',
    license: 'MIT',
  }),
  'nodejs/node_modules/ms/package.json': JSON.stringify({
    name: 'ms',
    version: '2.1.3',
    license: 'MIT',
  }),
});
const zipPath = join(dir, 'layer.zip');
writeFileSync(zipPath, zip);
const digest = sha256(zip);

function writePolicy(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

const POLICY = `# Production layers.
version: 1
default: deny
layers:
  # utils is built by the platform team
  - match: { name: utils }
    pins: # allowlist
      - sha256: '${digest}'
        note: first
    packages:
      deny:
        - { purl: 'pkg:npm/lodash', versions: '<4.17.21' } # CVE-2021-23337
`;

describe('lamina verify (local zip)', () => {
  it('exit 1 on a denied package, and the verdict names it', async () => {
    const p = writePolicy('deny.yaml', POLICY);
    const r = await run(verifyCommand, [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      verdicts: { checks: { id: string; outcome: string }[] }[];
    };
    expect(out.ok).toBe(false);
    expect(out.verdicts[0]?.checks.map((c) => [c.id, c.outcome])).toEqual([
      ['digest', 'pass'],
      ['packages', 'fail'],
    ]);
  });
  it('exit 0 when the rule is warn-only, with the warning on stderr', async () => {
    const p = writePolicy(
      'warn.yaml',
      POLICY.replace('default: deny', 'default: deny\nmode: warn')
    );
    const r = await run(verifyCommand, [zipPath, '--policy', p, '--layer-name', 'utils']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*packages/);
  });
  it('exit 1 for an unmatched layer (default deny), exit 0 for a clean pinned layer', async () => {
    const p = writePolicy('ok.yaml', POLICY.replace("versions: '<4.17.21'", "versions: '<4.0.0'"));
    expect((await run(verifyCommand, [zipPath, '--policy', p, '--layer-name', 'other'])).code).toBe(
      1
    );
    expect((await run(verifyCommand, [zipPath, '--policy', p, '--layer-name', 'utils'])).code).toBe(
      0
    );
  });
  it('exit 2 on usage errors and an invalid policy (problems with lines)', async () => {
    const p = writePolicy('deny2.yaml', POLICY);
    expect((await run(verifyCommand, [zipPath, '--layer-name', 'utils'])).code).toBe(2);
    expect(
      (
        await run(verifyCommand, [
          zipPath,
          '--policy',
          p,
          '--layer-name',
          'utils',
          '--format',
          'xml',
        ])
      ).code
    ).toBe(2);
    expect(
      (await run(verifyCommand, [join(dir, 'missing.zip'), '--policy', p, '--layer-name', 'utils']))
        .code
    ).toBe(2);
    const bad = writePolicy('bad.yaml', 'version: 1\ndefault: deny\nlayers: 3\n');
    const r = await run(verifyCommand, [zipPath, '--policy', bad, '--layer-name', 'utils']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/layers \(line 3\)/);
  });
  it('SARIF output has the required 2.1.0 fields, one result per failed check', async () => {
    const p = writePolicy('sarif.yaml', POLICY);
    const r = await run(verifyCommand, [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--format',
      'sarif',
    ]);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: { ruleId: string; ruleIndex: number; level: string; message: { text: string } }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.name).toBe('lamina');
    expect(run0.results).toHaveLength(1);
    const res = run0.results[0]!;
    expect(res.ruleId).toBe('lamina/packages');
    expect(run0.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
    expect(res.level).toBe('error');
    expect(res.message.text).toMatch(/lodash/);
  });
});

describe('lamina gate and pin', () => {
  const UNPINNED = `# Layers policy, reviewed weekly.
version: 1
default: deny
layers:
  # the utils layer
  - match: { name: utils }
    pins: [] # filled by lamina gate --write
`;
  it('gate prints the pin entry; --write adds it and keeps comments', async () => {
    const p = writePolicy('gate.yaml', UNPINNED);
    const printed = await run(gateCommand, [
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

    const w = await run(gateCommand, [
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
    expect((await run(verifyCommand, [zipPath, '--policy', p, '--layer-name', 'utils'])).code).toBe(
      0
    );
  });
  it('gate refuses a layer with a denied package (exit 1) and writes nothing', async () => {
    const p = writePolicy(
      'gate-deny.yaml',
      UNPINNED + "    packages:\n      deny: [{ purl: 'pkg:npm/lodash' }]\n"
    );
    const before = readFileSync(p, 'utf8');
    const r = await run(gateCommand, [zipPath, '--policy', p, '--layer-name', 'utils', '--write']);
    expect(r.code).toBe(1);
    expect(readFileSync(p, 'utf8')).toBe(before);
  });
  it('gate on a name no rule matches fails under default deny', async () => {
    const p = writePolicy('gate-none.yaml', UNPINNED);
    expect((await run(gateCommand, [zipPath, '--policy', p, '--layer-name', 'nope'])).code).toBe(1);
  });
  it('pin adds the digest with note and expiry, keeps comments, and is idempotent', async () => {
    const p = writePolicy(
      'pin.yaml',
      UNPINNED.replace('    pins: [] # filled by lamina gate --write\n', '')
    );
    const r = await run(pinCommand, [
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
    await run(pinCommand, [zipPath, '--policy', p, '--layer-name', 'utils']);
    expect(readFileSync(p, 'utf8')).toBe(after);
    expect(
      (
        await run(pinCommand, [
          zipPath,
          '--policy',
          p,
          '--layer-name',
          'utils',
          '--expires',
          'soon',
        ])
      ).code
    ).toBe(2);
    expect((await run(pinCommand, [zipPath, '--policy', p, '--layer-name', 'zzz'])).code).toBe(2);
  });
});
