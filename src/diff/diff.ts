/**
 * Package-level difference between two inventories (pure): what a function would gain, lose or
 * see change if one layer's content were replaced by another's.
 */
import type { Ecosystem, HashAlgorithm } from '../model/package.js';
import type { ComparableEntry, ComparableInventory } from './comparable.js';
import { ecosystemVersionOrder, type VersionOrder } from './version-order.js';
import { changeCount, type DiffSummary } from './summary.js';
import { NONE, sameList, sized } from '../util/intern.js';
import { cmp } from '../util/compare.js';

export type { DiffSummary } from './summary.js';

/** One side of a diff. */
export interface DiffSide {
  name: string;
  digest: string;
  complete: boolean;
}

/** A package as listed in a diff. */
export interface DiffPackage {
  key: string;
  ecosystem: Ecosystem;
  name: string;
  version?: string;
  purl?: string;
  paths: string[];
}

/** `upgrade`: the newer side has the higher version; `unordered`: the versions cannot be ordered. */
export type Direction = 'upgrade' | 'downgrade' | 'unordered';

export interface VersionChange {
  key: string;
  ecosystem: Ecosystem;
  name: string;
  from: { version?: string; purl?: string; paths: string[] };
  to: { version?: string; purl?: string; paths: string[] };
  direction: Direction;
}

/** Same package and version, different bytes: a rebuilt, patched or tampered copy. */
export interface ContentChange {
  key: string;
  ecosystem: Ecosystem;
  name: string;
  version?: string;
  paths: string[];
  /** `ALG:hex`, the strongest algorithm both sides have. */
  fromHash: string;
  toHash: string;
}

/** An executable or shared library no package owns. */
export interface DiffExecutable {
  path: string;
  /** Hex SHA-256, when recorded. */
  sha256?: string;
  binaryKind?: string;
}

export interface ExecutableChange {
  path: string;
  fromSha256: string;
  toSha256: string;
  binaryKind?: string;
}

/** The package-level difference from one inventory to another. Every list is sorted by key, then path. */
export interface PackageDiff {
  from: DiffSide;
  to: DiffSide;
  /** False when either inventory is incomplete: something may differ that neither shows. */
  complete: boolean;
  /** True when nothing differs (and both sides are complete). */
  identical: boolean;
  summary: DiffSummary;
  added: DiffPackage[];
  removed: DiffPackage[];
  versionChanged: VersionChange[];
  contentChanged: ContentChange[];
  executables: { added: DiffExecutable[]; removed: DiffExecutable[]; changed: ExecutableChange[] };
}

export interface DiffOptions {
  versionOrder?: VersionOrder;
}

const STRONGEST: HashAlgorithm[] = ['SHA-512', 'SHA-384', 'SHA-256', 'SHA-1', 'MD5'];

/** The strongest algorithm both entries have, and whether their values differ; undefined when none is shared. */
function contentDiff(
  a: ComparableEntry,
  b: ComparableEntry
): { alg: HashAlgorithm; from: string; to: string } | undefined {
  for (const alg of STRONGEST) {
    const x = a.hashes[alg];
    const y = b.hashes[alg];
    if (x !== undefined && y !== undefined) return { alg, from: x, to: y };
  }
  return undefined;
}

/**
 * Pair entries of one key across the two sides: a single entry on each side pairs directly;
 * several (copies of one package at different paths) pair by primary path, then by any
 * shared path, then the last one left on each side. Unpaired entries are added or removed.
 */
function pair(
  as: ComparableEntry[],
  bs: ComparableEntry[]
): {
  pairs: [ComparableEntry, ComparableEntry][];
  onlyA: ComparableEntry[];
  onlyB: ComparableEntry[];
} {
  if (as.length === 1 && bs.length === 1)
    return { pairs: [[as[0]!, bs[0]!]], onlyA: [], onlyB: [] };
  const restA = [...as];
  const restB = [...bs];
  const pairs: [ComparableEntry, ComparableEntry][] = [];
  const take = (match: (a: ComparableEntry, b: ComparableEntry) => boolean): void => {
    for (let i = 0; i < restA.length;) {
      const a = restA[i]!;
      const j = restB.findIndex((b) => match(a, b));
      if (j < 0) {
        i++;
        continue;
      }
      pairs.push([a, restB[j]!]);
      restA.splice(i, 1);
      restB.splice(j, 1);
    }
  };
  take((a, b) => a.paths[0] === b.paths[0]);
  take((a, b) => a.paths.some((p) => b.paths.includes(p)));
  if (restA.length === 1 && restB.length === 1) pairs.push([restA.pop()!, restB.pop()!]);
  return { pairs, onlyA: restA, onlyB: restB };
}

function pkgRef(e: ComparableEntry): DiffPackage {
  return {
    key: e.key,
    ecosystem: e.ecosystem,
    name: e.name,
    ...(e.version !== undefined ? { version: e.version } : {}),
    ...(e.purl !== undefined ? { purl: e.purl } : {}),
    paths: e.paths,
  };
}

function exeRef(e: ComparableEntry): DiffExecutable {
  const sha = e.hashes['SHA-256'];
  return {
    path: e.paths[0] ?? e.name,
    ...(sha !== undefined ? { sha256: sha } : {}),
    ...(e.binaryKind !== undefined ? { binaryKind: e.binaryKind } : {}),
  };
}

function side(inv: ComparableInventory): DiffSide {
  return { name: inv.name, digest: inv.digest, complete: inv.complete };
}

function byKey(entries: readonly ComparableEntry[]): Map<string, ComparableEntry[]> {
  const m = new Map<string, ComparableEntry[]>();
  for (const e of entries) {
    const list = m.get(e.key);
    if (list) list.push(e);
    else m.set(e.key, [e]);
  }
  return m;
}

