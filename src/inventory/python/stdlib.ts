/**
 * Standard library modules a layer's module of the same name replaces. Lambda's Python bootstrap
 * puts the function's directory, `/opt/python/lib/pythonX.Y/site-packages` and `/opt/python`
 * at the front of `sys.path`, before the standard library's own directories, so a top-level
 * `uuid.py` (or a `json/` package with an `__init__`) in a layer is what `import uuid` loads,
 * wherever the import is: the handler, boto3, the runtime itself. The file may belong to a
 * distribution whose name says nothing of it; its code runs without anything importing that
 * distribution. Built-in and frozen modules (`sys`, `os`) cannot be replaced this way; they are
 * listed anyway, since a layer file of that name has no business there either.
 */
import type { Finding } from '../../model/finding.js';
import { MODULE_FILE } from './bare.js';

/**
 * `sys.stdlib_module_names` of Python 3.11 (which still lists the modules 3.12 and 3.13 removed)
 * and the top-level modules Python 3.12 to 3.14 added: every runtime Lambda offers.
 * `stdlib.test.ts` checks the list holds the local Python's own.
 */
export const STDLIB_MODULES: ReadonlySet<string> = new Set([
  '__future__',
  '_abc',
  '_aix_support',
  '_android_support',
  '_apple_support',
  '_ast',
  '_asyncio',
  '_bisect',
  '_blake2',
  '_bootsubprocess',
  '_bz2',
  '_codecs',
  '_codecs_cn',
  '_codecs_hk',
  '_codecs_iso2022',
  '_codecs_jp',
  '_codecs_kr',
  '_codecs_tw',
  '_collections',
  '_collections_abc',
  '_colorize',
  '_compat_pickle',
  '_compression',
  '_contextvars',
  '_crypt',
  '_csv',
  '_ctypes',
  '_curses',
  '_curses_panel',
  '_datetime',
  '_dbm',
  '_decimal',
  '_elementtree',
  '_frozen_importlib',
  '_frozen_importlib_external',
  '_functools',
  '_gdbm',
  '_hashlib',
  '_heapq',
  '_hmac',
  '_imp',
  '_interpchannels',
  '_interpqueues',
  '_interpreters',
  '_io',
  '_ios_support',
  '_json',
  '_locale',
  '_lsprof',
  '_lzma',
  '_markupbase',
  '_md5',
  '_msi',
  '_multibytecodec',
  '_multiprocessing',
  '_opcode',
  '_opcode_metadata',
  '_operator',
  '_osx_support',
  '_overlapped',
  '_pickle',
  '_posixshmem',
  '_posixsubprocess',
  '_py_abc',
  '_pydatetime',
  '_pydecimal',
  '_pyio',
  '_pylong',
  '_pyrepl',
  '_queue',
  '_random',
  '_remote_debugging',
  '_scproxy',
  '_sha1',
  '_sha256',
  '_sha3',
  '_sha512',
  '_signal',
  '_sitebuiltins',
  '_socket',
  '_sqlite3',
  '_sre',
  '_ssl',
  '_stat',
  '_statistics',
  '_string',
  '_strptime',
  '_struct',
  '_suggestions',
  '_symtable',
  '_sysconfig',
  '_thread',
  '_threading_local',
  '_tkinter',
  '_tokenize',
  '_tracemalloc',
  '_types',
  '_typing',
  '_uuid',
  '_warnings',
  '_weakref',
  '_weakrefset',
  '_winapi',
  '_zoneinfo',
  '_zstd',
  'abc',
  'aifc',
  'annotationlib',
  'antigravity',
  'argparse',
  'array',
  'ast',
  'asynchat',
  'asyncio',
  'asyncore',
  'atexit',
  'audioop',
  'base64',
  'bdb',
  'binascii',
  'bisect',
  'builtins',
  'bz2',
  'cProfile',
  'calendar',
  'cgi',
  'cgitb',
  'chunk',
  'cmath',
  'cmd',
  'code',
  'codecs',
  'codeop',
  'collections',
  'colorsys',
  'compileall',
  'compression',
  'concurrent',
  'configparser',
  'contextlib',
  'contextvars',
  'copy',
  'copyreg',
  'crypt',
  'csv',
  'ctypes',
  'curses',
  'dataclasses',
  'datetime',
  'dbm',
  'decimal',
  'difflib',
  'dis',
  'distutils',
  'doctest',
  'email',
  'encodings',
  'ensurepip',
  'enum',
  'errno',
  'faulthandler',
  'fcntl',
  'filecmp',
  'fileinput',
  'fnmatch',
  'fractions',
  'ftplib',
  'functools',
  'gc',
  'genericpath',
  'getopt',
  'getpass',
  'gettext',
  'glob',
  'graphlib',
  'grp',
  'gzip',
  'hashlib',
  'heapq',
  'hmac',
  'html',
  'http',
  'idlelib',
  'imaplib',
  'imghdr',
  'imp',
  'importlib',
  'inspect',
  'io',
  'ipaddress',
  'itertools',
  'json',
  'keyword',
  'lib2to3',
  'linecache',
  'locale',
  'logging',
  'lzma',
  'mailbox',
  'mailcap',
  'marshal',
  'math',
  'mimetypes',
  'mmap',
  'modulefinder',
  'msilib',
  'msvcrt',
  'multiprocessing',
  'netrc',
  'nis',
  'nntplib',
  'nt',
  'ntpath',
  'nturl2path',
  'numbers',
  'opcode',
  'operator',
  'optparse',
  'os',
  'ossaudiodev',
  'pathlib',
  'pdb',
  'pickle',
  'pickletools',
  'pipes',
  'pkgutil',
  'platform',
  'plistlib',
  'poplib',
  'posix',
  'posixpath',
  'pprint',
  'profile',
  'pstats',
  'pty',
  'pwd',
  'py_compile',
  'pyclbr',
  'pydoc',
  'pydoc_data',
  'pyexpat',
  'queue',
  'quopri',
  'random',
  're',
  'readline',
  'reprlib',
  'resource',
  'rlcompleter',
  'runpy',
  'sched',
  'secrets',
  'select',
  'selectors',
  'shelve',
  'shlex',
  'shutil',
  'signal',
  'site',
  'smtpd',
  'smtplib',
  'sndhdr',
  'socket',
  'socketserver',
  'spwd',
  'sqlite3',
  'sre_compile',
  'sre_constants',
  'sre_parse',
  'ssl',
  'stat',
  'statistics',
  'string',
  'stringprep',
  'struct',
  'subprocess',
  'sunau',
  'symtable',
  'sys',
  'sysconfig',
  'syslog',
  'tabnanny',
  'tarfile',
  'telnetlib',
  'tempfile',
  'termios',
  'textwrap',
  'this',
  'threading',
  'time',
  'timeit',
  'tkinter',
  'token',
  'tokenize',
  'tomllib',
  'trace',
  'traceback',
  'tracemalloc',
  'tty',
  'turtle',
  'turtledemo',
  'types',
  'typing',
  'unicodedata',
  'unittest',
  'urllib',
  'uu',
  'uuid',
  'venv',
  'warnings',
  'wave',
  'weakref',
  'webbrowser',
  'winreg',
  'winsound',
  'wsgiref',
  'xdrlib',
  'xml',
  'xmlrpc',
  'zipapp',
  'zipfile',
  'zipimport',
  'zlib',
  'zoneinfo',
]);

