import { mapLimit } from '../../util/pool.js';
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import type { FileEntry } from '../../unpack/source.js';
import type { CatalogContext, CatalogResult, Cataloger } from '../cataloger.js';
import { parseErrorFinding, perEntry } from '../cataloger.js';
import { pep503, pypiPurl } from '../purl.js';
import { pythonLicenses } from './license.js';
import { CoreMetadata } from './metadata.js';
import { parseRecord, recordPathInLayer, verifyRecordFile, type RecordRow } from './record.js';
import { parseRequirement, parseRequiresTxt, type Requirement } from './requirements.js';

const NAME = 'python-installed';

/** Files hashed at once while checking RECORDs. */
const HASH_CONCURRENCY = 8;

type Layout = 'dist-info' | 'egg-info' | 'egg-info-file' | 'egg';

interface Found {
  pkg: Package;
  site: string;
  requirements: Requirement[];
  recordChecks: { path: string; row: RecordRow & { hash: NonNullable<RecordRow['hash']> } }[];
}

/**
 * Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`
 * and single-file `*.egg-info`, in any site directory (Lambda's `python/` and
 * `python/lib/pythonX.Y/site-packages/`). Edges come from Requires-Dist (or an
 * egg's requires.txt) resolved by PEP 503 name; every hashed RECORD file is
 * checked, and a changed or missing file becomes a finding.
 * https://packaging.python.org/en/latest/specifications/recording-installed-packages/
 */
export const pythonCataloger: Cataloger = {
  name: NAME,
  globs: [
    '**/*.dist-info/METADATA',
    '**/*.egg-info/PKG-INFO',
    '**/*.egg-info',
    '**/*.egg/EGG-INFO/PKG-INFO',
  ],
  catalog,
};

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const found: Found[] = [];
  const children = childIndex(ctx.source.entries());
  const result = await perEntry(ctx, NAME, async (entry) => {
    const f = await parseDistribution(ctx, entry, children);
    if (!f) return undefined;
    found.push(f.found);
    return { packages: [f.found.pkg], findings: f.findings };
  });
  linkRequirements(found);
  await verifyRecords(ctx, found, result.findings);
  return result;
}

function layoutOf(path: string): Layout | undefined {
  if (path.endsWith('.dist-info/METADATA')) return 'dist-info';
  if (path.endsWith('.egg-info/PKG-INFO')) return 'egg-info';
  if (path.endsWith('.egg-info')) return 'egg-info-file';
  // An egg directory (easy_install, or a zip-safe egg unpacked): foo-1.0-py3.11.egg/EGG-INFO.
  if (path.endsWith('.egg/EGG-INFO/PKG-INFO')) return 'egg';
  return undefined;
}

async function parseDistribution(
  ctx: CatalogContext,
  entry: FileEntry,
  children: Map<string, string[]>
): Promise<{ found: Found; findings: Finding[] } | undefined> {
  const layout = layoutOf(entry.path);
  if (!layout) return undefined;
  const metaPath = layout === 'egg-info-file' ? entry.path : posix.dirname(entry.path);
  // An egg's metadata sits one level down, in its own directory inside the site dir.
  const site = layout === 'egg' ? parent(parent(metaPath)) : parent(metaPath);
  const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
  const meta = new CoreMetadata(text);
  const findings: Finding[] = [];

  const pkg = newPackage({
    id: `pypi:${metaPath}`,
    ecosystem: 'pypi',
    name: meta.name,
    version: meta.version,
    purl: pypiPurl(meta.name, meta.version),
    foundBy: NAME,
    locations: [{ path: entry.path, layerDigest: ctx.layerDigest }],
    licenses: pythonLicenses(meta),
    properties: { 'python:site': site },
    description: meta.get('summary'),
    author: meta.get('author') ?? meta.get('author-email'),
    homepage: meta.homepage,
  });

  const requirements = meta
    .all('requires-dist')
    .map(parseRequirement)
    .filter((r) => r !== undefined);
  const recordChecks: Found['recordChecks'] = [];
  const owns = new Set<string>();
  const readOptional = async (path: string): Promise<string | undefined> => {
    if (ctx.source.get(path)?.kind !== 'file') return undefined;
    try {
      return (await ctx.source.read(path, ctx.limits.maxFileSize)).toString('utf8');
    } catch (err) {
      findings.push(parseErrorFinding(NAME, path, err));
      return undefined;
    }
  };

  if (layout === 'egg-info-file') {
    owns.add(metaPath);
  } else if (layout === 'egg') {
    // The egg directory holds the distribution's code and its metadata.
    owns.add(`${parent(metaPath)}/`);
    const requiresTxt = await readOptional(`${metaPath}/requires.txt`);
    if (requiresTxt !== undefined) requirements.push(...parseRequiresTxt(requiresTxt));
  } else {
    owns.add(`${metaPath}/`);
    const listed =
      layout === 'dist-info'
        ? recordFiles(
            metaPath,
            site,
            await readOptional(`${metaPath}/RECORD`),
            recordChecks,
            findings
          )
        : installedFiles(metaPath, await readOptional(`${metaPath}/installed-files.txt`));
    if (listed) for (const p of listed) owns.add(p);
    else {
      const topLevel = await readOptional(`${metaPath}/top_level.txt`);
      for (const p of topLevelPaths(site, topLevel ?? '', children)) owns.add(p);
    }
    if (layout === 'egg-info') {
      const requiresTxt = await readOptional(`${metaPath}/requires.txt`);
      if (requiresTxt !== undefined) requirements.push(...parseRequiresTxt(requiresTxt));
    }
  }
  pkg.owns = [...owns].sort();
  return { found: { pkg, site, requirements, recordChecks }, findings };
}

