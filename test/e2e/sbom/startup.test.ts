import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';
import { loadedModules, MODULES_PRELOAD, type LoadedModules } from '../helpers/modules.js';

// Start-up cost is measured by `npm run bench:startup`; these tests hold the structure that
// keeps it low: a command loads only the packages it needs.
const PRELOAD = MODULES_PRELOAD;
const LAYER = join(REPO_ROOT, 'testdata', 'layers', 'sample-layer.zip');
const dir = mkdtempSync(join(tmpdir(), 'lamina-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;

/**
 * The npm packages (by name) the built CLI loaded for `argv`, lamina's own modules it loaded
 * (paths under dist/, such as `src/inventory/java/cataloger.js`), and its exit code.
 */
function packagesLoaded(
  argv: string[],
  nodeArgs: string[] = []
): LoadedModules & { code: number; stdout: string; stderr: string } {
  const log = join(dir, `esm-${runs++}.log`);
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', PRELOAD, BUILT_CLI, ...argv], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LAMINA_TEST_ESM_LOG: log },
  });
  return {
    code: r.status ?? -1,
    ...loadedModules(r.stderr, log),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** Each cataloger's parsers, by cataloger: what a layer loads only when it holds their files. */
const CATALOGER_MODULES = {
  dpkg: 'src/inventory/os/dpkg.js',
  apk: 'src/inventory/os/apk.js',
  rpm: 'src/inventory/os/rpm.js',
  npm: 'src/inventory/npm/cataloger.js',
  native: 'src/inventory/native/cataloger.js',
  python: 'src/inventory/python/cataloger.js',
  java: 'src/inventory/java/cataloger.js',
  ruby: 'src/inventory/ruby/cataloger.js',
  dotnet: 'src/inventory/dotnet/cataloger.js',
  binary: 'src/inventory/binary/cataloger.js',
};
type CatalogerName = keyof typeof CATALOGER_MODULES;

/** The catalogers whose parsers a run loaded. */
function catalogersLoaded(modules: Set<string>): CatalogerName[] {
  return (Object.keys(CATALOGER_MODULES) as CatalogerName[]).filter((c) =>
    modules.has(CATALOGER_MODULES[c])
  );
}

const PACKAGE_JSON = JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'MIT' });
const JAR = readFileSync(
  join(REPO_ROOT, 'testdata', 'layers', 'java-basic', 'java', 'lib', 'atinject-jsr330-api-1.0.jar')
);

const NOT_FOR_A_LAYER_SBOM = [
  '@aws-sdk/client-ecr',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-signer',
  '@aws-sdk/client-sts',
  '@sigstore/verify',
  '@sigstore/bundle',
  'better-sqlite3',
  'ajv',
  // lamina writes purls with its own encoder (inventory/purl.ts); packageurl-js parses policies.
  'packageurl-js',
];

/**
 * lamina's modules a zip layer's CycloneDX SBOM does not need: the SPDX writer, the directory
 * reader, the image reference parser, the AWS profile reader, the SBOM reader.
 */
const NOT_FOR_A_ZIP_CYCLONEDX_SBOM = [
  'src/sbom/spdx.js',
  'src/unpack/directory.js',
  'src/fetch/image/reference.js',
  'src/fetch/aws/clients.js',
  'src/sbom/read.js',
];

/** What writes CycloneDX XML: the library's XML serializer requires them as it loads. */
const XML_WRITER = ['xmlbuilder2', 'js-yaml', '@oozcitak/dom'];
const GOLDEN = join(REPO_ROOT, 'testdata', 'golden');
// Makes the library's XML serializer module unloadable (a stand-in for a broken install).
const NO_XML_SERIALIZER = join(REPO_ROOT, 'test', 'e2e', 'sbom', 'no-xml-serializer.mjs');

