/**
 * What CPython itself does with each kind of pyc lamina judges: layers built as directories at
 * test time with this machine's python3 (py_compile, in each invalidation mode), inventoried by
 * `lamina sbom DIR`, then imported by python3 from the same directory. Every pyc Python runs
 * instead of the source must be reported (BYTECODE_NOT_VERIFIED); the ones Python ignores are
 * not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeImage, makeLayer, REF_NAME, writeLayout } from '../../../scripts/lib/ociwriter.mjs';
import { runCli } from '../helpers/cli.js';

// The same length, so a timestamp pyc of one records the size of the other.
const ORIGINAL = "X = 'the source lamina reads, as RECORD hashes it'\n";
const CHANGED = "print('LAMINA-PYC: the bytecode ran!!!!!!!!!!!!!')\n";
const MTIME = 1_700_000_000;

/** `code` compiled by python3 into `pyc` (py_compile's mode name), the source's time fixed. */
function compile(dir: string, code: string, pyc: string, mode: string): void {
  const src = join(dir, 'compile-me.py');
  writeFileSync(src, code);
  utimesSync(src, MTIME, MTIME);
  execFileSync('python3', [
    '-c',
    'import sys, py_compile as c\n' +
      'c.compile(sys.argv[1], sys.argv[2], doraise=True, invalidation_mode=c.PycInvalidationMode[sys.argv[3]])',
    src,
    pyc,
    mode,
  ]);
}

const TAG = execFileSync('python3', ['-c', 'import sys; print(sys.implementation.cache_tag)'], {
  encoding: 'utf8',
}).trim();

/**
 * A layer directory: `python/mod.py` (ORIGINAL, unless `source` is false) and a pyc of CHANGED
 * at `python/__pycache__/mod.TAG.pyc`, or at `python/mod.pyc` when `legacy`.
 */
function layer(mode: string, opts: { source?: boolean; legacy?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'lamina-pyc-'));
  const python = join(root, 'python');
  mkdirSync(join(python, '__pycache__'), { recursive: true });
  const pyc = opts.legacy ? join(python, 'mod.pyc') : join(python, '__pycache__', `mod.${TAG}.pyc`);
  compile(root, CHANGED, pyc, mode);
  if (opts.source !== false) {
    writeFileSync(join(python, 'mod.py'), ORIGINAL);
    utimesSync(join(python, 'mod.py'), MTIME, MTIME);
  }
  return root;
}

/** Whether python3 ran the bytecode when importing mod from the layer's python/. */
function pythonRanBytecode(root: string): boolean {
  const r = spawnSync('python3', ['-B', '-c', 'import mod'], {
    cwd: join(root, 'python'),
    encoding: 'utf8',
  });
  return r.stdout.includes('LAMINA-PYC');
}

async function laminaReports(root: string): Promise<boolean> {
  const r = await runCli(['sbom', root, '-o', join(root, 'sbom.json')]);
  expect(r.code).toBe(0);
  return r.stderr.includes('BYTECODE_NOT_VERIFIED');
}

