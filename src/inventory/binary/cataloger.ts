import { createHash } from 'node:crypto';
import { digestEntry } from '../../unpack/hash.js';
import { posix } from 'node:path';
import { mapLimit } from '../../util/pool.js';
import type { Finding } from '../../model/finding.js';
import { newPackage, type Location, type Package } from '../../model/package.js';
import type { FileEntry } from '../../unpack/source.js';
import {
  type CatalogContext,
  type CatalogResult,
  type Cataloger,
  type SourceRoot,
  parseErrorFinding,
} from '../cataloger.js';
import { cargoPurl, golangPurl } from '../purl.js';
import { readCargoAuditable, type AuditableInfo } from './auditable.js';
import {
  elfKind,
  elfMachineName,
  elfTypeName,
  isElf,
  parseElf,
  parseElfHeader,
  type ElfDynamic,
  type ElfFile,
  type ElfHeader,
  type ElfKind,
} from './elf.js';
import { readGoBuildInfo, type GoBuildInfo, type GoModule } from './gobuildinfo.js';
import {
  BINARY_CATALOGER,
  BINARY_GLOBS,
  atOptRoot,
  isCandidate,
  isExtension,
  isRubyStartup,
  isSitePth,
  LIB_NAME,
  topDir,
} from './globs.js';
import { OwnershipIndex, redirectedParts } from './ownership.js';
import { LD_SO_CACHE, MAX_LD_CACHE_SIZE, parseLdCache } from './ldcache.js';
import {
  MAX_OPENSSL_CONFIG_SIZE,
  MAX_OPENSSL_CONFIGS,
  OPENSSL_CONFIGS,
  scanOpensslConfig,
} from './openssl.js';
import { LD_SO_PRELOAD, preloadedPaths, splitPreloadList } from './preload.js';
import { NeededResolver, type InheritedRpath } from './needed.js';

/** How many candidates are read at once: enough to overlap I/O, few enough to bound memory. */
const CONCURRENCY = 8;
/**
 * Binaries larger than this are read one at a time after the others, so at
 * most CONCURRENCY × this plus one --max-nested-size buffer is held at once.
 */
const LARGE = 16 * 1024 * 1024;
/** Bytes read to tell an ELF or a script from anything else. */
const SNIFF = 64;
/** Bound on decompressed cargo-auditable JSON. */
const MAX_AUDIT_JSON = 8 * 1024 * 1024;

/** Go build settings kept as properties: the ones that say what was built and from where. */
const GO_SETTINGS = new Set([
  'GOOS',
  'GOARCH',
  'CGO_ENABLED',
  '-tags',
  'vcs',
  'vcs.revision',
  'vcs.time',
  'vcs.modified',
]);

/**
 * `binary:format` property: ELF, a `#!` script, a Python `.pth` file, or anything else that
 * runs (an extension, an executable without `#!`).
 */
type Format = 'elf' | 'script' | 'pth' | 'other';

/** One file to look at: its real entry, every path a runtime reaches it by, and its owner. */
interface Candidate {
  entry: FileEntry;
  /** The real path first, then the link paths. */
  names: readonly string[];
  owner: Package | undefined;
  /** A package that claimed it and was refused (it stays unowned). */
  claimant: Package | undefined;
  /** Found only as a DT_NEEDED of this object: the loader loads it whatever its name and mode. */
  neededBy?: string;
  /** Image root: what an entry point execs, by path or found on PATH, a script too. */
  executed?: boolean;
  /** Image root: what an interpreter of the entry point runs as its script, whatever its mode. */
  interpreted?: boolean;
}

/** What reading one candidate gave, with what the loader loads for it when it is ELF. */
type FileResult = CatalogResult & { dynamic?: ElfDynamic };

