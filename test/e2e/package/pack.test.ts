/**
 * The published package, used the way a user would: `npm pack`, install the tarball into an
 * empty folder, then run `lamina --help`, `lamina sbom` and `import { ... } from 'lamina'`
 * (plain Node and a TypeScript type check). Needs `npm run build` first, as `npm test` does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';

const SAMPLE = join(REPO_ROOT, 'testdata/layers/sample-layer.zip');
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false' },
  });

let work: string;
let files: string[];
let app: string;
beforeAll(() => {
  expect(existsSync(BUILT_CLI), 'run `npm run build` first').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'lamina-pack-'));
  // The build is already there: pack what is built, without running `prepare` again.
  const packed = JSON.parse(
    npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT)
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true })
  );
  // The registry's packages (npm's cache first); no optional native addon, no install scripts.
  npm(
    [
      'install',
      '--no-audit',
      '--prefer-offline',
      '--omit=optional',
      '--ignore-scripts',
      join(work, packed[0]!.filename),
    ],
    app
  );
}, 600_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('holds the built product and policies, not the tests, test helpers or the AWS fake', () => {
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('policies/policy.schema.json');
    const stray = files.filter((f) =>
      /(^|\/)(test|tests|testing|aws-local|testdata)(\/|$)|\.test\.|^src\//.test(f)
    );
    expect(stray).toEqual([]);
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('@lamina');
  });

  it('`lamina --help` prints the usage', () => {
    const r = spawnSync(join(app, 'node_modules/.bin/lamina'), ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lamina \d+\.\d+\.\d+: supply-chain verifier/);
    expect(r.stdout).toContain('sbom INPUT');
  });

  it('`lamina sbom` writes a CycloneDX SBOM of a layer zip', () => {
    const r = spawnSync(join(app, 'node_modules/.bin/lamina'), ['sbom', SAMPLE, '--quiet'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status, r.stderr).toBe(0);
    const bom = JSON.parse(r.stdout) as { bomFormat: string; components: unknown[] };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.components.length).toBeGreaterThan(50);
  });

  it("`import { ... } from 'lamina'` runs the use cases", () => {
    const script = `
      import { layerSbom, parseLayerVersionArn, UsageError, LAMINA_VERSION } from 'lamina';
      const { sbom, inventory } = await layerSbom({ input: ${JSON.stringify(SAMPLE)} });
      let code;
      try { await layerSbom({ input: 'no-such-layer.zip' }); } catch (e) { code = e instanceof UsageError && e.code; }
      console.log(JSON.stringify({
        version: LAMINA_VERSION,
        packages: inventory.packages.length,
        format: JSON.parse(sbom).bomFormat,
        arn: parseLayerVersionArn('arn:aws:lambda:us-east-1:111122223333:layer:x:3')?.version,
        code,
      }));`;
    writeFileSync(join(app, 'use.mjs'), script);
    const out = execFileSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' });
    const got = JSON.parse(out) as Record<string, unknown>;
    expect(got['version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(got['packages']).toBeGreaterThan(50);
    expect(got).toMatchObject({ format: 'CycloneDX', arn: 3, code: 'BAD_INPUT' });
  });

  it('its type declarations let TypeScript check a program that imports it', () => {
    writeFileSync(
      join(app, 'use.ts'),
      `import { layerSbom, type LayerSbom, type Verdict, verifyLayerZip } from 'lamina';
const s: LayerSbom = await layerSbom({ input: 'x.zip', format: 'cyclonedx-xml' });
const v: Verdict[] = (await verifyLayerZip({ zip: 'x.zip', layerName: 'l', policy: 'p.yaml' })).verdicts;
// @ts-expect-error: not an SBOM format lamina writes
await layerSbom({ input: 'x.zip', format: 'spdx' });
export { s, v };
`
    );
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(REPO_ROOT, 'node_modules/@types'),
        '--skipLibCheck',
        'use.ts',
      ],
      { cwd: app, encoding: 'utf8' }
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
