/**
 * Runs mainstream zip readers over archives and reduces what each one sees
 * to a comparable view: every path it would create, its kind and the SHA-256
 * of its bytes. Test-only: the differential zip tests use it to show that a
 * crafted archive really is read differently, and that valid ones are not.
 *
 * It also drives the mainstream zip writers, so tests can check lamina
 * accepts what they write.
 *
 * Readers: Info-ZIP `unzip`, libarchive `bsdtar` reading a file (its seekable
 * zip reader, central directory) and reading a pipe (its streaming reader,
 * local headers), Python `zipfile` (member-by-member `extract`), Go
 * `archive/zip` and Java `ZipFile` and `ZipInputStream`. Extracting readers
 * write into a scratch directory that is then walked (never following
 * links); Go and Java report entry names, which are normalised here as an
 * extractor would join them (no `.` or empty components, no trailing `/`,
 * parent directories implied).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { FileSource } from '../source.js';
import { buildGoProgram } from './go-build.js';

export const READERS = [
  'unzip',
  'bsdtar',
  'bsdtar-stream',
  'python',
  'go',
  'java-zipfile',
  'java-zipinputstream',
] as const;
export type ReaderName = (typeof READERS)[number];

/** One path as a reader would create it. */
export interface ViewEntry {
  /** Path bytes as UTF-8 text where valid, with other bytes as `\xNN`. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** SHA-256 of the file's bytes or the symlink's target ('' for directories and others). */
  sha256: string;
}

/** What one reader made of one archive. */
export interface View {
  /** Set when the reader refused the whole archive. */
  error?: string;
  entries: ViewEntry[];
  /** Entries the reader complained about (bad CRC, bad data) while still reading on. */
  entryErrors: string[];
}

const here = join(import.meta.dirname, 'readers');
const TIMEOUT_MS = 120_000;
const EMPTY_SHA = createHash('sha256').digest('hex');
/** Debian package that provides each tool, for the message when one is missing. */
const PACKAGES: Record<string, string> = {
  unzip: 'unzip',
  bsdtar: 'libarchive-tools',
  python3: 'python3',
  go: 'golang-go',
  javac: 'default-jdk-headless',
  java: 'default-jdk-headless',
};

/**
 * Every tool runs in a UTF-8 locale: libarchive, unzip and the JVM convert
 * file names through the locale, and CI machines may have none set.
 */
