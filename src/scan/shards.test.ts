import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { ScanResult } from './result.js';
import { mergeShardResults } from './shards.js';

const shard = (over: Partial<ScanResult> = {}): ScanResult => ({
  schemaVersion: 1,
  tool: { name: 'lamina', version: '1.0.0' },
  scope: { accounts: ['111111111111'], regions: ['us-east-1'] },
  functions: [],
  layers: [],
  failures: [],
  drift: { layers: [], digestMismatches: [] },
  ...over,
});

const fn = (name: string): ScanResult['functions'][number] => ({
  account: '111111111111',
  region: 'us-east-1',
  name,
  arn: `arn:aws:lambda:us-east-1:111111111111:function:${name}:$LATEST`,
  version: '$LATEST',
  runtime: 'nodejs20.x',
  architectures: ['x86_64'],
  packageType: 'Zip',
  codeSigningConfig: null,
  layers: [],
});

describe('mergeShardResults', () => {
  it('refuses shards that do not fit together', () => {
    const bad = (shards: ScanResult[]) => {
      try {
        mergeShardResults(shards);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(bad([])).toBeInstanceOf(UsageError);
    expect(
      bad([shard(), shard({ scope: { accounts: [], regions: ['eu-west-1'] } })])
    ).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('different regions') });
    expect(bad([shard(), shard({ tool: { name: 'lamina', version: '2.0.0' } })])).toMatchObject({
      message: expect.stringContaining('different lamina versions'),
    });
    expect(bad([shard({ functions: [fn('a')] }), shard({ functions: [fn('a')] })])).toMatchObject({
      message: expect.stringContaining('in two shards'),
    });
  });

  it('sorts functions across shards and dedupes failures every shard saw', () => {
    const failure = {
      scope: 'account' as const,
      subject: 'arn:aws:iam::2:role/R',
      code: 'ACCESS_DENIED',
      reason: 'no',
    };
    const { result } = mergeShardResults([
      shard({ functions: [fn('b')], failures: [failure] }),
      shard({
        functions: [fn('a')],
        failures: [failure],
        scope: { accounts: ['222222222222'], regions: ['us-east-1'] },
      }),
    ]);
    expect(result.functions.map((f) => f.name)).toEqual(['a', 'b']);
    expect(result.failures).toEqual([failure]);
    expect(result.scope.accounts).toEqual(['111111111111', '222222222222']);
  });
});
