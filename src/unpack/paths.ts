import type { Finding } from '../model/finding.js';

/**
 * Normalise an archive entry name to a layer-relative path and report what
 * was odd about it. Names with `..`, absolute paths and backslashes are kept
 * (lamina never writes them anywhere) but reported as findings.
 */
export function normaliseEntryName(raw: string): { path: string; findings: Finding[] } {
  if (plainEntryName(raw)) return { path: raw, findings: [] };
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
 * True for the common name (no backslash, no drive, no empty, `.` or `..` part): its own path,
 * with nothing to report (lets a caller of {@link normaliseEntryName} skip its result objects).
 */
export function plainEntryName(raw: string): boolean {
  if (ordinaryName(raw)) return true;
  return !raw.includes('\\') && !/^[A-Za-z]:\//.test(raw) && !/(?:^|\/)\.{0,2}(?:\/|$)/.test(raw);
}

/**
 * True for the most common kind of name, in one pass and no regular expression: printable
 * ASCII without backslash, colon or semicolon, no part empty or starting with `.`, no leading or
 * trailing `/`. Such a name is its own path and passes every name check (control characters,
 * backslashes, drive letters, `..`, a VMS version); anything else takes the full checks.
 */
export function ordinaryName(s: string): boolean {
  const last = s.length - 1;
  if (last < 0) return false;
  for (let i = 0, start = true; i <= last; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x5c || c === 0x3a || c === 0x3b) return false;
    if (c === 0x2f /* / */) {
      if (start || i === last) return false;
      start = true;
    } else {
      if (start && c === 0x2e /* . */) return false;
      start = false;
    }
  }
  return true;
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

/**
 * {@link comparePaths} for well-formed strings (no lone surrogate), without encoding them: code
 * point order is UTF-8 byte order, and it is UTF-16 code unit order except that units from
 * U+E000 up must sort after surrogates (which stand for code points above U+FFFF). Sorting
 * 200,000 names with an emoji among them no longer encodes two strings per comparison.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Clean a tar entry name to a path under the image root, as Go's
 * `filepath.Join("/", name)` does for containerd: `.` and empty parts drop
 * out and `..` stops at the root. What was odd about the name (absolute, `..`,
 * backslash) is reported, since other extractors place such entries elsewhere.
 */
export function cleanImagePath(raw: string): { path: string; findings: Finding[] } {
  const { findings } = normaliseEntryName(raw);
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return { path: out.join('/'), findings };
}

/** What path resolution needs to know about one path of a tree. */
export interface LinkLookup {
  (path: string): { kind: string; linkTarget?: string } | undefined;
}

/** Symlink hops followed before giving up, as Linux's ELOOP limit. */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolve a path inside an image root the way the kernel does inside the
 * container: symlinks are followed, absolute targets start at the root and
 * `..` at the root stays there, so resolution never leaves the image.
 * @param followLast follow a symlink in the last component too
 * @returns the resolved root-relative path, or undefined on a symlink loop
 */
export function resolveInRoot(
  path: string,
  lookup: LinkLookup,
  followLast = true
): string | undefined {
  const queue = path.split('/');
  let done: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    if (!followLast && queue.every((p) => p === '' || p === '.')) break;
    const e = lookup(done.join('/'));
    if (e?.kind !== 'symlink') continue;
    if (++hops > MAX_SYMLINK_HOPS) return undefined;
    const target = e.linkTarget ?? '';
    done.pop();
    if (target.startsWith('/')) done = [];
    queue.unshift(...target.split('/'));
  }
  return done.join('/');
}
