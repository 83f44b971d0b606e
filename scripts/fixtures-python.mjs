#!/usr/bin/env node
// Builds testdata/layers/python-basic from real installed Python packages:
//
//   python/                                  (pip install -t python layout)
//     six, rfc3339-validator (Requires-Dist: six), jsonpointer   dist-info + RECORD files
//     wsgiref.egg-info                                           single-FILE egg-info (Python 2.7 stdlib)
//   python/lib/python3.11/site-packages/
//     jsonpatch (Requires-Dist: jsonpointer, installed one site dir up), typing-inspect
//     (Requires-Dist: mypy-extensions, typing-extensions [not installed], typing [marker]),
//     mypy-extensions, iniconfig                                 dist-info + RECORD files
//     xmltodict-0.13.0.egg-info                                  egg-info DIRECTORY (Debian python3-xmltodict)
//   python/bin/jsonpatch, python/bin/jsondiff                    scripts listed as ../../../bin/x in RECORD
//
// Every file a RECORD lists with a hash is copied byte for byte, so RECORD hashes hold; .pyc files
// (listed without a hash) are left out. Sources: the local pyenv site-packages and Debian's
// /usr/lib/python3/dist-packages (apt-get install python3-xmltodict).
// Usage: node scripts/fixtures-python.mjs
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'testdata/layers/python-basic');
const PYENV = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages';
const PY27 = '/root/.pyenv/versions/2.7.18/lib/python2.7';
const DEBIAN = '/usr/lib/python3/dist-packages';

const TOP = 'python';
const SITE = 'python/lib/python3.11/site-packages';

const DIST_INFOS = [
  [TOP, 'six-1.17.0.dist-info'],
  [TOP, 'rfc3339_validator-0.1.4.dist-info'],
  [TOP, 'jsonpointer-3.1.1.dist-info'],
  [SITE, 'jsonpatch-1.33.dist-info'],
  [SITE, 'typing_inspect-0.9.0.dist-info'],
  [SITE, 'mypy_extensions-1.1.0.dist-info'],
  [SITE, 'iniconfig-2.3.0.dist-info'],
];

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

/** RECORD rows are `path,hash,size`; a path holding a comma is quoted (csv module). */
function recordPaths(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const m = /^"((?:[^"]|"")*)",([^,]*),/.exec(line) ?? /^([^,]*),([^,]*),/.exec(line);
    if (m) rows.push({ path: m[1].replaceAll('""', '"'), hash: m[2] });
  }
  return rows;
}

rmSync(out, { recursive: true, force: true });
const layerRoot = out;
for (const [site, distInfo] of DIST_INFOS) {
  const siteOut = join(out, site);
  const record = readFileSync(join(PYENV, distInfo, 'RECORD'), 'utf8');
  // RECORD itself has no hash; copy the dist-info dir whole (small: METADATA, WHEEL, licenses).
  cpSync(join(PYENV, distInfo), join(siteOut, distInfo), { recursive: true });
  for (const { path, hash } of recordPaths(record)) {
    if (!hash || path.startsWith(`${distInfo}/`)) continue;
    const dest = normalize(join(siteOut, path));
    // pip installs scripts at ../../../bin relative to site-packages; keep only those that
    // land inside the layer (for the top-level python/ dir they would not).
    if (relative(layerRoot, dest).startsWith('..')) continue;
    copy(join(PYENV, path), dest);
  }
}

// Egg-info directory from Debian (distutils/setuptools "develop"-less install) plus its module.
cpSync(join(DEBIAN, 'xmltodict-0.13.0.egg-info'), join(out, SITE, 'xmltodict-0.13.0.egg-info'), {
  recursive: true,
});
copy(join(DEBIAN, 'xmltodict.py'), join(out, SITE, 'xmltodict.py'));

// Single-file egg-info (distutils install_egg_info writes PKG-INFO content as a plain file).
copy(join(PY27, 'wsgiref.egg-info'), join(out, TOP, 'wsgiref.egg-info'));

if (!existsSync(join(out, 'python/bin/jsonpatch')))
  throw new Error('expected python/bin/jsonpatch');
const count = (d) =>
  readdirSync(d, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1),
    0
  );
console.log(`wrote ${out} (${count(out)} files)`);
