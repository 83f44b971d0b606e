import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isInventoryComplete } from '../completeness.js';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { pythonCataloger } from './cataloger.js';
import { MAX_PTH_BYTES, pthPaths } from './pth.js';

const SITE = 'python/lib/python3.12/site-packages';
const PAYLOAD = 'print("PWNED")\n';

const paths = (text: string | Buffer): string[] =>
  pthPaths(Buffer.isBuffer(text) ? text : Buffer.from(text)).map((p) => p.path);

describe('pthPaths: the lines site.addpackage adds to sys.path', () => {
  it('skips comments, blank lines and import lines; right-strips the rest, keeps leading space', () => {
    expect(
      paths(
        '# a comment\n\n   \t\nimport os; os.system("x")\nimport\tsys\nhidden.d  \t\n  lead\n' +
          '../share/pyhidden\r\nimportant.d\n #not a comment\n'
      )
    ).toEqual(['hidden.d', '  lead', '../share/pyhidden', 'important.d', ' #not a comment']);
  });

  it('takes the lines both readings give: splitlines (3.12+) and universal newlines (up to 3.11)', () => {
    // \f ends a line for str.splitlines() only; \x1c is whitespace to str.rstrip().
    expect(paths('a\fb\nc\x1c\rd')).toEqual(['a', 'b', 'c', 'd', 'a\fb']);
    // A byte order mark: dropped by utf-8-sig (3.12+), kept by the locale's UTF-8 (3.11).
    expect(paths('\ufeffpayload.zip\n')).toEqual(['payload.zip', '\ufeffpayload.zip']);
  });

  it('reads bytes that are not UTF-8 without failing, each byte a character', () => {
    expect(paths(Buffer.from([0x68, 0x69, 0xff, 0x0a, 0x6f, 0x6b, 0x0a]))).toEqual([
      'hi\u00ff',
      'ok',
    ]);
    expect(paths(Buffer.alloc(0))).toEqual([]);
  });
});

/** pip's RECORD row for `data`. */
const row = (path: string, data: string | Buffer): string =>
  `${path},sha256=${createHash('sha256').update(data).digest('base64url')},${Buffer.byteLength(data)}`;

/** nspkg-helper 1.0.0 in python/, its RECORD listing (and hashing) the .pth file. */
function helper(pth: string, more: Record<string, MemoryFile> = {}): Record<string, MemoryFile> {
  const files: Record<string, string> = {
    'nspkg_helper/__init__.py': '',
    'nspkg_helper-init.pth': pth,
    'nspkg_helper-1.0.0.dist-info/METADATA':
      'Metadata-Version: 2.1\nName: nspkg-helper\nVersion: 1.0.0\n',
  };
  const record = [...Object.entries(files).map(([p, d]) => row(p, d)), 'x.dist-info/RECORD,,'];
  const out: Record<string, MemoryFile> = {};
  for (const [p, d] of Object.entries({
    ...files,
    'nspkg_helper-1.0.0.dist-info/RECORD': `${record.join('\n')}\n`,
  }))
    out[`python/${p}`] = d;
  return { ...out, ...more };
}

async function catalog(tree: Record<string, MemoryFile>, root: 'layer' | 'image' = 'layer') {
  const r = await runCataloger(pythonCataloger, new MemorySource('py', tree), { root });
  return {
    ...r,
    bare: r.packages
      .filter((p) => p.properties['python:metadata'] === 'missing')
      .map((p) => `${p.name} ${p.id.slice('pypi:'.length)} ${p.properties['python:pth'] ?? ''}`),
    pth: r.findings
      .filter((f) => f.code === 'PTH_PATH_NOT_INSPECTED')
      .map((f) => `${f.severity} ${f.path} ${/line \d+/.exec(f.message)?.[0] ?? ''}`),
  };
}

