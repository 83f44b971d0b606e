/**
 * Bytecode in a container image beyond `/opt/python` and the function's directory: the OS's
 * Python (a source dpkg checked, the pyc Debian's py3compile wrote beside it and records nowhere:
 * the image's own when the layer that installed the package wrote it, not when a later one did)
 * and the runtime's `/var/lang`, whose interpreter imports a current pyc in place of its source.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { inventoryGaps } from '../completeness.js';
import {
  inventoryImageEntries,
  inventoryImageLayers,
  treeEntries as tree,
} from '../testing/image.js';

const SOURCE = "X = 'the source dpkg checked'\n";
const PAYLOAD = "print('LAMINA-PYC: bytecode ran')\n";
const SITE = 'usr/lib/python3/dist-packages';

/** What python3 compiles `code` to, `source` the .py whose size and time the header records. */
function forgedPyc(code: string, source: string): Buffer {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import sys, marshal, importlib.util as u\n' +
        'body = marshal.dumps(compile(sys.argv[1], "x.py", "exec"))\n' +
        'head = u.MAGIC_NUMBER + (0).to_bytes(4, "little") + (1700000000).to_bytes(4, "little")\n' +
        'head += len(sys.argv[2].encode()).to_bytes(4, "little")\n' +
        'sys.stdout.buffer.write(head + body)',
      code,
      source,
    ],
    { maxBuffer: 1 << 20 }
  );
  expect(r.status).toBe(0);
  return r.stdout;
}

const TAG = spawnSync('python3', ['-c', 'import sys; print(sys.implementation.cache_tag)'], {
  encoding: 'utf8',
}).stdout.trim();
const PYC = forgedPyc(PAYLOAD, SOURCE);

