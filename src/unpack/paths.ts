import type { Finding } from '../model/finding.js';

/**
 * Normalise an archive entry name to a layer-relative path and report what
 * was odd about it. Names with `..`, absolute paths and backslashes are kept
 * (lamina never writes them anywhere) but reported as findings.
 */
export function normaliseEntryName(raw: string): { path: string; findings: Finding[] } {
  const findings: Finding[] = [];
  if (raw.includes('\\')) {
    findings.push({
      code: 'BACKSLASH_IN_PATH',
      severity: 'warning',
      path: raw,
      message: `entry name contains a backslash: ${JSON.stringify(raw)}`,
    });
  }
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) {
    findings.push({
      code: 'ABSOLUTE_PATH',
      severity: 'warning',
      path: raw,
      message: `entry name is an absolute path: ${JSON.stringify(raw)}`,
    });
  }
  const parts = raw.split('/');
  if (parts.includes('..')) {
    findings.push({
      code: 'PATH_TRAVERSAL',
      severity: 'error',
      path: raw,
      message: `entry name climbs out of the layer with '..': ${JSON.stringify(raw)}`,
    });
  }
  const kept = parts.filter((p) => p !== '' && p !== '.');
  return { path: kept.join('/'), findings };
}

/**
 * Resolve a symlink target relative to the link's own directory. Returns the
 * layer-relative path it points at, or undefined when it leaves the layer
 * (absolute targets are resolved against the layer's mount point `/opt`).
 */
export function resolveLinkTarget(
  linkPath: string,
  target: string,
  mount = '/opt'
): string | undefined {
  let base: string[];
  let rest = target;
  if (target.startsWith('/')) {
    const m = mount.replace(/\/+$/, '');
    if (target !== m && !target.startsWith(m + '/')) return undefined;
    base = [];
    rest = target.slice(m.length);
  } else {
    base = linkPath.split('/').slice(0, -1);
  }
  for (const part of rest.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (base.length === 0) return undefined;
      base.pop();
    } else base.push(part);
  }
  return base.join('/');
}

/** Compare two paths by the bytes of their UTF-8 encoding (stable across locales). */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
