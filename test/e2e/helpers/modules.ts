import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli.js';

/**
 * Preload (`node --import`) that lists every CommonJS module a process loaded as the last line of
 * its stderr and, when LAMINA_TEST_ESM_LOG names a file, every ES module there.
 */
export const MODULES_PRELOAD = join(REPO_ROOT, 'test', 'e2e', 'sbom', 'modules-preload.mjs');

/** What a process run with {@link MODULES_PRELOAD} loaded. */
export interface LoadedModules {
  /** Every CommonJS file loaded. */
  files: string[];
  /** npm packages (by name) it loaded. */
  packages: Set<string>;
  /** lamina's own modules it loaded (paths under dist/, such as `src/unpack/zip.js`). */
  modules: Set<string>;
  /** npm packages' files loaded as ES modules (each parsed twice: util/cjs.ts). */
  esmPackages: string[];
}

/** Read what the preload reported: the process's stderr and the ES module log it wrote. */
export function loadedModules(stderr: string, esmLog: string): LoadedModules {
  const line = stderr.trim().split('\n').at(-1) ?? '';
  expect(line).toMatch(/^lamina-test-cjs-modules /);
  const files = JSON.parse(line.slice('lamina-test-cjs-modules '.length)) as string[];
  const packages = new Set<string>();
  for (const f of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m) packages.add(m[1]!);
  }
  const modules = new Set<string>();
  const esmPackages: string[] = [];
  for (const url of existsSync(esmLog) ? readFileSync(esmLog, 'utf8').split('\n') : []) {
    const m = /\/dist\/(src\/.+\.js)$/.exec(url);
    if (m) modules.add(m[1]!);
    if (url.includes('/node_modules/')) esmPackages.push(url);
  }
  return { files, packages, modules, esmPackages };
}
