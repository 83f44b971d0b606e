import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';

// Start-up cost is measured by `npm run bench:startup`; these tests hold the structure that
// keeps it low: a command loads only the packages it needs.
const PRELOAD = join(REPO_ROOT, 'test', 'e2e', 'sbom', 'modules-preload.mjs');
const LAYER = join(REPO_ROOT, 'testdata', 'layers', 'sample-layer.zip');
const dir = mkdtempSync(join(tmpdir(), 'lamina-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The npm packages (by name) the built CLI loaded for `argv`, and its exit code. */
function packagesLoaded(argv: string[]): { code: number; packages: Set<string> } {
  const r = spawnSync(process.execPath, ['--import', PRELOAD, BUILT_CLI, ...argv], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const line = r.stderr.trim().split('\n').at(-1) ?? '';
  expect(line).toMatch(/^lamina-test-cjs-modules /);
  const files = JSON.parse(line.slice('lamina-test-cjs-modules '.length)) as string[];
  const packages = new Set<string>();
  for (const f of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m) packages.add(m[1]!);
  }
  return { code: r.status ?? -1, packages };
}

const NOT_FOR_A_LAYER_SBOM = [
  '@aws-sdk/client-ecr',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-signer',
  '@aws-sdk/client-sts',
  '@sigstore/verify',
  '@sigstore/bundle',
  'better-sqlite3',
  'ajv',
];

describe('lamina sbom start-up', () => {
  it('a layer zip loads the CycloneDX writer but no AWS SDK, Sigstore, SQLite or validator', () => {
    const { code, packages } = packagesLoaded(['sbom', LAYER, '-o', join(dir, 'a.cdx.json')]);
    expect(code).toBe(0);
    expect(packages).toContain('@cyclonedx/cyclonedx-library');
    expect(NOT_FOR_A_LAYER_SBOM.filter((p) => packages.has(p))).toEqual([]);
  });

  it('--help and usage errors load no npm package at all', () => {
    for (const argv of [['sbom', '--help'], ['sbom'], ['--help'], ['no-such-command']]) {
      const { code, packages } = packagesLoaded(argv);
      expect([argv, code === 0 || code === 2]).toEqual([argv, true]);
      expect([argv, [...packages]]).toEqual([argv, []]);
    }
  });
});
