import type Picomatch from 'picomatch';
import { requireCjs } from '../util/cjs.js';
import { comparePaths } from '../unpack/paths.js';
import { relocate } from './relocate.js';
import type { Finding } from '../model/finding.js';
import { newPackage, type Package } from '../model/package.js';
import { LayerView, LinkIndex, PATH_MAX } from '../unpack/links.js';
import { DEFAULT_LIMITS, type FileEntry, type FileSource, type Limits } from '../unpack/source.js';

/** Longest layer-relative path a runtime can open under `/opt/` (PATH_MAX less the mount). */
export const MAX_RUNTIME_PATH = PATH_MAX - '/opt/'.length - 1;

/** What a cataloger is handed: the layer, the entries its globs matched, and the limits. */
export interface CatalogContext {
  /**
   * The layer as a runtime sees it: `get` and `read` follow symlinks inside
   * the layer (see LayerView), `entries` lists what the archive holds.
   */
  source: FileSource;
  /**
   * Entries matched by the cataloger's globs, sorted by path. A file reached
   * only through a symlink is matched under the first link path that fits the
   * globs (its `path` is that link path; `ctx.links.resolve` gives the real one).
   */
  matches: readonly FileEntry[];
  /** The layer's symlinks: real paths and the link paths that also reach them. */
  links: LinkIndex;
  limits: Limits;
  /** sha256 (hex) of the layer archive; stamp it on every Location. */
  layerDigest: string;
  /** Depth of the archive being cataloged (0 for the layer itself). */
  depth: number;
  /** Packages found by catalogers that ran earlier (the binary cataloger uses it for ownership). */
  earlier: readonly Package[];
  /** What the source's root is: a layer (mounted at /opt) or a whole image file system. */
  root: SourceRoot;
  /**
   * Image root only: files the image's own configuration makes the loader load or run (its
   * environment's `LD_PRELOAD`, the paths its entry point and command name), as it spells them:
   * root-relative or absolute paths, or bare names the loader searches for.
   */
  loaded?: readonly string[];
  /**
   * Image root only: the function's code directory, root-relative (`var/task`, or the config's
   * `LAMBDA_TASK_ROOT` or WorkingDir), which the runtimes put on their search paths.
   */
  taskRoot?: string;
  /**
   * Image root only: how its entry point's programs are found: the files it names by path, its
   * program (see configuredProgram) or a wrapper's command, and the directories a bare name is
   * searched in (see searchPath); and, given the image's links, the files its interpreters run
   * as their scripts, root-absolute (see interpreterScripts).
   */
  exec?: {
    programs: readonly string[];
    searchPath: readonly string[];
    scripts?: (links: LinkIndex) => readonly string[];
  };
  /**
   * Image root only: the lowest layer that wrote an entry at a path as the layers name it (no
   * link followed), versions later layers removed or replaced included; undefined when none did.
   */
  firstLayer?: (path: string) => number | undefined;
}

export type { SourceRoot } from './binary/ownership.js';
import type { SourceRoot } from './binary/ownership.js';

/**
 * What comes before Lambda's `/opt` directories (`python/`, `ruby/lib/`) in a source: nothing
 * in a layer (mounted at `/opt`), `opt/` in an image file system (layer-style content copied
 * under `/opt`).
 */
export function optPrefix(root: SourceRoot): string {
  return root === 'image' ? 'opt/' : '';
}

const picomatch = requireCjs('picomatch') as typeof Picomatch;

export interface CatalogResult {
  packages: Package[];
  findings: Finding[];
}

/**
 * A cataloger: a name, the globs of the files it reads, and a function that
 * turns those files into packages. Errors on one file become findings.
 */
export interface Cataloger {
  name: string;
  /** picomatch globs over layer-relative paths (dot files included). */
  globs: readonly string[];
  /** Entry kinds the globs apply to (default: regular files). */
  kinds?: readonly FileEntry['kind'][];
  /** Also match paths longer than a runtime can open (default false; the binary cataloger hashes them). */
  allPaths?: boolean;
  catalog(ctx: CatalogContext): Promise<CatalogResult>;
}

