/**
 * An image config's environment, as the inventory sees it: Lambda starts the runtime with the
 * image's `Env`, so a variable there that makes the runtime load code (`NODE_OPTIONS=--require
 * /usr/share/doc/x.js`, `JAVA_TOOL_OPTIONS=-javaagent:…`, `AWS_LAMBDA_EXEC_WRAPPER`, another
 * module search path) runs files no cataloger attributes to a package.
 */
import { posix } from 'node:path';
import type { Finding } from '../model/finding.js';
import { loaderReason } from '../model/function-environment.js';
import { effectiveRunConfig, type FunctionImageConfig } from '../model/function-image-config.js';
import { asWalked, LOADED_BY_LOADER } from './binary/preload.js';

/**
 * Search paths whose effect the catalogers already cover: every executable and every file named
 * like a library is read wherever it is, so `PATH` and `LD_LIBRARY_PATH` find nothing unread.
 */
const SEARCH_PATHS: ReadonlySet<string> = new Set(['PATH', 'LD_LIBRARY_PATH']);

/** In `Env`, the search paths and the objects `LD_PRELOAD` and `LD_AUDIT` name, which are read. */
const COVERED: ReadonlySet<string> = new Set([...SEARCH_PATHS, ...LOADED_BY_LOADER]);

/**
 * Variables naming the host a debugger listens on, with what opens it: anywhere but the loopback,
 * as `node --inspect=0.0.0.0`, a peer evaluates what it likes (the debug gem 1.4 here listened on
 * 0.0.0.0 under `ruby -r debug/open`, its own default host being 127.0.0.1).
 */
const LISTENERS: Readonly<Record<string, string>> = {
  RUBY_DEBUG_HOST:
    "the debug gem's remote debugger (rdbg --open, ruby -r debug/open, RUBY_DEBUG_OPEN) listens there",
};

/**
 * One `ENV_LOADER` error per variable of `env` (`NAME=value` strings, as the image config lists
 * them) that makes the runtime load code the inventory does not attribute, and one
 * `AMBIGUOUS_METADATA` error per variable set twice to different values (runtimes disagree on
 * which one a process sees: `LAMBDA_TASK_ROOT` twice moves the function's directory). The
 * finding's path is the variable's name, so a policy allows a variable by name
 * (`paths: [JAVA_TOOL_OPTIONS]`).
 */
export function configEnvFindings(env: readonly string[] | undefined): Finding[] {
  const out: Finding[] = [];
  const first = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    // Docker writes `NAME=value`; a bare name sets nothing.
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    // Set twice: containerd and Docker keep the last, a program handed both (getenv, Python's
    // os.environ, Node.js's process.env) reads the first, and lamina reads one of them.
    const was = first.get(name);
    if (was === undefined) first.set(name, entry);
    else if (was !== entry && !out.some((f) => f.code === 'AMBIGUOUS_METADATA' && f.path === name))
      out.push({
        code: 'AMBIGUOUS_METADATA',
        severity: 'error',
        path: name,
        message: `the image config sets ${name} twice (${JSON.stringify(was.slice(eq + 1))}, then ${JSON.stringify(entry.slice(eq + 1))}): containerd and Docker keep the last, a program handed both reads the first`,
      });
    const value = entry.slice(eq + 1);
    const opens = LISTENERS[name];
    if (opens !== undefined && !loopback(value))
      out.push({
        code: 'ENV_LOADER',
        severity: 'error',
        path: name,
        message: `the image config sets ${name}=${JSON.stringify(value)}: ${opens} beyond the loopback, where whoever reaches the port runs any code`,
      });
    const why = loaderReason(name);
    if (why === undefined || COVERED.has(name)) continue;
    out.push({
      code: 'ENV_LOADER',
      severity: 'error',
      path: name,
      message: `the image config sets ${name}=${JSON.stringify(entry.slice(eq + 1))} (${why}): the runtime loads code no package accounts for`,
    });
  }
  return out;
}

/**
 * Interpreter flags that load the code the next argument or their value names. The JVM's
 * `-Xrun<lib>` is the old spelling of `-agentlib:<lib>` (`-Xrunjdwp:…` starts the debugger).
 * The JDK's tools hand a JVM option after `-J` to the JVM they run in, jshell one after `-R` to
 * the JVM running its snippets (java 17's jshell and javac here load `-J-javaagent:`, and
 * `-J-XX:VMOptionsFile=`'s options).
 */
const LOADER_FLAG =
  /^(?:(?:--require|--import|--loader|--experimental-loader)(?==|$)|(?:-[JR])?(?:-javaagent:|-agentpath:|-agentlib:|-Xrun|-Xbootclasspath)|-[JR]-XX:(?:VMOptionsFile|Flags|SharedArchiveFile|AOTCache|CRaCRestoreFrom)=)/;

/**
 * `ENV_LOADER` errors for what the image config's entry point and command set up themselves: a
 * loader variable assigned in an argument (`/usr/bin/env NODE_OPTIONS=--require /x.js …`,
 * `sh -c "export LD_PRELOAD=…; exec …"`: `LD_PRELOAD` and `LD_AUDIT` too, whose targets lamina
 * reads only from `Env`), an interpreter flag that loads a file (`node --require /x.js`,
 * `node -r /x.js`, `java -javaagent:/x.jar`), and a java argument file (`java @/x`, path
 * `java @`), whose `-javaagent:` lamina would not see; code an interpreter is given inline
 * (`python3 -c`, `sh -c`, awk's program text: see SYNTAXES); and what a package manager or build
 * tool runs from its project or a registry (`npm start`, `make`). The finding's path is the variable's
 * name, the flag, or the program and its option (`python3 -c`). `source` names whose entry point
 * and command they are in the message (a container-image function's own EntryPoint and Command
 * replace the image config's). `names` gives the other names a word's program has in the image
 * (see programNames): a link `py` to `python3.11` runs Python.
 */