/** RECORD rows inside the layer; queues the hashed ones for checking. */
function recordFiles(
  dir: string,
  siteDir: string,
  text: string | undefined,
  checks: Found['recordChecks'],
  findings: Finding[]
): string[] | undefined {
  if (text === undefined) return undefined;
  let rows: RecordRow[];
  try {
    rows = parseRecord(text);
  } catch (err) {
    findings.push(parseErrorFinding(NAME, `${dir}/RECORD`, err));
    return undefined;
  }
  const paths: string[] = [];
  for (const row of rows) {
    const path = recordPathInLayer(siteDir, row.path);
    if (path === undefined) continue;
    paths.push(path);
    // RECORD itself and compiled .pyc files are listed without a hash.
    if (row.hash) checks.push({ path, row: { ...row, hash: row.hash } });
  }
  return paths;
}

/** Layer-relative parent directory ('' at the layer root). */
function parent(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

/** setuptools' installed-files.txt: paths relative to the egg-info directory. */
function installedFiles(eggInfo: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l)
    .map((l) => recordPathInLayer(eggInfo, l))
    .filter((p) => p !== undefined);
}

/** Top-level modules named in top_level.txt, as the directories and files present in the site dir. */
function topLevelPaths(site: string, text: string, children: Map<string, string[]>): string[] {
  const out: string[] = [];
  const inSite = children.get(site) ?? [];
  for (const name of text.split(/\r?\n/).map((l) => l.trim())) {
    if (!name || name.includes('/')) continue;
    const base = site ? `${site}/${name}` : name;
    for (const child of inSite) {
      if (child === `${name}/`) out.push(`${base}/`);
      // name.py, name.cpython-311-x86_64-linux-gnu.so, name.pyd ...
      else if (child.startsWith(`${name}.`) && !child.endsWith('/'))
        out.push(`${base}${child.slice(name.length)}`);
    }
  }
  return out;
}

/** Names of each directory's entries (directories with a trailing '/'), for top_level.txt lookups. */
function childIndex(entries: readonly FileEntry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const dir = parent(e.path);
    const list = out.get(dir) ?? [];
    list.push(posix.basename(e.path) + (e.kind === 'dir' ? '/' : ''));
    out.set(dir, list);
  }
  return out;
}

/**
 * Site directories on the same Lambda sys.path: `python` and
 * `python/lib/pythonX.Y/site-packages` both are, so a package in one may import
 * one in the other.
 */
function relatedSites(site: string, all: Iterable<string>): string[] {
  const up = /^(.*)\/lib\/python\d+(?:\.\d+)?\/site-packages$/.exec(site)?.[1];
  const out: string[] = [];
  for (const s of all) {
    if (s === site) continue;
    if (s === up || /^(.*)\/lib\/python\d+(?:\.\d+)?\/site-packages$/.exec(s)?.[1] === site)
      out.push(s);
  }
  return out.sort();
}

function linkRequirements(found: Found[]): void {
  const bySite = new Map<string, Map<string, string>>();
  for (const f of found) {
    const names = bySite.get(f.site) ?? new Map<string, string>();
    // Two copies of one name in a site dir: the first (path order) wins, as on sys.path listing order.
    if (!names.has(pep503(f.pkg.name))) names.set(pep503(f.pkg.name), f.pkg.id);
    bySite.set(f.site, names);
  }
  for (const f of found) {
    const sites = [f.site, ...relatedSites(f.site, bySite.keys())];
    const edges = new Set<string>();
    const missing = new Set<string>();
    for (const req of f.requirements) {
      if (req.kind === 'extra') continue;
      const key = pep503(req.name);
      const target = sites.map((s) => bySite.get(s)?.get(key)).find((id) => id !== undefined);
      if (target && target !== f.pkg.id) edges.add(target);
      else if (!target && req.kind === 'required') missing.add(key);
    }
    f.pkg.dependsOn = [...edges].sort();
    if (missing.size > 0)
      f.pkg.properties['python:missing-requires'] = [...missing].sort().join(',');
  }
}

async function verifyRecords(
  ctx: CatalogContext,
  found: Found[],
  findings: Finding[]
): Promise<void> {
  const jobs = found.flatMap((f) => f.recordChecks.map((c) => ({ f, ...c })));
  const results = await mapLimit(jobs, HASH_CONCURRENCY, async (job) => {
    try {
      return await verifyRecordFile(ctx.source, job.path, job.row, job.f.pkg.id);
    } catch (err) {
      const finding: Finding = {
        code: 'READ_ERROR',
        severity: 'warning',
        path: job.path,
        message: `${NAME}: could not read ${job.path}: ${err instanceof Error ? err.message : String(err)}`,
      };
      return finding;
    }
  });
  for (const [i, finding] of results.entries()) {
    if (!finding) continue;
    jobs[i]?.f.pkg.findings.push(finding);
    findings.push(finding);
  }
}