/** What decides which entries a cataloger reads, without its parsers: name, globs, kinds. */
export type CatalogerGlobs = Pick<Cataloger, 'name' | 'globs' | 'kinds' | 'allPaths'>;

/**
 * A cataloger whose parsers are imported the first time it has something to read: its globs
 * matched an entry (buildInventory calls a cataloger only then) and `wanted`, when given,
 * accepts the context. A layer of npm packages never loads the Java or Python parsers; start-up
 * pays only for the ecosystems the artifact holds.
 */
export function lazyCataloger(
  globs: CatalogerGlobs,
  load: () => Promise<Cataloger>,
  wanted?: (ctx: CatalogContext) => boolean
): Cataloger {
  let loaded: Promise<Cataloger> | undefined;
  return Object.freeze({
    ...globs,
    async catalog(ctx: CatalogContext): Promise<CatalogResult> {
      if (wanted && !wanted(ctx)) return { packages: [], findings: [] };
      loaded ??= load();
      return (await loaded).catalog(ctx);
    },
  });
}

/**
 * Build a matcher for a cataloger's globs. When every glob names literal text that each path it
 * matches holds (its tail, `*.jar` or `package.json`, at the end; else its longest literal
 * segment, `node_modules`, anywhere), a path without any of those texts is rejected without
 * running the globs' regular expressions: most entries of a large layer match no cataloger.
 */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  // One matcher per list of globs for the process: every archive read (each layer of a scan,
  // each jar nested in a layer) matches its entries against the same catalogers' lists, and
  // compiling them (picomatch's expressions, the needles) each time was most of that cost.
  let made = matchers.get(globs);
  if (made === undefined) matchers.set(globs, (made = newGlobMatcher(globs)));
  return made;
}

const matchers = new WeakMap<readonly string[], (path: string) => boolean>();

function newGlobMatcher(globs: readonly string[]): (path: string) => boolean {
  const compile = (): ((path: string) => boolean) => picomatch(globs as string[], { dot: true });
  const needles = globs.map(needleOf);
  if (needles.length === 0 || needles.some((n) => n === undefined)) return compile();
  const { ends, inside } = fewestNeedles(needles as Needle[]);
  // picomatch also accepts one trailing slash after a match.
  const endsSlashed = ends.map((t) => `${t}/`);
  // Compiled when a path first holds a needle: most catalogers never see one in a layer.
  let match: ((path: string) => boolean) | undefined;
  // Every entry of a layer meets every cataloger's needles (150,000 entries × 10 catalogers),
  // so this is a plain loop over strings made once.
  return (path) => {
    const tails = path.charCodeAt(path.length - 1) === SLASH ? endsSlashed : ends;
    for (const t of tails) if (path.endsWith(t)) return (match ??= compile())(path);
    for (const t of inside) if (path.includes(t)) return (match ??= compile())(path);
    return false;
  };
}

const SLASH = 0x2f;

/**
 * The needles a path must hold one of, without those another implies: a path ending with
 * `os.py` ends with `.py`, one holding `/node_modules/x` holds `node_modules` (the python
 * cataloger's 38 globs need 11 texts, npm's 17 need 2). The same paths hold one of them.
 */
export function fewestNeedles(needles: readonly Needle[]): { ends: string[]; inside: string[] } {
  const ends = [...new Set(needles.filter((n) => n.atEnd).map((n) => n.text))];
  const inside = [...new Set(needles.filter((n) => !n.atEnd).map((n) => n.text))];
  return {
    ends: ends.filter(
      (t) => !ends.some((o) => o !== t && t.endsWith(o)) && !inside.some((o) => t.includes(o))
    ),
    inside: inside.filter((t) => !inside.some((o) => o !== t && t.includes(o))),
  };
}

