/**
 * The files the dynamic loader loads for an ELF object's DT_NEEDED entries (and its DT_AUXILIARY
 * and DT_FILTER filtees, which glibc loads the same way and whose constructors run), found as glibc's
 * ld.so finds them (ld.so(8)): a name with a slash is a path; any other name is searched in the
 * object's DT_RUNPATH directories, or, when it has none, in its DT_RPATH directories and those of
 * the objects that loaded it. `$ORIGIN` (`${ORIGIN}`) in a name or a directory is the directory
 * of the object. Only what can lead into the layer (or the image) is followed. The library
 * directories the loader searches after these (LD_LIBRARY_PATH, ld.so.cache, `/lib64`,
 * `/usr/lib`) are covered by the binary cataloger's name and directory rules for a name that
 * looks like a library's; in an image, a name that does not (`core.dat`) is looked for under
 * every directory, since an image's LD_LIBRARY_PATH and default directories are its own.
 */
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { LinkIndex } from '../../unpack/links.js';
import type { ElfDynamic } from './elf.js';
import type { SourceRoot } from './ownership.js';
import type { FileEntry } from '../../unpack/source.js';
import { BINARY_CATALOGER, LIB_NAME } from './globs.js';

/** Most search directories one object's lists give (RUNPATH, or RPATH and its loaders'). */
export const MAX_SEARCH_DIRS = 64;
/** Most path lookups for one layer or image: each costs a walk of the link tree. */
export const MAX_LOOKUPS = 500_000;
/** Most search directories whose hardware-capability subdirectories are remembered. */
const MAX_CACHED_DIRS = 10_000;
/** Most distinct unlibrary-like names looked for across a whole image (each a walk of it). */
export const MAX_IMAGE_WIDE_NAMES = 64;

/**
 * Subdirectories of a search directory the loader tries before the directory itself, by the
 * machine it runs on: `glibc-hwcaps/<level>` (glibc 2.33 and later) and the legacy ones (glibc
 * before 2.37: `tls`, the AT_PLATFORM string, the important hwcaps, nested in that order), for
 * every machine Lambda runs (x86_64, arm64) and a few more; a name in any of them is looked for.
 */
export const HWCAP_SUBDIRS: readonly string[] = (() => {
  const out = [
    'x86-64-v4',
    'x86-64-v3',
    'x86-64-v2',
    'power10',
    'power9',
    'z16',
    'z15',
    'z14',
    'z13',
  ].map((l) => `glibc-hwcaps/${l}`);
  const platforms = ['', 'haswell', 'xeon_phi', 'x86_64', 'aarch64'];
  const hwcaps = ['', 'x86_64', 'avx512_1', 'x86_64/avx512_1', 'avx512_1/x86_64'];
  for (const tls of ['tls', ''])
    for (const p of platforms)
      for (const h of hwcaps) {
        const dir = [tls, p, h].filter((x) => x !== '').join('/');
        if (dir !== '') out.push(dir);
      }
  return [...new Set(out)];
})();

/** A dynamic string token the loader expands in a name or directory. */
const ORIGIN = /\$(?:\{ORIGIN\}|ORIGIN(?![A-Za-z0-9_]))/g;
const OTHER_DST = /\$(?:\{(?:LIB|PLATFORM)\}|(?:LIB|PLATFORM)(?![A-Za-z0-9_]))/;

/** What a loaded object passes on to what it loads: its DT_RPATH directories and its loaders'. */
export type InheritedRpath = readonly string[];

/** The files one object loads and what could not be told. */
export interface NeededFiles {
  /** Real root-relative paths of files the loader may open, in search order. */
  paths: string[];
  /** LIBRARY_NOT_RESOLVED errors. */
  findings: Finding[];
  /** DT_RPATH directories (absolute, expanded) its own dependencies inherit. */
  rpath: InheritedRpath;
}

/**
 * Follows DT_NEEDED for every ELF object the binary cataloger reads, within one budget of
 * MAX_LOOKUPS path lookups.
 */
export class NeededResolver {
  #lookups = 0;
  #exhausted = false;
  /** Each search directory's hardware-capability subdirectories that exist. */
  readonly #hwcaps = new Map<string, string[]>();

