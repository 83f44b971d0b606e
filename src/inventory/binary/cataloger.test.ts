import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newPackage, type Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource } from '../../unpack/memory.js';
import { DEFAULT_LIMITS, type FileSource, type Limits } from '../../unpack/source.js';
import type { CatalogResult } from '../cataloger.js';
import { runCataloger } from '../cataloger.js';
import { binaryCataloger } from './cataloger.js';
import { BINARY_CATALOGER, isCandidate } from './globs.js';
import { CC, CORE_C, EXT_C, sharedObject } from './testing/cc.js';
import { buildElf } from './testing/elf-builder.js';

const LAYER = join(import.meta.dirname, '../../../testdata/layers/binary-basic');
const fixture = (rel: string): Buffer => readFileSync(join(LAYER, rel));
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

const byId = (r: CatalogResult): Map<string, Package> => new Map(r.packages.map((p) => [p.id, p]));

describe('binaryCataloger over testdata/layers/binary-basic', () => {
  let result: CatalogResult;
  let pkgs: Map<string, Package>;
  beforeAll(async () => {
    result = await run(await DirectorySource.open(LAYER));
    pkgs = byId(result);
  });

  it('reports no findings for well-formed binaries', () => {
    expect(result.findings).toEqual([]);
  });

  it('turns the Go extension into its modules, stdlib and edges', () => {
    const app = pkgs.get('golang:extensions/goext');
    expect(app).toMatchObject({
      type: 'application',
      ecosystem: 'golang',
      purl: 'pkg:golang/example.com/lamina/goext',
      hashes: { 'SHA-256': sha256(fixture('extensions/goext')) },
      owns: ['extensions/goext'],
      foundBy: BINARY_CATALOGER,
      locations: [{ path: 'extensions/goext', layerDigest: 'abc123' }],
    });
    expect(app?.properties).toMatchObject({
      'go:toolchain': expect.stringMatching(/^go1\.\d+/) as unknown,
      'go:version-raw': '(devel)',
      'go:build:GOOS': 'linux',
      'go:build:GOARCH': 'amd64',
      'lambda:extension': 'true',
      'binary:kind': 'executable',
    });
    expect(app?.version).toBeUndefined();
    const dep = pkgs.get('golang:extensions/goext#example.com/lamina/greet@v0.1.0');
    expect(dep?.purl).toBe('pkg:golang/example.com/lamina/greet@v0.1.0');
    // Replaced by a local directory: keeps the required version, records the replacement.
    expect(dep?.properties['go:replace']).toBe('../greet (devel)');
    const std = pkgs.get('golang:extensions/goext#stdlib');
    expect(std?.purl).toBe(`pkg:golang/stdlib@${app?.properties['go:toolchain']}`);
    expect(app?.dependsOn).toEqual([dep?.id, std?.id]);
  });

  it('turns the Rust program into crates from its audit data, without build-only deps', () => {
    const root = pkgs.get('cargo:bin/rustbin');
    expect(root).toMatchObject({
      type: 'application',
      purl: 'pkg:cargo/rustbin@0.3.1',
      hashes: { 'SHA-256': sha256(fixture('bin/rustbin')) },
      owns: ['bin/rustbin'],
    });
    const cargo = result.packages.filter((p) => p.ecosystem === 'cargo');
    expect(cargo.map((p) => p.purl).sort()).toEqual([
      'pkg:cargo/rustbin@0.3.1',
      'pkg:cargo/rustlib@1.2.0',
    ]);
    const lib = cargo.find((p) => p.name === 'rustlib');
    expect(root?.dependsOn).toEqual([lib?.id]);
  });

  it('records the unowned shared library and script as file components with their SHA-1 and SHA-256', () => {
    expect(pkgs.get('file:lib/libxshmfence.so.1')).toMatchObject({
      type: 'file',
      ecosystem: 'generic',
      name: 'libxshmfence.so.1',
      hashes: {
        'SHA-1': sha1(fixture('lib/libxshmfence.so.1')),
        'SHA-256': sha256(fixture('lib/libxshmfence.so.1')),
      },
      properties: {
        'binary:format': 'elf',
        'binary:kind': 'shared-library',
        'elf:type': 'DYN',
        'elf:machine': 'x86_64',
        'elf:soname': 'libxshmfence.so.1',
      },
    });
    expect(pkgs.get('file:lib/libxshmfence.so.1')?.purl).toBeUndefined();
    expect(pkgs.get('file:bin/hello.sh')).toMatchObject({
      type: 'file',
      hashes: {
        'SHA-1': sha1(fixture('bin/hello.sh')),
        'SHA-256': sha256(fixture('bin/hello.sh')),
      },
      properties: { 'binary:format': 'script', 'binary:kind': 'executable' },
    });
    expect(pkgs.get('file:lib/libxshmfence.so.1')?.properties['lambda:extension']).toBeUndefined();
  });

  it('ids are unique', () => {
    expect(new Set(result.packages.map((p) => p.id)).size).toBe(result.packages.length);
  });
});