const tmp = mkdtempSync(join(tmpdir(), 'lamina-pyc-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Whether python3, importing `foo` from a directory holding `files`, runs the payload. */
function pythonRunsPayload(files: Record<string, string | Buffer>): boolean {
  const dir = mkdtempSync(join(tmp, 'run-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  // The pyc records time 1700000000: the source gets it, as dpkg kept the package's.
  spawnSync('touch', ['-d', '@1700000000', join(dir, 'foo.py')]);
  const r = spawnSync('python3', ['-B', '-c', 'import foo'], { cwd: dir, encoding: 'utf8' });
  return r.stdout.includes('LAMINA-PYC');
}

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

/** Debian's python3-foo: dpkg lists foo.py with its md5, as dh_python3 builds it (no pyc). */
function debian(extra: Record<string, string | Buffer>): TarEntry[] {
  return tree({
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'var/lib/dpkg/status':
      'Package: python3-foo\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n',
    'var/lib/dpkg/info/python3-foo.list': `/usr/lib/python3\n/${SITE}\n/${SITE}/foo.py\n`,
    'var/lib/dpkg/info/python3-foo.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
    [`${SITE}/foo.py`]: SOURCE,
    ...extra,
  });
}

/** An Alpine py3-foo that ships its pyc, recorded with the checksum `recorded` (apk's Z:). */
function alpine(pyc: Buffer, recorded: Buffer): TarEntry[] {
  const site = 'usr/lib/python3.11/site-packages';
  const z = (b: Buffer): string => `Q1${createHash('sha1').update(b).digest('base64')}`;
  return tree({
    'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.0\n',
    'lib/apk/db/installed':
      `P:py3-foo\nV:1.0-r0\nA:x86_64\nF:${site}\nR:foo.py\nZ:${z(Buffer.from(SOURCE))}\n` +
      `F:${site}/__pycache__\nR:foo.${TAG}.pyc\nZ:${z(recorded)}\n\n`,
    [`${site}/foo.py`]: SOURCE,
    [`${site}/__pycache__/foo.${TAG}.pyc`]: pyc,
  });
}

async function gaps(entries: TarEntry[]): Promise<string[]> {
  return inventoryGaps(await inventoryImageEntries(entries)).map((g) => `${g.code} ${g.path}`);
}

async function layerGaps(layers: TarEntry[][]): Promise<string[]> {
  return inventoryGaps(await inventoryImageLayers(layers)).map((g) => `${g.code} ${g.path}`);
}

describe('bytecode beside an OS package source in an image', () => {
  it('python3 runs a pyc of other code that records the source size and time', () => {
    expect(pythonRunsPayload({ 'foo.py': SOURCE, [`__pycache__/foo.${TAG}.pyc`]: PYC })).toBe(true);
  });

  it('the control: the dpkg-owned source alone is complete', async () => {
    expect(await gaps(debian({}))).toEqual([]);
  });

  const pyc = `${SITE}/__pycache__/foo.${TAG}.pyc`;

  it('the control: the pyc the layer that installed the package wrote (py3compile at install) is its own', async () => {
    expect(await gaps(debian({ [pyc]: PYC }))).toEqual([]);
  });

  it('a pyc a later layer wrote beside the source dpkg checked is BYTECODE_NOT_VERIFIED', async () => {
    expect(await layerGaps([debian({}), tree({ [pyc]: PYC })])).toEqual([
      `BYTECODE_NOT_VERIFIED ${pyc}`,
    ]);
  });

  it('so is one a later layer wrote with the source again, unchanged (dpkg still checks out)', async () => {
    const again = tree({ [`${SITE}/foo.py`]: SOURCE, [pyc]: PYC });
    expect(await layerGaps([debian({}), again])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('so is one a later layer wrote with the package record again, byte for byte', async () => {
    const again = tree({
      'var/lib/dpkg/info/python3-foo.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
      [pyc]: PYC,
    });
    expect(await layerGaps([debian({}), again])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('and one never checked against the source (an unchecked hash-based pyc)', async () => {
    const unchecked = Buffer.concat([
      PYC.subarray(0, 4),
      Buffer.from([1, 0, 0, 0]),
      PYC.subarray(8),
    ]);
    expect(
      pythonRunsPayload({ 'foo.py': 'X = 1\n', [`__pycache__/foo.${TAG}.pyc`]: unchecked })
    ).toBe(true);
    const again = tree({
      'var/lib/dpkg/info/python3-foo.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
      'var/lib/dpkg/info/python3-foo.list': `/usr/lib/python3\n/${SITE}\n/${SITE}/foo.py\n`,
      [pyc]: unchecked,
    });
    expect(await layerGaps([debian({}), again])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('and one a later layer wrote with the record of an upgrade: that layer could write both', async () => {
    const newer = "X = 'the source of 1.1'\n";
    const upgrade = tree({
      'var/lib/dpkg/status':
        'Package: python3-foo\nStatus: install ok installed\nVersion: 1.1\nArchitecture: all\n',
      'var/lib/dpkg/info/python3-foo.md5sums': `${md5(newer)}  ${SITE}/foo.py\n`,
      [`${SITE}/foo.py`]: newer,
      [pyc]: forgedPyc(PAYLOAD, newer),
    });
    expect(await layerGaps([debian({}), upgrade])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('and one a later layer wrote with the package’s record under its :ARCH name', async () => {
    const arch = tree({
      'var/lib/dpkg/info/python3-foo:all.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
      [pyc]: PYC,
    });
    expect(await layerGaps([debian({}), arch])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('and one a later layer wrote with the record a link to a file of its own', async () => {
    const linked: TarEntry[] = [
      ...tree({ 'var/lib/dpkg/x/foo.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`, [pyc]: PYC }),
      {
        name: 'var/lib/dpkg/info/python3-foo.md5sums',
        type: 'symlink',
        linkname: '../x/foo.md5sums',
      },
    ];
    expect(await layerGaps([debian({}), linked])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('and one a later layer wrote with a package of its own that claims the source too', async () => {
    const claim = `/usr/lib/python3\n/${SITE}\n/${SITE}/foo.py\n`;
    const added = tree({
      'var/lib/dpkg/status':
        'Package: aaa\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n' +
        'Package: python3-foo\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n',
      'var/lib/dpkg/info/aaa.list': claim,
      'var/lib/dpkg/info/aaa.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
      [pyc]: PYC,
    });
    expect(await layerGaps([debian({}), added])).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('the control: a package a later layer installed, its pycs written by that layer', async () => {
    const base = tree({
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': '',
    });
    expect(await layerGaps([base, debian({ [pyc]: PYC })])).toEqual([]);
  });

  it('the control: the install layer’s pyc, the record written again by a later layer', async () => {
    const again = tree({
      'var/lib/dpkg/info/python3-foo.md5sums': `${md5(SOURCE)}  ${SITE}/foo.py\n`,
    });
    expect(await layerGaps([debian({ [pyc]: PYC }), again])).toEqual([]);
  });

  it('a pyc Python would not load (another size recorded) is not reported', async () => {
    const stale = forgedPyc(PAYLOAD, `${SOURCE}# longer\n`);
    expect(pythonRunsPayload({ 'foo.py': SOURCE, [`__pycache__/foo.${TAG}.pyc`]: stale })).toBe(
      false
    );
    expect(await gaps(debian({ [`${SITE}/__pycache__/foo.${TAG}.pyc`]: stale }))).toEqual([]);
  });

  it('a pyc an OS package ships and records, as its digest, is that package’s', async () => {
    expect(await gaps(alpine(PYC, PYC))).toEqual([]);
  });

  it('one that differs from what apk recorded is PACKAGE_FILE_MODIFIED', async () => {
    const pyc = `usr/lib/python3.11/site-packages/__pycache__/foo.${TAG}.pyc`;
    expect(await gaps(alpine(PYC, Buffer.from('another pyc')))).toEqual([
      `PACKAGE_FILE_MODIFIED ${pyc}`,
    ]);
  });
});

describe('bytecode of a runtime no package owns', () => {
  it("/var/lang's standard library: a pyc beside os.py is BYTECODE_NOT_VERIFIED", async () => {
    const pyc = `var/lang/lib/python3.12/__pycache__/os.${TAG}.pyc`;
    const stdlib = { 'var/lang/lib/python3.12/os.py': SOURCE, [pyc]: PYC };
    expect(await gaps(tree(stdlib))).toEqual([`BYTECODE_NOT_VERIFIED ${pyc}`]);
  });

  it('so is one a `__pycache__` link leads to, where Python finds it', async () => {
    // python3 opens __pycache__/foo.TAG.pyc through the link and runs what it finds there.
    const dir = mkdtempSync(join(tmp, 'link-'));
    mkdirSync(join(dir, 'app'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'app', 'foo.py'), SOURCE);
    spawnSync('touch', ['-d', '@1700000000', join(dir, 'app', 'foo.py')]);
    writeFileSync(join(dir, 'elsewhere', `foo.${TAG}.pyc`), PYC);
    symlinkSync('../elsewhere', join(dir, 'app', '__pycache__'));
    const ran = spawnSync('python3', ['-B', '-c', 'import foo'], {
      cwd: join(dir, 'app'),
      encoding: 'utf8',
    });
    expect(ran.stdout).toContain('LAMINA-PYC');

    const image: TarEntry[] = [
      ...tree({ 'var/lang/lib/python3.12/os.py': SOURCE, [`elsewhere/os.${TAG}.pyc`]: PYC }),
      { name: 'var/lang/lib/python3.12/__pycache__', type: 'symlink', linkname: '/elsewhere' },
    ];
    expect(await gaps(image)).toEqual([
      `BYTECODE_NOT_VERIFIED var/lang/lib/python3.12/__pycache__/os.${TAG}.pyc`,
    ]);
  });
});
