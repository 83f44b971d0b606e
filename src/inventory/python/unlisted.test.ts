import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isInventoryComplete } from '../completeness.js';
import { LayerView } from '../../unpack/links.js';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { DEFAULT_LIMITS } from '../../unpack/source.js';
import { matchEntries, runCataloger } from '../cataloger.js';
import { pythonCataloger } from './cataloger.js';

const FIXTURE = fileURLToPath(new URL('../../../testdata/layers/python-basic', import.meta.url));
const SITE = 'python/lib/python3.12/site-packages';

/** A RECORD row as pip writes it: urlsafe base64 sha256 without padding, and the size. */
const row = (path: string, data: string): string =>
  `${path},sha256=${createHash('sha256').update(data).digest('base64url')},${Buffer.byteLength(data)}`;

/**
 * tinylib 1.0.0 in `site`: RECORD lists tinylib/__init__.py and tinylib/utils.py, hashed, and
 * the `rows` given.
 */
function tinylib(
  site: string,
  more: Record<string, MemoryFile> = {},
  rows: string[] = []
): Record<string, MemoryFile> {
  const files: Record<string, string> = {
    'tinylib/__init__.py': 'from . import utils\n',
    'tinylib/utils.py': 'def hello():\n    return "genuine"\n',
    'tinylib/py.typed': '',
    'tinylib-1.0.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tinylib\nVersion: 1.0.0\n',
  };
  const record = [
    ...Object.entries(files).map(([p, d]) => row(p, d)),
    'tinylib/__pycache__/utils.cpython-312.pyc,,',
    ...rows,
    'tinylib-1.0.0.dist-info/RECORD,,',
  ].join('\n');
  const out: Record<string, MemoryFile> = {};
  for (const [p, d] of Object.entries({
    ...files,
    'tinylib-1.0.0.dist-info/RECORD': `${record}\n`,
    ...more,
  }))
    out[`${site}/${p}`] = d;
  return out;
}

async function unlisted(tree: Record<string, MemoryFile>) {
  const r = await runCataloger(pythonCataloger, new MemorySource('py', tree));
  return {
    ...r,
    unlisted: r.findings
      .filter((f) => f.code === 'RECORD_FILE_UNLISTED')
      .map((f) => `${f.severity} ${f.path}`),
  };
}