/**
 * Catalogs what runs in a layer: every ELF executable, shared library and
 * native addon, every `#!` script or executable file in `bin/` or
 * `extensions/` (in an image, also the entry point's program and every such
 * file in a directory on its PATH), anything Lambda starts from `extensions/`, every executable
 * file directly in `/opt` (`/opt/bootstrap`, an exec wrapper) and every `.pth`
 * file of a Python site directory (the runtime runs its `import` lines), each
 * also when reached through a symlink, and every file the dynamic loader loads
 * for one of these ELF objects (its DT_NEEDED, see NeededResolver) whatever its
 * name or mode, becomes a `file` component with its
 * SHA-256, owned or not; the owner (the deepest package claiming it, see
 * OwnershipIndex) is recorded in `ownedBy`. Go programs (from their build
 * info) and Rust programs built with cargo-auditable also become their
 * modules and crates. Runs last, so packages found by the other catalogers
 * are in `ctx.earlier`.
 */
export const binaryCataloger: Cataloger = {
  ...BINARY_GLOBS,
  async catalog(ctx: CatalogContext): Promise<CatalogResult> {
    const owners = new OwnershipIndex(
      ctx.earlier,
      ctx.root,
      ctx.root === 'image' ? redirectedParts((p) => realDir(ctx, p)) : undefined
    );
    const loaded = await imageLoaded(ctx);
    const executed = executedBy(ctx);
    const interpreted = interpretedBy(ctx);
    const candidates: Candidate[] = [];
    const candidate = (e: FileEntry, names: string[], neededBy?: string): Candidate => {
      const owner = owners.owner(e.path);
      return {
        entry: e,
        names,
        owner,
        claimant: owner ? undefined : owners.refusedClaimant(e.path),
        ...(neededBy !== undefined ? { neededBy } : {}),
      };
    };
    for (const e of ctx.matches) {
      const names = [e.path, ...ctx.links.aliases(e.path)];
      const script = interpreted.has(e.path);
      if (!isCandidate(e, names, ctx.root) && !loaded.paths.has(e.path) && !script) continue;
      candidates.push({
        ...candidate(e, names),
        executed: executed(e.path, names),
        interpreted: script,
      });
    }
    const one = async (c: Candidate): Promise<FileResult> => {
      try {
        const r = await catalogFile(ctx, c);
        // Say why a recorded file is unowned when some package's metadata claimed it.
        if (c.claimant && r.packages.some((p) => p.type === 'file' && p.ownedBy === undefined))
          r.findings.push({
            code: 'OWNERSHIP_CLAIM_IGNORED',
            severity: 'info',
            path: c.entry.path,
            message: `${describe(c.claimant)} lists ${c.entry.path}, but a package's metadata may not claim files in bin/, lib/ or extensions/ or outside its own install directory: left unowned`,
          });
        return r;
      } catch (err) {
        // Reading failed (I/O, archive error): report and keep going.
        return {
          packages: [],
          findings: [
            {
              code: 'READ_ERROR',
              severity: 'error',
              path: c.entry.path,
              message: `${BINARY_CATALOGER}: could not read ${c.entry.path}: ${err instanceof Error ? err.message : String(err)}`,
            } satisfies Finding,
          ],
        };
      }
    };
    const readAll = async (cs: readonly Candidate[]): Promise<[Candidate, FileResult][]> => {
      const small = cs.filter((c) => c.entry.size <= LARGE);
      const large = cs.filter((c) => c.entry.size > LARGE);
      const rs = [...(await mapLimit(small, CONCURRENCY, one)), ...(await mapLimit(large, 1, one))];
      return [...small, ...large].map((c, i) => [c, rs[i]!]);
    };
    const round = await readAll(candidates);
    const results = round.map(([, r]) => r);
    // What the loader loads for the ELF objects read, whatever its name or mode.
    results.push(...(await followNeeded(ctx, round, readAll, candidate)));
    return {
      packages: results.flatMap((r) => r.packages),
      findings: [...loaded.findings, ...results.flatMap((r) => r.findings)],
    };
  },
};

/** The real path of a directory reached through symlinks, when it is one. */
function realDir(ctx: CatalogContext, path: string): string | undefined {
  const r = ctx.links.resolve(path);
  return r.ok && (r.entry === undefined || r.entry.kind === 'dir') ? r.path : undefined;
}

