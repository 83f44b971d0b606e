import type { CatalogerGlobs } from '../cataloger.js';

/** Each installed package root `package.json`: what the npm cataloger parses. */
export const PACKAGE_JSON_GLOBS: readonly string[] = [
  '**/node_modules/*/package.json',
  '**/node_modules/@*/*/package.json',
];

/**
 * The directories of an image that Lambda's Node.js runtime puts on `NODE_PATH` besides
 * `node_modules` ones (its bootstrap sets `…/node_modules:/var/runtime:/var/task` when the
 * function sets none): `require('x')` loads `/var/task/x/` as it would `node_modules/x/`.
 */
export const IMAGE_NODE_PATH_DIRS: readonly string[] = ['var/runtime', 'var/task'];

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
