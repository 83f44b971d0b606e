#!/usr/bin/env node
// Builds testdata/layers/diff-old.zip and diff-new.zip: two versions of one layer, from the real
// package contents of the npm-basic, java-basic and binary-basic fixtures, with these changes from
// old to new (the package diff tests check exactly these):
//
//   npm  uuid 9.0.1 → 8.3.2        nodejs/node_modules/uuid replaced by nodejs/node20's uuid 8.3.2
//   npm  ms 2.1.3 removed          nodejs/node_modules/ms deleted (debug's nested ms 2.0.0 stays)
//   npm  chalk 4.1.2 and its 5 dependencies added (copied from nodejs/node20/node_modules)
//   jar  commons-cli 1.5.0 rebuilt: same version, different bytes (a zip comment added)
//   exe  bin/hello.sh changed (one line appended), lib/libxshmfence.so.1 removed,
//        bin/tool.sh added (a new shell script)
//
// The old layer is nodejs/ of npm-basic (without node20/), java/lib/commons-cli-1.5.0.jar and
// aopalliance-1.0.jar, bin/hello.sh and lib/libxshmfence.so.1. Deterministic.
// Usage: node scripts/fixtures-diff.mjs (after the npm, java and binary fixtures)
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from './lib/zipwriter.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const layers = join(root, 'testdata', 'layers');
const from = (...p) => join(layers, ...p);
for (const d of ['npm-basic', 'java-basic', 'binary-basic'])
  if (!existsSync(from(d))) throw new Error(`missing fixture ${from(d)}: run its script first`);

const copy = (src, dst) =>
  cpSync(src, dst, { recursive: true, verbatimSymlinks: true, force: true });

/** Append a zip comment: the end record's comment length (last 2 bytes of a comment-less zip). */
function withComment(zip, comment) {
  const c = Buffer.from(comment, 'latin1');
  const out = Buffer.concat([zip, c]);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 !== zip.length) throw new Error('expected a zip without a comment');
  out.writeUInt16LE(c.length, eocd + 20);
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'lamina-diff-'));
try {
  const old = join(work, 'old');
  mkdirSync(join(old, 'java', 'lib'), { recursive: true });
  mkdirSync(join(old, 'bin'), { recursive: true });
  mkdirSync(join(old, 'lib'), { recursive: true });
  copy(from('npm-basic', 'nodejs'), join(old, 'nodejs'));
  rmSync(join(old, 'nodejs', 'node20'), { recursive: true, force: true });
  for (const jar of ['commons-cli-1.5.0.jar', 'aopalliance-1.0.jar'])
    copy(from('java-basic', 'java', 'lib', jar), join(old, 'java', 'lib', jar));
  copy(from('binary-basic', 'bin', 'hello.sh'), join(old, 'bin', 'hello.sh'));
  copy(from('binary-basic', 'lib', 'libxshmfence.so.1'), join(old, 'lib', 'libxshmfence.so.1'));

  const neu = join(work, 'new');
  copy(old, neu);
  const nm = join(neu, 'nodejs', 'node_modules');
  const node20 = from('npm-basic', 'nodejs', 'node20', 'node_modules');
  rmSync(join(nm, 'uuid'), { recursive: true, force: true });
  copy(join(node20, 'uuid'), join(nm, 'uuid'));
  rmSync(join(nm, 'ms'), { recursive: true, force: true });
  for (const p of [
    'chalk',
    'ansi-styles',
    'supports-color',
    'has-flag',
    'color-convert',
    'color-name',
  ])
    copy(join(node20, p), join(nm, p));
  const jar = join(neu, 'java', 'lib', 'commons-cli-1.5.0.jar');
  writeFileSync(jar, withComment(readFileSync(jar), 'rebuilt'));
  appendFileSync(join(neu, 'bin', 'hello.sh'), 'echo "patched"\n');
  rmSync(join(neu, 'lib'), { recursive: true, force: true });
  writeFileSync(join(neu, 'bin', 'tool.sh'), '#!/bin/sh\necho "a new tool"\n', { mode: 0o755 });

  for (const [name, dir] of [
    ['diff-old.zip', old],
    ['diff-new.zip', neu],
  ]) {
    writeFileSync(join(layers, name), zipDirectory(dir));
    console.log(`wrote ${join(layers, name)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