describe('module files a RECORD-claimed package directory holds that its RECORD does not list', () => {
  it('reports a package directory that shadows a listed module file, and the inventory is incomplete', async () => {
    const r = await unlisted(
      tinylib('python', { 'tinylib/utils/__init__.py': 'print("PWNED")\n' })
    );
    expect(r.unlisted).toEqual(['error python/tinylib/utils']);
    const f = r.findings.find((x) => x.code === 'RECORD_FILE_UNLISTED');
    expect(f?.message).toContain('import tinylib.utils');
    expect(f?.message).toContain("tinylib 1.0.0's RECORD");
    expect(isInventoryComplete(r)).toBe(false);
    // Every listed file still checks out: the RECORD check alone saw nothing.
    expect(r.findings.filter((x) => x.code.startsWith('RECORD_') && x !== f)).toEqual([]);
  });

  it('reports unlisted module files one by one, and a directory of them once', async () => {
    const r = await unlisted(
      tinylib(SITE, {
        'tinylib/extra.py': 'x = 1\n',
        'tinylib/_speed.cpython-312-x86_64-linux-gnu.so': 'not an ELF',
        'tinylib/_abi.abi3.so': 'not an ELF',
        'tinylib/plugins/a.py': 'x = 1\n',
        'tinylib/plugins/deep/b.py': 'x = 1\n',
      })
    );
    expect(r.unlisted).toEqual([
      `error ${SITE}/tinylib/_abi.abi3.so`,
      `error ${SITE}/tinylib/_speed.cpython-312-x86_64-linux-gnu.so`,
      `error ${SITE}/tinylib/extra.py`,
      `error ${SITE}/tinylib/plugins`,
    ]);
    expect(r.findings.find((f) => f.path === `${SITE}/tinylib/plugins`)?.message).toMatch(
      /2 module files \(a\.py, deep\/b\.py\)/
    );
  });

  it('leaves alone data files, bytecode (the bytecode check’s), unimportable directories and unclaimed ones', async () => {
    const r = await unlisted(
      tinylib('python', {
        'tinylib/data.json': '{}',
        'tinylib/README.txt': 'hi',
        'tinylib/templates/x.html': '<p>',
        // Bytecode: BYTECODE_NOT_VERIFIED's business, listed or not.
        'tinylib/__pycache__/utils.cpython-312.pyc': 'not a pyc',
        'tinylib/__pycache__/evil.cpython-312.pyc': 'not a pyc',
        'tinylib/legacy.pyc': 'not a pyc',
        // Not reachable by a dotted name.
        'tinylib/some.dir/x.py': 'x = 1\n',
        'tinylib.libs/libfoo-1234.so': 'not an ELF',
        // RECORD files of no other directory: not claimed by tinylib's list.
        'tinylib-1.0.0.dist-info/licenses/x.py': 'x = 1\n',
      })
    );
    expect(r.unlisted).toEqual([]);
  });

  it('reads a listed file through a link, and reports an unlisted link Python follows', async () => {
    const links = {
      'tinylib/alias.py': { symlink: 'utils.py' },
      'tinylib/sub': { symlink: '../../vendor/sub' },
    };
    const r = await unlisted(tinylib('python', links));
    // vendor/sub/m.py is imported as tinylib.sub.m: none of it is listed.
    const withVendor = await unlisted({
      ...tinylib('python', links),
      'vendor/sub/m.py': 'x = 1\n',
    });
    expect(r.unlisted).toEqual(['error python/tinylib/alias.py']);
    expect(withVendor.unlisted).toEqual([
      'error python/tinylib/alias.py',
      'error python/tinylib/sub',
    ]);
  });

  it('takes every list naming files in a shared namespace directory together (google/ of two distributions)', async () => {
    const meta = (n: string): string => `Metadata-Version: 2.1\nName: ${n}\nVersion: 1\n`;
    const tree = {
      'python/google/auth/__init__.py': 'x = 1\n',
      'python/google/protobuf/__init__.py': 'x = 1\n',
      'python/google_auth-1.dist-info/METADATA': meta('google-auth'),
      'python/google_auth-1.dist-info/RECORD': `${row('google/auth/__init__.py', 'x = 1\n')}\n`,
      'python/protobuf-1.dist-info/METADATA': meta('protobuf'),
      'python/protobuf-1.dist-info/RECORD': `${row('google/protobuf/__init__.py', 'x = 1\n')}\n`,
    };
    expect((await unlisted(tree)).unlisted).toEqual([]);
    expect(
      (await unlisted({ ...tree, 'python/google/evil/__init__.py': 'x = 1\n' })).unlisted
    ).toEqual(['error python/google/evil']);
  });

  it("checks an egg-info's installed-files.txt the same way; a top_level.txt claims its directory whole", async () => {
    const pkgInfo = 'Metadata-Version: 1.1\nName: a\nVersion: 1.0\n';
    expect(
      (
        await unlisted({
          'python/a-1.0.egg-info/PKG-INFO': pkgInfo,
          'python/a-1.0.egg-info/installed-files.txt': '../a/__init__.py\n',
          'python/a/__init__.py': '',
          'python/a/evil.py': '',
        })
      ).unlisted
    ).toEqual(['error python/a/evil.py']);
    expect(
      (
        await unlisted({
          'python/a-1.0.egg-info/PKG-INFO': pkgInfo,
          'python/a-1.0.egg-info/top_level.txt': 'a\n',
          'python/a/__init__.py': '',
          'python/a/more.py': '',
        })
      ).findings
    ).toEqual([]);
  });

  it('a top_level.txt claiming the same directory, as a fake egg-info would, excuses nothing', async () => {
    const r = await unlisted(
      tinylib('python', {
        'tinylib/utils/__init__.py': 'x = 1\n',
        'cover-1.0.egg-info/PKG-INFO': 'Metadata-Version: 1.1\nName: cover\nVersion: 1.0\n',
        'cover-1.0.egg-info/top_level.txt': 'tinylib\n',
      })
    );
    expect(r.unlisted).toEqual(['error python/tinylib/utils']);
  });

  it("a fake egg-info's installed-files.txt excuses nothing in a directory a RECORD claims", async () => {
    const egg = {
      'helper-0.1-py3.12.egg-info/PKG-INFO': 'Metadata-Version: 1.1\nName: helper\nVersion: 0.1\n',
      'helper-0.1-py3.12.egg-info/installed-files.txt':
        '../tinylib/utils/__init__.py\n../tinylib/extra.py\nPKG-INFO\ninstalled-files.txt\n',
    };
    const r = await unlisted(
      tinylib('python', {
        ...egg,
        'tinylib/utils/__init__.py': 'print("PWNED")\n',
        'tinylib/extra.py': 'x = 1\n',
      })
    );
    expect(r.unlisted).toEqual(['error python/tinylib/extra.py', 'error python/tinylib/utils']);
    const f = r.findings.find((x) => x.path === 'python/tinylib/utils');
    expect(f?.message).toContain("tinylib 1.0.0's RECORD");
    expect(isInventoryComplete(r)).toBe(false);
    // A directory only installed-files.txt lists claim is read as before: what it names is listed.
    const alone = await unlisted({
      'python/helper-0.1-py3.12.egg-info/PKG-INFO': egg['helper-0.1-py3.12.egg-info/PKG-INFO'],
      'python/helper-0.1-py3.12.egg-info/installed-files.txt':
        '../helper/__init__.py\n../helper/more.py\n',
      'python/helper/__init__.py': '',
      'python/helper/more.py': '',
    });
    expect(alone.findings).toEqual([]);
  });

  it('is not applied outside the site directories Python searches', async () => {
    const r = await unlisted(tinylib('vendor/site', { 'tinylib/utils/__init__.py': 'x = 1\n' }));
    expect(r.unlisted).toEqual([]);
  });

  it('in an image: under /opt/python and in the function directory', async () => {
    const opt = tinylib('opt/python', { 'tinylib/utils/__init__.py': 'x = 1\n' });
    const task = tinylib('var/task', { 'tinylib/utils/__init__.py': 'x = 1\n' });
    const runtime = tinylib('var/lang/lib/python3.12/site-packages', {
      'tinylib/utils/__init__.py': 'x = 1\n',
    });
    const src = new MemorySource('img', { ...opt, ...task, ...runtime });
    const view = new LayerView(src);
    const r = await pythonCataloger.catalog({
      source: view,
      links: view.links,
      matches: matchEntries(pythonCataloger, src.entries(), view.links),
      limits: DEFAULT_LIMITS,
      layerDigest: 'b'.repeat(64),
      depth: 0,
      earlier: [],
      root: 'image',
      taskRoot: 'var/task',
    });
    expect(r.findings.filter((f) => f.code === 'RECORD_FILE_UNLISTED').map((f) => f.path)).toEqual([
      'opt/python/tinylib/utils',
      'var/task/tinylib/utils',
    ]);
  });
});

