/**
 * What one scan leaves in the cache for the next: the content facts of every layer version it
 * described, and every SBOM it wrote. A layer version ARN names immutable content (Lambda
 * never changes a published version's zip; a deleted number is not reused), and an SBOM is a
 * function of the zip's bytes, lamina's version, the limits and the name it is written under,
 * so a re-scan of an unchanged estate reads both back instead of calling AWS and re-reading zips.
 * What the scan result says of each SBOM (its digest, size, package count and completeness) is
 * kept in one index, read once per scan: a re-scan whose output directory already holds an
 * SBOM knows it from that file's digest, without reading the cached copy.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  holdsDigestSync,
  readLinesSync,
  readRegularFileSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../util/fs.js';
import type { LayerContent, LayerVersionRecord } from './aws/enumerate.js';

/** The recorded facts of one layer version. */
export interface LayerVersionFacts {
  createdDate: string;
  codeSha256: string;
  codeSize: number;
  signingProfileVersionArn?: string;
  signingJobArn?: string;
}

/** What the scan result says of an SBOM. */
export interface SbomSummary {
  packageCount: number;
  complete: boolean;
}

/** An SBOM to keep, with what the scan result says of it. */
export interface CachedSbom extends SbomSummary {
  text: string;
}

/** A kept SBOM in the index: its summary, and its bytes' sha256 (hex) and length. */
interface SbomFacts extends SbomSummary {
  sha256: string;
  bytes: number;
}

const RECORDS_FORMAT = 1;
const SBOM_INDEX_FORMAT = 1;
const DERIVED_FORMAT = 1;
const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** The scan records and SBOMs under a cache root (`<root>/scan/...`). */
export class ScanCache {
  private readonly facts: Map<string, LayerVersionFacts>;
  /** The SBOM index, by `<hex>-<key>`. */
  private readonly sboms: Map<string, SbomFacts>;
  private changed = false;
  private sbomsChanged = false;
  private forgotten = false;

  private constructor(
    readonly root: string,
    facts: Map<string, LayerVersionFacts>,
    sboms: Map<string, SbomFacts>
  ) {
    this.facts = facts;
    this.sboms = sboms;
  }

  /**
   * Open the cache; a missing or unreadable records file or SBOM index is an empty one (the
   * scan describes the layer versions, or inventories the zips, again).
   */
  static async open(root: string): Promise<ScanCache> {
    const facts = new Map<string, LayerVersionFacts>();
    const sboms = new Map<string, SbomFacts>();
    try {
      const doc = JSON.parse(await readFile(recordsPath(root), 'utf8')) as unknown;
      if (isRecords(doc))
        for (const [arn, f] of Object.entries(doc.layerVersions)) facts.set(arn, f);
    } catch {
      // No records yet, or damaged: every layer version is described again.
    }
    try {
      const doc = JSON.parse(await readFile(sbomIndexPath(root), 'utf8')) as unknown;
      if (isSbomIndex(doc)) for (const [name, f] of Object.entries(doc.sboms)) sboms.set(name, f);
    } catch {
      // No index yet, or damaged: every SBOM is made again.
    }
    return new ScanCache(root, facts, sboms);
  }

  /**
   * The recorded content of a layer version, when the listing shows the same CreatedDate the
   * record has (a version recreated under the same number would differ). The presigned
   * location is not recorded: it has expired; `location` is empty.
   */
  known(lv: LayerVersionRecord): LayerContent | undefined {
    const f = this.facts.get(lv.arn);
    if (!f || lv.createdDate === undefined || f.createdDate !== lv.createdDate) return undefined;
    return {
      location: '',
      codeSha256: f.codeSha256,
      codeSize: f.codeSize,
      signingProfileVersionArn: f.signingProfileVersionArn,
      signingJobArn: f.signingJobArn,
    };
  }