/**
 * In an image, what the loader preloads into every process (`/etc/ld.so.preload`, the config's
 * `LD_PRELOAD`), every file `/etc/ld.so.cache` maps a soname to (the loader opens it for any
 * program needing that soname), and what the config's entry point and command name: read
 * whatever its mode or name (`ld.so FILE` runs a file of mode 0644). A preload file or cache that
 * cannot be read, or a cache that cannot be parsed as the loader would, is an error.
 */
async function imageLoaded(
  ctx: CatalogContext
): Promise<{ paths: Set<string>; findings: Finding[] }> {
  const findings: Finding[] = [];
  if (ctx.root !== 'image') return { paths: new Set(), findings };
  const names = [...(ctx.loaded ?? [])];
  if (ctx.source.get(LD_SO_PRELOAD)?.kind === 'file') {
    const got = await readConfig(ctx, LD_SO_PRELOAD, ctx.limits.maxFileSize);
    if (got.ok) names.push(...splitPreloadList(got.buf.toString('latin1')));
    else
      findings.push({
        code: 'READ_ERROR',
        severity: 'error',
        path: LD_SO_PRELOAD,
        message: `${BINARY_CATALOGER}: could not read ${LD_SO_PRELOAD}, which names what the loader preloads into every process: ${got.why}`,
      });
  }
  const cache = await ldCacheTargets(ctx);
  names.push(...cache.paths);
  findings.push(...cache.findings);
  const ssl = await opensslTargets(ctx);
  names.push(...ssl.paths);
  findings.push(...ssl.findings);
  if (names.length === 0) return { paths: new Set(), findings };
  const { paths, unresolved } = preloadedPaths(names, ctx.source.entries(), ctx.links);
  for (const name of new Set(unresolved))
    findings.push({
      code: 'LIBRARY_NOT_RESOLVED',
      severity: 'error',
      message: `${BINARY_CATALOGER}: the loader is told to load ${JSON.stringify(name)} into every process, a path it takes from the working directory or expands by the machine ($LIB, $PLATFORM, $ORIGIN): lamina cannot tell which file that is`,
    });
  return { paths, findings };
}

/**
 * A configuration file of the loader or OpenSSL, read to at most `max` bytes; or why not (too
 * large, unreadable), for the caller's error finding: what it says to load is then unknown.
 */
async function readConfig(
  ctx: CatalogContext,
  path: string,
  max: number
): Promise<{ ok: true; buf: Buffer } | { ok: false; why: string }> {
  const size = ctx.source.get(path)?.size ?? 0;
  if (size > max) return { ok: false, why: `${size} bytes, over the ${max} lamina reads` };
  try {
    return { ok: true, buf: await ctx.source.read(path, max) };
  } catch (err) {
    return {
      ok: false,
      why: `it could not be read (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

/**
 * The shared objects OpenSSL's default configuration files load (`module`, `dynamic_path`),
 * following `.include` (a file, or a directory's `.cnf` and `.conf` files) to MAX_OPENSSL_CONFIGS
 * files. What cannot be told (a `$` expansion, a relative include, too many or too large files,
 * an unreadable one) is an error finding: what OpenSSL would load is unknown.
 */
async function opensslTargets(
  ctx: CatalogContext
): Promise<{ paths: string[]; findings: Finding[] }> {
  const paths: string[] = [];
  const findings: Finding[] = [];
  const unseen = (path: string, why: string): void => {
    findings.push({
      code: 'LIBRARY_NOT_RESOLVED',
      severity: 'error',
      path,
      message: `${BINARY_CATALOGER}: cannot tell every shared object OpenSSL's configuration ${path} makes it load: ${why}`,
    });
  };
  const queue = OPENSSL_CONFIGS.filter((p) => ctx.source.get(p) !== undefined);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (seen.size > MAX_OPENSSL_CONFIGS) {
      unseen(
        path,
        `over ${MAX_OPENSSL_CONFIGS} configuration files included: the rest were not read`
      );
      break;
    }
    const entry = ctx.source.get(path);
    if (entry?.kind === 'dir') {
      // Listed under its real path: an include naming a link to a directory reads what it holds.
      const real = realDir(ctx, path) ?? path;
      for (const e of ctx.source.entries())
        if (posix.dirname(e.path) === real && /\.(?:cnf|conf)$/.test(e.path)) queue.push(e.path);
      continue;
    }
    if (entry?.kind !== 'file') continue;
    const got = await readConfig(ctx, path, MAX_OPENSSL_CONFIG_SIZE);
    if (!got.ok) {
      unseen(path, got.why);
      continue;
    }
    const scan = scanOpensslConfig(got.buf.toString('latin1'));
    paths.push(...scan.loads);
    for (const v of scan.unresolved) unseen(path, `${JSON.stringify(v)} is expanded by OpenSSL`);
    for (const inc of scan.includes) {
      if (inc.startsWith('/')) queue.push(posix.normalize(inc).slice(1));
      else
        unseen(path, `it includes ${JSON.stringify(inc)}, a path taken from the working directory`);
    }
  }
  return { paths, findings };
}

