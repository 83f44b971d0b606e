/**
 * Differential fuzz of the zip and tar readers: seeded mutants (testing/mutate.ts) go through
 * lamina and, where lamina accepts one, through the real readers the differential tests use
 * (testing/zip-readers.ts: seven zip readers; testing/tar-oracles.ts: GNU tar, bsdtar, Python,
 * tar-stream, Go). Two properties must hold for every mutant:
 *
 * - lamina never accepts an archive a reader reads differently: a reader that reads the
 *   archive (does not refuse it whole) sees exactly lamina's paths, kinds and contents (for
 *   tar: paths, kinds and sizes, which is what the listing readers give);
 * - lamina refuses only with its coded UnpackError, and an archive it accepts reads without
 *   error (for tar, the streaming reader refuses only what the by-offset one refuses, alike).
 *
 * CI runs a small fixed slice (FIXED below). `npm run fuzz` (scripts/fuzz.mjs) runs this file
 * on another seed and count through LAMINA_FUZZ_* and writes each failing mutant to a
 * directory for triage.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnpackError } from '../errors.js';
import type { FileSource } from './source.js';
import { openTarBuffer, readLayerStream } from './tar.js';
import { tarMutant, zipMutant, type Mutant } from './testing/mutate.js';
import { allViews } from './testing/tar-oracles.js';
import {
  NO_SYMLINKS,
  READERS,
  ZipReaders,
  laminaView,
  type ReaderName,
  type View,
  type ViewEntry,
} from './testing/zip-readers.js';
import { openZipFile } from './zip.js';

/**
 * The slice CI runs: fixed seeds, and counts that keep both tests under 30 s on two busy
 * cores. It catches each of four earlier fixes reverted alone (zip versions above 4.6, flag
 * bit 5, tar device numbers, byte order marks in names).
 */
const FIXED = { zip: { seed: 1, count: 320 }, tar: { seed: 1, count: 100 } } as const;

type Kind = keyof typeof FIXED;
const env = process.env;
const kinds: Kind[] = env['LAMINA_FUZZ_KIND'] ? [env['LAMINA_FUZZ_KIND'] as Kind] : ['zip', 'tar'];
const plan = (kind: Kind): { seed: number; count: number } => ({
  seed: Number(env['LAMINA_FUZZ_SEED'] ?? FIXED[kind].seed),
  count: Number(env['LAMINA_FUZZ_COUNT'] ?? FIXED[kind].count),
});
/** Where failing mutants are written (npm run fuzz); none in the CI slice. */
const OUT = env['LAMINA_FUZZ_OUT'];