const ENV: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: Buffer; env?: NodeJS.ProcessEnv } = {}
): SpawnSyncReturns<Buffer> {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env ?? ENV,
    timeout: TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} failed to run: ${r.error.message}`);
  return r;
}

/** Fail (never skip) when a reader is not installed: CI installs every one of them. */
function requireTool(tool: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status !== 0)
    throw new Error(
      `zip reader tool "${tool}" is not installed: apt-get install ${PACKAGES[tool] ?? tool} (.ci/run installs it)`
    );
}

/** Show path bytes readably and stably: valid UTF-8 as text, anything else as \xNN. */
export function showPath(b: Buffer): string {
  const text = b.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(b)) return text;
  return [...b].map((c) => (c < 0x80 ? String.fromCharCode(c) : `\\x${c.toString(16)}`)).join('');
}

/** Normalise an entry name as an extractor joins it, keeping `..` (whose handling differs). */
function joinName(name: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i < name.length && name[i] !== 0x2f) continue;
    const part = name.subarray(start, i);
    if (part.length > 0 && !(part.length === 1 && part[0] === 0x2e)) parts.push(part);
    start = i + 1;
  }
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('/'), p])));
}

/**
 * Sort entries by path and add the parent directories an extractor would
 * create. A library listing may name one path twice: both entries stay.
 */
function finish(entries: ViewEntry[]): ViewEntry[] {
  const out = [...entries];
  const have = new Set(entries.map((e) => e.path));
  for (const e of entries) {
    for (let cut = e.path.lastIndexOf('/'); cut > 0; cut = e.path.lastIndexOf('/', cut - 1)) {
      const dir = e.path.slice(0, cut);
      if (have.has(dir)) continue;
      have.add(dir);
      out.push({ path: dir, kind: 'dir', sha256: '' });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Walk an extraction directory without following links. */
function walk(root: string): ViewEntry[] {
  const out: ViewEntry[] = [];
  const visit = (rel: Buffer[]): void => {
    const dir = Buffer.concat([Buffer.from(root + '/'), ...joinParts(rel)]);
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const parts = [...rel, name];
      const abs = Buffer.concat([Buffer.from(root + '/'), ...joinParts(parts)]);
      const st = lstatSync(abs);
      const path = showPath(Buffer.concat(joinParts(parts)));
      if (st.isDirectory()) {
        out.push({ path, kind: 'dir', sha256: '' });
        visit(parts);
      } else if (st.isSymbolicLink())
        out.push({ path, kind: 'symlink', sha256: sha(readlinkSync(abs, { encoding: 'buffer' })) });
      else if (st.isFile()) out.push({ path, kind: 'file', sha256: sha(readFileSync(abs)) });
      else out.push({ path, kind: 'other', sha256: '' });
    }
  };
  visit([]);
  return finish(out);
}

function joinParts(parts: Buffer[]): Buffer[] {
  return parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('/'), p]));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface LibraryEntry {
  path: string;
  kind: ViewEntry['kind'];
  sha256: string;
  error?: string;
}

/** A view from a library reader's listing (Go, Java): names normalised, symlinks as the reader typed them. */
function libraryView(r: { error?: string; entries: LibraryEntry[] }): View {
  const entryErrors: string[] = [];
  const entries: ViewEntry[] = [];
  for (const e of r.entries) {
    const path = showPath(joinName(Buffer.from(e.path, 'hex')));
    if (e.error) entryErrors.push(`${path}: ${e.error}`);
    if (path === '') continue;
    // A directory's bytes count only when there are some: extractors never show them.
    const bytes = e.kind === 'file' || e.kind === 'symlink' || e.sha256 !== EMPTY_SHA;
    entries.push({ path, kind: e.kind, sha256: bytes ? e.sha256 : '' });
  }
  return { ...(r.error ? { error: r.error } : {}), entries: finish(entries), entryErrors };
}

/** Tools whose zips lamina must accept: Info-ZIP zip (to a file and to a pipe), Python, jar, Go, bsdtar. */
export const WRITERS = ['zip', 'zip-stream', 'python', 'jar', 'go', 'bsdtar'] as const;
export type WriterName = (typeof WRITERS)[number];

/** Compiled readers (and the Go writer) and a scratch directory; build once per test suite. */
export class ZipReaders {
  readonly #work: string;
  readonly #goBinary: string;
  readonly #goWriter: string;
  readonly #javaClasses: string;
  #seq = 0;

  private constructor(work: string) {
    this.#work = work;
    this.#goBinary = join(work, 'zipread-go');
    this.#goWriter = join(work, 'zipwrite-go');
    this.#javaClasses = join(work, 'java');
  }

  /** Check every tool is installed and compile the Go and Java programs into `work`. */
  static prepare(work: string): ZipReaders {
    for (const tool of [...Object.keys(PACKAGES), 'zip', 'jar']) requireTool(tool);
    const r = new ZipReaders(work);
    mkdirSync(work, { recursive: true });
    for (const [src, out] of [
      ['zipread.go', r.#goBinary],
      ['zipwrite.go', r.#goWriter],
    ] as const)
      buildGoProgram(src, out, work);
    const javac = run('javac', ['-d', r.#javaClasses, join(here, 'ZipRead.java')]);
    if (javac.status !== 0) throw new Error(`javac failed: ${javac.stderr.toString()}`);
    return r;
  }

  /** Zip the top-level `names` of `dir` into `out` with `writer`, as a user of that tool would. */
  write(writer: WriterName, dir: string, names: string[], out: string): void {
    const commands: Record<WriterName, [string, string[]]> = {
      zip: ['zip', ['-q', '-r', '-y', '-X', out, ...names]],
      // Info-ZIP cannot store (so cannot keep symlinks) when writing to a pipe.
      'zip-stream': ['zip', ['-q', '-r', '-X', '-', ...names]],
      python: ['python3', ['-m', 'zipfile', '-c', out, ...names]],
      jar: ['jar', ['--create', '--file', out, ...names]],
      go: [this.#goWriter, [dir, out]],
      bsdtar: ['bsdtar', ['--format', 'zip', '-cf', out, ...names]],
    };
    const [cmd, args] = commands[writer];
    const r = run(cmd, args, { cwd: dir });
    if (r.status !== 0) throw new Error(`${writer} failed: ${r.stderr.toString()}`);
    // Info-ZIP writing to a pipe cannot seek back: it writes data descriptors.
    if (writer === 'zip-stream') writeFileSync(out, r.stdout);
  }

  /** Every reader's view of every archive (paths to zip files), by archive then reader. */
  viewAll(archives: readonly string[]): Map<string, Record<ReaderName, View>> {
    const views = new Map<string, Partial<Record<ReaderName, View>>>();
    const put = (archive: string, reader: ReaderName, v: View): void => {
      const m = views.get(archive) ?? {};
      m[reader] = v;
      views.set(archive, m);
    };
    for (const a of archives) {
      put(a, 'unzip', this.#unzip(a));
      put(a, 'bsdtar', this.#bsdtar(a, false));
      put(a, 'bsdtar-stream', this.#bsdtar(a, true));
    }
    for (const [a, v] of this.#python(archives)) put(a, 'python', v);
    for (const [a, v] of this.#go(archives)) put(a, 'go', v);
    for (const [a, reader, v] of this.#java(archives)) put(a, reader, v);
    return views as Map<string, Record<ReaderName, View>>;
  }

  #scratch(): string {
    const dir = join(this.#work, `x${++this.#seq}`);
    mkdirSync(dir);
    return dir;
  }

  #unzip(archive: string): View {
    const dest = this.#scratch();
    // -o: no prompts; exit 1 is "warnings", 2 and up errors (the tree still shows what it wrote).
    const r = run('unzip', ['-o', '-q', archive, '-d', dest]);
    const text = r.stderr.toString() + r.stdout.toString();
    const fatal = r.status === 3 || r.status === 9;
    return {
      ...(fatal ? { error: `unzip exit ${r.status}: ${text.trim()}` } : {}),
      entries: walk(dest),
      entryErrors: r.status === 0 ? [] : [text.trim()],
    };
  }

  #bsdtar(archive: string, stream: boolean): View {
    const dest = this.#scratch();
    // A pipe (not a file) on stdin makes libarchive use its streaming zip reader.
    const r = stream
      ? run('bsdtar', ['-xf', '-', '-C', dest], { input: readFileSync(archive) })
      : run('bsdtar', ['-xf', archive, '-C', dest]);
    const text = r.stderr.toString().trim();
    return {
      entries: walk(dest),
      entryErrors: r.status === 0 && text === '' ? [] : [text],
    };
  }

  #python(archives: readonly string[]): [string, View][] {
    const dests = archives.map(() => this.#scratch());
    const r = run('python3', [
      join(here, 'zipread.py'),
      ...archives.flatMap((a, i) => [a, dests[i] ?? '']),
    ]);
    if (r.status !== 0) throw new Error(`zipread.py failed: ${r.stderr.toString()}`);
    const lines = r.stdout.toString().trim().split('\n');
    return archives.map((a, i) => {
      const res = JSON.parse(lines[i] ?? '{}') as {
        error?: string;
        entries: { path: string; error: string }[];
      };
      return [
        a,
        {
          ...(res.error ? { error: res.error } : {}),
          entries: walk(dests[i] ?? ''),
          entryErrors: res.entries.map(
            (e) => `${showPath(Buffer.from(e.path, 'hex'))}: ${e.error}`
          ),
        },
      ];
    });
  }

  #go(archives: readonly string[]): [string, View][] {
    const r = run(this.#goBinary, [...archives]);
    if (r.status !== 0) throw new Error(`Go reader failed: ${r.stderr.toString()}`);
    const lines = r.stdout.toString().trim().split('\n');
    return archives.map((a, i) => [
      a,
      libraryView(JSON.parse(lines[i] ?? '{}') as { error?: string; entries: LibraryEntry[] }),
    ]);
  }

  #java(archives: readonly string[]): [string, ReaderName, View][] {
    const r = run('java', ['-cp', this.#javaClasses, 'ZipRead', ...archives]);
    if (r.status !== 0) throw new Error(`Java reader failed: ${r.stderr.toString()}`);
    return r.stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => {
        const res = JSON.parse(line) as {
          archive: string;
          reader: ReaderName;
          error?: string;
          entries: LibraryEntry[];
        };
        return [res.archive, res.reader, libraryView(res)];
      });
  }
}

/** The part of a view that must match across readers: the refusal, or the entries. */
export function viewKey(v: View): string {
  return v.error !== undefined ? 'refused' : JSON.stringify(v.entries);
}

/** Readers that have no symlinks: an entry with a symlink mode is a file holding its target to them. */
export const NO_SYMLINKS: ReadonlySet<ReaderName> = new Set<ReaderName>([
  'bsdtar-stream',
  'python',
  'java-zipfile',
  'java-zipinputstream',
]);

/**
 * What lamina sees in an opened zip, as a reader view; with `symlinks` false, as a reader
 * without links sees it (each symlink a file holding its target).
 */
export async function laminaView(src: FileSource, symlinks: boolean): Promise<ViewEntry[]> {
  const out: ViewEntry[] = [];
  for (const e of src.entries()) {
    if (e.kind === 'dir') out.push({ path: e.path, kind: 'dir', sha256: '' });
    else if (e.kind === 'symlink')
      out.push({
        path: e.path,
        kind: symlinks ? 'symlink' : 'file',
        sha256: sha(Buffer.from(e.linkTarget ?? '')),
      });
    else out.push({ path: e.path, kind: 'file', sha256: sha(await src.read(e.path)) });
  }
  return out;
}