describe('binaryCataloger ownership and edge cases', () => {
  const so = fixture('lib/libxshmfence.so.1');

  it('records owned ELF files too, each with its owner, and leaves the rest unowned', async () => {
    const src = new MemorySource('l', {
      'nodejs/node_modules/addon/build/Release/addon.node': so,
      'python/lib/python3.12/site-packages/x/_x.so': so,
      'nodejs/node_modules/other/bin/tool': { data: so, mode: 0o755 },
    });
    const earlier = [
      newPackage({
        id: 'npm:a',
        ecosystem: 'npm',
        name: 'addon',
        foundBy: 'npm',
        locations: [],
        owns: ['nodejs/node_modules/addon/'],
      }),
      newPackage({
        id: 'pypi:x',
        ecosystem: 'pypi',
        name: 'x',
        foundBy: 'py',
        locations: [],
        owns: ['python/lib/python3.12/site-packages/x/_x.so'],
      }),
    ];
    const r = await run(src, earlier);
    expect(r.packages.map((p) => [p.id, p.ownedBy, p.hashes['SHA-256']]).sort()).toEqual([
      ['file:nodejs/node_modules/addon/build/Release/addon.node', 'npm:a', sha256(so)],
      ['file:nodejs/node_modules/other/bin/tool', undefined, sha256(so)],
      ['file:python/lib/python3.12/site-packages/x/_x.so', 'pypi:x', sha256(so)],
    ]);
    expect(
      r.packages.find((p) => p.id === 'file:nodejs/node_modules/other/bin/tool')?.properties
    ).toMatchObject({ unowned: 'true' });
  });

  it('marks any top-level file in extensions/ as an extension, whatever its format', async () => {
    const src = new MemorySource('l', {
      'extensions/shell-ext': { data: '#!/bin/bash\nexec /opt/x\n', mode: 0o755 },
      'extensions/blob': 'not a program',
      'extensions/shell-ext-dir/helper.txt': 'data',
    });
    const r = await run(src);
    const p = byId(r);
    expect(p.get('file:extensions/shell-ext')?.properties).toMatchObject({
      'binary:format': 'script',
      'lambda:extension': 'true',
    });
    expect(p.get('file:extensions/blob')?.properties).toMatchObject({
      'binary:format': 'other',
      'lambda:extension': 'true',
    });
    expect(p.has('file:extensions/shell-ext-dir/helper.txt')).toBe(false);
  });

  it('ignores non-ELF, non-script files even when they are executable or under lib/', async () => {
    const src = new MemorySource('l', {
      'lib/readme.txt': 'hello',
      'python/x.py': { data: 'print(1)\n', mode: 0o755 },
      'nodejs/cli.js': { data: '#!/usr/bin/env node\n', mode: 0o755 },
      'readme.txt': 'not executable',
    });
    expect((await run(src)).packages).toEqual([]);
  });

  // Lambda execs /opt/bootstrap (custom runtimes) and the file AWS_LAMBDA_EXEC_WRAPPER names
  // (/opt/otel-instrument), PATH finds /opt/bin, and a shell runs an executable without `#!`.
  it('records every executable file directly in /opt or in bin/, with or without #!', async () => {
    const src = new MemorySource('l', {
      bootstrap: { data: '#!/bin/sh\nexec /opt/x\n', mode: 0o755 },
      'otel-instrument': { data: 'exec "$@"\n', mode: 0o700 },
      'bin/noshebang': { data: 'curl x | sh\n', mode: 0o755 },
      'store/run.sh': { data: '#!/bin/sh\n', mode: 0o755 },
      wrapper: { symlink: 'store/run.sh' },
    });
    const p = byId(await run(src));
    expect([...p.keys()].sort()).toEqual([
      'file:bin/noshebang',
      'file:bootstrap',
      'file:otel-instrument',
      'file:store/run.sh',
    ]);
    expect(p.get('file:bootstrap')?.properties).toEqual({
      'binary:format': 'script',
      'binary:kind': 'executable',
      unowned: 'true',
    });
    expect(p.get('file:otel-instrument')?.properties['binary:format']).toBe('other');
  });

  // Lambda's Python runtime calls site.addsitedir on python/ and python/lib/pythonX.Y/site-packages,
  // which executes every `import` line of their .pth files before the handler loads.
  it('records the .pth files of Lambda site directories, owned or not', async () => {
    const site = 'python/lib/python3.12/site-packages';
    const setuptools = newPackage({
      id: 'pypi:setuptools',
      ecosystem: 'pypi',
      name: 'setuptools',
      foundBy: 'python-installed',
      locations: [{ path: `${site}/setuptools-69.0.0.dist-info/METADATA`, layerDigest: 'abc123' }],
      owns: [`${site}/distutils-precedence.pth`],
      installDir: site,
    });
    const src = new MemorySource('l', {
      'python/evil.pth': 'import os; os.system("curl x")\n',
      [`${site}/paths.pth`]: '../../../../vendor\n',
      [`${site}/distutils-precedence.pth`]: 'import os; var = 1\n',
      'store/hook.txt': 'import hook\n',
      [`${site}/linked.pth`]: { symlink: '../../../../store/hook.txt' },
      [`${site}/pkg/nested.pth`]: 'import os\n',
      'python/lib/nosite.pth': 'import os\n',
      'nodejs/x.pth': 'import os\n',
    });
    const p = byId(await run(src, [setuptools]));
    expect([...p.keys()].sort()).toEqual([
      'file:python/evil.pth',
      `file:${site}/distutils-precedence.pth`,
      `file:${site}/paths.pth`,
      'file:store/hook.txt',
    ]);
    expect(p.get('file:python/evil.pth')?.properties).toEqual({
      'binary:format': 'pth',
      'binary:kind': 'executable',
      unowned: 'true',
    });
    expect(p.get(`file:${site}/distutils-precedence.pth`)?.ownedBy).toBe('pypi:setuptools');
    expect(p.get('file:store/hook.txt')?.properties['unowned']).toBe('true');
  });

  it('turns a malformed ELF into a finding and still records its hash', async () => {
    const truncated = so.subarray(0, 48);
    const pastEof = Buffer.from(so);
    pastEof.writeBigUInt64LE(BigInt(so.length + 4096), 0x28);
    const hugeCount = Buffer.from(so);
    hugeCount.writeUInt16LE(0xffff, 0x3c);
    const src = new MemorySource('l', {
      'lib/a.so': truncated,
      'lib/b.so': pastEof,
      'bin/c': { data: hugeCount, mode: 0o755 },
    });
    const r = await run(src);
    expect(r.findings.map((f) => [f.path, f.code])).toEqual([
      ['bin/c', 'PARSE_ERROR'],
      ['lib/a.so', 'PARSE_ERROR'],
      ['lib/b.so', 'PARSE_ERROR'],
    ]);
    const p = byId(r);
    expect(p.get('file:lib/a.so')?.hashes['SHA-256']).toBe(sha256(truncated));
    expect(p.get('file:lib/a.so')?.properties['binary:kind']).toBe('shared-library');
    expect(p.get('file:lib/b.so')?.hashes['SHA-256']).toBe(sha256(pastEof));
    expect(p.get('file:lib/b.so')?.properties['elf:type']).toBe('DYN');
    expect(p.get('file:bin/c')?.hashes['SHA-256']).toBe(sha256(hugeCount));
  });

  it('hashes an ELF over --max-nested-size by streaming, and says it was not inspected', async () => {
    const go = fixture('extensions/goext');
    const src = new MemorySource('l', { 'extensions/goext': { data: go, mode: 0o755 } });
    const r = await run(src, [], { ...DEFAULT_LIMITS, maxNestedSize: 1024 });
    expect(r.packages).toHaveLength(1);
    expect(r.packages[0]).toMatchObject({
      id: 'file:extensions/goext',
      hashes: { 'SHA-1': sha1(go), 'SHA-256': sha256(go) },
      properties: { 'binary:kind': 'executable', 'lambda:extension': 'true', 'elf:type': 'EXEC' },
    });
    expect(r.findings.map((f) => f.code)).toEqual(['BINARY_NOT_INSPECTED']);
  });
});

