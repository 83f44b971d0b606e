import type { CatalogerGlobs } from '../cataloger.js';

/** The files the npm cataloger reads: each installed package root `package.json`. */
export const NPM_GLOBS: CatalogerGlobs = {
  name: 'npm-installed',
  globs: ['**/node_modules/*/package.json', '**/node_modules/@*/*/package.json'],
};
