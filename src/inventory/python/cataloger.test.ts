import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource } from '../../unpack/memory.js';
import { OwnershipIndex } from '../binary/ownership.js';
import { runCataloger } from '../cataloger.js';
import { pythonCataloger } from './cataloger.js';

const FIXTURE = fileURLToPath(new URL('../../../testdata/layers/python-basic', import.meta.url));
const DIGEST = 'b'.repeat(64);
const SITE = 'python/lib/python3.11/site-packages';

function readTree(root: string, rel = ''): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const name of readdirSync(join(root, rel))) {
    const path = rel ? `${rel}/${name}` : name;
    if (lstatSync(join(root, path)).isDirectory()) Object.assign(out, readTree(root, path));
    else out[path] = readFileSync(join(root, path));
  }
  return out;
}

/** Independent of the cataloger: metadata files by path, with the Name/Version headers grepped. */
function expectedDistributions(
  files: Record<string, Buffer>
): Map<string, { name: string; version: string }> {
  const out = new Map<string, { name: string; version: string }>();
  for (const [path, buf] of Object.entries(files)) {
    let id: string | undefined;
    if (path.endsWith('.dist-info/METADATA') || path.endsWith('.egg-info/PKG-INFO'))
      id = path.slice(0, path.lastIndexOf('/'));
    else if (path.endsWith('.egg-info')) id = path;
    if (!id) continue;
    const text = buf.toString('utf8');
    const name = /^Name: (.+)$/m.exec(text)?.[1] ?? '';
    const version = /^Version: (.+)$/m.exec(text)?.[1] ?? '';
    out.set(id, { name, version });
  }
  return out;
}

const byId = (pkgs: Package[]): Map<string, Package> => new Map(pkgs.map((p) => [p.id, p]));