  /** Record a described layer version its owner's listing showed. */
  remember(lv: LayerVersionRecord): void {
    if (this.forgotten || !lv.listed || !lv.content || lv.createdDate === undefined) return;
    const c = lv.content;
    const f: LayerVersionFacts = {
      createdDate: lv.createdDate,
      codeSha256: c.codeSha256,
      codeSize: c.codeSize,
      ...(c.signingProfileVersionArn
        ? { signingProfileVersionArn: c.signingProfileVersionArn }
        : {}),
      ...(c.signingJobArn ? { signingJobArn: c.signingJobArn } : {}),
    };
    const old = this.facts.get(lv.arn);
    if (old && JSON.stringify(old) === JSON.stringify(f)) return;
    this.facts.set(lv.arn, f);
    this.changed = true;
  }

  /** Write the records and the SBOM index back if this scan added or changed any. */
  async save(): Promise<void> {
    if (this.forgotten) return;
    if (this.changed) {
      await writeFileAtomic(recordsPath(this.root), recordsChunks(sortedEntries(this.facts)));
      this.changed = false;
    }
    if (this.sbomsChanged) {
      await writeFileAtomic(sbomIndexPath(this.root), sbomIndexChunks(sortedEntries(this.sboms)));
      this.sbomsChanged = false;
    }
  }

  /**
   * Let go of the records and the SBOM index once they are saved (a scan of 100,000 functions
   * would otherwise keep one of each per layer version to its end). Afterwards nothing is known,
   * remembered, placed or saved: the files keep what the last save wrote.
   */
  forget(): void {
    this.forgotten = true;
    this.facts.clear();
    this.sboms.clear();
  }

  /** The key of an SBOM: everything that shapes its bytes besides the zip. */
  static sbomKey(parts: { toolVersion: string; name: string; limits: unknown }): string {
    return ScanCache.sbomKeys(parts.toolVersion, parts.limits)(parts.name);
  }

  /**
   * {@link sbomKey} of each name, for one lamina version and one set of limits: their JSON is
   * made once (the text hashed is the same `JSON.stringify([toolVersion, name, limits])`).
   */
  static sbomKeys(toolVersion: string, limits: unknown): (name: string) => string {
    const head = `[${JSON.stringify(toolVersion)},`;
    const tail = `,${JSON.stringify(limits)}]`;
    return (name) => sha256(head + JSON.stringify(name) + tail).slice(0, 32);
  }

  /**
   * Put the SBOM kept for the zip `hex` under `key` at `path` (a file of the scan's output):
   * left as it is when it already holds the SBOM's bytes (known from their digest), otherwise
   * written from the cached copy, which must still have the digest it was kept with. Returns
   * what the scan result says of it; undefined when none was kept or the copy changed.
   * @throws Error when `path` cannot be written
   */
  placeSbom(hex: string, key: string, path: string): SbomSummary | undefined {
    const f = this.sboms.get(`${hex}-${key}`);
    if (!f) return undefined;
    if (!holdsDigestSync(path, f.bytes, f.sha256)) {
      let bytes: Buffer;
      try {
        bytes = readRegularFileSync(this.sbomPath(hex, key), f.bytes);
      } catch {
        return undefined;
      }
      if (bytes.length !== f.bytes || sha256(bytes) !== f.sha256) return undefined;
      writeFileAtomicSync(path, bytes);
    }
    return { packageCount: f.packageCount, complete: f.complete };
  }

  /** Keep an SBOM for the next scan: its file now, its entry in the index when the scan saves. */
  writeSbom(hex: string, key: string, sbom: CachedSbom): void {
    const bytes = Buffer.from(sbom.text, 'utf8');
    writeFileAtomicSync(this.sbomPath(hex, key), bytes);
    if (this.forgotten) return;
    this.sboms.set(`${hex}-${key}`, {
      sha256: sha256(bytes),
      bytes: bytes.length,
      packageCount: sbom.packageCount,
      complete: sbom.complete,
    });
    this.sbomsChanged = true;
  }

