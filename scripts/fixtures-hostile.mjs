#!/usr/bin/env node
// Builds testdata/hostile-layers/*.zip: layers a runtime loads differently from a naive reader,
// each from real packages:
//   symlinked-packages.zip  a real pnpm install (debug, ms), a vendored npm package with a real
//                           prebuilt addon (bufferutil) behind a node_modules symlink, a symlinked
//                           package.json, dist-info directory, METADATA, jar, .so, bin/ script and
//                           extension
//   symlink-loops.zip       link cycles, a 41-link chain, a link to /tmp, a directory cycle
//   lenient-metadata.zip    real metadata as runtimes still read it: package.json with a BOM (and
//                           one with trailing text), METADATA with CR-only and mixed line endings
//                           and a malformed header, pom.properties and MANIFEST.MF with
//                           continuation lines, a CRLF gemspec, deps.json with a BOM, comments
//                           and trailing text
//   ownership-claims.zip    metadata claiming executables it does not own: a RECORD row
//                           `../bin/evil`, a deps.json asset `../../lib/libnative.so`, a gemspec's
//                           executables in a top-level bin/; and a real npm addon it does own
//   hostile-parsers.zip     inputs sized to make a quadratic parser hang (each entry under 1 MiB,
//                           so the archive itself is not refused)
// Real parts: the npm registry (pnpm 9, debug, ms, bufferutil), and the files of the other
// fixtures (python-basic, java-basic, ruby-basic, dotnet-basic, binary-basic), themselves built
// from real packages. Needs `unzip`. Deterministic: rerunning gives byte-identical zips.
// Usage: node scripts/fixtures-hostile.mjs
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryEntries, writeZip } from './lib/zipwriter.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const layers = join(repo, 'testdata/layers');
const out = join(repo, 'testdata/hostile-layers');
const PNPM = 'pnpm@9.15.9';

const work = mkdtempSync(join(tmpdir(), 'lamina-hostile-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** Write a file (creating directories), optionally with a mode. */
function put(root, rel, data, mode = 0o644) {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, data);
  chmodSync(abs, mode);
}

function link(root, rel, target) {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  symlinkSync(target, abs);
}

const fixture = (rel) => readFileSync(join(layers, rel));

/** Copy a tree, keeping only package.json, *.js and *.node files (and their directories). */
function copyPackage(from, to) {
  for (const name of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, name.name);
    const dst = join(to, name.name);
    if (name.isSymbolicLink())
      link(to, name.name, execFileSync('readlink', [src]).toString().trim());
    else if (name.isDirectory()) copyPackage(src, dst);
    else if (/^(package\.json|.*\.js|.*\.node|LICENSE)$/.test(name.name))
      put(to, name.name, readFileSync(src), 0o644);
  }
}

/**
 * Stage a case directory, zip it deterministically, and write it out. `build`
 * may return extra entries (paths too deep to create on disk).
 */
function emit(name, build) {
  const stage = join(work, name);
  mkdirSync(stage, { recursive: true });
  const extra = build(stage) ?? [];
  writeFileSync(join(out, `${name}.zip`), writeZip([...directoryEntries(stage), ...extra]));
  console.log(`wrote testdata/hostile-layers/${name}.zip`);
}

