/**
 * An image config's environment, as the inventory sees it: Lambda starts the runtime with the
 * image's `Env`, so a variable there that makes the runtime load code (`NODE_OPTIONS=--require
 * /usr/share/doc/x.js`, `JAVA_TOOL_OPTIONS=-javaagent:…`, `AWS_LAMBDA_EXEC_WRAPPER`, another
 * module search path) runs files no cataloger attributes to a package.
 */
import type { Finding } from '../model/finding.js';
import { loaderReason } from '../model/function-environment.js';
import { LOADED_BY_LOADER } from './binary/preload.js';

/**
 * Search paths whose effect the catalogers already cover: every executable and every file named
 * like a library is read wherever it is, so `PATH` and `LD_LIBRARY_PATH` find nothing unread.
 */
const SEARCH_PATHS: ReadonlySet<string> = new Set(['PATH', 'LD_LIBRARY_PATH']);

/** In `Env`, the search paths and the objects `LD_PRELOAD` and `LD_AUDIT` name, which are read. */
const COVERED: ReadonlySet<string> = new Set([...SEARCH_PATHS, ...LOADED_BY_LOADER]);

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

/** Interpreter flags that load the code the next argument or their value names. */
const LOADER_FLAG =
  /^(?:--require|--import|--loader|--experimental-loader|-javaagent:|-agentpath:|-agentlib:|-Xbootclasspath)/;

/**
 * `ENV_LOADER` errors for what the image config's entry point and command set up themselves: a
 * loader variable assigned in an argument (`/usr/bin/env NODE_OPTIONS=--require /x.js …`,
 * `sh -c "export LD_PRELOAD=…; exec …"`: `LD_PRELOAD` and `LD_AUDIT` too, whose targets lamina
 * reads only from `Env`), an interpreter flag that loads a file (`node --require /x.js`,
 * `node -r /x.js`, `java -javaagent:/x.jar`), and a java argument file (`java @/x`, path
 * `java @`), whose `-javaagent:` lamina would not see. The finding's path is the variable's name, or the
 * flag. `source` names whose entry point and command they are in the message (a container-image
 * function's own EntryPoint and Command replace the image config's).
 */
export function configArgFindings(
  config: { entrypoint?: readonly string[]; cmd?: readonly string[] },
  source = "the image config's entry point or command"
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
  for (const { program, flag, arg } of inlineCode(args))
    report(`${program} ${flag}`, `runs code given inline (${program} ${flag})`, arg);
  // `-r` is Node's and Ruby's short --require; other programs give it other meanings.
  const requires = args.some((a) => /(?:^|[\s/])(?:node|nodejs|ruby)(?:\d[\d.]*)?(?:\s|$)/.test(a));
  // The java launcher reads more options (-javaagent:, -cp) from an `@file` argument.
  const java = args.some((a) => /(?:^|[\s/])java(?:\s|$)/.test(a));
  for (const arg of args) {
    for (const m of arg.matchAll(/(?:^|[\s;&|(`'"])([A-Za-z_][A-Za-z0-9_%]*)=/g)) {
      const name = m[1]!;
      const why = loaderReason(name);
      if (why !== undefined && !SEARCH_PATHS.has(name)) report(name, `sets ${name} (${why})`, arg);
    }
    for (const word of arg.split(/\s+/)) {
      const flag = LOADER_FLAG.exec(word)?.[0] ?? (word === '-r' && requires ? word : undefined);
      if (flag !== undefined) report(flag, `passes ${flag}, which loads the code it names,`, arg);
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
 * Interpreters' options that run the code in the next argument rather than a file: nothing in
 * the image holds that code, so no cataloger can say what it is. A shell's `-c` too: its string
 * is a script no package owns, as an unowned script file would be, and the shell's quoting,
 * expansion and globbing make what it runs something lamina cannot tell (`exec ld.so
 * /usr/share/mi""sc/x` runs `/usr/share/misc/x`); a Dockerfile's shell-form `CMD python app.py`
 * is `sh -c "python app.py"`, allowed by name (`paths: ['sh -c']`) once reviewed.
 */
const INLINE: readonly { program: RegExp; flag: RegExp; takesValue: RegExp }[] = [
  // `python3 -c CODE`, also after other one-letter options (`python3 -Sc CODE`).
  {
    program: /^python(?:\d[\d.]*)?$/,
    flag: /^-[A-Za-z]*c$/,
    takesValue: /^(?:-[WX]|--check-hash-based-pycs)$/,
  },
  {
    program: /^(?:node|nodejs)(?:\d[\d.]*)?$/,
    flag: /^(?:-[A-Za-z]*[ep]|--eval|--print|--eval=.*|--print=.*)$/,
    takesValue:
      /^(?:-r|--require|--import|--loader|--experimental-loader|-C|--conditions|--input-type|--title)$/,
  },
  { program: /^ruby(?:\d[\d.]*)?$/, flag: /^-[A-Za-z]*e$/, takesValue: /^-[rIECx]$/ },
  { program: /^perl(?:\d[\d.]*)?$/, flag: /^-[A-Za-z]*[eE]$/, takesValue: /^-[IMm]$/ },
  // `sh -c STRING`, `bash -ec STRING`; `busybox sh -c` is seen at `sh`.
  {
    program: /^(?:sh|bash|dash|ash|zsh|ksh|mksh|yash)$/,
    flag: /^-[A-Za-z]*c$/,
    takesValue: /^[-+][oO]$/,
  },
];

/**
 * Each interpreter option in `args` (taken word by word, so `sh -c "python3 -c …"` is seen
 * too) that runs inline code. The option must follow the interpreter's name with only options
 * (and their values) between: after the script's name the words are the script's arguments.
 */
function inlineCode(args: readonly string[]): { program: string; flag: string; arg: string }[] {
  const out: { program: string; flag: string; arg: string }[] = [];
  let current: (typeof INLINE)[number] | undefined;
  let program = '';
  let value = false;
  for (const arg of args)
    for (const word of arg.split(/[\s;&|()`'"]+/)) {
      if (word === '') continue;
      const base = word.slice(word.lastIndexOf('/') + 1);
      const interpreter = INLINE.find((i) => i.program.test(base));
      if (interpreter) {
        [current, program, value] = [interpreter, base, false];
      } else if (current && value) {
        value = false;
      } else if (current?.flag.test(word)) {
        out.push({ program, flag: word.replace(/=.*$/s, '='), arg });
        current = undefined;
      } else if (current?.takesValue.test(word)) {
        value = true;
      } else if (!word.startsWith('-')) current = undefined;
    }
  return out;
}
