/**
 * Other tar readers as differential oracles: GNU tar, bsdtar (libarchive),
 * Python's tarfile, tar-stream and Go's archive/tar (what containerd and Docker
 * apply image layers with). Each gives its view of an archive (names,
 * types, sizes, whether it read to the end cleanly), so a test can show that
 * mainstream readers really disagree about a hostile archive before it checks
 * that lamina refuses it. Test-only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildGoProgram } from './go-build.js';
import tarStream from 'tar-stream';

export type Kind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface ReaderView {
  reader: string;
  /** False when the reader reported an error (it may still have listed entries). */
  ok: boolean;
  entries: { name: string; kind: Kind; size: number }[];
}

/** Names without `./` and trailing slashes, so readers' spellings compare. */
function norm(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function kindOfPerms(perms: string, rest: string): Kind {
  const c = perms[0];
  if (c === 'd') return 'dir';
  if (c === 'l') return 'symlink';
  if (c === 'h' || / link to /.test(rest)) return 'hardlink';
  if (c === '-') return 'file';
  return 'other';
}

/**
 * A verbose listing (`-tvf`) by a command-line tar: `nameCol` and `sizeCol`
 * say where the name and size are in its columns.
 */
function cliTar(
  reader: string,
  cmd: string,
  args: string[],
  nameCol: number,
  sizeCol: number,
  decodeName: (listed: string) => string = (listed) => listed
): ReaderView {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  const entries = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // Columns are separated by spaces: \s would also split at a U+FEFF or U+00A0 in a name.
      const cols = line.split(/[ \t]+/);
      const name = cols
        .slice(nameCol)
        .join(' ')
        .replace(/ (->|link to) .*$/, '');
      return {
        name: norm(decodeName(name)),
        kind: kindOfPerms(cols[0] ?? '', line),
        size: Number(cols[sizeCol]) || 0,
      };
    });
  return { reader, ok: r.status === 0 && r.stderr === '', entries };
}

/** `tar -tvf` (GNU tar), with extra options such as `--pax-option=delete=path`. */
export function gnuTar(file: string, extra: string[] = []): ReaderView {
  return cliTar('gnu-tar', 'tar', [...extra, '--quoting-style=literal', '-tvf', file], 5, 2);
}

/** The C escapes bsdtar writes for a byte it does not print as itself. */
const BSDTAR_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * A name as bsdtar's listing spells it, back to the name: bsdtar has no literal quoting style
 * and writes a backslash as `\\`, a control character as `\n` and the like, and any other byte
 * it cannot print (in the C locale, every byte of a non-ASCII character) as three octal digits.
 */
export function unescapeBsdtarName(listed: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < listed.length;) {
    const esc = listed[i] === '\\' ? /^\\(\\|[abfnrtv]|[0-7]{3})/.exec(listed.slice(i)) : null;
    if (esc) {
      const code = esc[1]!;
      bytes.push(code === '\\' ? 0x5c : (BSDTAR_ESCAPES[code] ?? parseInt(code, 8)));
      i += esc[0].length;
      continue;
    }
    const cp = listed.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    bytes.push(...Buffer.from(ch, 'utf8'));
    i += ch.length;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `bsdtar -tvf` (libarchive). */
export function bsdTar(file: string): ReaderView {
  return cliTar('bsdtar', 'bsdtar', ['-tvf', file], 8, 4, unescapeBsdtarName);
}

const PY = `
import sys, tarfile, json
out = []
ok = True
try:
    with tarfile.open(sys.argv[1]) as t:
        for m in t:
            k = 'file' if m.isreg() else 'dir' if m.isdir() else 'symlink' if m.issym() else 'hardlink' if m.islnk() else 'other'
            out.append([m.name, k, m.size])
except Exception:
    ok = False
print(json.dumps({"ok": ok, "entries": out}))
`;

/** Python's tarfile (`tarfile.open`, iterating members). */
export function pythonTarfile(file: string): ReaderView {
  const r = spawnSync('python3', ['-c', PY, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const v = JSON.parse(r.stdout) as { ok: boolean; entries: [string, Kind, number][] };
  return {
    reader: 'python-tarfile',
    ok: v.ok,
    entries: v.entries.map(([name, kind, size]) => ({ name: norm(name), kind, size })),
  };
}

/** tar-stream's extract(); a stream that never finishes counts as not ok (it hangs). */
export function tarStreamView(buf: Buffer, timeoutMs = 3000): Promise<ReaderView> {
  return new Promise((resolve) => {
    const entries: ReaderView['entries'] = [];
    const ex = tarStream.extract();
    const timer = setTimeout(() => {
      ex.destroy();
      resolve({ reader: 'tar-stream', ok: false, entries });
    }, timeoutMs);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      resolve({ reader: 'tar-stream', ok, entries });
    };
    ex.on('entry', (h, stream, next) => {
      const t = h.type;
      const kind: Kind =
        t === 'file'
          ? 'file'
          : t === 'directory'
            ? 'dir'
            : t === 'symlink'
              ? 'symlink'
              : t === 'link'
                ? 'hardlink'
                : 'other';
      entries.push({ name: norm(h.name), kind, size: h.size ?? 0 });
      stream.on('end', next);
      stream.resume();
    });
    ex.on('finish', () => done(true));
    ex.on('error', () => done(false));
    Readable.from([buf]).pipe(ex);
  });
}

let goReader: string | undefined;

/** readers/tarread.go, built once per process into a directory removed at exit. */
function goTarBinary(): string {
  if (goReader) return goReader;
  const work = mkdtempSync(join(tmpdir(), 'lamina-tarread-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const out = join(work, 'tarread');
  buildGoProgram('tarread.go', out, work);
  return (goReader = out);
}

/** Go's archive/tar, listing entries until its first error. */
export function goTar(file: string): ReaderView {
  const r = spawnSync(goTarBinary(), [file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tarread failed: ${r.stderr}`);
  const v = JSON.parse(r.stdout) as { ok: boolean; entries: ReaderView['entries'] };
  return {
    reader: 'go',
    ok: v.ok,
    entries: v.entries.map((e) => ({ name: norm(e.name), kind: e.kind, size: e.size })),
  };
}

/** Every oracle's view of one archive (written to `file`, held in `buf`). */
export async function allViews(file: string, buf: Buffer): Promise<ReaderView[]> {
  return [gnuTar(file), bsdTar(file), pythonTarfile(file), await tarStreamView(buf), goTar(file)];
}

/** A view as one comparable string: what the reader lists and whether it finished cleanly. */
export function fingerprint(v: ReaderView): string {
  return JSON.stringify([
    v.ok,
    v.entries.map((e) => [e.name, e.kind, e.kind === 'file' ? e.size : 0]),
  ]);
}