/**
 * The paths `/etc/ld.so.cache` (followed through symlinks inside the image, as the loader opens
 * it) maps sonames to. A cache over MAX_LD_CACHE_SIZE, unreadable, or not parsed exactly (another
 * byte order, a truncated table, an offset out of the file) is an error finding: what the loader
 * would load from it is unknown.
 */
async function ldCacheTargets(
  ctx: CatalogContext
): Promise<{ paths: string[]; findings: Finding[] }> {
  const entry = ctx.source.get(LD_SO_CACHE);
  if (entry?.kind !== 'file') return { paths: [], findings: [] };
  const what = `${LD_SO_CACHE}, which maps the sonames the loader looks up to the files it loads`;
  const unseen = (code: 'READ_ERROR' | 'PARSE_ERROR', message: string) => ({
    paths: [],
    findings: [
      { code, severity: 'error', path: LD_SO_CACHE, message: `${BINARY_CATALOGER}: ${message}` },
    ] satisfies Finding[],
  });
  const got = await readConfig(ctx, LD_SO_CACHE, MAX_LD_CACHE_SIZE);
  if (!got.ok) return unseen('READ_ERROR', `did not read ${what}: ${got.why}`);
  const parsed = parseLdCache(got.buf);
  if (!parsed.ok) return unseen('PARSE_ERROR', `could not parse ${what}: ${parsed.error}`);
  return { paths: parsed.entries.map((e) => e.path), findings: [] };
}

/** One object as loaded by objects whose DT_RPATH directories it inherits. */
interface Load {
  c: Candidate;
  r: FileResult;
  inherited: InheritedRpath;
}

/**
 * What the loader loads for each ELF object read (DT_NEEDED), read too when not yet read,
 * whatever its name or mode; then what that loads, and so on. An object is searched again when
 * reached from loaders with other DT_RPATH directories (those are searched for its names too);
 * each file is read once. Bounded by NeededResolver's lookups. Returns the results of the files
 * read here (findings about an object already read are added to its result).
 */
async function followNeeded(
  ctx: CatalogContext,
  first: readonly [Candidate, FileResult][],
  readAll: (cs: readonly Candidate[]) => Promise<[Candidate, FileResult][]>,
  candidate: (e: FileEntry, names: string[], neededBy?: string) => Candidate
): Promise<FileResult[]> {
  const needed = new NeededResolver(ctx.links, ctx.root, () => ctx.source.entries());
  const reads = new Map<string, [Candidate, FileResult]>();
  for (const [c, r] of first) {
    const p = realPath(ctx, c.entry.path);
    if (!reads.has(p)) reads.set(p, [c, r]);
  }
  const added: FileResult[] = [];
  const done = new Set<string>();
  const reported = new Set<string>();
  let loads: Load[] = first.map(([c, r]) => ({ c, r, inherited: [] }));
  while (loads.length > 0) {
    const next: Load[] = [];
    const pending = new Map<string, { c: Candidate; inherited: InheritedRpath[] }>();
    for (const { c, r, inherited } of loads) {
      if (!r.dynamic) continue;
      const key = `${c.entry.path}\0${inherited.join(':')}`;
      if (done.has(key)) continue;
      done.add(key);
      const got = needed.resolve(c.entry.path, c.names, r.dynamic, inherited);
      for (const f of got.findings) {
        const k = `${f.code}\0${f.path ?? ''}\0${f.message}`;
        if (reported.has(k)) continue;
        reported.add(k);
        r.findings.push(f);
      }
      for (const p of got.paths) {
        const prev = reads.get(p);
        if (prev) {
          next.push({ c: prev[0], r: prev[1], inherited: got.rpath });
          continue;
        }
        const waiting = pending.get(p);
        if (waiting) {
          waiting.inherited.push(got.rpath);
          continue;
        }
        const e = ctx.source.get(p);
        if (e?.kind !== 'file') continue;
        const nc = candidate(e, [p, ...ctx.links.aliases(p)], c.entry.path);
        pending.set(p, { c: nc, inherited: [got.rpath] });
      }
    }
    const fresh = [...pending.values()];
    for (const [c, r] of await readAll(fresh.map((w) => w.c))) {
      reads.set(c.entry.path, [c, r]);
      added.push(r);
      for (const inherited of pending.get(c.entry.path)?.inherited ?? [])
        next.push({ c, r, inherited });
    }
    loads = next;
  }
  return added;
}

