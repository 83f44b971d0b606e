import { posix } from 'node:path';
import { newPackage, type License, type Package } from '../../model/package.js';
import type { Finding } from '../../model/finding.js';
import type { FileEntry } from '../../unpack/source.js';
import {
  filesAndLinks,
  globMatcher,
  optPrefix,
  parseErrorFinding,
  withLinkPaths,
  perEntry,
  type Cataloger,
  type CatalogContext,
  type CatalogResult,
  unclaimedModule,
} from '../cataloger.js';
import { licenseOf } from '../license.js';
import { gemPurl } from '../purl.js';
import {
  joinInLayer,
  leadsOutOf,
  linkLeadsOutOf,
  osOwnership,
  type OwnershipIndex,
} from '../binary/ownership.js';
import {
  gemFromFileName,
  parseGemspec,
  parseStubLine,
  rubygemsVersion,
  type Gemspec,
} from './gemspec.js';
import { bareRubyLibraries, RUBYLIB, type BareRubyLibrary } from './bare.js';
import { notGenerated } from './generated.js';
import { GEMSPEC_GLOBS, RUBY_GLOBS } from './globs.js';
import { gemProvides, rubyStdlibShadowFindings, stdlibFile } from './stdlib.js';

const NAME = RUBY_GLOBS.name;
const isGemspec = globMatcher(GEMSPEC_GLOBS);

/**
 * Installed gems: `<gems dir>/specifications/<name>-<version>.gemspec`, where a
 * Lambda Ruby layer's gems dir is `ruby/gems/<ruby ABI version>/`.
 */
export const rubyCataloger: Cataloger = {
  ...RUBY_GLOBS,
  async catalog(ctx) {
    const found: FoundGem[] = [];
    // The gem directories each gems dir's specifications name (spec and stub line alike).
    const named = new Map<string, Set<string>>();
    const claim = (gemsDir: string, fullName: string): void => {
      const set = named.get(gemsDir) ?? new Set<string>();
      named.set(gemsDir, set.add(fullName));
    };
    const specs = ctx.matches.filter((e) => isGemspec(e.path));
    const result = await perEntry({ ...ctx, matches: specs }, NAME, async (entry) => {
      const cut = entry.path.lastIndexOf('specifications/');
      const gemsDir = cut > 0 ? entry.path.slice(0, cut - 1) : '';
      let spec: Gemspec;
      const findings: Finding[] = [];
      let text: string | undefined;
      try {
        text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
        spec = parseGemspec(text);
        // RubyGems evaluates the whole file when it activates the gem: anything but what it
        // writes itself runs code lamina never reads.
        findings.push(
          ...notGeneratedFinding(
            entry.path,
            text,
            entry.path,
            'RubyGems evaluates it as Ruby when it activates the gem'
          )
        );
      } catch (err) {
        // RubyGems evaluates the file and would load the gem it names: keep the gem under the
        // name the file carries, and say the inventory could not read what the spec says.
        findings.push(parseErrorFinding(NAME, entry.path, err));
        const fromName = gemFromFileName(entry.path);
        if (!fromName) return { packages: [], findings };
        spec = fromName;
      }
      const pkg = toPackage(ctx, entry.path, gemsDir, spec);
      // RubyGems reads the stub line without evaluating the spec, and the spec when it activates
      // the gem: the require paths of both go on $LOAD_PATH.
      const stub = text === undefined ? undefined : parseStubLine(text);
      claim(gemsDir, fullNameOf(spec));
      if (stub) claim(gemsDir, fullNameOf(stub));
      const gemDir = (fullName: string): string =>
        `${gemsDir ? `${gemsDir}/` : ''}gems/${fullName}`;
      if (stub)
        findings.push(
          ...requirePathFindings(
            ctx,
            entry.path,
            gemDir(fullNameOf(stub)),
            stub.requirePaths,
            'stub line'
          )
        );
      findings.push(...specRequirePathFindings(ctx, entry.path, gemDir(fullNameOf(spec)), spec));
      // $LOAD_PATH gets the require paths (the spec's and the stub line's) and the extension
      // directories.
      const loadDirs = [
        ...requireDirs(gemDir(fullNameOf(spec)), spec.requirePaths),
        ...(stub ? requireDirs(gemDir(fullNameOf(stub)), stub.requirePaths) : []),
        ...pkg.owns
          .filter((o) => o.startsWith(`${gemsDir ? `${gemsDir}/` : ''}extensions/`))
          .map((o) => o.slice(0, -1)),
      ];
      found.push({ pkg, spec, gemsDir, loadDirs });
      return { packages: [pkg], findings };
    });
    const git = await gitCheckoutGems(ctx, found);
    result.packages.push(...git.packages);
    result.findings.push(...git.findings, ...gemStdlibFindings(ctx, found));
    // Runtime dependencies resolve to gems installed in the same gems dir.
    const byDirAndName = new Map<string, Package[]>();
    for (const f of found) {
      const k = `${f.gemsDir}\0${f.spec.name}`;
      byDirAndName.set(k, [...(byDirAndName.get(k) ?? []), f.pkg]);
    }
    for (const f of found) {
      for (const dep of f.spec.runtimeDependencies) {
        for (const target of byDirAndName.get(`${f.gemsDir}\0${dep}`) ?? [])
          if (target !== f.pkg) f.pkg.dependsOn.push(target.id);
      }
    }
    // A default gem's directory is named by its specification's file name.
    for (const e of ctx.source.entries()) {
      const m = e.kind === 'file' ? DEFAULT_GEMSPEC.exec(e.path) : null;
      if (m) claim(m[1] ?? '', m[2]!);
    }
    const bundles = await bundlePaths(ctx);
    result.findings.push(...bundles.findings);
    const gemPath = gemPathDirs(ctx, named, bundles.roots);
    result.findings.push(...unnamedGemDirs(ctx, gemPath), ...linksOutOfGems(ctx, gemPath));
    // require loads these too, with nothing to say what they are: recorded by name, no version.
    const rubylib = `${optPrefix(ctx.root)}${RUBYLIB}`;
    // Every path a file is reached by: the globs take one, and a link may put it on RUBYLIB.
    const entries = ctx.source.entries();
    const files = withLinkPaths(filesAndLinks(ctx.matches, entries), ctx.links);
    for (const lib of bareRubyLibraries(files, rubylib))
      result.packages.push(bareLibraryPackage(lib, ctx.layerDigest, rubylib));
    // Libraries require takes in place of the standard library's. In an image, the function's
    // directory and the runtime's lib/ are searched first too; the globs do not reach them.
    const taskRoot = ctx.root === 'image' ? ctx.taskRoot : undefined;
    const front =
      ctx.root === 'image'
        ? withLinkPaths(
            filesAndLinks([...ctx.matches, ...runtimeFront(entries, taskRoot)], entries),
            ctx.links
          )
        : files;
    // An OS package's file, by the path it installed: a link (usrmerge's lib -> usr/lib) reaches
    // it under other names. Only the claims asked about are indexed: a whole system's file
    // lists cost tens of MiB.
    let owners: OwnershipIndex | undefined;
    const owned = (path: string): boolean => {
      owners ??= osOwnership(ctx.earlier, (c) => RUBY_SITE_CLAIM.test(c), ctx.root);
      const r = ctx.links.resolve(path);
      return owners.has(path) || (r.ok && owners.has(r.path));
    };
    result.findings.push(...rubyStdlibShadowFindings(front, ctx.root, { taskRoot, owned }));
    return result;
  },
};

