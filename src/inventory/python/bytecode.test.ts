import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { bytecodeFindings, classifyPyc } from './bytecode.js';
import { pythonCataloger } from './cataloger.js';
import { siphash } from '../../util/siphash.js';
import { requireCjs } from '../../util/cjs.js';

const picomatch = requireCjs('picomatch') as typeof Picomatch;

/** A pyc header as CPython 3.12 writes it (magic 3531), then a little "bytecode". */
function pyc(flags: number, field8 = 0, field12 = 0): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(3531, 0);
  b[2] = 0x0d;
  b[3] = 0x0a;
  b.writeUInt32LE(flags, 4);
  b.writeUInt32LE(field8, 8);
  b.writeUInt32LE(field12, 12);
  return b;
}

const SRC = 'import os\n'; // 10 bytes
/** six.py's RECORD row as pip writes it. */
const SIX_ROW = `six.py,sha256=${createHash('sha256').update(SRC).digest('base64url')},10`;
const timestamp = (size: number) => pyc(0, 1_700_000_000, size);

/** A checked hash-based pyc recording `_imp.source_hash(MAGIC, source)` as `variant` computes it. */
function checked(source: string, variant: '1-3' | '2-4'): Buffer {
  const b = pyc(3);
  const [c, d] = variant === '1-3' ? [1, 3] : [2, 4];
  b.writeBigUInt64LE(siphash(BigInt(b.readUInt32LE(0)), 0n, Buffer.from(source), c, d), 8);
  return b;
}

async function flagged(files: Record<string, MemoryFile>): Promise<string[]> {
  const source = new MemorySource('py', files);
  const pycs = source.entries().filter((e) => e.path.endsWith('.pyc'));
  const findings = await bytecodeFindings(source, pycs);
  expect(findings.every((f) => f.code === 'BYTECODE_NOT_VERIFIED' && f.severity === 'error')).toBe(
    true
  );
  return findings.map((f) => f.path ?? '');
}

describe('classifyPyc', () => {
  it('reads the flags and the recorded size as importlib does', () => {
    expect(classifyPyc(timestamp(10))).toEqual({ kind: 'timestamp', size: 10 });
    expect(classifyPyc(pyc(1))).toEqual({ kind: 'unchecked-hash' });
    expect(classifyPyc(pyc(3, 7, 9))).toEqual({
      kind: 'checked-hash',
      hash: Buffer.from([7, 0, 0, 0, 9, 0, 0, 0]),
    });
    // Unknown flag bits, a magic not ending in \r\n, a short header: Python rejects them.
    for (const bad of [pyc(2), pyc(4), pyc(0x100), pyc(1).subarray(0, 15)])
      expect(classifyPyc(bad)).toEqual({ kind: 'invalid' });
    const magic = pyc(1);
    magic[3] = 0x0b;
    expect(classifyPyc(magic)).toEqual({ kind: 'invalid' });
  });
});