/** Literal text every path a glob matches holds: at its end, or somewhere in it. */
export interface Needle {
  text: string;
  atEnd: boolean;
}

/**
 * What every path a glob matches holds: the literal text after the last glob syntax character
 * of its last segment (at the end), else its longest segment without glob syntax (anywhere) when
 * no brace, bracket or extglob could span segments; undefined when it has neither or is a
 * negation.
 */
function needleOf(glob: string): Needle | undefined {
  if (glob.startsWith('!')) return undefined;
  const segments = glob.split('/');
  const last = segments[segments.length - 1]!;
  let cut = -1;
  for (let i = 0; i < last.length; i++) if (GLOB_SYNTAX.has(last[i]!)) cut = i;
  const tail = last.slice(cut + 1);
  if (tail !== '') return { text: tail, atEnd: true };
  // A brace, bracket or extglob may span segments (`{var/lib,usr/share}`): no segment is sure.
  if (/[{}()[\]]/.test(glob)) return undefined;
  let longest = '';
  for (const seg of segments)
    if (seg.length > longest.length && ![...seg].some((c) => GLOB_SYNTAX.has(c))) longest = seg;
  return longest === '' ? undefined : { text: longest, atEnd: false };
}

const GLOB_SYNTAX = new Set([...'*?[]{}()!+@\\']);

/** Run a parser per matched entry, turning a thrown error into a PARSE_ERROR finding. */
export async function perEntry(
  ctx: CatalogContext,
  catalogerName: string,
  parse: (entry: FileEntry) => Promise<CatalogResult | Package[] | void>
): Promise<CatalogResult> {
  const out: CatalogResult = { packages: [], findings: [] };
  for (const entry of ctx.matches) {
    try {
      const r = await parse(entry);
      if (!r) continue;
      if (Array.isArray(r)) out.packages.push(...r);
      else {
        out.packages.push(...r.packages);
        out.findings.push(...r.findings);
      }
    } catch (err) {
      out.findings.push(parseErrorFinding(catalogerName, entry.path, err));
    }
  }
  return out;
}

/**
 * A finding for a file a cataloger could not parse. Severity `error` by
 * default: what a runtime loads next to that file is not accounted for.
 */
export function parseErrorFinding(
  cataloger: string,
  path: string,
  err: unknown,
  severity: Finding['severity'] = 'error'
): Finding {
  const detail = err instanceof Error ? err.message : String(err);
  return {
    code: 'PARSE_ERROR',
    severity,
    path,
    message: `${cataloger}: could not parse ${path}: ${detail}`,
  };
}

/** A module a runtime loads by name from where it looks, with no package metadata claiming it. */
export interface BareModule {
  /** The name the runtime loads it by (`require('x')`, `import x`). */
  name: string;
  /** The module file, or the module's directory (no trailing '/'). */
  path: string;
  kind: 'file' | 'directory';
  /** A file of the directory (its first, in path order); the file itself for a `file`. */
  evidence: string;
}

/**
 * A package for a module a runtime loads with nothing to say what it is: named as the runtime
 * names it, with no version (a deny rule naming it matches whatever the version), owning the
 * module, and an `error` finding (`METADATA_INCOMPLETE`: `foundBy: message`), since nothing
 * says which package or version the code is.
 */
export function unclaimedModule(
  m: BareModule,
  p: Pick<Package, 'ecosystem' | 'purl' | 'foundBy' | 'properties'> & {
    layerDigest: string;
    /** Where the runtime looks for it (claims outside are refused). */
    installDir: string;
    message: string;
  }
): Package {
  return newPackage({
    id: `${p.ecosystem}:${m.path}`,
    ecosystem: p.ecosystem,
    name: m.name,
    purl: p.purl,
    foundBy: p.foundBy,
    locations: [{ path: m.evidence, layerDigest: p.layerDigest }],
    properties: p.properties,
    owns: [m.kind === 'file' ? m.path : `${m.path}/`],
    installDir: p.installDir,
    findings: [
      {
        code: 'METADATA_INCOMPLETE',
        severity: 'error',
        path: m.evidence,
        message: `${p.foundBy}: ${p.message}`,
      },
    ],
  });
}

