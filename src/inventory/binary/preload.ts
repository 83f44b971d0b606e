/**
 * What an image's configuration makes the dynamic loader load: the objects `/etc/ld.so.preload`
 * names and the environment's `LD_PRELOAD`, preloaded into every dynamically linked process, the
 * auditing objects `LD_AUDIT` names, loaded into every one too (ld.so(8)), and the files its entry
 * point and command name (`ld.so FILE` runs any readable ELF).
 * glibc loads them whatever their mode or file name, so the binary cataloger must read them even
 * when nothing else says they run.
 */
import { posix } from 'node:path';
import { sha256Entry } from '../../unpack/hash.js';
import { isElf, parseElf } from './elf.js';
import type { FileEntry, FileSource } from '../../unpack/source.js';
import type { LinkIndex } from '../../unpack/links.js';

/** The preload file, root-relative. */
export const LD_SO_PRELOAD = 'etc/ld.so.preload';

/**
 * The names in an `ld.so.preload` file or an `LD_PRELOAD` value: separated by white space or
 * `:`, `#` starting a comment to the end of the line (glibc elf/rtld.c reads the file so).
 */
export function splitPreloadList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/[\s:]+/))
    .filter((name) => name !== '');
}

/** The variables whose objects the loader loads into every dynamically linked process. */
export const LOADED_BY_LOADER = ['LD_PRELOAD', 'LD_AUDIT'] as const;

/**
 * Every `LD_PRELOAD` and `LD_AUDIT` name of an image config's environment (`NAME=value`
 * strings). glibc splits `LD_AUDIT` at `:` only; splitting it at white space too reads more
 * names than the loader does, never fewer.
 */
export function preloadFromEnv(env: readonly string[] | undefined): string[] {
  return (env ?? []).flatMap((e) => {
    const name = LOADED_BY_LOADER.find((n) => e.startsWith(`${n}=`));
    return name === undefined ? [] : splitPreloadList(e.slice(name.length + 1));
  });
}

/**
 * The paths an image config's entry point and command name (`ld.so /var/task/app` runs a file
 * whatever its mode): arguments with a slash, relative ones taken from the working directory,
 * and the words with a slash of an argument that is a command line itself (`sh -c "ld.so
 * /usr/share/x"`, where the shell splits it), options and assignments (`--config=/x`, `A=/x`)
 * left out. Bare names (`python3`, a handler `app.handler`) are left out.
 */
export function configuredPaths(config: {
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  workingDir?: string;
}): string[] {
  const words = (arg: string): string[] =>
    SHELL_WORD_BREAK.test(arg)
      ? [arg, ...arg.split(SHELL_WORD_BREAKS).filter((w) => !w.startsWith('-') && !w.includes('='))]
      : [arg];
  const paths = [...(config.entrypoint ?? []), ...(config.cmd ?? [])]
    .flatMap(words)
    .filter((arg) => arg.includes('/'))
    .flatMap((arg) => asWalked(arg, config.workingDir));
  return [...new Set(paths)];
}

/**
 * `path` (from `workingDir` when relative) as a root-absolute path, normalized, and, when it
 * has a `..`, also as written: the kernel takes `..` after a link from where the link leads
 * (`/var/task/lib/../x` with `lib -> /usr/share/doc/y` is `/usr/share/doc/x`), which
 * LinkIndex.resolve walks and normalizing loses.
 */
export function asWalked(path: string, workingDir?: string): string[] {
  const raw = path.startsWith('/') ? path : `${posix.join('/', workingDir ?? '')}/${path}`;
  const normal = posix.normalize(raw);
  return /(?:^|\/)\.\.(?:\/|$)/.test(path) && raw !== normal ? [normal, raw] : [normal];
}

