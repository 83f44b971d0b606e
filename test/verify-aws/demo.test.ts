import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Verdict } from '../../src/verify/verdict.js';
import { lamina, startVerifyHarness, type VerifyHarness } from './helpers.js';

let h: VerifyHarness;
beforeAll(async () => {
  h = await startVerifyHarness({ path: resolve('testdata/estates/demo.yaml') }, (k, v) =>
    vi.stubEnv(k, v)
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await h.close();
});

const L = (region: string, acct: string, name: string, v: number) =>
  `arn:aws:lambda:${region}:${acct}:layer:${name}:${v}`;
const HOME = '123456789012';
const VENDOR = '210987654321';

describe('verify --all --policy policies/demo.yaml against the demo estate', () => {
  it('catches each seeded problem and passes each good layer', async () => {
    const r = await lamina([
      'verify',
      '--all',
      '--policy',
      'policies/demo.yaml',
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const vs = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts;
    const layers = Object.fromEntries(
      vs.filter((v) => v.subject.kind === 'layer').map((v) => [v.subject.name, v])
    );
    const ok = (arn: string) => layers[arn]!.ok;
    const failed = (arn: string) =>
      layers[arn]!.checks.filter((c) => c.outcome === 'fail').map((c) => c.id);
    // Good layers pass: signed node-common, unsigned-but-allowed internal layers.
    for (const arn of [
      L('us-east-1', HOME, 'node-common', 2),
      L('us-east-1', HOME, 'node-common', 3),
      L('us-east-1', HOME, 'java-common', 1),
      L('us-east-1', HOME, 'java-common', 2),
      L('us-east-1', HOME, 'ruby-common', 1),
      L('us-east-1', HOME, 'ruby-common', 2),
      L('us-east-1', HOME, 'native-tools', 1),
      L('eu-west-1', HOME, 'dotnet-common', 1),
    ])
      expect(ok(arn), arn).toBe(true);
    // Unsigned shared layers.
    for (const arn of [
      L('us-east-1', HOME, 'node-common', 1),
      L('eu-west-1', HOME, 'node-common', 1),
      L('us-east-1', HOME, 'python-common', 1),
    ]) {
      expect(ok(arn), arn).toBe(false);
      expect(layers[arn]!.checks.find((c) => c.id === 'signer:platform-signer')!.detail).toMatch(
        /not signed/
      );
    }
    // Signed by a profile revoked before the signing time.
    const py3 = layers[L('us-east-1', HOME, 'python-common', 3)]!;
    expect(py3.ok).toBe(false);
    expect(py3.checks.find((c) => c.id === 'signer:retired-signer')!.detail).toMatch(
      /revoked effective 2024-06-01.*at or before/
    );
    // The deleted version still in use cannot be verified.
    expect(failed(L('us-east-1', HOME, 'python-common', 2))).toEqual(['fetch']);
    // Vendor layers are warned about, not failed (their rule is mode: warn).
    const v7 = layers[L('us-east-1', VENDOR, 'observability-ext', 7)]!;
    expect(v7.ok).toBe(true);
    expect(v7.checks.find((c) => c.id === 'signer:vendor-release')!.outcome).toBe('warn');
    // Functions: cross-account layers, and payments-api's Warn-mode code signing config.
    const fns = vs.filter((v) => v.subject.kind === 'function');
    const fnFail = (name: string) =>
      fns
        .filter((v) => v.subject.name === name)
        .flatMap((v) => v.checks.filter((c) => c.outcome === 'fail').map((c) => c.id));
    expect(fnFail('payments-api')).toContain('function:code-signing');
    expect(fnFail('orders-api')).toEqual(['function:publishers', 'function:layer-accounts']);
    expect(fnFail('reports-api')).toEqual(['function:layer-accounts']);
    expect(fnFail('eu-orders-api')).toEqual(['function:layer-accounts']);
    for (const name of [
      'orders-worker',
      'mailer',
      'billing-batch',
      'invoices',
      'ml-scorer',
      'eu-ledger',
    ])
      expect(fnFail(name), name).toEqual([]);
  }, 120_000);
});
