import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPackage, type Package } from '../../model/package.js';
import { LayerView, LinkIndex } from '../../unpack/links.js';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { buildTreeFindings, pyvenvFindings, pyvenvHomes } from './pyvenv.js';
import { hostPython, stdlibWithJson } from '../testing/python.js';

const EXE = { data: '\x7fELF', mode: 0o755 };
const OS_PY = 'import abc\n';

/** Debian's python3.11-minimal, listing its interpreter and os.py. */
const DEBIAN: Package = newPackage({
  id: 'deb:python3.11-minimal',
  ecosystem: 'deb',
  name: 'python3.11-minimal',
  foundBy: 'dpkg',
  locations: [{ path: 'var/lib/dpkg/status' }],
  owns: ['usr/bin/python3.11', 'usr/lib/python3.11/os.py'],
});

/** The STDLIB_SHADOWED paths of an image holding `files`, the OS packages `earlier`. */
async function shadowed(files: Record<string, MemoryFile>, earlier: Package[] = [DEBIAN]) {
  const source = new MemorySource('image', {
    'usr/bin/python3.11': EXE,
    'usr/lib/python3.11/os.py': OS_PY,
    ...files,
  });
  const view = new LayerView(source, new LinkIndex(source, '/'));
  const found = source.entries().filter((e) => e.path.endsWith('pyvenv.cfg'));
  const out = await pyvenvFindings({ source: view, links: view.links, earlier }, found);
  return out.map((f) => `${f.code} ${f.path ?? ''}`);
}

/** A standard library of its own under `at` (as data). */
const stdlib = (at: string): Record<string, MemoryFile> => ({
  [`${at}/lib/python3.11/os.py`]: OS_PY,
  [`${at}/lib/python3.11/encodings/__init__.py`]: 'import os; os.system("x")\n',
});

describe('pyvenvHomes: the home keys CPython reads', () => {
  it('takes every home line, its key in any case and spaces around both', () => {
    expect(
      pyvenvHomes(
        'home = /usr/bin\r\ninclude-system-site-packages = false\n HOME=/x \nhomes = /y\nhome\n'
      )
    ).toEqual(['/usr/bin', '/x']);
    expect(pyvenvHomes('version = 3.11.2\n')).toEqual([]);
  });
});

