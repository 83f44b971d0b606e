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
