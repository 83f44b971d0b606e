/**
 * What `lamina verify` and `lamina gate` of a local zip load: no AWS SDK client, no image verifier,
 * no scan history and no CycloneDX writer (it reads nothing from AWS, records nothing and writes
 * no SBOM), the policy schema's validator
 * compiled ahead of time (ajv's runtime helpers, not its compiler), and its CommonJS packages (the
 * policy reader's yaml, Sigstore) through `require`, none as an ES module, which would
 * make Node parse each a second time to find its export names (util/cjs.ts). Its cost is
 * measured in BENCHMARKS.md; this holds the structure that keeps it low.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { loadedModules, MODULES_PRELOAD } from '../helpers/modules.js';

const dir = mkdtempSync(join(tmpdir(), 'lamina-verify-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `type` of the package.json of the npm package a module URL is in. */
function packageType(url: string): string | undefined {
  const m = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(url.replace(/^file:\/\//, ''));
  if (!m) return undefined;
  return (JSON.parse(readFileSync(join(m[1]!, 'package.json'), 'utf8')) as { type?: string }).type;
}

describe('lamina verify and gate start-up', () => {
  it.each(['verify', 'gate'])(
    '%s of a local zip loads no AWS SDK, image verifier or CycloneDX writer, and CommonJS by require',
    (cmd) => {
      const log = join(dir, `${cmd}.esm.log`);
      const r = spawnSync(
        process.execPath,
        [
          ...['--import', MODULES_PRELOAD, BUILT_CLI, cmd],
          ...[join(REPO_ROOT, 'testdata', 'layers', 'sample-layer.zip'), '--layer-name', 'sample'],
          ...['--policy', join(REPO_ROOT, 'policies', 'production.yaml')],
        ],
        { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, LAMINA_TEST_ESM_LOG: log } }
      );
      // The sample layer is not signed as the production policy wants: a verdict, not a crash.
      expect(r.status).toBe(1);
      const loaded = loadedModules(r.stderr, log);
      expect(loaded.packages).toContain('yaml');
      expect(
        loaded.files.filter((f) => f.endsWith('policy.schema.validate.generated.cjs'))
      ).toHaveLength(1);
      expect(
        loaded.files.filter((f) => /node_modules\/ajv\/dist\/(ajv|core)\.js$/.test(f))
      ).toEqual([]);
      expect(loaded.packages).toContain('@sigstore/verify');
      expect(loaded.esmPackages.filter((u) => packageType(u) !== 'module')).toEqual([]);
      expect(
        [...loaded.packages].filter(
          (p) => p.startsWith('@aws-sdk/client-') || p === '@cyclonedx/cyclonedx-library'
        )
      ).toEqual([]);
      expect(
        ['src/pipeline/verify-image.js', 'src/fetch/image/layout.js']
          .concat(['src/pipeline/verify-image-functions.js', 'src/pipeline/history.js'])
          .filter((m) => loaded.modules.has(m))
      ).toEqual([]);
    }
  );
});
