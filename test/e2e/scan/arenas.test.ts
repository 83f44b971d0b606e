/**
 * `lamina scan` starts again in its own process with fewer malloc arenas where Node can replace
 * a process (`process.execve`, Node 22.15 and later), seen from outside with strace: each
 * program the process ran and the environment it ran with.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIFF_RESTART_JSON_BYTES } from '../../../src/cli/arenas.js';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

const CAN_EXECVE = typeof (process as { execve?: unknown }).execve === 'function';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let runs = 0;

/**
 * Run the built CLI under strace (asynchronously: the endpoint serves from this process): its
 * exit code and stderr, and each program the process ran.
 */
async function traced(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const log = join(h!.dir, `trace-${++runs}.log`);
  const child = spawn(
    'strace',
    [
      ...['-f', '-qq', '-v', '-s', '4096', '-e', 'trace=execve', '-e', 'signal=none', '-o', log],
      ...[process.execPath, BUILT_CLI, ...argv],
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const programs = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes('execve(') && !/ = -1 /.test(l))
    .map((l) => ({
      node: l.includes(`execve("${process.execPath}"`) && l.includes(`"${BUILT_CLI}"`),
      arenas: /"MALLOC_ARENA_MAX=([^"]*)"/.exec(l)?.[1],
      semiSpace: /"--max-semi-space-size=(\d+)"/.exec(l)?.[1],
    }));
  return { code, stderr, programs };
}

/** A scan of the endpoint's estate into `out` under the harness directory. */
const scan = (out: string): string[] => [
  ...['scan', '--endpoint-url', h!.endpoint.url, '--region', 'us-east-1', '--region', 'eu-west-1'],
  ...['--output-dir', join(h!.dir, out), '--cache-dir', join(h!.dir, `cache-${out}`)],
  ...['--max-attempts', '2', '--quiet'],
];

describe('lamina scan with fewer malloc arenas', () => {
  it('starts once more with MALLOC_ARENA_MAX=2 where Node can replace the process, same result', async () => {
    h = await startHarness(SCAN_ESTATE);
    const r = await traced(scan('arenas'));
    // The estate has versions that cannot be fetched: exit 3, as any scan of it.
    expect(r.code, r.stderr).toBe(3);
    expect(r.programs.every((p) => p.node)).toBe(true);
    expect(r.programs.map((p) => p.arenas)).toEqual(CAN_EXECVE ? [undefined, '2'] : [undefined]);
    // And the young generation's maximum at the scan's cap (32 MiB: two semi-spaces of 16).
    expect(r.programs.map((p) => p.semiSpace)).toEqual(
      CAN_EXECVE ? [undefined, '16'] : [undefined]
    );

    // A user's own value is kept, and the scan starts once: the same scan.json.
    const own = await traced(scan('own'), { MALLOC_ARENA_MAX: '4' });
    expect(own.code, own.stderr).toBe(3);
    expect(own.programs.map((p) => p.arenas)).toEqual(['4']);
    const read = (out: string) => readFileSync(join(h!.dir, out, 'scan.json'), 'utf8');
    expect(read('arenas')).toBe(read('own'));

    // Two large scan results diffed start again too: these two made as large as a large
    // estate's by trailing blanks. Two small ones, and two layers (below), start once.
    const large = ['own', 'arenas'].map((out) => {
      const file = join(h!.dir, out, 'large.json');
      writeFileSync(file, read(out) + ' '.repeat(DIFF_RESTART_JSON_BYTES));
      return file;
    });
    const diff = await traced(['diff', ...large, '--exit-code']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.programs.map((p) => [p.arenas, p.semiSpace])).toEqual(
      CAN_EXECVE
        ? [
            [undefined, undefined],
            ['2', '16'],
          ]
        : [[undefined, undefined]]
    );
    const small = ['own', 'arenas'].map((out) => join(h!.dir, out, 'scan.json'));
    const once = await traced(['diff', ...small, '--exit-code']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.programs.map((p) => p.arenas)).toEqual([undefined]);
  });

  it('starts any other command once', async () => {
    h = await startHarness(SCAN_ESTATE);
    const layer = join(REPO_ROOT, 'testdata', 'layers', 'sample-layer.zip');
    const sbom = await traced(['sbom', layer, '-o', join(h.dir, 'sbom.json')]);
    expect(sbom.code, sbom.stderr).toBe(0);
    expect(sbom.programs.map((p) => p.arenas)).toEqual([undefined]);
    const diff = await traced(['diff', layer, layer, '--exit-code']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.programs.map((p) => p.arenas)).toEqual([undefined]);
  });

  it('starts lamina changes and merge once more too, before they read anything', async () => {
    h = await startHarness(SCAN_ESTATE);
    const missing = join(h.dir, 'none.db');
    const changes = await traced(['changes', '--db', missing]);
    expect(changes.code).toBe(2);
    expect(changes.stderr).toBe(`lamina: no history at ${missing} [NO_HISTORY]\n`);
    const shard = join(h.dir, 'no-shard');
    const merge = await traced(['merge', '--out', join(h.dir, 'merged'), shard]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toBe(`lamina: no readable scan.json in ${shard} [BAD_INPUT]\n`);
    const restarted = [
      [undefined, undefined],
      ['2', '16'],
    ];
    for (const r of [changes, merge])
      expect(r.programs.map((p) => [p.arenas, p.semiSpace])).toEqual(
        CAN_EXECVE ? restarted : restarted.slice(0, 1)
      );
  });
});
