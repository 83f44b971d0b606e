/**
 * Fewer malloc arenas, and a young generation bounded from the start, for the commands that work
 * at an estate's scale, by starting lamina again in the same process with `MALLOC_ARENA_MAX=2` in
 * its environment and V8's `--max-semi-space-size`.
 *
 * glibc gives each thread that allocates its own arena (up to 8 per core) and keeps what a thread
 * freed in that thread's arena. A scan's downloads, inventories and collections run on Node's and
 * V8's threads for as long as the scan runs, and on Node 24 the memory their arenas keep grew with
 * the estate: at 100,000 functions ~115 MiB of the process was outside V8's heap against ~95 MiB
 * at 10,000, and ~93 MiB at 100,000 with two arenas (BENCHMARKS.md, issue 14). glibc reads the
 * variable only when the process starts, hence the new start; `process.execve` (Node 22.15 and
 * later) keeps the process id, its standard streams and how it was started, so a supervisor's
 * signals and the exit code are the same. Where it is missing (Node 20) nothing changes.
 *
 * V8 likewise reads the young generation's maximum only at start-up (128 MiB on Node 24 on a
 * large machine). lamina keeps it under its cap by watching collections (`capYoungGeneration`),
 * which runs between tasks: through one long synchronous stretch, such as `lamina changes`
 * reading two recorded scans or `lamina merge` its shards, V8 grew it to its maximum. The new
 * start sets that maximum to the cap.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { startsWithBraceSync } from '../util/fs.js';
import { SCAN_YOUNG_GENERATION_MIB } from './heap.js';

/** The arenas a scan's process is started with. */
export const SCAN_MALLOC_ARENAS = 2;

/**
 * The size from which a JSON file `lamina diff` reads is worth a new start. Measured on Node 24:
 * a diff of two 10,000-function scans (26 MB each) peaked alike either way and the new start
 * added ~50 ms; of two 100,000-function scans (267 MB), 492 → 320 MiB.
 */
export const DIFF_RESTART_JSON_BYTES = 64 * 1024 * 1024;

/** What the decision reads of the process. */
export interface ProcessFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether the process can replace itself (`process.execve`). */
  canExecve: boolean;
  /**
   * Whether `path` names a JSON document (as `lamina diff` tells its inputs apart) of
   * {@link DIFF_RESTART_JSON_BYTES} or more.
   */
  isLargeJsonFile: (path: string) => boolean;
}

/**
 * Whether `lamina ARGV` should start again with {@link SCAN_MALLOC_ARENAS} arenas: `scan`,
 * `verify --all`, `merge` and `changes` on Linux, and `diff` when an argument names a large
 * JSON document (a large estate's scan result; two layers or SBOMs are not worth another
 * start), unless the environment sets `MALLOC_ARENA_MAX` already (a user's own value, or
 * this start's: it never loops). Help and usage are answered where they are.
 */
export function wantsFewerArenas(argv: readonly string[], facts: ProcessFacts): boolean {
  if (facts.platform !== 'linux' || !facts.canExecve) return false;
  if (facts.env['MALLOC_ARENA_MAX'] !== undefined) return false;
  if (argv.includes('-h') || argv.includes('--help')) return false;
  const [command, ...rest] = argv;
  if (command === 'verify') return rest.includes('--all');
  // A flag's value that names a JSON file (`-o out.json`) costs a start, nothing more.
  if (command === 'diff') return rest.some((a) => !a.startsWith('-') && facts.isLargeJsonFile(a));
  return command === 'scan' || command === 'merge' || command === 'changes';
}

/**
 * The V8 flags the new start adds to Node's own (`execArgv`): the young generation's maximum at
 * {@link SCAN_YOUNG_GENERATION_MIB} (two semi-spaces of half that). None when the user chose a
 * maximum, on the command line or in `NODE_OPTIONS` (V8 reads `-` and `_` alike).
 */
export function restartFlags(execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const chosen = [...execArgv, env['NODE_OPTIONS'] ?? ''].some((a) =>
    /--max[-_]semi[-_]space[-_]size/.test(a)
  );
  return chosen ? [] : [`--max-semi-space-size=${SCAN_YOUNG_GENERATION_MIB / 2}`];
}

function isLargeJsonFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= DIFF_RESTART_JSON_BYTES && startsWithBraceSync(path);
  } catch {
    // Not there or not readable: the command says so in its own words.
    return false;
  }
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Start lamina again in this process with fewer malloc arenas (and {@link restartFlags}) when
 * {@link wantsFewerArenas} says so; returns (and lamina runs on in this start) when it does not,
 * or when the start fails.
 */
export function startWithFewerArenas(argv: readonly string[]): void {
  const execve = (process as { execve?: Execve }).execve;
  const facts = {
    platform: process.platform,
    env: process.env,
    canExecve: !!execve,
    isLargeJsonFile,
  };
  if (!execve || !wantsFewerArenas(argv, facts)) return;
  const script = process.argv[1];
  if (script === undefined) return;
  try {
    // Node's first releases of execve abort the process when execve(2) fails, where later ones
    // throw: try only a binary that can run.
    accessSync(process.execPath, constants.X_OK);
    execve.call(
      process,
      process.execPath,
      [
        process.execPath,
        ...process.execArgv,
        ...restartFlags(process.execArgv, process.env),
        script,
        ...argv,
      ],
      { ...process.env, MALLOC_ARENA_MAX: String(SCAN_MALLOC_ARENAS) }
    );
  } catch {
    // Newer Node throws when execve(2) fails (the binary gone, say): this start goes on as it is.
  }
}