/**
 * In an image, whether a file is what an entry point execs: a file it names by path (its
 * program, or a wrapper's command: `env /x/run.sh`), or a file in a directory a bare name is
 * searched in (any of them: which one PATH reaches first
 * depends on the name, and a runtime or script may run others). Like a layer's `bin/`, such a
 * file runs whatever it is, a `#!` script included.
 */
function executedBy(ctx: CatalogContext): (path: string, names: readonly string[]) => boolean {
  if (ctx.root !== 'image' || !ctx.exec) return () => false;
  const rel = (p: string): string => posix.normalize(p).replace(/^\/+|\/+$/g, '');
  const programs = new Set(ctx.exec.programs.map((p) => realPath(ctx, rel(p))));
  const dirs = new Set(ctx.exec.searchPath.map(rel));
  return (path, names) =>
    programs.has(path) ||
    names.some((n) => dirs.has(posix.dirname(n) === '.' ? '' : posix.dirname(n)));
}

/**
 * In an image, the real paths of the files its entry point's interpreters run as their scripts
 * (`python3 /usr/share/doc/x/readme.txt` runs a text file as Python): outside the function's
 * code directory, whose files are the function's own.
 */
function interpretedBy(ctx: CatalogContext): Set<string> {
  if (ctx.root !== 'image' || !ctx.exec?.scripts) return new Set();
  const rel = (p: string): string => posix.normalize(p).replace(/^\/+|\/+$/g, '');
  const root = ctx.taskRoot === undefined ? undefined : realPath(ctx, rel(ctx.taskRoot));
  const own = (p: string): boolean =>
    root !== undefined && (p === root || p.startsWith(`${root}/`));
  // The paths come as written and as the kernel walks `..` after a link (asWalked).
  return new Set(
    ctx.exec
      .scripts(ctx.links)
      .map((p) => realPath(ctx, p.replace(/^\/+/, '')))
      .filter((p) => !own(p))
  );
}

/** The path with every symlink on it resolved, or the path itself when it leads nowhere. */
function realPath(ctx: CatalogContext, path: string): string {
  const r = ctx.links.resolve(path);
  return r.ok ? r.path : path;
}

