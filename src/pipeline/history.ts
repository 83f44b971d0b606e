/**
 * The history use cases: record a scan (and `verify --all`'s verdicts) in the scan history,
 * compute what changed between two recorded scans, list and prune the history.
 */
import { dirname, join, resolve } from 'node:path';
import {
  computeChanges,
  failingKinds,
  parseFailOn,
  DEFAULT_FAIL_ON,
  type ChangeKind,
  type Changes,
  type PackageCandidate,
} from '../history/changes.js';
import { analyzeEstate } from '../estate/analyze.js';
import { inventoryFromCycloneDx } from '../sbom/read.js';
import {
  ANALYSIS_HEAP_GROWING_PERCENT,
  boundedInventories,
  giveBackBeforeEnd,
  MAX_JSON_INPUT,
} from './drift.js';
import { HistoryError } from '../history/errors.js';
import { defaultHistoryPath, HistoryStore } from '../history/store.js';
import type { RecordedScan, ScanInfo, SigningFact } from '../history/types.js';
import type { Inventory } from '../model/inventory.js';
import type { ScanResult } from '../scan/result.js';
import { compileDeny, matchesDeny } from '../verify/checks/packages.js';
import type { Verdict } from '../verify/verdict.js';
import { resolvePolicy } from './evidence.js';
import type { PolicyInput } from './options.js';
import { makeDirSync, readRegularFileSync } from '../util/fs.js';
import { withHeapGrowth } from '../util/heap.js';
import { Interner } from '../util/intern.js';

export { defaultHistoryPath };

/** Options for {@link recordScanHistory}. */
export interface RecordScanHistoryOptions {
  /** The history database; created when missing. */
  db: string;
  result: ScanResult;
  /** Where the scan wrote scan.json and sboms/ (the inventories recorded by digest). */
  outDir: string;
  startedAt: Date;
  finishedAt: Date;
}

/** What recording a scan gives back: its id and what changed since the scan before it. */
export interface RecordedScanOutcome {
  db: string;
  scanId: number;
  /** Changes from the scan recorded before it; null for the first scan. */
  changes: Changes | null;
}

