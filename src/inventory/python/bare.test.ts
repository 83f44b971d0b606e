import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { barePythonModules } from './bare.js';
import { pythonCataloger } from './cataloger.js';

const SITE = 'python/lib/python3.12/site-packages';
const files = (...paths: string[]) => paths.sort().map((path) => ({ path, kind: 'file' }));
const names = (
  entries: { path: string; kind: string }[],
  claimed: (path: string) => boolean = () => false
) => barePythonModules(entries, claimed).map((m) => `${m.kind} ${m.name} ${m.path} ${m.evidence}`);

describe('barePythonModules', () => {
  it('finds every file the import system loads a top-level module from', () => {
    expect(
      names(
        files(
          'python/a.py',
          'python/b.pyc',
          'python/c.so',
          'python/d.cpython-312-x86_64-linux-gnu.so',
          `${SITE}/e.abi3.so`,
          // Not modules: no importable suffix, hidden, or metadata.
          'python/README.md',
          'python/.hidden.py',
          'python/f.pth',
          'python/requirements.txt'
        )
      )
    ).toEqual([
      'file a python/a.py python/a.py',
      'file b python/b.pyc python/b.pyc',
      'file c python/c.so python/c.so',
      'file d python/d.cpython-312-x86_64-linux-gnu.so python/d.cpython-312-x86_64-linux-gnu.so',
      `file e ${SITE}/e.abi3.so ${SITE}/e.abi3.so`,
    ]);
  });

  it('takes a directory holding module files as a package, with or without __init__.py', () => {
    expect(
      names(
        files(
          'python/pkg/__init__.py',
          'python/pkg/sub/x.py',
          'python/ns/deep/mod.py',
          // Console scripts, metadata, caches and files outside both site directories.
          'python/bin/jsonpatch',
          'python/six-1.17.0.dist-info/RECORD',
          'python/x.egg/x/__init__.py',
          'python/__pycache__/a.cpython-312.pyc',
          'nodejs/node_modules/a/index.py',
          'other/python/z.py'
        )
      )
    ).toEqual([
      'directory ns python/ns python/ns/deep/mod.py',
      'directory pkg python/pkg python/pkg/__init__.py',
    ]);
  });

  it('gives a file under site-packages to site-packages, and python/lib/ code to python/', () => {
    const found = barePythonModules(
      files(`${SITE}/yaml/__init__.py`, 'python/lib/evil.py'),
      () => false
    );
    expect(found.map((m) => [m.site, m.name])).toEqual([
      // `import lib.evil` loads it: python/ is on sys.path too.
      ['python', 'lib'],
      [SITE, 'yaml'],
    ]);
  });

  it('leaves out what a distribution claims: a module file, or a package directory', () => {
    const claims = new Set(['python/six.py', 'python/requests/']);
    expect(
      names(
        files(
          'python/six.py',
          'python/requests/__init__.py',
          'python/requests/api.py',
          'python/evil.py'
        ),
        (p) => claims.has(p)
      )
    ).toEqual(['file evil python/evil.py python/evil.py']);
  });

  it('takes a link at the top of a site directory as the module it names', () => {
    expect(
      names([
        { path: 'python/linked', kind: 'symlink' },
        { path: 'python/linked.py', kind: 'symlink' },
        { path: 'python/notes.txt', kind: 'symlink' },
        { path: 'python/pkg/inner.py', kind: 'symlink' },
      ])
    ).toEqual([
      'directory linked python/linked python/linked',
      'file linked python/linked.py python/linked.py',
    ]);
  });
});

describe('pythonCataloger and modules no distribution claims', () => {
  const six = ['Metadata-Version: 2.1', 'Name: six', 'Version: 1.17.0', '', ''].join('\n');

  it('records each unclaimed module by name, with no version and an error', async () => {
    const { packages } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        'python/six-1.17.0.dist-info/METADATA': six,
        'python/six-1.17.0.dist-info/RECORD': 'six.py,,\nsix-1.17.0.dist-info/METADATA,,\n',
        'python/six.py': 'x = 1\n',
        'python/requests/__init__.py': 'x = 1\n',
        [`${SITE}/_cffi_backend.cpython-312-x86_64-linux-gnu.so`]: 'not an ELF',
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    const bare = packages.filter((p) => p.properties['python:metadata'] === 'missing');
    expect(
      bare.map((p) => ({
        id: p.id,
        purl: p.purl,
        version: p.version,
        owns: p.owns,
        installDir: p.installDir,
        finding: `${p.findings[0]?.code} ${p.findings[0]?.severity} ${p.findings[0]?.path}`,
      }))
    ).toEqual([
      {
        id: `pypi:${SITE}/_cffi_backend.cpython-312-x86_64-linux-gnu.so`,
        purl: 'pkg:pypi/-cffi-backend',
        version: undefined,
        owns: [`${SITE}/_cffi_backend.cpython-312-x86_64-linux-gnu.so`],
        installDir: SITE,
        finding: `METADATA_INCOMPLETE error ${SITE}/_cffi_backend.cpython-312-x86_64-linux-gnu.so`,
      },
      {
        id: 'pypi:python/requests',
        purl: 'pkg:pypi/requests',
        version: undefined,
        owns: ['python/requests/'],
        installDir: 'python',
        finding: 'METADATA_INCOMPLETE error python/requests/__init__.py',
      },
    ]);
    // six.py is six's, by its RECORD.
    expect(packages.map((p) => p.name).sort()).toEqual(['_cffi_backend', 'requests', 'six']);
  });

  it("counts a claim only in the claiming distribution's own site directory", async () => {
    const { packages } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        [`${SITE}/six-1.17.0.dist-info/METADATA`]: six,
        // pip's ../../../ rows reach python/: not where six installs.
        [`${SITE}/six-1.17.0.dist-info/RECORD`]: '../../../evil.py,,\n',
        'python/evil.py': 'x = 1\n',
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    expect(packages.find((p) => p.name === 'evil')?.findings[0]?.severity).toBe('error');
  });

  it('finds modules a link puts in a site directory, under the path Python finds them by', async () => {
    const { packages } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        [SITE]: { symlink: '../../../vendor/sp' },
        'vendor/sp/evil.py': 'x = 1\n',
        'vendor/sp/pkg/__init__.py': 'x = 1\n',
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    // Evidence is the real file first, then the path Python finds it by.
    expect(packages.map((p) => [p.name, p.locations.map((l) => l.path)])).toEqual([
      ['evil', ['vendor/sp/evil.py', `${SITE}/evil.py`]],
      ['pkg', ['vendor/sp/pkg/__init__.py', `${SITE}/pkg/__init__.py`]],
    ]);
  });

  it.each([
    ['the link first', 'python/nsa/evil.py', '../../share/data/e.txt', 'share/data/e.txt'],
    ['the file first', 'python/nsa/evil.py', '../../a/e.txt', 'a/e.txt'],
  ])(
    'a link to a file inside a package directory is that module file (%s)',
    async (_n, at, target, real) => {
      // `import nsa.evil` opens the link and runs what it names; no distribution claims nsa.
      const { packages } = await runCataloger(
        pythonCataloger,
        new MemorySource('py', { [at]: { symlink: target }, [real]: 'import os\n' }),
        { layerDigest: 'b'.repeat(64) }
      );
      expect(packages.map((p) => [p.name, p.findings.map((f) => f.severity)])).toEqual([
        ['nsa', ['error']],
      ]);
    }
  );
});
