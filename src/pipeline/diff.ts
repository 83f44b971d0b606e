/**
 * The diff use case: two inputs lamina reads (layer zips, unzipped layer directories, layer
 * version ARNs, CycloneDX JSON SBOMs), inventoried or read back, and their package-level
 * difference; or two scan results (`scan.json`), and what changed from one to the other.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { comparableFromInventory } from '../diff/comparable.js';
import { diffInventories, type PackageDiff } from '../diff/diff.js';
import { UsageError } from '../errors.js';
import { computeChanges, type Changes } from '../history/changes.js';
import type { RecordedScan } from '../history/types.js';
import type { Inventory } from '../model/inventory.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import type { ScanResult } from '../scan/result.js';
import { scanResultShapeProblem } from '../scan/shape.js';
import { startsWithBraceSync } from '../util/fs.js';
import { Interner } from '../util/intern.js';
import { JsonFileError, readJsonFile } from '../util/json-file.js';
import { MAX_JSON_INPUT, scanInventoryReader } from './drift.js';
import { inventoryPath, inventoryZipFile } from './inventory.js';
import { resolveLimits, type AwsAccessOptions, type LimitOptions } from './options.js';

/** Options for {@link diffInputs}. */
export interface DiffInputsOptions extends LimitOptions, AwsAccessOptions {
  /** The old side. */
  from: string;
  /** The new side. */
  to: string;
  /**
   * Called once, before either input is read, with what they are: `'results'` when either is a
   * JSON document (a scan result or an SBOM), else `'artifacts'` (zips, directories, layer
   * version ARNs). The CLI sizes the heap by it.
   */
  onInputs?: (inputs: DiffInputKind) => void;
}

/** What two diff inputs are, as far as their paths and first bytes tell. */
export type DiffInputKind = 'artifacts' | 'results';

/** Two artifacts give a package diff; two scan results give the changes between them. */
export type DiffOutcome =
  { kind: 'packages'; diff: PackageDiff } | { kind: 'scans'; changes: Changes };

type Side =
  { kind: 'inventory'; inventory: Inventory } | { kind: 'scan'; scan: RecordedScan; dir: string };

/**
 * Diff two inputs.
 * @throws UsageError for a missing input, a scan result against an artifact, a JSON file that is
 *   neither; SbomReadError for an unreadable SBOM; UnpackError for a refused archive;
 *   FetchError when a layer version could not be fetched
 */
export async function diffInputs(options: DiffInputsOptions): Promise<DiffOutcome> {
  // Two scans of one estate repeat most of their ARNs and digests: one string each.
  const interner = new Interner();
  const from = await sideKind(options.from);
  const to = await sideKind(options.to);
  options.onInputs?.(from.kind === 'json' || to.kind === 'json' ? 'results' : 'artifacts');
  const a = await readSide(options.from, from, 1, options, interner);
  const b = await readSide(options.to, to, 2, options, interner);
  if (a.kind === 'inventory' && b.kind === 'inventory')
    return {
      kind: 'packages',
      diff: diffInventories(
        comparableFromInventory(a.inventory),
        comparableFromInventory(b.inventory)
      ),
    };
  if (a.kind === 'scan' && b.kind === 'scan') {
    // Read as the changes ask for them, the newer scan's first: a digest is the same bytes in
    // both, and two large estates' inventories need not all be held at once.
    const fromA = scanInventoryReader(a.scan.result, a.dir);
    const fromB = scanInventoryReader(b.scan.result, b.dir);
    return {
      kind: 'scans',
      changes: computeChanges(a.scan, b.scan, { inventoryOf: (d) => fromB(d) ?? fromA(d) }),
    };
  }
  throw new UsageError({
    code: 'BAD_ARGUMENT',
    message:
      'diff compares two artifacts (zips, directories, layer ARNs, SBOMs) or two scan results, not one of each',
  });
}

