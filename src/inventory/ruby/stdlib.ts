/**
 * Ruby libraries a layer's or an image's file of the same name replaces. `require 'json'` takes
 * the first `json.rb` (or `json.so`) in `$LOAD_PATH` order, and `RUBYLIB`, `site_ruby` and
 * `vendor_ruby` all come before the standard library's own directories: Lambda's `RUBYLIB` holds
 * `/opt/ruby/lib`, and its runtime interface client puts the function's directory at the front
 * of `$LOAD_PATH` before it loads the handler. A `json.rb` there is what every `require 'json'`
 * loads, the SDK's included; a `monitor.rb`, `rubygems.rb`, `did_you_mean.rb`,
 * `error_highlight.rb` or `enc/encdb.so` runs at every start of `ruby`, which loads them before
 * any script. The same holds inside a library: `json/common` is what `json.rb` requires.
 */
import type { Finding } from '../../model/finding.js';
import { optPrefix, type SourceRoot } from '../cataloger.js';
import { RUBYLIB } from './bare.js';
import { STDLIB_FILES } from './stdlib-files.js';

/**
 * The standard library's top-level features: what `scripts/ruby-stdlib-features.rb` prints for
 * Ruby 3.1 (the default libraries and default gems in `rubylibdir` and `archdir`, leaving out
 * those inside another, such as `json/common`; `stdlib.test.ts` checks it against the local
 * ruby), the encodings' directory collapsed into {@link STDLIB_DIRS}; the built-in features
 * `require` still loads a file for (`enumerator`, `fiber`, `rational`, `complex`: Ruby provides
 * them as `.so`, and a `.rb` of that name is loaded); and the default gems Ruby 3.2
 * (`syntax_suggest`, `win32ole`), 3.3 (`prism`) and 3.4 (`win32-registry`, required as
 * `win32/registry`) added, with 3.3's `bundled_gems` (Bundler 2.5 and later require it). Files a newer Ruby adds inside one of these (`json/ext/...`) are
 * covered, since everything under a feature's directory is taken as that feature's.
 */
export const STDLIB_FEATURES: ReadonlySet<string> = new Set([
  'English',
  'abbrev',
  'base64',
  'benchmark',
  'bigdecimal',
  'bundled_gems',
  'bundler',
  'cgi',
  'complex',
  'continuation',
  'coverage',
  'csv',
  'date',
  'date_core',
  'delegate',
  'did_you_mean',
  'digest',
  'drb',
  'enumerator',
  'erb',
  'error_highlight',
  'etc',
  'expect',
  'fcntl',
  'fiber',
  'fiddle',
  'fileutils',
  'find',
  'forwardable',
  'getoptlong',
  'io/console',
  'io/nonblock',
  'io/wait',
  'ipaddr',
  'irb',
  'json',
  'kconv',
  'logger',
  'mkmf',
  'monitor',
  'mutex_m',
  'net/http',
  'net/https',
  'net/protocol',
  'nkf',
  'objspace',
  'observer',
  'open-uri',
  'open3',
  'openssl',
  'optionparser',
  'optparse',
  'ostruct',
  'pathname',
  'pp',
  'prettyprint',
  'prism',
  'pstore',
  'psych',
  'pty',
  'racc',
  'random/formatter',
  'rational',
  'rbconfig',
  'rdoc',
  'readline',
  'reline',
  'resolv',
  'resolv-replace',
  'rinda/rinda',
  'rinda/ring',
  'rinda/tuplespace',
  'ripper',
  'rubygems',
  'securerandom',
  'set',
  'shellwords',
  'singleton',
  'socket',
  'stringio',
  'strscan',
  'syntax_suggest',
  'syslog',
  'tempfile',
  'time',
  'timeout',
  'tmpdir',
  'tsort',
  'un',
  'unicode_normalize/normalize',
  'unicode_normalize/tables',
  'uri',
  'weakref',
  'win32/registry',
  'win32ole',
  'yaml',
  'zlib',
]);

