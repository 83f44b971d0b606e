import type { CatalogerGlobs } from '../cataloger.js';

/** Each installed package root `package.json`: what the npm cataloger parses. */
export const PACKAGE_JSON_GLOBS: readonly string[] = [
  '**/node_modules/*/package.json',
  '**/node_modules/@*/*/package.json',
];

/**
 * The files the npm cataloger reads: every package root `package.json`, and every other file
 * under a `node_modules`, so a module Node loads without a package.json (a bare
 * `node_modules/x.js`, a package directory without one) is seen too.
 */
export const NPM_GLOBS: CatalogerGlobs = {
  name: 'npm-installed',
  globs: [...PACKAGE_JSON_GLOBS, '**/node_modules/**'],
};
