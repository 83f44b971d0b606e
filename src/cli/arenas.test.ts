import { describe, expect, it } from 'vitest';
import { restartFlags, wantsFewerArenas, type ProcessFacts } from './arenas.js';
import { SCAN_YOUNG_GENERATION_MIB } from './heap.js';

/** Files named `*.json` hold large JSON documents here; nothing else does. */
const linux: ProcessFacts = {
  platform: 'linux',
  env: {},
  canExecve: true,
  isLargeJsonFile: (path) => path.endsWith('.json'),
};

describe('wantsFewerArenas', () => {
  it('starts scan, verify --all, merge and changes again on Linux, where the process can replace itself', () => {
    expect(wantsFewerArenas(['scan', '--region', 'us-east-1'], linux)).toBe(true);
    expect(wantsFewerArenas(['merge', '--out', 'all', 'a', 'b'], linux)).toBe(true);
    expect(wantsFewerArenas(['changes', '--db', 'h.db'], linux)).toBe(true);
    expect(wantsFewerArenas(['verify', '--all', '--policy', 'p.yaml'], linux)).toBe(true);
    expect(wantsFewerArenas(['verify', '--policy', 'p.yaml', '--all'], linux)).toBe(true);
  });

  it('starts diff again when an input is a large JSON document: two scan results, not two layers', () => {
    expect(wantsFewerArenas(['diff', 'a/scan.json', 'b/scan.json'], linux)).toBe(true);
    expect(wantsFewerArenas(['diff', '--format', 'json', 'a.zip', 'b/scan.json'], linux)).toBe(
      true
    );
    expect(wantsFewerArenas(['diff', 'a.zip', 'b.zip'], linux)).toBe(false);
    expect(wantsFewerArenas(['diff', 'a.zip', 'layer-dir', '--format', 'json'], linux)).toBe(false);
    expect(wantsFewerArenas(['diff', '--help', 'a/scan.json', 'b/scan.json'], linux)).toBe(false);
  });

  it('leaves every other command, help and usage as they are', () => {
    for (const argv of [
      ['sbom', 'layer.zip'],
      ['verify', 'layer.zip', '--policy', 'p.yaml'],
      ['merge', '--help'],
      ['--all'],
      ['scan', '--help'],
      ['verify', '--all', '-h'],
      ['changes', '--help'],
      ['history', 'list'],
      [],
    ])
      expect(wantsFewerArenas(argv, linux), argv.join(' ')).toBe(false);
  });

  it("respects a user's own MALLOC_ARENA_MAX, and so never starts twice", () => {
    expect(wantsFewerArenas(['scan'], { ...linux, env: { MALLOC_ARENA_MAX: '8' } })).toBe(false);
    expect(wantsFewerArenas(['scan'], { ...linux, env: { MALLOC_ARENA_MAX: '2' } })).toBe(false);
  });

  it('does nothing without execve (Node 20) or off Linux', () => {
    expect(wantsFewerArenas(['scan'], { ...linux, canExecve: false })).toBe(false);
    expect(wantsFewerArenas(['scan'], { ...linux, platform: 'darwin' })).toBe(false);
  });
});

describe('restartFlags', () => {
  it("bounds the young generation's maximum at lamina's cap for an estate", () => {
    expect(restartFlags([], {})).toEqual([
      `--max-semi-space-size=${SCAN_YOUNG_GENERATION_MIB / 2}`,
    ]);
    expect(restartFlags(['--enable-source-maps'], { NODE_OPTIONS: '--no-warnings' })).toEqual([
      '--max-semi-space-size=16',
    ]);
  });

  it("keeps a user's own maximum, given to Node or in NODE_OPTIONS, in either spelling", () => {
    expect(restartFlags(['--max-semi-space-size=64'], {})).toEqual([]);
    expect(restartFlags([], { NODE_OPTIONS: '--max_semi_space_size=8 --no-warnings' })).toEqual([]);
  });
});
