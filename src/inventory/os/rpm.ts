/**
 * rpm packages, from the database in any of the places distributions keep
 * it (`var/lib/rpm`, `usr/lib/sysimage/rpm`, `usr/share/rpm`): SQLite
 * `rpmdb.sqlite` (Amazon Linux 2023, Fedora 33+), with its write-ahead log
 * applied, and the Berkeley DB hash `Packages` (Amazon Linux 2, RHEL 7/8).
 * The NDB format (`Packages.db`, SUSE) is reported, not read.
 */
import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import type { FileEntry } from '../../unpack/source.js';
import {
  parseErrorFinding,
  type CatalogContext,
  type CatalogResult,
  type Cataloger,
} from '../cataloger.js';
import { licenseOf } from '../license.js';
import { rpmPurl } from '../purl.js';
import { isBdbHash, readBdbHashValues } from './bdb.js';
import { checkOwnedFiles, underRoot, type RecordedFile } from './owned.js';
import { detectOs, distroQualifier, type OsIdentity } from './release.js';
import { DIGEST_ALGO, RPMFILE_CONFIG, RPMFILE_GHOST, RpmHeader, TAG } from './rpm-header.js';
import { applyWal, isSqlite, withSqlite } from './sqlite.js';
import { RPM_CATALOGER, RPM_GLOBS } from './globs.js';

const DB_DIRS = ['var/lib/rpm/', 'usr/lib/sysimage/rpm/', 'usr/share/rpm/'];

/** Where a database file sits: its image root and format. */
function locate(path: string): { root: string; file: string } | undefined {
  for (const dir of DB_DIRS) {
    const i = path.lastIndexOf(dir);
    if (i < 0 || (i > 0 && path[i - 1] !== '/')) continue;
    const file = path.slice(i + dir.length);
    if (!file.includes('/')) return { root: path.slice(0, i), file };
  }
  return undefined;
}

/**
 * Read the header blobs of an rpm database file.
 * @returns the blobs, and findings about the database itself (WAL, format)
 */
