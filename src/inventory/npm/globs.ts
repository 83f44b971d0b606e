import type { CatalogerGlobs } from '../cataloger.js';

/** Each installed package root `package.json`: what the npm cataloger parses. */
export const PACKAGE_JSON_GLOBS: readonly string[] = [
  '**/node_modules/*/package.json',
  '**/node_modules/@*/*/package.json',
];

/**
 * The directories of an image where `require('x')` finds `x/` besides `node_modules` ones: what
 * Lambda's Node.js runtime puts on `NODE_PATH` (its bootstrap sets
 * `…/node_modules:/var/runtime:/var/task` when the function sets none) and Node's global folders.
 */
export const IMAGE_NODE_PATH_DIRS: readonly string[] = [
  'var/runtime',
  'var/task',
  // Node's global folders: $PREFIX/lib/node of each place the node binary is installed
  // (Lambda's /var/lang, the OS's, /usr/local's), and root's $HOME/.node_modules and
  // $HOME/.node_libraries (a HOME set elsewhere is ENV_LOADER).
  'var/lang/lib/node',
  'usr/lib/node',
  'usr/local/lib/node',
  'root/.node_modules',
  'root/.node_libraries',
];

/** Package roots in those directories; counted in an image only (a layer is mounted at /opt). */
export const NODE_PATH_PACKAGE_JSON_GLOBS: readonly string[] = IMAGE_NODE_PATH_DIRS.flatMap((d) => [
  `${d}/*/package.json`,
  `${d}/@*/*/package.json`,
]);

/**
 * The files the npm cataloger reads: every package root `package.json`, and every other file
 * under a `node_modules`, so a module Node loads without a package.json (a bare
 * `node_modules/x.js`, a package directory without one) is seen too.
 */
export const NPM_GLOBS: CatalogerGlobs = {
  name: 'npm-installed',
  globs: [...PACKAGE_JSON_GLOBS, ...NODE_PATH_PACKAGE_JSON_GLOBS, '**/node_modules/**'],
};