async function catalogFile(ctx: CatalogContext, c: Candidate): Promise<FileResult> {
  const e = c.entry;
  const head = await ctx.source.head(e.path, SNIFF);
  const findings: Finding[] = [];
  if (!isElf(head)) {
    const script = head.subarray(0, 2).toString('latin1') === '#!';
    const exec = (e.mode & 0o111) !== 0;
    // Scripts in bin/ run too; anything Lambda would start from extensions/ counts whatever it is.
    const inRunDir = c.names.some((n) => {
      const top = topDir(n, ctx.root);
      return top === 'bin' || top === 'extensions';
    });
    // Lambda execs `/opt/bootstrap` (a custom runtime) and an exec wrapper (`/opt/<name>`) by
    // path, and PATH finds bin/; a shell runs an executable without `#!` as a shell script.
    const execByPath = exec && c.names.some((n) => atOptRoot(n, ctx.root));
    // The Python runtime's site.addsitedir runs a site directory's .pth `import` lines.
    const pth = c.names.some((n) => isSitePth(n, ctx.root));
    // Every ruby's RubyGems requires its start-up hooks.
    const hook = c.names.some((n) => isRubyStartup(n, ctx.root));
    const runs =
      c.interpreted === true ||
      c.names.some((n) => isExtension(n, ctx.root)) ||
      ((inRunDir || c.executed === true) && (script || exec)) ||
      execByPath ||
      pth ||
      hook;
    if (!runs) return { packages: [], findings };
    const sums = await fileDigests(ctx, e.path);
    const format: Format =
      script || hook || c.interpreted === true ? 'script' : pth ? 'pth' : 'other';
    return {
      packages: [fileComponent(ctx, c, c.owner, sums, format, 'executable', {})],
      findings,
    };
  }

  // Too large to hold in memory: hash it, classify from the header alone.
  if (e.size > ctx.limits.maxNestedSize) {
    const sums = await fileDigests(ctx, e.path);
    const hdr = tryHeader(head);
    findings.push({
      code: 'BINARY_NOT_INSPECTED',
      severity: 'error',
      path: e.path,
      message: `${e.path} is ${e.size} bytes, over ${ctx.limits.maxNestedSize} (--max-nested-size): hashed but not searched for Go or Rust build info`,
    });
    return {
      packages: [
        fileComponent(ctx, c, c.owner, sums, 'elf', kindOf(e.path, hdr, undefined), elfProps(hdr)),
      ],
      findings,
    };
  }

  const buf = await ctx.source.read(e.path, ctx.limits.maxNestedSize);
  const sha = createHash('sha256').update(buf).digest('hex');
  const sums: FileDigests = { sha1: createHash('sha1').update(buf).digest('hex'), sha256: sha };
  const packages: Package[] = [];
  let elf: ElfFile;
  try {
    elf = parseElf(buf);
  } catch (err) {
    findings.push(parseErrorFinding(BINARY_CATALOGER, e.path, err));
    const hdr = tryHeader(head);
    return {
      packages: [
        fileComponent(ctx, c, c.owner, sums, 'elf', kindOf(e.path, hdr, undefined), elfProps(hdr)),
      ],
      findings,
    };
  }

  const kind = elfKind(elf.header.type, elf.runnable);
  const props = {
    ...elfProps(elf.header),
    ...(elf.soname !== undefined ? { 'elf:soname': elf.soname } : {}),
  };
  let go: GoBuildInfo | undefined;
  try {
    go = readGoBuildInfo(elf, buf);
  } catch (err) {
    findings.push(parseErrorFinding(BINARY_CATALOGER, e.path, err));
  }
  let owner = c.owner;
  if (go) {
    const goPkgs = goPackages(ctx, c, sha, go, { ...props, 'binary:kind': kind });
    packages.push(...goPkgs);
    // A package claiming the file outranks the program's own build info; else the program owns itself.
    owner ??= goPkgs[0];
  } else {
    let audit: AuditableInfo | undefined;
    try {
      audit = readCargoAuditable(elf, Math.min(MAX_AUDIT_JSON, ctx.limits.maxFileSize));
    } catch (err) {
      findings.push(parseErrorFinding(BINARY_CATALOGER, e.path, err));
    }
    const rust = audit && cargoPackages(ctx, c, sha, audit, { ...props, 'binary:kind': kind });
    if (rust) {
      packages.push(...rust);
      // Audit data without a root crate names no program: the file itself stays unowned.
      owner ??= rust.find((p) => p.type === 'application');
    }
  }
  packages.push(fileComponent(ctx, c, owner, sums, 'elf', kind, props));
  return { packages, findings, ...(elf.dynamic ? { dynamic: elf.dynamic } : {}) };
}

function describe(p: Package): string {
  return p.purl ?? `${p.name}${p.version ? `@${p.version}` : ''}`;
}

function tryHeader(head: Buffer): ElfHeader | undefined {
  try {
    return parseElfHeader(head);
  } catch {
    return undefined;
  }
}

