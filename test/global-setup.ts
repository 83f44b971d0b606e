/**
 * One temporary directory per test run, which every test's temporary files go under (`TMPDIR`,
 * inherited by the test workers and every process they start) and which is removed when the run
 * ends: a test that fails, times out or is killed before its own clean-up leaves nothing behind
 * in the machine's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'lamina-test-run-'));
  process.env['TMPDIR'] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
