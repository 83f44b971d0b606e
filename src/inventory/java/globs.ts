import type { CatalogerGlobs } from '../cataloger.js';

/** Java archive extensions: what the JVM and application servers open as a jar. */
export const EXTENSIONS = ['jar', 'war', 'ear', 'par', 'sar', 'nar', 'jpi', 'hpi'];

/**
 * The files the Java cataloger reads: archives by extension, anywhere in the layer, in lower
 * and upper case. A class path wildcard (`/opt/java/lib/*`) takes every `.jar` and `.JAR`
 * (https://docs.oracle.com/en/java/javase/21/docs/specs/man/java.html), so an upper-case
 * `log4j-core.JAR` is loaded as surely as a lower-case one.
 */
export const JAVA_GLOBS: CatalogerGlobs = {
  name: 'java-archive',
  globs: [
    ...EXTENSIONS.flatMap((e) => [`**/*.${e}`, `**/*.${e.toUpperCase()}`]),
    // The files of a directory the class path wildcard takes as a jar (see EXPLODED_JAR).
    ...['java/lib/*.jar/**', 'java/lib/*.JAR/**'].flatMap((g) => [g, `opt/${g}`]),
  ],
};

/**
 * A directory in Lambda's `/opt/java/lib` named like a jar: the class path wildcard
 * `/opt/java/lib/*` takes it as it takes a jar, and the JVM loads its classes as a class
 * directory. Group 1 is the directory.
 */
export const EXPLODED_JAR = /^((?:opt\/)?java\/lib\/[^/]+\.(?:jar|JAR))\//;
