import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { validateJson } from '../../../src/sbom/testing/validate.js';

// Layers built by scripts/fixtures-hostile.mjs from real packages. Each is checked twice: what a
// real runtime does with it (node, python3 and the dynamic loader on the unzipped layer), and
// that `lamina sbom` sees the same thing, exits 0/1/2 and stays under 512 MiB of RSS.
const HOSTILE = join(REPO_ROOT, 'testdata', 'hostile-layers');
const PRELOAD = join(REPO_ROOT, 'test', 'e2e', 'sbom', 'rss-preload.mjs');
const RSS_LIMIT_KIB = 512 * 1024;

interface Component {
  type: string;
  name: string;
  'bom-ref': string;
  purl?: string;
  properties?: { name: string; value: string }[];
  evidence?: { occurrences?: { location: string }[] };
}
interface Bom {
  metadata: { component: { properties: { name: string; value: string }[] } };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
  compositions: { aggregate: string }[];
}
interface Run {
  code: number;
  stderr: string;
  maxRssKiB: number;
  bom: Bom;
}

const tmp = mkdtempSync(join(tmpdir(), 'lamina-hostile-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `lamina sbom` as users run it, with the peak RSS reported by the preload. */
function sbom(zip: string): Run {
  const out = join(tmp, `${zip}.cdx.json`);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(PRELOAD).href,
      BUILT_CLI,
      'sbom',
      join(HOSTILE, zip),
      '-o',
      out,
      '--quiet',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
  );
  const rss = /lamina-test-maxrss-kib (\d+)/.exec(r.stderr)?.[1];
  return {
    code: r.status ?? -1,
    stderr: r.stderr,
    maxRssKiB: Number(rss ?? Infinity),
    bom: r.status === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as Bom) : ({} as Bom),
  };
}

/** Unzip a layer with Info-ZIP (symlinks restored), as a stand-in for Lambda's /opt. */
function unzipped(zip: string): string {
  const dir = join(tmp, zip.replace(/\.zip$/, ''));
  execFileSync('unzip', ['-q', '-o', join(HOSTILE, zip), '-d', dir]);
  return dir;
}

function run(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const prop = (c: Component | undefined, name: string): string | undefined =>
  c?.properties?.find((p) => p.name === name)?.value;
const occurrences = (c: Component | undefined): string[] =>
  (c?.evidence?.occurrences ?? []).map((o) => o.location).sort();
const findings = (bom: Bom): string[] =>
  bom.metadata.component.properties.filter((p) => p.name === 'lamina:finding').map((p) => p.value);

describe('lamina sbom on every hostile layer', () => {
  it.each(readdirSync(HOSTILE).filter((f) => f.endsWith('.zip')))(
    '%s: exit 0/1/2, no stack trace, RSS under 512 MiB, a valid SBOM',
    async (zip) => {
      const r = sbom(zip);
      expect([0, 1, 2]).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.maxRssKiB).toBeLessThan(RSS_LIMIT_KIB);
      if (r.code === 0) expect(await validateJson(JSON.stringify(r.bom))).toBeNull();
    }
  );
});

