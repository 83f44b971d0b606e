import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource, type MemoryFile } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { npmCataloger } from './cataloger.js';

const FIXTURE = fileURLToPath(new URL('../../../testdata/layers/npm-basic', import.meta.url));
const DIGEST = 'a'.repeat(64);

/** Every file of a directory tree, as MemorySource input (so tests can add or change files). */
function readTree(root: string, rel = ''): Record<string, MemoryFile> {
  const out: Record<string, MemoryFile> = {};
  for (const name of readdirSync(join(root, rel))) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    if (st.isSymbolicLink()) out[path] = { symlink: readlinkSync(join(root, path)) };
    else if (st.isDirectory()) Object.assign(out, readTree(root, path));
    else out[path] = readFileSync(join(root, path));
  }
  return out;
}

/** A fixture file's text (fixture files are plain bytes, never symlinks, for package.json). */
function text(content: MemoryFile | undefined): string {
  if (Buffer.isBuffer(content) || typeof content === 'string') return content.toString();
  throw new Error('expected a regular file');
}

/** Independent of the cataloger: package roots are `node_modules/<name>` or `node_modules/@s/<name>`. */
function expectedPackages(
  files: Record<string, MemoryFile>
): Map<string, { name: string; version: string }> {
  const out = new Map<string, { name: string; version: string }>();
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/');
    if (parts.at(-1) !== 'package.json') continue;
    const isRoot =
      parts.at(-3) === 'node_modules' ||
      (parts.at(-4) === 'node_modules' && parts.at(-3)?.startsWith('@') === true);
    if (!isRoot) continue;
    const json = JSON.parse(text(content)) as { name: string; version: string };
    out.set(parts.slice(0, -1).join('/'), json);
  }
  return out;
}

function byId(pkgs: Package[]): Map<string, Package> {
  return new Map(pkgs.map((p) => [p.id, p]));
}

