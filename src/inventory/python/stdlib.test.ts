import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../unpack/memory.js';
import { buildInventory } from '../index.js';
import { STDLIB_MODULES, stdlibShadowFindings } from './stdlib.js';

const f = (path: string) => ({ path, kind: 'file' });
const link = (path: string) => ({ path, kind: 'symlink' });
const paths = (
  entries: { path: string; kind: string }[],
  prefix = '',
  image?: { taskRoot?: string }
) => stdlibShadowFindings(entries, prefix, image).map((x) => x.path);

describe('STDLIB_MODULES', () => {
  it("holds every module name of this machine's Python (sys.stdlib_module_names)", () => {
    const r = spawnSync(
      'python3',
      ['-c', 'import sys; print("\\n".join(sorted(sys.stdlib_module_names)))'],
      {
        encoding: 'utf8',
      }
    );
    expect(r.status).toBe(0);
    const names = r.stdout.trim().split('\n');
    expect(names.length).toBeGreaterThan(200);
    expect(names.filter((n) => !STDLIB_MODULES.has(n))).toEqual([]);
  });
});

describe('stdlibShadowFindings', () => {
  it('reports module files, regular packages and links named like the standard library', () => {
    const site = 'python/lib/python3.12/site-packages';
    expect(
      paths([
        f(`${site}/uuid.py`),
        f(`${site}/_json.cpython-312-x86_64-linux-gnu.so`),
        f('python/json/__init__.py'),
        f('python/json/decoder.py'),
        link('python/typing'),
        f('python/dataclasses.pyc'),
      ])
    ).toEqual([
      `${site}/uuid.py`,
      `${site}/_json.cpython-312-x86_64-linux-gnu.so`,
      'python/json',
      'python/typing',
      'python/dataclasses.pyc',
    ]);
  });

  it('leaves out other names, namespace portions, nested modules and other directories', () => {
    expect(
      paths([
        f('python/requests/__init__.py'),
        f('python/email/mime/evil.py'),
        f('python/helpers/uuid.py'),
        f('python/six.py'),
        f('nodejs/node_modules/json/index.js'),
        f('python/uuid.txt'),
        f('var/task/uuid.py'),
      ])
    ).toEqual([]);
  });

  it("in an image, also the function's directory and the runtime's own directories", () => {
    const entries = [
      f('opt/python/uuid.py'),
      f('var/task/json/__init__.py'),
      f('var/lang/lib/python3.12/site-packages/typing.py'),
      f('var/runtime/socket.py'),
      // The standard library's own directory and an OS Python's site directory are not in front.
      f('var/lang/lib/python3.12/json/__init__.py'),
      f('usr/lib/python3.12/site-packages/uuid.py'),
    ];
    expect(paths(entries, 'opt/', { taskRoot: 'var/task' })).toEqual([
      'opt/python/uuid.py',
      'var/task/json',
      'var/lang/lib/python3.12/site-packages/typing.py',
      'var/runtime/socket.py',
    ]);
  });
});

describe('the Python cataloger in an image holding only an interpreter and the function', () => {
  it("reads the function's directory: a standard library's landmark is enough to run it", async () => {
    const source = new MemorySource('image', {
      'usr/lib/python3.11/os.py': 'import abc\n',
      'var/task/uuid.py': 'import os\n',
    });
    const inv = await buildInventory(
      source,
      { name: 'image', kind: 'image', sha256: 'x', size: 0, properties: {} },
      { root: 'image', taskRoot: 'var/task' }
    );
    expect(inv.findings.filter((f) => f.code === 'STDLIB_SHADOWED').map((f) => f.path)).toEqual([
      'var/task/uuid.py',
    ]);
  });
});