/** What ends a word on a shell command line: blanks, separators, quotes, redirections. */
const SHELL_WORD_BREAKS = /[\s;&|()`'"<>]+/;
/** One such character: an argument holding one is a command line, not one path. */
const SHELL_WORD_BREAK = /[\s;&|()`'"<>]/;

/**
 * The program an image config runs, as the kernel execs it: the entry point's first word, or
 * the command's when there is no entry point, a path taken from the working directory when
 * relative (a bare name is found on {@link searchPath}). It runs whatever it holds: a `#!`
 * script is run by the interpreter it names.
 */
export function configuredProgram(config: {
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  workingDir?: string;
}): string | undefined {
  const first = (config.entrypoint?.length ? config.entrypoint : config.cmd)?.[0];
  if (first === undefined || !first.includes('/')) return undefined;
  return posix.join('/', first.startsWith('/') ? '' : (config.workingDir ?? ''), first);
}

/**
 * The names a word of an entry point or command has as a program in the image besides its own:
 * the base names of the files it leads to through symlinks, as a path (from `workingDir` when
 * relative) or as a bare name in any of `searchPath`'s directories, and, for a file `copies`
 * (see {@link programCopies}) holds, the names of the programs whose bytes it has. A program runs
 * as what the file is, whatever the link is called (`py -> python3.11` is Python).
 */
export function programNames(
  links: LinkIndex,
  searchPath: readonly string[],
  workingDir?: string,
  copies: ReadonlyMap<string, readonly string[]> = new Map()
): (word: string) => string[] {
  const files = programFiles(links, searchPath, workingDir);
  return (word) => {
    const out = new Set<string>();
    for (const path of files(word)) {
      out.add(posix.basename(path));
      for (const name of copies.get(path) ?? []) out.add(name);
    }
    return [...out];
  };
}

/**
 * The files a word of an entry point or command may run (see programNames), root-relative, with
 * every link on the way followed: a path's, or a bare name's in each of `searchPath`'s
 * directories.
 */
export function programFiles(
  links: LinkIndex,
  searchPath: readonly string[],
  workingDir?: string
): (word: string) => string[] {
  return (word) => {
    // An assignment (`env PATH=/x …`) is no program; a path with `=` in it is (`/opt/a=b/py`).
    if (word === '' || word.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) return [];
    const paths = word.includes('/')
      ? asWalked(word, workingDir)
      : searchPath.map((d) => posix.join(d, word));
    const out = new Set<string>();
    for (const p of paths) {
      const r = links.resolve(p.replace(/^\/+/, ''));
      if (r.ok && r.entry?.kind === 'file') out.add(r.path);
    }
    return [...out];
  };
}

/** A library holding an interpreter a program can hand its arguments (`Py_BytesMain`). */
const INTERPRETER_LIBRARY =
  /^lib(?:python\d[\d.]*[dmt]*|ruby(?:-\d[\d.]*)?|perl|node|jvm)\.so(?:\.|$)/;

/**
 * The interpreter library (`libpython3.11.so.1.0`, libruby, libperl, libnode, libjvm) each ELF
 * file of `paths` names in its DT_NEEDED, by root-relative path: such a program embeds that
 * interpreter, and may run its arguments as code as the interpreter does (six lines of C calling
 * `Py_BytesMain` run `app -c CODE` here). A file larger than `maxBytes`, or not an ELF lamina
 * can parse, is left out (the binary cataloger reports it).
 */
export async function interpreterLibraries(
  source: FileSource,
  paths: readonly string[],
  maxBytes: number
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of new Set(paths)) {
    const entry = source.get(path);
    if (entry?.kind !== 'file' || entry.size > maxBytes) continue;
    try {
      if (!isElf(await source.head(path, 4))) continue;
      const needed = parseElf(await source.read(path, maxBytes)).dynamic?.needed ?? [];
      const lib = needed.find((n) => INTERPRETER_LIBRARY.test(n));
      if (lib !== undefined) out.set(path, lib);
    } catch {
      // Unparsable: the binary cataloger reads it again and reports it.
    }
  }
  return out;
}

/**
 * Multi-call binaries, by file name, and a string their bytes hold: they run the program their
 * `argv[0]` names (`/bin/sh` a link to busybox is busybox's shell, the same bytes named `app`
 * run nothing), so their bytes under another name make no program of them.
 */
const MULTI_CALL: Readonly<Record<string, string>> = {
  busybox: 'BusyBox v',
  toybox: 'toybox',
  coreutils: '--coreutils-prog',
};

/**
 * The files of `source` that are a program `known` names under another name: the same bytes,
 * copied or hard-linked (`/usr/local/bin/app`, or `/usr/local/bin/env`, a copy of
 * `/usr/bin/python3.11`, runs Python whatever it is called, as python3, node, ruby, perl, bash
 * and dash do here). Root-relative path to the base names of the known files with those bytes,
 * sorted. Only files as large as a known one, and another file, are hashed. A multi-call
 * binary's bytes (see MULTI_CALL) are left out, unless its name alone says so and its bytes do
 * not.
 */
