import type { CatalogerGlobs } from '../cataloger.js';

/** The files the Python cataloger reads: installed distributions' metadata. */
export const PYTHON_GLOBS: CatalogerGlobs = {
  name: 'python-installed',
  globs: [
    '**/*.dist-info/METADATA',
    '**/*.egg-info/PKG-INFO',
    '**/*.egg-info',
    '**/*.egg/EGG-INFO/PKG-INFO',
  ],
};

/**
 * Lambda's Python site directories: `python/` and `python/lib/pythonX.Y/site-packages/`. The
 * runtime puts both on `sys.path` and hands both to `site.addsitedir`, which also processes
 * their `.pth` files (https://docs.python.org/3/library/site.html).
 */
export const LAMBDA_SITE = /^python(?:\/lib\/python\d+(?:\.\d+)?\/site-packages)?$/;