describe('pythonCataloger over the python-basic fixture', () => {
  const files = readTree(FIXTURE);
  const expected = expectedDistributions(files);

  it('finds every dist-info, egg-info directory and single-file egg-info, with no findings', async () => {
    const { packages, findings } = await runCataloger(
      pythonCataloger,
      await DirectorySource.open(FIXTURE),
      { layerDigest: DIGEST }
    );
    expect(findings).toEqual([]);
    expect(expected.size).toBe(9);
    expect(new Set(packages.map((p) => p.id))).toEqual(
      new Set([...expected.keys()].map((k) => `pypi:${k}`))
    );
    for (const p of packages) {
      const want = expected.get(p.id.slice('pypi:'.length));
      expect(p.name).toBe(want?.name);
      expect(p.version).toBe(want?.version);
      // PEP 503: lowercase, runs of -_. become '-'.
      expect(p.purl).toBe(
        `pkg:pypi/${want?.name.toLowerCase().replace(/[-_.]+/g, '-')}@${want?.version}`
      );
      expect(p.foundBy).toBe('python-installed');
      expect(p.locations[0]?.layerDigest).toBe(DIGEST);
      expect(p.hashes).toEqual({});
      expect(p.findings).toEqual([]);
    }
    const ids = byId(packages);
    expect(ids.get(`pypi:${SITE}/mypy_extensions-1.1.0.dist-info`)?.purl).toBe(
      'pkg:pypi/mypy-extensions@1.1.0'
    );
    expect(ids.get('pypi:python/wsgiref.egg-info')?.locations[0]?.path).toBe(
      'python/wsgiref.egg-info'
    );
    expect(ids.get(`pypi:${SITE}/xmltodict-0.13.0.egg-info`)?.locations[0]?.path).toBe(
      `${SITE}/xmltodict-0.13.0.egg-info/PKG-INFO`
    );
  });

  it('resolves Requires-Dist edges by PEP 503 name, across python/ and site-packages', async () => {
    const { packages } = await runCataloger(pythonCataloger, new MemorySource('py', files), {
      layerDigest: DIGEST,
    });
    const ids = byId(packages);
    expect(ids.get('pypi:python/rfc3339_validator-0.1.4.dist-info')?.dependsOn).toEqual([
      'pypi:python/six-1.17.0.dist-info',
    ]);
    expect(ids.get(`pypi:${SITE}/jsonpatch-1.33.dist-info`)?.dependsOn).toEqual([
      'pypi:python/jsonpointer-3.1.1.dist-info',
    ]);
    const ti = ids.get(`pypi:${SITE}/typing_inspect-0.9.0.dist-info`);
    expect(ti?.dependsOn).toEqual([`pypi:${SITE}/mypy_extensions-1.1.0.dist-info`]);
    // typing-extensions is required but not installed; `typing` only under a marker.
    expect(ti?.properties['python:missing-requires']).toBe('typing-extensions');
    expect(ids.get('pypi:python/six-1.17.0.dist-info')?.dependsOn).toEqual([]);
  });

  it('reads licenses from License-Expression, License, classifiers', async () => {
    const { packages } = await runCataloger(pythonCataloger, new MemorySource('py', files), {
      layerDigest: DIGEST,
    });
    const lic = (id: string): unknown => byId(packages).get(id)?.licenses;
    const mit = [{ $case: 'expression', expression: 'MIT' }];
    expect(lic(`pypi:${SITE}/iniconfig-2.3.0.dist-info`)).toEqual(mit); // License-Expression
    expect(lic('pypi:python/six-1.17.0.dist-info')).toEqual(mit); // License: MIT
    expect(lic('pypi:python/rfc3339_validator-0.1.4.dist-info')).toEqual(mit); // "MIT license" + classifier
    // "Modified BSD License" is the 3-clause BSD license.
    expect(lic('pypi:python/jsonpointer-3.1.1.dist-info')).toEqual([
      { $case: 'expression', expression: 'BSD-3-Clause' },
    ]);
    expect(lic('pypi:python/wsgiref.egg-info')).toEqual([{ $case: 'name', name: 'PSF or ZPL' }]);
    expect(byId(packages).get('pypi:python/six-1.17.0.dist-info')?.homepage).toBe(
      'https://github.com/benjaminp/six'
    );
    expect(byId(packages).get(`pypi:${SITE}/iniconfig-2.3.0.dist-info`)?.homepage).toBe(
      'https://github.com/pytest-dev/iniconfig'
    );
  });

  it('owns RECORD files inside its site directory only, top_level modules for eggs', async () => {
    const { packages } = await runCataloger(pythonCataloger, new MemorySource('py', files), {
      layerDigest: DIGEST,
    });
    const ids = byId(packages);
    const jsonpatch = ids.get(`pypi:${SITE}/jsonpatch-1.33.dist-info`);
    // pip writes ../../../bin/jsonpatch into RECORD; the claim is made, and refused: it lies
    // outside the site directory the distribution installs into.
    expect(jsonpatch?.installDir).toBe(SITE);
    expect(jsonpatch?.owns).not.toContain('python/bin/jsonpatch');
    expect(jsonpatch?.disowned).toContain('python/bin/jsonpatch');
    expect(new OwnershipIndex([jsonpatch!]).refusedClaimant('python/bin/jsondiff')).toBe(jsonpatch);
    expect(new OwnershipIndex([jsonpatch!]).owner(`${SITE}/jsonpatch.py`)).toBe(jsonpatch);
    expect(jsonpatch?.owns).toContain(`${SITE}/jsonpatch.py`);
    expect(jsonpatch?.owns).toContain(`${SITE}/jsonpatch-1.33.dist-info/`);
    // jsonpointer sits in python/: its ../../../bin/jsonpointer leaves the layer and is dropped.
    expect(
      ids.get('pypi:python/jsonpointer-3.1.1.dist-info')?.owns.some((p) => p.includes('bin/'))
    ).toBe(false);
    expect(ids.get(`pypi:${SITE}/xmltodict-0.13.0.egg-info`)?.owns).toEqual([
      `${SITE}/xmltodict-0.13.0.egg-info/`,
      `${SITE}/xmltodict.py`,
    ]);
    expect(ids.get('pypi:python/wsgiref.egg-info')?.owns).toEqual(['python/wsgiref.egg-info']);
  });
});

