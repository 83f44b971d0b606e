/**
 * A function's environment variables that make its runtime load or run code other than the
 * handler and the layers' packages: a preload, an agent, an exec wrapper, another module search
 * path. Lambda hands the function's variables to the runtime process, so a layer file that
 * nothing imports (and lamina inventories as inert) runs once `NODE_OPTIONS=--require` names it.
 */

/** Why a variable matters, per variable name. */
const LOADERS: Readonly<Record<string, string>> = {
  // Every runtime.
  AWS_LAMBDA_EXEC_WRAPPER: 'Lambda runs this program to start the runtime',
  PATH: 'where programs started by name are looked up',
  BASH_ENV: 'bash runs this file before a script (exec wrappers are scripts)',
  ENV: 'sh runs this file before a script',
  SHELLOPTS: 'bash options: xtrace runs the command substitutions of PS4 before every command',
  BASHOPTS: 'bash options',
  PS4: 'bash expands it, command substitutions included, before each traced command',
  HOME: "where Node.js (~/.node_modules, ~/.node_libraries) and Python (the user site's .pth files) look for code",
  GCONV_PATH: 'glibc loads character-set modules from here',
  OPENSSL_CONF: 'OpenSSL reads this configuration, which can load engines and providers',
  OPENSSL_ENGINES: 'OpenSSL loads engines from here',
  OPENSSL_MODULES: 'OpenSSL loads providers from here',
  // Node.js.
  NODE_OPTIONS: 'Node.js options: --require, --import, --loader, --inspect, ...',
  NODE_PATH: 'Node.js module search path',
  // Bun reads more options from it, --preload among them.
  BUN_OPTIONS: 'Bun options: --preload, --require, --config',
  NODE_COMPILE_CACHE:
    'Node.js (22.1 and later) uses the V8 code cache in this directory for the modules it compiles',
  // Python.
  PYTHONPATH: 'Python module search path',
  PYTHONHOME: 'Python standard library location',
  PYTHONPLATLIBDIR: 'Python library directory name',
  PYTHONUSERBASE: 'Python user site directory, whose .pth files run at start-up',
  PYTHONPYCACHEPREFIX: 'Python reads compiled bytecode from here instead of __pycache__',
  PYTHONWARNINGS: 'Python imports the module a warning category names',
  PYTHONBREAKPOINT: 'Python imports this when breakpoint() is called',
  PYTHONSTARTUP: 'Python runs this file in interactive mode',
  // Java.
  JAVA_TOOL_OPTIONS: 'JVM options: -javaagent, -agentpath, -Xbootclasspath, ...',
  _JAVA_OPTIONS: 'JVM options',
  JDK_JAVA_OPTIONS: 'java launcher options',
  CLASSPATH: 'Java class path',
  // Ruby.
  RUBYOPT: 'Ruby options: -r, -I',
  RUBYLIB: 'Ruby library search path',
  GEM_HOME: 'RubyGems installation directory',
  GEM_PATH: 'RubyGems search path',
  BUNDLE_GEMFILE: 'the Gemfile Bundler evaluates, Ruby code',
  // The debug gem runs debug commands (`eval` runs Ruby) at its first stop: these give them.
  RUBY_DEBUG_OPT: "the debug gem's options: -e debug commands, -x a file of them, --open",
  RUBY_DEBUG_COMMANDS: 'debug commands (eval runs Ruby) the debug gem runs at its first stop',
  RUBY_DEBUG_INIT_SCRIPT: 'a file of debug commands the debug gem runs at its first stop',
  // debugpy reads more switches from it: --listen, --connect, its target.
  DEBUGPY_EXTRA_ARGV: "debugpy's switches: --listen, --connect, the code it runs",
  // .NET.
  DOTNET_STARTUP_HOOKS: '.NET runs these assemblies before Main',
  DOTNET_ADDITIONAL_DEPS: '.NET loads additional dependencies listed here',
  DOTNET_SHARED_STORE: '.NET package store',
  // R (custom runtimes): its startup files and package libraries.
  R_PROFILE: 'the site profile R runs at start, R code',
  R_PROFILE_USER: "the user's profile R runs at start, R code",
  R_ENVIRON: 'the site environ file R reads at start, which sets R_PROFILE_USER and the rest',
  R_ENVIRON_USER:
    "the user's environ file R reads at start, which sets R_PROFILE_USER and the rest",
  R_LIBS: 'R package library search path',
  R_LIBS_USER: 'R package library search path',
  R_LIBS_SITE: 'R package library search path',
  R_DEFAULT_PACKAGES: 'the packages R attaches at start',
  // Perl (scripts in custom runtimes).
  PERL5OPT: 'Perl options: -M loads modules',
  PERL5LIB: 'Perl module search path',
  PERLLIB: 'Perl module search path',
};

/** Prefixes whose every variable is read by a loader: glibc's `ld.so` and the CLR profiler. */
const LOADER_PREFIXES: readonly (readonly [string, string])[] = [
  ['LD_', 'read by the dynamic loader: LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ...'],
  ['CORECLR_', '.NET profiler settings: CORECLR_PROFILER_PATH loads a native library'],
  ['BASH_FUNC_', 'bash imports it as a function, run in place of the command of that name'],
  [
    'BUNDLE_',
    "Bundler settings: BUNDLE_PATH, BUNDLE_APP_CONFIG and the rest move where a Gemfile's gems load from",
  ],
];

/**
 * Why the variable `name` can make the runtime load code, or undefined when lamina does not
 * know it to. Names are exact: the runtimes read them case-sensitively.
 */
export function loaderReason(name: string): string | undefined {
  if (Object.hasOwn(LOADERS, name)) return LOADERS[name];
  return LOADER_PREFIXES.find(([p]) => name.startsWith(p))?.[1];
}

/** One variable that makes the runtime load code, as the function sets it. */
export interface LoaderVariable {
  name: string;
  value: string;
}

/**
 * What lamina knows of a function's environment: the variables that load code (sorted by
 * name; none is the common case), or why they could not be read (Lambda returns
 * `Environment.Error` instead of the variables, e.g. when their KMS key cannot decrypt them).
 */
export type FunctionEnvironment =
  { read: true; loaders: LoaderVariable[] } | { read: false; reason: string };

/** The shape of Lambda's `Environment` (FunctionConfiguration) this reads. */
export interface LambdaEnvironment {
  Variables?: Record<string, string | undefined>;
  Error?: { ErrorCode?: string; Message?: string };
}

/**
 * The loader variables of a function's `Environment` (absent: none set). An `Error` fails to
 * `read: false` even with variables beside it: Lambda could not apply them, so which ones the
 * runtime gets is unknown.
 */
export function functionEnvironment(env: LambdaEnvironment | undefined): FunctionEnvironment {
  if (env?.Error) {
    const code = env.Error.ErrorCode ?? 'Error';
    const msg = env.Error.Message;
    return { read: false, reason: msg ? `${code}: ${msg}` : code };
  }
  const vars = env?.Variables;
  if (!vars) return { read: true, loaders: [] };
  const loaders: LoaderVariable[] = [];
  for (const [name, value] of Object.entries(vars))
    if (value !== undefined && loaderReason(name) !== undefined) loaders.push({ name, value });
  return { read: true, loaders: loaders.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}