/** Kind from the header when it could be read, else from the file name. */
function kindOf(path: string, hdr: ElfHeader | undefined, runnable: boolean | undefined): ElfKind {
  if (hdr) {
    // Without program headers we cannot tell a PIE from a library: the name decides.
    const guess = runnable ?? !LIB_NAME.test(posix.basename(path));
    return elfKind(hdr.type, guess);
  }
  return LIB_NAME.test(posix.basename(path)) ? 'shared-library' : 'executable';
}

function elfProps(hdr: ElfHeader | undefined): Record<string, string> {
  return hdr
    ? { 'elf:type': elfTypeName(hdr.type), 'elf:machine': elfMachineName(hdr.machine) }
    : {};
}

function loc(ctx: CatalogContext, path: string): Location[] {
  return [{ path, layerDigest: ctx.layerDigest }];
}

/** `lambda:extension` when Lambda starts the file, under its own name or a link's. */
function extensionProps(c: Candidate, root: SourceRoot): Record<string, string> {
  return c.names.some((n) => isExtension(n, root)) ? { 'lambda:extension': 'true' } : {};
}

/** SHA-1 and SHA-256 (hex) of a file: SPDX requires a file's SHA1 (SPDX 2.3 §8.4). */
interface FileDigests {
  sha1: string;
  sha256: string;
}

async function fileDigests(ctx: CatalogContext, path: string): Promise<FileDigests> {
  const [sha1, sha256] = await digestEntry(ctx.source, path, ['sha1', 'sha256']);
  return { sha1: sha1!.toString('hex'), sha256: sha256!.toString('hex') };
}

/**
 * An executable, library, addon or extension as a `file` component: no purl,
 * identified by its SHA-256, with the package owning it (if any) in `ownedBy`.
 */
function fileComponent(
  ctx: CatalogContext,
  c: Candidate,
  owner: Package | undefined,
  sums: FileDigests,
  format: Format,
  kind: ElfKind,
  props: Record<string, string>
): Package {
  const path = c.entry.path;
  const pkg = newPackage({
    id: `file:${path}`,
    ecosystem: 'generic',
    name: posix.basename(path),
    type: 'file',
    foundBy: BINARY_CATALOGER,
    locations: loc(ctx, path),
    hashes: { 'SHA-1': sums.sha1, 'SHA-256': sums.sha256 },
    properties: {
      'binary:format': format,
      'binary:kind': kind,
      ...props,
      ...extensionProps(c, ctx.root),
      ...(c.neededBy !== undefined ? { 'elf:needed-by': c.neededBy } : {}),
    },
  });
  if (owner) pkg.ownedBy = owner.id;
  else pkg.properties['unowned'] = 'true';
  return pkg;
}

/** Split a module path into purl-style namespace and name (`github.com/a/b` → `github.com/a`, `b`). */
function splitModule(path: string): { namespace?: string; name: string } {
  const i = path.lastIndexOf('/');
  return i > 0 ? { namespace: path.slice(0, i), name: path.slice(i + 1) } : { name: path };
}

/** Replacement targets that are directories rather than modules (`=> ../x`). */
function isLocalPath(p: string): boolean {
  return (
    p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)
  );
}

/** `(devel)` and empty mean "no version": the module was built from a working tree. */
function goVersionOf(v: string): string | undefined {
  return v === '' || v === '(devel)' ? undefined : v;
}

/**
 * One package per Go module: the main module (an application owning the
 * binary), each dependency, and the standard library (as Syft does).
 * A dependency replaced by another module is reported as the replacement (that
 * is the code linked in); one replaced by a local directory keeps its
 * required path and version, with the directory in `go:replace`.
 */