export function configArgFindings(
  config: { entrypoint?: readonly string[]; cmd?: readonly string[] },
  source = "the image config's entry point or command",
  image: ImageView = {}
): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const report = (path: string, why: string, arg: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({
      code: 'ENV_LOADER',
      severity: 'error',
      path,
      message: `${source} ${why} in ${JSON.stringify(arg)}: the runtime loads code no package accounts for`,
    });
  };
  const args = [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
  for (const { path, why, arg, script } of interpreterArgs(args, image))
    if (script === undefined) report(path, why, arg);
  // A program that embeds an interpreter, under a name whose options lamina does not know, may
  // run its arguments as code (Debian's perl5.36-x86_64-linux-gnu is a whole perl; gdb and perf
  // run Python they are given): wherever it starts (`env app -c …`, `sh -c "app -c …"`).
  for (const words of commandLines(args))
    words.forEach((word, i) => {
      const lib = image.embeds?.(word);
      if (lib !== undefined && i + 1 < words.length && !syntaxesOf(word, image).length)
        report(
          `${posix.basename(word)} embeds ${lib}`,
          `starts ${word}, which links ${lib} (an interpreter of its own) and hands it arguments lamina cannot read as that interpreter's or not,`,
          args.join(' ')
        );
    });
  for (const { path, why, arg } of npxFetches(args, image)) report(path, why, arg);
  for (const { path, why, arg } of startConfigs(args, image).findings) report(path, why, arg);
  // `-r` is Node's and Ruby's short --require; other programs give it other meanings.
  const requires = args.some((a) => /(?:^|[\s/])(?:node|nodejs|ruby)(?:\d[\d.]*)?(?:\s|$)/.test(a));
  // The java launcher reads more options (-javaagent:, -cp) from an `@file` argument.
  // A link to it is java too (`/usr/local/bin/j -> java` reads `@FILE` as java does).
  const java = args.some(
    (a) => /(?:^|[\s/])java(?:\s|$)/.test(a) || (image.names?.(a) ?? []).includes('java')
  );
  // JMX's remote port listens on every address unless .host names one, and a peer reaching it
  // runs code in the JVM (java 17 here: one at this machine's address had DiagnosticCommand load
  // an agent, whose agentmain ran).
  const jmxHost = args
    .flatMap((a) => a.split(/\s+/))
    .map((w) => /^(?:-J)?-Dcom\.sun\.management\.jmxremote\.host=(.*)$/s.exec(w)?.[1])
    .findLast((h) => h !== undefined);
  for (const arg of args) {
    for (const m of arg.matchAll(/(?:^|[\s;&|(`'"])([A-Za-z_][A-Za-z0-9_%]*)=([^\s;&|()`'"]*)/g)) {
      const name = m[1]!;
      const why = loaderReason(name);
      if (why !== undefined && !SEARCH_PATHS.has(name)) report(name, `sets ${name} (${why})`, arg);
      const opens = LISTENERS[name];
      if (opens !== undefined && !loopback(m[2]!))
        report(name, `sets ${name}=${m[2]!} (${opens}) beyond the loopback,`, arg);
    }
    for (const word of arg.split(/\s+/)) {
      for (const name of optionAssignments(word)) {
        const why = loaderReason(name);
        if (why !== undefined && !SEARCH_PATHS.has(name))
          report(name, `sets ${name} (${why}) in an option's value`, arg);
      }
      const flag = LOADER_FLAG.exec(word)?.[0] ?? (word === '-r' && requires ? word : undefined);
      if (flag !== undefined) report(flag, `passes ${flag}, which loads the code it names,`, arg);
      if (
        /^(?:-J)?-Dcom\.sun\.management\.jmxremote\.port=/.test(word) &&
        (jmxHost === undefined || !loopback(jmxHost))
      )
        report(
          '-Dcom.sun.management.jmxremote.port',
          `opens JMX to the network (${word}), where whoever reaches the port runs any code (an agent, through DiagnosticCommand),`,
          arg
        );
      if (java && /^@[^@]/.test(word))
        report(
          'java @',
          `passes the java launcher an argument file (${word}), whose options it reads`,
          arg
        );
    }
  }
  return out;
}

/**
 * The variable names an option's attached value may assign for the command it runs (strace
 * 6.1 here sets LD_PRELOAD for its command from `-ELD_PRELOAD=…` and `--env=LD_PRELOAD=…`): each
 * name that ends at an `=` of the word, at most 128 characters long and 8 `=` in.
 */
function optionAssignments(word: string): string[] {
  if (!word.startsWith('-')) return [];
  const out: string[] = [];
  for (let e = word.indexOf('='), n = 0; e > 0 && n < 8; e = word.indexOf('=', e + 1), n++)
    for (let i = Math.max(1, e - 128); i < e; i++)
      if (/^[A-Za-z_][A-Za-z0-9_%]*$/.test(word.slice(i, e))) out.push(word.slice(i, e));
  return out;
}

/**
 * configArgFindings for an image config's entry point and command and, when a function's own
 * ImageConfig replaces one of them, for what that function starts: the function's EntryPoint
 * with the image's Cmd (`python3` and `-c CODE`) runs code neither reports alone. A finding the
 * image config's already has (same code and path) is not repeated.
 */
export function startArgFindings(
  image: { entrypoint?: readonly string[]; cmd?: readonly string[] },
  fn: FunctionImageConfig | undefined,
  view: ImageView = {}
): Finding[] {
  const own = configArgFindings(image, undefined, view);
  if (!fn?.entryPoint && !fn?.command) return own;
  const started = configArgFindings(
    effectiveRunConfig(image, fn),
    "the entry point and command the function starts (its ImageConfig over the image config's)",
    view
  ).filter((f) => !own.some((o) => o.code === f.code && o.path === f.path));
  return [...own, ...started];
}

/**
 * The files the interpreters of an entry point and command run as their scripts, as written
 * (`/usr/share/doc/x/readme.txt` in `python3 /usr/share/doc/x/readme.txt`, relative ones from
 * the working directory): a script runs whatever its mode or name, so the binary cataloger reads
 * each as it reads a program the start execs.
 */
export function interpreterScripts(
  config: { entrypoint?: readonly string[]; cmd?: readonly string[] },
  image: ImageView = {}
): string[] {
  const args = [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
  return [
    ...new Set([
      ...interpreterArgs(args, image).flatMap((f) => f.script ?? []),
      ...startConfigs(args, image).scripts,
    ]),
  ];
}

/** The largest configuration file startConfigs reads: a larger one is not read, and reported. */
export const START_CONFIG_MAX = 64 * 1024;

/**
 * The configuration files a start's programs read on their own that lamina reads (see
 * startConfigs): Bun's `bunfig.toml` in the working directory and `.bunfig.toml` in `$HOME`
 * (`/root` when `env` sets none) and `$XDG_CONFIG_HOME`; Deno's `deno.json` and `deno.jsonc` in
 * the working directory and each directory above it. Absolute paths, read only when a start
 * names the program, by its own name or one of `names` (see programNames).
 */
export function startConfigFiles(
  config: { entrypoint?: readonly string[]; cmd?: readonly string[]; workingDir?: string },
  env: readonly string[] | undefined,
  names: (word: string) => readonly string[] = () => []
): string[] {
  const words = commandLines([...(config.entrypoint ?? []), ...(config.cmd ?? [])]).flat();
  // By any name the image's links give it (`/usr/local/bin/js -> bun`).
  const named = (re: RegExp): boolean =>
    words.some((w) => [posix.basename(w), ...names(w)].some((n) => re.test(n)));
  const wd = posix.join('/', config.workingDir ?? '/');
  const get = (name: string): string | undefined =>
    env?.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  const out: string[] = [];
  if (named(/^bun$/)) {
    out.push(
      posix.join(wd, 'bunfig.toml'),
      posix.join('/', get('HOME') ?? '/root', '.bunfig.toml')
    );
    const xdg = get('XDG_CONFIG_HOME');
    if (xdg !== undefined) out.push(posix.join('/', xdg, '.bunfig.toml'));
  }
  if (named(/^deno$/))
    for (let d = wd; ; d = posix.dirname(d)) {
      out.push(posix.join(d, 'deno.json'), posix.join(d, 'deno.jsonc'));
      if (d === '/') break;
    }
  return [...new Set(out)];
}

/**
 * What the configuration files Bun and Deno read on their own (see startConfigFiles) make a
 * start run. A bunfig's `preload` (top level and `[run]`: Bun runs those scripts before the file
 * or script it runs; `[test]`'s under bun test, reported as such) are scripts of the start, read
 * as executed wherever they are; a bunfig lamina cannot read whole (a key other than these,
 * `[define]` substitutes code, a `[serve.static]` plugin, a value not a list of strings) is
 * reported, path the file. A deno.json
 * whose `imports` or `scopes` map a module to a URL, or that names an `importMap`, has Deno
 * fetch code at start that no image holds: reported too, as is one lamina cannot parse.
 */
function startConfigs(
  args: readonly string[],
  image: ImageView
): { findings: ArgFinding[]; scripts: string[] } {
  const findings: ArgFinding[] = [];
  const scripts: string[] = [];
  const text = image.text;
  if (!text) return { findings, scripts };
  const arg = args.join(' ');
  const config = {
    entrypoint: args,
    ...(image.workingDir !== undefined ? { workingDir: image.workingDir } : {}),
  };
  for (const path of startConfigFiles(config, image.env, image.names)) {
    const body = text(path);
    if (body === undefined) continue;
    const deno = /\/deno\.jsonc?$/.test(path);
    const read = body === null ? undefined : deno ? denoImports(body) : bunfigPreloads(body);
    if (read === undefined || typeof read === 'string')
      findings.push({
        path,
        why: `runs a program that reads ${path}, which ${read ?? 'lamina cannot read (too large or not a file)'},`,
        arg,
      });
    else
      for (const p of read.filter((p) => /^\.{0,2}\//.test(p)))
        // A relative one from the file's directory or the working directory.
        scripts.push(
          ...(p.startsWith('/')
            ? [p]
            : [posix.join(posix.dirname(path), p), posix.join('/', image.workingDir ?? '/', p)])
        );
  }
  return { findings, scripts };
}

/** The bunfig keys lamina reads, by table (`''` the top level): the rest may change what runs. */
const BUNFIG_KEYS: Readonly<Record<string, RegExp>> = {
  '': /^(?:preload|logLevel|smol|telemetry)$/,
  run: /^(?:preload|silent|bun|shell)$/,
  // bun test and bun install are reported as such: what their tables say runs only there.
  test: /^/,
  install: /^/,
};

/**
 * A bunfig's `preload` entries, or why lamina cannot say what it makes Bun run: TOML read line
 * by line, tables and `key = value`, a value a string or a list of strings (which may span
 * lines); anything else is not read.
 */
function bunfigPreloads(body: string): string[] | string {
  const out: string[] = [];
  let table = '';
  // Each line without its comment: a # outside a string.
  const lines = body.split(/\r?\n/).map((l) => /^(?:[^"#]|"[^"\\]*")*/.exec(l)![0].trim());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || line.startsWith('#')) continue;
    const head = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line);
    if (head) {
      table = head[1]!;
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/s.exec(line);
    const top = table.split('.')[0]!;
    const keys = BUNFIG_KEYS[table] ?? (top === 'install' || top === 'test' ? /^/ : undefined);
    if (!kv || keys === undefined || !keys.test(kv[1]!))
      return `sets ${table === '' ? '' : `[${table}] `}${kv?.[1] ?? line}, which lamina does not read`;
    let value = kv[2]!;
    while (value.startsWith('[') && !value.endsWith(']') && i + 1 < lines.length)
      value += ` ${lines[++i]!.trim()}`;
    // [test]'s preload runs under bun test only, itself reported.
    if (kv[1] !== 'preload' || top === 'install' || top === 'test') continue;
    const strings = /^\[\s*((?:"[^"\\]*"\s*,\s*)*(?:"[^"\\]*"\s*,?\s*)?)\]$/.exec(value);
    const one = /^"([^"\\]*)"$/.exec(value);
    if (one) out.push(one[1]!);
    else if (strings) for (const m of strings[1]!.matchAll(/"([^"\\]*)"/g)) out.push(m[1]!);
    else
      return `sets ${table === '' ? '' : `[${table}] `}preload to ${value}, which lamina does not read`;
  }
  return out;
}

/**
 * Nothing when a deno.json maps no module to a URL, else why Deno fetches code at start: an
 * `importMap` it reads, or an `imports` or `scopes` value that is a URL. JSONC's comments and
 * trailing commas are taken out first; a file that is still not JSON is not read.
 */
function denoImports(body: string): string[] | string {
  let json: unknown;
  try {
    json = JSON.parse(
      body
        .replace(
          /("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
          (_match, str: string | undefined) => str ?? ''
        )
        .replace(/,(\s*[}\]])/g, '$1')
    );
  } catch {
    return 'lamina cannot parse';
  }
  if (typeof json !== 'object' || json === null) return 'lamina cannot parse';
  const o = json as Record<string, unknown>;
  if (o.importMap !== undefined)
    return 'names an import map (importMap), which lamina does not read';
  const values = (v: unknown): string[] =>
    typeof v === 'string'
      ? [v]
      : typeof v === 'object' && v !== null
        ? Object.values(v).flatMap(values)
        : [];
  const remote = [...values(o.imports), ...values(o.scopes)].find((v) => /^https?:/i.test(v));
  return remote === undefined
    ? []
    : `maps a module to ${remote}, which Deno fetches as the function starts`;
}

/** What the image says about the words of a command line (all optional: names alone then). */
export interface ImageView {
  /** The other names a word's program has in the image (see programNames). */
  names?: (word: string) => readonly string[];
  /** The function's code directory (default Lambda's, /var/task): classes there are the function's own. */
  taskRoot?: string;
  /** The working directory, absolute: where relative class path elements are. */
  workingDir?: string;
  /**
   * An absolute path with every symlink on it resolved, as the image's links make it (undefined
   * when it leads nowhere): the JVM opens a class path element through its links.
   */
  realPath?: (path: string) => string | undefined;
  /** The directories a bare program name is looked up in (see searchPath). */
  searchPath?: readonly string[];
  /** The image config's `Env` (`NAME=value`): where `$HOME` and `$XDG_CONFIG_HOME` are. */
  env?: readonly string[];
  /**
   * The interpreter library a word's program links (`libpython3.11.so.1.0`: see
   * interpreterLibraries), if any.
   */
  embeds?: (word: string) => string | undefined;
  /**
   * The text of one of startConfigFiles' paths, as the image's links make it: undefined when no
   * file is there, null when one is that cannot be read (too large, not a regular file).
   */
  text?: (path: string) => string | null | undefined;
}

/**
 * `npx COMMAND` (npm exec) runs the bin COMMAND of the project it starts in (`node_modules/.bin`
 * in the working directory or one above it) or one on PATH; failing both, npm fetches the
 * package from the registry as the function starts (it assumes `--yes` without a terminal), code
 * no image holds. A version (`aws-lambda-ric@3`), a `--package` or a spec npm fetches by itself
 * (`user/repo`, a URL) is not matched to what is installed: reported too. Only where the image's
 * files can be looked at (`realPath`).
 */
/** npx, by its name or the script a link to it leads to (npm's bin/npx-cli.js). */
const NPX = /^(?:npx|npx-cli\.js)$/;

function npxFetches(args: readonly string[], image: ImageView): ArgFinding[] {
  const real = image.realPath;
  const names = image.names ?? (() => []);
  const at = args.findIndex((a) => [posix.basename(a), ...names(a)].some((n) => NPX.test(n)));
  if (!real || at < 0) return [];
  let i = at + 1;
  let packaged = false;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const option = args[i]!;
    if (option === '--') {
      i += 1;
      break;
    }
    // -c and --call run a shell command (see SYNTAXES): no package.
    if (/^(?:-c|--call(?:=.*)?)$/s.test(option)) return [];
    if (/^(?:-p|--package)(?:=.*)?$/s.test(option)) packaged = true;
    if (option === '-p' || option === '--package') i += 1;
  }
  const spec = args[i];
  if (spec === undefined || /^[./]/.test(spec)) return [];
  const arg = args.slice(at).join(' ');
  const name = /^((?:@[^/@]+\/)?[^/@:]+)$/.exec(spec)?.[1];
  if (name !== undefined && !packaged) {
    const bin = name.slice(name.lastIndexOf('/') + 1);
    const wd = posix.join('/', image.workingDir ?? '/');
    const dirs: string[] = [];
    for (let d = wd; ; d = posix.dirname(d)) {
      dirs.push(posix.join(d, 'node_modules/.bin'));
      if (d === '/') break;
    }
    if ([...dirs, ...(image.searchPath ?? [])].some((d) => real(posix.join(d, bin)) !== undefined))
      return [];
  }
  return [
    {
      path: `npx ${spec}`,
      why: `runs npx ${spec}, which no node_modules/.bin of the working directory or above, nor PATH, holds: npm fetches it from the registry as the function starts,`,
      arg,
    },
  ];
}

/**
 * How a program that runs code reads its own options, for what in them runs code given inline
 * or loads a file or module no package holds. Short options cluster (`-Sc`); one with a value
 * takes the rest of its word (`-cCODE`, `-r/x.rb`, `-MEvil`) or, when that is empty, the next
 * word. After its first operand (the script) the words are the script's arguments, unless the
 * program takes options after operands too (GNU getopt's permutation).
 */
interface Syntax {
  /** The program's names (a file's base name). */
  program: RegExp;
  /** Short options whose value is code (`python3 -c CODE`). */
  inline?: string;
  /** Short options whose value is code, the words after it the program's (`rdbg -e CMD app.rb`). */
  inlineValued?: string;
  /** Short options that make the command string an operand (`sh -c`, `bash -ec`): no value. */
  marks?: string;
  /** Short options whose value names a file, module or directory code is loaded from. */
  loads?: string;
  /** Other short options with a value, attached or the next word. */
  valued?: string;
  /** Short options whose value (attached or the next word) is the first operand (`python3 -m MOD`). */
  ends?: string;
  /** Short options whose value can only be attached (`perl -i.bak`): the rest of the word. */
  attached?: string;
  /**
   * Short options whose attached value is what this matches at the rest of the word, the word's
   * later letters being options again (`ruby -W2e CODE` is `-W2 -e CODE`).
   */
  bounded?: Readonly<Record<string, RegExp>>;
  /** Values of a short option that load code (`python3 -X pycache_prefix=DIR`), by option. */
  loadingValues?: Readonly<Record<string, RegExp>>;
  /** Values of a short option that run the words after them as code (`python3 -m timeit CODE`). */
  inlineValues?: Readonly<Record<string, RegExp>>;
  /** Values of a short option that make the program a package manager (`python3 -m pip`): see runs. */
  runsValues?: Readonly<Record<string, RegExp>>;
  /**
   * The program runs what its project or a registry gives it, not what its words say (`npm
   * start`, `pip install X`, `make`): reported as the program and its first operand when that
   * matches `operand` (`npm start`), or as the program alone when it has no operand and `bare`
   * is set (`yarn` installs). An operand `through` matches (`bun run`) passes to the next one.
   * `why` says what it runs (default PROJECT_RUNS); `label` names the operand in the path in
   * its place (`watch command`); an option of `unless` (`-x`, `--exec`) turns it off.
   */
  runs?: {
    /** Reported as the words end: an option of `unless` after an operand counts (`su app -s SH`). */
    late?: boolean;
    /** Options that turn it off together, as one of `unless` does alone (R's `--no-*-file`s). */
    unlessAll?: readonly string[];
    operand?: RegExp;
    through?: RegExp;
    bare?: boolean;
    why?: string;
    label?: string;
    unless?: readonly string[];
  };
  /** Long options whose value is a class or module path (`java -cp A:B`): see unseenClassPath. */
  classPath?: RegExp;
  /** Whole words: code given inline (`--eval`, `--eval=CODE`, PowerShell's `-Command`). */
  inlineWord?: RegExp;
  /** Whole words that load a file or module (`--require`, `--load=FILE`). */
  loadsWord?: RegExp;
  /**
   * Long options with a value (the next word, unless given with `=`). The value of a long option
   * not named here or in flagWord may be the next word too: see interpreterArgs.
   */
  valuedWord?: RegExp;
  /** Long options known to take no value. */
  flagWord?: RegExp;
  /**
   * Long option names a word may abbreviate, those that run code first: GNU getopt_long takes
   * any prefix naming one option (`sed --e=CODE` is `--expression=CODE`).
   */
  longNames?: readonly string[];
  /** Long options may be given with one dash too (getopt_long_only: `gdb -eval-command=…`). */
  longOnly?: boolean;
  /** Long options whose value is the first operand: the words after it are the program's (`java -jar APP`). */
  endsWord?: RegExp;
  /** The first operand is the program text (awk, sed), unless one of these options named a file of it. */
  operandUnless?: string;
  /**
   * Options that hide what the program runs (`xargs -a FILE` adds arguments from a file), by
   * letter or long name (`--arg-file`), with what they do.
   */
  hides?: Readonly<Record<string, string>>;
  /**
   * Long options whose value is the host (and port) a debugger listens on (`node
   * --inspect=0.0.0.0:9229`): anywhere but the loopback, whoever reaches it runs any code.
   */
  listens?: RegExp;
  /** The first operand is a file the program runs as its code (its script), whatever its mode. */
  script?: boolean;
  /** Options still count after operands (GNU getopt permutes them). */
  permutes?: boolean;
  /** Options may begin with `+` too (a shell's `+x` unsets what `-x` sets). */
  plus?: boolean;
  /** Options whose value is the script the program runs, by letter or long name (`R -f FILE`). */
  scriptValues?: RegExp;
  /**
   * Modules an `ends` option runs whose options are read as a program's, by name (`python3 -m
   * debugpy --listen 0.0.0.0:5678 app.py`).
   */
  modules?: Readonly<Record<string, Syntax>>;
  /**
   * The short options that take no value, when the program's options are all known: any other
   * option (`sudo -X`, a long one none of the syntax's lists names) is reported, since what it
   * does to the words after it (a value or the command) is not known.
   */
  strict?: string;
  /** The first word after the program is a user, whatever it is (`gosu USER COMMAND`): no option. */
  user?: boolean;
}

/** What a package manager or build tool runs (see Syntax.runs). */
const PROJECT_RUNS =
  "runs the project's scripts or build files (package.json's scripts, a Makefile, a Gemfile, which is Ruby) or installs packages from a registry, running their install and build code";

/** What an option renaming the program run does (see Syntax.hides). */
const ARGV0 =
  'gives its command another name (argv[0]), by which a multi-call program such as busybox picks what it runs and a shell named -NAME runs as a login shell';

/** What an option moving the working directory does (see Syntax.hides). */
const CHDIR =
  "starts its command in another directory, from which the start's relative paths are taken, not the working directory lamina takes them from";
/** What an option or program moving the root directory does. */
const CHROOT =
  "runs its command under another root directory, where the start's paths lead elsewhere than lamina reads them";

/** What a program running the commands of a directory or configuration file does. */
const SUPERVISES =
  'runs the commands its configuration file or directory names, which lamina does not read';

/** What a program that runs its command as another user reads from its configuration. */
const SUDO_CONFIG =
  "loads the plugins /etc/sudo.conf names (shared objects, by any path) and sets what /etc/sudoers gives its command's environment (env_file), which lamina does not read";
const DOAS_CONFIG =
  "sets what /etc/doas.conf's rule gives its command's environment (setenv), which lamina does not read";

/** What runs a user's shell from the password database does. */
const PASSWD_SHELL = 'runs the shell /etc/passwd gives the user, which lamina does not read';

/** What runs its command through $SHELL does (`sudo -s`, `doas -s`). */
const THROUGH_SHELL =
  'runs its command through the shell $SHELL or /etc/passwd names, which lamina does not read';

/** What sets its command's environment from a directory's files does (chpst -e, envdir). */
const ENV_DIR =
  "sets its command's environment from the files of a directory lamina does not read (a file named LD_PRELOAD, for one)";

/** What a shell's interactive or login option does. */
const SHELL_STARTUP =
  "runs the shell's startup files first (~/.bashrc, ~/.profile, /etc/profile, $ENV, the file named)";

/**
 * A shell's options (see SYNTAXES). An interactive shell (-i) runs its startup file first
 * (~/.bashrc, $ENV for dash, --rcfile's), a login shell (-l, --login) /etc/profile and
 * ~/.profile (bash 5.2 and dash here): on Debian no package lists /etc/profile or root's
 * ~/.bashrc and ~/.profile (made as it installs).
 */
const SHELL: Omit<Syntax, 'program'> = {
  script: true,
  marks: 'c',
  valued: 'oO',
  valuedWord: /^--(?:rcfile|init-file)$/,
  hides: {
    i: SHELL_STARTUP,
    l: SHELL_STARTUP,
    '--login': SHELL_STARTUP,
    '--rcfile': SHELL_STARTUP,
    '--init-file': SHELL_STARTUP,
  },
  plus: true,
};

/** What R runs at start unless told not to (see SYNTAXES). */
const R_STARTUP = {
  bare: true,
  late: true,
  label: 'startup',
  why: "runs R's startup files first (Rprofile.site, ~/.Rprofile or the working directory's, the Renviron files setting R_PROFILE_USER)",
  unless: ['--vanilla'],
};

/** A shell that runs a startup file whatever it is given (see Syntax.runs). */
const RC = {
  operand: /^/,
  bare: true,
  label: 'startup',
  why: "runs the user's startup file first (~/.zshenv, ~/.tcshrc or ~/.cshrc)",
};

/**
 * The programs whose options run code. Nothing in the image holds that code, so no cataloger can
 * say what it is. A shell's `-c` too: its string is a script no package owns, as an unowned
 * script file would be, and the shell's quoting, expansion and globbing make what it runs
 * something lamina cannot tell (`exec ld.so /usr/share/mi""sc/x` runs `/usr/share/misc/x`); a
 * Dockerfile's shell-form `CMD python app.py` is `sh -c "python app.py"`, allowed by name
 * (`paths: ['sh -c']`) once reviewed. Checked against the real programs where this machine has
 * them (python3, node, ruby, perl, mawk, GNU sed, dash, bash), else their manuals.
 */
/** Python modules `-m` runs that run code given inline: timeit its statements, pdb its -c commands. */
const PY_INLINE_MODULES = { m: /^(?:timeit|pdb)$/ };
/** Python modules `-m` runs that install: pip runs a source package's setup.py (pip 23 here). */
const PY_INSTALLERS = { m: /^(?:pip\d*(?:\.\d+)?|pipx|uv|poetry|pipenv|pdm|hatch)$/ };

/**
 * debugpy (`python3 -m debugpy`, its server/cli.py): switches are whole words, the first operand
 * is the script, `-m` a module and `-c` code it runs. `--listen [HOST:]PORT` (127.0.0.1 when no
 * host) and `--connect HOST:PORT` hand the process to a debugger client, which evaluates what it
 * likes in it.
 */
const DEBUGPY: Syntax = {
  program: /^debugpy$/,
  script: true,
  inline: 'c',
  ends: 'm',
  inlineValues: PY_INLINE_MODULES,
  runsValues: PY_INSTALLERS,
  valuedWord: /^--(?:listen|connect|log-to|adapter-access-token|pid|configure-.+)$/s,
  flagWord: /^--(?:wait-for-client|log-to-stderr|help|version)$/,
  listens: /^--(?:listen|connect)$/,
};

const SYNTAXES: readonly Syntax[] = [
  // -m MODULE runs a module from sys.path, a file like a script's. A build's suffixes name it
  // too: free-threaded `python3.13t`, debug `python3.12d` and `python3-dbg`, `python3.7m`.
  {
    program: /^(?:python|pypy|ipython)(?:\d[\d.]*[dmt]*)?(?:-dbg)?$/,
    script: true,
    inline: 'c',
    ends: 'm',
    valued: 'WX',
    loadingValues: { X: /^pycache_prefix=/ },
    inlineValues: PY_INLINE_MODULES,
    runsValues: PY_INSTALLERS,
    modules: { debugpy: DEBUGPY },
    valuedWord: /^--check-hash-based-pycs$/,
  },
  DEBUGPY,
  {
    program: /^(?:node|nodejs)(?:\d[\d.]*)?$/,
    script: true,
    inline: 'ep',
    loads: 'r',
    valued: 'C',
    // --run runs a package.json script through a shell (node 24).
    inlineWord: /^--(?:eval|print|run)(?:=|$)/,
    // The inspector evaluates what a peer sends it (node 20 here: one at this machine's network
    // address ran code in `node --inspect=0.0.0.0:0 app.js`).
    listens: /^--(?:inspect|inspect-brk|inspect-wait|inspect-port|debug-port)$/,
    // Node 24's config file (--experimental-default-config-file reads ./node.config.json) sets
    // --import among its options, a package map redirects module resolution, the test
    // runner's global setup is a module.
    loadsWord:
      /^--(?:require|import|loader|experimental-loader|env-file|env-file-if-exists|snapshot-blob|openssl-config|experimental-config-file|experimental-default-config-file|experimental-package-map|test-global-setup)(?:=|$)/,
    // Each of these takes the next word (node 20: `node --disable-warning X -e CODE` runs CODE).
    valuedWord:
      /^--(?:conditions|input-type|title|inspect-port|debug-port|build-snapshot-config|cpu-prof-(?:dir|interval|name)|heap-prof-(?:dir|interval|name)|diagnostic-dir|disable-proto|disable-warning|dns-result-order|experimental-default-type|experimental-policy|policy-integrity|experimental-sea-config|heapsnapshot-near-heap-limit|heapsnapshot-signal|icu-data-dir|inspect-publish-uid|max-http-header-size|network-family-autoselection-attempt-timeout|redirect-warnings|report-dir|report-directory|report-filename|report-signal|secure-heap|secure-heap-min|test-concurrency|test-name-pattern|test-skip-pattern|test-reporter|test-reporter-destination|test-shard|test-timeout|tls-cipher-list|tls-keylog|trace-event-categories|trace-event-file-pattern|trace-require-module|unhandled-rejections|use-largepages|v8-pool-size|watch-path|allow-fs-read|allow-fs-write|localstorage-file|test-coverage-(?:branches|exclude|functions|include|lines)|test-isolation|experimental-test-tag-filter|max-old-space-size-percentage|test-random-seed|test-rerun-failures|watch-kill-signal)$/,
    flagWord:
      /^--(?:experimental-default-config-file|abort-on-uncaught-exception|allow-addons|allow-child-process|allow-wasi|allow-worker|build-snapshot|check|cpu-prof|heap-prof|disable-wasm-trap-handler|disallow-code-generation-from-strings|enable-fips|force-fips|enable-network-family-autoselection|enable-source-maps|(?:no-)?experimental-(?:detect-module|eventsource|fetch|global-customevent|global-webcrypto|import-meta-resolve|network-imports|network-inspection|permission|print-required-tla|repl-await|require-module|test-coverage|test-module-mocks|vm-modules|wasm-modules|websocket)|expose-gc|force-context-aware|force-node-api-uncaught-exceptions-policy|frozen-intrinsics|huge-max-old-generation-size|insecure-http-parser|inspect|inspect-brk|inspect-wait|interactive|interpreted-frames-native-stack|jitless|no-addons|no-deprecation|no-extra-info-on-fatal-exception|no-force-async-hooks-checks|no-global-search-paths|no-warnings|openssl-legacy-provider|openssl-shared-config|pending-deprecation|preserve-symlinks|preserve-symlinks-main|report-compact|report-exclude-network|report-on-fatalerror|report-on-signal|report-uncaught-exception|test|test-force-exit|test-only|throw-deprecation|trace-(?:atomics-wait|deprecation|exit|promises|sigint|sync-io|tls|uncaught|warnings)|track-heap-objects|use-bundled-ca|use-openssl-ca|watch|watch-preserve-output|zero-fill-buffers)$/,
  },
  // `bun start` (any name with no . or /, also after `run`) runs a package.json script; deno
  // runs a URL or an npm: or jsr: package it fetches, and `deno task` deno.json's tasks.
  {
    program: /^bun$/,
    script: true,
    inline: 'ep',
    // -c and --config name a bunfig, whose preload runs first.
    loads: 'rc',
    inlineWord: /^(?:eval|--eval|--print)(?:=|$)/,
    loadsWord: /^--(?:preload|require|import|config)(?:=|$)/,
    runs: { operand: /^[^./]+$/, through: /^run$/ },
  },
  // An import map, a deno.json's `imports` among them, maps a module to a URL Deno fetches.
  {
    program: /^deno$/,
    script: true,
    loads: 'c',
    inlineWord: /^(?:eval|--eval|--print)(?:=|$)/,
    loadsWord: /^--(?:preload|require|import|import-map|config)(?:=|$)/,
    runs: {
      operand: /^(?:task|x|install|i|add|upgrade|(?:https?|npm|jsr):.*)$/s,
      through: /^run$/,
    },
  },
  // -r LIB and -I DIR: RUBYOPT's and RUBYLIB's own options.
  // -W takes one digit or a :category, -K one letter, -0 up to three octal digits, and the
  // letters after them are options again (ruby 3.1: `ruby -W2e CODE`, `-Kue`, `-0777e` run CODE).
  {
    program: /^ruby(?:\d[\d.]*)?$/,
    script: true,
    inline: 'e',
    loads: 'rI',
    valued: 'CEX',
    attached: 'Fix',
    bounded: { W: /^(?::.*|[0-7]?)/s, K: /^.?/s, '0': /^[0-7]{0,3}/ },
    valuedWord:
      /^--(?:enable|disable|encoding|external-encoding|internal-encoding|dump|backtrace-limit|crash-report|parser)$/,
  },
  // The debug gem's rdbg (1.4 here) runs ruby under the debugger, which loads ~/.rdbgrc.rb
  // (Ruby) and runs ~/.rdbgrc's debug commands unless --no-rc; -e runs a debug command (`eval
  // CODE`), -x a file of them; --open with a --host beyond the loopback takes a peer's commands.
  // Ruby's OptionParser reads options after operands, and long ones abbreviated.
  {
    program: /^rdbg(?:\d[\d.]*)?$/,
    script: true,
    inlineValued: 'e',
    loads: 'x',
    loadsWord: /^--init-script(?:=|$)/,
    valuedWord: /^--(?:port|host|sock-path|cookie|util)$/,
    flagWord:
      /^--(?:nonstop|no-color|no-sigint-hook|no-rc|command|stop-at-load|attach|help|open(?:=.*)?)$/s,
    // An abbreviation of several (`--no`) is spelled as one that is not --no-rc.
    longNames: [
      'init-script',
      'host',
      'port',
      'sock-path',
      'cookie',
      'util',
      'nonstop',
      'no-color',
      'no-sigint-hook',
      'no-rc',
      'command',
      'open',
      'stop-at-load',
      'attach',
      'help',
    ],
    listens: /^--host$/,
    permutes: true,
    runs: {
      bare: true,
      late: true,
      label: 'rc',
      why: "loads ~/.rdbgrc.rb (Ruby) and runs ~/.rdbgrc's debug commands first",
      unless: ['--no-rc'],
    },
  },
  // -M/-m MODULE and -I DIR load modules, -d:MOD a debugger's. Debian's libperl5.36 installs a
  // whole perl as perl5.36-x86_64-linux-gnu too (for cross builds).
  {
    program: /^perl(?:\d[\d.]*)?(?:-[a-z\d_]+(?:-[a-z\d_]+)+)?$/,
    inline: 'eE',
    loads: 'MmId',
    attached: 'xiF',
    script: true,
  },
  // -c and -d set ini options (auto_prepend_file), -z loads a Zend extension.
  { program: /^php(?:\d[\d.]*)?$/, inline: 'rBRE', loads: 'cdz', valued: 'fF', script: true },
  { program: /^(?:lua|luajit)(?:\d[\d.]*)?$/, inline: 'e', loads: 'l', script: true },
  // R and Rscript run R's startup files before the script: the environ files (Renviron.site,
  // .Renviron from the working directory or $HOME, R_ENVIRON's and R_ENVIRON_USER's), which set
  // variables such as R_PROFILE_USER, then the site profile (Rprofile.site, R_PROFILE's) and the
  // user's (.Rprofile from the working directory or $HOME, R_PROFILE_USER's), both R code;
  // --vanilla reads none, nor do --no-environ, --no-site-file and --no-init-file together. R
  // (not Rscript, which starts with --no-restore) also loads the working directory's .RData,
  // whose .First function runs, unless --no-restore.
  {
    program: /^Rscript$/,
    inline: 'e',
    inlineWord: /^--eval(?:=|$)/,
    script: true,
    runs: {
      ...R_STARTUP,
      unlessAll: ['--no-environ', '--no-site-file', '--no-init-file'],
    },
  },
  // R -f FILE and --file=FILE run FILE as the script.
  {
    program: /^R$/,
    inline: 'e',
    valued: 'f',
    valuedWord: /^--file(?:=.*)?$/s,
    scriptValues: /^(?:f|--file)$/,
    inlineWord: /^--eval(?:=|$)/,
    script: true,
    runs: {
      ...R_STARTUP,
      unlessAll: ['--no-environ', '--no-site-file', '--no-init-file', '--no-restore'],
    },
  },
  // guile 3.0 here: -c runs Scheme, -l loads a file, -L and -C add source and compiled
  // directories its modules load from.
  { program: /^guile(?:-?\d[\d.]*)?$/, inline: 'c', loads: 'lLC', valued: 'ex', script: true },
  {
    program: /^julia$/,
    inline: 'eE',
    loads: 'L',
    inlineWord: /^--(?:eval|print)(?:=|$)/,
    script: true,
  },
  // PowerShell takes any unambiguous prefix of a parameter's name, with - or --.
  { program: /^(?:pwsh|powershell)$/, inlineWord: /^--?(?:c|cwa|e|ec|ea|co\w*|en\w*)$/i },
  // The program text is the first operand unless -f (gawk's -E) names a file of it; gawk's -e
  // and --source give text, -i and -l load a source file or a shared library.
  {
    program: /^(?:awk|gawk|mawk|nawk|original-awk)$/,
    inline: 'e',
    loads: 'il',
    valued: 'fEvFW',
    inlineWord: /^--source(?:=|$)/,
    loadsWord: /^--(?:include|load)(?:=|$)/,
    valuedWord: /^--(?:file|exec|assign|field-separator)$/,
    longNames: ['source', 'include', 'load', 'file', 'exec', 'assign', 'field-separator'],
    operandUnless: 'fE',
  },
  // GNU sed runs its script's `e` commands through the shell.
  {
    program: /^(?:sed|gsed)$/,
    inline: 'e',
    valued: 'fl',
    attached: 'i',
    inlineWord: /^--expression(?:=|$)/,
    valuedWord: /^--(?:file|line-length)$/,
    longNames: ['expression', 'file', 'line-length'],
    operandUnless: 'f',
    permutes: true,
  },
  { program: /^(?:sh|bash|rbash|dash|ash|hush|ksh|ksh93|mksh|pdksh|yash|posh)$/, ...SHELL },
  // zsh runs ~/.zshenv, and csh ~/.tcshrc or ~/.cshrc, for every shell, a script's and -c's too,
  // unless -f (zsh 5.9 and tcsh 6.24 here).
  {
    ...SHELL,
    program: /^zsh$/,
    runs: { ...RC, unless: ['-f', '--no-rcs', '--norcs'] },
  },
  { ...SHELL, program: /^t?csh$/, runs: { ...RC, unless: ['-f'] } },
  // fish runs -C's commands before the script or -c's, and its configuration files
  // (~/.config/fish/config.fish, conf.d) before either unless -N (fish 3.6 here, a script too).
  {
    program: /^fish$/,
    script: true,
    inline: 'cC',
    valued: 'dofp',
    inlineWord: /^--(?:command|init-command)(?:=|$)/,
    valuedWord: /^--(?:debug|debug-output|features|profile|profile-startup)$/,
    longNames: [
      'command',
      'init-command',
      'no-config',
      'debug',
      'debug-output',
      'features',
      'profile',
      'profile-startup',
    ],
    hides: { i: SHELL_STARTUP, l: SHELL_STARTUP, '--login': SHELL_STARTUP },
    runs: {
      operand: /^/,
      bare: true,
      label: 'config',
      why: 'runs its configuration files first (~/.config/fish/config.fish, /etc/fish/config.fish)',
      unless: ['-N', '--no-config'],
    },
  },
  // GNU env -S splits its string into a command line itself, with its own quoting, escapes and
  // ${VAR} expansion (`python3\_-c\_CODE`, `pyth''on3`): lamina cannot tell what it runs. -C
  // moves the working directory (`env -C DIR ./run` runs DIR/run), and -a (coreutils 9.5) the
  // name a multi-call program such as busybox picks its applet by.
  {
    program: /^env$/,
    inline: 'S',
    valued: 'uCa',
    hides: {
      C: CHDIR,
      '--chdir': CHDIR,
      a: ARGV0,
      '--argv0': ARGV0,
    },
    inlineWord: /^--split-string(?:=|$)/,
    valuedWord: /^--(?:unset|chdir|argv0)$/,
    longNames: ['split-string', 'unset', 'chdir', 'argv0'],
    flagWord:
      /^--(?:ignore-environment|null|debug|list-signal-handling|block-signal|default-signal|ignore-signal)$/,
  },
  // npm exec's -c (--call) runs its string through a shell; npm reads options after operands.
  // A link to npm's bin/npm-cli.js is npm whatever its name, as node npm-cli.js is (npm here).
  {
    program: NPX,
    inline: 'c',
    valued: 'p',
    inlineWord: /^--call(?:=|$)/,
    valuedWord: /^--package$/,
    flagWord: /^--(?:yes|no|quiet|offline|prefer-offline|prefer-online)$/,
  },
  {
    program: /^(?:npm|npm-cli\.js)$/,
    inline: 'c',
    inlineWord: /^--call(?:=|$)/,
    permutes: true,
    runs: { operand: /^/ },
  },
  // Package managers and build tools (npm 11, pip 23, GNU make 4.3, rake 13 and go 1.19 here
  // run package.json's scripts.start, a setup.py, a Makefile, a Rakefile and a package's source):
  // any command of theirs; yarn, bundle, rake, make and gradle run one with none. The scripts a
  // link to them leads to count (pnpm.cjs, corepack.js), and Debian's names (gem3.1, rake3.1).
  {
    program:
      /^(?:pnpm(?:\.c?js)?|pnpx(?:\.c?js)?|bunx|corepack(?:\.js)?|pip\d*(?:\.\d+)?|uv|uvx|pipx|poetry|pipenv|pdm|hatch|gem(?:\d[\d.]*)?|go|cargo|mvn|composer)$/,
    runs: { operand: /^/ },
  },
  {
    program: /^(?:yarn(?:\.c?js)?|yarnpkg|bundler?(?:\d[\d.]*)?|rake(?:\d[\d.]*)?|gradle)$/,
    runs: { operand: /^/, bare: true },
  },
  {
    program: /^(?:make|gmake)$/,
    valued: 'CfIoWE',
    inlineWord: /^--eval(?:=|$)/,
    longNames: ['eval'],
    permutes: true,
    runs: { operand: /^/, bare: true },
  },
  // dotnet APP.dll runs the application; these build a project or fetch a tool.
  {
    program: /^dotnet$/,
    runs: {
      operand:
        /^(?:run|build|test|restore|tool|watch|publish|pack|msbuild|new|add|workload|nuget|dnx|fsi|vstest|store)$/,
    },
  },
  { program: /^(?:expect|tclsh[\d.]*|wish[\d.]*)$/, inline: 'c', script: true },
  // These run -c COMMAND through a shell, /etc/passwd's unless -s names one (util-linux su
  // here: `su root -c 'echo $0'` prints root's shell), and runuser -u execs its command.
  {
    program: /^(?:su|runuser)$/,
    inline: 'c',
    valued: 'sgGwu',
    strict: 'mpfPhVl',
    inlineWord: /^--(?:command|session-command)(?:=|$)/,
    valuedWord: /^--(?:shell|group|supp-group|whitelist-environment|user)$/,
    flagWord: /^--(?:preserve-environment|fast|pty|help|version|login)$/,
    longNames: [
      'command',
      'session-command',
      'shell',
      'group',
      'supp-group',
      'whitelist-environment',
      'login',
      'user',
      'preserve-environment',
      'fast',
      'pty',
    ],
    // -, -l and --login start a login shell, which reads /etc/profile and ~/.profile (util-linux
    // su here opens both; without them, neither).
    hides: { l: SHELL_STARTUP, '--login': SHELL_STARTUP, '-': SHELL_STARTUP },
    permutes: true,
    runs: {
      bare: true,
      late: true,
      label: 'shell',
      why: PASSWD_SHELL,
      unless: ['-s', '--shell', '-u', '--user'],
    },
  },
  // sudo 1.9 and doas read options up to the command (getopt
  // "+Aa:BbC:c:D:Eeg:Hh::iKklNnPp:R:r:SsT:t:U:u:Vv" and "+C:Lnsu:"), then run it as their
  // configuration says, which sets its environment.
  {
    program: /^sudo$/,
    valued: 'aCcDgpRrTtUu',
    attached: 'h',
    strict: 'ABbEeHiKklNnPSsVv',
    valuedWord:
      /^--(?:auth-type|close-from|login-class|chdir|group|host|prompt|chroot|role|type|command-timeout|other-user|user)$/,
    flagWord:
      /^--(?:background|preserve-env(?:=.*)?|edit|set-home|login|remove-timestamp|list|preserve-groups|shell|validate|askpass|bell|help|non-interactive|stdin|version|reset-timestamp)$/s,
    hides: {
      i: SHELL_STARTUP,
      '--login': SHELL_STARTUP,
      s: THROUGH_SHELL,
      '--shell': THROUGH_SHELL,
      e: 'runs the editor $SUDO_EDITOR, $VISUAL or $EDITOR names',
      '--edit': 'runs the editor $SUDO_EDITOR, $VISUAL or $EDITOR names',
      D: CHDIR,
      '--chdir': CHDIR,
      R: CHROOT,
      '--chroot': CHROOT,
    },
    runs: { operand: /^/, bare: true, label: 'config', why: SUDO_CONFIG },
  },
  {
    program: /^doas$/,
    valued: 'Cu',
    strict: 'Lns',
    hides: { s: THROUGH_SHELL },
    runs: { operand: /^/, bare: true, label: 'config', why: DOAS_CONFIG },
  },
  // These exec their command as another user: gosu, su-exec and daemontools' setuidgid take the
  // user as their first word, setpriv (util-linux here) and runit's chpst options only. chpst -e and envdir set the
  // command's environment from a directory's files, chpst -/ and -C move its root and working
  // directory, -b renames it.
  { program: /^(?:gosu|su-exec|(?:s6-)?(?:setuidgid|envuidgid))$/, user: true },
  {
    program: /^setpriv$/,
    strict: 'dhV',
    valuedWord:
      /^--(?:ambient-caps|inh-caps|bounding-set|ruid|euid|rgid|egid|reuid|regid|groups|securebits|pdeathsig|selinux-label|apparmor-profile|landlock-access|landlock-rule|seccomp-filter|ptracer)$/,
    flagWord:
      /^--(?:dump|nnp|no-new-privs|clear-groups|keep-groups|init-groups|reset-env|help|version)$/,
  },
  {
    program: /^chpst$/,
    valued: 'uUbemdopfcrt/CnlL',
    strict: 'vP012V',
    hides: { e: ENV_DIR, '/': CHROOT, C: CHDIR, b: ARGV0 },
  },
  // daemontools' and s6's envdir (s6-envdir's options take no value).
  {
    program: /^(?:s6-)?envdir$/,
    runs: { operand: /^/, label: 'directory', why: ENV_DIR },
  },
  // These run what a directory or a configuration file lamina does not read names: run-parts
  // each executable in its directory (debianutils here), a supervisor or cron its services.
  { program: /^run-parts$/, runs: { operand: /^/, why: SUPERVISES } },
  {
    program: /^(?:supervisord|runsvdir|s6-svscan|crond|inetd)$/,
    valued: 'cudlyzejiqaLt',
    runs: { operand: /^/, bare: true, why: SUPERVISES },
  },
  {
    program: /^(?:script|flock)$/,
    inline: 'c',
    inlineWord: /^--command(?:=|$)/,
    longNames: ['command'],
    permutes: true,
  },
  // These move the root or working directory their command's paths are taken from (chroot,
  // util-linux unshare and nsenter run NEWROOT/run here).
  { program: /^chroot$/, runs: { operand: /^/, why: CHROOT } },
  {
    program: /^unshare$/,
    valued: 'RwSG',
    valuedWord: /^--(?:root|wd|setuid|setgid)$/,
    longNames: ['root', 'wd'],
    hides: { R: CHROOT, '--root': CHROOT, w: CHDIR, '--wd': CHDIR },
  },
  {
    program: /^nsenter$/,
    valued: 'tSG',
    attached: 'mutinpUCTrw',
    longNames: ['root', 'wd'],
    hides: { r: CHROOT, '--root': CHROOT, w: CHDIR, '--wd': CHDIR },
  },
  // watch runs its words as a shell command line (sh -c, procps-ng 4 here; -x execs them), GNU
  // parallel its command through a shell, find -exec a command on the files it finds (`find
  // DIR -exec {} ;` runs each): none of those words is what lamina reads it as.
  {
    program: /^watch$/,
    valued: 'nq',
    attached: 'd',
    runs: {
      operand: /^/,
      why: 'runs its words as a shell command line (sh -c)',
      label: 'command',
      unless: ['-x', '--exec'],
    },
  },
  {
    program: /^parallel$/,
    valued: 'ajSIdEnNLPsC',
    runs: { operand: /^/, why: 'runs its command through a shell', label: 'command' },
  },
  { program: /^find$/, inlineWord: /^-(?:exec|execdir|ok|okdir)$/, permutes: true },
  {
    program: /^xargs$/,
    valued: 'adEILnPs',
    attached: 'eil',
    valuedWord:
      /^--(?:arg-file|delimiter|max-lines|max-args|max-procs|max-chars|process-slot-var)$/,
    longNames: ['arg-file'],
    hides: {
      a: "adds its command's arguments from a file lamina does not read (-c CODE, for one)",
      '--arg-file':
        "adds its command's arguments from a file lamina does not read (-c CODE, for one)",
    },
  },
  // Editors and debuggers run their commands (`:!cmd`, gdb's `shell`).
  {
    program: /^(?:vim?|nvim|ex|view)$/,
    inline: 'c',
    inlineWord: /^(?:\+.*|--cmd)$/s,
    permutes: true,
  },
  // The java launcher: -XX:VMOptionsFile= and -XX:Flags= read more options from a file (a
  // -javaagent: among them), a CDS or AOT archive or a CRaC checkpoint holds classes or a whole
  // heap, --patch-module and --upgrade-module-path replace the JDK's own classes, and
  // -XX:OnError= and -XX:OnOutOfMemoryError= are shell commands. A class path's directories
  // and files are checked element by element. The first operand is the main class.
  {
    program: /^java$/,
    inlineWord: /^-XX:(?:OnError|OnOutOfMemoryError)=/,
    loadsWord:
      /^(?:-XX:(?:VMOptionsFile|Flags|SharedArchiveFile|AOTCache|CRaCRestoreFrom)=|--patch-module(?:=|$)|--upgrade-module-path(?:=|$))/,
    valuedWord:
      /^(?:-cp|-classpath|-p|-m|-jar|-Djava\.class\.path=.*|(?:--class-path|--module-path|--add-modules|--module)(?:=.*)?)$/s,
    // -jar opens a file of any name as a jar (`java -jar /usr/share/doc/x/readme.dat`), and
    // -Djava.class.path= sets the class path as -cp does, overriding it when later.
    classPath: /^(?:-cp|-classpath|--class-path|-p|--module-path|-jar|-Djava\.class\.path)$/,
    endsWord: /^(?:-jar|-m|--module)(?:=.*)?$/s,
  },
  // The dynamic loader run as a program (`ld.so [OPTION]... FILE`): --preload and --audit load
  // objects as LD_PRELOAD and LD_AUDIT do, by bare names too (glibc 2.36 here preloads an ELF
  // named evil.dat from --library-path), and --argv0 renames the program it runs.
  {
    program: /^(?:ld(?:-linux)?(?:-[\w.-]+)?\.so(?:\.\d+)*|ld64\.so\.\d+|ld-musl-[\w-]+\.so\.1)$/,
    loadsWord: /^--(?:preload|audit)$/,
    valuedWord: /^--(?:library-path|glibc-hwcaps-prepend|glibc-hwcaps-mask|inhibit-rpath|argv0)$/,
    hides: { '--argv0': ARGV0 },
  },
  // jshell runs a startup script before anything else (java 17 here).
  { program: /^jshell$/, loadsWord: /^--startup(?:=|$)/ },
  {
    program: /^gdb$/,
    inlineWord: /^--(?:i?ex|(?:init-)?eval-command)(?:=|$)/,
    longNames: ['ex', 'iex', 'eval-command', 'init-eval-command'],
    longOnly: true,
    permutes: true,
  },
];

/** Whether a program of this base name (`python3.11`, `sh`) is one whose options lamina reads. */
export function readsOptionsOf(name: string): boolean {
  return SYNTAXES.some((s) => s.program.test(name));
}

/** Something the words of an entry point or command run or load that no package accounts for. */
interface ArgFinding {
  /** What a policy allows it by: `python3 -c`, `awk program`, or a loading option (`-r`, `--import`). */
  path: string;
  why: string;
  arg: string;
  /** No finding: the file an interpreter runs as its script, as written (see interpreterScripts). */
  script?: string;
}

/**
 * Each option in `args` that runs inline code or loads code, read as its program reads it, and
 * the program text awk and sed take as an operand. The arguments are read as the program gets
 * them, each one word (an option's value `-X "a node"` names no program), and then each one
 * holding a blank or a shell's separator word by word on its own, so `sh -c "python3 -c …"` is
 * seen too.
 */
function interpreterArgs(args: readonly string[], image: ImageView): ArgFinding[] {
  return [
    ...readings(
      args.map((arg) => ({ word: arg, arg })),
      image
    ),
    ...args
      .filter((arg) => SHELL_BREAK.test(arg))
      .flatMap((arg) =>
        readings(
          arg.split(SHELL_BREAKS).map((word) => ({ word, arg })),
          image
        )
      ),
  ];
}

/**
 * scanWords over `words` once for each program a word may be: a file named as one program (`env`,
 * `sed`) that is a link to or a copy of another (`python3.11`) runs as that one, whatever its
 * name, but a multi-call binary runs what its name says; each reading is taken, so neither runs
 * code unreported.
 */
function readings(words: readonly { word: string; arg: string }[], image: ImageView): ArgFinding[] {
  const most = Math.max(1, ...words.map(({ word }) => syntaxesOf(word, image).length));
  return Array.from({ length: most }, (_, pick) => scanWords(words, image, pick)).flat();
}

/** The syntaxes a word's program may have: its own name's first, then those of its other names. */
function syntaxesOf(word: string, image: ImageView): Syntax[] {
  const base = word.slice(word.lastIndexOf('/') + 1);
  const found = [base, ...(image.names?.(word) ?? [])].map((n) =>
    SYNTAXES.find((s) => s.program.test(n))
  );
  return [...new Set(found.filter((s): s is Syntax => s !== undefined))];
}

/**
 * The word sequences of an entry point and command as interpreterArgs reads them: the arguments,
 * then each argument holding a blank or a shell's separator split into words.
 */
export function commandLines(args: readonly string[]): string[][] {
  return [[...args], ...args.filter((a) => SHELL_BREAK.test(a)).map((a) => a.split(SHELL_BREAKS))];
}

/** How many words scanWords reads both as a program and as an option's value. */
const MAX_READINGS = 32;

/** What ends a word on a shell command line: blanks, separators, quotes. */
const SHELL_BREAKS = /[\s;&|()`'"]+/;
/** One such character: an argument holding one may be a command line. */
const SHELL_BREAK = /[\s;&|()`'"]/;

/**
 * interpreterArgs over a sequence of words, each with the argument it is in. An option must
 * follow its program's name with only options (and their values) between. A long option its
 * syntax does not know may take the next word as its value (`node --disable-warning X -e
 * CODE`), or not (`node --expose-gc app.js -e x`): that word is read both ways, also when it
 * names a program (`npx --cache node -c CMD`: npm takes `node` as the cache's directory). `names`
 * gives the other names a word's program has in the image (`py`, a link to `python3.11`): the
 * program is known by any of them, the `pick`th of the syntaxes they give (the last when
 * fewer). The words are read from `start`; `from` holds what the words from an index on, read
 * as a program's, were found to run, so each is read once.
 */
function scanWords(
  words: readonly { word: string; arg: string }[],
  image: ImageView,
  pick = 0,
  start = 0,
  from = new Map<number, ArgFinding[]>()
): ArgFinding[] {
  const out: ArgFinding[] = [];
  let syntax: Syntax | undefined;
  let program = '';
  // The short option whose value is the next word, if any, and whether options end after it.
  let waiting: string | undefined;
  let endsAfter = false;
  // After a long option lamina does not know, the next word may be its value or an operand.
  let maybeValue = false;
  let fromFile = false;
  let ended = false;
  let operands = 0;
  // A permuting program's first operand: its program text unless a later option gives one.
  let text: { program: string; arg: string } | undefined;
  // A program that runs its project's default with no operand (`yarn`, `make`), until one comes.
  let bare: { path: string; arg: string; why: string } | undefined;
  // An option of runs.unless was given (`watch -x`).
  let runsOff = false;
  // The options of runs.unlessAll given so far.
  let given = new Set<string>();
  const off = (s: Syntax, option: string): void => {
    if (s.runs?.unlessAll?.includes(option)) given.add(option);
    if (
      s.runs?.unless?.includes(option) ||
      (s.runs?.unlessAll !== undefined && s.runs.unlessAll.every((o) => given.has(o)))
    )
      [runsOff, bare] = [true, undefined];
  };
  const ran = (flag: string, arg: string, by = program): void => {
    const path = `${by} ${flag}`;
    out.push({ path, why: `runs code given inline (${path})`, arg });
  };
  const scriptOf = (word: string, arg: string): void => {
    if (word !== '-' && word !== '+') out.push({ path: word, why: '', arg, script: word });
  };
  const runs = (path: string, why: string, arg: string): void => {
    out.push({ path, why: `runs ${path}, which ${why},`, arg });
  };
  const flush = (): void => {
    if (text) ran('program', text.arg, text.program);
    if (bare) runs(bare.path, bare.why, bare.arg);
    [text, bare] = [undefined, undefined];
  };
  const loads = (flag: string, arg: string): void => {
    out.push({ path: flag, why: `passes ${flag}, which loads the code it names,`, arg });
  };
  // What an option lamina does not know does to the words after it is not known: the command
  // may be another word than lamina reads (`sudo -X python3 -c CODE`).
  const unknown = (option: string, arg: string): void => {
    out.push({
      path: `${program} ${option.replace(/=.*$/s, '')}`,
      why: `passes ${option.replace(/=.*$/s, '')}, an option lamina does not read, which may change what it runs,`,
      arg,
    });
    syntax = undefined;
  };
  const value = (s: Syntax, option: string, v: string, arg: string): void => {
    if (s.scriptValues?.test(option)) scriptOf(v, arg);
    if (s.loadingValues?.[option]?.test(v)) loads(`-${option} ${v.slice(0, v.indexOf('='))}`, arg);
    if (s.inlineValues?.[option]?.test(v)) ran(`-${option} ${v}`, arg);
    if (s.runsValues?.[option]?.test(v)) runs(`${program} -${option} ${v}`, PROJECT_RUNS, arg);
    if (s.listens?.test(option) && !loopback(v))
      out.push({
        path: option,
        why: `opens its debugger to the network (${option}=${v}), where whoever reaches the port runs any code,`,
        arg,
      });
    if (s.classPath?.test(option))
      for (const element of unseenClassPath(v, image))
        out.push({
          path: `${option} ${element}`,
          why: `puts ${element} on the class path (${option}), where classes lamina does not read can load,`,
          arg,
        });
  };
  // The words from here on are `name`'s, a program of syntax `next`.
  const begin = (next: Syntax, name: string, arg: string): void => {
    flush();
    [syntax, program, fromFile, ended, operands, maybeValue] = [next, name, false, false, 0, false];
    [waiting, endsAfter, runsOff, given] = [undefined, false, false, new Set()];
    if (next.runs?.bare) {
      const { label, why = PROJECT_RUNS } = next.runs;
      bare = { path: label === undefined ? program : `${program} ${label}`, arg, why };
    }
    // The user is the next word, whatever it names (`gosu node app` runs app).
    if (next.user) [waiting, endsAfter] = ['', true];
  };
  // After an option whose value is the first operand: a module read as a program (`python3 -m
  // debugpy`), else the words are the operand's.
  const endAt = (s: Syntax, v: string, arg: string): void => {
    const module = s.modules?.[v];
    if (module) begin(module, v, arg);
    else syntax = undefined;
  };
  for (let at = start; at < words.length; at++) {
    const { word, arg } = words[at]!;
    if (word === '') continue;
    if (syntax && waiting !== undefined) {
      const [s, option, ends] = [syntax, waiting, endsAfter];
      [waiting, endsAfter] = [undefined, false];
      value(s, option, word, arg);
      if (ends) endAt(s, word, arg);
      continue;
    }
    // A package manager's command is its first operand, whatever program it names (`yarn
    // node`); a word that may be an option's value may be it too (`npm --prefix /app start`).
    const operand =
      ended ||
      !(word.startsWith('-') || (syntax?.plus === true && word.startsWith('+'))) ||
      word === '-' ||
      word === '+';
    if (syntax?.runs && !runsOff && operands === 0 && operand && (ended || word !== '--')) {
      const { through, why = PROJECT_RUNS } = syntax.runs;
      if (!maybeValue && !syntax.runs.late) bare = undefined;
      if (through?.test(word)) continue;
      if (syntax.runs.operand?.test(word))
        runs(`${program} ${syntax.runs.label ?? word}`, why, arg);
    }
    const base = word.slice(word.lastIndexOf('/') + 1);
    const choices = syntaxesOf(word, image);
    const next = choices[Math.min(pick, choices.length - 1)];
    if (next && syntax && maybeValue) {
      // As a program, on its own; as the option's value, read on below. Each reading reads the
      // rest of the words: past a bound, a command line built to be read many ways is refused.
      if (!from.has(at)) {
        // Counted as it starts: the readings it starts come before it ends.
        const room = from.size < MAX_READINGS;
        from.set(at, []);
        from.set(
          at,
          room
            ? scanWords(words, image, pick, at, from)
            : [
                {
                  path: 'command line',
                  why: `has more than ${MAX_READINGS} words that may be a program or an option's value, each read both ways,`,
                  arg,
                },
              ]
        );
      }
      // What one reading found is in the other's too: each once, not once per way there.
      for (const f of from.get(at)!)
        if (!out.some((o) => o === f || o.path === f.path)) out.push(f);
    } else if (next) {
      begin(next, base, arg);
      continue;
    }
    if (!syntax) continue;
    const s = syntax;
    // Read as a value, options still count after it; read as an operand, it may be the
    // program text: both are taken, so neither reading runs code unreported.
    if (maybeValue && !word.startsWith('-')) {
      maybeValue = false;
      if (s.script && operands === 0) scriptOf(word, arg);
      if (s.operandUnless !== undefined && operands === 0 && !fromFile) {
        text ??= { program, arg };
        if (!s.permutes) flush();
      }
      continue;
    }
    maybeValue = false;
    // Tested in its full spelling; reported as written.
    const w = ended ? word : longForm(s, word);
    if (!ended) off(s, w.replace(/=.*$/s, ''));
    const hidden = ended ? undefined : s.hides?.[w.replace(/=.*$/s, '')];
    if (hidden !== undefined && (w.startsWith('--') || w === '-'))
      runs(`${program} ${word.replace(/=.*$/s, '')}`, hidden, arg);
    if (!ended && s.inlineWord?.test(w)) {
      ran(word.replace(/=.*$/s, '='), arg);
      [syntax, text] = [undefined, undefined];
      continue;
    }
    if (!ended && s.loadsWord?.test(w)) {
      loads(word.replace(/=.*$/s, ''), arg);
      if (!w.includes('=') && !s.flagWord?.test(w)) waiting = '';
      continue;
    }
    if (!ended && s.valuedWord?.test(w)) {
      const eq = w.indexOf('=');
      if (eq < 0) [waiting, endsAfter] = [w, s.endsWord?.test(w) ?? false];
      else value(s, w.slice(0, eq), w.slice(eq + 1), arg);
      if (/^--(?:file|exec)$/.test(w)) [fromFile, text] = [true, undefined];
      if (eq >= 0 && s.endsWord?.test(w)) syntax = undefined;
      continue;
    }
    if (!ended && word === '--') {
      ended = true;
      continue;
    }
    const option = word.startsWith('-') || (s.plus === true && word.startsWith('+'));
    if (ended || !option || word === '-' || word === '+') {
      if (s.script && operands === 0) {
        scriptOf(word, arg);
        // The words after a script are its own (argv[1:]), not the interpreter's: a program's
        // name among them (`python3 app.py make`) is data, as `-c` is there; what the script
        // does with them is its code, which the binary cataloger reads.
        if (!s.permutes && word !== '-' && word !== '+') break;
      }
      if (s.operandUnless !== undefined && operands === 0 && !fromFile) {
        text = { program, arg };
        if (!s.permutes) flush();
      }
      operands += 1;
      if (!s.permutes || ended) syntax = undefined;
      continue;
    }
    if (w.startsWith('--')) {
      if (
        s.strict !== undefined &&
        !s.flagWord?.test(w) &&
        !s.valuedWord?.test(w.replace(/=.*$/s, ''))
      ) {
        unknown(word, arg);
        continue;
      }
      maybeValue = !w.includes('=') && !s.flagWord?.test(w);
      const eq = w.indexOf('=');
      if (eq > 0 && s.listens?.test(w.slice(0, eq))) value(s, w.slice(0, eq), w.slice(eq + 1), arg);
      continue;
    }
    for (let i = 1; i < word.length; i++) {
      const ch = word[i]!;
      const rest = word.slice(i + 1);
      // `+i` turns off what `-i` turns on.
      off(s, `${word[0]!}${ch}`);
      const hides = word.startsWith('-') ? s.hides?.[ch] : undefined;
      if (hides !== undefined) runs(`${program} -${ch}`, hides, arg);
      if (s.marks?.includes(ch)) {
        ran(word, arg);
        syntax = undefined;
        break;
      }
      if (s.inline?.includes(ch)) {
        ran(word.slice(0, i + 1), arg);
        [syntax, text] = [undefined, undefined];
        break;
      }
      if (s.inlineValued?.includes(ch)) {
        ran(`-${ch}`, arg);
        if (rest === '') waiting = ch;
        break;
      }
      if (s.ends?.includes(ch)) {
        if (rest === '') [waiting, endsAfter] = [ch, true];
        else {
          value(s, ch, rest, arg);
          endAt(s, rest, arg);
        }
        break;
      }
      if (s.loads?.includes(ch)) {
        loads(`-${ch}`, arg);
        if (rest === '') waiting = ch;
        break;
      }
      if (s.valued?.includes(ch)) {
        if (s.operandUnless?.includes(ch)) [fromFile, text] = [true, undefined];
        if (rest === '') waiting = ch;
        else value(s, ch, rest, arg);
        break;
      }
      const bounded = s.bounded?.[ch];
      if (bounded) {
        i += bounded.exec(rest)?.[0].length ?? 0;
        continue;
      }
      if (s.attached?.includes(ch)) break;
      if (s.strict !== undefined && !s.strict.includes(ch)) {
        unknown(`${word[0]!}${ch}`, arg);
        break;
      }
    }
  }
  flush();
  return out;
}

/**
 * Whether a debugger's `[host:]port` listens on the loopback only: a port alone (Node.js's
 * default host is 127.0.0.1), `localhost`, 127.x.y.z or `[::1]`. A name is not resolved.
 */
function loopback(value: string): boolean {
  const host = /^\d*$/.test(value)
    ? 'localhost'
    : value.startsWith('[')
      ? value.slice(1, value.indexOf(']'))
      : /^[^:]*:\d*$/.test(value)
        ? value.slice(0, value.lastIndexOf(':'))
        : value;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `word` with the long option it abbreviates spelled out (`--e=x` → `--expression=x`), for a
 * syntax whose program takes abbreviations: the exact name, else the first it begins; else
 * `word`. Only names lamina lists are spelled out: a prefix of another of the program's options
 * too is ambiguous to getopt_long, which then runs nothing.
 */
function longForm(s: Syntax, word: string): string {
  const m = (s.longOnly ? /^--?([^-=][^=]*)(=.*)?$/s : /^--([^-=][^=]*)(=.*)?$/s).exec(word);
  if (!s.longNames || !m || (!word.startsWith('--') && m[1]!.length < 2)) return word;
  const given = m[1]!;
  const rest = m[2] ?? '';
  const name = s.longNames.find((n) => n === given) ?? s.longNames.find((n) => n.startsWith(given));
  return name === undefined ? word : `--${name}${rest}`;
}

/**
 * The elements of a class or module path (`:`-separated) whose classes no cataloger reads: not a
 * `.jar` (the Java cataloger reads those wherever they are, and a `DIR/*` wildcard takes only
 * those), not in the function's code directory. A directory's loose classes, and a file of any
 * other name, which the JVM opens as a jar all the same, are code lamina does not see. An empty
 * element is the working directory.
 */
function unseenClassPath(value: string, image: ImageView): string[] {
  const out: string[] = [];
  const real = (p: string): string => image.realPath?.(p) ?? p;
  const root = real(posix.join('/', image.taskRoot ?? '/var/task'));
  for (const element of value.split(':')) {
    if (/(?:^|\/)\*$/.test(element)) continue;
    // What the JVM opens is where the links lead: `/var/task/lib -> /usr/share/doc/x`, or
    // `app.jar -> readme.dat`, a file no cataloger reads as a jar; `..` after a link goes up
    // from where that leads.
    const [normal = '/', walked = normal] = asWalked(element, image.workingDir);
    const at = image.realPath?.(walked) ?? normal;
    if (/\.jar$/i.test(at) || at === root || at.startsWith(`${root}/`)) continue;
    out.push(element === '' ? '.' : element);
  }
  return out;
}
