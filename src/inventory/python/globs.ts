import { optPrefix, type CatalogerGlobs, type SourceRoot } from '../cataloger.js';

/** Installed distributions' metadata: what the Python cataloger parses. */
export const PYTHON_METADATA_GLOBS: readonly string[] = [
  '**/*.dist-info/METADATA',
  '**/*.egg-info/PKG-INFO',
  '**/*.egg-info',
  '**/*.egg/EGG-INFO/PKG-INFO',
];

/**
 * The files the Python cataloger reads: installed distributions' metadata, and the module files
 * in Lambda's site directories, so a module Python imports with no distribution to say what it
 * is (`python/requests/__init__.py` alone) is seen too, and their `.pth` files.
 */
export const PYTHON_GLOBS: CatalogerGlobs = {
  name: 'python-installed',
  globs: [
    ...PYTHON_METADATA_GLOBS,
    ...['python/', 'opt/python/'].flatMap((d) => ['py', 'so'].map((x) => `${d}**/*.${x}`)),
    // The .pth files of the site directories: their path lines put more directories on sys.path.
    ...['python/', 'opt/python/'].flatMap((d) => [
      `${d}*.pth`,
      `${d}lib/python*/site-packages/*.pth`,
    ]),
    // The top of an interpreter's own site directory (an image's /var/lang, /usr/local, Debian's
    // dist-packages): a module nothing claims there is imported by its name too.
    ...['lib', 'lib64'].flatMap((l) =>
      ['site', 'dist'].flatMap((k) =>
        ['*.py', '*.so', '*/__init__.py', '*/*.py'].map(
          (f) => `**/${l}/python3*/${k}-packages/${f}`
        )
      )
    ),
    // Every pyc: in an image the function's directory, wherever its config puts it, too.
    '**/*.pyc',
    // An interpreter's standard library (CPython's landmarks): where Python can run, the function's
    // directory in an image is read though no distribution or bytecode is there.
    '**/lib/python3*/os.py',
    '**/lib/python3*/os.pyc',
    '**/lib/python3*.zip',
    // A build whose platlibdir is lib64 (Fedora's, Amazon Linux's) has it there.
    '**/lib64/python3*/os.py',
    '**/lib64/python3*/os.pyc',
    '**/lib64/python3*.zip',
    // A virtual environment's configuration, a build tree's markers: they move the standard library.
    '**/pyvenv.cfg',
    '**/pybuilddir.txt',
    '**/Modules/Setup.local',
  ],
};

/**
 * Lambda's Python site directories: `python/` and `python/lib/pythonX.Y/site-packages/`. The
 * runtime puts both on `sys.path` and hands both to `site.addsitedir`, which also processes
 * their `.pth` files (https://docs.python.org/3/library/site.html).
 */
const LAMBDA_SITE = /^python(?:\/lib\/python\d+(?:\.\d+)?\/site-packages)?$/;

/** Whether `dir` is one of Lambda's site directories in a source with this root. */
export function isLambdaSite(dir: string, root: SourceRoot): boolean {
  const prefix = optPrefix(root);
  return dir.startsWith(prefix) && LAMBDA_SITE.test(dir.slice(prefix.length));
}
