/**
 * What a zip function's `Handler` makes its runtime load. Lambda passes the Handler to the
 * runtime, which turns it into code to load: the Node.js runtime resolves `root/module.fn`
 * against the function's directory, so an absolute root (`/opt/share/doc/x.handler`) loads a
 * layer file no package holds; Ruby requires `file` of `file.method`, an absolute path or `~`
 * included; and a module of the runtime's own (Node's `child_process.execSync`, Python's
 * `cProfile.run`) makes Lambda call it with the event, which then runs as a command or as code.
 * The rules follow the runtime interface clients: aws-lambda-nodejs-runtime-interface-client
 * (src/UserFunction.js), aws-lambda-python-runtime-interface-client (awslambdaric/bootstrap.py),
 * aws-lambda-ruby-runtime-interface-client (lib/aws_lambda_ric) and aws-lambda-java-libs
 * (aws-lambda-java-runtime-interface-client: HandlerInfo, EventHandlerLoader).
 */
import { posix } from 'node:path';
import { STDLIB_MODULES } from './python-stdlib.js';

/** Lambda's task root: the function's own code, where the managed runtimes resolve a Handler. */
export const TASK_ROOT = '/var/task';

/** How a function's configuration says its code starts. */
export interface FunctionStart {
  /** `Zip` or `Image`. */
  packageType: string;
  /** `nodejs22.x`, `python3.12`, `provided.al2023`...; none for an image function. */
  runtime: string | undefined;
  /** The configured Handler; none for an image function. */
  handler: string | undefined;
}

/**
 * Where the runtime takes the handler's code from:
 * - `image`: no Handler setting; the image's entry point and command start it, and the Handler
 *   they hand a runtime interface client is checked with the image (src/inventory/image-handler.ts);
 * - `bootstrap`: a custom runtime, whose bootstrap reads the Handler as it likes;
 * - `own`: the function's directory, or a module found by name as any import of the function's
 *   finds it (a layer's module there is in that layer's inventory);
 * - `outside`: code outside the function's directory that no package or import accounts for;
 * - `refused`: the runtime refuses the Handler and loads nothing;
 * - `unknown`: lamina does not know how this runtime reads a Handler, or it was not given.
 * `loads` says what, in words.
 */
export type HandlerTarget = {
  kind: 'image' | 'bootstrap' | 'own' | 'outside' | 'refused' | 'unknown';
  loads: string;
};

/** Whether `function:handler` fails a Handler of this target unless `handler.allow` lists it. */
export function needsAllowance(target: HandlerTarget['kind']): boolean {
  return target === 'outside' || target === 'unknown';
}

/**
 * Node.js's built-in modules without a `/` (a Handler's module part has none): `require` gives
 * the built-in for each name, with or without `node:`, whatever directory it is asked from.
 */
const NODE_BUILTINS: ReadonlySet<string> = new Set([
  '_http_agent',
  '_http_client',
  '_http_common',
  '_http_incoming',
  '_http_outgoing',
  '_http_server',
  '_stream_duplex',
  '_stream_passthrough',
  '_stream_readable',
  '_stream_transform',
  '_stream_wrap',
  '_stream_writable',
  '_tls_common',
  '_tls_wrap',
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'console',
  'constants',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'domain',
  'events',
  'fs',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'punycode',
  'querystring',
  'readline',
  'repl',
  'stream',
  'string_decoder',
  'sys',
  'timers',
  'tls',
  'trace_events',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'wasi',
  'worker_threads',
  'zlib',
]);

/** True when `name` is Node's built-in module by that name (`node:` names are all built-in). */
export function isNodeBuiltin(name: string): boolean {
  return name.startsWith('node:') || NODE_BUILTINS.has(name);
}

const inside = (p: string, root: string): boolean => p === root || p.startsWith(`${root}/`);

/** The runtimes whose interface client lamina reads a Handler as. */
export type HandlerRuntime = 'nodejs' | 'python' | 'ruby' | 'java';

/**
 * What the `runtime` interface client loads for `handler`, its function directory `taskRoot`
 * (absolute; Lambda's `/var/task` for a zip function, `LAMBDA_TASK_ROOT` in an image).
 */
export function runtimeHandlerTarget(
  runtime: HandlerRuntime,
  handler: string,
  taskRoot = TASK_ROOT
): HandlerTarget {
  switch (runtime) {
    case 'nodejs':
      return nodeTarget(handler, taskRoot);
    case 'python':
      return pythonTarget(handler);
    case 'ruby':
      return rubyTarget(handler, taskRoot);
    case 'java':
      return javaTarget(handler);
  }
}

/** What the runtime of `start` loads for its Handler. */
export function handlerTarget(start: FunctionStart): HandlerTarget {
  if (start.packageType === 'Image')
    return {
      kind: 'image',
      loads:
        "the image's entry point and command, the Handler they pass checked with the image's inventory:complete (a container image function has no Handler setting)",
    };
  const { runtime, handler } = start;
  if (runtime === undefined)
    return { kind: 'unknown', loads: 'Lambda returned no Runtime for this zip function' };
  // A custom runtime's bootstrap (the function's or a layer's file, in its inventory) gets the
  // Handler as _HANDLER and does with it what it likes; no runtime rule applies.
  if (runtime.startsWith('provided'))
    return {
      kind: 'bootstrap',
      loads: `the bootstrap of the custom runtime ${runtime}, which reads the Handler itself`,
    };
  if (handler === undefined || handler === '')
    return { kind: 'unknown', loads: `Lambda returned no Handler for this ${runtime} function` };
  for (const r of ['nodejs', 'python', 'ruby', 'java'] as const)
    if (runtime.startsWith(r)) return runtimeHandlerTarget(r, handler);
  if (runtime.startsWith('dotnet'))
    return {
      kind: 'own',
      loads: `the assembly ${handler.split('::')[0] ?? ''} by name from the function's directory`,
    };
  return {
    kind: 'unknown',
    loads: `lamina does not know how the runtime ${runtime} turns a Handler into code`,
  };
}

