import type { CatalogerGlobs } from '../cataloger.js';

/** Installed gems' specifications: what the Ruby cataloger parses. */
export const GEMSPEC_GLOBS: readonly string[] = ['**/specifications/*.gemspec'];

/**
 * The files the Ruby cataloger reads: installed gems' specifications, the libraries on
 * Lambda's `RUBYLIB` (`ruby/lib/`), which `require` loads with no gem to say what they are, and
 * those of a Ruby installation's `site_ruby` and `vendor_ruby`, searched before its standard
 * library. A Ruby's `rbconfig.rb` (every `ruby` loads it) makes it read an image where no gem is
 * installed: the function's directory is searched first too. And Bundler's `.bundle/config` and
 * the gemspecs of its git checkouts (`bundler/gems/<name>-<revision>/`).
 */
export const RUBY_GLOBS: CatalogerGlobs = {
  name: 'ruby-installed-gemspec',
  globs: [
    ...GEMSPEC_GLOBS,
    ...['ruby/lib/', 'opt/ruby/lib/', '**/site_ruby/', '**/vendor_ruby/'].flatMap((d) => [
      `${d}**/*.rb`,
      `${d}**/*.so`,
    ]),
    '**/rbconfig.rb',
    // Bundler's settings: the path it loads a bundle's gems from.
    '**/.bundle/config',
    // The gemspecs of the gems Bundler checked out from git, which it evaluates.
    ...['', '*/', '*/*/'].map((d) => `**/bundler/gems/*/${d}*.gemspec`),
  ],
};
