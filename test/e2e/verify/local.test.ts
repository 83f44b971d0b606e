import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { POLICY, digest, dir, writePolicy, zipPath } from '../helpers/local-layer.js';

/** `lamina CMD ARGV...` in-process. */
const run = (cmd: string, argv: string[]) => runCli([cmd, ...argv]);

describe('lamina verify (local zip)', () => {
  it('exit 1 on a denied package, and the verdict names it', async () => {
    const p = writePolicy('deny.yaml', POLICY);
    const r = await run('verify', [
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
      ['inventory:complete', 'pass'],
    ]);
  });
  it('--format markdown: the summary first, the failing subject and its check', async () => {
    const p = writePolicy('deny-md.yaml', POLICY);
    const r = await run('verify', [
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '--format',
      'markdown',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('## lamina verify: 1 failed');
    expect(r.stdout).toContain('packages');
  });
  it('exit 0 when the rule is warn-only, with each warning shown once', async () => {
    const p = writePolicy(
      'warn.yaml',
      POLICY.replace('default: deny', 'default: deny\nmode: warn')
    );
    // The text report on stdout shows the warning; stderr does not repeat it.
    const r = await run('verify', [zipPath, '--policy', p, '--layer-name', 'utils']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/WARN/);
    expect(r.stderr).not.toMatch(/warning/);
    // A machine-readable report leaves the human the stderr line, once.
    const j = await run('verify', [zipPath, '--policy', p, '--layer-name', 'utils', '-o', 'json']);
    expect(JSON.parse(j.stdout)).toBeTruthy();
    expect(j.code).toBe(0);
    expect(j.stderr.match(/warning: .*packages/g)).toHaveLength(1);
  });
  it('--verbose shows the full digest; every report ends with the summary line', async () => {
    const p = writePolicy('verbose.yaml', POLICY);
    const argv = [zipPath, '--policy', p, '--layer-name', 'utils'];
    const plain = await run('verify', argv);
    const verbose = await run('verify', [...argv, '--verbose']);
    expect(plain.stdout).toContain(`sha256:${digest.slice(0, 12)}…`);
    expect(plain.stdout).not.toContain(`sha256:${digest}`);
    expect(verbose.stdout).toContain(`sha256:${digest}`);
    for (const r of [plain, verbose]) {
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(
        /^1 layer, 0 functions: 1 failed, 0 warned, 0 passed$/
      );
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });
  it('exit 1 for an unmatched layer (default deny), exit 0 for a clean pinned layer', async () => {
    const p = writePolicy('ok.yaml', POLICY.replace("versions: '<4.17.21'", "versions: '<4.0.0'"));
    expect((await run('verify', [zipPath, '--policy', p, '--layer-name', 'other'])).code).toBe(1);
    expect((await run('verify', [zipPath, '--policy', p, '--layer-name', 'utils'])).code).toBe(0);
  });
  it('exit 2 on usage errors and an invalid policy (problems with lines)', async () => {
    const p = writePolicy('deny2.yaml', POLICY);
    expect((await run('verify', [zipPath, '--layer-name', 'utils'])).code).toBe(2);
    expect(
      (await run('verify', [zipPath, '--policy', p, '--layer-name', 'utils', '--format', 'xml']))
        .code
    ).toBe(2);
    expect(
      (await run('verify', [join(dir, 'missing.zip'), '--policy', p, '--layer-name', 'utils'])).code
    ).toBe(2);
    const bad = writePolicy('bad.yaml', 'version: 1\ndefault: deny\nlayers: 3\n');
    const r = await run('verify', [zipPath, '--policy', bad, '--layer-name', 'utils']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/layers \(line 3\)/);
  });
  it('SARIF output has the required 2.1.0 fields, one result per failed check', async () => {
    const p = writePolicy('sarif.yaml', POLICY);
    const r = await run('verify', [
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
