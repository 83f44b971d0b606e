import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Run the CLI in-process, as `main()` does for a user, with captured output. */
export async function runCli(
  argv: string[],
  options: { isTty?: boolean } = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, isTty: options.isTty ?? false });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));

/** Run the built CLI as a separate process (what users run). Requires `npm run build`. */
export function spawnCli(
  argv: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {}
) {
  const r = spawnSync(process.execPath, [BUILT_CLI, ...argv], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // A run that hangs is killed and fails its test (code -1) rather than hold the test worker.
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
