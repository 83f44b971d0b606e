/**
 * A Python standard library no OS package installed (the runtime's `/var/lang`, `/usr/local`'s):
 * nothing records its modules' contents, so a changed one runs at its import and no check sees
 * it, unless the library itself is a gap.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryGaps } from '../completeness.js';
import { inventoryImageEntries, treeEntries as tree } from '../testing/image.js';
import { stdlibWithJson } from '../testing/python.js';

const OS_PY = 'import abc\n';
const CHANGED_JSON = "print('LAMINA-STDLIB: changed json ran')\n";

const tmp = mkdtempSync(join(tmpdir(), 'lamina-stdlib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An interpreter at `prefix` (as data: no cataloger reads it here). */
const interpreter = (prefix: string): Record<string, string> => ({
  [`${prefix}/bin/python3.12`]: 'the interpreter',
});

/** A standard library at `prefix` whose json package was changed. */
const stdlib = (prefix: string): Record<string, string> => ({
  [`${prefix}/lib/python3.12/os.py`]: OS_PY,
  [`${prefix}/lib/python3.12/json/__init__.py`]: CHANGED_JSON,
});

/** Debian's libpython3.11-minimal, listing os.py with its md5. */
const DEBIAN: Record<string, string> = {
  'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
  'var/lib/dpkg/status':
    'Package: libpython3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\nArchitecture: amd64\n',
  'var/lib/dpkg/info/libpython3.11-minimal:amd64.list':
    '/usr/lib/python3.11\n/usr/lib/python3.11/os.py\n',
  'var/lib/dpkg/info/libpython3.11-minimal:amd64.md5sums': `${createHash('md5').update(OS_PY).digest('hex')}  usr/lib/python3.11/os.py\n`,
  'usr/lib/python3.11/os.py': OS_PY,
};

async function gaps(files: Record<string, string>): Promise<string[]> {
  const inv = await inventoryImageEntries(tree(files));
  return inventoryGaps(inv).map((g) => `${g.code} ${g.path}`);
}

describe('a standard library no package owns', () => {
  it('python3 runs a changed module of the standard library of its prefix', () => {
    stdlibWithJson(join(tmp, 'prefix'), CHANGED_JSON);
    const r = spawnSync('python3', ['-B', '-c', 'import json'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONHOME: join(tmp, 'prefix') },
    });
    expect(r.stdout).toContain('LAMINA-STDLIB');
  });

  it("/var/lang's and /usr/local's, beside their interpreters, are UNOWNED_EXECUTABLE, once each", async () => {
    expect(
      await gaps({
        ...stdlib('var/lang'),
        ...interpreter('var/lang'),
        ...stdlib('usr/local'),
        ...interpreter('usr/local'),
        'usr/local/lib/python3.12/os.pyc': 'a sourceless copy beside the source',
      })
    ).toEqual([
      'UNOWNED_EXECUTABLE usr/local/lib/python3.12',
      'UNOWNED_EXECUTABLE var/lang/lib/python3.12',
    ]);
  });

  it('a sourceless one (os.pyc) and a zip are too', async () => {
    expect(
      await gaps({
        'opt/py/lib/python3.12/os.pyc': 'bytecode',
        'opt/py/lib/python312.zip': 'PK',
        ...interpreter('opt/py'),
      })
    ).toEqual([
      'UNOWNED_EXECUTABLE opt/py/lib/python3.12',
      'UNOWNED_EXECUTABLE opt/py/lib/python312.zip',
    ]);
  });

  it('so is one under lib64, where a build whose platlibdir it is looks', async () => {
    expect(
      await gaps({
        'usr/local/lib64/python3.12/os.py': OS_PY,
        'usr/local/bin/python3.12': 'the interpreter',
      })
    ).toEqual(['UNOWNED_EXECUTABLE usr/local/lib64/python3.12']);
  });

  it('one with no interpreter beside it is data', async () => {
    expect(await gaps(stdlib('usr/share/doc/x'))).toEqual([]);
  });

  it("the OS's, whose os.py dpkg lists and checked, is not", async () => {
    expect(await gaps(DEBIAN)).toEqual([]);
  });

  it('nor is it vouched for by a link named os.py to the one dpkg checked', async () => {
    const inv = await inventoryImageEntries([
      ...tree({
        ...DEBIAN,
        'srv/lib/python3.11/json/__init__.py': CHANGED_JSON,
        'srv/bin/python3.11': 'the interpreter',
      }),
      { name: 'srv/lib/python3.11/os.py', type: 'symlink', linkname: '/usr/lib/python3.11/os.py' },
    ]);
    expect(inventoryGaps(inv).map((g) => `${g.code} ${g.path}`)).toEqual([
      'UNOWNED_EXECUTABLE srv/lib/python3.11',
    ]);
  });
});
