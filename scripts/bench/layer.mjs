// Builds the benchmark layer: real npm, Python and Java packages staged the way
// a Lambda layer holds them (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html),
// then zipped deterministically. The result is cached in .bench/ under a key
// derived from everything that decides its content, so reruns are instant.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from '../lib/zipwriter.mjs';
import { run } from './exec.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Bump when the staging logic changes so cached layers are rebuilt. */
const BUILDER_VERSION = 2;

export const SITE_PACKAGES = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages';
export const JAVA_DIRS = ['/usr/share/java', '/usr/share/maven/lib'];
/**
 * Left out to keep the layer near Lambda's 250 MB unzipped limit: scientific
 * stacks and dev tools nobody ships in a function layer (about 270 MB together).
 */
export const PY_EXCLUDE = new Set([
  'scipy',
  'numpy',
  'sympy',
  'cfn_lint',
  'moto',
  'libcst',
  'jedi',
  'networkx',
]);
/** Installed straight under python/ (the `pip install -t python` layout) rather than site-packages. */
export const PY_TOP_LEVEL = new Set([
  'six',
  'pyyaml',
  'jmespath',
  'python_dateutil',
  'xmltodict',
  'wrapt',
]);

/** The distribution name part of a `<name>-<version>.dist-info` directory name. */
const distName = (dir) => dir.slice(0, dir.indexOf('-')).toLowerCase();

/**
 * Parse a wheel RECORD file (CSV: path,hash,size; paths with commas are quoted).
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file
 * @returns {{ line: string, path: string, hash: string }[]}
 */
export function parseRecord(text) {
  const rows = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    let path;
    let rest;
    if (line.startsWith('"')) {
      const end = line.indexOf('",');
      path = line.slice(1, end).replaceAll('""', '"');
      rest = line.slice(end + 2);
    } else {
      const comma = line.indexOf(',');
      path = line.slice(0, comma);
      rest = line.slice(comma + 1);
    }
    rows.push({ line, path, hash: rest.split(',')[0] ?? '' });
  }
  return rows;
}

function listDistInfos() {
  return readdirSync(SITE_PACKAGES)
    .filter((d) => d.endsWith('.dist-info') && existsSync(join(SITE_PACKAGES, d, 'RECORD')))
    .filter((d) => !PY_EXCLUDE.has(distName(d)))
    .sort();
}

/**
 * Copy one installed distribution into `targetDir`: its dist-info and every
 * file its RECORD lists inside site-packages. Byte-compiled files (listed
 * without a hash) and scripts outside site-packages (`../../../bin/...`) are
 * skipped and their RECORD lines dropped, which is exactly what
 * `pip install --no-compile -t` would have written; every remaining hash
 * still matches.
 */
function copyDistribution(distInfo, targetDir) {
  const recordPath = join(distInfo, 'RECORD');
  const rows = parseRecord(readFileSync(join(SITE_PACKAGES, recordPath), 'utf8'));
  const kept = [];
  let files = 0;
  for (const row of rows) {
    if (row.path.startsWith('../') || row.path.startsWith('/')) continue;
    const isRecord = row.path === recordPath;
    if (!isRecord && row.hash === '') continue; // .pyc and other unhashed files
    kept.push(row.line);
    if (isRecord) continue;
    const src = join(SITE_PACKAGES, row.path);
    if (!existsSync(src)) continue; // RECORD lists a file that was removed since install
    const dst = join(targetDir, row.path);
    mkdirSync(dirname(dst), { recursive: true });
    cpSync(src, dst, { dereference: true });
    files++;
  }
  const dst = join(targetDir, recordPath);
  mkdirSync(dirname(dst), { recursive: true });
  writeFileSync(dst, kept.join('\n') + '\n');
  return files + 1;
}

/** Real jar files reachable from JAVA_DIRS, one per distinct file, named by the most specific alias. */
function listJars() {
  /** @type {Map<string, string[]>} real path -> every name that reaches it */
  const byReal = new Map();
  for (const dir of JAVA_DIRS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.jar')) continue;
      let real;
      try {
        real = realpathSync(join(dir, name));
      } catch {
        continue; // dangling symlink
      }
      if (!statSync(real).isFile()) continue;
      const names = byReal.get(real) ?? [];
      names.push(name);
      byReal.set(real, names);
    }
  }
  const jars = [];
  for (const [real, names] of byReal) {
    // Prefer a versioned alias (guava-31.1-jre.jar over guava.jar), as a layer built by Maven would have.
    const versioned = names
      .filter((n) => /-\d/.test(n))
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    jars.push({ real, name: versioned[0] ?? real.slice(real.lastIndexOf('/') + 1) });
  }
  const seen = new Set();
  return jars
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((j) => (seen.has(j.name) ? false : (seen.add(j.name), true)));
}