/**
 * A cataloger's matched files (each under the link path that matched, when a link puts it
 * where the globs look) and every symbolic link of `entries`, in path order: what a runtime
 * that follows links finds by path.
 */
export function filesAndLinks(
  matches: readonly FileEntry[],
  entries: readonly FileEntry[]
): FileEntry[] {
  return [...matches, ...entries.filter((e) => e.kind === 'symlink')].sort((a, b) =>
    comparePaths(a.path, b.path)
  );
}

/**
 * `entries` and, for each file, every other path a runtime reaches it by through links, in path
 * order. A file matched under its own path (in a layer, `opt/python/x.py`, which the image globs
 * take) is then also seen where a link puts it (`python -> opt/python`), where a runtime looks.
 */
export function withLinkPaths(entries: readonly FileEntry[], links: LinkIndex): FileEntry[] {
  if (!links.hasLinks) return [...entries];
  const out = new Map<string, FileEntry>();
  // A link to a file is, to a runtime opening it, that file: `python/pkg/evil.py -> ../../x.txt`
  // is a module file, wherever the link sits, whichever of the two is listed first.
  const put = (e: FileEntry): void => {
    const had = out.get(e.path);
    if (had === undefined || (had.kind === 'symlink' && e.kind === 'file')) out.set(e.path, e);
  };
  for (const e of entries) {
    put(e);
    if (e.kind !== 'file') continue;
    const real = links.resolve(e.path);
    const base = real.ok ? real.path : e.path;
    for (const path of [base, ...links.aliases(base)]) put({ ...e, path });
  }
  return [...out.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * The entries a cataloger reads: its kinds (default regular files) whose
 * paths match its globs, plus files that match only under a link path (a
 * `node_modules/x` symlink to a folder, a symlinked `package.json` or jar),
 * each once, under the first such link path. Paths longer than a runtime can
 * open are left out unless the cataloger asks for them.
 */
export function matchEntries(
  cataloger: Cataloger,
  entries: readonly FileEntry[],
  links?: LinkIndex
): FileEntry[] {
  const match = globMatcher(cataloger.globs);
  const kinds = cataloger.kinds ?? ['file'];
  const fits = (path: string): boolean =>
    (cataloger.allPaths === true || path.length <= MAX_RUNTIME_PATH) && match(path);
  const out: FileEntry[] = [];
  for (const e of entries) {
    if (!kinds.includes(e.kind)) continue;
    if (fits(e.path)) {
      out.push(e);
      continue;
    }
    if (!links?.hasLinks || e.kind === 'symlink') continue;
    const via = links.aliases(e.path).find(fits);
    if (via !== undefined) out.push({ ...e, path: via });
  }
  return links?.hasLinks ? out.sort((a, b) => comparePaths(a.path, b.path)) : out;
}

/** Run one cataloger over a source on its own (tests, tools); buildInventory runs them all. */
export async function runCataloger(
  cataloger: Cataloger,
  source: FileSource,
  options: {
    limits?: Limits;
    layerDigest?: string;
    depth?: number;
    earlier?: readonly Package[];
    root?: SourceRoot;
  } = {}
): Promise<CatalogResult> {
  const view = source instanceof LayerView ? source : new LayerView(source);
  const result = await cataloger.catalog({
    source: view,
    links: view.links,
    matches: matchEntries(cataloger, source.entries(), view.links),
    limits: options.limits ?? DEFAULT_LIMITS,
    layerDigest: options.layerDigest ?? source.digest,
    depth: options.depth ?? 0,
    earlier: options.earlier ?? [],
    root: options.root ?? 'layer',
  });
  for (const p of result.packages) relocate(p, view.links);
  return result;
}
