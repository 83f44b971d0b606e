import type { CatalogerGlobs } from '../cataloger.js';

/** Installed distributions' metadata: what the Python cataloger parses. */
export const PYTHON_METADATA_GLOBS: readonly string[] = [
  '**/*.dist-info/METADATA',
  '**/*.egg-info/PKG-INFO',
  '**/*.egg-info',
  '**/*.egg/EGG-INFO/PKG-INFO',
];

/**
 * The files the Python cataloger reads: installed distributions' metadata, and the module files
 * in Lambda's site directories, so a module Python imports with no distribution to say what it
 * is (`python/requests/__init__.py` alone) is seen too.
 */
export const PYTHON_GLOBS: CatalogerGlobs = {
  name: 'python-installed',
  globs: [...PYTHON_METADATA_GLOBS, 'python/**/*.py', 'python/**/*.pyc', 'python/**/*.so'],
};

/**
 * Lambda's Python site directories: `python/` and `python/lib/pythonX.Y/site-packages/`. The
 * runtime puts both on `sys.path` and hands both to `site.addsitedir`, which also processes
 * their `.pth` files (https://docs.python.org/3/library/site.html).
 */
export const LAMBDA_SITE = /^python(?:\/lib\/python\d+(?:\.\d+)?\/site-packages)?$/;