/**
 * In an image, the library files of the function's directory (`taskRoot`) and of the runtime's
 * `var/runtime/lib`, which come before the standard library on `$LOAD_PATH`.
 */
function runtimeFront(entries: readonly FileEntry[], taskRoot: string | undefined): FileEntry[] {
  const dirs = ['var/runtime/lib/'];
  if (taskRoot) dirs.push(`${taskRoot}/`);
  return entries.filter(
    (e) =>
      e.kind === 'file' &&
      (e.path.endsWith('.rb') || e.path.endsWith('.so')) &&
      dirs.some((d) => e.path.startsWith(d))
  );
}

/** A library on `RUBYLIB`, with no gem specification (see unclaimedModule). */
function bareLibraryPackage(lib: BareRubyLibrary, layerDigest: string, rubylib: string): Package {
  const what =
    lib.kind === 'file'
      ? `${lib.path} is on RUBYLIB with no gem specification`
      : `${lib.path}/ holds libraries on RUBYLIB with no gem specification`;
  const loads = lib.kind === 'file' ? lib.name : `${lib.name}/...`;
  return unclaimedModule(lib, {
    ecosystem: 'gem',
    purl: gemPurl(lib.name, undefined),
    foundBy: NAME,
    layerDigest,
    installDir: rubylib,
    properties: { 'gem:specification': 'missing' },
    message: `${what}, yet require '${loads}' loads it: recorded as ${lib.name} with no version`,
  });
}

/**
 * A gem's full name, its directory under `gems/`: `<name>-<version>[-<platform>]`, the version
 * as `Gem::Version` spells it.
 */
function fullNameOf(spec: Pick<Gemspec, 'name' | 'version' | 'platform'>): string {
  const version = rubygemsVersion(spec.version);
  return spec.platform === 'ruby'
    ? `${spec.name}-${version}`
    : `${spec.name}-${version}-${spec.platform}`;
}

/** Lambda's `GEM_PATH` directory in a layer (`ruby/gems/3.2.0`; in an image under `opt/`). */
const GEM_PATH_DIR = /^ruby\/gems\/[^/]+$/;