/** Lambda's site directories, at the front of `sys.path`, and the path below one. */
const FRONT = /^(python\/lib\/python\d+(?:\.\d+)?\/site-packages|python)\/(.+)$/;

/**
 * In an image, the runtime's own directories too: from Python 3.11 the bootstrap puts its site
 * directory at the front as well (before 3.11 after the standard library), and `/var/runtime`
 * (the bootstrap's, and up to 3.10 the bundled SDK's) comes before the standard library.
 */
const RUNTIME_SITE = /^(var\/lang\/lib\/python\d+(?:\.\d+)?\/site-packages|var\/runtime)\/(.+)$/;

/** A package's `__init__` file: what makes a directory a regular package, which shadows. */
const INIT = /^__init__\.(?:py|pyc|(?:[^/]*\.)?so)$/;

/**
 * Whether `path` may be a top-level module of a directory at the front of `sys.path` in an
 * image (the runtime's site directory): the entries a caller adds for it, beyond the
 * catalogers' matches.
 */
export function inRuntimeSite(path: string): boolean {
  const m = RUNTIME_SITE.exec(path);
  if (!m) return false;
  const parts = m[2]!.split('/');
  return parts.length === 1 || (parts.length === 2 && INIT.test(parts[1]!));
}

/**
 * One `STDLIB_SHADOWED` error per top-level module of a site directory at the front of
 * `sys.path` that has a standard library module's name: a module file (`uuid.py`,
 * `_json.cpython-312-x86_64-linux-gnu.so`), a regular package (`json/__init__.py`) or a
 * symbolic link. A directory without an `__init__` is a namespace portion, which the standard
 * library's regular package of that name wins over. `entries` are source-relative paths (sorted);
 * Lambda's site directories are under `prefix` (`opt/` in an image). In an image (`image`), the
 * function's directory (`taskRoot`, searched first of all) and the runtime's site directory are
 * at the front too.
 */
export function stdlibShadowFindings(
  entries: Iterable<{ path: string; kind: string }>,
  prefix: string,
  image?: { taskRoot?: string | undefined }
): Finding[] {
  const taskRoot = image?.taskRoot;
  const out = new Map<string, Finding>();
  for (const e of entries) {
    if (e.kind !== 'file' && e.kind !== 'symlink') continue;
    let site: string | undefined;
    let rest: string | undefined;
    const m = e.path.startsWith(prefix) ? FRONT.exec(e.path.slice(prefix.length)) : null;
    const runtime = image ? RUNTIME_SITE.exec(e.path) : null;
    if (m) [site, rest] = [`${prefix}${m[1]!}`, m[2]!];
    else if (runtime) [site, rest] = [runtime[1]!, runtime[2]!];
    else if (taskRoot && e.path.startsWith(`${taskRoot}/`))
      [site, rest] = [taskRoot, e.path.slice(taskRoot.length + 1)];
    if (site === undefined || rest === undefined) continue;
    const parts = rest.split('/');
    let name: string | undefined;
    if (parts.length === 1)
      name = MODULE_FILE.exec(parts[0]!)?.[1] ?? (e.kind === 'symlink' ? parts[0] : undefined);
    else if (parts.length === 2 && INIT.test(parts[1]!)) name = parts[0];
    if (name === undefined || !STDLIB_MODULES.has(name)) continue;
    const path = parts.length === 1 ? e.path : `${site}/${parts[0]!}`;
    if (out.has(path)) continue;
    out.set(path, {
      code: 'STDLIB_SHADOWED',
      severity: 'error',
      path,
      message: `${path} is the module '${name}' in ${site}/, which Lambda puts on sys.path before the standard library: import ${name} runs it instead of the standard library's, from wherever it is imported`,
    });
  }
  return [...out.values()];
}