/** How an input is read: a layer version ARN, a JSON document, or a zip or directory. */
type SideKind = { kind: 'arn' } | { kind: 'json'; size: number; mtime: Date } | { kind: 'path' };

async function sideKind(input: string): Promise<SideKind> {
  if (input.startsWith('arn:')) return { kind: 'arn' };
  const st = await stat(input).catch(() => undefined);
  if (st?.isFile() && startsWithBraceSync(input))
    return { kind: 'json', size: st.size, mtime: st.mtime };
  return { kind: 'path' };
}

async function readSide(
  input: string,
  side: SideKind,
  id: number,
  options: DiffInputsOptions,
  interner: Interner
): Promise<Side> {
  const limits = resolveLimits(options.limits);
  if (side.kind === 'arn') {
    const { fetchPublishedLayer } = await import('./published.js');
    const zip = await fetchPublishedLayer(options, input);
    return {
      kind: 'inventory',
      inventory: (await inventoryZipFile(zip, zip.facts, limits)).inventory,
    };
  }
  if (side.kind === 'json') {
    if (side.size > MAX_JSON_INPUT)
      throw new UsageError({
        code: 'BAD_INPUT',
        message: `${input}: a JSON input over ${MAX_JSON_INPUT} bytes is not read`,
      });
    const scan = scanResultOf(readScanJson(input, interner), input);
    if (scan) return { kind: 'scan', scan: recorded(scan, id, side.mtime), dir: dirname(input) };
    const text = await readFile(input, 'utf8');
    return { kind: 'inventory', inventory: inventoryFromCycloneDx(text, { name: input }) };
  }
  // A zip or a directory; a missing path is a usage error there.
  return { kind: 'inventory', inventory: await inventoryPath(input, limits) };
}

/**
 * The parts of a scan result the changes between two scans read: not the package drift's layer
 * and region diffs or package view, which are most of a large estate's scan.json and which the
 * changes work out again from the SBOMs where they need them.
 */
const NOT_FOR_CHANGES = [
  'drift.layerDiffs',
  'drift.regionDiffs',
  'drift.packages',
  'drift.incompleteFunctions',
  'drift.images',
];

/**
 * A JSON document read piece by piece (two 100,000-function scan.json files read whole took
 * over 1 GB), or undefined when the file is not JSON: the SBOM reader then says so, with its own
 * error.
 */
function readScanJson(path: string, interner: Interner): unknown {
  try {
    return readJsonFile(path, { maxBytes: MAX_JSON_INPUT, skip: NOT_FOR_CHANGES, interner });
  } catch (e) {
    if (e instanceof JsonFileError) return undefined;
    throw e;
  }
}

/** `v` as a scan result when it is one (lamina's scan.json), else undefined. */
function scanResultOf(v: unknown, name: string): ScanResult | undefined {
  const o = v as Partial<ScanResult> | null | undefined;
  if (!o || typeof o !== 'object' || !('functions' in o) || !('layers' in o)) return undefined;
  const bad = (why: string) =>
    new UsageError({
      code: 'BAD_INPUT',
      message: `${name}: not a scan result this lamina reads (${why})`,
    });
  if (o.schemaVersion !== 1) throw bad(`schemaVersion ${JSON.stringify(o.schemaVersion)}`);
  // Every field the comparison walks: a hand-edited file is bad input, not an internal error.
  const problem = scanResultShapeProblem(o, { driftLayers: true });
  if (problem) throw bad(problem);
  return o as ScanResult;
}

function recorded(result: ScanResult, id: number, mtime: Date): RecordedScan {
  const finishedAt = mtime.toISOString();
  return {
    info: {
      id,
      startedAt: finishedAt,
      finishedAt,
      toolVersion: typeof result.tool?.version === 'string' ? result.tool.version : '',
      policyDigest: null,
      verified: false,
      functions: result.functions.length,
      layerVersions: result.layers.reduce((n, l) => n + l.versions.length, 0),
      failures: result.failures.length,
    },
    result,
    verdicts: null,
    signing: [],
  };
}
