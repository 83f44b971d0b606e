import { describe, expect, it } from 'vitest';
import { historyArgv, historyDb, regions } from './flags.js';

describe('--history [DB]', () => {
  const resolve = (argv: string[]) => {
    const out = historyArgv(argv);
    const i = out.findIndex((a) => a.startsWith('--history'));
    const v = out[i] === '--history' ? out[i + 1] : out[i]!.slice('--history='.length);
    return historyDb(v, () => 'DEFAULT');
  };

  it('takes the next argument as the database unless it is a flag or missing', () => {
    expect(resolve(['--history', 'h.db', '--region', 'r'])).toBe('h.db');
    expect(resolve(['--region', 'r', '--history'])).toBe('DEFAULT');
    expect(resolve(['--history', '--region', 'r'])).toBe('DEFAULT');
    expect(resolve(['--history=x.db'])).toBe('x.db');
  });

  it('leaves every other argument alone', () => {
    expect(historyArgv(['--region', 'r', 'pos'])).toEqual(['--region', 'r', 'pos']);
    expect(historyDb(undefined, () => 'DEFAULT')).toBe('DEFAULT');
  });
});

describe('--region', () => {
  it('keeps each region once, in the order given', async () => {
    expect(await regions(['eu-west-1', 'us-east-1', 'eu-west-1'])).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
  });
});