describe('bytecodeFindings', () => {
  it('reports a cached pyc Python may load instead of its source', async () => {
    expect(
      await flagged({
        'python/six.py': SRC,
        'python/__pycache__/six.cpython-312.pyc': pyc(1),
        'python/pkg/__init__.py': SRC,
        'python/pkg/__pycache__/__init__.cpython-311.opt-1.pyc': checked(SRC, '1-3'),
        'python/lib/python3.12/site-packages/m.py': SRC,
        'python/lib/python3.12/site-packages/__pycache__/m.cpython-312.pyc': timestamp(10),
      })
    ).toEqual([
      'python/__pycache__/six.cpython-312.pyc',
      'python/lib/python3.12/site-packages/__pycache__/m.cpython-312.pyc',
      'python/pkg/__pycache__/__init__.cpython-311.opt-1.pyc',
    ]);
  });

  it('leaves pycs Python never loads: no source, a stale size, a header it rejects, no tag', async () => {
    expect(
      await flagged({
        'python/__pycache__/gone.cpython-312.pyc': pyc(1),
        'python/six.py': SRC,
        'python/__pycache__/six.cpython-312.pyc': timestamp(11),
        'python/a.py': SRC,
        'python/__pycache__/a.cpython-312.pyc': pyc(4),
        'python/__pycache__/six.pyc': pyc(1),
      })
    ).toEqual([]);
  });

  it("a checked hash-based pyc counts when its hash is the source's, by either CPython's SipHash", async () => {
    expect(
      await flagged({
        'python/new.py': SRC,
        'python/__pycache__/new.cpython-312.pyc': checked(SRC, '1-3'),
        'python/lib/python3.10/site-packages/old.py': SRC,
        'python/lib/python3.10/site-packages/__pycache__/old.cpython-310.pyc': checked(SRC, '2-4'),
        // Python recompiles these: the hash is another source's, or no hash at all.
        'python/stale.py': SRC,
        'python/__pycache__/stale.cpython-312.pyc': checked('import sys\n', '1-3'),
        'python/zero.py': SRC,
        'python/__pycache__/zero.cpython-312.pyc': pyc(3),
        // A Python after those lamina knows the hash of: reported, whatever it records.
        'python/lib/python3.99/site-packages/future.py': SRC,
        'python/lib/python3.99/site-packages/__pycache__/future.cpython-399.pyc': (() => {
          const b = pyc(3);
          b.writeUInt16LE(3700, 0);
          return b;
        })(),
      })
    ).toEqual([
      'python/__pycache__/new.cpython-312.pyc',
      'python/lib/python3.10/site-packages/__pycache__/old.cpython-310.pyc',
      'python/lib/python3.99/site-packages/__pycache__/future.cpython-399.pyc',
    ]);
  });

  it('a sourceless pyc is imported itself unless a source or package of its name exists', async () => {
    expect(
      await flagged({
        'python/lib/python3.12/site-packages/alone.pyc': pyc(0),
        'python/pkg/inner.pyc': pyc(0),
        'python/pkg/__init__.py': SRC,
        'python/both.py': SRC,
        'python/both.pyc': pyc(0),
        'python/dir/__init__.py': SRC,
        'python/dir.pyc': pyc(0),
        'python/broken.pyc': pyc(2),
      })
    ).toEqual(['python/lib/python3.12/site-packages/alone.pyc', 'python/pkg/inner.pyc']);
  });

  it('one finding per directory, naming three pycs and counting the rest', async () => {
    const files: Record<string, MemoryFile> = {};
    for (const m of ['a', 'b', 'c', 'd', 'e']) {
      files[`python/pkg/${m}.py`] = SRC;
      files[`python/pkg/__pycache__/${m}.cpython-312.pyc`] = pyc(1);
    }
    const source = new MemorySource('py', files);
    const pycs = source.entries().filter((e) => e.path.endsWith('.pyc'));
    const [f, ...rest] = await bytecodeFindings(source, pycs);
    expect(rest).toEqual([]);
    expect(f?.path).toBe('python/pkg/__pycache__');
    expect(f?.message).toMatch(/5 compiled files here/);
    expect(f?.message).toMatch(/a\.cpython-312\.pyc .*, and 2 more/);
  });

  it("README's allowance by path covers a directory's finding and a single pyc's", async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const glob = /code: BYTECODE_NOT_VERIFIED, paths: \['([^']+)'\]/.exec(readme)?.[1];
    expect(glob).toBeDefined();
    const allowed = picomatch(glob!, { dot: true });
    const paths = await flagged({
      'python/six.py': SRC,
      'python/__pycache__/six.cpython-312.pyc': pyc(1),
      'python/pkg/a.py': SRC,
      'python/pkg/b.py': SRC,
      'python/pkg/__pycache__/a.cpython-312.pyc': pyc(1),
      'python/pkg/__pycache__/b.cpython-312.pyc': pyc(1),
    });
    expect(paths).toEqual(['python/__pycache__/six.cpython-312.pyc', 'python/pkg/__pycache__']);
    expect(paths.filter((p) => !allowed(p))).toEqual([]);
  });

  it('through a link to the source, the size is not known: reported', async () => {
    expect(
      await flagged({
        'vendor/six.py': SRC,
        'python/six.py': { symlink: '../vendor/six.py' },
        'python/__pycache__/six.cpython-312.pyc': timestamp(99),
      })
    ).toEqual(['python/__pycache__/six.cpython-312.pyc']);
  });
});