describe('npmCataloger over the npm-basic fixture', () => {
  const files = readTree(FIXTURE);
  const expected = expectedPackages(files);

  it('finds every installed package, nested, scoped and in nodejs/node20', async () => {
    const src = await DirectorySource.open(FIXTURE);
    const { packages, findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings).toEqual([]);
    expect(expected.size).toBeGreaterThan(40);
    expect(new Set(packages.map((p) => p.id))).toEqual(
      new Set([...expected.keys()].map((d) => `npm:${d}`))
    );
    for (const p of packages) {
      const dir = p.id.slice('npm:'.length);
      const want = expected.get(dir);
      expect(want).toBeDefined();
      expect(p.version).toBe(want?.version);
      expect(p.purl).toBe(`pkg:npm/${want?.name.replace('@', '%40')}@${want?.version}`);
      expect(p.foundBy).toBe('npm-installed');
      expect(p.locations).toEqual([{ path: `${dir}/package.json`, layerDigest: DIGEST }]);
      expect(p.owns).toEqual([`${dir}/`]);
    }
    const ids = byId(packages);
    expect(ids.get('npm:nodejs/node_modules/debug/node_modules/ms')?.version).toBe('2.0.0');
    expect(ids.get('npm:nodejs/node_modules/ms')?.version).toBe('2.1.3');
    expect(ids.get('npm:nodejs/node20/node_modules/uuid')?.version).toBe('8.3.2');
    const middy = ids.get('npm:nodejs/node_modules/@middy/core');
    expect(middy?.namespace).toBe('@middy');
    expect(middy?.name).toBe('core');
    expect(middy?.purl).toBe('pkg:npm/%40middy/core@5.4.0');
  });

  it('takes SHA-512 integrity from the hidden lockfile, and none without a lockfile', async () => {
    const { packages } = await runCataloger(npmCataloger, new MemorySource('npm', files), {
      layerDigest: DIGEST,
    });
    const uuid = byId(packages).get('npm:nodejs/node_modules/uuid');
    // `npm view uuid@9.0.1 dist.integrity`
    const sri =
      'b+1eJOlsR9K8HJpow9Ok3fiWOWSIcIzXodvv0rQjVoOVNpWMpxf1wZNpt4y9h10odCNrqnYp1OBzRktckBe3sA==';
    expect(uuid?.hashes).toEqual({ 'SHA-512': Buffer.from(sri, 'base64').toString('hex') });
    expect(uuid?.properties['npm:lockfile']).toBe('nodejs/node_modules/.package-lock.json');
    const lock = JSON.parse(text(files['nodejs/node_modules/.package-lock.json'])) as {
      packages: Record<string, { integrity: string }>;
    };
    for (const p of packages) {
      const dir = p.id.slice('npm:'.length);
      if (dir.startsWith('nodejs/node20/')) {
        expect(p.hashes).toEqual({});
        continue;
      }
      const integrity = lock.packages[dir.slice('nodejs/'.length)]?.integrity ?? '';
      expect(integrity.startsWith('sha512-')).toBe(true);
      expect(p.hashes['SHA-512']).toBe(
        Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex')
      );
    }
  });

  it('resolves edges with Node lookup: nested copies first, lockfile or package.json names', async () => {
    const { packages } = await runCataloger(npmCataloger, new MemorySource('npm', files), {
      layerDigest: DIGEST,
    });
    const ids = byId(packages);
    const deps = (id: string): string[] | undefined => ids.get(id)?.dependsOn;
    expect(deps('npm:nodejs/node_modules/debug')).toEqual([
      'npm:nodejs/node_modules/debug/node_modules/ms',
    ]);
    expect(deps('npm:nodejs/node_modules/@middy/core')).toEqual([
      'npm:nodejs/node_modules/@datastream/core',
    ]);
    expect(deps('npm:nodejs/node_modules/axios')).toEqual([
      'npm:nodejs/node_modules/follow-redirects',
      'npm:nodejs/node_modules/form-data',
      'npm:nodejs/node_modules/proxy-from-env',
    ]);
    // node20 has no lockfile: edges come from package.json and stay within node20.
    expect(deps('npm:nodejs/node20/node_modules/chalk')).toEqual([
      'npm:nodejs/node20/node_modules/ansi-styles',
      'npm:nodejs/node20/node_modules/supports-color',
    ]);
    expect(deps('npm:nodejs/node20/node_modules/supports-color')).toEqual([
      'npm:nodejs/node20/node_modules/has-flag',
    ]);
    // Every package.json dependency of every package resolves to a found package.
    for (const p of packages) {
      const json = JSON.parse(text(files[`${p.id.slice(4)}/package.json`])) as {
        dependencies?: Record<string, string>;
      };
      expect(p.dependsOn).toHaveLength(Object.keys(json.dependencies ?? {}).length);
      for (const d of p.dependsOn) expect(ids.has(d)).toBe(true);
      expect(p.properties['npm:missing-dependencies']).toBeUndefined();
    }
    expect(ids.get('npm:nodejs/node_modules/axios')?.properties['npm:root-dependency']).toBe(
      'true'
    );
    expect(ids.get('npm:nodejs/node_modules/form-data')?.properties['npm:root-dependency']).toBe(
      undefined
    );
  });

  it('reads SPDX licenses, author and homepage', async () => {
    const { packages } = await runCataloger(npmCataloger, new MemorySource('npm', files), {
      layerDigest: DIGEST,
    });
    const ids = byId(packages);
    expect(ids.get('npm:nodejs/node_modules/uuid')?.licenses).toEqual([
      { $case: 'expression', expression: 'MIT' },
    ]);
    expect(ids.get('npm:nodejs/node_modules/@datastream/core')?.author).toBe(
      'datastream contributors'
    );
    expect(ids.get('npm:nodejs/node_modules/axios')?.homepage).toBe('https://axios-http.com');
    for (const p of packages) expect(p.licenses.length).toBeGreaterThan(0);
  });
});

