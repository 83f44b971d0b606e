#!/usr/bin/env node
// Builds testdata/layers/npm-basic: a Lambda layer tree with real npm packages.
//
//   nodejs/                  npm install of @middy/core, axios, uuid, ms@2.1.3 and debug@2.6.9
//                            (debug needs ms@2.0.0, so a nested node_modules/debug/node_modules/ms
//                            appears); keeps package.json, package-lock.json and the hidden
//                            node_modules/.package-lock.json
//   nodejs/node20/           npm install of chalk@4.1.2 and uuid@8.3.2 with BOTH lockfiles removed,
//                            so edges must come from package.json dependency fields
//
// Only package.json files, lockfiles, LICENSE files, small `bin` scripts (and their .bin links)
// are copied, so the checked-in tree stays small. Needs the npm registry.
// Usage: node scripts/fixtures-npm.mjs
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'testdata/layers/npm-basic');
// Versions actually installed (transitive ones float with the registry), outside the layer tree.
const versionsFile = join(repo, 'testdata/sources/npm/npm-basic-versions.txt');

const INSTALLS = [
  {
    dir: 'nodejs',
    specs: ['@middy/core@5.4.0', 'axios@1.7.7', 'uuid@9.0.1', 'ms@2.1.3', 'debug@2.6.9'],
    keepLockfiles: true,
  },
  { dir: 'nodejs/node20', specs: ['chalk@4.1.2', 'uuid@8.3.2'], keepLockfiles: false },
];

/** Small real files worth keeping besides package.json (license texts, bin scripts). */
const MAX_EXTRA = 4096;

function install(work, { dir, specs }) {
  const root = join(work, dir);
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'layer', version: '1.0.0', private: true }, null, 2) + '\n'
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', ...specs],
    { cwd: root, stdio: 'inherit' }
  );
}

/** Package dirs under a node_modules dir, any depth, scoped or not. */
function packageDirs(nm) {
  const found = [];
  if (!existsSync(nm)) return found;
  for (const name of readdirSync(nm).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(nm, name);
    if (name.startsWith('@')) {
      for (const sub of readdirSync(p).sort()) found.push(...withNested(join(p, sub)));
    } else found.push(...withNested(p));
  }
  return found;
}

function withNested(pkgDir) {
  if (!existsSync(join(pkgDir, 'package.json'))) return [];
  return [pkgDir, ...packageDirs(join(pkgDir, 'node_modules'))];
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

const work = mkdtempSync(join(tmpdir(), 'lamina-npm-fixture-'));
try {
  rmSync(out, { recursive: true, force: true });
  const manifest = [];
  for (const inst of INSTALLS) {
    install(work, inst);
    const root = join(work, inst.dir);
    const dest = join(out, inst.dir);
    copy(join(root, 'package.json'), join(dest, 'package.json'));
    if (inst.keepLockfiles) {
      copy(join(root, 'package-lock.json'), join(dest, 'package-lock.json'));
      copy(
        join(root, 'node_modules/.package-lock.json'),
        join(dest, 'node_modules/.package-lock.json')
      );
    }
    for (const pkgDir of packageDirs(join(root, 'node_modules'))) {
      const rel = relative(work, pkgDir);
      const pj = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      manifest.push(`${rel} ${pj.name}@${pj.version}`);
      copy(join(pkgDir, 'package.json'), join(out, rel, 'package.json'));
      for (const f of readdirSync(pkgDir)) {
        if (/^licen[cs]e/i.test(f) && statSync(join(pkgDir, f)).size <= MAX_EXTRA)
          copy(join(pkgDir, f), join(out, rel, f));
      }
      const bins = typeof pj.bin === 'string' ? [pj.bin] : Object.values(pj.bin ?? {});
      for (const b of bins) {
        const p = join(pkgDir, b);
        if (existsSync(p) && statSync(p).size <= MAX_EXTRA) copy(p, join(out, rel, b));
      }
    }
    // Keep the .bin links whose targets were copied (the binary cataloger checks ownership).
    const binDir = join(root, 'node_modules/.bin');
    if (existsSync(binDir)) {
      for (const name of readdirSync(binDir).sort()) {
        const link = join(binDir, name);
        if (!lstatSync(link).isSymbolicLink()) continue;
        const target = readlinkSync(link);
        const destLink = join(dest, 'node_modules/.bin', name);
        if (!existsSync(join(dirname(destLink), target))) continue;
        mkdirSync(dirname(destLink), { recursive: true });
        symlinkSync(target, destLink);
      }
    }
  }
  mkdirSync(dirname(versionsFile), { recursive: true });
  writeFileSync(versionsFile, manifest.sort().join('\n') + '\n');
  console.log(`wrote ${out} (${manifest.length} packages)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