describe('pythonCataloger', () => {
  it('a pyc that is a link is read through it, and one that leads nowhere is reported too', async () => {
    const { findings } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        'python/six.py': SRC,
        'python/__pycache__/six.cpython-312.pyc': { symlink: '../../vendor/bytecode.bin' },
        'vendor/bytecode.bin': pyc(1),
        'python/m.py': SRC,
        'python/__pycache__/m.cpython-312.pyc': { symlink: '../../vendor/missing.bin' },
        // A link to a pyc Python rejects: not reported.
        'python/a.py': SRC,
        'python/__pycache__/a.cpython-312.pyc': { symlink: '../../vendor/bad.bin' },
        'vendor/bad.bin': pyc(4),
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    const bytecode = findings.filter((f) => f.code === 'BYTECODE_NOT_VERIFIED');
    expect(bytecode.map((f) => f.path)).toEqual(['python/__pycache__']);
    expect(bytecode[0]?.message).toMatch(/2 compiled files here/);
    expect(bytecode[0]?.message).toMatch(/m\.cpython-312\.pyc \(could not be read\)/);
    expect(bytecode[0]?.message).toMatch(/six\.cpython-312\.pyc \(hash-based, never checked/);
  });

  it('a distribution whose RECORD checks out still fails completeness with its pyc', async () => {
    const six = ['Metadata-Version: 2.1', 'Name: six', 'Version: 1.17.0', '', ''].join('\n');
    const { packages, findings } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        'python/six-1.17.0.dist-info/METADATA': six,
        'python/six-1.17.0.dist-info/RECORD': `${SIX_ROW}\n__pycache__/six.cpython-312.pyc,,\nsix-1.17.0.dist-info/METADATA,,\n`,
        'python/six.py': SRC,
        'python/__pycache__/six.cpython-312.pyc': pyc(1),
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    expect(packages.map((p) => p.name)).toEqual(['six']);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['BYTECODE_NOT_VERIFIED', 'python/__pycache__/six.cpython-312.pyc'],
    ]);
  });

  it("in an image, checks /opt/python as a layer's python/, and bare modules there are recorded", async () => {
    const six = ['Metadata-Version: 2.1', 'Name: six', 'Version: 1.17.0', '', ''].join('\n');
    const files: Record<string, MemoryFile> = {
      'opt/python/six-1.17.0.dist-info/METADATA': six,
      'opt/python/six-1.17.0.dist-info/RECORD': `${SIX_ROW}\nsix-1.17.0.dist-info/METADATA,,\n`,
      'opt/python/six.py': SRC,
      'opt/python/__pycache__/six.cpython-312.pyc': pyc(1),
      'opt/python/lib/python3.12/site-packages/evil.py': SRC,
      'opt/python/lib/python3.12/site-packages/__pycache__/evil.cpython-312.pyc': timestamp(10),
      // A python/ directory at the image's root is not where Lambda looks: no module there is
      // recorded, but its bytecode is reported as any in the image is.
      'python/x.py': SRC,
      'python/__pycache__/x.cpython-312.pyc': pyc(1),
    };
    const image = await runCataloger(pythonCataloger, new MemorySource('img', files), {
      layerDigest: 'b'.repeat(64),
      root: 'image',
    });
    expect(image.packages.map((p) => [p.name, p.version ?? null])).toEqual([
      ['six', '1.17.0'],
      ['evil', null],
    ]);
    expect(image.findings.map((f) => [f.code, f.path])).toEqual([
      ['BYTECODE_NOT_VERIFIED', 'opt/python/__pycache__/six.cpython-312.pyc'],
      [
        'BYTECODE_NOT_VERIFIED',
        'opt/python/lib/python3.12/site-packages/__pycache__/evil.cpython-312.pyc',
      ],
      ['BYTECODE_NOT_VERIFIED', 'python/__pycache__/x.cpython-312.pyc'],
    ]);
    // The same files in a layer zip: its own python/ is the site directory, not opt/python/.
    const layer = await runCataloger(pythonCataloger, new MemorySource('zip', files), {
      layerDigest: 'b'.repeat(64),
    });
    expect(layer.findings.map((f) => f.path)).toEqual(['python/__pycache__/x.cpython-312.pyc']);
  });

  it('finds a pyc a linked directory puts in a site directory, in a layer and in an image', async () => {
    const files = (site: string): Record<string, MemoryFile> => ({
      [site]: { symlink: site.startsWith('opt/') ? '../vendor/py' : 'vendor/py' },
      'vendor/py/m.py': SRC,
      'vendor/py/__pycache__/m.cpython-312.pyc': pyc(1),
    });
    for (const [site, root] of [
      ['python', 'layer'],
      ['opt/python', 'image'],
    ] as const) {
      const { findings } = await runCataloger(
        pythonCataloger,
        new MemorySource('py', files(site)),
        {
          layerDigest: 'b'.repeat(64),
          root,
        }
      );
      expect(findings.map((f) => [f.code, f.path])).toEqual([
        ['BYTECODE_NOT_VERIFIED', `${site}/__pycache__/m.cpython-312.pyc`],
      ]);
    }
  });

  it('in a layer, sees opt/python/ where a python -> opt/python link puts it on sys.path', async () => {
    const { packages, findings } = await runCataloger(
      pythonCataloger,
      new MemorySource('py', {
        python: { symlink: 'opt/python' },
        'opt/python/evil.py': SRC,
        'opt/python/__pycache__/evil.cpython-312.pyc': pyc(1),
      }),
      { layerDigest: 'b'.repeat(64) }
    );
    expect(packages.map((p) => [p.name, p.locations.map((l) => l.path)])).toEqual([
      ['evil', ['opt/python/evil.py', 'python/evil.py']],
    ]);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['BYTECODE_NOT_VERIFIED', 'python/__pycache__/evil.cpython-312.pyc'],
    ]);
  });
});
