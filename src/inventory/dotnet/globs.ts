import type { CatalogerGlobs } from '../cataloger.js';

/** The files the .NET cataloger reads: each published app's `<app>.deps.json`. */
export const DOTNET_GLOBS: CatalogerGlobs = {
  name: 'dotnet-deps',
  globs: ['**/*.deps.json'],
};