const tmp = mkdtempSync(join(tmpdir(), 'lamina-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A mutant lamina got wrong, with what went wrong. */
interface Failure {
  id: string;
  ops: string[];
  problem: string;
}

/** Keep a failing mutant for triage: its bytes and a JSON note beside them. */
function keep(m: Mutant, ext: string, failure: Failure): void {
  if (!OUT) return;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${m.id}.${ext}`), m.bytes);
  writeFileSync(join(OUT, `${m.id}.json`), `${JSON.stringify(failure, null, 2)}\n`);
}

/** Lamina's code for a refusal, or undefined when what it threw is not an UnpackError. */
function refusalCode(err: unknown): string | undefined {
  return err instanceof UnpackError ? err.code : undefined;
}

/** A thrown value that is not an UnpackError, for the failure report. */
function uncoded(err: unknown): string {
  return `threw something other than an UnpackError: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

/** What lamina sees that a reader does not, and the reverse ('' when they agree). */
function difference(ours: readonly string[], theirs: readonly string[]): string {
  const a = new Set(ours);
  const b = new Set(theirs);
  const onlyOurs = ours.filter((x) => !b.has(x));
  const onlyTheirs = theirs.filter((x) => !a.has(x));
  if (onlyOurs.length === 0 && onlyTheirs.length === 0) return '';
  return `lamina only: ${onlyOurs.join(' ').slice(0, 400)}; reader only: ${onlyTheirs.join(' ').slice(0, 400)}`;
}

/** Counts for the summary line and the sanity checks. */
interface Tally {
  accepted: number;
  refused: Record<string, number>;
  failures: Failure[];
}

/** Count a failing mutant and keep it for triage. */
function record(t: Tally, m: Mutant, ext: 'zip' | 'tar', problem: string): void {
  const f = { id: m.id, ops: m.ops, problem };
  t.failures.push(f);
  keep(m, ext, f);
}

function summary(kind: Kind, seed: number, count: number, t: Tally): string {
  return `${kind} seed ${seed}, ${count} mutants: ${t.accepted} accepted, refused ${JSON.stringify(t.refused)}, ${t.failures.length} failing`;
}

const entryKey = (e: ViewEntry): string => JSON.stringify([e.path, e.kind, e.sha256]);

async function fuzzZip(seed: number, count: number): Promise<Tally> {
  const t: Tally = { accepted: 0, refused: {}, failures: [] };
  const accepted: { m: Mutant; path: string; withLinks: string[]; withoutLinks: string[] }[] = [];
  for (let i = 0; i < count; i++) {
    const m = zipMutant(seed, i);
    const path = join(tmp, `${m.id}.zip`);
    writeFileSync(path, m.bytes);
    const fail = (problem: string): void => record(t, m, 'zip', problem);
    let src: FileSource;
    try {
      src = await openZipFile(path);
    } catch (err) {
      const code = refusalCode(err);
      t.refused[code ?? 'uncoded'] = (t.refused[code ?? 'uncoded'] ?? 0) + 1;
      if (code === undefined) fail(uncoded(err));
      continue;
    }
    // Every entry was decoded and checked at open: reading one now must not fail.
    try {
      accepted.push({
        m,
        path,
        withLinks: (await laminaView(src, true)).map(entryKey).sort(),
        withoutLinks: (await laminaView(src, false)).map(entryKey).sort(),
      });
    } catch (err) {
      fail(`accepted, but reading it failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await src.close();
    }
  }
  t.accepted = accepted.length;
  const readers = ZipReaders.prepare(join(tmp, 'zip-readers'));
  for (let i = 0; i < accepted.length; i += 40) {
    const batch = accepted.slice(i, i + 40);
    const views = viewEach(
      readers,
      batch.map((a) => a.path)
    );
    for (const a of batch) {
      const v = views.get(a.path);
      const problems: string[] = [];
      if (!v) problems.push('the readers could not be run on it');
      for (const r of v ? READERS : []) {
        const view = v?.[r];
        if (!view || view.error !== undefined) continue;
        const d = difference(
          NO_SYMLINKS.has(r) ? a.withoutLinks : a.withLinks,
          view.entries.map(entryKey).sort()
        );
        if (d) problems.push(`${r}: ${d}`);
      }
      if (problems.length > 0) record(t, a.m, 'zip', `accepted, but ${problems.join('\n')}`);
    }
  }
  return t;
}

/**
 * The readers' views of a batch; when one archive breaks the harness (a path too long for the
 * file system), each archive alone, leaving out the one that breaks it (then reported failing).
 */
function viewEach(readers: ZipReaders, paths: string[]): Map<string, Record<ReaderName, View>> {
  try {
    return readers.viewAll(paths);
  } catch {
    const out = new Map<string, Record<ReaderName, View>>();
    for (const p of paths) {
      try {
        for (const [k, v] of readers.viewAll([p])) out.set(k, v);
      } catch {
        // Left out: the harness, not a reader, failed on it (reported as such).
      }
    }
    return out;
  }
}

/** A listed name as an extractor joins it: no empty or `.` components, `..` going up. */
function cleanName(n: string): string {
  const out: string[] = [];
  for (const c of n.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out.join('/');
}

type Listed = { name: string; kind: string; size: number };

/**
 * Comparable keys of a tar listing: path, kind (a hard link is a file) and a file's size.
 * Directories (listed by some readers, implied for others) and whiteouts (which lamina does
 * not list) are left out, and so is the size of the paths in `linked`: a reader lists a hard
 * link with the size its header declares (0), lamina with its target's.
 */
function tarKeys(entries: readonly Listed[], linked: ReadonlySet<string>): string[] {
  const keys = entries
    .filter((e) => e.kind !== 'dir' && !/(^|\/)\.wh\./.test(e.name))
    .map((e) => {
      const name = cleanName(e.name);
      // lamina's "special" (a device or FIFO) is the oracles' "other".
      const kind = e.kind === 'hardlink' ? 'file' : e.kind === 'special' ? 'other' : e.kind;
      const size = kind === 'file' && !linked.has(name) ? e.size : 0;
      return `${name}|${kind}|${size}`;
    });
  return [...new Set(keys)].sort();
}

async function fuzzTar(seed: number, count: number): Promise<Tally> {
  const t: Tally = { accepted: 0, refused: {}, failures: [] };
  for (let i = 0; i < count; i++) {
    const m = tarMutant(seed, i);
    const fail = (problem: string): void => record(t, m, 'tar', problem);
    let ours: Listed[] | undefined;
    let code: string | undefined;
    // A hard link to nothing: extractors fail on it, lamina leaves it out with a finding.
    let dangling = new Set<string>();
    try {
      const src = await openTarBuffer(m.bytes);
      ours = src.entries().map((e) => ({ name: e.path, kind: e.kind, size: e.size }));
      dangling = new Set(
        src.findings.filter((f) => f.code === 'DANGLING_HARDLINK').map((f) => f.path ?? '')
      );
      await src.close();
    } catch (err) {
      code = refusalCode(err);
      if (code === undefined) fail(uncoded(err));
    }
    // The streaming reader (an image pull) applies the same header checks; the image checks
    // after it (hard links against their targets) are the by-offset reader's alone.
    try {
      await readLayerStream([m.bytes]);
    } catch (err) {
      const streamed = refusalCode(err);
      if (streamed === undefined) fail(uncoded(err));
      else if (streamed !== code)
        fail(`streaming refuses it (${streamed}), by offset ${code ?? 'accepted'}`);
    }
    if (!ours) {
      t.refused[code ?? 'uncoded'] = (t.refused[code ?? 'uncoded'] ?? 0) + 1;
      continue;
    }
    t.accepted++;
    const file = join(tmp, `${m.id}.tar`);
    writeFileSync(file, m.bytes);
    const problems: string[] = [];
    for (const v of await allViews(file, m.bytes)) {
      if (!v.ok) continue;
      const linked = new Set(
        v.entries.filter((e) => e.kind === 'hardlink').map((e) => cleanName(e.name))
      );
      const listed = v.entries.filter((e) => !dangling.has(cleanName(e.name)));
      const d = difference(tarKeys(ours, linked), tarKeys(listed, linked));
      if (d) problems.push(`${v.reader}: ${d}`);
    }
    if (problems.length > 0) fail(`accepted, but ${problems.join('\n')}`);
  }
  return t;
}

describe('differential fuzz: lamina refuses what any reader reads differently', () => {
  // A reader hanging on a mutant fails the test rather than CI's job.
  const timeout = Math.max(...kinds.map((k) => 120_000 + plan(k).count * 2_000));
  it.each(kinds)('%s mutants', { timeout }, async (kind) => {
    const { seed, count } = plan(kind);
    const t = kind === 'zip' ? await fuzzZip(seed, count) : await fuzzTar(seed, count);
    console.log(summary(kind, seed, count, t));
    expect(t.failures.map((f) => `${f.id} [${f.ops.join(', ')}]\n${f.problem}`)).toEqual([]);
    // A generator that only makes archives lamina refuses would test nothing.
    expect(t.accepted, summary(kind, seed, count, t)).toBeGreaterThanOrEqual(count / 5);
  });
});