try {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // --- Real npm material: a pnpm install, and bufferutil's tarball (prebuilt linux-x64 addon).
  const pn = join(work, 'pnpm');
  put(pn, 'package.json', JSON.stringify({ name: 'layer', version: '1.0.0', private: true }));
  run(
    'npx',
    ['--yes', PNPM, 'add', 'debug@4.3.4', 'ms@2.1.3', '--ignore-scripts', '--reporter=silent'],
    pn
  );
  const packs = join(work, 'packs');
  mkdirSync(packs);
  run('npm', ['pack', 'bufferutil@4.0.8', '--silent'], packs);
  run('tar', ['xzf', 'bufferutil-4.0.8.tgz'], packs);
  const bufferutil = join(packs, 'package');
  // Keep the Linux addon only: the other platforms' prebuilds are not what Lambda loads.
  for (const d of readdirSync(join(bufferutil, 'prebuilds')))
    if (d !== 'linux-x64') rmSync(join(bufferutil, 'prebuilds', d), { recursive: true });

  const so = fixture('binary-basic/lib/libxshmfence.so.1');
  const script = fixture('binary-basic/bin/hello.sh');
  const jar = fixture('java-basic/java/lib/commons-cli-1.5.0.jar');
  const py = 'python-basic/python';

  emit('symlinked-packages', (root) => {
    // pnpm's own layout: node_modules/<name> -> .pnpm/<name>@<v>/node_modules/<name>.
    copyPackage(join(pn, 'node_modules'), join(root, 'nodejs/node_modules'));
    for (const f of ['.modules.yaml', '.pnpm/lock.yaml'])
      rmSync(join(root, 'nodejs/node_modules', f), { force: true });
    // A package kept outside node_modules, reached through a link (npm link, vendoring).
    copyPackage(bufferutil, join(root, 'vendor/bufferutil'));
    link(root, 'nodejs/node_modules/bufferutil', '../../vendor/bufferutil');
    // A package.json that is itself a link.
    put(root, 'meta/uuid.json', fixture('npm-basic/nodejs/node_modules/uuid/package.json'));
    link(root, 'nodejs/node_modules/uuid/package.json', '../../../meta/uuid.json');
    // Python: a dist-info directory and its module kept elsewhere, a METADATA that is a link.
    cpSync(join(layers, py, 'six-1.17.0.dist-info'), join(root, 'store/six-1.17.0.dist-info'), {
      recursive: true,
    });
    put(root, 'store/six.py', fixture(`${py}/six.py`));
    link(root, 'python/six-1.17.0.dist-info', '../store/six-1.17.0.dist-info');
    link(root, 'python/six.py', '../store/six.py');
    put(root, 'store/jsonpointer.METADATA', fixture(`${py}/jsonpointer-3.1.1.dist-info/METADATA`));
    put(root, 'python/jsonpointer.py', fixture(`${py}/jsonpointer.py`));
    link(root, 'python/jsonpointer-3.1.1.dist-info/METADATA', '../../store/jsonpointer.METADATA');
    // A jar under a name that is not a jar; the classpath sees java/lib/commons-cli.jar.
    put(root, 'store/cc.bin', jar);
    link(root, 'java/lib/commons-cli.jar', '../../store/cc.bin');
    // A library, a script on PATH and an extension, each reached only through a link.
    put(root, 'store/libxshmfence.so.1.0.0', so);
    link(root, 'lib/libxshmfence.so.1', '../store/libxshmfence.so.1.0.0');
    link(root, 'lib/libxshmfence.so', 'libxshmfence.so.1');
    put(root, 'store/hello.sh', script, 0o755);
    link(root, 'bin/hello', '../store/hello.sh');
    link(root, 'extensions/hello-ext', '../store/hello.sh');
  });

  emit('symlink-loops', (root) => {
    put(
      root,
      'nodejs/node_modules/ms/package.json',
      readFileSync(join(pn, 'node_modules/ms/package.json'))
    );
    link(root, 'nodejs/node_modules/a', 'b');
    link(root, 'nodejs/node_modules/b', 'a');
    put(root, 'store/end/package.json', readFileSync(join(pn, 'node_modules/debug/package.json')));
    link(root, 'chain/l0', '../store/end');
    for (let i = 1; i <= 40; i++) link(root, `chain/l${i}`, `l${i - 1}`);
    link(root, 'nodejs/node_modules/debug', '../../chain/l40');
    // /tmp is writable at run time: code placed there by a function would load through this.
    link(root, 'nodejs/node_modules/later', '/tmp/later');
    // A directory cycle around a real dist.
    cpSync(join(layers, py, 'six-1.17.0.dist-info'), join(root, 'python/six-1.17.0.dist-info'), {
      recursive: true,
    });
    put(root, 'python/six.py', fixture(`${py}/six.py`));
    link(root, 'python/again', '.');
  });

  emit('lenient-metadata', (root) => {
    const ms = readFileSync(join(pn, 'node_modules/ms/package.json'));
    put(
      root,
      'nodejs/node_modules/ms/package.json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ms])
    );
    put(
      root,
      'nodejs/node_modules/ms/index.js',
      readFileSync(join(pn, 'node_modules/ms/index.js'))
    );
    const debug = readFileSync(join(pn, 'node_modules/debug/package.json'));
    put(
      root,
      'nodejs/node_modules/debug/package.json',
      Buffer.concat([debug, Buffer.from('\n// trailing\n')])
    );
    const six = fixture(`${py}/six-1.17.0.dist-info/METADATA`).toString('utf8');
    put(root, 'python/six-1.17.0.dist-info/METADATA', six.replace(/\n/g, '\r'));
    put(root, 'python/six.py', fixture(`${py}/six.py`));
    const jp = fixture(`${py}/jsonpointer-3.1.1.dist-info/METADATA`).toString('utf8').split('\n');
    // Mixed endings, and a line Python's email parser takes for the start of the body.
    const at = jp.findIndex((l) => l.startsWith('Version:')) + 1;
    jp.splice(at, 0, 'not a header line');
    put(
      root,
      'python/jsonpointer-3.1.1.dist-info/METADATA',
      jp.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('')
    );
    put(root, 'python/jsonpointer.py', fixture(`${py}/jsonpointer.py`));
    // A jar whose pom.properties and manifest use continuation lines.
    const unzipP = (entry) =>
      execFileSync('unzip', [
        '-p',
        join(layers, 'java-basic/java/lib/commons-cli-1.5.0.jar'),
        entry,
      ]);
    const pom = unzipP('META-INF/maven/commons-cli/commons-cli/pom.properties').toString('latin1');
    const manifest = unzipP('META-INF/MANIFEST.MF').toString('latin1');
    const pomCont = pom
      .replace(/^artifactId=commons-cli$/m, 'artifactId=commons-\\\n    cli')
      .replace(/^version=(.*)$/m, 'version=\\\n  $1');
    put(
      root,
      'java/lib/commons-cli-1.5.0.jar',
      writeZip([
        { name: 'META-INF/MANIFEST.MF', data: manifest.replace(/\r?\n/g, '\r') },
        { name: 'META-INF/maven/commons-cli/commons-cli/pom.properties', data: pomCont },
        {
          name: 'org/apache/commons/cli/Option.class',
          data: unzipP('org/apache/commons/cli/Option.class'),
        },
      ])
    );
    const gemspec = fixture(
      'ruby-basic/ruby/gems/3.2.0/specifications/rack-2.2.22.gemspec'
    ).toString('utf8');
    put(root, 'ruby/gems/3.2.0/specifications/rack-2.2.22.gemspec', gemspec.replace(/\n/g, '\r\n'));
    const deps = fixture('dotnet-basic/dotnet/app/MyApp.deps.json').toString('utf8');
    put(
      root,
      'dotnet/app/MyApp.deps.json',
      `\ufeff// written by hand\n${deps.replace('{', '{ /* the host allows comments */')}\ntrailing text the host ignores\n`
    );
    for (const f of readdirSync(join(layers, 'dotnet-basic/dotnet/app')))
      if (f.endsWith('.dll')) put(root, `dotnet/app/${f}`, fixture(`dotnet-basic/dotnet/app/${f}`));
  });

  emit('ownership-claims', (root) => {
    // A RECORD in python/ with rows that climb into the layer's bin/, lib/ and extensions/.
    cpSync(join(layers, py, 'six-1.17.0.dist-info'), join(root, 'python/six-1.17.0.dist-info'), {
      recursive: true,
    });
    put(root, 'python/six.py', fixture(`${py}/six.py`));
    put(root, 'bin/evil', so, 0o755);
    put(root, 'lib/libevil.so', so);
    put(root, 'extensions/evil-ext', script, 0o755);
    const record = readFileSync(join(root, 'python/six-1.17.0.dist-info/RECORD'), 'utf8');
    put(
      root,
      'python/six-1.17.0.dist-info/RECORD',
      `${record}../bin/evil,,\n../lib/libevil.so,,\n../extensions/evil-ext,,\n`
    );
    // A deps.json whose native asset climbs out of the app directory.
    const deps = JSON.parse(fixture('dotnet-basic/dotnet/app/MyApp.deps.json').toString('utf8'));
    const target = deps.targets[deps.runtimeTarget.name];
    const app = Object.keys(target).find((k) => k.startsWith('MyApp/'));
    target[app].native = { '../../lib/libnative.so': {} };
    put(root, 'dotnet/app/MyApp.deps.json', JSON.stringify(deps, null, 2));
    put(root, 'lib/libnative.so', so);
    // A gemspec at the layer root: its executables would name bin/rackup.
    put(
      root,
      'specifications/rack-2.2.22.gemspec',
      fixture('ruby-basic/ruby/gems/3.2.0/specifications/rack-2.2.22.gemspec')
    );
    put(root, 'bin/rackup', so, 0o755);
    // A real npm package with a prebuilt addon: owned by it, and visible.
    copyPackage(bufferutil, join(root, 'nodejs/node_modules/bufferutil'));
  });

  emit('hostile-parsers', (root) => {
    const n = 60_000;
    put(
      root,
      'ruby/gems/3.2.0/specifications/slow-1.0.gemspec',
      `Gem::Specification.new do |s|\n${'  s.a = %q<\n'.repeat(n)}`
    );
    put(
      root,
      'python/slow-1.0.dist-info/METADATA',
      `Metadata-Version: 2.1\nName: slow\nVersion: 1.0\nDescription: x\n${' y\n'.repeat(3 * n)}`
    );
    put(root, 'python/slow.py', 'x = 1\n'.repeat(100_000));
    put(root, 'python/slow-1.0.dist-info/RECORD', `slow.py,sha256=AAAA,600000\n`.repeat(30_000));
    put(
      root,
      'nodejs/node_modules/deep/package.json',
      `{"name":"deep","version":"1.0.0","x":${'['.repeat(200_000)}`
    );
    put(
      root,
      'java/lib/slow-1.0.jar',
      writeZip([
        {
          name: 'META-INF/MANIFEST.MF',
          data: `Manifest-Version: 1.0\nImplementation-Title: slow\n${' x\n'.repeat(3 * n)}`,
        },
        {
          name: 'META-INF/maven/g/slow/pom.properties',
          data: `artifactId=slow\nversion=1.0\nx=${'\\\n'.repeat(3 * n)}`,
        },
        {
          name: 'META-INF/maven/g/slow/pom.xml',
          data: `<licenses>${'<license>'.repeat(n)}</licenses>`,
        },
      ])
    );
    // An ELF whose 12,000 sections all name one unterminated string table.
    const elf = Buffer.from(so);
    put(root, 'lib/libslow.so', hostileElf(elf));
    // Deep paths (too deep to stage on disk): one a runtime can open, one longer than PATH_MAX.
    const deep = (c, k) => Array.from({ length: k }, () => c).join('/');
    return [
      {
        name: `${deep('d', 1000)}/node_modules/x/package.json`,
        data: '{"name":"x","version":"1.0.0"}',
      },
      { name: `${deep('e', 2100)}/tool`, data: so, mode: 0o755 },
    ];
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * A 64-bit ELF: the real library's header, then 12,000 section headers whose
 * names all start at offset 0 of a string table with no NUL in it.
 */
function hostileElf(real) {
  const count = 12_000;
  const table = Buffer.alloc(64 * count);
  const strtab = Buffer.alloc(200_000, 0x41);
  const shoff = 64;
  const strOff = shoff + table.length;
  for (let i = 0; i < count; i++) {
    const o = i * 64;
    table.writeUInt32LE(0, o); // name offset
    table.writeUInt32LE(3, o + 4); // SHT_STRTAB
    table.writeBigUInt64LE(BigInt(strOff), o + 24);
    table.writeBigUInt64LE(BigInt(strtab.length), o + 32);
  }
  const header = Buffer.from(real.subarray(0, 64));
  header.writeBigUInt64LE(0n, 0x20); // e_phoff
  header.writeBigUInt64LE(BigInt(shoff), 0x28); // e_shoff
  header.writeUInt16LE(0, 0x38); // e_phnum
  header.writeUInt16LE(64, 0x3a); // e_shentsize
  header.writeUInt16LE(count, 0x3c); // e_shnum
  header.writeUInt16LE(1, 0x3e); // e_shstrndx
  return Buffer.concat([header, table, strtab]);
}