  /**
   * A result derived from a scan's inputs, kept by an earlier scan under `name` with the key of
   * those inputs: each of its lines to `onLine`, when the file holds that key. A missing file,
   * another key, or a line `onLine` refuses (it throws) is a miss: the caller computes it
   * again. Lines arrive one at a time; a large result is never one string.
   * @returns whether the kept result was read
   */
  readDerived(name: string, key: string, onLine: (line: string) => void): boolean {
    const path = this.derivedPath(name);
    if (!existsSync(path)) return false;
    let header = true;
    let matched = false;
    try {
      readLinesSync(path, MAX_DERIVED_LINE, (line) => {
        if (!header) return onLine(line);
        header = false;
        matched = line === derivedHeader(key);
        return matched;
      });
      return matched;
    } catch {
      return false;
    }
  }

  /** Keep a derived result (its lines, none holding a newline) under `name` with `key`. */
  async writeDerived(name: string, key: string, lines: Iterable<string>): Promise<void> {
    await writeFileAtomic(this.derivedPath(name), derivedChunks(key, lines));
  }

  private derivedPath(name: string): string {
    return join(this.root, 'scan', `${name}.jsonl`);
  }

  private sbomPath(hex: string, key: string): string {
    return join(this.root, 'scan', 'sboms', `${hex}-${key}.cdx.json`);
  }
}

/**
 * The records file in pieces, `JSON.stringify({ format, layerVersions })` and a newline. It is
 * saved right before the end of a scan, whose RSS then stays where it is: as one string (3.6 MB
 * at 20,000 layer versions) and its bytes it took a process holding a scan's records up by
 * ~10 MiB, in pieces by ~2 (BENCHMARKS.md, issue 14).
 */
export function recordsChunks(
  sorted: Iterable<readonly [string, LayerVersionFacts]>
): Generator<string> {
  return indexChunks(RECORDS_FORMAT, 'layerVersions', sorted);
}

/** The SBOM index in pieces, `JSON.stringify({ format, sboms })` and a newline (as the records). */
function sbomIndexChunks(sorted: Iterable<readonly [string, SbomFacts]>): Generator<string> {
  return indexChunks(SBOM_INDEX_FORMAT, 'sboms', sorted);
}

function* indexChunks(
  format: number,
  member: string,
  sorted: Iterable<readonly [string, unknown]>
): Generator<string> {
  yield `{"format":${format},${JSON.stringify(member)}:{`;
  let first = true;
  for (const [name, value] of sorted) {
    yield `${first ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(value)}`;
    first = false;
  }
  yield '}}\n';
}

/** A map's entries sorted by key, so a file saved from it does not depend on the scan's timing. */
function sortedEntries<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The longest line of a derived result read back (one element of it, such as a layer's diff). */
const MAX_DERIVED_LINE = 256 * 1024 * 1024;

const derivedHeader = (key: string): string => JSON.stringify({ format: DERIVED_FORMAT, key });

function* derivedChunks(key: string, lines: Iterable<string>): Generator<string> {
  yield `${derivedHeader(key)}\n`;
  for (const line of lines) yield `${line}\n`;
}

function recordsPath(root: string): string {
  return join(root, 'scan', 'layer-versions.json');
}

function sbomIndexPath(root: string): string {
  return join(root, 'scan', 'sboms.json');
}

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isSbomIndex(doc: unknown): doc is { format: number; sboms: Record<string, SbomFacts> } {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as { format?: unknown; sboms?: unknown };
  if (d.format !== SBOM_INDEX_FORMAT || typeof d.sboms !== 'object' || !d.sboms) return false;
  return Object.values(d.sboms).every((f: unknown) => {
    const x = f as Partial<SbomFacts> | null;
    return (
      typeof x?.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(x.sha256) &&
      isCount(x.bytes) &&
      isCount(x.packageCount) &&
      typeof x.complete === 'boolean'
    );
  });
}

function isRecords(
  doc: unknown
): doc is { format: number; layerVersions: Record<string, LayerVersionFacts> } {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as { format?: unknown; layerVersions?: unknown };
  if (d.format !== RECORDS_FORMAT || typeof d.layerVersions !== 'object' || !d.layerVersions)
    return false;
  return Object.values(d.layerVersions).every((f: unknown) => {
    const x = f as Partial<LayerVersionFacts> | null;
    return (
      typeof x?.createdDate === 'string' &&
      typeof x.codeSha256 === 'string' &&
      typeof x.codeSize === 'number'
    );
  });
}