describe('pythonCataloger and the directories a .pth file adds to sys.path', () => {
  it('looks for unclaimed modules in each directory an owned .pth adds, inside python/ or not', async () => {
    const r = await catalog(
      helper('hidden.d\n../share/pyhidden\nimport evil_dot, evil_share\n', {
        'python/hidden.d/evil_dot.py': PAYLOAD,
        'python/hidden.d/pkg/__init__.py': PAYLOAD,
        'share/pyhidden/evil_share.py': PAYLOAD,
        'share/pyhidden/__pycache__/evil_share.cpython-312.pyc': Buffer.from(
          '\xcb\x0d\x0d\x0a\x01\x00\x00\x00' + '\x00'.repeat(8) + 'code',
          'latin1'
        ),
        'share/other/not_added.py': PAYLOAD,
      })
    );
    const pth = 'python/nspkg_helper-init.pth';
    expect(r.bare).toEqual([
      `evil_dot python/hidden.d/evil_dot.py ${pth}`,
      `pkg python/hidden.d/pkg ${pth}`,
      `evil_share share/pyhidden/evil_share.py ${pth}`,
    ]);
    expect(r.pth).toEqual([]);
    // Bytecode there may run too.
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ['BYTECODE_NOT_VERIFIED', 'share/pyhidden/__pycache__/evil_share.cpython-312.pyc'],
    ]);
    expect(isInventoryComplete({ packages: r.packages, findings: r.findings })).toBe(false);
  });

  it('reports a zip or egg file on sys.path, a path out of the layer and a link loop as errors; a missing one as a warning', async () => {
    const r = await catalog(
      helper('payload.zip\n/tmp/drop\n../../etc\n/opt/python/loop\nnot-here\nimport evil_zip\n', {
        'python/payload.zip': 'PK\x05\x06' + '\x00'.repeat(18),
        'python/loop': { symlink: 'loop' },
      })
    );
    expect(r.pth).toEqual([
      'error python/nspkg_helper-init.pth line 1',
      'error python/nspkg_helper-init.pth line 2',
      'error python/nspkg_helper-init.pth line 3',
      'error python/nspkg_helper-init.pth line 4',
      'warning python/nspkg_helper-init.pth line 5',
    ]);
    expect(r.findings.find((f) => /line 1/.test(f.message))?.message).toMatch(/zipimport/);
    expect(r.findings.find((f) => /line 2/.test(f.message))?.message).toMatch(/outside the layer/);
    expect(isInventoryComplete({ packages: r.packages, findings: r.findings })).toBe(false);
  });

  it('takes /opt paths as the layer, and leaves the site directories themselves to the usual search', async () => {
    const r = await catalog(
      helper(`/opt/vendor\n.\n./lib/python3.12/site-packages\n# /opt/ignored\n`, {
        'vendor/v.py': PAYLOAD,
        'ignored/i.py': PAYLOAD,
        [`${SITE}/s.py`]: PAYLOAD,
      })
    );
    expect(r.bare).toEqual([`s ${SITE}/s.py `, 'v vendor/v.py python/nspkg_helper-init.pth']);
    expect(r.pth).toEqual([]);
  });

  it('counts what a distribution installed there and lists (a RECORD row, an egg directory) as claimed', async () => {
    const egg = 'python/tool-1.0-py3.12.egg';
    const r = await catalog(
      helper('hidden.d\n./tool-1.0-py3.12.egg\n', {
        'python/hidden.d/listed.py': PAYLOAD,
        'python/hidden.d/unlisted.py': PAYLOAD,
        [`${egg}/EGG-INFO/PKG-INFO`]: 'Metadata-Version: 1.1\nName: tool\nVersion: 1.0\n',
        [`${egg}/tool/__init__.py`]: PAYLOAD,
        'python/other-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: other\nVersion: 1.0\n',
        'python/other-1.0.dist-info/RECORD': `${row('hidden.d/listed.py', PAYLOAD)}\n`,
      })
    );
    expect(r.bare).toEqual(['unlisted python/hidden.d/unlisted.py python/nspkg_helper-init.pth']);
    expect(r.findings).toEqual([]);
  });

  it('reads the .pth files of site-packages and of a linked site directory; not those elsewhere', async () => {
    const r = await catalog({
      [`${SITE}/a.pth`]: '../../../../vendor/a\n',
      'python/sub/b.pth': '../../vendor/b\n',
      'python/lib/c.pth': '../../vendor/c\n',
      'vendor/a/ma.py': PAYLOAD,
      'vendor/b/mb.py': PAYLOAD,
      'vendor/c/mc.py': PAYLOAD,
      // Joined to the site directory as Python names it, `..` taken lexically: python/lib/python3.11/e.
      'vendor/sp/d.pth': '../../../../vendor/d\n../e\n',
      'vendor/d/md.py': PAYLOAD,
      'vendor/e/me.py': PAYLOAD,
      'python/lib/python3.11/site-packages': { symlink: '../../../vendor/sp' },
    });
    expect(r.bare.map((b) => b.split(' ')[0])).toEqual(['ma', 'md']);
    expect(r.pth).toEqual(['warning python/lib/python3.11/site-packages/d.pth line 2']);
  });

  it('in an image, /opt/python is the site directory and absolute paths are the image’s', async () => {
    const r = await catalog(
      {
        'opt/python/x.pth': 'hidden.d\n/srv/lib\n',
        'opt/python/hidden.d/h.py': PAYLOAD,
        'srv/lib/s.py': PAYLOAD,
        // A layer-style python/ at the image's root is not where Lambda looks.
        'python/y.pth': 'hidden.e\n',
        'python/hidden.e/e.py': PAYLOAD,
      },
      'image'
    );
    expect(r.bare.map((b) => b.split(' ')[1])).toEqual([
      'opt/python/hidden.d/h.py',
      'srv/lib/s.py',
    ]);
  });

  it('reports a .pth file too large to read, and does not fail on one it cannot decode', async () => {
    const big = await catalog({
      'python/big.pth': { data: Buffer.alloc(MAX_PTH_BYTES + 1, 0x61), mode: 0o644 },
    });
    expect(big.pth).toEqual(['error python/big.pth ']);
    const odd = await catalog({
      'python/odd.pth': Buffer.from([0xff, 0xfe, 0x0a, 0x68, 0x69, 0x0a]),
      'python/hi/m.py': PAYLOAD,
    });
    // Read as Latin-1: 'ÿþ' (not in the layer) and 'hi', which puts python/hi on sys.path too.
    expect(odd.pth).toEqual(['warning python/odd.pth line 1']);
    expect(odd.bare).toEqual(['hi python/hi ', 'm python/hi/m.py python/odd.pth']);
  });
});