/** Under a Bundler path, the gems dir Bundler installs into and loads from (`ruby/3.2.0`). */
const BUNDLE_GEMS_DIR = /^ruby\/[^/]+$/;

/**
 * In an image, the gems dirs a Ruby searches with no `GEM_PATH` set (`Gem.path`): its own
 * (`<prefix>/lib/ruby/gems/X.Y.0`, `/var/lang`'s, Debian's multiarch one too), Debian's
 * `/var/lib/gems/X.Y.0` and `rubygems-integration` directories, Fedora's and Amazon Linux's
 * `/usr/share/gems`, and a user's (`~/.gem/ruby/X.Y.0`, `~/.local/share/gem/ruby/X.Y.0`).
 */
const SYSTEM_GEMS_DIR =
  /^(?:(?:.*\/)?lib(?:64)?\/(?:[^/]+\/)?ruby\/gems\/[^/]+|var\/lib\/gems\/[^/]+|usr\/(?:share|lib\/[^/]+)\/rubygems-integration\/[^/]+|usr\/(?:local\/)?share\/gems|(?:root|home\/[^/]+)\/(?:\.gem|\.local\/share\/gem)\/ruby\/[^/]+)$/;

/**
 * The entries of `named` (full names by gems dir) for the gems dirs gems are loaded from:
 * Lambda's `GEM_PATH` directories, under each Bundler path of `bundles` its `ruby/X.Y.0`, and in
 * an image the system's (see SYSTEM_GEMS_DIR).
 */
function gemPathDirs(
  ctx: CatalogContext,
  named: ReadonlyMap<string, Set<string>>,
  bundles: readonly string[]
): [string, Set<string>][] {
  const prefix = optPrefix(ctx.root);
  return [...named].filter(
    ([dir]) =>
      (dir.startsWith(prefix) && GEM_PATH_DIR.test(dir.slice(prefix.length))) ||
      (ctx.root === 'image' && SYSTEM_GEMS_DIR.test(dir)) ||
      bundles.some((b) => dir.startsWith(`${b}/`) && BUNDLE_GEMS_DIR.test(dir.slice(b.length + 1)))
  );
}

/**
 * A default gem's specification (`specifications/default/<full name>.gemspec`): its gem
 * directory holds at most executables, and RubyGems puts nothing of it on `$LOAD_PATH` (ruby 3.1
 * here loads abbrev from the standard library with `gems/abbrev-0.1.0/lib/abbrev.rb` present).
 */
const DEFAULT_GEMSPEC = /^(?:(.*)\/)?specifications\/default\/([^/]+)\.gemspec$/;

/** The longest `.bundle/config`, Gemfile or Gemfile.lock lamina reads. */
const MAX_BUNDLE_CONFIG = 64 * 1024;

/**
 * Bundler's user configuration, which `require 'bundler/setup'` reads too (`~/.bundle/config`:
 * Bundler 2.3 here takes its `BUNDLE_PATH`): root's or a user's, whichever the function runs as.
 */
const USER_BUNDLE_CONFIG = /^(?:root|home\/[^/]+)\/\.bundle\/config$/;

/**
 * In an image, the Bundler paths of the function's directory (`taskRoot`): `vendor/bundle`,
 * whose `ruby/X.Y.0` Lambda's Ruby runtime puts on `GEM_PATH` (`bundle config set --local path
 * vendor/bundle` installs there), and the `BUNDLE_PATH` the `.bundle/config` there or beside
 * the Gemfile (see gemfileOf), or a user's `~/.bundle/config`, sets, relative to the Gemfile's
 * directory or absolute, from which `require
 * 'bundler/setup'` loads the bundle's gems. What else the bundle loads from outside that
 * directory, unseen, is reported (see bundleOverrides, pathGems). A path lamina cannot place is
 * a `PARSE_ERROR`: where the code loads from is not known.
 */
async function bundlePaths(ctx: CatalogContext): Promise<{ roots: string[]; findings: Finding[] }> {
  const taskRoot = ctx.root === 'image' ? ctx.taskRoot : undefined;
  if (taskRoot === undefined) return { roots: [], findings: [] };
  const roots = [`${taskRoot}/vendor/bundle`];
  const findings: Finding[] = [];
  // The application's configuration is beside the Gemfile, wherever bundler/setup finds it.
  const gemfile = gemfileOf(ctx, taskRoot);
  const local = new Set(
    [taskRoot, gemfile?.dir ?? taskRoot].map((d) => inDir(d, '.bundle/config'))
  );
  const configs = ctx.matches.filter((e) => local.has(e.path) || USER_BUNDLE_CONFIG.test(e.path));
  for (const config of configs) {
    // A relative path is the application's root's (the Gemfile's directory).
    const base = local.has(config.path)
      ? posix.dirname(posix.dirname(config.path)).replace(/^\.$/, '')
      : taskRoot;
    let settings: Map<string, string>;
    try {
      const text = (await ctx.source.read(config.path, MAX_BUNDLE_CONFIG)).toString('utf8');
      settings = bundleSettings(text);
    } catch (err) {
      findings.push(parseErrorFinding(NAME, config.path, err));
      continue;
    }
    const value = settings.get('BUNDLE_PATH');
    if (value !== undefined) {
      const root = placeInImage(base, value);
      if (root === undefined)
        findings.push(unplaced(config.path, 'sets BUNDLE_PATH to', value, "the bundle's gems"));
      else if (!roots.includes(root)) roots.push(root);
    }
    findings.push(...bundleOverrides(ctx, taskRoot, base, config.path, settings));
  }
  if (gemfile) findings.push(...(await pathGems(ctx, taskRoot, gemfile)));
  return { roots, findings };
}

