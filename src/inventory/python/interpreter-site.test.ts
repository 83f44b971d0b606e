/**
 * Modules in an image's interpreters' own site directories (Debian's `dist-packages`,
 * `/usr/local`'s, the runtime's `/var/lang`'s) that nothing claims: `import x` loads them as
 * it loads one in `/opt/python`, from a directory before the one the OS package's copy is in.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { inventoryGaps } from '../completeness.js';
import { inventoryImageEntries, treeEntries as tree } from '../testing/image.js';

const INIT = '__version__ = "2.28.1"\n';
const EVIL = 'import os; os.system("curl evil")\n';
const DEB = 'usr/lib/python3/dist-packages';
const LOCAL = 'usr/local/lib/python3.11/dist-packages';
const OS_PY = 'import abc\n';
const PY_STATUS =
  'Package: libpython3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\nArchitecture: amd64\n';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Debian's python3-requests: dpkg lists its directory and checked its module's md5. */
const DEBIAN: Record<string, string> = {
  'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
  'var/lib/dpkg/status':
    'Package: python3-requests\nStatus: install ok installed\nVersion: 2.28.1\nArchitecture: all\n',
  'var/lib/dpkg/info/python3-requests.list': `/usr/lib/python3\n/${DEB}\n/${DEB}/requests\n/${DEB}/requests/__init__.py\n`,
  'var/lib/dpkg/info/python3-requests.md5sums': `${createHash('md5').update(INIT).digest('hex')}  ${DEB}/requests/__init__.py\n`,
  [`${DEB}/requests/__init__.py`]: INIT,
};

async function gaps(files: Record<string, string>): Promise<string[]> {
  const inv = await inventoryImageEntries(tree(files));
  return inventoryGaps(inv).map((g) => `${g.code} ${g.path}`);
}

