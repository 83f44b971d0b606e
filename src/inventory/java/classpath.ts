/**
 * A jar's manifest `Class-Path`, read as the JDK's `URLClassPath.JarLoader` reads it: the value
 * split at whitespace (`StringTokenizer`'s default delimiters), each token a URL relative to the
 * jar's own URL (`file:/opt/java/lib/x.jar`), resolved lexically as `java.net.URL` resolves it
 * (`.` and `..` segments removed, a fragment dropped, a query kept as part of the file name),
 * then percent-decoded into the file path the JVM opens, which the kernel resolves (links, `..`
 * after a decoded `%2E%2E`). A token ending in `/` is a class directory; any other is opened as
 * a jar whatever its name. A jar found through another's Class-Path has its own Class-Path
 * followed too. https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#class-path-attribute
 */

/** Where one Class-Path token leads, before the layer is consulted. */
export type ClassPathTarget =
  /** A URL with a scheme (`file:`, `http:`): lamina does not follow URLs. */
  | { kind: 'url'; token: string }
  /** An absolute path (`/opt/x.jar`, `//host/x.jar`): another layer or the host may hold it. */
  | { kind: 'absolute'; token: string }
  /** A percent escape that does not decode (`%zz`, invalid UTF-8). */
  | { kind: 'undecodable'; token: string }
  /**
   * A file path. `url` is the resolved URL's path (absolute, still percent-encoded: a jar found
   * there resolves its own Class-Path against it); `path` the file the JVM opens, relative to
   * the layer root (climbing above it with `..` through the mount point's own directories, for
   * the link resolver to judge); `directory` when the token ends in `/` (the JVM loads it as a
   * class directory, not a jar).
   */
  | { kind: 'path'; token: string; url: string; path: string; directory: boolean };

/** The tokens of a Class-Path value: split at runs of space, tab, CR, LF and form feed. */
export function classPathTokens(value: string): string[] {
  return value.split(/[ \t\n\r\f]+/).filter((t) => t !== '');
}

/** A URL scheme before the first `:` (RFC 3986 `scheme`), as `java.net.URL` recognises one. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The URL path of a jar the runtime lists at `layerPath` under the mount point `mount` (path
 * segments: `['opt']` for a layer, `[]` for an image root), as `File.toURI` spells it.
 */
export function jarUrl(mount: readonly string[], layerPath: string): string {
  return `/${[...mount, ...layerPath.split('/')].map(encodeURIComponent).join('/')}`;
}

/** Resolve one Class-Path token against the URL path of the jar that declares it. */
export function resolveClassPathToken(
  base: string,
  mount: readonly string[],
  token: string
): ClassPathTarget {
  let spec = token;
  const hash = spec.indexOf('#');
  if (hash >= 0) spec = spec.slice(0, hash);
  if (SCHEME.test(spec)) return { kind: 'url', token };
  if (spec.startsWith('/')) return { kind: 'absolute', token };
  const segments = base.split('/').slice(1, -1);
  // `#x` alone: the jar's own URL again, which the class loader has already opened.
  const parts = spec === '' ? [base.slice(base.lastIndexOf('/') + 1)] : spec.split('/');
  for (const part of parts) {
    if (part === '.') continue;
    // Above the root, `/..` is the root again.
    if (part === '..') segments.pop();
    // `a//b` is `a/b` to the kernel; a trailing `/` names a directory.
    else if (part !== '') segments.push(part);
  }
  const lastPart = parts[parts.length - 1];
  const directory = lastPart === '' || lastPart === '.' || lastPart === '..';
  let decoded: string[];
  try {
    decoded = segments.map((seg) => decodeURIComponent(seg));
  } catch {
    return { kind: 'undecodable', token };
  }
  // Relative to the layer root: up through the mount point's own directories, then down.
  const path = [...mount.map(() => '..'), ...decoded].join('/');
  return { kind: 'path', token, url: `/${segments.join('/')}`, path, directory };
}