function withStore<T>(db: string, create: boolean, fn: (store: HistoryStore) => T): T {
  // The default location's directory may not exist yet on a fresh machine.
  if (create) {
    try {
      makeDirSync(dirname(resolve(db)));
    } catch (err) {
      throw new HistoryError({
        code: 'BAD_PATH',
        message: `cannot make the directory of history ${db} (${(err as Error).message})`,
      });
    }
  }
  const store = HistoryStore.open(resolve(db), { create });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/**
 * Open (creating and migrating when needed) and close the history, so a database lamina cannot
 * use is refused before a long scan rather than after it.
 * @throws HistoryError when the database cannot be used
 */
export function prepareHistory(db: string): string {
  return withStore(db, true, (store) => store.path);
}

/**
 * Record a finished scan in the history (one transaction: an interrupted run leaves the history
 * as it was) and compute what changed since the scan recorded before it.
 * @throws HistoryError when the database cannot be used
 */
export function recordScanHistory(options: RecordScanHistoryOptions): RecordedScanOutcome {
  // One synchronous stretch, which a young generation's cap cannot follow (its watch runs
  // between tasks): kept at the scan's end's size from the start, as the scan's end is.
  const given = giveBackBeforeEnd();
  try {
    return recordAndCompare(options);
  } finally {
    given.restore();
  }
}

function recordAndCompare(options: RecordScanHistoryOptions): RecordedScanOutcome {
  const sbomPath = new Map<string, string>();
  for (const l of options.result.layers)
    for (const v of l.versions) if (v.digest && v.sbom) sbomPath.set(v.digest, v.sbom);
  return withStore(options.db, true, (store) => {
    const scanId = store.recordScan({
      result: options.result,
      startedAt: options.startedAt,
      finishedAt: options.finishedAt,
      sbomOf: (digest) => {
        const file = sbomPath.get(digest);
        if (!file) return undefined;
        try {
          // The scan's own output, read as the package drift reads it: a regular file, bounded.
          return readRegularFileSync(join(resolve(options.outDir), file), MAX_JSON_INPUT);
        } catch {
          // Recorded without inventory: changes then say the diff is unavailable.
          return undefined;
        }
      },
    });
    const before = store.scanBefore(scanId);
    if (before === undefined) return { db: store.path, scanId, changes: null };
    // The scan just recorded is the one in memory, as it would read back (no verdicts, no
    // signing status): loading it again would hold a large estate twice. The scan before it
    // takes the function and layer version records the two share from it.
    const later: RecordedScan = {
      info: store.scanInfo(scanId),
      result: options.result,
      verdicts: null,
      signing: [],
    };
    return {
      db: store.path,
      scanId,
      // Like the package drift: much held, little of what is made survives.
      changes: withHeapGrowth(ANALYSIS_HEAP_GROWING_PERCENT, () =>
        computeChanges(store.loadScanBeside(before, later), later, {
          inventoryOf: inventoryCache(store),
        })
      ),
    };
  });
}

/** Options for {@link recordVerificationHistory}. */
export interface RecordVerificationOptions {
  db: string;
  verdicts: readonly Verdict[];
  signing: readonly SigningFact[];
  /**
   * `sha256:<hex>` of the policy file the verdicts come from, as verify read it
   * (`VerifyOutcome.policyDigest`); without it the history says the policy is unknown.
   */
  policyDigest?: string;
  /** The regions verified: the scan they are recorded with must cover the same ones. */
  regions: readonly string[];
}

/**
 * Record `verify --all`'s verdicts and signing status with the latest recorded scan of the same
 * regions (run `scan --history` first): changes then compare revocations between scans.
 * @throws HistoryError NO_HISTORY, SCAN_NOT_FOUND (no scan, or the latest covers other regions)
 */
export function recordVerificationHistory(options: RecordVerificationOptions): {
  db: string;
  scanId: number;
} {
  return withStore(options.db, false, (store) => {
    const scanId = scanToVerify(store, options.regions);
    store.recordVerification(scanId, {
      verdicts: options.verdicts,
      signing: options.signing,
      ...(options.policyDigest !== undefined ? { policyDigest: options.policyDigest } : {}),
    });
    return { db: store.path, scanId };
  });
}

/**
 * The scan `verify --all --history` will record its verdicts with, checked before verifying so
 * a history that cannot take them is refused first.
 * @throws HistoryError NO_HISTORY, SCAN_NOT_FOUND, CORRUPT_DATABASE, …
 */
export function checkVerificationHistory(db: string, regions: readonly string[]): number {
  return withStore(db, false, (store) => scanToVerify(store, regions));
}

function scanToVerify(store: HistoryStore, regions: readonly string[]): number {
  const scanId = store.latestScan();
  const scope = store.loadScan(scanId).result.scope;
  const want = [...new Set(regions)].sort();
  if (want.join() !== scope.regions.join())
    throw new HistoryError({
      code: 'SCAN_NOT_FOUND',
      message: `the latest scan in history ${store.path} (scan ${scanId}) covers ${scope.regions.join(', ') || 'no region'}, not ${want.join(', ')}: run 'lamina scan --history' on the same regions first`,
    });
  return scanId;
}

/** Options for {@link historyChanges}. */
export interface HistoryChangesOptions {
  db: string;
  /** A scan id or an ISO 8601 date; default: the scan before the latest. */
  since?: string;
  /** The later scan's id; default: the latest. */
  until?: string;
  /** `--fail-on`: comma-separated kinds, `any` or `none`; default DEFAULT_FAIL_ON. */
  failOn?: string;
  /** A policy whose package deny rules (of every layer rule) find newly denied packages. */
  policy?: PolicyInput;
  /** Also give back the later scan with its package drift and verdicts (for a report). */
  withScan?: boolean;
}

export interface HistoryChangesOutcome {
  changes: Changes;
  /** The selected kinds that occurred: non-empty means exit 1. */
  failing: ChangeKind[];
  /** With `withScan`: the later scan, its package drift computed from the recorded inventories. */
  scan?: ScanResult;
  /** With `withScan`: the verdicts `verify --all --history` recorded with it, if any. */
  verdicts?: Verdict[] | null;
}

/**
 * What changed between two recorded scans.
 * @throws HistoryError NO_HISTORY, SCAN_NOT_FOUND, CORRUPT_DATABASE, …; UsageError for a bad
 *   `--fail-on`; PolicyError for a bad policy
 */
export function historyChanges(options: HistoryChangesOptions): HistoryChangesOutcome {
  const selected =
    options.failOn === undefined ? new Set(DEFAULT_FAIL_ON) : parseFailOn(options.failOn);
  const isDenied = options.policy ? denyPredicate(options.policy) : undefined;
  return withStore(options.db, false, (store) => {
    const to = options.until === undefined ? store.latestScan() : store.resolveSince(options.until);
    const from = store.resolveSince(options.since);
    if (from >= to)
      throw new HistoryError({
        code: 'SCAN_NOT_FOUND',
        message: `history ${store.path}: scan ${from} is not earlier than scan ${to}; nothing to compare`,
      });
    const inventoryOf = inventoryCache(store);
    const { changes, later } = changesBetween(store, from, to, {
      inventoryOf,
      ...(isDenied ? { isDenied } : {}),
    });
    const out: HistoryChangesOutcome = { changes, failing: failingKinds(changes, selected) };
    if (options.withScan) {
      // The later scan as the changes read it, not loaded a second time.
      const scan = later.result;
      // As the scan's own package drift: most of what it allocates is let go at once.
      scan.drift = withHeapGrowth(ANALYSIS_HEAP_GROWING_PERCENT, () => ({
        ...scan.drift,
        ...analyzeEstate(scan, { inventoryOf }),
      }));
      out.scan = scan;
      out.verdicts = later.verdicts;
    }
    return out;
  });
}

/**
 * The store's inventories by digest, read (and decompressed) when asked for, the most recently
 * used kept (boundedInventories): a long history of a large estate has more than fit at once.
 */
function inventoryCache(store: HistoryStore): (digest: string) => Inventory | undefined {
  return boundedInventories((digest) => {
    const text = store.sbom(digest);
    return text === undefined
      ? undefined
      : { inventory: inventoryFromCycloneDx(text, { name: digest }), bytes: text.length };
  });
}

function changesBetween(
  store: HistoryStore,
  from: number,
  to: number,
  options: {
    isDenied?: (p: PackageCandidate) => boolean;
    inventoryOf?: (digest: string) => Inventory | undefined;
  }
): { changes: Changes; later: RecordedScan } {
  // Two scans of one estate repeat most of their ARNs and digests: one string each.
  const interner = new Interner();
  const later = store.loadScan(to, interner);
  const changes = computeChanges(store.loadScan(from, interner), later, {
    ...options,
    inventoryOf: options.inventoryOf ?? inventoryCache(store),
  });
  return { changes, later };
}

/** Every package deny rule of the policy's layer rules, as one predicate. */
function denyPredicate(policy: PolicyInput): (p: PackageCandidate) => boolean {
  const loaded = resolvePolicy(policy);
  const rules = (loaded.policy.layers ?? []).flatMap((r) =>
    (r.packages?.deny ?? []).map(compileDeny)
  );
  return (p) =>
    p.purl !== null &&
    rules.some((r) => matchesDeny(r, p.purl!, p.version ?? undefined, p.requiredAs ?? []));
}

/** Every recorded scan, oldest first. @throws HistoryError NO_HISTORY, … */
export function listHistory(db: string): { db: string; scans: ScanInfo[] } {
  return withStore(db, false, (store) => ({ db: store.path, scans: store.listScans() }));
}

/** Keep the newest `keep` scans. @throws HistoryError NO_HISTORY, … */
export function pruneHistory(
  db: string,
  keep: number
): { db: string; scans: number; facts: number; inventories: number } {
  return withStore(db, false, (store) => ({ db: store.path, ...store.prune(keep) }));
}
