/**
 * Debian packages: `var/lib/dpkg/status` (and distroless-style
 * `var/lib/dpkg/status.d/*`), the files each package installed from
 * `info/<pkg>.list`, and a modified-file check against `info/<pkg>.md5sums`, both where
 * `diversions` (dpkg-divert(1)) put a package's files.
 * Format: deb-status(5), deb-control(5) (https://manpages.debian.org/deb-status).
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
import { debPurl } from '../purl.js';
import { checkOwnedFiles, underRoot, type RecordedFile } from './owned.js';
import { detectOs, distroQualifier, type OsIdentity } from './release.js';
import { DPKG_CATALOGER, DPKG_GLOBS } from './globs.js';

/**
 * Package states whose files are on disk. `not-installed` and `config-files`
 * (removed, only conffiles left) are not inventoried.
 */
const UNPACKED_STATES = new Set([
  'installed',
  'unpacked',
  'half-configured',
  'half-installed',
  'triggers-awaiting',
  'triggers-pending',
]);

/** One stanza of a control file: field names lowercased, continuation lines joined with '\n'. */
export type Stanza = Map<string, string>;

/**
 * Parse deb822 stanzas (deb-control(5)): `Field: value` lines, continuation
 * lines starting with a space or tab, stanzas separated by blank lines.
 * @throws Error on a line that is neither a field nor a continuation
 */
