/**
 * Module files in a package directory that a distribution's file list (RECORD, or an egg-info's
 * installed-files.txt) claims, which no list names. The RECORD check hashes the files a list
 * names; Python imports whatever the directory holds: with `tinylib/utils.py` listed and hashed,
 * an unlisted `tinylib/utils/__init__.py` is what `from tinylib import utils` runs (a package
 * directory is found before a module file of the same name), and an unlisted
 * `tinylib/extra.py` is importable as `tinylib.extra`. pip lists every file it installs,
 * compiled bytecode included, so an installed distribution has none.
 *
 * Module files are those the import system loads by name (source `.py`, extension modules `.so`
 * with any ABI tag) under directories `import` reaches by a dotted name. Bytecode is left to the
 * bytecode check (BYTECODE_NOT_VERIFIED), which reports every pyc Python may run, listed or not;
 * other files (`py.typed`, `.json`, `.txt`) are data no `import` runs.
 * https://docs.python.org/3/reference/import.html#regular-packages
 */
import type { Finding } from '../../model/finding.js';
import { importableDirs, MODULE_FILE } from './bare.js';

/** A distribution as the check sees it. */
export interface ListedDistribution {
  /** Its site directory, where its top-level modules are. */
  site: string;
  /**
   * The file list it has, the layer paths it names (which claim their directories), and those
   * that excuse a module file: a RECORD's rows with a hash lamina checks (and unhashed rows of
   * files Python does not run), every path of an installed-files.txt. Undefined when it has none.
   */
  list:
    | {
        kind: 'RECORD' | 'installed-files.txt';
        paths: readonly string[];
        excusing: readonly string[];
      }
    | undefined;
  /** How messages name it (`tinylib 1.0.0`). */
  label: string;
}

/** What the file lists of one site directory say. */
interface SiteLists {
  /** Every path a list names so as to excuse it (see ListedDistribution). */
  listed: Set<string>;
  /** Every path a list names, excusing it or not (a RECORD row with no hash lamina checks). */
  named: Set<string>;
  /** Every directory above a listed path, below the site directory. */
  listedDirs: Set<string>;
  /** Top-level package directories a list claims, and the first distribution whose list does. */
  claimed: Map<string, { label: string; kind: string }>;
  /**
   * What RECORDs alone say, as the three above: in a directory a RECORD claims only a RECORD row
   * lamina checks excuses a file (an installed-files.txt has no hashes, and a fake egg-info's
   * naming `../tinylib/utils/__init__.py` would otherwise excuse what the RECORD does not list).
   */
  record: { listed: Set<string>; listedDirs: Set<string>; claimed: Set<string> };
}

/** Files named in one finding's message; the count covers the rest. */
const SHOWN = 3;

/**
 * One `RECORD_FILE_UNLISTED` finding (severity error) per unlisted module file, or per directory
 * of them that no list names at all (the topmost such directory below the claimed one), among
 * `files` (paths as Python finds them: files, and links Python follows), in the package
 * directories that the distributions of the site directories `searched` accepts claim by their
 * file lists. A directory only a distribution without a file list claims (top_level.txt) is that
 * distribution's whole, as everywhere else, and not looked into; one a file list claims is looked
 * into whoever else claims it, and in one a RECORD claims only RECORD rows excuse a file.
 */
