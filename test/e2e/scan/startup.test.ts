/**
 * What `lamina scan` loads. A re-scan whose SBOMs and package drift all come from the cache
 * needs the Lambda and STS clients, not the zip reader, the catalogers, the CycloneDX writer,
 * the package drift analysis, the image stack, the history or the policy reader; a first scan
 * loads what inventories zips and analyses the drift.
 * Their cost is measured by `npm run bench:scan` (warm re-scan CPU against cold); this holds the
 * structure that keeps it low.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { loadedModules, MODULES_PRELOAD, type LoadedModules } from '../helpers/modules.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Loaded extends LoadedModules {
  code: number | null;
  scanJson: string;
}

/** Run the built CLI's `scan` as its own process (the endpoint serves from this one). */
async function scanLoaded(h: Harness, name: string): Promise<Loaded> {
  const log = join(h.dir, `${name}.esm.log`);
  const out = join(h.dir, 'out');
  const argv = [
    ...['--import', MODULES_PRELOAD, BUILT_CLI, 'scan', '--endpoint-url', h.endpoint.url],
    ...['--region', 'us-east-1', '--region', 'eu-west-1', '--output-dir', out],
    ...['--cache-dir', join(h.dir, 'cache'), '--max-attempts', '2', '--quiet'],
  ];
  const child = spawn(process.execPath, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, LAMINA_TEST_ESM_LOG: log },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    ...loadedModules(stderr, log),
    scanJson: readFileSync(join(out, 'scan.json'), 'utf8'),
  };
}

/** What inventories a zip and writes its SBOM: a first scan needs it, a re-scan does not. */
const CONTENT_MODULES = ['src/pipeline/inventory.js', 'src/unpack/zip.js', 'src/sbom/cyclonedx.js'];
/** The package drift analysis and the version orderings it compares with. */
const ANALYSIS_MODULES = ['src/estate/analyze.js', 'src/versions/index.js', 'src/diff/diff.js'];
/** The image stack, the history, the policy reader and the report renderers. */
const NOT_FOR_A_ZIP_ESTATE = [
  'src/pipeline/scan-images.js',
  'src/fetch/image/layout.js',
  'src/fetch/registry/client.js',
  'src/pipeline/history.js',
  'src/verify/policy/load.js',
  'src/report/html/report.js',
  'src/report/scan-markdown.js',
];
const NO_PACKAGES = [
  '@aws-sdk/client-ecr',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-signer',
  '@sigstore/verify',
  'better-sqlite3',
  'ajv',
  'yaml',
  'packageurl-js',
];

describe('lamina scan start-up', () => {
  it('a re-scan from the cache loads no inventory, CycloneDX writer, image stack or policy reader', async () => {
    h = await startHarness(SCAN_ESTATE);
    const cold = await scanLoaded(h, 'cold');
    // The estate has versions that cannot be fetched: exit 3, every zip that can inventoried.
    expect(cold.code).toBe(3);
    expect(CONTENT_MODULES.filter((m) => !cold.modules.has(m))).toEqual([]);
    expect(cold.packages).toContain('@cyclonedx/cyclonedx-library');
    expect(cold.modules).toContain('src/estate/analyze.js');
    expect(NOT_FOR_A_ZIP_ESTATE.filter((m) => cold.modules.has(m))).toEqual([]);

    const warm = await scanLoaded(h, 'warm');
    expect(warm.code).toBe(3);
    expect(warm.scanJson).toBe(cold.scanJson);
    expect(warm.packages).toContain('@aws-sdk/client-lambda');
    expect(
      [...CONTENT_MODULES, ...ANALYSIS_MODULES, ...NOT_FOR_A_ZIP_ESTATE].filter((m) =>
        warm.modules.has(m)
      )
    ).toEqual([]);
    expect(
      ['@cyclonedx/cyclonedx-library', ...NO_PACKAGES].filter((p) => warm.packages.has(p))
    ).toEqual([]);
    // The SDK clients, semver and pep440 through require, none as an ES module.
    expect(warm.esmPackages).toEqual([]);
    expect(cold.esmPackages).toEqual([]);
  });
});