describe('pythonCataloger tamper detection and malformed files', () => {
  const files = readTree(FIXTURE);

  it('reports a RECORD-listed file modified after install, and one deleted', async () => {
    const modified = `${SITE}/iniconfig/_parse.py`;
    const sameSize = Buffer.from(files[modified] ?? '');
    sameSize[0] = sameSize[0] === 0x23 ? 0x20 : 0x23; // same size, different bytes: hashing must catch it
    const tampered: Record<string, Buffer> = { ...files, [modified]: sameSize };
    delete tampered['python/six.py'];
    const { packages, findings } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', tampered)
    );
    expect(findings.map((f) => [f.code, f.severity, f.path]).sort()).toEqual([
      ['RECORD_FILE_MISSING', 'warning', 'python/six.py'],
      ['RECORD_HASH_MISMATCH', 'error', modified],
    ]);
    const ids = byId(packages);
    expect(ids.get(`pypi:${SITE}/iniconfig-2.3.0.dist-info`)?.findings.map((f) => f.code)).toEqual([
      'RECORD_HASH_MISMATCH',
    ]);
    expect(ids.get('pypi:python/six-1.17.0.dist-info')?.findings.map((f) => f.code)).toEqual([
      'RECORD_FILE_MISSING',
    ]);
    expect(packages).toHaveLength(9);
  });

  it('catches a changed script outside site-packages and a size change', async () => {
    const tampered = {
      ...files,
      'python/bin/jsonpatch': Buffer.concat([
        files['python/bin/jsonpatch'] ?? Buffer.alloc(0),
        Buffer.from('\nimport evil\n'),
      ]),
    };
    const { findings } = await runCataloger(pythonCataloger, new MemorySource('py', tampered), {
      layerDigest: DIGEST,
    });
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['RECORD_HASH_MISMATCH', 'python/bin/jsonpatch'],
    ]);
  });

  it('names a distribution whose METADATA lacks Name or Version from its directory, and says so', async () => {
    const broken = 'python/broken-1.0.dist-info/METADATA';
    const noVersion = 'python/nover-1.0.dist-info/METADATA';
    const nameless = 'python/nameless.dist-info/METADATA';
    const src = new MemorySource('py', {
      ...files,
      // Python's email parser stops the headers at the first non-header line: no Name.
      [broken]: 'Metadata-Version: 2.1\nthis is not a header\nName: broken\n',
      [noVersion]: 'Metadata-Version: 2.1\nName: nover\n',
      [nameless]: '\u0000',
    });
    const { packages, findings } = await runCataloger(pythonCataloger, src, {
      layerDigest: DIGEST,
    });
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['METADATA_INCOMPLETE', 'warning', broken],
      ['METADATA_INCOMPLETE', 'warning', nameless],
      ['METADATA_INCOMPLETE', 'warning', noVersion],
    ]);
    expect(packages).toHaveLength(12);
    const purls = packages.map((p) => p.purl);
    expect(purls).toContain('pkg:pypi/broken@1.0');
    expect(purls).toContain('pkg:pypi/nover@1.0');
    expect(purls).toContain('pkg:pypi/nameless');
  });

  it('reads requires.txt of egg-info dirs and skips extras', async () => {
    const src = new MemorySource('py', {
      'python/a-1.0.egg-info/PKG-INFO': 'Metadata-Version: 1.1\nName: A\nVersion: 1.0\n',
      'python/a-1.0.egg-info/requires.txt': 'b>=1\n\n[:python_version >= "3"]\nc\n\n[socks]\nd\n',
      'python/a-1.0.egg-info/installed-files.txt': '../a/__init__.py\n../a/x.so\n',
      'python/b-1.0.dist-info/METADATA':
        'Metadata-Version: 2.1\nName: B\nVersion: 1.0\nRequires-Dist: D ; extra == "x"\n',
      'python/C.py': '',
      'python/c-2.dist-info/METADATA': 'Metadata-Version: 2.1\nName: c\nVersion: 2\n',
      'python/d-1.dist-info/METADATA': 'Metadata-Version: 2.1\nName: d\nVersion: 1\n',
    });
    const { packages, findings } = await runCataloger(pythonCataloger, src, {
      layerDigest: DIGEST,
    });
    expect(findings).toEqual([]);
    const a = byId(packages).get('pypi:python/a-1.0.egg-info');
    expect(a?.dependsOn).toEqual(['pypi:python/b-1.0.dist-info', 'pypi:python/c-2.dist-info']);
    expect(a?.owns).toEqual(['python/a-1.0.egg-info/', 'python/a/__init__.py', 'python/a/x.so']);
    expect(byId(packages).get('pypi:python/b-1.0.dist-info')?.dependsOn).toEqual([]);
  });

  it('reads egg directories (EGG-INFO/PKG-INFO) and owns the whole egg', async () => {
    // Real metadata (Debian's xmltodict), laid out as easy_install leaves an egg directory.
    const pkgInfo = readFileSync(
      join(FIXTURE, 'python/lib/python3.11/site-packages/xmltodict-0.13.0.egg-info/PKG-INFO')
    );
    const egg = 'python/lib/python3.11/site-packages/xmltodict-0.13.0-py3.11.egg';
    const src = new MemorySource('py', {
      [`${egg}/EGG-INFO/PKG-INFO`]: pkgInfo,
      [`${egg}/EGG-INFO/requires.txt`]: 'six\n',
      [`${egg}/xmltodict.py`]: 'pass\n',
      'python/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA':
        'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n',
    });
    const { packages, findings } = await runCataloger(pythonCataloger, src);
    expect(findings).toEqual([]);
    const x = byId(packages).get(`pypi:${egg}/EGG-INFO`);
    expect(x?.purl).toBe('pkg:pypi/xmltodict@0.13.0');
    expect(x?.owns).toEqual([`${egg}/`]);
    expect(x?.dependsOn).toEqual(['pypi:python/lib/python3.11/site-packages/six-1.16.0.dist-info']);
  });
});