describe('symlinked-packages.zip: followed as the runtime follows them', () => {
  let r: Run;
  let dir: string;
  let byRef: Map<string, Component>;
  beforeAll(() => {
    r = sbom('symlinked-packages.zip');
    dir = unzipped('symlinked-packages.zip');
    byRef = new Map(r.bom.components.map((c) => [c['bom-ref'], c]));
  });

  it('node loads the vendored package, its addon, a symlinked package.json and the pnpm tree', () => {
    const node = run(
      process.execPath,
      [
        '-e',
        `const p = require('path');
         const main = require.resolve('bufferutil');
         require(p.join(p.dirname(main), 'prebuilds/linux-x64/node.napi.node'));
         console.log(p.relative('..', main), require('uuid/package.json').version, require('debug').name);`,
      ],
      join(dir, 'nodejs')
    );
    expect(node).toMatchObject({ code: 0 });
    expect(node.out).toMatch(/^vendor\/bufferutil\/index\.js 9\.0\.1 /);
  });

  it('lamina inventories them at the real path, the link path as another occurrence', () => {
    expect(r.code).toBe(0);
    expect(occurrences(byRef.get('pkg:npm/bufferutil@4.0.8'))).toEqual([
      '/opt/nodejs/node_modules/bufferutil/package.json',
      '/opt/vendor/bufferutil/package.json',
    ]);
    expect(occurrences(byRef.get('pkg:npm/uuid@9.0.1'))).toEqual([
      '/opt/meta/uuid.json',
      '/opt/nodejs/node_modules/uuid/package.json',
    ]);
    // pnpm: each package once, edges through .pnpm's links (debug 4.3.4 wants ms 2.1.2).
    expect(occurrences(byRef.get('pkg:npm/debug@4.3.4'))).toContain(
      '/opt/nodejs/node_modules/debug/package.json'
    );
    const debugDeps = r.bom.dependencies.find((d) => d.ref === 'pkg:npm/debug@4.3.4');
    expect(debugDeps?.dependsOn).toEqual(['pkg:npm/ms@2.1.2']);
    expect(byRef.has('pkg:npm/ms@2.1.3')).toBe(true);
  });

  it('the addon is a file component owned by its package, reached through the link too', () => {
    const addon = byRef.get('file:vendor/bufferutil/prebuilds/linux-x64/node.napi.node');
    expect(prop(addon, 'lamina:owned-by')).toBe('pkg:npm/bufferutil@4.0.8');
    expect(occurrences(addon)).toContain(
      '/opt/nodejs/node_modules/bufferutil/prebuilds/linux-x64/node.napi.node'
    );
    const deps = r.bom.dependencies.find((d) => d.ref === 'pkg:npm/bufferutil@4.0.8');
    expect(deps?.dependsOn).toContain(addon?.['bom-ref']);
  });

  it('python imports six through a linked dist-info and reads a linked METADATA; lamina too', () => {
    const py = run(
      'python3',
      [
        '-c',
        "import sys; sys.path.insert(0, 'python'); import importlib.metadata as m; import six; print(m.version('six'), m.version('jsonpointer'))",
      ],
      dir
    );
    expect(py).toEqual({ code: 0, out: '1.17.0 3.1.1\n' });
    expect(occurrences(byRef.get('pkg:pypi/six@1.17.0'))).toEqual([
      '/opt/python/six-1.17.0.dist-info/METADATA',
      '/opt/store/six-1.17.0.dist-info/METADATA',
    ]);
    expect(byRef.has('pkg:pypi/jsonpointer@3.1.1')).toBe(true);
  });

  it('the loader opens lib/libxshmfence.so through two links; lamina lists the library once, with both', () => {
    const ld = run('python3', ['-c', "import ctypes; ctypes.CDLL('./lib/libxshmfence.so')"], dir);
    expect(ld.code).toBe(0);
    const so = byRef.get('file:store/libxshmfence.so.1.0.0');
    expect(occurrences(so)).toEqual([
      '/opt/lib/libxshmfence.so',
      '/opt/lib/libxshmfence.so.1',
      '/opt/store/libxshmfence.so.1.0.0',
    ]);
    expect(prop(so, 'lamina:unowned')).toBe('true');
  });

  it('a jar under another name, a bin/ script and an extension reached only through links', () => {
    expect(occurrences(byRef.get('pkg:maven/commons-cli/commons-cli@1.5.0'))).toEqual([
      '/opt/java/lib/commons-cli.jar',
      '/opt/store/cc.bin',
    ]);
    const script = byRef.get('file:store/hello.sh');
    expect(prop(script, 'lamina:lambda:extension')).toBe('true');
    expect(occurrences(script)).toContain('/opt/bin/hello');
  });
});

describe('symlink-loops.zip: what does not resolve fails the inventory', () => {
  it('node cannot resolve the 42-link chain either; lamina reports loops and the /tmp link as errors', () => {
    const dir = unzipped('symlink-loops.zip');
    // By its path: a bare name would go on to any node_modules above the temporary directory.
    const node = run(
      process.execPath,
      ['-e', "require.resolve('./node_modules/debug')"],
      join(dir, 'nodejs')
    );
    expect(node.code).not.toBe(0);
    const r = sbom('symlink-loops.zip');
    expect(r.code).toBe(0);
    const f = findings(r.bom);
    expect(f.filter((x) => x.startsWith('SYMLINK_LOOP ')).map((x) => x.split(':')[0])).toEqual([
      'SYMLINK_LOOP chain/l40',
      'SYMLINK_LOOP nodejs/node_modules/a',
      'SYMLINK_LOOP nodejs/node_modules/b',
      'SYMLINK_LOOP nodejs/node_modules/debug',
    ]);
    expect(f.some((x) => x.startsWith('SYMLINK_OUTSIDE_LAYER nodejs/node_modules/later'))).toBe(
      true
    );
    expect(f.some((x) => x.startsWith('SYMLINK_CYCLE'))).toBe(true);
    expect(r.bom.compositions[0]?.aggregate).toBe('incomplete');
    // The cycle does not multiply the dist: six is one component.
    expect(r.bom.components.filter((c) => c.name === 'six')).toHaveLength(1);
  });
});