describe('pyvenvFindings: where a pyvenv.cfg takes the standard library from', () => {
  it('a virtual environment of an installed interpreter adds nothing', async () => {
    // The OS's, through a link, and /usr/local's (an interpreter beside its own lib/).
    expect(
      await shadowed({
        'opt/venv/pyvenv.cfg': 'home = /usr/bin\n',
        'opt/venv/bin/python3': { symlink: '/usr/bin/python3.11' },
        'usr/local/bin/python3.12': EXE,
        'usr/local/lib/python3.12/os.py': OS_PY,
        'var/task/.venv/pyvenv.cfg': 'home = /usr/local/bin\n',
        'srv/py': { symlink: '/usr/local' },
        'srv/venv/pyvenv.cfg': 'home = /srv/py/bin\n',
        'srv/other/pyvenv.cfg': 'home = /nowhere/bin\n',
      })
    ).toEqual([]);
    // An OS package's standard library, with no interpreter beside it.
    expect(
      await shadowed({ 'opt/venv/pyvenv.cfg': 'home = /usr/bin\n', 'usr/bin/python3.11': 'x' })
    ).toEqual([]);
  });

  it.each<[string, Record<string, MemoryFile>]>([
    ['a standard library in data', stdlib('usr/share/doc/x')],
    [
      'a link named os.py to the OS one',
      {
        ...stdlib('usr/share/doc/x'),
        'usr/share/doc/x/lib/python3.11/os.py': { symlink: '/usr/lib/python3.11/os.py' },
      },
    ],
    [
      'a link to the OS interpreter beside it',
      {
        ...stdlib('usr/share/doc/x'),
        'usr/share/doc/x/bin/python3.11': { symlink: '/usr/bin/python3.11' },
      },
    ],
    ['a zip of it', { 'usr/share/doc/x/lib/python311.zip': 'PK' }],
    ['a free-threaded one', { 'usr/share/doc/x/lib/python3.13t/os.pyc': 'x' }],
    // Where a Python whose platlibdir is lib64 (Fedora's, Amazon Linux's) looks.
    ['one under lib64', { 'usr/share/doc/x/lib64/python3.9/os.py': OS_PY }],
  ])('home leading to %s is STDLIB_SHADOWED', async (_n, files) => {
    expect(await shadowed({ ...files, 'usr/pyvenv.cfg': 'home = /usr/share/doc/x/bin\n' })).toEqual(
      ['STDLIB_SHADOWED usr/pyvenv.cfg']
    );
  });

  it('every home counts, and one taken from the working directory is STDLIB_SHADOWED', async () => {
    const cfg = 'home = /usr/bin\nhome = /usr/share/doc/x\n';
    expect(await shadowed({ ...stdlib('usr/share/doc/x'), 'usr/bin/pyvenv.cfg': cfg })).toEqual([
      'STDLIB_SHADOWED usr/bin/pyvenv.cfg',
    ]);
    expect(await shadowed({ 'usr/pyvenv.cfg': 'home = share/x\n' })).toEqual([
      'STDLIB_SHADOWED usr/pyvenv.cfg',
    ]);
  });

  it('python3 whose platlibdir is lib64 takes the standard library from there', () => {
    // PYTHONPLATLIBDIR gives this python3 the platlibdir Fedora's is built with.
    const dir = mkdtempSync(join(tmpdir(), 'lamina-lib64-'));
    try {
      stdlibWithJson(join(dir, 'x'), "print('LAMINA-LIB64')\n", 'lib64');
      mkdirSync(join(dir, 'venv', 'bin'), { recursive: true });
      symlinkSync(hostPython().executable, join(dir, 'venv', 'bin', 'python3'));
      writeFileSync(join(dir, 'venv', 'pyvenv.cfg'), `home = ${join(dir, 'x', 'bin')}\n`);
      const r = spawnSync(join(dir, 'venv', 'bin', 'python3'), ['-c', 'import json'], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPLATLIBDIR: 'lib64' },
      });
      expect(r.stdout).toBe('LAMINA-LIB64\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an rpm's standard library under lib64 adds nothing", async () => {
    // Amazon Linux 2023's python3-libs, listing its os.py.
    const python39: Package = {
      ...DEBIAN,
      id: 'rpm:python3-libs',
      ecosystem: 'rpm',
      name: 'python3-libs',
      owns: ['usr/lib64/python3.9/os.py'],
    };
    const files = {
      'usr/lib64/python3.9/os.py': OS_PY,
      'opt/venv/pyvenv.cfg': 'home = /usr/bin\n',
    };
    expect(await shadowed(files, [DEBIAN, python39])).toEqual([]);
    expect(await shadowed(files, [DEBIAN])).toEqual(['STDLIB_SHADOWED opt/venv/pyvenv.cfg']);
  });

  it('a standard library the OS lists but another directory holds is not vouched for', async () => {
    // Without the OS package's claim, /usr's own library (no interpreter there now) is foreign.
    expect(
      await shadowed({ 'usr/bin/python3.11': 'x', 'opt/venv/pyvenv.cfg': 'home = /usr/bin\n' }, [])
    ).toEqual(['STDLIB_SHADOWED opt/venv/pyvenv.cfg']);
  });
});

describe('buildTreeFindings: a build tree marker beside an interpreter', () => {
  const entries = (files: Record<string, MemoryFile>) => new MemorySource('image', files).entries();
  const shadows = (files: Record<string, MemoryFile>) => {
    const all = entries(files);
    const found = all.filter(
      (e) => e.path.endsWith('pybuilddir.txt') || e.path.endsWith('/Modules/Setup.local')
    );
    return buildTreeFindings(found, all).map((f) => `${f.code} ${f.path ?? ''}`);
  };

  it.each([
    ['usr/bin/pybuilddir.txt', { 'usr/bin/pybuilddir.txt': 'build/lib\n' }],
    ['usr/bin/Modules/Setup.local', { 'usr/bin/Modules/Setup.local': '' }],
  ])('%s is STDLIB_SHADOWED', (path, files) => {
    expect(shadows({ 'usr/bin/python3.11': EXE, ...files })).toEqual([`STDLIB_SHADOWED ${path}`]);
  });

  it('one with no interpreter beside it (a source tree, a package data file) is not', () => {
    expect(
      shadows({
        'usr/bin/python3.11': EXE,
        'usr/src/cpython/Modules/Setup.local': '',
        'usr/share/x/pybuilddir.txt': '',
        'usr/share/x/python-logo.png': '',
      })
    ).toEqual([]);
  });
});
