import type { CatalogerGlobs } from '../cataloger.js';

/** The files the Ruby cataloger reads: installed gems' specifications. */
export const RUBY_GLOBS: CatalogerGlobs = {
  name: 'ruby-installed-gemspec',
  globs: ['**/specifications/*.gemspec'],
};
