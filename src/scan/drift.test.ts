import { describe, expect, it } from 'vitest';
import { estate, fnArn } from '../estate/testing/estate.js';
import { computeDrift } from './drift.js';

const E = 'us-east-1';
const result = estate(
  [
    { region: E, name: 'base', version: 1, tag: 'b1' },
    { region: E, name: 'base', version: 2, tag: 'b2' },
    { region: E, name: 'base', version: 3, tag: 'b3' },
  ],
  [
    [E, 'c', [['base', 1]]],
    [E, 'a', [['base', 2]]],
    [E, 'b', [['base', 1]]],
    [E, 'd', [['base', 3]]],
  ]
);

describe('computeDrift', () => {
  it('gives each function its version and how many versions came after, by ARN', () => {
    const [d] = computeDrift(result.functions, result.layers).layers;
    expect(d!.functions).toEqual([
      { arn: fnArn(E, 'a'), version: 2, behind: 1 },
      { arn: fnArn(E, 'b'), version: 1, behind: 2 },
      { arn: fnArn(E, 'c'), version: 1, behind: 2 },
      { arn: fnArn(E, 'd'), version: 3, behind: 0 },
    ]);
    expect(d).toMatchObject({ name: 'base', newestVersion: 3 });
  });

  it('makes the rows on each read, frozen, and writes them as a plain list', () => {
    const [d] = computeDrift(result.functions, result.layers).layers;
    const rows = d!.functions;
    expect(d!.functions).not.toBe(rows);
    expect(d!.functions).toEqual(rows);
    // A reader that sorted or pushed would change nothing the next read sees: it is refused.
    expect(() => (rows as { arn: string }[]).push({ arn: 'x' })).toThrow(TypeError);
    const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'name',
      'owner',
      'region',
      'newestVersion',
      'newestDigest',
      'functions',
    ]);
    expect(json.functions).toEqual(rows);
    expect({ ...d }.functions).toEqual(rows);
  });

  it('keeps a function that attaches one version twice twice, as its layers say', () => {
    const twice = estate(
      [{ region: E, name: 'base', version: 1, tag: 'b1' }],
      [
        [
          E,
          'a',
          [
            ['base', 1],
            ['base', 1],
          ],
        ],
      ]
    );
    const [d] = computeDrift(twice.functions, twice.layers).layers;
    expect(d!.functions).toEqual([
      { arn: fnArn(E, 'a'), version: 1, behind: 0 },
      { arn: fnArn(E, 'a'), version: 1, behind: 0 },
    ]);
    expect(twice.layers[0]!.versions[0]!.usedBy).toEqual([fnArn(E, 'a')]);
  });
});