/** A synthetic Go ≥1.18 binary: inline version and module strings after the 32-byte header. */
function goBinary(version: string, modText: string): Buffer {
  const varstr = (b: Buffer): Buffer => {
    const len: number[] = [];
    for (let n = b.length; ; n >>= 7) {
      if (n < 0x80) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    return Buffer.concat([Buffer.from(len), b]);
  };
  const mod = modText
    ? Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(modText), Buffer.alloc(16, 0x31)])
    : Buffer.alloc(0);
  const h = Buffer.alloc(32);
  h.write('\xff Go buildinf:', 0, 'latin1');
  h.writeUInt8(8, 14);
  h.writeUInt8(2, 15);
  const data = Buffer.concat([h, varstr(Buffer.from(version)), varstr(mod)]);
  return buildElf({ sections: [{ name: '.go.buildinfo', data }] }).buf;
}

describe('binaryCataloger on Go build info variants', () => {
  it('reports a module-to-module replacement as the replacement, with its sum', async () => {
    const bin = goBinary(
      'go1.22.1 X:boringcrypto',
      'path\tex.com/app/cmd/app\nmod\tex.com/app\tv1.4.0\th1:main=\n' +
        'dep\tgithub.com/a/b\tv1.0.0\th1:orig=\n=>\tgithub.com/fork/b\tv1.0.1\th1:fork=\n'
    );
    const r = await run(new MemorySource('l', { 'bin/app': { data: bin, mode: 0o755 } }));
    const p = byId(r);
    const app = p.get('golang:bin/app');
    expect(app?.purl).toBe('pkg:golang/ex.com/app@v1.4.0');
    expect(app?.properties['go:toolchain']).toBe('go1.22.1 X:boringcrypto');
    const dep = p.get('golang:bin/app#github.com/fork/b@v1.0.1');
    expect(dep?.purl).toBe('pkg:golang/github.com/fork/b@v1.0.1');
    expect(dep?.properties).toMatchObject({
      'go:sum': 'h1:fork=',
      'go:replace': 'github.com/fork/b v1.0.1',
    });
    expect(p.get('golang:bin/app#stdlib')?.purl).toBe('pkg:golang/stdlib@go1.22.1');
  });

  it('names a Go binary without module info by its main package, with no purl', async () => {
    const bin = goBinary('go1.21.0', 'path\tgithub.com/x/tool\n');
    const r = await run(new MemorySource('l', { 'bin/tool': { data: bin, mode: 0o755 } }));
    const app = byId(r).get('golang:bin/tool');
    expect(app).toMatchObject({ type: 'application', name: 'tool', namespace: 'github.com/x' });
    expect(app?.purl).toBeUndefined();
    expect(app?.owns).toEqual(['bin/tool']);
    // The program owns its own file component.
    expect(r.packages.filter((p) => p.type === 'file').map((p) => [p.id, p.ownedBy])).toEqual([
      ['file:bin/tool', 'golang:bin/tool'],
    ]);
  });

  it('keeps a binary with broken Go build info as a file component, with a finding', async () => {
    const bin = goBinary('go1.22.1', 'path\tx\n=>\ta\tv1\th1:x\n');
    const r = await run(new MemorySource('l', { 'bin/bad': { data: bin, mode: 0o755 } }));
    expect(r.findings.map((f) => f.code)).toEqual(['PARSE_ERROR']);
    expect(r.packages.map((p) => p.id)).toEqual(['file:bin/bad']);
  });
});