describe('lamina sbom start-up', () => {
  it('a layer zip loads the CycloneDX writer but no AWS SDK, Sigstore, SQLite or validator', () => {
    const { code, packages } = packagesLoaded(['sbom', LAYER, '-o', join(dir, 'a.cdx.json')]);
    expect(code).toBe(0);
    expect(packages).toContain('@cyclonedx/cyclonedx-library');
    expect(NOT_FOR_A_LAYER_SBOM.filter((p) => packages.has(p))).toEqual([]);
  });

  it('a layer zip loads its CommonJS packages with require, none as an ES module', () => {
    // Importing CommonJS from an ES module costs a second parse of it (util/cjs.ts).
    const r = packagesLoaded(['sbom', LAYER, '-o', join(dir, 'cjs.cdx.json')]);
    expect(r.code).toBe(0);
    expect(r.packages).toContain('picomatch');
    expect(r.esmPackages).toEqual([]);
  });

  it('JSON output loads no XML writer, and is the golden SBOM byte for byte', () => {
    const r = packagesLoaded(['sbom', LAYER, '--format', 'cyclonedx-json', '--quiet']);
    expect(r.code).toBe(0);
    expect(XML_WRITER.filter((p) => r.packages.has(p))).toEqual([]);
    // Nor the library's XML normalizer and serializer.
    const library = r.files.filter((f) => f.includes('/@cyclonedx/cyclonedx-library/'));
    expect(library).toContainEqual(expect.stringMatching(/\/serialize\/jsonSerializer\.js$/));
    expect(library.filter((f) => /\/serialize\/(xml|index)/i.test(f))).toEqual([]);
    expect(r.stdout).toBe(readFileSync(join(GOLDEN, 'sample-layer.cdx.json'), 'utf8'));
  });

  it('XML output loads the XML writer when it is asked for, and is the golden SBOM', () => {
    const r = packagesLoaded(['sbom', LAYER, '--format', 'cyclonedx-xml', '--quiet']);
    expect(r.code).toBe(0);
    expect(XML_WRITER.filter((p) => r.packages.has(p))).toEqual(XML_WRITER);
    expect(r.files).toContainEqual(expect.stringMatching(/\/serialize\/xml\/normalize\.js$/));
    expect(r.stdout).toBe(readFileSync(join(GOLDEN, 'sample-layer.cdx.xml'), 'utf8'));
  });

  it('an XML writer that cannot load fails the command and writes no file; JSON is unaffected', () => {
    const xml = join(dir, 'broken.cdx.xml');
    const broken = packagesLoaded(
      ['sbom', LAYER, '-o', `cyclonedx-xml=${xml}`],
      ['--import', NO_XML_SERIALIZER]
    );
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(/^lamina: .*'\.\/xmlSerializer\.node'/m);
    expect(existsSync(xml)).toBe(false);
    const json = join(dir, 'unbroken.cdx.json');
    const ok = packagesLoaded(['sbom', LAYER, '-o', json], ['--import', NO_XML_SERIALIZER]);
    expect(ok.code).toBe(0);
    expect(readFileSync(json, 'utf8')).toBe(
      readFileSync(join(GOLDEN, 'sample-layer.cdx.json'), 'utf8')
    );
  });

  it('a one-file npm zip loads the npm cataloger and no other cataloger', () => {
    const zip = join(dir, 'one-file.zip');
    writeFileSync(
      zip,
      writeZip([{ name: 'nodejs/node_modules/left-pad/package.json', data: PACKAGE_JSON }])
    );
    const { code, modules } = packagesLoaded(['sbom', zip, '-o', join(dir, 'one.cdx.json')]);
    expect(code).toBe(0);
    // The light part every run needs: each cataloger's name and globs.
    expect(modules).toContain('src/inventory/java/globs.js');
    expect(catalogersLoaded(modules)).toEqual(['npm']);
    // A function's merged view is not a layer's.
    expect([...modules].filter((m) => m.startsWith('src/merge/'))).toEqual([]);
    // Nor what other inputs, formats and commands need.
    expect(NOT_FOR_A_ZIP_CYCLONEDX_SBOM.filter((m) => modules.has(m))).toEqual([]);
  });

  it('what a zip to CycloneDX does not load still loads for its own input or format', () => {
    const spdx = packagesLoaded(['sbom', LAYER, '-o', `spdx-json=${join(dir, 'a.spdx.json')}`]);
    expect(spdx.code).toBe(0);
    expect(spdx.modules).toContain('src/sbom/spdx.js');
    expect(JSON.parse(readFileSync(join(dir, 'a.spdx.json'), 'utf8'))).toMatchObject({
      spdxVersion: 'SPDX-2.3',
    });
    const layerDir = join(dir, 'unzipped');
    mkdirSync(join(layerDir, 'nodejs', 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(
      join(layerDir, 'nodejs', 'node_modules', 'left-pad', 'package.json'),
      PACKAGE_JSON
    );
    const fromDir = packagesLoaded(['sbom', layerDir, '-o', join(dir, 'dir.cdx.json')]);
    expect(fromDir.code).toBe(0);
    expect(fromDir.modules).toContain('src/unpack/directory.js');
    expect(fromDir.modules).toContain('src/fetch/image/reference.js');
    expect(readFileSync(join(dir, 'dir.cdx.json'), 'utf8')).toContain('pkg:npm/left-pad@1.3.0');
  });

  it('a jar loads the Java cataloger; a file that could run loads the binary one', () => {
    const zip = join(dir, 'npm-and-jar.zip');
    writeFileSync(
      zip,
      writeZip([
        { name: 'java/lib/atinject-jsr330-api-1.0.jar', data: JAR },
        { name: 'nodejs/node_modules/left-pad/package.json', data: PACKAGE_JSON },
      ])
    );
    const jar = packagesLoaded(['sbom', zip, '-o', join(dir, 'jar.cdx.json')]);
    expect(jar.code).toBe(0);
    expect(catalogersLoaded(jar.modules)).toEqual(['npm', 'java']);
    // Loaded on demand, the parsers still ran: the jar is in the SBOM.
    expect(readFileSync(join(dir, 'jar.cdx.json'), 'utf8')).toContain(
      'pkg:maven/atinject-jsr330-api/atinject-jsr330-api@1.0.0'
    );

    const withBin = join(dir, 'npm-and-script.zip');
    writeFileSync(
      withBin,
      writeZip([
        { name: 'bin/hello', data: '#!/bin/sh\necho hello\n', mode: 0o755 },
        { name: 'nodejs/node_modules/left-pad/package.json', data: PACKAGE_JSON },
      ])
    );
    const bin = packagesLoaded(['sbom', withBin, '-o', join(dir, 'bin.cdx.json')]);
    expect(bin.code).toBe(0);
    expect(catalogersLoaded(bin.modules)).toEqual(['npm', 'binary']);
    expect(readFileSync(join(dir, 'bin.cdx.json'), 'utf8')).toContain('"/opt/bin/hello"');
  });

  it('a layer of many ecosystems loads the cataloger of each it holds, and no other', () => {
    const { code, modules } = packagesLoaded(['sbom', LAYER, '-o', join(dir, 'all.cdx.json')]);
    expect(code).toBe(0);
    expect(catalogersLoaded(modules)).toEqual([
      'npm',
      'python',
      'java',
      'ruby',
      'dotnet',
      'binary',
    ]);
  });

  it('--help and usage errors load no npm package at all', () => {
    for (const argv of [['sbom', '--help'], ['sbom'], ['--help'], ['no-such-command']]) {
      const { code, packages } = packagesLoaded(argv);
      expect([argv, code === 0 || code === 2]).toEqual([argv, true]);
      expect([argv, [...packages]]).toEqual([argv, []]);
    }
  });
});
