// cdxgen as the side-by-side peer, run offline on the unzipped layer staged as
// an image root (<stage>/opt), with the two staging workarounds from
// BENCHMARKS.md ("What is measured") that make it see every Python layout.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError, run } from './exec.mjs';

export const CDXGEN_VERSION = '12.8.4';

/** Install cdxgen once into `<benchDir>/cdxgen` (optional deps left out: no bundled trivy). */
export function ensureCdxgen(benchDir, log = () => {}) {
  const prefix = join(benchDir, 'cdxgen');
  const bin = join(prefix, 'node_modules', '@cyclonedx', 'cdxgen', 'bin', 'cdxgen.js');
  if (!existsSync(bin)) {
    log(`cdxgen: npm install @cyclonedx/cdxgen@${CDXGEN_VERSION}…`);
    mkdirSync(prefix, { recursive: true });
    run('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--omit=optional',
      '--loglevel=error',
      `@cyclonedx/cdxgen@${CDXGEN_VERSION}`,
    ]);
    if (!existsSync(bin)) throw new BenchError(`cdxgen install did not produce ${bin}`);
  }
  return bin;
}

/** Directories named `*.egg-info` under `dir`, depth first, sorted. */
function eggInfoDirs(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1
  )) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    if (e.name.endsWith('.egg-info')) out.push(p);
    else out.push(...eggInfoDirs(p));
  }
  return out;
}

/**
 * Stage the unzipped layer for cdxgen: `<stage>/opt` is a hardlinked copy of
 * `layerDir` (what Lambda would mount at /opt), plus
 *  1. `opt/python/.top/site-packages/` exposing the top-level `python/`
 *     layout, because cdxgen only globs `**\/site-packages/**\/METADATA`;
 *  2. `opt/.eggfix/site-packages/<x>.egg-info` files holding each egg-info
 *     directory's PKG-INFO, because cdxgen's egg glob skips directories.
 * @returns {string} the stage root to pass to `cdxgen -t rootfs`
 */
export function stageForCdxgen(layerDir, benchDir) {
  const stage = join(benchDir, 'cdxgen-stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const opt = join(stage, 'opt');
  run('cp', ['-al', layerDir, opt]);

  const python = join(opt, 'python');
  if (existsSync(python)) {
    const top = join(python, '.top', 'site-packages');
    mkdirSync(top, { recursive: true });
    for (const name of readdirSync(python).sort()) {
      if (name === 'lib' || name === '.top') continue;
      run('cp', ['-al', join(python, name), join(top, name)]);
    }
  }
  for (const egg of eggInfoDirs(opt)) {
    const pkgInfo = join(egg, 'PKG-INFO');
    if (!existsSync(pkgInfo)) continue;
    const fix = join(opt, '.eggfix', 'site-packages');
    mkdirSync(fix, { recursive: true });
    copyFileSync(pkgInfo, join(fix, egg.slice(egg.lastIndexOf('/') + 1)));
  }
  return stage;
}

/** Whether `unshare -n` can cut the network here (needs root or user namespaces). */
export function canUnshareNet() {
  const r = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * The argv that runs cdxgen offline on `stage`, writing CycloneDX 1.6 JSON to `out`.
 * FETCH_LICENSE=false keeps it from asking registries for licenses.
 */
export function cdxgenArgv(bin, stage, out, { offline }) {
  const cmd = [
    'env',
    'FETCH_LICENSE=false',
    'CDXGEN_DEBUG_MODE=',
    process.execPath,
    bin,
    '-t',
    'rootfs',
    '--spec-version',
    '1.6',
    '--json-pretty',
    '--no-install-deps',
    '-o',
    out,
    stage,
  ];
  return offline ? ['unshare', '-n', ...cmd] : cmd;
}
