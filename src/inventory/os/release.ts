/**
 * The operating system of an image root, from `etc/os-release` (falling back
 * to `usr/lib/os-release`, as systemd's os-release(5) says readers should)
 * or, on old Amazon Linux and Red Hat images, `etc/system-release`.
 * https://www.freedesktop.org/software/systemd/man/latest/os-release.html
 */
import type { FileSource } from '../../unpack/source.js';

/** What an image says its OS is: data for an `operating-system` component. */
export interface OsIdentity {
  /** `ID`, lowercase (`debian`, `alpine`, `amzn`). */
  id: string;
  /** `VERSION_ID` (`12`, `3.17.2`, `2023`). */
  versionId?: string;
  name?: string;
  prettyName?: string;
  version?: string;
  versionCodename?: string;
  /** `ID_LIKE`, split on spaces. */
  idLike: string[];
  cpeName?: string;
  homeUrl?: string;
  /** Root-relative path of the file it came from. */
  path: string;
}

/** Bound on an os-release file (they are a few hundred bytes). */
const MAX_RELEASE = 64 * 1024;

/**
 * Parse os-release text: `KEY=value` lines, values optionally in single or
 * double quotes with `\` escapes inside double quotes; comments and other
 * lines are ignored.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    const [, key = '', rest = ''] = m;
    let v = rest;
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
      v = v.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
    else if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    out.set(key, v);
  }
  return out;
}

/** `Amazon Linux release 2 (Karoo)` → id `amzn`, version `2`; other vendors by their first word. */
export function parseSystemRelease(text: string): Omit<OsIdentity, 'path'> | undefined {
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  const m = /^(.*?)\s+release\s+(\S+)/.exec(line);
  if (!m) return undefined;
  const [, name = '', version = ''] = m;
  const known: Record<string, string> = {
    'Amazon Linux': 'amzn',
    'Amazon Linux AMI': 'amzn',
    'Red Hat Enterprise Linux': 'rhel',
    'Red Hat Enterprise Linux Server': 'rhel',
    CentOS: 'centos',
    'CentOS Linux': 'centos',
    Fedora: 'fedora',
  };
  const id = known[name] ?? name.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!id) return undefined;
  return { id, versionId: version, name, prettyName: line, idLike: [] };
}

/**
 * The OS of the image root at `root` ('' or a path ending in '/'), or
 * undefined when none of the files is there or readable.
 */
export async function detectOs(source: FileSource, root = ''): Promise<OsIdentity | undefined> {
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    const path = `${root}${rel}`;
    const text = await readText(source, path);
    if (text === undefined) continue;
    const f = parseOsRelease(text);
    const id = f.get('ID')?.toLowerCase();
    if (!id) continue;
    const o: OsIdentity = {
      id,
      idLike: (f.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
      path,
    };
    const opt: [keyof OsIdentity, string][] = [
      ['versionId', 'VERSION_ID'],
      ['name', 'NAME'],
      ['prettyName', 'PRETTY_NAME'],
      ['version', 'VERSION'],
      ['versionCodename', 'VERSION_CODENAME'],
      ['cpeName', 'CPE_NAME'],
      ['homeUrl', 'HOME_URL'],
    ];
    for (const [k, key] of opt) {
      const v = f.get(key);
      if (v) (o as unknown as Record<string, string>)[k] = v;
    }
    return o;
  }
  const path = `${root}etc/system-release`;
  const text = await readText(source, path);
  const sr = text === undefined ? undefined : parseSystemRelease(text);
  return sr ? { ...sr, path } : undefined;
}

async function readText(source: FileSource, path: string): Promise<string | undefined> {
  try {
    return (await source.read(path, MAX_RELEASE)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The purl `distro` qualifier: `<ID>-<VERSION_ID>` (`debian-12`), or the ID alone. */
export function distroQualifier(os: OsIdentity | undefined): string | undefined {
  if (!os) return undefined;
  return os.versionId ? `${os.id}-${os.versionId}` : os.id;
}