/** `name` in the root-relative directory `dir` ('' for the root). */
function inDir(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * The Gemfile `require 'bundler/setup'` finds from the function's directory (`taskRoot`): the
 * nearest directory, it or one above, holding a `Gemfile` or `gems.rb`, with those it holds.
 */
function gemfileOf(
  ctx: CatalogContext,
  taskRoot: string
): { dir: string; files: string[] } | undefined {
  for (let dir = taskRoot; ; dir = posix.dirname(dir).replace(/^\.$/, '')) {
    const files = ['Gemfile', 'gems.rb']
      .map((n) => inDir(dir, n))
      .filter((p) => {
        const r = ctx.links.resolve(p);
        return r.ok && r.entry?.kind === 'file';
      });
    if (files.length > 0) return { dir, files };
    if (dir === '') return undefined;
  }
}

/** A `PARSE_ERROR` for a path in `file` (`what` it is) lamina cannot place in the image. */
function unplaced(file: string, what: string, value: string, loads: string): Finding {
  return {
    code: 'PARSE_ERROR',
    severity: 'error',
    path: file,
    message: `${NAME}: ${file} ${what} ${JSON.stringify(value)}, which lamina cannot place in the image: where Bundler loads ${loads} from is not known`,
  };
}

/**
 * `value`, a path Bundler reads, as a root-relative path: absolute, or relative to `dir`;
 * undefined when lamina cannot place it (`~`, a variable, or out of the image).
 */
function placeInImage(dir: string, value: string): string | undefined {
  if (value.startsWith('~') || value.includes('$') || value.includes('#{')) return undefined;
  const at = value.startsWith('/')
    ? posix.normalize(value).replace(/^\/+|\/+$/g, '')
    : joinInLayer(dir, value)?.replace(/\/+$/, '');
  return at === '' ? undefined : at;
}

/** Whether root-relative `path`, where the image's links lead, is in the directory `dir`. */
function within(ctx: CatalogContext, path: string, dir: string): boolean {
  const real = (p: string): string => {
    const r = ctx.links.resolve(p);
    return r.ok ? r.path : p;
  };
  const [at, root] = [real(path), real(dir)];
  return at === root || at.startsWith(`${root}/`);
}

/**
 * A `PATH_TRAVERSAL` error per local git override (`bundle config set local.GEM DIR`, key
 * `BUNDLE_LOCAL__GEM`) of a Bundler configuration `settings` (read from `file`, its relative
 * paths `base`'s) that leads out of the function's directory: `require 'bundler/setup'` loads that git gem from the directory
 * named instead of its checkout (Bundler 2.3 here), code no cataloger reads.
 */
function bundleOverrides(
  ctx: CatalogContext,
  taskRoot: string,
  base: string,
  file: string,
  settings: ReadonlyMap<string, string>
): Finding[] {
  const out: Finding[] = [];
  for (const [key, value] of settings) {
    if (!key.startsWith('BUNDLE_LOCAL__')) continue;
    const dir = placeInImage(base, value);
    if (dir === undefined) out.push(unplaced(file, `sets ${key} to`, value, 'a git gem'));
    else if (!within(ctx, dir, taskRoot))
      out.push({
        code: 'PATH_TRAVERSAL',
        severity: 'error',
        path: file,
        message: `${NAME}: ${file} sets ${key} to ${JSON.stringify(value)}: require 'bundler/setup' loads that git gem from ${dir}/, outside the function's directory, not from its checkout`,
      });
  }
  return out;
}

/**
 * A `path` option or block of a Gemfile (`gem 'x', path: DIR`, `:path => DIR`, `path DIR do`),
 * or `eval_gemfile FILE`, another Gemfile Bundler evaluates as Ruby (Bundler 2.3 here).
 */
const GEMFILE_PATH =
  /(?::path\s*=>|(?<![\w.:@$])(?:path(?:\s*:(?!:)|\s*\(|\s+(?=['"]))|eval_gemfile\b))/g;
/** A string literal with nothing Ruby would interpolate. */
const RUBY_STRING = /^\s*\(?\s*(['"])([^'"\\#]*)\1/;
/** A Gemfile.lock's path source: `PATH` then `  remote: DIR`. */
const LOCK_PATH = /^PATH\r?\n {2}remote: (.*?)\r?$/gm;

/**
 * The gems of the Gemfile `require 'bundler/setup'` finds (in the function's directory or the
 * nearest one above it: `Gemfile`, `gems.rb`) that Bundler loads from a directory (`gem 'x',
 * path: DIR`, as Bundler 2.3 here does with no Gemfile.lock at all), the Gemfiles it evaluates
 * too (`eval_gemfile`), and its Gemfile.lock's path sources: each one out of the function's
 * directory is a `PATH_TRAVERSAL` error (Bundler evaluates the gemspec there and puts its require
 * paths on `$LOAD_PATH`, or evaluates that Gemfile: code no cataloger reads), and one that is not
 * a plain string, a `PARSE_ERROR`. A Gemfile is Ruby; lamina reads only these options of it.
 */
async function pathGems(
  ctx: CatalogContext,
  taskRoot: string,
  { dir, files }: { dir: string; files: string[] }
): Promise<Finding[]> {
  const out: Finding[] = [];
  // Each with its lock file: Gemfile.lock, gems.locked.
  const locks = files.map((f) =>
    f.endsWith('gems.rb') ? `${f.slice(0, -3)}.locked` : `${f}.lock`
  );
  for (const file of [...files, ...locks]) {
    const r = ctx.links.resolve(file);
    if (!r.ok || r.entry?.kind !== 'file') continue;
    let text: string;
    try {
      text = (await ctx.source.read(r.path, MAX_BUNDLE_CONFIG)).toString('utf8');
    } catch (err) {
      out.push(parseErrorFinding(NAME, file, err));
      continue;
    }
    // Comment lines say nothing; a trailing comment is read as code (more paths, never fewer).
    const code = text.replace(/^\s*#.*$/gm, '');
    const values: (string | undefined)[] = /\.lock(?:ed)?$/.test(file)
      ? [...text.matchAll(LOCK_PATH)].map((m) => m[1]!)
      : [...code.matchAll(GEMFILE_PATH)].map(
          (m) => RUBY_STRING.exec(code.slice(m.index + m[0].length))?.[2]
        );
    for (const value of values) {
      const at = value === undefined ? undefined : placeInImage(dir, value);
      if (at === undefined)
        out.push(
          unplaced(file, 'names a path gem at', value ?? '(not a plain string)', 'its code')
        );
      else if (!within(ctx, at, taskRoot))
        out.push({
          code: 'PATH_TRAVERSAL',
          severity: 'error',
          path: file,
          message: `${NAME}: ${file} has Bundler load ${JSON.stringify(value)} (${at}), outside the function's directory: require 'bundler/setup' evaluates the gemspec or Gemfile there and loads its code, which no cataloger reads`,
        });
    }
  }
  return out;
}

/**
 * A line of a Bundler configuration file as Bundler's own parser (`Bundler::YAMLSerializer`)
 * reads it: indentation, key (up to the last `:` before a space or the end), an optional quote,
 * the value, the same quote.
 */
const BUNDLER_SETTING = /^( *)(.+):(?=\s|$) ?(['"]?)(.*)\3$/;

/**
 * The top-level settings of a Bundler configuration file, read as Bundler reads it: the last
 * line of a key wins, a value in quotes is unquoted only when the line ends with the closing
 * quote (`"vendor/x" ` with a space after is all of it), a key is the text up to the last `: `
 * (`BUNDLE_PATH: "a: b"` sets another key) with `.` read as `__`, and a key with no value opens
 * a nested table (no setting).
 */
export function bundleSettings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = BUNDLER_SETTING.exec(line);
    // Indented by two spaces or more, a key belongs to the one above it.
    if (!m || m[1]!.length >= 2) continue;
    const key = m[2]!.replaceAll('.', '__');
    if (m[3] === '' && m[4] === '') out.delete(key);
    else out.set(key, m[4]!);
  }
  return out;
}

/** The `BUNDLE_PATH` a Bundler configuration file sets (see bundleSettings); undefined when none. */
export function bundlePathSetting(text: string): string | undefined {
  return bundleSettings(text).get('BUNDLE_PATH');
}

/**
 * A link in a gem's directory or its extension directory (`gems/tinygem-1.0/lib/x`,
 * `extensions/x86_64-linux/3.2.0/tinygem-1.0`, or either directory itself), in a gems dir gems
 * load from (`dirs`, see gemPathDirs: full names by gems dir), that leads out of it:
 * RubyGems puts the gem's require paths and its extension directory on `$LOAD_PATH`, and Ruby
 * follows the link, so `require` loads code there that is not the gem's (`PATH_TRAVERSAL`, as for
 * a require path leading out). `gem install` refuses to write such a link. A link in
 * `extensions/` above a gem's directory must stay in `extensions/`.
 */
function linksOutOfGems(ctx: CatalogContext, dirs: readonly [string, Set<string>][]): Finding[] {
  if (!ctx.links.hasLinks) return [];
  const out: Finding[] = [];
  for (const e of ctx.source.entries()) {
    if (e.kind !== 'symlink') continue;
    for (const [gemsDir, fullNames] of dirs) {
      const rest = e.path.startsWith(`${gemsDir}/`) ? e.path.slice(gemsDir.length + 1) : '';
      const parts = rest.split('/');
      // gems/<full name>, extensions/<platform>/<ABI>/<full name>: the gem's own directories.
      const depth = parts[0] === 'gems' ? 2 : parts[0] === 'extensions' ? 4 : 0;
      if (depth === 0 || parts.length < 2) continue;
      let dir = `${gemsDir}/extensions`;
      if (parts.length >= depth) {
        if (!fullNames.has(parts[depth - 1]!)) continue;
        dir = `${gemsDir}/${parts.slice(0, depth).join('/')}`;
      }
      const target = linkLeadsOutOf(ctx.links, e.path, dir);
      if (target === undefined) continue;
      out.push({
        code: 'PATH_TRAVERSAL',
        severity: 'error',
        path: e.path,
        message: `${NAME}: ${e.path} is a link to ${target}, outside the gem's directory: require loads code through it that is not the gem's`,
      });
    }
  }
  return out;
}

/**
 * The directories under the `gems/` of a gems dir gems load from (`dirs`, see gemPathDirs: full
 * names by gems dir) that none of its specifications names, one `AMBIGUOUS_METADATA` error
 * each. RubyGems derives a gem's directory from the version and platform it parses, and
 * normalises both (`2.0-1` is `2.0.pre.1`; RubyGems 3.3 reads the platform `x86_64-linux-gnu`
 * as `x86_64-linux`, `i686-linux` as `x86-linux`), so a directory lamina reads no specification
 * as naming may be the one RubyGems loads a gem from; with none, nothing loads it, and an
 * installed layer has none.
 */
function unnamedGemDirs(ctx: CatalogContext, dirs: readonly [string, Set<string>][]): Finding[] {
  const out: Finding[] = [];
  for (const [gemsDir, fullNames] of dirs) {
    const root = `${gemsDir}/gems/`;
    const seen = new Set<string>();
    for (const e of ctx.source.entries()) {
      if (!e.path.startsWith(root)) continue;
      const dir = e.path.slice(root.length).split('/')[0]!;
      if (dir === '' || fullNames.has(dir) || seen.has(dir)) continue;
      seen.add(dir);
      out.push({
        code: 'AMBIGUOUS_METADATA',
        severity: 'error',
        path: `${root}${dir}`,
        message: `${NAME}: ${root}${dir}/ is a gem directory no specification in ${gemsDir}/specifications/ names as lamina reads them; RubyGems, which normalises the version and platform a specification gives, may load a gem from it`,
      });
    }
  }
  return out;
}

/** A gem found, with the directories its activation puts on `$LOAD_PATH`. */
interface FoundGem {
  pkg: Package;
  spec: Gemspec;
  gemsDir: string;
  loadDirs: string[];
}

/** The directories `paths` (require paths) name in the gem directory `gemDir`, inside the source. */
function requireDirs(gemDir: string, paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const dir = joinInLayer(gemDir, p.replace(/^\/+/, ''));
    if (dir !== undefined) out.push(dir.replace(/\/+$/, ''));
  }
  return out;
}

/**
 * One `STDLIB_SHADOWED` error per library file (`.rb`, `.so`, or a link) in a gem's require
 * path or extension directory that `require` takes for a standard library file ({@link
 * stdlibFile}) of a library the gem does not provide ({@link gemProvides}: json's json.rb is
 * the json gem's own newer version).
 * RubyGems puts an activated gem's directories before the standard library on `$LOAD_PATH` (at
 * `site_ruby`'s place), and Bundler activates every gem of the bundle: a `set.rb` in a gem's
 * `lib/` is what every later `require 'set'` loads.
 */
function gemStdlibFindings(ctx: CatalogContext, found: readonly FoundGem[]): Finding[] {
  const owners = new Map<string, string>();
  for (const f of found) for (const d of f.loadDirs) if (!owners.has(d)) owners.set(d, f.pkg.name);
  if (owners.size === 0) return [];
  const out = new Map<string, Finding>();
  for (const e of ctx.source.entries()) {
    if (e.kind !== 'file' && e.kind !== 'symlink') continue;
    const lib = /^(.+)\.(?:rb|so)$/.exec(e.path)?.[1];
    if (lib === undefined) continue;
    for (let at = lib.lastIndexOf('/'); at > 0; at = lib.lastIndexOf('/', at - 1)) {
      const dir = lib.slice(0, at);
      const gem = owners.get(dir);
      if (gem === undefined) continue;
      const feature = lib.slice(at + 1);
      const std = stdlibFile(feature);
      if (std !== undefined && !gemProvides(gem, std) && !out.has(e.path))
        out.set(e.path, {
          code: 'STDLIB_SHADOWED',
          severity: 'error',
          path: e.path,
          message: `${NAME}: ${e.path} is what require '${feature}' finds in ${dir}/, on $LOAD_PATH for the gem ${gem}, which RubyGems puts before Ruby's standard library once the gem is activated: it loads in place of the standard library's ${std}`,
        });
    }
  }
  return [...out.values()];
}

/**
 * An `AMBIGUOUS_METADATA` error (none or one) when the gemspec `text` at `path` holds anything
 * but what RubyGems writes: whoever evaluates it (`evaluated`) runs code lamina never reads.
 * `subject` names the file in the message.
 */
function notGeneratedFinding(
  path: string,
  text: string,
  subject: string,
  evaluated: string
): Finding[] {
  const off = notGenerated(text);
  if (!off) return [];
  return [
    {
      code: 'AMBIGUOUS_METADATA',
      severity: 'error',
      path,
      message: `${NAME}: ${subject} is not in the form RubyGems writes (line ${off.line}: ${off.why}); ${evaluated}, running code lamina does not read`,
    },
  ];
}

/** The `require_paths` findings of `spec`, read from `specPath`, whose gem directory is `gemDir`. */
function specRequirePathFindings(
  ctx: CatalogContext,
  specPath: string,
  gemDir: string,
  spec: Gemspec
): Finding[] {
  const out = requirePathFindings(ctx, specPath, gemDir, spec.requirePaths, 'require_paths');
  if (spec.requirePathsUnread)
    out.push({
      code: 'PARSE_ERROR',
      severity: 'error',
      path: specPath,
      message: `${NAME}: ${specPath} sets require_paths to something other than a list of strings: what RubyGems puts on $LOAD_PATH is not known`,
    });
  return out;
}

/**
 * A gemspec of a gem Bundler checked out from git (`gem 'x', git: ...`): Bundler clones it into
 * `<gems dir>/bundler/gems/<name>-<revision>/` and reads the gemspecs there and up to two
 * directories down; the gems dir is the part before `bundler/gems/`.
 */
const GIT_GEMSPEC = /^((?:(.*)\/)?bundler\/gems\/[^/]+)\/(?:[^/]+\/){0,2}[^/]+\.gemspec$/;

/**
 * The gems Bundler checked out from git, one per gemspec there (see {@link GIT_GEMSPEC}), each
 * owning its gemspec's directory, which is the gem's directory; a link in a checkout, or the
 * checkout itself, leading out of it is a `PATH_TRAVERSAL` error, as one out of an installed
 * gem is. No `specifications/` entry names
 * them, so RubyGems alone never loads them, but `require 'bundler/setup'` evaluates each
 * gemspec as Ruby (written by hand, not by RubyGems: anything but what `to_ruby` writes is an
 * `AMBIGUOUS_METADATA` error) and puts its require paths on `$LOAD_PATH`. Each is added to
 * `found` for the dependency edges.
 */
async function gitCheckoutGems(ctx: CatalogContext, found: FoundGem[]): Promise<CatalogResult> {
  const specs = ctx.matches.filter((e) => !isGemspec(e.path) && GIT_GEMSPEC.test(e.path));
  const result = await perEntry({ ...ctx, matches: specs }, NAME, async (entry) => {
    const gemsDir = GIT_GEMSPEC.exec(entry.path)?.[2] ?? '';
    const gemDir = posix.dirname(entry.path);
    const findings: Finding[] = [];
    let spec: Gemspec | undefined;
    try {
      const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
      spec = parseGemspec(text);
      findings.push(
        ...notGeneratedFinding(
          entry.path,
          text,
          `${entry.path}, the gemspec of a gem Bundler checked out from git,`,
          "Bundler evaluates it as Ruby at require 'bundler/setup'"
        )
      );
    } catch (err) {
      findings.push(parseErrorFinding(NAME, entry.path, err));
    }
    const name = spec?.name ?? posix.basename(entry.path, '.gemspec');
    const version = spec ? rubygemsVersion(spec.version) : undefined;
    const platform = spec?.platform ?? 'ruby';
    const properties: Record<string, string> = { 'gem:source': 'git' };
    if (platform !== 'ruby') properties['gem:platform'] = platform;
    const pkg = newPackage({
      id: `gem:${entry.path}`,
      ecosystem: 'gem',
      name,
      version,
      purl: gemPurl(name, version, platform),
      foundBy: NAME,
      locations: [{ path: entry.path, layerDigest: ctx.layerDigest }],
      licenses: (spec?.licenses ?? []).map(licenseOf).filter((l): l is License => l !== undefined),
      owns: [entry.path, `${gemDir}/`],
      installDir: gemsDir,
      properties,
      description: spec?.summary,
      homepage: spec?.homepage,
      author: spec && spec.authors.length > 0 ? spec.authors.join(', ') : undefined,
    });
    if (spec) {
      findings.push(...specRequirePathFindings(ctx, entry.path, gemDir, spec));
      found.push({ pkg, spec, gemsDir, loadDirs: requireDirs(gemDir, spec.requirePaths) });
    }
    return { packages: [pkg], findings };
  });
  // A link in a checkout (or the checkout itself) leading out of it: require loads code there
  // that is not the gem's.
  const checkouts = new Set(specs.map((e) => GIT_GEMSPEC.exec(e.path)![1]!));
  if (ctx.links.hasLinks)
    for (const e of ctx.source.entries()) {
      if (e.kind !== 'symlink') continue;
      for (const dir of checkouts) {
        if (e.path !== dir && !e.path.startsWith(`${dir}/`)) continue;
        const target = linkLeadsOutOf(ctx.links, e.path, dir);
        if (target !== undefined)
          result.findings.push({
            code: 'PATH_TRAVERSAL',
            severity: 'error',
            path: e.path,
            message: `${NAME}: ${e.path} is a link to ${target}, outside the git checkout ${dir}/: require loads code through it that is not the gem's`,
          });
      }
    }
  return result;
}

/**
 * RubyGems joins each require path to the gem's directory (`File.join`, so a leading `/` stays
 * inside) and puts it on `$LOAD_PATH`, which Ruby expands lexically: one leading out of
 * `gems/<full name>/`, as written or through a link, makes `require` load code that is not the
 * gem's (`PATH_TRAVERSAL`, as for an npm `main` outside its package).
 */
function requirePathFindings(
  ctx: CatalogContext,
  specPath: string,
  gemDir: string,
  paths: readonly string[],
  from: string
): Finding[] {
  const out: Finding[] = [];
  for (const p of paths) {
    const rel = p.replace(/^\/+/, '');
    let outside = leadsOutOf(gemDir, rel);
    if (!outside && ctx.links.hasLinks) {
      // Inside as written, but a link on the way may lead elsewhere.
      const dir = ctx.links.resolve(gemDir);
      const target = ctx.links.resolve(rel === '' ? gemDir : `${gemDir}/${rel}`);
      if (dir.ok && target.ok)
        outside = target.path !== dir.path && !target.path.startsWith(`${dir.path}/`);
    }
    if (outside)
      out.push({
        code: 'PATH_TRAVERSAL',
        severity: 'error',
        path: specPath,
        message: `${NAME}: ${specPath} has a require path ${JSON.stringify(p)} (${from}) outside ${gemDir}/: require loads code from there that is not this gem's`,
      });
  }
  return out;
}

function toPackage(ctx: CatalogContext, path: string, gemsDir: string, spec: Gemspec): Package {
  const fullName = fullNameOf(spec);
  const prefix = gemsDir ? `${gemsDir}/` : '';
  const owns = [path, `${prefix}gems/${fullName}/`];
  // Compiled extensions live in `extensions/<arch>/<abi>/<full name>/`.
  const extRoot = `${prefix}extensions/`;
  for (const e of ctx.source.entries()) {
    if (e.kind === 'dir' && e.path.startsWith(extRoot) && e.path.endsWith(`/${fullName}`))
      owns.push(`${e.path}/`);
  }
  // The wrappers RubyGems writes into `<gems dir>/bin/` are outside the gem's own directory:
  // a gemspec's `executables` list does not make whatever sits there the gem's.
  const licenses = spec.licenses.map(licenseOf).filter((l): l is License => l !== undefined);
  const properties: Record<string, string> = {};
  if (spec.platform !== 'ruby') properties['gem:platform'] = spec.platform;
  return newPackage({
    id: `gem:${path}`,
    ecosystem: 'gem',
    name: spec.name,
    version: rubygemsVersion(spec.version),
    purl: gemPurl(spec.name, rubygemsVersion(spec.version), spec.platform),
    foundBy: NAME,
    locations: [{ path, layerDigest: ctx.layerDigest }],
    licenses,
    owns,
    installDir: gemsDir,
    properties,
    description: spec.summary,
    homepage: spec.homepage,
    author: spec.authors.length > 0 ? spec.authors.join(', ') : undefined,
  });
}

/** A claim in a `site_ruby` or `vendor_ruby` directory: what the shadowing check asks about. */
const RUBY_SITE_CLAIM = /(?:^|\/)(?:site|vendor)_ruby\//;