const firstPath = (x: { paths: string[] }): string => x.paths[0] ?? '';

/** Compute the package-level difference from `a` (old) to `b` (new). Pure and deterministic. */
export function diffInventories(
  a: ComparableInventory,
  b: ComparableInventory,
  options: DiffOptions = {}
): PackageDiff {
  const order = options.versionOrder ?? ecosystemVersionOrder;
  const out: PackageDiff = {
    from: side(a),
    to: side(b),
    complete: a.complete && b.complete,
    identical: false,
    summary: {
      added: 0,
      removed: 0,
      upgraded: 0,
      downgraded: 0,
      unordered: 0,
      contentChanged: 0,
      executablesAdded: 0,
      executablesRemoved: 0,
      executablesChanged: 0,
      unchanged: 0,
    },
    added: [],
    removed: [],
    versionChanged: [],
    contentChanged: [],
    executables: { added: [], removed: [], changed: [] },
  };
  const mapA = byKey(a.entries);
  const mapB = byKey(b.entries);
  const keys = [...new Set([...mapA.keys(), ...mapB.keys()])].sort(cmp);
  for (const key of keys) {
    const { pairs, onlyA, onlyB } = pair(mapA.get(key) ?? [], mapB.get(key) ?? []);
    for (const e of onlyA) {
      if (e.kind === 'executable') out.executables.removed.push(exeRef(e));
      else out.removed.push(pkgRef(e));
    }
    for (const e of onlyB) {
      if (e.kind === 'executable') out.executables.added.push(exeRef(e));
      else out.added.push(pkgRef(e));
    }
    for (const [x, y] of pairs) {
      if (x.kind === 'executable') {
        const fromSha = x.hashes['SHA-256'];
        const toSha = y.hashes['SHA-256'];
        if (fromSha !== undefined && toSha !== undefined && fromSha !== toSha) {
          out.executables.changed.push({
            path: firstPath(y),
            fromSha256: fromSha,
            toSha256: toSha,
            ...(y.binaryKind !== undefined ? { binaryKind: y.binaryKind } : {}),
          });
        } else out.summary.unchanged++;
        continue;
      }
      if (x.version !== y.version) {
        const c =
          x.version !== undefined && y.version !== undefined
            ? order.compare(x.ecosystem, x.version, y.version)
            : undefined;
        const direction: Direction =
          c === undefined || c === 0 ? 'unordered' : c < 0 ? 'upgrade' : 'downgrade';
        out.versionChanged.push({
          key,
          ecosystem: y.ecosystem,
          name: y.name,
          from: { ...versionOf(x), paths: x.paths },
          // One list when the package stayed where it was (a layer's versions, mostly): an
          // estate's analysis keeps every diff, 18,000 of them at 100,000 functions.
          to: { ...versionOf(y), paths: sameList(x.paths, y.paths) ? x.paths : y.paths },
          direction,
        });
        continue;
      }
      const h = contentDiff(x, y);
      if (h && h.from !== h.to) {
        out.contentChanged.push({
          key,
          ecosystem: y.ecosystem,
          name: y.name,
          ...(y.version !== undefined ? { version: y.version } : {}),
          paths: y.paths,
          fromHash: `${h.alg}:${h.from}`,
          toHash: `${h.alg}:${h.to}`,
        });
        continue;
      }
      out.summary.unchanged++;
    }
  }
  const byKeyPath = (p: { key: string; paths: string[] }, q: { key: string; paths: string[] }) =>
    cmp(p.key, q.key) || cmp(firstPath(p), firstPath(q));
  const byPath = (p: { path: string }, q: { path: string }) => cmp(p.path, q.path);
  out.added.sort(byKeyPath);
  out.removed.sort(byKeyPath);
  out.versionChanged.sort((p, q) => cmp(p.key, q.key) || cmp(firstPath(p.to), firstPath(q.to)));
  out.contentChanged.sort(byKeyPath);
  out.executables.added.sort(byPath);
  out.executables.removed.sort(byPath);
  out.executables.changed.sort(byPath);

  const s = out.summary;
  s.added = out.added.length;
  s.removed = out.removed.length;
  s.upgraded = out.versionChanged.filter((v) => v.direction === 'upgrade').length;
  s.downgraded = out.versionChanged.filter((v) => v.direction === 'downgrade').length;
  s.unordered = out.versionChanged.filter((v) => v.direction === 'unordered').length;
  s.contentChanged = out.contentChanged.length;
  s.executablesAdded = out.executables.added.length;
  s.executablesRemoved = out.executables.removed.length;
  s.executablesChanged = out.executables.changed.length;
  out.identical = out.complete && changeCount(s) === 0;
  // An estate holds thousands of diffs at once, most of their lists empty: those share one
  // frozen array (JSON and every reader see the same empty list), the rest are exactly sized.
  out.added = sized(out.added);
  out.removed = sized(out.removed);
  out.versionChanged = sized(out.versionChanged);
  out.contentChanged = sized(out.contentChanged);
  const x = out.executables;
  out.executables =
    x.added.length + x.removed.length + x.changed.length === 0
      ? NO_EXECUTABLES
      : { added: sized(x.added), removed: sized(x.removed), changed: sized(x.changed) };
  return out;
}

/** Most diffs change no executable: they share this one (frozen, like its lists). */
const NO_EXECUTABLES: PackageDiff['executables'] = Object.freeze({
  added: NONE,
  removed: NONE,
  changed: NONE,
});

function versionOf(e: ComparableEntry): { version?: string; purl?: string } {
  return {
    ...(e.version !== undefined ? { version: e.version } : {}),
    ...(e.purl !== undefined ? { purl: e.purl } : {}),
  };
}