describe('RECORD rows lamina cannot check', () => {
  const notVerified = (r: Awaited<ReturnType<typeof unlisted>>) =>
    r.findings
      .filter((f) => f.code === 'RECORD_NOT_VERIFIED')
      .map((f) => `${f.severity} ${f.path}`)
      .sort();

  it.each([
    ['without a hash', 'tinylib/evil.py,,'],
    ['with an algorithm lamina cannot compute', 'tinylib/evil.py,nosuchalg=AAAA,'],
    ['with an empty hash', 'tinylib/evil.py,=,24'],
  ])(
    'a module file listed %s is not verified and not excused from the unlisted check',
    async (_what, line) => {
      const r = await unlisted(
        tinylib('python', { 'tinylib/evil.py': 'print("PWNED evil ran")\n' }, [line])
      );
      expect(notVerified(r)).toEqual(['error python/tinylib/evil.py']);
      expect(r.unlisted).toEqual(['error python/tinylib/evil.py']);
      expect(r.findings.find((f) => f.code === 'RECORD_FILE_UNLISTED')?.message).toContain(
        'listed only without a hash lamina checks'
      );
      expect(isInventoryComplete(r)).toBe(false);
      // On the distribution too, as RECORD_HASH_MISMATCH is.
      const pkg = r.packages.find((p) => p.name === 'tinylib');
      expect(pkg?.findings.map((f) => f.code)).toContain('RECORD_NOT_VERIFIED');
    }
  );

  it('an unhashed .pth, sitecustomize.py or extension module at the top is not verified', async () => {
    const r = await unlisted(
      tinylib(
        'python',
        {
          'zz_tinylib.pth': 'import os; print("PWNED")\n',
          'sitecustomize.py': 'print("PWNED")\n',
          '_fast.cpython-312-x86_64-linux-gnu.so': 'not an ELF',
          'tinylib.libs/libz-1a2b.so.1.2.13': 'not an ELF',
        },
        [
          'zz_tinylib.pth,,',
          'sitecustomize.py,,',
          '_fast.cpython-312-x86_64-linux-gnu.so,,',
          'tinylib.libs/libz-1a2b.so.1.2.13,,',
        ]
      )
    );
    expect(notVerified(r)).toEqual([
      'error python/_fast.cpython-312-x86_64-linux-gnu.so',
      'error python/sitecustomize.py',
      'error python/tinylib.libs/libz-1a2b.so.1.2.13',
      'error python/zz_tinylib.pth',
    ]);
    expect(isInventoryComplete(r)).toBe(false);
  });

  it('an unknown algorithm on a data file is reported too; unhashed data files and pycs are not', async () => {
    const r = await unlisted(
      tinylib('python', { 'tinylib/data.json': '{}', 'tinylib/notes.txt': 'x' }, [
        'tinylib/data.json,nosuchalg=AAAA,2',
        'tinylib/notes.txt,,',
        'tinylib/__pycache__/__init__.cpython-312.pyc,,',
      ])
    );
    expect(notVerified(r)).toEqual(['error python/tinylib/data.json']);
    expect(r.findings.find((f) => f.code === 'RECORD_NOT_VERIFIED')?.message).toContain(
      'nosuchalg'
    );
    expect(r.unlisted).toEqual([]);
  });

  it('a hash of any algorithm Node computes (sha384, md5) is checked as before', async () => {
    const data = 'x = 1\n';
    const h = (alg: string) => createHash(alg).update(data).digest('base64url');
    const r = await unlisted(
      tinylib('python', { 'tinylib/a.py': data, 'tinylib/b.py': data }, [
        `tinylib/a.py,sha384=${h('sha384')},6`,
        `tinylib/b.py,MD5=${h('md5')},6`,
      ])
    );
    expect(r.findings).toEqual([]);
  });
});

describe('real pip installs stay complete', () => {
  it('python-basic (pip-installed, RECORDs as pip wrote them) has nothing unlisted', async () => {
    const read = (root: string, rel = ''): Record<string, Buffer> => {
      const out: Record<string, Buffer> = {};
      for (const name of readdirSync(join(root, rel))) {
        const path = rel ? `${rel}/${name}` : name;
        if (lstatSync(join(root, path)).isDirectory()) Object.assign(out, read(root, path));
        else out[path] = readFileSync(join(root, path));
      }
      return out;
    };
    const r = await unlisted(read(FIXTURE));
    expect(r.findings).toEqual([]);
  });
});