/** Everything that decides the layer's bytes, hashed into the cache key. */
function cacheKey(npmDir) {
  const h = createHash('sha256');
  h.update(`builder ${BUILDER_VERSION}\n`);
  h.update(readFileSync(join(npmDir, 'package-lock.json')));
  for (const d of listDistInfos()) h.update(`py ${d} ${PY_TOP_LEVEL.has(distName(d))}\n`);
  for (const j of listJars()) h.update(`jar ${j.name} ${statSync(j.real).size}\n`);
  return h.digest('hex').slice(0, 16);
}

function countFiles(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += lstatSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/**
 * Build (or reuse) the benchmark layer under `benchDir`.
 * @param {string} benchDir the .bench working directory
 * @param {{ rebuild?: boolean, log?: (s: string) => void }} [opts]
 * @returns {{ dir: string, zip: string, manifest: object }}
 */
export function buildLayer(benchDir, opts = {}) {
  const log = opts.log ?? (() => {});
  const npmSpec = join(HERE, 'npm-layer');
  const key = cacheKey(npmSpec);
  const layerDir = join(benchDir, 'layer');
  const zipPath = join(benchDir, 'layer.zip');
  const manifestPath = join(benchDir, 'layer.json');
  if (!opts.rebuild && existsSync(manifestPath) && existsSync(zipPath) && existsSync(layerDir)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.key === key) {
      log(`layer: cached (${key})`);
      return { dir: layerDir, zip: zipPath, manifest };
    }
  }

  // npm: `npm ci` against the committed lockfile pins every transitive version.
  const stageNpm = join(benchDir, 'stage-npm');
  rmSync(stageNpm, { recursive: true, force: true });
  mkdirSync(stageNpm, { recursive: true });
  cpSync(join(npmSpec, 'package.json'), join(stageNpm, 'package.json'));
  cpSync(join(npmSpec, 'package-lock.json'), join(stageNpm, 'package-lock.json'));
  log('layer: npm ci (real packages from the registry)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: stageNpm,
  });

  rmSync(layerDir, { recursive: true, force: true });
  const nodeModules = join(layerDir, 'nodejs', 'node_modules');
  mkdirSync(dirname(nodeModules), { recursive: true });
  // verbatimSymlinks keeps node_modules/.bin links relative, as `zip -y` would store them.
  cpSync(join(stageNpm, 'node_modules'), nodeModules, { recursive: true, verbatimSymlinks: true });

  log('layer: copying Python distributions…');
  const sitePackages = join(layerDir, 'python', 'lib', 'python3.11', 'site-packages');
  const topLevel = join(layerDir, 'python');
  const python = { sitePackages: 0, topLevel: 0, files: 0 };
  for (const d of listDistInfos()) {
    const top = PY_TOP_LEVEL.has(distName(d));
    python.files += copyDistribution(d, top ? topLevel : sitePackages);
    python[top ? 'topLevel' : 'sitePackages']++;
  }

  log('layer: copying jars…');
  const javaLib = join(layerDir, 'java', 'lib');
  mkdirSync(javaLib, { recursive: true });
  const jars = listJars();
  for (const j of jars) cpSync(j.real, join(javaLib, j.name));

  log('layer: zipping…');
  const zip = zipDirectory(layerDir);
  writeFileSync(zipPath, zip);

  const npmPackages = Object.keys(
    JSON.parse(readFileSync(join(nodeModules, '.package-lock.json'), 'utf8')).packages
  ).filter((p) => p.includes('node_modules/') && !p.includes('/node_modules/.bin')).length;
  const { files, bytes } = countFiles(layerDir);
  const manifest = {
    key,
    npm: {
      packages: npmPackages,
      topLevel: Object.keys(
        JSON.parse(readFileSync(join(npmSpec, 'package.json'), 'utf8')).dependencies
      ).length,
    },
    python,
    java: { jars: jars.length },
    files,
    unzippedBytes: bytes,
    zipBytes: zip.length,
    zipSha256: createHash('sha256').update(zip).digest('hex'),
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  log(`layer: ${relative(process.cwd(), zipPath)} ${(zip.length / 1e6).toFixed(1)} MB`);
  return { dir: layerDir, zip: zipPath, manifest };
}
