/**
 * An owned .pth file (listed with its hash in a RECORD) whose path lines put more places on
 * sys.path: a zip (zipimport), a directory whose name has a dot, a directory outside python/.
 * The layer is built at test time (the repo's zip writer), python3 processes the site directory
 * of an unzipped copy as Lambda's runtime does (site.addsitedir), and the built CLI
 * (`npm run build` first) must see each place: the modules there as packages with no metadata,
 * the zip as PTH_PATH_NOT_INSPECTED, and `lamina verify` fail inventory:complete (exit 1).
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import { spawnCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-py-pth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const row = (path: string, data: string | Buffer): string =>
  `${path},sha256=${createHash('sha256').update(data).digest('base64url')},${Buffer.byteLength(data)}`;

const payload = (name: string): string => `print("LAMINA-PTH: ${name} ran")\n`;

/** nspkg-helper 1.0.0 in python/, its RECORD listing the .pth with its hash; `extra` beside it. */
function layer(
  name: string,
  pth: string,
  extra: { name: string; data: string | Buffer }[]
): string {
  const files: Record<string, string> = {
    'nspkg_helper/__init__.py': '',
    'nspkg_helper-init.pth': pth,
    'nspkg_helper-1.0.0.dist-info/METADATA':
      'Metadata-Version: 2.1\nName: nspkg-helper\nVersion: 1.0.0\nLicense: MIT\n\n',
  };
  const record = [
    ...Object.entries(files).map(([p, d]) => row(p, d)),
    'nspkg_helper-1.0.0.dist-info/RECORD,,',
    '',
  ].join('\n');
  const entries = Object.entries({
    ...files,
    'nspkg_helper-1.0.0.dist-info/RECORD': record,
  }).map(([p, data]) => ({ name: `python/${p}`, data }));
  const zip = join(tmp, name);
  writeFileSync(zip, writeZip([...entries, ...extra]));
  return zip;
}

/** A zip holding one module, as zipimport reads it (made with python3's zipfile). */
function moduleZip(module: string): Buffer {
  const out = join(tmp, `${module}.zip`);
  execFileSync('python3', [
    '-c',
    'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr(sys.argv[2] + ".py", sys.argv[3])',
    out,
    module,
    payload(module),
  ]);
  return readFileSync(out);
}

function policy(zip: string): string {
  const path = join(tmp, `${zip.replace(/\W/g, '_')}.yaml`);
  const sha = createHash('sha256').update(readFileSync(zip)).digest('hex');
  writeFileSync(
    path,
    `version: 1\ndefault: deny\nlayers:\n  - match: { name: platform-x }\n    pins:\n      - sha256: '${sha}'\n`
  );
  return path;
}

const verify = (zip: string) =>
  spawnCli(['verify', zip, '--layer-name', 'platform-x', '--policy', policy(zip)]);

describe('an owned .pth file putting unscanned places on sys.path', () => {
  const zip = layer(
    'pth.zip',
    'payload.zip\nhidden.d\n../share/pyhidden\nimport evil_zip, evil_dot, evil_share\n',
    [
      { name: 'python/payload.zip', data: moduleZip('evil_zip') },
      { name: 'python/hidden.d/evil_dot.py', data: payload('evil_dot') },
      { name: 'share/pyhidden/evil_share.py', data: payload('evil_share') },
    ]
  );

  it('python3 runs all three at start-up, through site.addsitedir', () => {
    const dir = join(tmp, 'unzipped');
    execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
    const r = spawnSync(
      'python3',
      ['-B', '-c', 'import site, sys; site.addsitedir(sys.argv[1])', join(dir, 'python')],
      { encoding: 'utf8' }
    );
    for (const m of ['evil_zip', 'evil_dot', 'evil_share'])
      expect(r.stdout).toContain(`LAMINA-PTH: ${m} ran`);
  });

  it('lamina sbom records the modules there and reports the zip; the inventory is incomplete', () => {
    const out = join(tmp, 'pth.cdx.json');
    const r = spawnCli(['sbom', zip, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/PTH_PATH_NOT_INSPECTED[^\n]*payload\.zip/);
    expect(r.stderr).toContain('inventory incomplete');
    const bom = JSON.parse(readFileSync(out, 'utf8')) as {
      components: { purl?: string }[];
      compositions: { aggregate: string }[];
    };
    const purls = bom.components.map((c) => c.purl);
    expect(purls).toContain('pkg:pypi/evil-dot');
    expect(purls).toContain('pkg:pypi/evil-share');
    expect(bom.compositions[0]?.aggregate).toBe('incomplete');
  });

  it('lamina verify fails inventory:complete (exit 1)', () => {
    const r = verify(zip);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL inventory:complete[\s\S]*PTH_PATH_NOT_INSPECTED/);
    expect(r.stdout).toContain('python/hidden.d/evil_dot.py');
    expect(r.stdout).toContain('share/pyhidden/evil_share.py');
  });

  it('a .pth of import lines and comments only (as setuptools writes) leaves the layer complete', () => {
    const clean = layer('clean.zip', "# comment\nimport os; var = 'x'\n", []);
    const r = verify(clean);
    expect(r.stdout).toMatch(/PASS inventory:complete/);
    expect(r.code).toBe(0);
  });
});
