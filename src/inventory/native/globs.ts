import type { CatalogerGlobs } from '../cataloger.js';

/** The files the native-manifest cataloger reads: sharp's libvips `versions.json`. */
export const NATIVE_MANIFEST_GLOBS: CatalogerGlobs = {
  name: 'native-manifest',
  globs: [
    '**/node_modules/@img/sharp-libvips-*/versions.json',
    '**/node_modules/sharp/vendor/*/*/versions.json',
  ],
};
