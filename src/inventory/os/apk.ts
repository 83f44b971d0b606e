/**
 * Alpine packages: `lib/apk/db/installed`, one block per package of
 * `X:value` lines (P name, V version, A arch, o origin, L license, T
 * description, U url, m maintainer, D depends, p provides, F directory, R
 * file in it, Z its checksum). https://wiki.alpinelinux.org/wiki/Apk_spec
 */
import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import {
  parseErrorFinding,
  type CatalogContext,
  type CatalogResult,
  type Cataloger,
} from '../cataloger.js';
import { licenseOf } from '../license.js';
import { apkPurl } from '../purl.js';
import { checkOwnedFiles, underRoot, type RecordedFile } from './owned.js';
import { detectOs, distroQualifier, type OsIdentity } from './release.js';
import { APK_CATALOGER, APK_GLOBS } from './globs.js';

/** One package block of the installed database. */
export interface ApkRecord {
  fields: Map<string, string>;
  /** Files, root-relative, with their `Z:` checksum when there is one. */
  files: { path: string; checksum?: string }[];
}

/**
 * Parse the installed database. Blocks are separated by blank lines; `F:`
 * sets the directory the following `R:` files are in; `Z:` belongs to the
 * `R:` before it.
 */
export function parseApkInstalled(text: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let cur: ApkRecord | undefined;
  let dir = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur) out.push(cur);
      cur = undefined;
      dir = '';
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    cur ??= { fields: new Map(), files: [] };
    const key = line[0]!;
    const value = line.slice(2);
    if (key === 'F') dir = value;
    else if (key === 'R') cur.files.push({ path: dir ? `${dir}/${value}` : value });
    else if (key === 'Z') {
      const last = cur.files[cur.files.length - 1];
      if (last) last.checksum = value;
    } else if (!cur.fields.has(key)) cur.fields.set(key, value);
  }
  if (cur) out.push(cur);
  return out;
}

/** `Q1<base64 sha1>` → hex; other checksum forms (plain md5 hex) as they are. */
function checksumHex(z: string): { algorithm: string; hex: string } | undefined {
  if (z.startsWith('Q1')) {
    const b = Buffer.from(z.slice(2), 'base64');
    return b.length === 20 ? { algorithm: 'sha1', hex: b.toString('hex') } : undefined;
  }
  if (/^[0-9a-f]{32}$/i.test(z)) return { algorithm: 'md5', hex: z.toLowerCase() };
  return undefined;
}

/**
 * Installed Alpine packages; each owns its `R:` files, which are checked
 * against `Z:` (for symlinks apk hashes the target text), except under etc/.
 */
export const apkCataloger: Cataloger = {
  ...APK_GLOBS,
  async catalog(ctx) {
    const result: CatalogResult = { packages: [], findings: [] };
    for (const entry of ctx.matches) {
      try {
        const root = entry.path.slice(0, entry.path.length - 'lib/apk/db/installed'.length);
        const os = await detectOs(ctx.source, root);
        const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
        const records = parseApkInstalled(text);
        const pkgs: { pkg: Package; rec: ApkRecord }[] = [];
        for (const rec of records) {
          const r = await toPackage(ctx, entry.path, root, rec, os);
          if (!r) continue;
          pkgs.push({ pkg: r.pkg, rec });
          result.packages.push(r.pkg);
          result.findings.push(...r.findings);
        }
        linkDependencies(pkgs);
      } catch (err) {
        result.findings.push(parseErrorFinding(APK_CATALOGER, entry.path, err));
      }
    }
    return result;
  },
};

async function toPackage(
  ctx: CatalogContext,
  dbPath: string,
  root: string,
  rec: ApkRecord,
  os: OsIdentity | undefined
): Promise<{ pkg: Package; findings: Finding[] } | undefined> {
  const f = rec.fields;
  const name = f.get('P');
  const version = f.get('V');
  if (!name || !version) throw new Error('a package block has no P: or V:');
  const arch = f.get('A');
  const origin = f.get('o');
  const recorded: RecordedFile[] = [];
  for (const file of rec.files) {
    // apk protects etc/ as configuration (etc/apk/protected_paths.d): it may change.
    const mayChange = file.path === 'etc' || file.path.startsWith('etc/');
    const c = file.checksum ? checksumHex(file.checksum) : undefined;
    if (c)
      recorded.push({
        path: underRoot(root, file.path),
        ...c,
        symlinkTargetDigest: true,
        mayChange,
      });
  }
  const { owns, findings } = await checkOwnedFiles(
    ctx.source,
    `Alpine package ${name} ${version}`,
    root,
    rec.files.map((x) => x.path),
    recorded
  );
  const license = f.get('L');
  const lic = license ? licenseOf(license) : undefined;
  const properties: Record<string, string> = {};
  if (origin) properties['apk:origin'] = origin;
  const commit = f.get('c');
  if (commit) properties['apk:commit'] = commit;
  const description = f.get('T');
  const homepage = f.get('U');
  const maintainer = f.get('m');
  const pkg = newPackage({
    id: `apk:${dbPath}:${name}`,
    ecosystem: 'apk',
    name,
    version,
    purl: apkPurl(os?.id, name, version, {
      ...(arch ? { arch } : {}),
      ...(distroQualifier(os) ? { distro: distroQualifier(os)! } : {}),
      ...(origin && origin !== name ? { upstream: origin } : {}),
    }),
    foundBy: APK_CATALOGER,
    locations: [{ path: dbPath, layerDigest: ctx.layerDigest }],
    licenses: lic ? [lic] : [],
    owns,
    properties,
    findings,
    description,
    homepage,
    author: maintainer,
  });
  return { pkg, findings };
}

/** `D:` names (`so:libc.musl-x86_64.so.1`, `cmd:sh`, plain names) resolved through `P:` and `p:`. */
function linkDependencies(pkgs: readonly { pkg: Package; rec: ApkRecord }[]): void {
  const provider = new Map<string, Package>();
  for (const { pkg, rec } of pkgs) {
    provider.set(pkg.name, pkg);
    for (const p of (rec.fields.get('p') ?? '').split(/\s+/)) {
      const n = p.split(/[=<>~]/)[0];
      if (n && !provider.has(n)) provider.set(n, pkg);
    }
  }
  for (const { pkg, rec } of pkgs) {
    const deps = new Set<string>();
    for (const d of (rec.fields.get('D') ?? '').split(/\s+/)) {
      if (!d || d.startsWith('!')) continue;
      const target = provider.get(d.split(/[=<>~]/)[0] ?? '');
      if (target && target !== pkg) deps.add(target.id);
    }
    pkg.dependsOn.push(...[...deps].sort());
  }
}