describe('pycs as CPython loads them', () => {
  it.each([
    ['an unchecked hash-based pyc', 'UNCHECKED_HASH', {}],
    ['a timestamp pyc recording the source size and time', 'TIMESTAMP', {}],
    ['a sourceless pyc beside no source', 'TIMESTAMP', { source: false, legacy: true }],
  ] as const)('%s: Python runs it, lamina reports it', async (_what, mode, opts) => {
    const root = layer(mode, opts);
    expect(pythonRanBytecode(root)).toBe(true);
    expect(await laminaReports(root)).toBe(true);
  });

  it('a cached pyc with no source: Python does not import it, lamina does not report it', async () => {
    const root = layer('UNCHECKED_HASH', { source: false });
    expect(pythonRanBytecode(root)).toBe(false);
    expect(await laminaReports(root)).toBe(false);
  });

  it('a timestamp pyc of another size: Python recompiles the source, lamina does not report it', async () => {
    const root = layer('TIMESTAMP');
    writeFileSync(join(root, 'python', 'mod.py'), `${ORIGINAL}# one line more\n`);
    utimesSync(join(root, 'python', 'mod.py'), MTIME, MTIME);
    expect(pythonRanBytecode(root)).toBe(false);
    expect(await laminaReports(root)).toBe(false);
  });

  it('a checked hash-based pyc of other code: Python recompiles the source, lamina does not report it', async () => {
    const root = layer('CHECKED_HASH');
    expect(pythonRanBytecode(root)).toBe(false);
    expect(await laminaReports(root)).toBe(false);
  });

  it("a checked hash-based pyc of other code recording the source's hash: Python runs it, lamina reports it", async () => {
    const root = layer('CHECKED_HASH');
    // The attacker's edit: the hash importlib checks, of the source lamina reads.
    execFileSync('python3', [
      '-c',
      'import _imp, importlib.util as u, sys\n' +
        'pyc, src = sys.argv[1], open(sys.argv[2], "rb").read()\n' +
        'b = bytearray(open(pyc, "rb").read())\n' +
        'b[8:16] = _imp.source_hash(int.from_bytes(u.MAGIC_NUMBER, "little"), src)\n' +
        'open(pyc, "wb").write(bytes(b))',
      join(root, 'python', '__pycache__', `mod.${TAG}.pyc`),
      join(root, 'python', 'mod.py'),
    ]);
    expect(pythonRanBytecode(root)).toBe(true);
    expect(await laminaReports(root)).toBe(true);
  });
});

describe('pycs in a container image', () => {
  it('reports every one Python may run, wherever it is: /opt/python, the function directory, the runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-pyc-image-'));
    compile(dir, CHANGED, join(dir, 'c.pyc'), 'UNCHECKED_HASH');
    const pyc = readFileSync(join(dir, 'c.pyc'));
    const files: [string, string | Buffer][] = [
      ['opt/python/mod.py', ORIGINAL],
      [`opt/python/__pycache__/mod.${TAG}.pyc`, pyc],
      ['srv/fn/app.py', ORIGINAL],
      [`srv/fn/__pycache__/app.${TAG}.pyc`, pyc],
      // The runtime's own (the base image's, which no package records), and /var/task, which
      // this image's runtime does not search but any interpreter started there would.
      ['var/lang/lib/python3.12/os.py', ORIGINAL],
      [`var/lang/lib/python3.12/__pycache__/os.${TAG}.pyc`, pyc],
      ['var/task/app.py', ORIGINAL],
      [`var/task/__pycache__/app.${TAG}.pyc`, pyc],
      // Put on sys.path by an absolute link: reached as opt/python/lib/python3.12/site-packages.
      ['var/lib/hidden/h.py', ORIGINAL],
      [`var/lib/hidden/__pycache__/h.${TAG}.pyc`, pyc],
    ];
    const link = {
      name: 'opt/python/lib/python3.12/site-packages',
      type: 'symlink' as const,
      linkname: '/var/lib/hidden',
    };
    const image = makeImage({
      layers: [makeLayer([...files.map(([name, data]) => ({ name, data })), link])],
      // The function's directory is the config's, not /var/task.
      config: { Env: ['LAMBDA_TASK_ROOT=/srv/fn'], WorkingDir: '/srv/fn' },
    });
    const layout = join(dir, 'oci');
    const manifest = image.manifest.descriptor.digest;
    writeLayout(layout, {
      blobs: new Map([...image.blobs, [manifest, image.manifest.bytes]]),
      entries: [{ ...image.manifest.descriptor, annotations: { [REF_NAME]: 'latest' } }],
    });
    const r = await runCli(['sbom', `oci:${layout}:latest`, '-o', join(dir, 'sbom.json')]);
    expect(r.code).toBe(0);
    const reported = [...r.stderr.matchAll(/BYTECODE_NOT_VERIFIED[^\n]*?(\S+\.pyc)/g)].map(
      (m) => m[1]
    );
    // The linked directory's pyc once, where the runtime reaches it.
    expect(reported.sort()).toEqual([
      `opt/python/__pycache__/mod.${TAG}.pyc`,
      `opt/python/lib/python3.12/site-packages/__pycache__/h.${TAG}.pyc`,
      `srv/fn/__pycache__/app.${TAG}.pyc`,
      `var/lang/lib/python3.12/__pycache__/os.${TAG}.pyc`,
      `var/task/__pycache__/app.${TAG}.pyc`,
    ]);
  });
});