export async function readRpmDatabase(
  bytes: Buffer,
  wal: Buffer | undefined,
  path: string
): Promise<{ blobs: Buffer[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  if (isSqlite(bytes)) {
    const w = applyWal(bytes, wal);
    if (w.problem)
      findings.push({
        code: 'DATABASE_WAL',
        severity: 'error',
        path: `${path}-wal`,
        message: `${path}-wal could not be applied (${w.problem}): packages installed since the last checkpoint may be missing`,
      });
    else if (w.applied > 0 || w.uncommitted > 0)
      findings.push({
        code: 'DATABASE_WAL',
        severity: 'info',
        path: `${path}-wal`,
        message: `applied ${w.applied} committed page(s) of ${path}-wal${w.uncommitted ? `; ignored ${w.uncommitted} uncommitted` : ''}`,
      });
    const blobs = await withSqlite(w.db, (query) => {
      const kind = query("SELECT type FROM sqlite_schema WHERE name = 'Packages'")[0]?.[0];
      if (kind !== 'table') throw new Error('no Packages table');
      return query('SELECT hnum, blob FROM Packages ORDER BY hnum').map(([, blob]) => {
        if (!(blob instanceof Uint8Array)) throw new Error('a Packages row holds no blob');
        return Buffer.from(blob);
      });
    });
    return { blobs, findings };
  }
  if (isBdbHash(bytes))
    return { blobs: readBdbHashValues(bytes).filter((b) => b.length >= 16), findings };
  throw new Error('neither an SQLite nor a Berkeley DB hash rpm database');
}

/**
 * Installed rpm packages (gpg-pubkey pseudo-packages left out). Each owns its
 * file list; files whose digest differs from FILEDIGESTS are findings
 * (%config and %ghost files excepted).
 */
export const rpmCataloger: Cataloger = {
  ...RPM_GLOBS,
  async catalog(ctx) {
    const result: CatalogResult = { packages: [], findings: [] };
    for (const entry of ctx.matches) {
      const where = locate(entry.path);
      if (!where) continue;
      try {
        if (where.file === 'Packages.db') {
          result.findings.push({
            code: 'UNSUPPORTED_DATABASE',
            severity: 'error',
            path: entry.path,
            message: `${entry.path} is an rpm NDB database, which lamina does not read: its packages are not inventoried`,
          });
          continue;
        }
        const r = await catalogDatabase(ctx, entry, where.root);
        result.packages.push(...r.packages);
        result.findings.push(...r.findings);
      } catch (err) {
        const f = parseErrorFinding(RPM_CATALOGER, entry.path, err);
        // An rpm database that cannot be read hides every package in it.
        result.findings.push({ ...f, severity: 'error' });
      }
    }
    return result;
  },
};

async function catalogDatabase(
  ctx: CatalogContext,
  entry: FileEntry,
  root: string
): Promise<CatalogResult> {
  const bytes = await ctx.source.read(entry.path, ctx.limits.maxNestedSize);
  const walEntry = ctx.source.get(`${entry.path}-wal`);
  const wal =
    walEntry?.kind === 'file'
      ? await ctx.source.read(walEntry.path, ctx.limits.maxNestedSize)
      : undefined;
  const { blobs, findings } = await readRpmDatabase(bytes, wal, entry.path);
  const os = await detectOs(ctx.source, root);
  const packages: Package[] = [];
  const provides = new Map<string, Package>();
  const requires = new Map<Package, string[]>();
  for (const blob of blobs) {
    let h: RpmHeader;
    try {
      h = new RpmHeader(blob);
    } catch (err) {
      findings.push({ ...parseErrorFinding(RPM_CATALOGER, entry.path, err), severity: 'error' });
      continue;
    }
    const name = h.string(TAG.NAME);
    if (!name || name === 'gpg-pubkey') continue;
    const { pkg, findings: f } = await toPackage(ctx, entry.path, root, h, name, os);
    packages.push(pkg);
    findings.push(...f);
    for (const p of [name, ...h.strings(TAG.PROVIDENAME), ...h.files()])
      if (!provides.has(p)) provides.set(p, pkg);
    requires.set(pkg, h.strings(TAG.REQUIRENAME));
  }
  for (const [pkg, reqs] of requires) {
    const deps = new Set<string>();
    for (const r of reqs) {
      const t = provides.get(r);
      if (t && t !== pkg) deps.add(t.id);
    }
    pkg.dependsOn.push(...[...deps].sort());
  }
  return { packages, findings };
}

async function toPackage(
  ctx: CatalogContext,
  dbPath: string,
  root: string,
  h: RpmHeader,
  name: string,
  os: OsIdentity | undefined
): Promise<{ pkg: Package; findings: Finding[] }> {
  const version = h.string(TAG.VERSION);
  const release = h.string(TAG.RELEASE);
  const epoch = h.int(TAG.EPOCH);
  const arch = h.string(TAG.ARCH);
  const sourceRpm = h.string(TAG.SOURCERPM);
  const vr = version !== undefined ? (release ? `${version}-${release}` : version) : undefined;
  const files = h.files();
  const evr = `${epoch !== undefined ? `${epoch}:` : ''}${vr ?? ''}`;

  const recorded: RecordedFile[] = [];
  const digests = h.strings(TAG.FILEDIGESTS);
  const algorithm = DIGEST_ALGO[h.int(TAG.FILEDIGESTALGO) ?? 1];
  const flags = h.ints(TAG.FILEFLAGS);
  const modes = h.ints(TAG.FILEMODES);
  if (algorithm && digests.length === files.length)
    files.forEach((f, i) => {
      const hex = digests[i] ?? '';
      const regular = ((modes[i] ?? 0) & 0o170000) === 0o100000;
      if (!hex || !regular || ((flags[i] ?? 0) & RPMFILE_GHOST) !== 0) return;
      const mayChange = ((flags[i] ?? 0) & RPMFILE_CONFIG) !== 0;
      recorded.push({ path: underRoot(root, f), algorithm, hex: hex.toLowerCase(), mayChange });
    });
  const { owns, findings } = await checkOwnedFiles(
    ctx.source,
    `rpm package ${name}-${evr}`,
    root,
    files,
    recorded
  );

  const properties: Record<string, string> = {};
  if (sourceRpm) properties['rpm:sourcerpm'] = sourceRpm;
  if (epoch !== undefined) properties['rpm:epoch'] = String(epoch);
  const vendor = h.string(TAG.VENDOR);
  if (vendor) properties['rpm:vendor'] = vendor;
  const size = h.int(TAG.SIZE);
  if (size !== undefined) properties['rpm:size'] = String(size);
  const license = h.string(TAG.LICENSE);
  const lic = license ? licenseOf(license) : undefined;
  const description = h.string(TAG.SUMMARY);
  const homepage = h.string(TAG.URL);
  const pkg = newPackage({
    id: `rpm:${dbPath}:${name}-${evr}.${arch ?? ''}`,
    ecosystem: 'rpm',
    name,
    ...(vr !== undefined ? { version: vr } : {}),
    purl: rpmPurl(os?.id, name, vr, {
      ...(arch ? { arch } : {}),
      ...(epoch !== undefined ? { epoch: String(epoch) } : {}),
      ...(distroQualifier(os) ? { distro: distroQualifier(os)! } : {}),
      ...(sourceRpm ? { upstream: sourceRpm } : {}),
    }),
    foundBy: RPM_CATALOGER,
    locations: [{ path: dbPath, layerDigest: ctx.layerDigest }],
    licenses: lic ? [lic] : [],
    owns,
    properties,
    findings,
    description,
    homepage,
  });
  return { pkg, findings };
}