describe('isCandidate', () => {
  const e = (path: string, mode = 0o644) => ({
    path,
    kind: 'file' as const,
    size: 1,
    compressedSize: 1,
    mode,
  });
  it('selects by exec bit, library name, or top-level bin/lib/extensions', () => {
    expect(isCandidate(e('a/b', 0o755))).toBe(true);
    expect(isCandidate(e('nodejs/node_modules/x/y.node'))).toBe(true);
    expect(isCandidate(e('python/x/_y.cpython-312-x86_64-linux-gnu.so'))).toBe(true);
    expect(isCandidate(e('python/x/libz.so.1.2.13'))).toBe(true);
    expect(isCandidate(e('lib/anything'))).toBe(true);
    expect(isCandidate(e('python/x.py'))).toBe(false);
    expect(isCandidate(e('python/x.pth'))).toBe(true);
    expect(isCandidate(e('python/lib/python3.9/site-packages/x.pth'))).toBe(true);
    expect(isCandidate(e('python/lib/python3.9/site-packages/x/y.pth'))).toBe(false);
    expect(isCandidate(e('nodejs/lib/x.js'))).toBe(false);
  });
});

function run(
  source: FileSource,
  earlier: Package[] = [],
  limits: Limits = DEFAULT_LIMITS
): Promise<CatalogResult> {
  return runCataloger(binaryCataloger, source, { earlier, limits, layerDigest: 'abc123' });
}