export function unlistedModuleFindings(
  dists: readonly ListedDistribution[],
  files: Iterable<{ path: string; kind: string }>,
  searched: (site: string) => boolean
): Finding[] {
  const sites = new Map<string, SiteLists>();
  const of = (site: string): SiteLists => {
    let s = sites.get(site);
    if (!s) {
      s = {
        listed: new Set(),
        named: new Set(),
        listedDirs: new Set(),
        claimed: new Map(),
        record: { listed: new Set(), listedDirs: new Set(), claimed: new Set() },
      };
      sites.set(site, s);
    }
    return s;
  };
  for (const d of dists) {
    if (!searched(d.site)) continue;
    const s = of(d.site);
    const base = d.site === '' ? '' : `${d.site}/`;
    if (d.list) {
      const record = d.list.kind === 'RECORD';
      for (const p of d.list.excusing) {
        if (!p.startsWith(base)) continue;
        s.listed.add(p);
        if (record) s.record.listed.add(p);
      }
      for (const p of d.list.paths) {
        if (!p.startsWith(base)) continue;
        s.named.add(p);
        const parts = p.slice(base.length).split('/');
        for (let i = 1; i < parts.length; i++) {
          const dir = base + parts.slice(0, i).join('/');
          s.listedDirs.add(dir);
          if (record) s.record.listedDirs.add(dir);
        }
        const top = `${base}${parts[0]!}`;
        if (parts.length < 2 || !importableDirs([parts[0]!])) continue;
        // The message names a RECORD that claims the directory before any other list.
        if (!s.claimed.has(top) || (record && !s.record.claimed.has(top)))
          s.claimed.set(top, { label: d.label, kind: d.list.kind });
        if (record) s.record.claimed.add(top);
      }
    }
  }
  if (sites.size === 0) return [];

  const units = new Map<string, { site: string; top: string; files: Set<string> }>();
  for (const e of files) {
    if (e.kind !== 'file' && e.kind !== 'symlink') continue;
    // Every site directory above it (python/ and python/lib/pythonX.Y/site-packages/ nest).
    for (let at = e.path.lastIndexOf('/'); at >= 0; at = e.path.lastIndexOf('/', at - 1)) {
      const site = e.path.slice(0, at);
      const s = sites.get(site);
      if (s) check(site, s, e.path, units);
    }
    const root = sites.get('');
    if (root) check('', root, e.path, units);
  }

  const out: Finding[] = [];
  for (const [unit, { site, top, files: found }] of units) {
    const s = sites.get(site)!;
    const by = s.claimed.get(top)!;
    const list = [...found].sort();
    const dir = list.length > 1 || list[0] !== unit;
    const rel = (p: string): string => p.slice(unit.length + 1);
    const names = list.slice(0, SHOWN).map(rel);
    const more = list.length > SHOWN ? `, and ${list.length - SHOWN} more` : '';
    out.push({
      code: 'RECORD_FILE_UNLISTED',
      severity: 'error',
      path: unit,
      message: dir
        ? `${unit}/ holds ${list.length === 1 ? 'a module file' : `${list.length} module files`} (${names.join(', ')}${more}) that ${by.label}'s ${by.kind} does not list, though it installed ${top}/: import ${moduleName(site, unit)} loads code no file list vouches for`
        : s.named.has(unit)
          ? `${unit} is listed only without a hash lamina checks, in a directory ${by.label}'s ${by.kind} installed (${top}/): import ${moduleName(site, unit)} loads code no file list vouches for`
          : `${unit} is not in ${by.label}'s ${by.kind}, though it installed ${top}/: import ${moduleName(site, unit)} loads code no file list vouches for`,
    });
  }
  return out.sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0));
}

/** Record `path` when it is an unlisted module file in a package directory a list claims. */
function check(
  site: string,
  s: SiteLists,
  path: string,
  units: Map<string, { site: string; top: string; files: Set<string> }>
): void {
  const base = site === '' ? '' : `${site}/`;
  const parts = path.slice(base.length).split('/');
  if (parts.length < 2) return;
  const top = `${base}${parts[0]!}`;
  // A list-less claim beside a list (a top_level.txt naming the same directory) excuses nothing:
  // one in a fake egg-info would otherwise hide every file the list does not name. Where a
  // RECORD claims the directory, only its hash-checked rows excuse (not an installed-files.txt).
  if (!s.claimed.has(top)) return;
  const lists = s.record.claimed.has(top) ? s.record : s;
  if (lists.listed.has(path)) return;
  const name = parts[parts.length - 1]!;
  if (!MODULE_FILE.test(name) || name.endsWith('.pyc')) return;
  if (!importableDirs(parts.slice(0, -1))) return;
  // The topmost directory below the claimed one that no list names anything in, else the file.
  let unit = path;
  for (let i = 2; i < parts.length; i++) {
    const dir = base + parts.slice(0, i).join('/');
    if (!lists.listedDirs.has(dir)) {
      unit = dir;
      break;
    }
  }
  const u = units.get(unit) ?? { site, top, files: new Set<string>() };
  u.files.add(path);
  units.set(unit, u);
}

/** The dotted name `import` takes a module file or package directory by. */
function moduleName(site: string, path: string): string {
  const rel = (site === '' ? path : path.slice(site.length + 1)).split('/');
  const last = rel[rel.length - 1]!;
  const stem = MODULE_FILE.exec(last)?.[1];
  if (stem !== undefined) {
    if (stem === '__init__') rel.pop();
    else rel[rel.length - 1] = stem;
  }
  return rel.join('.');
}