/**
 * Directories whose every library is the standard library's: the encodings (`enc/euc_jp.so`,
 * `enc/trans/japanese.so`), which Ruby loads by that name from `$LOAD_PATH` when an encoding is
 * first used, and `enc/encdb` at every start.
 */
const STDLIB_DIRS: readonly string[] = ['enc'];

/**
 * The standard library feature `feature` (a `require` name, no extension) is or lies inside
 * (`json/common` is json's, `net/http/response` net/http's), or undefined.
 */
export function stdlibFeature(feature: string): string | undefined {
  const parts = feature.split('/');
  if (parts.length > 1 && STDLIB_DIRS.includes(parts[0]!)) return parts[0];
  for (let i = 1; i <= parts.length; i++) {
    const f = parts.slice(0, i).join('/');
    if (STDLIB_FEATURES.has(f)) return f;
  }
  return undefined;
}

/**
 * For a file of a gem, which may add files of its own to a standard library's directory
 * (json-jwt's `json/jwt`, net-http-persistent's `net/http/persistent`): the standard library
 * feature `feature` is, when it is one of Ruby 3.1's library files ({@link STDLIB_FILES}), a
 * top-level feature, an encoding, or inside a library Ruby 3.1 does not ship (`prism/...`, whose
 * files lamina cannot list); undefined otherwise.
 */
export function stdlibFile(feature: string): string | undefined {
  const std = stdlibFeature(feature);
  if (std === undefined) return undefined;
  return STDLIB_FILES.has(feature) || STDLIB_FEATURES.has(feature) || !STDLIB_FILES.has(std)
    ? std
    : undefined;
}

/** Whether a link named `name` in a load directory puts standard library features there. */
function linkShadows(name: string): boolean {
  if (stdlibFeature(name) !== undefined || STDLIB_DIRS.includes(name)) return true;
  for (const f of STDLIB_FEATURES) if (f.startsWith(`${name}/`)) return true;
  return false;
}

/** Files `require` loads: Ruby source and extensions. */
const LIBRARY = /^(.+)\.(?:rb|so)$/;

/**
 * A Ruby installation's `site_ruby` or `vendor_ruby` directory (`/usr/local/lib/site_ruby`,
 * `/var/lang/lib/ruby/site_ruby`, Debian's `/usr/lib/x86_64-linux-gnu/ruby/vendor_ruby`, and
 * Fedora's and Amazon Linux's `/usr/local/share/ruby/site_ruby` and `/usr/share/ruby/vendor_ruby`
 * beside `/usr/lib64/ruby/vendor_ruby`); its versioned subdirectory (`3.3.0`) and that one's
 * architecture subdirectory (`x86_64-linux`) are on `$LOAD_PATH` too.
 */
const SITE_DIR = /(?:^|\/)(?:lib(?:64)?|share)\/(?:[^/]+\/)?(?:ruby\/)?(?:site|vendor)_ruby$/;
const VERSION_DIR = /^\d+\.\d+\.\d+$/;

/** Where a file is on `$LOAD_PATH`: the directory, the path below it, whether a site one. */
interface Placement {
  dir: string;
  rest: string;
  site: boolean;
}

/**
 * Every load directory `path` is in (a file may be in a site directory and its versioned one),
 * given Lambda's fixed directories `fixed`.
 */
function placements(path: string, fixed: readonly string[]): Placement[] {
  const out: Placement[] = [];
  for (const dir of fixed)
    if (path.startsWith(`${dir}/`))
      out.push({ dir, rest: path.slice(dir.length + 1), site: false });
  const parts = path.split('/');
  const at = parts.findIndex(
    (p, i) =>
      (p === 'site_ruby' || p === 'vendor_ruby') && SITE_DIR.test(parts.slice(0, i + 1).join('/'))
  );
  if (at < 0) return out;
  const rest = parts.slice(at + 1);
  let depth = at + 1;
  const add = (): void => {
    if (rest.length > 0)
      out.push({ dir: parts.slice(0, depth).join('/'), rest: rest.join('/'), site: true });
  };
  add();
  if (rest.length > 1 && VERSION_DIR.test(rest[0]!)) {
    rest.shift();
    depth++;
    add();
    if (rest.length > 1 && rest[0]!.includes('-')) {
      rest.shift();
      depth++;
      add();
    }
  }
  return out;
}

