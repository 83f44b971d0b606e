#!/usr/bin/env node
// Builds testdata/hostile/: layers that hide a denied package from lamina's inventory
// the way an attacker would, while Node would still load it. The hidden package is the real
// ms@2.0.0 (package.json and license.md as npm published them, taken from the npm-basic
// fixture, itself installed from the registry by scripts/fixtures-npm.mjs).
//
//   bom-package-json.zip      nodejs/node_modules/ms/package.json starts with a UTF-8 BOM:
//                             Node strips it and loads the package; a strict JSON.parse throws,
//                             so the package never reaches the inventory (a PARSE_ERROR).
//   symlinked-node-modules.zip nodejs/node_modules/ms is a symlink to ../vendor/ms: Node follows
//                             it; a cataloger that only reads node_modules/*/package.json files
//                             sees nothing there.
//   no-package-json.zip       nodejs/node_modules/ms/ without its package.json: Node still loads
//                             `require('ms/...')` (and `require('ms')` from an index.js).
//   bare-module-file.zip      nodejs/node_modules/ms.js, a module file with no package at all:
//                             `require('ms')` loads it (before any ms/ directory).
//   dot-module-file.zip       the same module as nodejs/node_modules/.ms.js: Node takes '.ms' as a
//                             module name as it takes 'ms', so `require('.ms')` loads it.
//   renamed-package.zip       nodejs/node_modules/ms/ whose package.json names it "ms-compat":
//                             `require('ms')` finds it by its directory, whatever the name says.
//   main-outside.zip          ms in nodejs/vendor/ms (outside any node_modules), loaded through
//                             nodejs/node_modules/shim, whose package.json `main` is
//                             ../../vendor/ms/index.js: require('shim') runs ms.
//   main-given-twice.zip      the same ms with an index.js standing in for its code, and shim
//                             whose package.json gives `main` twice: ../../vendor/ms/index.js,
//                             then 0. Node 20 (JSON.parse) takes the 0 and loads shim's own
//                             index.js; Node 22 and later skip a main that is not a string
//                             and run ms.
//   main-past-a-fault.zip     the same, shim's main given once, and a field Node does not read
//                             holding what is not JSON (`tru`): Node 20 refuses the package;
//                             Node 22 and later read only the fields they use, and run ms.
//   link-outside.zip          the same ms, with an index.js standing in for its code, loaded
//                             through nodejs/node_modules/shim/lib, a link to ../../vendor/ms
//                             inside shim (whose main is lib/index.js): require('shim') runs ms.
//   upper-case-jar.zip        the real commons-cli 1.5.0 jar (from the java-basic fixture) as
//                             java/lib/COMMONS-CLI-1.5.0.JAR: the class path wildcard
//                             /opt/java/lib/* takes `.JAR` as it takes `.jar`.
//   exploded-jar.zip          the same jar's files (extracted with `unzip`, which this needs) in
//                             the directory java/lib/commons-cli-1.5.0.jar/: the class path
//                             wildcard takes the directory as a jar and loads its classes.
//   plain.zip                 the same package where any inventory sees it (the control case).
//
// And layers that run code Lambda starts by path, beside the same package, with no package
// owning it (the inventory must count each as an unowned executable):
//   bootstrap.zip             an executable `bootstrap` script at the top (/opt/bootstrap: the
//                             custom runtime Lambda starts when the function has none).
//   bootstrap-atari.zip       the same `bootstrap`, its mode 0755 recorded by a zip "made by" an
//                             Atari host: unzip takes the mode from that host and extracts it
//                             executable; bsdtar and Go take no mode from it.
//   exec-wrapper.zip          an executable without `#!` at the top (what a function's
//                             AWS_LAMBDA_EXEC_WRAPPER names; the runtime's shell runs it as a
//                             shell script) and one in bin/ (on PATH), each mode 0755.
//   pth-import.zip            python/lib/python3.12/site-packages/zz-hook.pth with an `import`
//                             line: the Python runtime's site.addsitedir runs it before the
//                             handler loads.
//
// And Python modules with no distribution to say what they are (the real six 1.17.0 and
// iniconfig 2.3.0 from the python-basic fixture, itself installed by pip from PyPI):
//   python-plain.zip          python/six.py with its six-1.17.0.dist-info (the control case).
//   python-module-alone.zip   python/six.py without its dist-info: `import six` loads it.
//   python-package-alone.zip  python/lib/python3.11/site-packages/iniconfig/ without its
//                             dist-info: `import iniconfig` loads it.
//   python-bytecode.zip       python-plain.zip plus python/__pycache__/six.cpython-311.pyc,
//                             compiled by python3's py_compile from six.py with a line added,
//                             as an unchecked hash-based pyc: `import six` runs that bytecode,
//                             never the six.py whose RECORD hash checks out.
//   python-bytecode-stale.zip the same bytecode as a timestamp pyc: it records the changed
//                             source's size, not six.py's, so Python ignores it (the control).
//   python-stdlib-shadow.zip  python-plain.zip with a python/uuid.py that six's RECORD lists with
//                             its hash (the distribution tampered with, every hash checking
//                             out): Lambda's bootstrap puts /opt/python before the standard
//                             library on sys.path, so `import uuid` anywhere runs it.
//   ruby-lib-alone.zip        the real power_assert 2.0.1 gem's lib/ (from the ruby-basic
//                             fixture) as ruby/lib/, on Lambda's RUBYLIB, with no gem
//                             specification: `require 'power_assert'` loads it.
//
// Deterministic (fixed timestamps, sorted entries); offline. Usage: node scripts/fixtures-hidden-package.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeZip } from './lib/zipwriter.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(repo, 'testdata/layers/npm-basic/nodejs/node_modules/debug/node_modules/ms');
const out = join(repo, 'testdata/hostile');

