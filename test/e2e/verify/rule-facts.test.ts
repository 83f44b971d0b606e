/**
 * gate, pin and verify of a local zip select the rule the published layer would get: a rule
 * naming an account or region is never skipped for a laxer one because the zip has no ARN.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';

const ZIP = 'testdata/hostile/plain.zip';
const HOME = '444444444444';
const SHA = createHash('sha256').update(readFileSync(ZIP)).digest('hex');

/** Production layers of the home account deny ms; anything else only needs a license. */
const POLICY = `version: 1
default: deny
layers:
  - match: { name: shared-utils, account: ['${HOME}'], region: [eu-west-1] }
    packages:
      deny: [{ purl: 'pkg:npm/ms' }]
  - match: { name: '*' }
    licenses: { deny: [AGPL-3.0-only] }
`;

function policyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-facts-'));
  const p = join(dir, 'policy.yaml');
  writeFileSync(p, POLICY);
  return p;
}

const base = (cmd: string, policy: string) => [
  cmd,
  ZIP,
  '--policy',
  policy,
  '--layer-name',
  'shared-utils',
];

describe('rule selection for a local zip', () => {
  it('gate without --account/--region fails and names the missing facts', async () => {
    const policy = policyFile();
    const r = await runCli([...base('gate', policy), '--format', 'json']);
    expect(r.code).toBe(1);
    const v = (JSON.parse(r.stderr) as { verdicts: Verdict[] }).verdicts[0]!;
    expect(v.checks).toEqual([
      expect.objectContaining({
        id: 'rule',
        outcome: 'fail',
        evidence: expect.objectContaining({ missing: ['account', 'region'] }),
      }),
    ]);
    expect(r.stdout).toBe('');
  });

  it('gate with the facts gets the strict rule and its deny list', async () => {
    const policy = policyFile();
    const strict = await runCli([
      ...base('gate', policy),
      '--account',
      HOME,
      '--region',
      'eu-west-1',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/rule: layers\[0\]/);
    expect(strict.stderr).toMatch(/FAIL packages: Denied package\(s\): pkg:npm\/ms@2\.0\.0/);
    // Another region is certainly not the strict rule: the lax one applies, and the pin is printed.
    const lax = await runCli([...base('gate', policy), '--account', HOME, '--region', 'us-east-1']);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toContain(`# add to layers[1].pins`);
    expect(lax.stdout).toContain(SHA);
  });

  it('pin refuses (exit 2) when the rule depends on a missing fact, and pins into the right rule otherwise', async () => {
    const policy = policyFile();
    const refused = await runCli([...base('pin', policy), '--print']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/account, region are not known.*\[BAD_INPUT\]/s);
    const ok = await runCli([
      ...base('pin', policy),
      '--print',
      '--account',
      HOME,
      '--region',
      'eu-west-1',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('# add to layers[0].pins');
  });

  it('verify LAYER.zip takes --account and --region, or an ARN that implies them', async () => {
    const policy = policyFile();
    const none = await runCli(base('verify', policy));
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/FAIL rule: Cannot tell which rule applies/);
    const facts = await runCli([
      ...base('verify', policy),
      '--account',
      HOME,
      '--region',
      'eu-west-1',
    ]);
    expect(facts.stdout).toMatch(/rule: layers\[0\]/);
    const byArn = await runCli([
      ...base('verify', policy),
      '--layer-arn',
      `arn:aws:lambda:eu-west-1:${HOME}:layer:shared-utils:4`,
    ]);
    expect(byArn.stdout).toMatch(/rule: layers\[0\]/);
    const conflict = await runCli([
      ...base('verify', policy),
      '--layer-arn',
      `arn:aws:lambda:eu-west-1:${HOME}:layer:shared-utils:4`,
      '--account',
      '555555555555',
    ]);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toMatch(/disagree with the ARN/);
  });
});