describe('npmCataloger edge cases', () => {
  const pj = (o: object): string => JSON.stringify(o);

  it('turns a broken package.json into a PARSE_ERROR finding and keeps the rest', async () => {
    const files = readTree(FIXTURE);
    const broken = 'nodejs/node_modules/zzz-broken/package.json';
    const src = new MemorySource('npm', {
      ...files,
      [broken]: '{ "name": "zzz-broken", ',
      // A package root without a name or version: Node still loads require('marker').
      'nodejs/node_modules/marker/package.json': pj({ type: 'module' }),
      // Not matched at all: a package.json below a package root.
      'nodejs/node_modules/uuid/dist/esm-node/package.json': pj({ type: 'module' }),
    });
    const { packages, findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['METADATA_INCOMPLETE', 'warning', 'nodejs/node_modules/marker/package.json'],
      ['PARSE_ERROR', 'error', broken],
    ]);
    expect(packages).toHaveLength(expectedPackages(files).size + 2);
    // Both are still named from their directory, so a deny rule by name can match them.
    const purls = packages.map((p) => p.purl);
    expect(purls).toContain('pkg:npm/zzz-broken');
    expect(purls).toContain('pkg:npm/marker');
  });

  it('reads legacy and non-SPDX licenses', async () => {
    const src = new MemorySource('npm', {
      'node_modules/a/package.json': pj({
        name: 'a',
        version: '1.0.0',
        license: 'SEE LICENSE IN LICENSE.md',
      }),
      'node_modules/b/package.json': pj({
        name: 'b',
        version: '1.0.0',
        licenses: [{ type: 'MIT' }, { type: 'Apache 2' }],
      }),
      'node_modules/c/package.json': pj({ name: 'c', version: '1.0.0', license: { type: 'ISC' } }),
      'node_modules/d/package.json': pj({
        name: 'd',
        version: '1.0.0',
        license: '(MIT OR Apache-2.0)',
      }),
    });
    const ids = byId((await runCataloger(npmCataloger, src, { layerDigest: DIGEST })).packages);
    expect(ids.get('npm:node_modules/a')?.licenses).toEqual([
      { $case: 'name', name: 'SEE LICENSE IN LICENSE.md' },
    ]);
    expect(ids.get('npm:node_modules/b')?.licenses).toEqual([
      { $case: 'expression', expression: 'MIT' },
      { $case: 'name', name: 'Apache 2' },
    ]);
    expect(ids.get('npm:node_modules/c')?.licenses).toEqual([
      { $case: 'expression', expression: 'ISC' },
    ]);
    expect(ids.get('npm:node_modules/d')?.licenses).toEqual([
      { $case: 'expression', expression: '(MIT OR Apache-2.0)' },
    ]);
  });

  it('ignores lockfile entries of other versions and of packages not installed', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { a: '1', gone: '1' } },
        'node_modules/a': {
          version: '1.0.0',
          integrity: 'sha1-qUtvYQWLlVdZBB5f4DlthoR76JA=',
          dependencies: { b: '1' },
        },
        'node_modules/b': { version: '9.9.9', integrity: 'sha512-AAAA' },
        'node_modules/gone': { version: '1.0.0' },
      },
    };
    const src = new MemorySource('npm', {
      'package-lock.json': pj(lock),
      'node_modules/a/package.json': pj({
        name: 'a',
        version: '1.0.0',
        dependencies: { b: '1', c: '1' },
      }),
      'node_modules/b/package.json': pj({
        name: 'b',
        version: '1.0.0',
        peerDependencies: { p: '1' },
      }),
    });
    const { packages, findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings).toEqual([]);
    const ids = byId(packages);
    expect([...ids.keys()].sort()).toEqual(['npm:node_modules/a', 'npm:node_modules/b']);
    const a = ids.get('npm:node_modules/a');
    expect(a?.hashes).toEqual({ 'SHA-1': 'a94b6f61058b955759041e5fe0396d86847be890' });
    // Lockfile names win when the entry matches: `c` is not listed there.
    expect(a?.dependsOn).toEqual(['npm:node_modules/b']);
    expect(a?.properties['npm:missing-dependencies']).toBeUndefined();
    const b = ids.get('npm:node_modules/b');
    expect(b?.hashes).toEqual({});
    // A missing peer is not a missing dependency.
    expect(b?.properties['npm:missing-dependencies']).toBeUndefined();
  });

  it('reports missing required dependencies and a broken lockfile', async () => {
    const src = new MemorySource('npm', {
      'nodejs/package-lock.json': '{not json',
      'nodejs/node_modules/a/package.json': pj({
        name: 'a',
        version: '1.0.0',
        dependencies: { x: '1' },
        optionalDependencies: { y: '1' },
      }),
    });
    const { packages, findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['PARSE_ERROR', 'nodejs/package-lock.json'],
    ]);
    expect(packages[0]?.properties['npm:missing-dependencies']).toBe('x');
  });

  // Node loads a module with no package.json (https://nodejs.org/api/modules.html#all-together):
  // it must be recorded by the name `require` takes, not left out.
  it('records modules Node loads without a package.json, by name, unversioned, with an error', async () => {
    const src = new MemorySource('npm', {
      'nodejs/node_modules/ms/index.js': 'module.exports = 1;\n',
      'nodejs/node_modules/ms/lib/util.js': '',
      'nodejs/node_modules/lodash.js': 'module.exports = 2;\n',
      'nodejs/node_modules/a/package.json': pj({
        name: 'a',
        version: '1.0.0',
        dependencies: { ms: '1' },
      }),
      'nodejs/node_modules/a/index.js': '',
      // package.json a directory: Node cannot read it and loads index.js.
      'nodejs/node_modules/odd/package.json/x': '',
      'nodejs/node_modules/odd/index.js': '',
      'nodejs/vendor/linked/package.json': pj({ name: 'linked', version: '1.0.0' }),
      'nodejs/vendor/linked/index.js': '',
      'nodejs/node_modules/linked': { symlink: '../vendor/linked' },
      'nodejs/node_modules/.package-lock.json': '{}',
    });
    const { packages, findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings).toEqual([]);
    const ids = byId(packages);
    expect([...ids.keys()].sort()).toEqual([
      'npm:nodejs/node_modules/a',
      'npm:nodejs/node_modules/linked',
      'npm:nodejs/node_modules/lodash.js',
      'npm:nodejs/node_modules/ms',
      'npm:nodejs/node_modules/odd',
    ]);
    const ms = ids.get('npm:nodejs/node_modules/ms');
    expect(ms).toMatchObject({
      name: 'ms',
      purl: 'pkg:npm/ms',
      owns: ['nodejs/node_modules/ms/'],
      locations: [{ path: 'nodejs/node_modules/ms/index.js', layerDigest: DIGEST }],
      properties: { 'npm:package-json': 'missing' },
    });
    expect(ms?.version).toBeUndefined();
    expect(ms?.findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['METADATA_INCOMPLETE', 'error', 'nodejs/node_modules/ms/index.js'],
    ]);
    const lodash = ids.get('npm:nodejs/node_modules/lodash.js');
    expect(lodash).toMatchObject({ name: 'lodash', purl: 'pkg:npm/lodash' });
    expect(lodash?.owns).toEqual(['nodejs/node_modules/lodash.js']);
    expect(lodash?.findings[0]?.message).toContain("require('lodash') loads it");
    // The dependency edge reaches the bare module as Node's lookup would.
    expect(ids.get('npm:nodejs/node_modules/a')?.dependsOn).toEqual(['npm:nodejs/node_modules/ms']);
    expect(ids.get('npm:nodejs/node_modules/odd')?.findings[0]?.code).toBe('METADATA_INCOMPLETE');
    expect(ids.get('npm:nodejs/node_modules/linked')?.findings).toEqual([]);
  });

  it('records a module in test fixtures deep inside a package with a warning, not an error', async () => {
    const src = new MemorySource('npm', {
      'nodejs/node_modules/pino/package.json': pj({ name: 'pino', version: '9.14.0' }),
      'nodejs/node_modules/pino/test/fixtures/eval/node_modules/file1.js': 'module.exports = 1',
      'nodejs/node_modules/pino/lib/node_modules/lodash.js': 'module.exports = 2',
    });
    const { packages } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    const ids = byId(packages);
    // Still packages, so a deny rule naming lodash sees the copy pino's lib/ would load.
    expect(ids.get('npm:nodejs/node_modules/pino/lib/node_modules/lodash.js')).toMatchObject({
      purl: 'pkg:npm/lodash',
    });
    expect([...ids.values()].flatMap((p) => p.findings.map((f) => [f.severity, f.path]))).toEqual([
      ['warning', 'nodejs/node_modules/pino/lib/node_modules/lodash.js'],
      ['warning', 'nodejs/node_modules/pino/test/fixtures/eval/node_modules/file1.js'],
    ]);
  });

  // Node resolves `main` with path.resolve: `../` and absolute paths load code outside the package.
  it('reports a main that leads out of the package directory as an error', async () => {
    const src = new MemorySource('npm', {
      'nodejs/node_modules/safe/package.json': pj({
        name: 'safe',
        version: '1.0.0',
        main: '../../vendor/lodash/lodash.js',
      }),
      'nodejs/node_modules/abs/package.json': pj({
        name: 'abs',
        version: '1.0.0',
        main: '/opt/x.js',
      }),
      'nodejs/node_modules/ok/package.json': pj({
        name: 'ok',
        version: '1.0.0',
        main: './lib/../index.js',
      }),
      'nodejs/node_modules/dot/package.json': pj({ name: 'dot', version: '1.0.0', main: '.' }),
      'nodejs/node_modules/sib/package.json': pj({
        name: 'sib',
        version: '1.0.0',
        main: '../sibling/x.js',
      }),
      'nodejs/vendor/lodash/lodash.js': '',
    });
    const { findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['PATH_TRAVERSAL', 'error', 'nodejs/node_modules/abs/package.json'],
      ['PATH_TRAVERSAL', 'error', 'nodejs/node_modules/safe/package.json'],
      ['PATH_TRAVERSAL', 'error', 'nodejs/node_modules/sib/package.json'],
    ]);
    expect(findings[1]?.message).toContain('"../../vendor/lodash/lodash.js"');
  });

  it('reports a package.json that gives main twice, however spelt, and only at the top', async () => {
    const deep = '['.repeat(600) + ']'.repeat(600);
    const src = new MemorySource('npm', {
      'nodejs/node_modules/two/package.json':
        '{"name":"two","version":"1.0.0","main":"../../x.js","main":0}',
      'nodejs/node_modules/esc/package.json':
        '{"name":"esc","version":"1.0.0","main":"../../x.js","m\\u0061in":0}',
      'nodejs/node_modules/deep/package.json': `{"name":"deep","version":"1.0.0","main":"a.js","x":${deep},"main":"b.js"}`,
      'nodejs/node_modules/nested/package.json': pj({
        name: 'nested',
        version: '1.0.0',
        main: 'index.js',
        publishConfig: { main: 'dist/index.js' },
      }),
      'nodejs/node_modules/same/package.json': '{"name":"same","version":"1.0.0","main":"a.js"}',
    });
    const { findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['AMBIGUOUS_METADATA', 'error', 'nodejs/node_modules/deep/package.json'],
      ['AMBIGUOUS_METADATA', 'error', 'nodejs/node_modules/esc/package.json'],
      ['AMBIGUOUS_METADATA', 'error', 'nodejs/node_modules/two/package.json'],
    ]);
    expect(findings[2]?.message).toContain('Node 22 and later the last that is a string');
  });

  // Node follows a link inside a package: what it leads to runs as that package's code.
  it('reports a link inside a package directory that leads out of it as an error', async () => {
    const src = new MemorySource('npm', {
      'nodejs/node_modules/shim/package.json': pj({ name: 'shim', version: '1.0.0' }),
      'nodejs/node_modules/shim/lib': { symlink: '../../vendor/ms' },
      'nodejs/node_modules/shim/index.js': { symlink: 'src/index.js' },
      'nodejs/node_modules/shim/src/index.js': '',
      'nodejs/node_modules/@s/y/package.json': pj({ name: '@s/y', version: '1.0.0' }),
      'nodejs/node_modules/@s/y/dist': { symlink: '../../shim/src' },
      // A package directory that is a link (pnpm, npm link), and a linked package.json (data).
      'nodejs/node_modules/linked': { symlink: '../vendor/linked' },
      'nodejs/node_modules/meta/package.json': { symlink: '../../meta.json' },
      'nodejs/node_modules/.bin/tool': { symlink: '../shim/src/index.js' },
      'nodejs/meta.json': pj({ name: 'meta', version: '1.0.0' }),
      'nodejs/vendor/linked/package.json': pj({ name: 'linked', version: '1.0.0' }),
      'nodejs/vendor/ms/index.js': '',
    });
    const { findings } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['PATH_TRAVERSAL', 'error', 'nodejs/node_modules/@s/y/dist'],
      ['PATH_TRAVERSAL', 'error', 'nodejs/node_modules/shim/lib'],
    ]);
    expect(findings[1]?.message).toContain('a link to nodejs/vendor/ms');
  });

  it('records the names require finds a package by when its package.json gives another', async () => {
    const src = new MemorySource('npm', {
      // npm install evil@npm:left-pad, or a renamed package passing for another.
      'nodejs/node_modules/evil/package.json': pj({ name: 'left-pad', version: '1.3.0' }),
      'nodejs/node_modules/@corp/util/package.json': pj({ name: '@other/util', version: '1.0.0' }),
      // The same purl either way (npm names are lowercase): nothing to record.
      'nodejs/node_modules/Same/package.json': pj({ name: 'same', version: '1.0.0' }),
      'nodejs/node_modules/plain/package.json': pj({ name: 'plain', version: '1.0.0' }),
      // pnpm: the store copy and the link share one name.
      'nodejs/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json': pj({
        name: 'ms',
        version: '2.1.3',
      }),
      'nodejs/node_modules/ms': { symlink: '.pnpm/ms@2.1.3/node_modules/ms' },
      // A link under another name reaches it too.
      'nodejs/node_modules/renamed': { symlink: 'plain' },
    });
    const { packages } = await runCataloger(npmCataloger, src, { layerDigest: DIGEST });
    const requiredAs = Object.fromEntries(
      packages.map((p) => [p.purl, p.properties['npm:required-as']])
    );
    expect(requiredAs).toEqual({
      'pkg:npm/left-pad@1.3.0': 'evil',
      'pkg:npm/%40other/util@1.0.0': '@corp/util',
      'pkg:npm/same@1.0.0': undefined,
      'pkg:npm/plain@1.0.0': 'renamed',
      'pkg:npm/ms@2.1.3': undefined,
    });
  });
});
