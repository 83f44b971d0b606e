/**
 * This machine's python3 as the tests of what Python imports use it: a standard library of its
 * own at a prefix the test makes, built from links to python3's, one module changed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** python3's executable (links followed) and version, as `sys` gives them. */
export function hostPython(): { executable: string; version: string } {
  const out = spawnSync(
    'python3',
    ['-c', 'import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])'],
    { encoding: 'utf8' }
  ).stdout.split('\n');
  return { executable: out[0]!, version: out[1]! };
}

/**
 * Make `PREFIX/LIBDIR/pythonX.Y` python3's standard library, entry by entry a link to its own,
 * but for `json`, whose `__init__.py` is `code`.
 */
export function stdlibWithJson(prefix: string, code: string, libdir = 'lib'): void {
  const real = spawnSync(
    'python3',
    ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'],
    { encoding: 'utf8' }
  ).stdout.trim();
  const lib = join(prefix, libdir, `python${hostPython().version}`);
  mkdirSync(join(lib, 'json'), { recursive: true });
  for (const name of readdirSync(real))
    if (name !== 'json') symlinkSync(join(real, name), join(lib, name));
  writeFileSync(join(lib, 'json', '__init__.py'), code);
}