describe('binaryCataloger on an image root', () => {
  const script = Buffer.from('#!/bin/sh\necho hi\n');
  const files = {
    'opt/extensions/ext': { data: script, mode: 0o644 },
    'opt/bin/tool': { data: script, mode: 0o644 },
    'extensions/notext': { data: script, mode: 0o644 },
    'bin/plain': { data: script, mode: 0o644 },
    'usr/local/bin/run': { data: script, mode: 0o755 },
    'opt/bootstrap': { data: script, mode: 0o755 },
    bootstrap: { data: script, mode: 0o755 },
  };

  it("treats /opt's bin/ and extensions/ as Lambda does, and the image root's own bin/ as an ordinary directory", async () => {
    const r = await runCataloger(binaryCataloger, new MemorySource('img', files), {
      root: 'image',
    });
    const p = byId(r);
    expect([...p.keys()].sort()).toEqual([
      'file:opt/bin/tool',
      'file:opt/bootstrap',
      'file:opt/extensions/ext',
    ]);
    expect(p.get('file:opt/extensions/ext')?.properties['lambda:extension']).toBe('true');
    expect(p.get('file:opt/bin/tool')?.properties['lambda:extension']).toBeUndefined();
  });

  it('in a layer the same top-level names are /opt itself', async () => {
    const r = await runCataloger(binaryCataloger, new MemorySource('l', files));
    const p = byId(r);
    expect(p.get('file:extensions/notext')?.properties['lambda:extension']).toBe('true');
    expect(p.has('file:bin/plain')).toBe(true);
    expect(p.has('file:opt/extensions/ext')).toBe(false);
    expect(p.has('file:bootstrap')).toBe(true);
    expect(p.has('file:opt/bootstrap')).toBe(false);
    expect(p.has('file:usr/local/bin/run')).toBe(false);
  });
});

