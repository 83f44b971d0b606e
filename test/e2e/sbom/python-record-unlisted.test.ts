/**
 * A module file in a package directory a RECORD claims, which the RECORD does not list: every
 * listed file's hash checks out, and Python still runs the unlisted one. The layer is built at
 * test time (the repo's zip writer), python3 imports the package from an unzipped copy, and the
 * built CLI (`npm run build` first) must report RECORD_FILE_UNLISTED and fail inventory:complete
 * in `lamina verify` unless a rule allows that path.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import { spawnCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-py-unlisted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const row = (path: string, data: string): string =>
  `${path},sha256=${createHash('sha256').update(data).digest('base64url')},${Buffer.byteLength(data)}`;

let zips = 0;

/**
 * tinylib 1.0.0 as a wheel installs it into python/, its RECORD listing each file with its hash,
 * and `rows` besides.
 */
function layer(extra: Record<string, string>, rows: string[] = []): string {
  const files: Record<string, string> = {
    'tinylib/__init__.py': 'from . import utils\n',
    'tinylib/utils.py': 'def hello():\n    return "genuine utils"\n',
    'tinylib-1.0.0.dist-info/METADATA':
      'Metadata-Version: 2.1\nName: tinylib\nVersion: 1.0.0\nLicense: MIT\n\n',
    'tinylib-1.0.0.dist-info/WHEEL':
      'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = [
    ...Object.entries(files).map(([p, d]) => row(p, d)),
    ...rows,
    'tinylib-1.0.0.dist-info/RECORD,,',
    '',
  ].join('\n');
  const all = { ...files, 'tinylib-1.0.0.dist-info/RECORD': record, ...extra };
  const zip = join(tmp, `layer-${zips++}.zip`);
  writeFileSync(
    zip,
    writeZip(Object.entries(all).map(([name, data]) => ({ name: `python/${name}`, data })))
  );
  return zip;
}

const sha256 = (zip: string): string =>
  createHash('sha256').update(readFileSync(zip)).digest('hex');

/** The zip pinned (so only its contents can fail the verdict), with `inventory` added. */
function policy(zip: string, inventory = ''): string {
  const path = join(tmp, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `version: 1
default: deny
layers:
  - match: { name: platform-x }
    pins:
      - sha256: '${sha256(zip)}'
${inventory}`
  );
  return path;
}

const EVIL =
  'print("LAMINA-UNLISTED: the unlisted package ran")\ndef hello():\n    return "evil"\n';

describe('a package directory the RECORD does not list, shadowing a listed module', () => {
  const zip = layer({ 'tinylib/utils/__init__.py': EVIL });

  it('python3 imports the unlisted directory instead of the listed, hashed utils.py', () => {
    const dir = join(tmp, 'unzipped');
    execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
    const r = spawnSync(
      'python3',
      [
        '-B',
        '-c',
        'import site, sys; site.addsitedir(sys.argv[1]); import tinylib; print(tinylib.utils.hello())',
        join(dir, 'python'),
      ],
      { encoding: 'utf8' }
    );
    expect(r.stdout).toContain('LAMINA-UNLISTED');
    expect(r.stdout).toContain('evil');
  });

  it('lamina sbom reports it, and the inventory is incomplete', () => {
    const out = join(tmp, 'sbom.json');
    const r = spawnCli(['sbom', zip, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/RECORD_FILE_UNLISTED[^\n]*python\/tinylib\/utils/);
    expect(r.stderr).toContain('inventory incomplete');
  });

  it('lamina verify fails inventory:complete (exit 1); a rule allowing the path passes it', () => {
    const failed = spawnCli(['verify', zip, '--layer-name', 'platform-x', '--policy', policy(zip)]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL inventory:complete[\s\S]*RECORD_FILE_UNLISTED/);
    expect(failed.stdout).toContain('python/tinylib/utils');
    const allowed = spawnCli([
      'verify',
      zip,
      '--layer-name',
      'platform-x',
      '--policy',
      policy(
        zip,
        `    inventory:
      allow:
        - code: RECORD_FILE_UNLISTED
          paths: ['python/tinylib/utils']
          reason: reviewed
`
      ),
    ]);
    expect(allowed.stdout).toMatch(/PASS inventory:complete/);
    expect(allowed.code).toBe(0);
  });

  it("a fake egg-info's installed-files.txt naming the directory does not excuse it", () => {
    const faked = layer({
      'tinylib/utils/__init__.py': EVIL,
      'helper-0.1-py3.11.egg-info/PKG-INFO': 'Metadata-Version: 1.1\nName: helper\nVersion: 0.1\n',
      'helper-0.1-py3.11.egg-info/installed-files.txt':
        '../tinylib/utils/__init__.py\nPKG-INFO\ninstalled-files.txt\n',
    });
    const r = spawnCli(['verify', faked, '--layer-name', 'platform-x', '--policy', policy(faked)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL inventory:complete[\s\S]*RECORD_FILE_UNLISTED/);
    expect(r.stdout).toContain('python/tinylib/utils');
  });

  it('the same layer without the unlisted directory stays complete', () => {
    const clean = layer({ 'tinylib/py.typed': '' });
    const r = spawnCli(['verify', clean, '--layer-name', 'platform-x', '--policy', policy(clean)]);
    expect(r.stdout).toMatch(/PASS inventory:complete/);
    expect(r.code).toBe(0);
  });
});

/**
 * A RECORD row naming a module file without a hash, or with an algorithm lamina cannot compute:
 * pip hashes every file it installs but RECORD and the pycs, and such a row vouches for nothing.
 */
describe('a RECORD row lamina cannot check, for a file Python runs', () => {
  const verify = (zip: string) =>
    spawnCli(['verify', zip, '--layer-name', 'platform-x', '--policy', policy(zip)]);

  it.each([
    ['without a hash', 'tinylib/evil.py,,'],
    ['with an unknown algorithm', 'tinylib/evil.py,nosuchalg=AAAA,'],
  ])('a module listed %s: python3 runs it, lamina verify fails inventory:complete', (_w, line) => {
    const zip = layer({ 'tinylib/evil.py': EVIL }, [line]);
    const dir = join(tmp, `unzipped-${zips}`);
    execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
    const py = spawnSync(
      'python3',
      [
        '-B',
        '-c',
        'import sys; sys.path.insert(0, sys.argv[1]); import tinylib.evil',
        join(dir, 'python'),
      ],
      { encoding: 'utf8' }
    );
    expect(py.stdout).toContain('LAMINA-UNLISTED');
    const r = verify(zip);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL inventory:complete[\s\S]*RECORD_NOT_VERIFIED python\/tinylib\/evil\.py/
    );
  });

  it('an unhashed .pth (site runs its import lines) fails inventory:complete', () => {
    const zip = layer({ 'zz_tinylib.pth': 'import os; print("PWNED")\n' }, ['zz_tinylib.pth,,']);
    const r = verify(zip);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL inventory:complete[\s\S]*RECORD_NOT_VERIFIED python\/zz_tinylib\.pth/
    );
  });
});