describe('lenient-metadata.zip: read at least as leniently as the runtimes', () => {
  let r: Run;
  let dir: string;
  let purls: Set<string | undefined>;
  beforeAll(() => {
    r = sbom('lenient-metadata.zip');
    dir = unzipped('lenient-metadata.zip');
    purls = new Set(r.bom.components.map((c) => c.purl));
  });

  it('node loads a package.json with a byte order mark and refuses one with trailing text', () => {
    const ms = run(process.execPath, ['-e', "require('ms')"], join(dir, 'nodejs'));
    expect(ms.code).toBe(0);
    const debug = run(process.execPath, ['-e', "require('debug')"], join(dir, 'nodejs'));
    expect(debug.code).not.toBe(0);
    expect(purls.has('pkg:npm/ms@2.1.3')).toBe(true);
    // Identified anyway, with a warning that Node would not load it.
    expect(purls.has('pkg:npm/debug@4.3.4')).toBe(true);
    expect(
      findings(r.bom).some((f) => f.startsWith('PARSE_ERROR nodejs/node_modules/debug/'))
    ).toBe(true);
  });

  it('python reads CR-only and mixed line endings and stops at a malformed line; so does lamina', () => {
    const py = run(
      'python3',
      [
        '-c',
        "import sys; sys.path.insert(0, 'python'); import importlib.metadata as m; print(m.version('six'), m.version('jsonpointer'))",
      ],
      dir
    );
    expect(py).toEqual({ code: 0, out: '1.17.0 3.1.1\n' });
    expect(purls.has('pkg:pypi/six@1.17.0')).toBe(true);
    expect(purls.has('pkg:pypi/jsonpointer@3.1.1')).toBe(true);
  });

  it('continuation lines in pom.properties, a CRLF gemspec, a deps.json with a BOM and comments', () => {
    expect(purls.has('pkg:maven/commons-cli/commons-cli@1.5.0')).toBe(true);
    expect(purls.has('pkg:gem/rack@2.2.22')).toBe(true);
    expect([...purls].filter((p) => p?.startsWith('pkg:nuget/'))).toHaveLength(4);
  });
});

describe('ownership-claims.zip: metadata cannot claim what it does not install', () => {
  it('executables claimed by a RECORD, a deps.json and a gemspec stay unowned; an npm addon is owned', () => {
    const r = sbom('ownership-claims.zip');
    expect(r.code).toBe(0);
    const files = new Map(
      r.bom.components.filter((c) => c.type === 'file').map((c) => [c['bom-ref'], c])
    );
    for (const ref of [
      'file:bin/evil',
      'file:lib/libevil.so',
      'file:extensions/evil-ext',
      'file:lib/libnative.so',
      'file:bin/rackup',
    ]) {
      expect(prop(files.get(ref), 'lamina:unowned'), ref).toBe('true');
      expect(prop(files.get(ref), 'lamina:owned-by'), ref).toBeUndefined();
    }
    const claimed = findings(r.bom).filter((f) => f.startsWith('OWNERSHIP_CLAIM_IGNORED'));
    expect(claimed.map((f) => f.split(':')[0])).toEqual([
      'OWNERSHIP_CLAIM_IGNORED bin/evil',
      'OWNERSHIP_CLAIM_IGNORED extensions/evil-ext',
      'OWNERSHIP_CLAIM_IGNORED lib/libevil.so',
      'OWNERSHIP_CLAIM_IGNORED lib/libnative.so',
    ]);
    const addon = files.get(
      'file:nodejs/node_modules/bufferutil/prebuilds/linux-x64/node.napi.node'
    );
    expect(prop(addon, 'lamina:owned-by')).toBe('pkg:npm/bufferutil@4.0.8');
    expect(r.bom.compositions[0]?.aggregate).toBe('incomplete');
  });
});

describe('hostile-parsers.zip: bounded work, nothing dropped silently', () => {
  it('finishes with findings for what it could not read, and keeps what it could', () => {
    const r = sbom('hostile-parsers.zip');
    expect(r.code).toBe(0);
    const f = findings(r.bom).map((x) => x.split(' ')[0]);
    expect(f).toContain('PARSE_ERROR');
    expect(f).toContain('RECORD_HASH_MISMATCH');
    expect(f).toContain('PATH_TOO_LONG');
    const purls = r.bom.components.map((c) => c.purl);
    // A package 1,000 directories deep (within PATH_MAX) is still found.
    expect(purls).toContain('pkg:npm/x@1.0.0');
    expect(purls).toContain('pkg:pypi/slow@1.0');
    expect(r.bom.components.some((c) => c['bom-ref'] === 'file:lib/libslow.so')).toBe(true);
  });
});
