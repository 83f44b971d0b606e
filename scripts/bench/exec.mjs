// Process helpers for the benchmark: run a step or fail with a clear message,
// and measure one command's wall time and peak RSS with GNU time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** A benchmark step that could not be carried out. */
export class BenchError extends Error {}

/**
 * Run a command to completion, inheriting nothing but stderr on failure.
 * @returns {string} its stdout
 */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.error) throw new BenchError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout || '').trim().split('\n').slice(-15).join('\n');
    throw new BenchError(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${tail}`);
  }
  return r.stdout;
}

/**
 * Run `argv` once under GNU time.
 * Wall time is taken here with a monotonic clock (finer than time's %e);
 * peak RSS is time's %M, the largest resident set of the process or of any
 * single descendant it waited for (getrusage RUSAGE_CHILDREN), in KiB.
 * @returns {{ seconds: number, peakRssMb: number, stderr: string }}
 */
export function measure(argv, opts = {}) {
  if (!existsSync(GNU_TIME))
    throw new BenchError(`${GNU_TIME} (GNU time) is needed to measure peak memory`);
  const dir = mkdtempSync(join(tmpdir(), 'lamina-bench-'));
  const out = join(dir, 'time.txt');
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(GNU_TIME, ['-f', '%e %M', '-o', out, ...argv], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      ...opts,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.error) throw new BenchError(`${argv[0]}: ${r.error.message}`);
    if (r.status !== 0) {
      const tail = (r.stderr || '').trim().split('\n').slice(-15).join('\n');
      throw new BenchError(`${argv.join(' ')} exited ${r.status ?? r.signal}\n${tail}`);
    }
    const fields = readFileSync(out, 'utf8').trim().split('\n').pop()?.split(' ') ?? [];
    const kib = Number(fields[1]);
    if (!Number.isFinite(kib))
      throw new BenchError(`could not read GNU time output for ${argv[0]}`);
    return { seconds, peakRssMb: kib / 1024, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median of a non-empty list. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
