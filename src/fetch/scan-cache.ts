/**
 * What one scan leaves in the cache for the next: the content facts of every layer version it
 * described, and every SBOM it wrote. A layer version ARN names immutable content (Lambda
 * never changes a published version's zip; a deleted number is not reused), and an SBOM is a
 * function of the zip's bytes, lamina's version, the limits and the name it is written under,
 * so a re-scan of an unchanged estate reads both back instead of calling AWS and re-reading zips.
 * What the scan result says of each SBOM (its digest, size, package count and completeness) is
 * kept in one index, a line appended per SBOM and read once per scan: a re-scan whose output
 * directory already holds an SBOM knows it from that file's digest, without reading the cached
 * copy.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  holdsDigestSync,
  openAppendSync,
  readLinesSync,
  readRegularFileSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../util/fs.js';
import type { LayerContent, LayerVersionRecord } from './aws/enumerate.js';
import { pruneDir, type Removed } from './cache.js';
import { cmp } from '../util/compare.js';

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
  /** The SBOM index as earlier scans left it, by `<hex>-<key>`. */
  private readonly sboms: Map<string, SbomFacts>;
  /** The index open for appending, once this scan keeps an SBOM. */
  private indexFd: number | undefined;
  private changed = false;
  private forgotten = false;
  /** With `trackUse`: the SBOMs (`<hex>-<key>`) this scan placed or kept, for {@link pruneSboms}. */
  private readonly used: Set<string> | undefined;
  /** With `trackUse`: the layer versions this scan remembered, for `save({ prune: true })`. */
  private readonly remembered: Set<string> | undefined;

  private constructor(
    readonly root: string,
    facts: Map<string, LayerVersionFacts>,
    sboms: Map<string, SbomFacts>,
    trackUse: boolean
  ) {
    this.facts = facts;
    this.sboms = sboms;
    this.used = trackUse ? new Set() : undefined;
    this.remembered = trackUse ? new Set() : undefined;
  }

  /**
   * Open the cache; a missing or unreadable records file or SBOM index is an empty one (the
   * scan describes the layer versions, or inventories the zips, again).
   */
  static open(root: string, options: { trackUse?: boolean } = {}): Promise<ScanCache> {
    return new Promise((done) => done(ScanCache.read(root, options.trackUse ?? false)));
  }

  private static read(root: string, trackUse: boolean): ScanCache {
    const facts = new Map<string, LayerVersionFacts>();
    const sboms = new Map<string, SbomFacts>();
    try {
      // Regular file only, bounded: a FIFO planted there made the scan wait forever.
      const text = readRegularFileSync(recordsPath(root), MAX_RECORDS_BYTES).toString('utf8');
      const doc = JSON.parse(text) as unknown;
      if (isRecords(doc))
        for (const [arn, f] of Object.entries(doc.layerVersions)) facts.set(arn, f);
    } catch {
      // No records yet, or damaged: every layer version is described again.
    }
    readSbomIndex(sbomIndexPath(root), sboms);
    return new ScanCache(root, facts, sboms, trackUse);
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
    this.remembered?.add(lv.arn);
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

  /**
   * Write the records back if this scan added or changed any, and close the SBOM index (its
   * lines are written as each SBOM is kept). With `prune` (a cache opened with `trackUse`), the
   * records of layer versions this scan did not remember are left out.
   */
  async save(options: { prune?: boolean } = {}): Promise<void> {
    this.closeIndex();
    if (this.forgotten) return;
    const remembered = this.remembered;
    if (options.prune && remembered)
      for (const arn of [...this.facts.keys()])
        if (!remembered.has(arn)) {
          this.facts.delete(arn);
          this.changed = true;
        }
    if (!this.changed) return;
    const sorted = [...this.facts.entries()].sort(([a], [b]) => cmp(a, b));
    await writeFileAtomic(recordsPath(this.root), recordsChunks(sorted));
    this.changed = false;
  }

  /**
   * Let go of the records and the SBOM index once they are saved (a scan of 100,000 functions
   * would otherwise keep one of each per layer version to its end). Afterwards nothing is known,
   * remembered, placed or saved: the records file keeps what the last save wrote (an SBOM kept
   * still gets its line in the index).
   */
  forget(): void {
    this.forgotten = true;
    this.facts.clear();
    this.sboms.clear();
    this.closeIndex();
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
    const name = `${hex}-${key}`;
    const f = this.sboms.get(name);
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
    this.used?.add(name);
    return { packageCount: f.packageCount, complete: f.complete };
  }

  /**
   * Keep an SBOM for the next scan: its file, then its line in the index. The line is appended
   * (one write, so concurrent scans' lines do not interleave) rather than held for a rewrite of
   * the index: a first scan of 100,000 functions would hold 20,000 entries to its end, and a
   * scan that stops early keeps what it wrote. This scan's own SBOMs are not looked up again.
   */
  writeSbom(hex: string, key: string, sbom: CachedSbom): void {
    const bytes = Buffer.from(sbom.text, 'utf8');
    writeFileAtomicSync(this.sbomPath(hex, key), bytes);
    const facts: SbomFacts = {
      sha256: sha256(bytes),
      bytes: bytes.length,
      packageCount: sbom.packageCount,
      complete: sbom.complete,
    };
    writeSync(this.openIndex(), `${JSON.stringify([`${hex}-${key}`, facts])}\n`);
    this.used?.add(`${hex}-${key}`);
  }

  /**
   * Remove every SBOM kept in the cache that this scan neither placed nor kept, and its line of
   * the index, which is written anew with one line per SBOM left (other lamina versions' and
   * limits' included: they were not used). Only names of the cache's own form are removed, and
   * only files and links. For a scan opened with `trackUse`, after its last SBOM.
   */
  async pruneSboms(): Promise<Removed> {
    const used = this.used;
    if (!used) throw new Error('pruneSboms: the cache was not opened to track its use');
    this.closeIndex();
    const index = new Map<string, SbomFacts>();
    readSbomIndex(sbomIndexPath(this.root), index);
    const kept = [...index].filter(([name]) => used.has(name)).sort(([a], [b]) => cmp(a, b));
    writeFileAtomicSync(
      sbomIndexPath(this.root),
      [SBOM_INDEX_HEADER, ...kept.map((entry) => JSON.stringify(entry)), ''].join('\n')
    );
    // Each SBOM's meta file, as lamina before the index kept them, is no longer read.
    return pruneDir(
      join(this.root, 'scan', 'sboms'),
      OWN_SBOM_FILE,
      (m) => m[2] === 'meta' || !used.has(m[1]!)
    );
  }

  /**
   * The SBOM index open for appending; a new one starts with its header. A link, a hard link or a
   * FIFO at its path (the cache is a directory others may have filled) is replaced, never
   * written through nor waited on.
   */
  private openIndex(): number {
    if (this.indexFd !== undefined) return this.indexFd;
    const fd = openAppendSync(sbomIndexPath(this.root));
    try {
      if (fstatSync(fd).size === 0) writeSync(fd, `${SBOM_INDEX_HEADER}\n`);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return (this.indexFd = fd);
  }

  private closeIndex(): void {
    if (this.indexFd === undefined) return;
    closeSync(this.indexFd);
    this.indexFd = undefined;
  }

  /**
   * A result derived from a scan's inputs, kept by an earlier scan under `name` with the key of
   * those inputs: each of its lines to `onLine`, when the file holds that key. A missing file,
   * another key, or a line `onLine` refuses (it throws) is a miss: the caller computes it
   * again. Lines arrive one at a time; a large result is never one string.
   * @returns whether the kept result was read
   */
  readDerived(name: string, key: string, onLine: (line: string) => void): boolean {
    try {
      return readLinesAfter(this.derivedPath(name), derivedHeader(key), MAX_DERIVED_LINE, onLine);
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
export function* recordsChunks(
  sorted: Iterable<readonly [string, LayerVersionFacts]>
): Generator<string> {
  yield `{"format":${RECORDS_FORMAT},"layerVersions":{`;
  let first = true;
  for (const [arn, facts] of sorted) {
    yield `${first ? '' : ','}${JSON.stringify(arn)}:${JSON.stringify(facts)}`;
    first = false;
  }
  yield '}}\n';
}

/** The largest layer version records file read back (~300 bytes a version). */
const MAX_RECORDS_BYTES = 512 * 1024 * 1024;

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
  return join(root, 'scan', 'sboms.jsonl');
}

const SBOM_INDEX_HEADER = JSON.stringify({ format: SBOM_INDEX_FORMAT });

/** A kept SBOM's file (`<hex>-<key>.cdx.json`), or the meta file earlier lamina kept beside it. */
const OWN_SBOM_FILE = /^([0-9a-f]{64}-[0-9a-f]{32})\.(cdx|meta)\.json$/;

/** The longest line of the SBOM index (an entry is ~200 bytes). */
const MAX_SBOM_INDEX_LINE = 4096;

/**
 * Read the SBOM index at `path` into `into`: one `[name, facts]` line per SBOM kept, after a
 * header with the format. A missing file, another format or anything but a regular file is an
 * empty index; a line that is not an entry (cut short by a scan that stopped, or a second
 * header another scan wrote at the same moment) is passed over; a later line for a name wins.
 */
function readSbomIndex(path: string, into: Map<string, SbomFacts>): void {
  try {
    readLinesAfter(path, SBOM_INDEX_HEADER, MAX_SBOM_INDEX_LINE, (line) => {
      const entry = parseOr(line);
      if (
        Array.isArray(entry) &&
        entry.length === 2 &&
        typeof entry[0] === 'string' &&
        isSbomFacts(entry[1])
      )
        into.set(entry[0], entry[1]);
    });
  } catch {
    // A line over the bound, or not a regular file: what was read stands.
  }
}

/**
 * Each line of the file at `path` after its first to `onLine`, when the first is `header`;
 * returns whether it was. No file there is false, without an error to build (a first scan
 * looks for several).
 * @throws Error as {@link readLinesSync} does, or what `onLine` throws
 */
function readLinesAfter(
  path: string,
  header: string,
  maxLine: number,
  onLine: (line: string) => void
): boolean {
  if (!existsSync(path)) return false;
  let first = true;
  let matched = false;
  readLinesSync(path, maxLine, (line) => {
    if (!first) return onLine(line);
    first = false;
    matched = line === header;
    return matched;
  });
  return matched;
}

/** `text` parsed as JSON, or undefined when it is not JSON. */
function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isSbomFacts(f: unknown): f is SbomFacts {
  const x = f as Partial<SbomFacts> | null;
  return (
    typeof x?.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(x.sha256) &&
    isCount(x.bytes) &&
    isCount(x.packageCount) &&
    typeof x.complete === 'boolean'
  );
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