function goPackages(
  ctx: CatalogContext,
  c: Candidate,
  sha256: string,
  bi: GoBuildInfo,
  binProps: Record<string, string>
): Package[] {
  const path = c.entry.path;
  const toolchain = bi.goVersion.split(' ')[0] ?? bi.goVersion;
  const mainId = `golang:${path}`;
  const deps: Package[] = [];
  const seen = new Set<string>();
  for (const d of bi.deps) {
    const props: Record<string, string> = {};
    let mod: GoModule = d;
    if (d.replace) {
      props['go:replace'] = `${d.replace.path} ${d.replace.version}`.trim();
      if (!isLocalPath(d.replace.path)) mod = d.replace;
    }
    if (mod.sum) props['go:sum'] = mod.sum;
    const version = goVersionOf(mod.version);
    if (version === undefined && mod.version) props['go:version-raw'] = mod.version;
    let id = `golang:${path}#${mod.path}@${mod.version}`;
    if (seen.has(id)) id += `#${deps.length}`;
    seen.add(id);
    deps.push(
      newPackage({
        id,
        ecosystem: 'golang',
        ...splitModule(mod.path),
        ...(version !== undefined ? { version } : {}),
        purl: golangPurl(mod.path, version),
        foundBy: BINARY_CATALOGER,
        locations: loc(ctx, path),
        properties: props,
      })
    );
  }
  const stdlib = newPackage({
    id: `golang:${path}#stdlib`,
    ecosystem: 'golang',
    name: 'stdlib',
    version: toolchain,
    purl: golangPurl('stdlib', toolchain),
    foundBy: BINARY_CATALOGER,
    locations: loc(ctx, path),
  });

  const settings = Object.fromEntries(
    bi.settings.filter((s) => GO_SETTINGS.has(s.key)).map((s) => [`go:build:${s.key}`, s.value])
  );
  const main = bi.main;
  const mainVersion = main && goVersionOf(main.version);
  const mainName = main?.path ?? (bi.path || posix.basename(path));
  const app = newPackage({
    id: mainId,
    ecosystem: 'golang',
    ...splitModule(mainName),
    ...(mainVersion !== undefined ? { version: mainVersion } : {}),
    // Without module info (GOPATH builds) there is no module to name in a purl.
    ...(main ? { purl: golangPurl(main.path, mainVersion) } : {}),
    type: 'application',
    foundBy: BINARY_CATALOGER,
    locations: loc(ctx, path),
    hashes: { 'SHA-256': sha256 },
    owns: [path],
    dependsOn: [...deps.map((d) => d.id), stdlib.id],
    properties: {
      'binary:format': 'elf',
      ...binProps,
      'go:toolchain': bi.goVersion,
      ...(bi.path ? { 'go:main-package': bi.path } : {}),
      ...(main && mainVersion === undefined ? { 'go:version-raw': main.version } : {}),
      ...(main?.sum ? { 'go:sum': main.sum } : {}),
      ...settings,
      ...extensionProps(c, ctx.root),
    },
  });
  return [app, ...deps, stdlib];
}

/**
 * Crates from cargo-auditable data. The root crate is the application owning
 * the binary; build-only dependencies are left out because they are not linked
 * into it (as Syft does). Edges follow the `dependencies` indexes.
 */
function cargoPackages(
  ctx: CatalogContext,
  c: Candidate,
  sha256: string,
  info: AuditableInfo,
  binProps: Record<string, string>
): Package[] {
  const path = c.entry.path;
  const ids = info.packages.map((p, i) => `cargo:${path}#${p.name}@${p.version}#${i}`);
  const rootIdx = info.packages.findIndex((p) => p.root);
  const out: Package[] = [];
  info.packages.forEach((p, i) => {
    const isRoot = i === rootIdx;
    if (p.kind === 'build' && !isRoot) return;
    const id = isRoot ? `cargo:${path}` : (ids[i] as string);
    const dependsOn = p.dependencies
      .filter((d) => info.packages[d]?.kind !== 'build')
      .map((d) => (d === rootIdx ? `cargo:${path}` : (ids[d] as string)));
    out.push(
      newPackage({
        id,
        ecosystem: 'cargo',
        name: p.name,
        version: p.version,
        purl: cargoPurl(p.name, p.version),
        type: isRoot ? 'application' : 'library',
        foundBy: BINARY_CATALOGER,
        locations: loc(ctx, path),
        dependsOn,
        ...(isRoot ? { hashes: { 'SHA-256': sha256 }, owns: [path] } : {}),
        properties: {
          'cargo:source': p.source,
          ...(isRoot
            ? { 'binary:format': 'elf', ...binProps, ...extensionProps(c, ctx.root) }
            : {}),
        },
      })
    );
  });
  return out;
}