const pkgJson = readFileSync(join(src, 'package.json'));
const commonsCliJar = join(repo, 'testdata/layers/java-basic/java/lib/commons-cli-1.5.0.jar');
const commonsCli = readFileSync(commonsCliJar);
/** The jar's files (`unzip`), in its own order, under `dir`: the jar exploded. */
const explode = (jar, dir) =>
  execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name !== '')
    .map((name) =>
      name.endsWith('/')
        ? { name: `${dir}/${name}` }
        : {
            name: `${dir}/${name}`,
            data: execFileSync('unzip', ['-p', jar, name], { maxBuffer: 1 << 24 }),
          }
    );
const license = readFileSync(join(src, 'license.md'));
const python = join(repo, 'testdata/layers/python-basic/python');
const powerAssert = join(
  repo,
  'testdata/layers/ruby-basic/ruby/gems/3.2.0/gems/power_assert-2.0.1'
);
/** The files under `root`/`dir`, sorted, as zip entries named `as`/<path under dir>. */
const filesOf = (root, dir, as) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(join(root, dir).length + 1))
    .sort()
    .map((rel) => ({ name: `${as}/${rel}`, data: readFileSync(join(root, dir, rel)) }));
/** The files of `dir` under the python-basic fixture's python/, as they are there. */
const pythonFiles = (dir) => filesOf(python, dir, `python/${dir}`);
if (JSON.parse(pkgJson.toString('utf8')).version !== '2.0.0')
  throw new Error(`${src}: expected ms@2.0.0`);

/** The layer's own manifest, as `npm install ms@2.0.0` writes it. */
const manifest = JSON.stringify(
  { name: 'layer', version: '1.0.0', private: true, dependencies: { ms: '2.0.0' } },
  null,
  2
);
const dirs = (...names) => names.map((name) => ({ name: `${name}/` }));

/**
 * nodejs/node_modules/shim (its own index.js, and `shimJson` as its package.json) beside ms in
 * nodejs/vendor/ms, with an index.js standing in for ms's code.
 */
const shimBesideMs = (shimJson) => [
  ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/shim'),
  { name: 'nodejs/node_modules/shim/index.js', data: "module.exports = () => 'shim ran';\n" },
  { name: 'nodejs/node_modules/shim/package.json', data: shimJson },
  { name: 'nodejs/package.json', data: manifest },
  ...dirs('nodejs/vendor', 'nodejs/vendor/ms'),
  { name: 'nodejs/vendor/ms/index.js', data: "module.exports = require('util').format;\n" },
  { name: 'nodejs/vendor/ms/license.md', data: license },
  { name: 'nodejs/vendor/ms/package.json', data: pkgJson },
];

/** A package.json with its `name` replaced (and nothing else). */
function renamed(json, name) {
  const text = json.toString('utf8');
  const out = text.replace(/"name": "[^"]*"/, `"name": ${JSON.stringify(name)}`);
  if (out === text) throw new Error('package.json has no "name" to replace');
  return Buffer.from(out, 'utf8');
}

/**
 * `source` compiled by python3's py_compile (mode `UNCHECKED_HASH` or `TIMESTAMP`), the same on
 * every run: the source file's time fixed, the file name recorded in the code as Lambda's
 * (/opt/python/six.py, not the temporary directory's), string hashing not randomised.
 */