export async function programCopies(
  source: FileSource,
  known: (name: string) => boolean
): Promise<Map<string, string[]>> {
  const files = source.entries().filter((e) => e.kind === 'file' && e.size > 0);
  const isKnown = (e: FileEntry): boolean => known(posix.basename(e.path));
  const sizes = new Set(files.filter(isKnown).map((e) => e.size));
  const bySize = new Map<number, FileEntry[]>();
  for (const e of files) {
    if (!sizes.has(e.size)) continue;
    const group = bySize.get(e.size);
    if (group) group.push(e);
    else bySize.set(e.size, [e]);
  }
  const out = new Map<string, string[]>();
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const byDigest = new Map<string, FileEntry[]>();
    for (const e of group) {
      const key = await sha256Entry(source, e.path);
      const same = byDigest.get(key);
      if (same) same.push(e);
      else byDigest.set(key, [e]);
    }
    for (const same of byDigest.values()) {
      const names = [...new Set(same.filter(isKnown).map((e) => posix.basename(e.path)))].sort();
      if (names.length === 0 || (await isMultiCall(source, same))) continue;
      // A file named as one program may hold another's bytes (`env`, a copy of python3.11).
      for (const e of same)
        if (names.some((n) => n !== posix.basename(e.path))) out.set(e.path, names);
    }
  }
  return out;
}

/** Whether files of the same bytes are a multi-call binary: one is named as one, its bytes say so. */
async function isMultiCall(source: FileSource, same: readonly FileEntry[]): Promise<boolean> {
  const named = same.find((e) => Object.hasOwn(MULTI_CALL, posix.basename(e.path)));
  if (!named) return false;
  const marker = Buffer.from(MULTI_CALL[posix.basename(named.path)]!);
  let tail = Buffer.alloc(0);
  for await (const chunk of await source.stream(named.path)) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(marker)) return true;
    tail = window.subarray(Math.max(0, window.length - marker.length + 1));
  }
  return false;
}

/** The PATH containerd and Docker give a process whose image config sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The directories a bare program name is looked up in: the config's `PATH`, and, since a Lambda
 * runtime or an entry point script may set its own, the container default and Lambda's
 * (`/var/lang/bin`, `/opt/bin`). Absolute paths only (a relative entry is the working
 * directory's, which the config's working directory says).
 */
export function searchPath(env: readonly string[] | undefined, workingDir?: string): string[] {
  const set = (env ?? []).filter((e) => e.startsWith('PATH=')).map((e) => e.slice(5));
  const dirs = [...set, DEFAULT_PATH, '/var/lang/bin:/opt/bin']
    .flatMap((v) => v.split(':'))
    .map((d) => posix.join('/', d.startsWith('/') ? '' : (workingDir ?? ''), d || '.'));
  return [...new Set(dirs)];
}

/**
 * Root-relative real paths of the files `names` make the loader load. A name with a slash is a
 * path; a bare name is searched in the library directories, so every file of that name counts.
 * A relative path (taken from the process's working directory) or one with a dynamic string
 * token (`$LIB`, `$PLATFORM`, `$ORIGIN`: expanded by the machine or the program) cannot be told
 * here: those are returned as `unresolved`, for the caller to report, never dropped.
 */
export function preloadedPaths(
  names: readonly string[],
  entries: readonly FileEntry[],
  links: LinkIndex
): { paths: Set<string>; unresolved: string[] } {
  const out = new Set<string>();
  const bare = new Set<string>();
  const unresolved: string[] = [];
  const add = (path: string): void => {
    const r = links.resolve(path);
    if (r.ok && r.entry?.kind === 'file') out.add(r.path);
  };
  for (const name of names) {
    if (name.includes('$') || (name.includes('/') && !name.startsWith('/'))) {
      unresolved.push(name);
      continue;
    }
    if (!name.includes('/')) {
      bare.add(name);
      continue;
    }
    for (const p of asWalked(name)) add(p.replace(/^\/+/, ''));
  }
  if (bare.size > 0) for (const e of entries) if (bare.has(posix.basename(e.path))) add(e.path);
  return { paths: out, unresolved };
}
