/**
 * `lamina merge`: the outputs of `lamina scan --shard i/n` (each a directory with scan.json and
 * sboms/) into one output directory, identical to what one unsharded scan writes.
 */
import { lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SCAN_RESULT_SCHEMA_VERSION, type ScanResult, type ScanShard } from '../scan/result.js';
import { scanResultChunks } from '../scan/result-stream.js';
import { scanResultShapeProblem } from '../scan/shape.js';
import { mergeShardResults, type ShardResult } from '../scan/shards.js';
import { readRegularFileSync, writeFileAtomic, writeFileAtomicSync } from '../util/fs.js';
import { cmp } from '../util/compare.js';
import { Interner } from '../util/intern.js';
import { readJsonFile } from '../util/json-file.js';
import { LAMINA_VERSION } from '../version.js';
import { giveBackBeforeEnd, MAX_JSON_INPUT, scanPackageDrift } from './drift.js';

/** Options for {@link mergeScans}. */
export interface MergeScansOptions {
  /** Shard output directories (each with scan.json). */
  shardDirs: string[];
  /** Where the merged scan.json and sboms/ go. */
  outDir: string;
}

/** An SBOM path as the scan writes it; anything else in a shard's result is refused. */
const SBOM_PATH = /^sboms\/[0-9a-f]{64}\.cdx\.json$/;

/**
 * Merge shard outputs.
 * @throws UsageError (BAD_INPUT) when a shard directory has no readable scan.json, a result
 *   is not a lamina scan result or not a shard's, or the shards are not every shard of one scan
 *   (see checkShardSet), or a shard was written by another lamina version than this one
 */
export async function mergeScans(
  options: MergeScansOptions
): Promise<{ result: ScanResult; resultPath: string }> {
  if (options.shardDirs.length === 0)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: 'merge needs shard directories' });
  const shards: ShardResult[] = [];
  // Shards of one estate repeat ARNs and digests (layer versions one shard lists and another's
  // functions use): one string each.
  const interner = new Interner();
  for (const dir of options.shardDirs) shards.push(readShard(dir, interner));
  const { result, sbomSource } = mergeShardResults(shards);

  const out = resolve(options.outDir);
  const copies = [...sbomSource.entries()].sort(([a], [b]) => cmp(a, b));
  const notCopyable = (from: string): UsageError =>
    new UsageError({
      code: 'BAD_INPUT',
      message: `shard SBOM missing, a link or not a regular file: ${from}`,
    });
  // Every SBOM is looked at before the first is written: a shard refused leaves no output.
  for (const [path, shard] of copies) {
    if (!SBOM_PATH.test(path))
      throw new UsageError({ code: 'BAD_INPUT', message: `not an SBOM path of a scan: ${path}` });
    const from = join(resolve(options.shardDirs[shard]!), path);
    // One name only: a hard link, a regular file to lstat, is another name of a file elsewhere.
    const st = lstatSync(from, { throwIfNoEntry: false });
    if (!st?.isFile() || st.nlink !== 1) throw notCopyable(from);
  }
  for (const [path, shard] of copies) {
    const from = join(resolve(options.shardDirs[shard]!), path);
    let bytes: Buffer;
    try {
      // Synchronous, as the scan writes them: thousands of small files (see writeFileAtomicSync).
      // Never through a link: its target, whatever file it names, would be copied out as an SBOM.
      bytes = readRegularFileSync(from, MAX_JSON_INPUT, { links: 'refuse' });
    } catch {
      throw notCopyable(from);
    }
    writeFileAtomicSync(join(out, path), bytes);
  }
  // Package drift reads the SBOMs, now all in one place, as the scan does; what reading the
  // shards left in V8's heap is given back first, as a scan gives back what its downloads left.
  const given = giveBackBeforeEnd();
  try {
    result.drift = { ...result.drift, ...(await scanPackageDrift(result, out)) };
    const resultPath = join(out, 'scan.json');
    // Streamed, as the scan writes it: a large estate's scan.json is never one string in memory.
    await writeFileAtomic(resultPath, scanResultChunks(result));
    return { result, resultPath };
  } finally {
    given.restore();
  }
}

/** A shard's drift but whether it had image drift: the merge works it out again. */
const NOT_FOR_MERGE = [
  'drift.layers',
  'drift.digestMismatches',
  'drift.layerDiffs',
  'drift.regionDiffs',
  'drift.packages',
  'drift.incompleteFunctions',
];

function readShard(dir: string, interner: Interner): ShardResult {
  const path = join(resolve(dir), 'scan.json');
  let doc: unknown;
  try {
    // Piece by piece: a large shard's scan.json read whole holds its text and graph at once.
    doc = readJsonFile(path, { maxBytes: MAX_JSON_INPUT, skip: NOT_FOR_MERGE, interner });
  } catch {
    throw new UsageError({ code: 'BAD_INPUT', message: `no readable scan.json in ${dir}` });
  }
  const r = doc as Partial<ShardResult> | null;
  if (
    r?.schemaVersion !== SCAN_RESULT_SCHEMA_VERSION ||
    r.tool?.name !== 'lamina' ||
    (r.shard !== undefined && !isShard(r.shard))
  )
    throw new UsageError({ code: 'BAD_INPUT', message: `${path}: not a lamina scan result` });
  // Every field the merge walks (functions, layers, failures, scope, drift): a hand-edited shard
  // is bad input, not an internal error.
  const problem = scanResultShapeProblem(r, { driftLayers: false });
  if (problem)
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${path}: not a lamina scan result (${problem})`,
    });
  if (r.shard === undefined)
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${path}: not the output of 'lamina scan --shard I/N'`,
    });
  // The merge analyses the package drift itself and writes the shards' tool version: another
  // lamina's analysis under that version would not be what one unsharded scan writes.
  if (r.tool.version !== LAMINA_VERSION)
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${path}: written by lamina ${String(r.tool.version)}; merge it with that version (this is ${LAMINA_VERSION})`,
    });
  return r as ShardResult;
}

function isShard(v: unknown): v is ScanShard {
  const s = v as Partial<ScanShard> | null;
  const strings = (x: unknown): boolean =>
    Array.isArray(x) && x.every((e) => typeof e === 'string');
  return (
    typeof s?.index === 'number' &&
    typeof s.count === 'number' &&
    strings(s.accounts) &&
    strings(s.regions)
  );
}
