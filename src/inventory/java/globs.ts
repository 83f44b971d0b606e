import type { CatalogerGlobs } from '../cataloger.js';

/** Java archive extensions: what the JVM and application servers open as a jar. */
export const EXTENSIONS = ['jar', 'war', 'ear', 'par', 'sar', 'nar', 'jpi', 'hpi'];

/** The files the Java cataloger reads: archives by extension, anywhere in the layer. */
export const JAVA_GLOBS: CatalogerGlobs = {
  name: 'java-archive',
  globs: EXTENSIONS.map((e) => `**/*.${e}`),
};