function compilePyc(source, mode) {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-pyc-'));
  try {
    const py = join(dir, 'six.py');
    const pyc = join(dir, 'six.pyc');
    writeFileSync(py, source);
    execFileSync(
      'python3',
      [
        '-c',
        'import os, sys, py_compile as c\n' +
          'os.utime(sys.argv[1], (1700000000, 1700000000))\n' +
          'c.compile(sys.argv[1], sys.argv[2], dfile="/opt/python/six.py", doraise=True, invalidation_mode=c.PycInvalidationMode[sys.argv[3]])',
        py,
        pyc,
        mode,
      ],
      { env: { ...process.env, PYTHONHASHSEED: '0' } }
    );
    return readFileSync(pyc);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const sixPy = readFileSync(join(python, 'six.py'));
/** What the tampered six carries as python/uuid.py: it says so when it runs. */
const fakeUuid = Buffer.from('print("LAMINA-STDLIB: the layer\'s uuid.py ran")\n');
/** six's dist-info with uuid.py added to its RECORD, hashed as pip writes it. */
const sixWithUuid = pythonFiles('six-1.17.0.dist-info').map((e) =>
  e.name.endsWith('/RECORD')
    ? {
        name: e.name,
        data: Buffer.concat([
          e.data,
          Buffer.from(
            `uuid.py,sha256=${createHash('sha256').update(fakeUuid).digest('base64url')},${fakeUuid.length}\n`
          ),
        ]),
      }
    : e
);
const sixChanged = Buffer.concat([
  sixPy,
  Buffer.from('\nprint("LAMINA-PYC: the bytecode ran, not six.py")\n'),
]);

const layers = {
  'plain.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/node_modules/ms/package.json', data: pkgJson },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'renamed-package.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    {
      name: 'nodejs/node_modules/ms/package.json',
      data: renamed(pkgJson, 'ms-compat'),
    },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'bom-package-json.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    {
      name: 'nodejs/node_modules/ms/package.json',
      data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), pkgJson]),
    },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'symlinked-node-modules.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/vendor', 'nodejs/vendor/ms'),
    { name: 'nodejs/node_modules/ms', symlink: '../vendor/ms' },
    { name: 'nodejs/package.json', data: manifest },
    { name: 'nodejs/vendor/ms/license.md', data: license },
    { name: 'nodejs/vendor/ms/package.json', data: pkgJson },
  ],
  'no-package-json.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'bare-module-file.zip': [
    ...dirs('nodejs', 'nodejs/node_modules'),
    { name: 'nodejs/node_modules/ms.js', data: "module.exports = require('util').format;\n" },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'dot-module-file.zip': [
    ...dirs('nodejs', 'nodejs/node_modules'),
    { name: 'nodejs/node_modules/.ms.js', data: "module.exports = require('util').format;\n" },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'main-outside.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/shim'),
    {
      name: 'nodejs/node_modules/shim/package.json',
      data: JSON.stringify(
        { name: 'shim', version: '1.0.0', main: '../../vendor/ms/index.js' },
        null,
        2
      ),
    },
    { name: 'nodejs/package.json', data: manifest },
    ...dirs('nodejs/vendor', 'nodejs/vendor/ms'),
    { name: 'nodejs/vendor/ms/license.md', data: license },
    { name: 'nodejs/vendor/ms/package.json', data: pkgJson },
  ],
  'main-given-twice.zip': shimBesideMs(
    '{\n  "name": "shim",\n  "version": "1.0.0",\n  "main": "../../vendor/ms/index.js",\n  "main": 0\n}\n'
  ),
  'main-past-a-fault.zip': shimBesideMs(
    '{\n  "name": "shim",\n  "version": "1.0.0",\n  "main": "../../vendor/ms/index.js",\n  "private": tru\n}\n'
  ),
  'link-outside.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/shim'),
    { name: 'nodejs/node_modules/shim/lib', symlink: '../../vendor/ms' },
    {
      name: 'nodejs/node_modules/shim/package.json',
      data: JSON.stringify({ name: 'shim', version: '1.0.0', main: 'lib/index.js' }, null, 2),
    },
    { name: 'nodejs/package.json', data: manifest },
    ...dirs('nodejs/vendor', 'nodejs/vendor/ms'),
    { name: 'nodejs/vendor/ms/index.js', data: "module.exports = require('util').format;\n" },
    { name: 'nodejs/vendor/ms/license.md', data: license },
    { name: 'nodejs/vendor/ms/package.json', data: pkgJson },
  ],
  'upper-case-jar.zip': [
    ...dirs('java', 'java/lib'),
    { name: 'java/lib/COMMONS-CLI-1.5.0.JAR', data: commonsCli },
  ],
  'exploded-jar.zip': [
    ...dirs('java', 'java/lib'),
    ...explode(commonsCliJar, 'java/lib/commons-cli-1.5.0.jar'),
  ],
  'bootstrap.zip': [
    {
      name: 'bootstrap',
      data: '#!/bin/sh\nexec /opt/nodejs/node_modules/ms/ms "$@"\n',
      mode: 0o755,
    },
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/node_modules/ms/package.json', data: pkgJson },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'bootstrap-atari.zip': [
    {
      name: 'bootstrap',
      data: '#!/bin/sh\nexec /opt/nodejs/node_modules/ms/ms "$@"\n',
      mode: 0o755,
      versionMadeBy: (5 << 8) | 20,
    },
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/node_modules/ms/package.json', data: pkgJson },
    { name: 'nodejs/package.json', data: manifest },
  ],
  'exec-wrapper.zip': [
    ...dirs('bin'),
    { name: 'bin/ms-helper', data: 'exec node -e "require(\'ms\')"\n', mode: 0o755 },
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/node_modules/ms/package.json', data: pkgJson },
    { name: 'nodejs/package.json', data: manifest },
    { name: 'wrapper', data: 'export NODE_OPTIONS=--require=ms\nexec "$@"\n', mode: 0o755 },
  ],
  'pth-import.zip': [
    ...dirs('nodejs', 'nodejs/node_modules', 'nodejs/node_modules/ms'),
    { name: 'nodejs/node_modules/ms/license.md', data: license },
    { name: 'nodejs/node_modules/ms/package.json', data: pkgJson },
    { name: 'nodejs/package.json', data: manifest },
    ...dirs('python', 'python/lib', 'python/lib/python3.12', 'python/lib/python3.12/site-packages'),
    {
      name: 'python/lib/python3.12/site-packages/zz-hook.pth',
      data: "import os; os.environ.setdefault('HOOKED', '1')\n",
    },
  ],
  'python-plain.zip': [
    ...dirs('python', 'python/six-1.17.0.dist-info'),
    ...pythonFiles('six-1.17.0.dist-info'),
    { name: 'python/six.py', data: readFileSync(join(python, 'six.py')) },
  ],
  'python-bytecode.zip': [
    ...dirs('python', 'python/__pycache__', 'python/six-1.17.0.dist-info'),
    ...pythonFiles('six-1.17.0.dist-info'),
    {
      name: 'python/__pycache__/six.cpython-311.pyc',
      data: compilePyc(sixChanged, 'UNCHECKED_HASH'),
    },
    { name: 'python/six.py', data: sixPy },
  ],
  'python-bytecode-stale.zip': [
    ...dirs('python', 'python/__pycache__', 'python/six-1.17.0.dist-info'),
    ...pythonFiles('six-1.17.0.dist-info'),
    { name: 'python/__pycache__/six.cpython-311.pyc', data: compilePyc(sixChanged, 'TIMESTAMP') },
    { name: 'python/six.py', data: sixPy },
  ],
  'python-stdlib-shadow.zip': [
    ...dirs('python', 'python/six-1.17.0.dist-info'),
    ...sixWithUuid,
    { name: 'python/six.py', data: sixPy },
    { name: 'python/uuid.py', data: fakeUuid },
  ],
  'python-module-alone.zip': [
    ...dirs('python'),
    { name: 'python/six.py', data: readFileSync(join(python, 'six.py')) },
  ],
  'python-package-alone.zip': [
    ...dirs(
      'python',
      'python/lib',
      'python/lib/python3.11',
      'python/lib/python3.11/site-packages',
      'python/lib/python3.11/site-packages/iniconfig'
    ),
    ...pythonFiles('lib/python3.11/site-packages/iniconfig'),
  ],
  'ruby-lib-alone.zip': [
    ...dirs('ruby', 'ruby/lib', 'ruby/lib/power_assert'),
    ...filesOf(powerAssert, 'lib', 'ruby/lib'),
  ],
};

mkdirSync(out, { recursive: true });
for (const [name, entries] of Object.entries(layers)) {
  writeFileSync(join(out, name), writeZip(entries));
  console.log(`wrote ${join(out, name)}`);
}