describe('pip install --target', () => {
  // What pip 23 writes for jmespath 1.1.0 (a dependency of boto3): the script's row is relative
  // to the temporary home scheme pip installs into, then it moves that home's bin/ into DIR.
  const jp = '#!/usr/bin/python3\n\nimport sys\nimport jmespath\n';
  const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
  const layer = (site: string, script: string) =>
    new MemorySource('py', {
      [`${site}/jmespath-1.1.0.dist-info/METADATA`]:
        'Metadata-Version: 2.1\nName: jmespath\nVersion: 1.1.0\n',
      [`${site}/jmespath-1.1.0.dist-info/RECORD`]: [
        '../../bin/__pycache__/jp.cpython-311.pyc,,',
        `../../bin/jp.py,sha256=${digest(jp)},${jp.length}`,
        `jmespath/__init__.py,sha256=${digest('')},0`,
        'jmespath-1.1.0.dist-info/RECORD,,',
        '',
      ].join('\n'),
      [`${site}/jmespath/__init__.py`]: '',
      [`${site}/bin/jp.py`]: script,
    });

  it.each(['python', 'python/lib/python3.11/site-packages'])(
    "into %s: the script in DIR/bin is the distribution's, its hash checked",
    async (site) => {
      const { packages, findings } = await runCataloger(pythonCataloger, layer(site, jp));
      expect(findings).toEqual([]);
      expect(packages.map((p) => p.purl)).toEqual(['pkg:pypi/jmespath@1.1.0']);
      expect(packages[0]!.owns).toContain(`${site}/bin/jp.py`);

      const tampered = await runCataloger(pythonCataloger, layer(site, `${jp}import os\n`));
      expect(tampered.findings.map((f) => [f.code, f.path])).toEqual([
        ['RECORD_HASH_MISMATCH', `${site}/bin/jp.py`],
      ]);
    }
  );
});

describe('RECORD digests as distribution builds write them', () => {
  const files = readTree(FIXTURE);
  const record = `${SITE}/iniconfig-2.3.0.dist-info/RECORD`;

  /** The fixture's RECORD with each urlsafe-base64 sha256 rewritten by `rewrite`. */
  function withDigests(rewrite: (b64: string) => string): Record<string, Buffer> {
    const text = (files[record] ?? Buffer.alloc(0)).toString('utf8');
    return {
      ...files,
      [record]: Buffer.from(
        text.replace(/sha256=([\w-]+)/g, (_, d: string) => `sha256=${rewrite(d)}`)
      ),
    };
  }

  it('accepts hex digests that match, and still catches a change', async () => {
    const hex = withDigests((d) => Buffer.from(d, 'base64url').toString('hex'));
    const clean = await runCataloger(pythonCataloger, new MemorySource('py', hex));
    expect(clean.findings.filter((f) => f.code.startsWith('RECORD_'))).toEqual([]);
    const modified = `${SITE}/iniconfig/_parse.py`;
    const bytes = Buffer.from(files[modified] ?? '');
    bytes[0] = bytes[0] === 0x23 ? 0x20 : 0x23;
    const tampered = await runCataloger(
      pythonCataloger,
      new MemorySource('py', { ...hex, [modified]: bytes })
    );
    expect(tampered.findings.map((f) => [f.code, f.path])).toEqual([
      ['RECORD_HASH_MISMATCH', modified],
    ]);
  });

  it('says a mismatched shared library may have been stripped; one line, path not repeated', async () => {
    const lib = `${SITE}/iniconfig/_speedups.cpython-312-x86_64-linux-gnu.so`;
    const text = (files[record] ?? Buffer.alloc(0)).toString('utf8');
    const tree = {
      ...files,
      [lib]: Buffer.from('\x7fELF stripped'),
      [record]: Buffer.from(
        `${text}iniconfig/_speedups.cpython-312-x86_64-linux-gnu.so,sha256=${'A'.repeat(43)},13\n`
      ),
    };
    const { findings } = await runCataloger(pythonCataloger, new MemorySource('py', tree));
    const f = findings.find((x) => x.path === lib);
    expect(f?.code).toBe('RECORD_HASH_MISMATCH');
    expect(f?.message).toMatch(/distribution builds strip/);
    expect(f?.message).not.toContain(lib);
    expect(f?.message).not.toContain('\n');
  });
});
