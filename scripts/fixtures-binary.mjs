#!/usr/bin/env node
// Builds the binary-cataloger fixtures from real toolchains and real Debian files:
//   testdata/layers/binary-basic/   a Lambda layer tree with a Go extension, a Rust
//                                   program, a shell script and a Debian shared library
//   testdata/sources/binary/        what the tests compare against (tool output, JSON)
// Needs: go (Debian golang-go), cargo, objcopy, readelf, libxshmfence1 (Debian).
// Deterministic: builds use -trimpath / stripped release profiles and no timestamps
// are written. Run: node scripts/fixtures-binary.mjs
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'scripts/fixture-src/binary');
const layer = join(root, 'testdata/layers/binary-basic');
const expected = join(root, 'testdata/sources/binary');

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });

rmSync(layer, { recursive: true, force: true });
rmSync(expected, { recursive: true, force: true });
for (const d of ['bin', 'extensions', 'lib']) mkdirSync(join(layer, d), { recursive: true });
mkdirSync(expected, { recursive: true });

// Build outside the repo so Go does not stamp VCS info of the lamina checkout.
// A fixed path: cargo hashes source paths into symbol metadata, so a random temp
// dir would make every rebuild differ.
const work = join(tmpdir(), 'lamina-fixtures-binary');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
try {
  // --- Go: main module + local dependency wired with `replace` (offline build).
  cpSync(join(src, 'go'), join(work, 'go'), { recursive: true });
  const goOut = join(layer, 'extensions/goext');
  run('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', '-o', goOut, '.'], {
    cwd: join(work, 'go/goext'),
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOOS: 'linux', GOARCH: 'amd64' },
  });
  chmodSync(goOut, 0o755);
  // Reference output for the tests; the path prefix is the only machine-specific part.
  const goVersion = run('go', ['version', '-m', goOut]).replace(`${goOut}:`, 'extensions/goext:');
  writeFileSync(join(expected, 'goext.go-version-m.txt'), goVersion);

  // --- Rust: a tiny crate with a path dependency and a build dependency.
  cpSync(join(src, 'rust'), join(work, 'rust'), { recursive: true });
  run('cargo', ['build', '--release', '--offline', '--quiet'], {
    cwd: join(work, 'rust/rustbin'),
    // Strip the temp dir from paths rustc embeds so rebuilds are byte-identical.
    env: {
      ...process.env,
      CARGO_TARGET_DIR: join(work, 'target'),
      RUSTFLAGS: `--remap-path-prefix=${work}=/build`,
    },
  });
  // cargo-auditable is not installable offline (crates.io is unreachable), so the
  // audit section is injected exactly as it would write it: zlib-compressed JSON in
  // an ELF section named `.dep-v0`, mirroring this crate's Cargo.lock.
  // Schema: https://github.com/rust-secure-code/cargo-auditable/blob/master/cargo-auditable.schema.json
  const audit = {
    packages: [
      { name: 'rustbin', version: '0.3.1', source: 'local', dependencies: [1, 2], root: true },
      { name: 'rustbuildhelper', version: '0.1.0', source: 'local', kind: 'build' },
      { name: 'rustlib', version: '1.2.0', source: 'local' },
    ],
  };
  const auditJson = JSON.stringify(audit);
  writeFileSync(join(expected, 'rustbin.audit.json'), `${auditJson}\n`);
  const depFile = join(work, 'dep-v0.bin');
  writeFileSync(depFile, deflateSync(Buffer.from(auditJson), { level: 9 }));
  const rustOut = join(layer, 'bin/rustbin');
  run('objcopy', [
    '--add-section',
    `.dep-v0=${depFile}`,
    '--set-section-flags',
    '.dep-v0=noload,readonly',
    join(work, 'target/release/rustbin'),
    rustOut,
  ]);
  chmodSync(rustOut, 0o755);

  // --- A real shared library from Debian (libxshmfence1), named by its SONAME as
  // layers usually ship it.
  const so = join(layer, 'lib/libxshmfence.so.1');
  copyFileSync('/usr/lib/x86_64-linux-gnu/libxshmfence.so.1.0.0', so);
  chmodSync(so, 0o644);

  // --- A shell script in bin/ (it runs, so it is a file component too).
  const sh = join(layer, 'bin/hello.sh');
  writeFileSync(sh, '#!/bin/sh\necho "hello from a layer"\n');
  chmodSync(sh, 0o755);

  // readelf views the tests cross-check when readelf is not installed.
  for (const [name, p] of [
    ['goext', goOut],
    ['rustbin', rustOut],
    ['libxshmfence.so.1', so],
  ]) {
    writeFileSync(join(expected, `${name}.readelf-h.txt`), run('readelf', ['-h', '-W', p]));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`wrote ${layer} and ${expected}`);