/**
 * One `STDLIB_SHADOWED` error per library file (`.rb`, `.so`, or a link) in a directory Ruby
 * searches before its standard library that `require` loads in place of a standard library
 * feature ({@link stdlibFeature}), and per link there named like one (`net -> ...` puts a
 * `net/http` there). The directories: Lambda's `RUBYLIB` (`ruby/lib`, in an image
 * `opt/ruby/lib`); in an image also the function's directory (`taskRoot`), the runtime's
 * `var/runtime/lib` (also on Lambda's `RUBYLIB`), and every Ruby installation's `site_ruby` and
 * `vendor_ruby`, where a file an OS package installed (`owned`: Debian's
 * `vendor_ruby/rubygems.rb`) is that package's. `entries` are source-relative paths.
 */
export function rubyStdlibShadowFindings(
  entries: Iterable<{ path: string; kind: string }>,
  root: SourceRoot,
  options: { taskRoot?: string | undefined; owned?: (path: string) => boolean } = {}
): Finding[] {
  const fixed = [`${optPrefix(root)}${RUBYLIB}`];
  if (root === 'image') {
    if (options.taskRoot) fixed.push(options.taskRoot);
    fixed.push('var/runtime/lib');
  }
  const out = new Map<string, Finding>();
  for (const e of entries) {
    if ((e.kind !== 'file' && e.kind !== 'symlink') || out.has(e.path)) continue;
    for (const { dir, rest, site } of placements(e.path, fixed)) {
      const lib = LIBRARY.exec(rest)?.[1];
      let std: string | undefined;
      if (lib !== undefined) std = stdlibFeature(lib);
      else if (e.kind === 'symlink' && linkShadows(rest)) std = rest;
      if (std === undefined) continue;
      if (site && options.owned?.(e.path)) continue;
      const name = lib ?? `${rest}/...`;
      out.set(e.path, {
        code: 'STDLIB_SHADOWED',
        severity: 'error',
        path: e.path,
        message: `${e.path} is what require '${name}' finds in ${dir}/, which comes before Ruby's standard library on $LOAD_PATH: it loads in place of the standard library's ${std}, from wherever it is required`,
      });
      break;
    }
  }
  return [...out.values()];
}

/**
 * Standard library features a default gem provides that its name does not spell (optparse's
 * `optionparser`, nkf's `kconv`, date's `date_core` extension, securerandom's
 * `random/formatter`, net-http's `net/https`, readline-ext's `readline` extension, rinda's
 * three), and rubygems-update, which carries RubyGems itself.
 */
const GEM_FEATURES: Readonly<Record<string, readonly string[]>> = {
  optparse: ['optionparser'],
  nkf: ['kconv'],
  date: ['date_core'],
  securerandom: ['random/formatter'],
  'net-http': ['net/https'],
  'readline-ext': ['readline'],
  'rubygems-update': ['rubygems'],
  rinda: ['rinda/rinda', 'rinda/ring', 'rinda/tuplespace'],
};

/**
 * Whether the gem `gem` is the one that provides the standard library feature `feature` (as
 * {@link stdlibFeature} names it): a default gem published on its own (json, net-http,
 * io-console, English as `english`) installs a newer version of the library, which RubyGems
 * puts before the standard library on purpose. Any other gem carrying it replaces the standard
 * library's with code of its own.
 */
export function gemProvides(gem: string, feature: string): boolean {
  const name = gem.toLowerCase();
  const f = feature.toLowerCase();
  if (name === f || name.replaceAll('-', '/') === f) return true;
  return Object.hasOwn(GEM_FEATURES, gem) && GEM_FEATURES[gem]!.includes(feature);
}