export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | undefined;
  let last: string | undefined;
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') {
      if (cur) out.push(cur);
      cur = undefined;
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line[0] === ' ' || line[0] === '\t') {
      if (!cur || last === undefined)
        throw new Error(`line ${n + 1}: continuation without a field`);
      cur.set(last, `${cur.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`line ${n + 1}: not a field`);
    cur ??= new Map();
    last = line.slice(0, colon).trim().toLowerCase();
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur) out.push(cur);
  return out;
}

/** `name [(op version)] [:arch]` alternatives of a Depends-style field, as names. */
export function relationNames(field: string | undefined): string[][] {
  if (!field) return [];
  return field
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) => alt.trim().split(/[\s(]/)[0]?.replace(/:.*$/, '') ?? '')
        .filter(Boolean)
    )
    .filter((g) => g.length > 0);
}

/** `src (version)` or `src` → name and version. */
export function sourceOf(
  field: string | undefined
): { name: string; version?: string } | undefined {
  if (!field) return undefined;
  const m = /^(\S+)(?:\s+\((.+)\))?$/.exec(field.trim());
  if (!m?.[1]) return undefined;
  return m[2] ? { name: m[1], version: m[2].trim() } : { name: m[1] };
}

/** The image root a database path belongs to ('' or ending in '/'). */
function rootOf(path: string, marker: string): string {
  const i = path.lastIndexOf(marker);
  return i <= 0 ? '' : path.slice(0, i);
}

async function readOptional(ctx: CatalogContext, path: string): Promise<string | undefined> {
  const e = ctx.source.get(path);
  if (e?.kind !== 'file' && e?.kind !== 'symlink') return undefined;
  return (await ctx.source.read(path, ctx.limits.maxFileSize)).toString('utf8');
}

interface Found {
  pkg: Package;
  stanza: Stanza;
  root: string;
}

/**
 * Installed Debian packages. Each package owns the paths its `.list` names
 * (or, in status.d images, its `.md5sums` names), so the binary cataloger
 * leaves them out; files whose MD5 differs from `.md5sums` are findings.
 */
export const dpkgCataloger: Cataloger = {
  ...DPKG_GLOBS,
  async catalog(ctx) {
    const result: CatalogResult = { packages: [], findings: [] };
    const found: Found[] = [];
    const oses = new Map<string, OsIdentity | undefined>();
    const diversions = new Map<string, Diversions>();
    for (const entry of ctx.matches) {
      if (entry.path.endsWith('.md5sums') || entry.path.endsWith('.list')) continue;
      try {
        const root = rootOf(entry.path, 'var/lib/dpkg/');
        if (!oses.has(root)) oses.set(root, await detectOs(ctx.source, root));
        if (!diversions.has(root)) {
          const path = `${root}var/lib/dpkg/diversions`;
          try {
            diversions.set(root, parseDiversions((await readOptional(ctx, path)) ?? ''));
          } catch (err) {
            // What the packages' files are then is not known: none of them is checked or owned.
            diversions.set(root, { unread: true, to: new Map() });
            result.findings.push(parseErrorFinding(DPKG_CATALOGER, path, err));
          }
        }
        const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
        for (const stanza of parseStanzas(text)) {
          const f = await toPackage(
            ctx,
            entry,
            root,
            stanza,
            oses.get(root),
            diversions.get(root)!
          );
          if (!f) continue;
          found.push({ pkg: f.pkg, stanza, root });
          result.packages.push(f.pkg);
          result.findings.push(...f.findings);
        }
      } catch (err) {
        result.findings.push(parseErrorFinding(DPKG_CATALOGER, entry.path, err));
      }
    }
    linkDependencies(found);
    return result;
  },
};

async function toPackage(
  ctx: CatalogContext,
  entry: FileEntry,
  root: string,
  s: Stanza,
  os: OsIdentity | undefined,
  diversions: Diversions
): Promise<{ pkg: Package; findings: Finding[] } | undefined> {
  const name = s.get('package');
  const version = s.get('version');
  if (!name || !version) throw new Error('a stanza has no Package or Version');
  const statusField = s.get('status');
  const inStatusD =
    entry.path.includes('/status.d/') || entry.path.startsWith('var/lib/dpkg/status.d/');
  const state = statusField?.split(/\s+/)[2];
  if (statusField !== undefined ? !UNPACKED_STATES.has(state ?? '') : !inStatusD) return undefined;
  const arch = s.get('architecture');
  const src = sourceOf(s.get('source'));
  const upstream =
    src && (src.name !== name || (src.version !== undefined && src.version !== version))
      ? src.version !== undefined && src.version !== version
        ? `${src.name}@${src.version}`
        : src.name
      : undefined;

  // Where the package's file list and checksums are.
  const info = `${root}var/lib/dpkg/info/`;
  const stems = arch ? [`${name}:${arch}`, name] : [name];
  let listText: string | undefined;
  let md5Text: string | undefined;
  if (inStatusD) {
    md5Text = await readOptional(ctx, `${entry.path}.md5sums`);
  } else {
    for (const stem of stems) {
      listText ??= await readOptional(ctx, `${info}${stem}.list`);
      md5Text ??= await readOptional(ctx, `${info}${stem}.md5sums`);
    }
  }
  // A path another package (or the administrator) diverted holds that one's file; this
  // package's is where the diversion put it.
  const diverted = (p: string): string => {
    const d = diversions.to.get(`/${p.replace(/^\/+/, '')}`);
    return d && d.by !== name ? d.to : p;
  };
  const recorded = diversions.unread
    ? []
    : parseMd5sums(md5Text ?? '').map((r) => ({ ...r, path: underRoot(root, diverted(r.path)) }));
  const listed = diversions.unread
    ? []
    : listText
      ? listText
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '' && l !== '/.')
          .map(diverted)
      : recorded.map((r) => `/${r.path.slice(root.length)}`);
  // ` /etc/x <md5>` lines: an administrator may change them, so they are owned while unchanged.
  const conffiles = (s.get('conffiles') ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([p]) => p?.startsWith('/'));
  for (const [p, hex] of conffiles)
    if (hex && /^[0-9a-fA-F]{32}$/.test(hex) && !diversions.unread)
      recorded.push({
        path: underRoot(root, diverted(p!)),
        algorithm: 'md5',
        hex: hex.toLowerCase(),
        mayChange: true,
      });

  const owner = `${name} ${version}`;
  const { owns, findings } = await checkOwnedFiles(
    ctx.source,
    `Debian package ${owner}`,
    root,
    [...listed, ...(diversions.unread ? [] : conffiles.map(([p]) => diverted(p!)))],
    recorded
  );
  const properties: Record<string, string> = {};
  if (src) properties['deb:source'] = src.version ? `${src.name} (${src.version})` : src.name;
  const size = s.get('installed-size');
  if (size) properties['deb:installed-size-kib'] = size;
  if (state) properties['deb:status'] = state;
  const homepage = s.get('homepage');
  const maintainer = s.get('maintainer');
  const description = s.get('description')?.split('\n')[0];
  const pkg = newPackage({
    id: `deb:${entry.path}:${name}:${arch ?? ''}`,
    ecosystem: 'deb',
    name,
    version,
    purl: debPurl(os?.id, name, version, {
      ...(arch ? { arch } : {}),
      ...(distroQualifier(os) ? { distro: distroQualifier(os)! } : {}),
      ...(upstream ? { upstream } : {}),
    }),
    foundBy: DPKG_CATALOGER,
    locations: [{ path: entry.path, layerDigest: ctx.layerDigest }],
    owns,
    properties,
    findings,
    description,
    homepage,
    author: maintainer,
  });
  return { pkg, findings };
}

/** `md5  path` lines (paths relative to the root, as dpkg writes them). */
function parseMd5sums(text: string): RecordedFile[] {
  const out: RecordedFile[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{32})\s+(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out.push({ path: m[2], algorithm: 'md5', hex: m[1].toLowerCase() });
  }
  return out;
}

/**
 * dpkg's diversions (`var/lib/dpkg/diversions`): by the diverted path, where other packages'
 * file of that path is installed and which package diverted it (`:` for the administrator). A
 * database dpkg could not read either (`unread`) leaves every file unchecked and unowned.
 */
export interface Diversions {
  unread: boolean;
  to: ReadonlyMap<string, { to: string; by: string }>;
}

/**
 * Parse the diversions file: three lines per diversion (the path, where it is diverted to, the
 * diverting package), as dpkg-divert(1) keeps them.
 * @throws Error when the lines do not come in threes or a path is not absolute
 */
export function parseDiversions(text: string): Diversions {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length % 3 !== 0) throw new Error('the diversions file does not hold three lines each');
  const to = new Map<string, { to: string; by: string }>();
  for (let i = 0; i < lines.length; i += 3) {
    const [from, into, by] = [lines[i]!, lines[i + 1]!, lines[i + 2]!];
    // dpkg-divert writes canonical absolute paths; `..`, `.` or `//` would name one file two ways.
    if (!canonical(from) || !canonical(into))
      throw new Error(
        `a diversion of ${JSON.stringify(from)} is not between canonical absolute paths`
      );
    to.set(from, { to: into, by });
  }
  return { unread: false, to };
}

/** Depends and Pre-Depends edges to installed packages of the same root (by name or Provides). */
function linkDependencies(found: readonly Found[]): void {
  const byName = new Map<string, Package>();
  for (const f of found) {
    const key = `${f.root}\0`;
    byName.set(key + f.pkg.name, f.pkg);
    for (const [p] of relationNames(f.stanza.get('provides')))
      if (p && !byName.has(key + p)) byName.set(key + p, f.pkg);
  }
  for (const f of found) {
    const deps = new Set<string>();
    for (const field of ['pre-depends', 'depends'])
      for (const alts of relationNames(f.stanza.get(field))) {
        const hit = alts.map((a) => byName.get(`${f.root}\0${a}`)).find((p) => p !== undefined);
        if (hit && hit !== f.pkg) deps.add(hit.id);
      }
    f.pkg.dependsOn.push(...[...deps].sort());
  }
}

/** An absolute path with no empty, `.` or `..` component. */
function canonical(path: string): boolean {
  return (
    path.startsWith('/') &&
    path
      .slice(1)
      .split('/')
      .every((c) => c !== '' && c !== '.' && c !== '..')
  );
}
