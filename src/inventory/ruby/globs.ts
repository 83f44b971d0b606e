import type { CatalogerGlobs } from '../cataloger.js';

/** Installed gems' specifications: what the Ruby cataloger parses. */
export const GEMSPEC_GLOBS: readonly string[] = ['**/specifications/*.gemspec'];

/**
 * The files the Ruby cataloger reads: installed gems' specifications, and the libraries on
 * Lambda's `RUBYLIB` (`ruby/lib/`), which `require` loads with no gem to say what they are.
 */
export const RUBY_GLOBS: CatalogerGlobs = {
  name: 'ruby-installed-gemspec',
  globs: [
    ...GEMSPEC_GLOBS,
    ...['ruby/lib/', 'opt/ruby/lib/'].flatMap((d) => [`${d}**/*.rb`, `${d}**/*.so`]),
  ],
};
