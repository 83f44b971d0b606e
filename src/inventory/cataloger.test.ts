import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import {
  fewestNeedles,
  globMatcher,
  lazyCataloger,
  type CatalogContext,
  type Cataloger,
} from './cataloger.js';
import { DEFAULT_CATALOGERS } from './catalogers.js';

const PATHS = [
  'a.jar',
  '.jar',
  'lib/x.jar',
  'lib/x.jar/',
  'lib/x.jarx',
  'lib/x.JAR',
  'lib/xjar',
  'deep/a/b/c/d.war',
  'nodejs/node_modules/left-pad/package.json',
  'nodejs/node_modules/@scope/pkg/package.json',
  'nodejs/node_modules/left-pad/lib/package.json',
  'node_modules/x/package.json',
  'package.json',
  'xpackage.json',
  'var/lib/dpkg/status',
  'var/lib/dpkg/status.d/base',
  'lib/apk/db/installed',
  'x/lib/apk/db/installed',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'python/lib/python3.12/site-packages/x-1.0.dist-info/METADATA',
  'python/x-1.0.egg-info/PKG-INFO',
  'gems/specifications/rack-3.0.gemspec',
  'bin/app',
  'bin/app.deps.json',
  'lib/libz.so.1',
  '.hidden/.x.jar',
  'nodejs/node_modules/lodash.js',
  'nodejs/node_modules/.bin/x',
  'node_modules',
  'xnode_modules/a',
  'java/lib/a.jar/g/A.class',
  'opt/java/lib/A.JAR/META-INF/x',
  'java/lib/a.jar',
  'x1/y',
  'a/var/lib/b',
  'usr/share/x',
  'a/x/b',
];

describe('globMatcher', () => {
  // The literal-tail pre-filter must never change what the globs match.
  it('agrees with picomatch on every cataloger glob set and on odd globs', () => {
    const sets = [
      ...DEFAULT_CATALOGERS.map((c) => c.globs),
      ['**/*.{jar,war}'],
      ['**/a+b', '**/@(x|y).jar', '**/[ab].txt'],
      ['!**/*.jar'],
      ['**/dir/'],
      ['**/node_modules/**'],
      ['java/lib/*.jar/**', 'opt/java/lib/*.JAR/**'],
      ['*/**', '**/x?/**'],
      ['**/{var/lib,usr/share}/**', '**/@(node_modules|x)/**'],
    ];
    for (const globs of sets) {
      const reference = picomatch(globs as string[], { dot: true });
      const fast = globMatcher(globs);
      for (const path of PATHS)
        expect([globs, path, fast(path)]).toEqual([globs, path, reference(path)]);
    }
  });

  // Paths of one to three segments from names the catalogers' needles hold, contain or end
  // with, each also with a trailing slash: every needle dropped as implied by another is met.
  it('agrees with picomatch on every cataloger glob set over generated paths', () => {
    const names = [
      'os.py',
      'os.pyc',
      'x.py',
      '__init__.py',
      'a.so',
      'python3.12',
      'python3.12.zip',
      'site-packages',
      'lib',
      'python',
      'node_modules',
      'x_node_modules',
      'package.json',
      '@s',
      'a.jar',
      'java',
      'x.egg-info',
      'PKG-INFO',
      'versions.json',
      'installed',
      '.deps.json',
    ];
    const paths: string[] = [];
    const grow = (prefix: string, depth: number): void => {
      for (const n of names) {
        const p = prefix ? `${prefix}/${n}` : n;
        paths.push(p, `${p}/`);
        if (depth > 1) grow(p, depth - 1);
      }
    };
    grow('', 3);
    for (const globs of DEFAULT_CATALOGERS.map((c) => c.globs)) {
      const reference = picomatch(globs as string[], { dot: true });
      const fast = globMatcher(globs);
      const differ = paths.filter((p) => fast(p) !== reference(p));
      expect([globs, differ]).toEqual([globs, []]);
    }
  });

  it('keeps only the needles no other implies', () => {
    const needles = (ends: string[], inside: string[] = []) => [
      ...ends.map((text) => ({ text, atEnd: true })),
      ...inside.map((text) => ({ text, atEnd: false })),
    ];
    expect(
      fewestNeedles(needles(['.py', 'os.py', '__init__.py', '.pyc', 'os.pyc', '.py']))
    ).toEqual({ ends: ['.py', '.pyc'], inside: [] });
    expect(
      fewestNeedles(needles(['package.json', 'x_node_modules'], ['node_modules', '/node_modules/']))
    ).toEqual({ ends: ['package.json'], inside: ['node_modules'] });
  });

  it("is made once per list of globs: each archive a scan reads shares its catalogers' matchers", () => {
    for (const c of DEFAULT_CATALOGERS) expect(globMatcher(c.globs)).toBe(globMatcher(c.globs));
    // Another list with the same globs gets its own matcher, which matches alike.
    const globs = ['**/*.jar'];
    const copy = [...globs];
    expect(globMatcher(copy)).not.toBe(globMatcher(globs));
    expect(['a.jar', 'b.war'].map(globMatcher(copy))).toEqual([true, false]);
  });

  it('still matches what the globs name', () => {
    const jar = globMatcher(['**/*.jar', '**/*.war']);
    expect(['a.jar', 'lib/x.jar', 'deep/a/b/c/d.war', '.jar'].filter(jar)).toHaveLength(4);
    expect(['lib/x.JAR', 'lib/x.jarx', 'bin/app'].some(jar)).toBe(false);
  });
});

describe('lazyCataloger', () => {
  const real: Cataloger = {
    name: 'real',
    globs: ['**/x'],
    catalog: (ctx) =>
      Promise.resolve({
        packages: [],
        findings: [{ code: 'PARSE_ERROR', severity: 'info', message: `${ctx.matches.length}` }],
      }),
  };
  const ctx = (n: number): CatalogContext =>
    ({ matches: Array.from({ length: n }) }) as unknown as CatalogContext;

  it('keeps the name and globs, and loads the parsers once, on the first call', async () => {
    let loads = 0;
    const lazy = lazyCataloger({ name: 'real', globs: ['**/x'] }, () => {
      loads++;
      return Promise.resolve(real);
    });
    expect([lazy.name, lazy.globs, loads]).toEqual(['real', ['**/x'], 0]);
    expect((await lazy.catalog(ctx(2))).findings[0]?.message).toBe('2');
    expect((await lazy.catalog(ctx(3))).findings[0]?.message).toBe('3');
    expect(loads).toBe(1);
  });

  it('does not load the parsers when `wanted` turns the context down', async () => {
    let loads = 0;
    const lazy = lazyCataloger(
      { name: 'real', globs: ['**/x'] },
      () => {
        loads++;
        return Promise.resolve(real);
      },
      (c) => c.matches.length > 1
    );
    expect(await lazy.catalog(ctx(1))).toEqual({ packages: [], findings: [] });
    expect(loads).toBe(0);
    expect((await lazy.catalog(ctx(2))).findings).toHaveLength(1);
    expect(loads).toBe(1);
  });
});