/**
 * The Node.js runtime interface client: the module root is what precedes the first occurrence
 * of the Handler's last path segment (not the last `/`), the module is that segment up to its
 * first `.`, and `path.resolve(taskRoot, root, module)` is tried as a file before `require`
 * looks the module up by name. A `..` anywhere is refused by current clients; where it would
 * lead is judged all the same, since the refusal is that client's, not Lambda's.
 */
function nodeTarget(handler: string, taskRoot: string): HandlerTarget {
  const segment = posix.basename(handler);
  const root = handler.slice(0, handler.indexOf(segment));
  const m = /^([^.]*)\.(.*)$/.exec(segment);
  if (!m) return { kind: 'refused', loads: 'nothing: the runtime needs module.function (no `.`)' };
  const module = m[1]!;
  const refused = handler.includes('..') ? ' (current runtimes refuse a Handler with `..`)' : '';
  // Whatever the root, a module the root does not hold is looked up by name: the built-in.
  if (isNodeBuiltin(module))
    return {
      kind: 'outside',
      loads: `the Node.js built-in module ${module} (unless ${posix.resolve(taskRoot, root, module)} is a file): Lambda calls its ${m[2]!} with the event${refused}`,
    };
  const file = posix.resolve(taskRoot, root, module);
  if (inside(file, taskRoot))
    return {
      kind: 'own',
      loads: `${file} (.js, .mjs, .cjs) from the function's directory, else the module ${module} by name${refused}`,
    };
  return {
    kind: 'outside',
    loads: `${file} (as is, .js, .mjs or .cjs), outside the function's directory ${taskRoot}${refused}`,
  };
}

/**
 * The Python runtime interface client: `module.function` split at the last `.`, `/` in the
 * module read as `.`, then `importlib.import_module`: by name through `sys.path` (the function's
 * directory, then the layers' python directories, then the runtime's), never by path.
 */
function pythonTarget(handler: string): HandlerTarget {
  const dot = handler.lastIndexOf('.');
  if (dot < 0)
    return { kind: 'refused', loads: 'nothing: the runtime needs module.function (no `.`)' };
  const name = handler.slice(0, dot).replaceAll('/', '.');
  const fn = handler.slice(dot + 1);
  // A leading `.` is a relative import with no package: import_module raises TypeError.
  if (name.startsWith('.'))
    return { kind: 'refused', loads: `nothing: Python cannot import ${name} (a relative name)` };
  const top = name.split('.')[0]!;
  if (STDLIB_MODULES.has(top))
    return {
      kind: 'outside',
      loads: `the standard library module ${name} (unless the function's directory holds one of that name): Lambda calls its ${fn} with the event`,
    };
  return {
    kind: 'own',
    loads: `the module ${name} by name through sys.path (the function's directory first, then the layers' python directories)`,
  };
}

/**
 * Packages whose classes come with the JDK (or the runtime interface client itself), never from
 * the function: the JVM refuses to define `java.*` classes anywhere else.
 */
const JAVA_PLATFORM =
  /^(?:java|javax|jdk|sun|com\.sun|org\.w3c|org\.xml|org\.ietf|com\.amazonaws\.services\.lambda\.runtime\.api\.client)\./;

/**
 * The Java runtime interface client: the class is what precedes the last `::`, loaded with
 * `Class.forName` from a class loader over the function's directory and the layers' java/lib
 * whose parent is the system class loader, so the JDK's classes resolve too; a public static
 * method of one argument is a handler (`java.lang.System::load` loads the library the event
 * names).
 */
function javaTarget(handler: string): HandlerTarget {
  const colon = handler.lastIndexOf('::');
  const name = colon < 0 ? handler : handler.slice(0, colon);
  if (JAVA_PLATFORM.test(name))
    return {
      kind: 'outside',
      loads: `the Java platform class ${name}: Lambda calls its ${colon < 0 ? 'handleRequest' : handler.slice(colon + 2)} with the event`,
    };
  return {
    kind: 'own',
    loads: `the class ${name} from the class path (the function's directory and lib/ jars, then the layers' java/lib jars)`,
  };
}

/**
 * The Ruby runtime interface client: `file.method` or `file.Class.method` (any other count of
 * `.` is refused, so `file` holds none), then `require file`: an absolute path or one starting
 * with `~` (expanded from HOME or a user's home) is loaded as such, any other name is searched
 * in `$LOAD_PATH`, the function's directory first.
 */
function rubyTarget(handler: string, taskRoot: string): HandlerTarget {
  const parts = handler.split('.');
  if (parts.length !== 2 && parts.length !== 3)
    return {
      kind: 'refused',
      loads: 'nothing: the runtime needs file.method or file.Class.method',
    };
  const file = parts[0]!;
  if (file.startsWith('~'))
    return { kind: 'outside', loads: `${file}(.rb, .so), from a home directory` };
  if (file.startsWith('/')) {
    const path = posix.normalize(file);
    if (!inside(path, taskRoot))
      return {
        kind: 'outside',
        loads: `${path}(.rb, .so), outside the function's directory ${taskRoot}`,
      };
    return { kind: 'own', loads: `${path}(.rb, .so) from the function's directory` };
  }
  return {
    kind: 'own',
    loads: `${file}(.rb, .so) through $LOAD_PATH (the function's directory first, then the layers' ruby/lib)`,
  };
}