  /** Image only: the files of each unlibrary-like DT_NEEDED name, wherever they are. */
  readonly #everywhere = new Map<string, string[]>();

  /** `entries`: the source's entries, walked for a name only an image-wide search can find. */
  constructor(
    private readonly links: LinkIndex,
    private readonly root: SourceRoot,
    private readonly entries: () => readonly FileEntry[] = () => []
  ) {}

  /**
   * What the object at `path` (also reached as `names`, e.g. through a linked directory: each is a
   * directory `$ORIGIN` may stand for) loads for `dyn`, loaded by objects whose DT_RPATH
   * directories are `inherited`.
   */
  resolve(
    path: string,
    names: readonly string[],
    dyn: ElfDynamic,
    inherited: InheritedRpath = []
  ): NeededFiles {
    const findings: Finding[] = [];
    const paths: string[] = [];
    const seen = new Set<string>();
    const problems = new Set<string>();
    const origins = [...new Set((names.length > 0 ? names : [path]).map((n) => this.#abs(n)))].map(
      (n) => posix.dirname(n)
    );
    if (dyn.problem !== undefined)
      problems.add(`its dynamic section could not be read whole (${dyn.problem})`);

    // The object's own search list: RUNPATH alone, else its RPATH then its loaders'.
    const own = dyn.runpath ?? dyn.rpath;
    const dirs: string[] = [];
    for (const spec of (own ?? '').split(':')) {
      if (own === undefined) break;
      for (const d of this.#expand(spec, origins, 'directory', problems)) dirs.push(d);
    }
    const rpath = dyn.runpath === undefined ? [...dirs, ...inherited] : [...inherited];
    const search = [...new Set(dyn.runpath === undefined ? [...dirs, ...inherited] : dirs)];
    if (search.length > MAX_SEARCH_DIRS)
      problems.add(
        `it searches ${search.length} directories for its libraries, over ${MAX_SEARCH_DIRS}: only the first were looked in`
      );
    search.length = Math.min(search.length, MAX_SEARCH_DIRS);

    const found = (abs: string): void => {
      const r = this.#lookup(abs, problems);
      if (r?.ok && r.entry?.kind === 'file' && !seen.has(r.path)) {
        seen.add(r.path);
        paths.push(r.path);
      }
    };
    // A filtee (DT_AUXILIARY, DT_FILTER) is mapped as a DT_NEEDED name is (glibc's dl-deps.c).
    for (const name of [...dyn.needed, ...(dyn.filtees ?? [])]) {
      if (name === '') continue;
      if (name.includes('/')) {
        // A path, opened as given (after $ORIGIN is expanded).
        for (const p of this.#expand(name, origins, 'name', problems)) found(p);
        continue;
      }
      // Joined as the loader joins them: `..` is the kernel's to resolve, through any link.
      for (const dir of search) {
        for (const sub of this.#hwcapDirs(dir, problems)) found(`${sub}/${name}`);
        found(`${dir}/${name}`);
      }
      if (this.root === 'image' && !LIB_NAME.test(name))
        for (const p of this.#named(name, problems)) found(`/${p}`);
    }
    for (const why of problems)
      findings.push({
        code: 'LIBRARY_NOT_RESOLVED',
        severity: 'error',
        path,
        message: `${BINARY_CATALOGER}: cannot tell every file the dynamic loader loads for ${path}: ${why}`,
      });
    return { paths, findings, rpath: [...new Set(rpath)].slice(0, MAX_SEARCH_DIRS) };
  }

  /** One path lookup within the budget; undefined (and a problem said) past it. */
  #lookup(abs: string, problems: Set<string>): ReturnType<LinkIndex['resolve']> | undefined {
    if (this.#lookups >= MAX_LOOKUPS) {
      this.#exhausted = true;
      problems.add(
        `over ${MAX_LOOKUPS} library lookups in this ${this.root}: the rest were not made`
      );
      return undefined;
    }
    this.#lookups++;
    return this.links.resolve(this.#rel(abs));
  }

  /** The HWCAP_SUBDIRS of `dir` that are directories in the source. */
  #hwcapDirs(dir: string, problems: Set<string>): string[] {
    const cached = this.#hwcaps.get(dir);
    if (cached) return cached;
    const out: string[] = [];
    // Most directories have none: one lookup each of the two tops first.
    const tops = [...new Set(HWCAP_SUBDIRS.map((s) => s.split('/')[0]!))];
    const present = new Set(
      tops.filter((t) => {
        const r = this.#lookup(`${dir}/${t}`, problems);
        return r?.ok === true && (r.entry === undefined || r.entry.kind === 'dir');
      })
    );
    for (const sub of HWCAP_SUBDIRS) {
      if (!present.has(sub.split('/')[0]!)) continue;
      const r = sub.includes('/') ? this.#lookup(`${dir}/${sub}`, problems) : undefined;
      if (
        !sub.includes('/') ||
        (r?.ok === true && (r.entry === undefined || r.entry.kind === 'dir'))
      )
        out.push(`${dir}/${sub}`);
    }
    if (this.#hwcaps.size < MAX_CACHED_DIRS) this.#hwcaps.set(dir, out);
    return out;
  }

  /**
   * Every file of the image named `name`: the image's LD_LIBRARY_PATH (its config's), its default
   * directories and its ld.so.conf are all its own, and a file there not named like a library is
   * read by no other rule. At most MAX_IMAGE_WIDE_NAMES names; past that, a problem said.
   */
  #named(name: string, problems: Set<string>): string[] {
    let paths = this.#everywhere.get(name);
    if (paths) return paths;
    if (this.#everywhere.size >= MAX_IMAGE_WIDE_NAMES) {
      problems.add(
        `over ${MAX_IMAGE_WIDE_NAMES} DT_NEEDED names in this image do not look like a library's: the rest were not looked for`
      );
      return [];
    }
    paths = [];
    for (const e of this.entries())
      if (e.kind !== 'dir' && posix.basename(e.path) === name) paths.push(e.path);
    this.#everywhere.set(name, paths);
    return paths;
  }

  /** True once MAX_LOOKUPS was reached. */
  get exhausted(): boolean {
    return this.#exhausted;
  }

  /**
   * The absolute paths a DT_NEEDED path or a search directory stands for, one per `$ORIGIN`, or
   * none (with the reason in `problems`) when it cannot be told: relative to the process's
   * working directory, or with `$LIB` or `$PLATFORM` (which the loader expands by the machine)
   * where that could lead into the layer. Paths that stay outside a layer are dropped.
   */
  #expand(spec: string, origins: readonly string[], what: string, problems: Set<string>): string[] {
    const out = new Set<string>();
    const each =
      spec.search(ORIGIN) >= 0 ? origins.map((o) => spec.replace(ORIGIN, () => o)) : [spec];
    for (const p of each) {
      const dst = OTHER_DST.exec(p);
      if (dst) {
        // In a layer, a fixed prefix outside /opt with no `..` after it cannot lead into /opt.
        const prefix = p.slice(0, dst.index);
        const rest = p.slice(dst.index);
        const outside =
          this.root === 'layer' &&
          prefix.startsWith('/') &&
          !/(^|\/)\.\.(\/|$)/.test(rest) &&
          !this.#inside(posix.dirname(`${prefix}x`));
        if (!outside)
          problems.add(
            `the ${what} ${JSON.stringify(spec)} has ${dst[0]}, which the loader expands by the machine it runs on`
          );
        continue;
      }
      if (!p.startsWith('/')) {
        problems.add(
          `the ${what} ${JSON.stringify(spec)} is ${p === '' ? 'empty' : 'relative'}: the loader takes it from the working directory of the process`
        );
        continue;
      }
      if (this.root === 'layer' && !this.#inside(p)) continue;
      out.add(p);
    }
    return [...out];
  }

  /** Whether an absolute path can lead into the source: anything in an image, /opt in a layer. */
  #inside(abs: string): boolean {
    if (this.root === 'image') return true;
    const r = this.links.resolve(this.#rel(abs));
    return r.ok || r.reason !== 'outside';
  }

  /** A root-relative path as the runtime sees it: `/opt/x` for a layer's `x`, `/x` in an image. */
  #abs(path: string): string {
    return this.root === 'layer' ? `/opt/${path}` : `/${path}`;
  }

  /** An absolute path as LinkIndex.resolve takes it (`..` climbs to the mount point's parents). */
  #rel(abs: string): string {
    return this.root === 'layer' ? `..${abs}` : abs.slice(1);
  }
}
