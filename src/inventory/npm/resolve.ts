/**
 * Node's module lookup for a bare package name, over layer-relative directories:
 * from `fromDir`, try `<dir>/node_modules/<name>` for `fromDir` and each ancestor
 * (skipping directories that are themselves named `node_modules`), nearest first.
 * Walking up from `nodejs/node20/node_modules/x` also reaches `nodejs/node_modules`,
 * as Lambda's NODE_PATH does. https://nodejs.org/api/modules.html#loading-from-node_modules-folders
 *
 * @param installed layer-relative package directories that exist
 * @returns the directory the name resolves to, or undefined
 */
export function resolvePackageDir(
  fromDir: string,
  name: string,
  installed: ReadonlySet<string>
): string | undefined {
  const parts = fromDir === '' ? [] : fromDir.split('/');
  for (let i = parts.length; i >= 0; i--) {
    if (i > 0 && parts[i - 1] === 'node_modules') continue;
    const base = parts.slice(0, i).join('/');
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (installed.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The project directory an installed package belongs to: the directory holding
 * the outermost `node_modules` on its path, where lockfiles live. Also returns
 * the package's lockfile key (its path relative to that directory).
 */
export function projectRoot(pkgDir: string): { root: string; key: string } | undefined {
  const parts = pkgDir.split('/');
  const i = parts.indexOf('node_modules');
  if (i < 0) return undefined;
  return { root: parts.slice(0, i).join('/'), key: parts.slice(i).join('/') };
}
