import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { validateJson } from '../helpers/validate.js';

describe('npm run demo (scripts/demo.mjs)', () => {
  it('runs the sample scan end to end and exits 0 when it finds what the estate seeds', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lamina-demo-'));
    try {
      // Builds first when dist is older than the sources.
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/demo.mjs'), '--out', out], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 280_000,
      });
      expect(r.stderr).not.toContain('PROBLEM');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Scanned 1 account (123456789012) in 2 regions');
      expect(r.stdout).toContain('this is one of the seeded problems');
      expect(r.stdout).toMatch(/merged view of orders-worker: \d+ packages across 2 layers/);
      expect(r.stdout).toContain('the results match what the estate seeds');
      expect((await readdir(join(out, 'sboms'))).length).toBeGreaterThanOrEqual(8);
      const merged = await readFile(join(out, 'orders-worker.cdx.json'), 'utf8');
      expect(await validateJson(merged)).toBeNull();
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