describe("modules in an interpreter's own site directory", () => {
  it("Debian's python3 searches /usr/local's dist-packages before its own", () => {
    const r = spawnSync(
      '/usr/bin/python3',
      ['-I', '-c', 'import sys; print(sys.version_info[1]); print("\\n".join(sys.path))'],
      { encoding: 'utf8' }
    );
    const [minor, ...path] = r.stdout.trim().split('\n');
    const local = path.indexOf(`/usr/local/lib/python3.${minor!}/dist-packages`);
    expect(local).toBeGreaterThanOrEqual(0);
    expect(local).toBeLessThan(path.indexOf(`/${DEB}`));
  });

  it("the control: Debian's, dpkg's own, and pip's, its RECORD's, add nothing", async () => {
    const hash = createHash('sha256').update(EVIL).digest('base64url');
    expect(
      await gaps({
        ...DEBIAN,
        [`${LOCAL}/requests/__init__.py`]: EVIL,
        [`${LOCAL}/requests-2.31.0.dist-info/METADATA`]: 'Name: requests\nVersion: 2.31.0\n',
        [`${LOCAL}/requests-2.31.0.dist-info/RECORD`]: `requests/__init__.py,sha256=${hash},${EVIL.length}\n`,
      })
    ).toEqual([]);
  });

  it('one no distribution or OS package claims is METADATA_INCOMPLETE, as in /opt/python', async () => {
    expect(
      await gaps({
        ...DEBIAN,
        [`${LOCAL}/requests/__init__.py`]: EVIL,
        [`${DEB}/helper.py`]: EVIL,
        'var/lang/lib/python3.12/site-packages/six.py': EVIL,
        // site imports it at every start; the file form is a start-up file of its own.
        [`${LOCAL}/sitecustomize/__init__.py`]: EVIL,
      })
    ).toEqual([
      `METADATA_INCOMPLETE ${DEB}/helper.py`,
      `METADATA_INCOMPLETE ${LOCAL}/requests/__init__.py`,
      `METADATA_INCOMPLETE ${LOCAL}/sitecustomize/__init__.py`,
      'METADATA_INCOMPLETE var/lang/lib/python3.12/site-packages/six.py',
    ]);
  });

  it('so is one beside the standard library dpkg installed, searched before dist-packages', async () => {
    const stdlib = {
      ...DEBIAN,
      'var/lib/dpkg/status': `${DEBIAN['var/lib/dpkg/status']!}\n${PY_STATUS}`,
      'var/lib/dpkg/info/libpython3.11-minimal.list':
        '/usr/lib/python3.11\n/usr/lib/python3.11/os.py\n',
      'var/lib/dpkg/info/libpython3.11-minimal.md5sums': `${createHash('md5').update(OS_PY).digest('hex')}  usr/lib/python3.11/os.py\n`,
      'usr/lib/python3.11/os.py': OS_PY,
    };
    expect(await gaps(stdlib)).toEqual([]);
    expect(await gaps({ ...stdlib, 'usr/lib/python3.11/requests.py': EVIL })).toEqual([
      'METADATA_INCOMPLETE usr/lib/python3.11/requests.py',
    ]);
    // One no package installed is one gap of its own, not one per module.
    expect(
      await gaps({
        'var/lang/lib/python3.12/os.py': OS_PY,
        'var/lang/lib/python3.12/requests.py': EVIL,
        'var/lang/bin/python3.12': 'the interpreter',
      })
    ).toEqual(['UNOWNED_EXECUTABLE var/lang/lib/python3.12']);
  });

  it('a link to a module dpkg checked loads its code (Debian names _sysconfigdata so)', async () => {
    const link = (name: string): TarEntry => ({
      name: `usr/lib/python3.11/${name}`,
      type: 'symlink',
      linkname: '_sysconfigdata__x86_64-linux-gnu.py',
    });
    const files = {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': PY_STATUS,
      'var/lib/dpkg/info/libpython3.11-minimal.list':
        '/usr/lib/python3.11\n/usr/lib/python3.11/os.py\n/usr/lib/python3.11/_sysconfigdata__x86_64-linux-gnu.py\n/usr/lib/python3.11/_sysconfigdata__linux_x86_64-linux-gnu.py\n',
      'var/lib/dpkg/info/libpython3.11-minimal.md5sums': `${md5(OS_PY)}  usr/lib/python3.11/os.py\n${md5(INIT)}  usr/lib/python3.11/_sysconfigdata__x86_64-linux-gnu.py\n`,
      'usr/lib/python3.11/os.py': OS_PY,
      'usr/lib/python3.11/_sysconfigdata__x86_64-linux-gnu.py': INIT,
    };
    const gapsWith = async (extra: TarEntry[]) =>
      inventoryGaps(await inventoryImageEntries([...tree(files), ...extra])).map(
        (g) => `${g.code} ${g.path}`
      );
    expect(await gapsWith([link('_sysconfigdata__linux_x86_64-linux-gnu.py')])).toEqual([]);
    // A link to a file no package checked is a module no one claims, whatever lists the link.
    const data = 'usr/share/misc/data.txt';
    expect(
      await gapsWith([
        ...tree({ [data]: EVIL }),
        { name: 'usr/lib/python3.11/requests.py', type: 'symlink', linkname: `/${data}` },
      ])
    ).toEqual(['METADATA_INCOMPLETE usr/lib/python3.11/requests.py']);
  });

  it('so is one where a link puts the site directory', async () => {
    const inv = await inventoryImageEntries([
      ...tree({ ...DEBIAN, 'srv/mods/helper.py': EVIL }),
      { name: 'usr/local/lib/python3.11/', type: 'dir' },
      { name: LOCAL, type: 'symlink', linkname: '/srv/mods' },
    ]);
    expect(inventoryGaps(inv).map((g) => `${g.code} ${g.path}`)).toEqual([
      `METADATA_INCOMPLETE ${LOCAL}/helper.py`,
    ]);
  });
});