describe.skipIf(!CC)('binaryCataloger: what the loader loads for DT_NEEDED', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-needed-cat-'));
  // No SONAME: linked by absolute path, the object needs that path; `./` keeps it relative.
  const abs = join(dir, 'payload.bin');
  sharedObject(dir, 'payload.bin', CORE_C('payload'));
  const byAbs = readFileSync(sharedObject(dir, 'abs.so', EXT_C, [abs]));
  const byRel = readFileSync(sharedObject(dir, 'rel.so', EXT_C, ['./payload.bin']));
  const payload = readFileSync(abs);
  // A chain: mid.dat (found by RUNPATH) needs deep.dat (found by mid.dat's own RUNPATH).
  sharedObject(dir, 'deep.dat', CORE_C('deep'), ['-Wl,-soname,deep.dat']);
  const mid = readFileSync(
    sharedObject(dir, 'mid.dat', EXT_C, [
      '-Wl,--no-as-needed',
      './deep.dat',
      '-Wl,-soname,mid.dat,--enable-new-dtags,-rpath,$ORIGIN/deeper',
    ])
  );
  const top = readFileSync(
    sharedObject(dir, 'top.so', EXT_C, [
      '-Wl,--no-as-needed',
      './mid.dat',
      '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../share',
    ])
  );

  it('in an image, an absolute DT_NEEDED naming a 0644 file is read and listed unowned', async () => {
    const r = await runCataloger(
      binaryCataloger,
      new MemorySource('img', {
        'usr/local/bin/app.so': { data: byAbs, mode: 0o755 },
        [abs.slice(1)]: { data: payload, mode: 0o644 },
      }),
      { root: 'image' }
    );
    const p = byId(r).get(`file:${abs.slice(1)}`);
    expect(p?.properties).toMatchObject({
      'binary:kind': 'shared-library',
      unowned: 'true',
      'elf:needed-by': 'usr/local/bin/app.so',
    });
    expect(p?.hashes['SHA-256']).toBe(sha256(payload));
    expect(r.findings).toEqual([]);
  });

  it("in an image, a DT_NEEDED name unlike a library's is found wherever the image holds it", async () => {
    // No RUNPATH: the loader finds deep.dat in the image's LD_LIBRARY_PATH or /usr/lib64.
    const plain = readFileSync(
      sharedObject(dir, 'plain.so', EXT_C, ['-Wl,--no-as-needed', './deep.dat'])
    );
    const deep = readFileSync(join(dir, 'deep.dat'));
    const r = await runCataloger(
      binaryCataloger,
      new MemorySource('img', {
        'usr/local/bin/app.so': { data: plain, mode: 0o755 },
        'usr/lib64/deep.dat': { data: deep, mode: 0o644 },
      }),
      { root: 'image' }
    );
    expect(byId(r).get('file:usr/lib64/deep.dat')?.properties).toMatchObject({
      unowned: 'true',
      'elf:needed-by': 'usr/local/bin/app.so',
    });
  });

  it('follows what a loaded library loads in turn, each from its own $ORIGIN', async () => {
    const r = await run(
      new MemorySource('l', {
        'python/top.so': { data: top, mode: 0o755 },
        'share/mid.dat': { data: mid, mode: 0o644 },
        'share/deeper/deep.dat': { data: readFileSync(join(dir, 'deep.dat')), mode: 0o644 },
      })
    );
    const p = byId(r);
    expect(p.get('file:share/mid.dat')?.properties['elf:needed-by']).toBe('python/top.so');
    expect(p.get('file:share/deeper/deep.dat')?.properties['elf:needed-by']).toBe('share/mid.dat');
    expect(r.findings).toEqual([]);
  });

  it("searches a loader's DT_RPATH for what a library it loads needs, even a library read by its name", async () => {
    // ext.so (DT_RPATH $ORIGIN/../../share/blobs) needs libmid.so beside it, a library by name
    // with no search path of its own, which needs core.dat: found in ext.so's DT_RPATH.
    sharedObject(dir, 'core.dat', CORE_C('core'), ['-Wl,-soname,core.dat']);
    const libmid = readFileSync(
      sharedObject(dir, 'libmid.so', EXT_C, [
        '-Wl,--no-as-needed',
        './core.dat',
        '-Wl,-soname,libmid.so',
      ])
    );
    const ext = readFileSync(
      sharedObject(dir, 'ext.so', EXT_C, [
        '-Wl,--no-as-needed',
        './libmid.so',
        '-Wl,--disable-new-dtags,-rpath,$ORIGIN/../../share/blobs:$ORIGIN',
      ])
    );
    const r = await run(
      new MemorySource('l', {
        'python/pkg/ext.so': { data: ext, mode: 0o755 },
        'python/pkg/libmid.so': { data: libmid, mode: 0o644 },
        'share/blobs/core.dat': { data: readFileSync(join(dir, 'core.dat')), mode: 0o644 },
      })
    );
    const p = byId(r);
    expect(p.get('file:share/blobs/core.dat')?.properties['elf:needed-by']).toBe(
      'python/pkg/libmid.so'
    );
    expect(r.findings).toEqual([]);
  });

  it('a DT_NEEDED relative to the working directory is an error finding on the object', async () => {
    const r = await run(
      new MemorySource('l', {
        'python/x/rel.so': { data: byRel, mode: 0o755 },
        'python/x/payload.bin': { data: payload, mode: 0o644 },
      })
    );
    expect(r.findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['LIBRARY_NOT_RESOLVED', 'error', 'python/x/rel.so'],
    ]);
    expect(r.findings[0]?.message).toContain('"./payload.bin" is relative');
  });
});
