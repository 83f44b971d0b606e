/**
 * What one scan leaves in the cache for the next: the content facts of every layer version it
 * described, and every SBOM it wrote. A layer version ARN names immutable content (Lambda
 * never changes a published version's zip; a deleted number is not reused), and an SBOM is a
 * function of the zip's bytes, lamina's version, the limits and the name it is written under,
 * so a re-scan of an unchanged estate reads both back instead of calling AWS and re-reading zips.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLinesSync, writeFileAtomic, writeFileAtomicSync } from '../util/fs.js';
import type { LayerContent, LayerVersionRecord } from './aws/enumerate.js';

/** The recorded facts of one layer version. */
export interface LayerVersionFacts {
  createdDate: string;
  codeSha256: string;
  codeSize: number;
  signingProfileVersionArn?: string;
  signingJobArn?: string;
}

/** A cached SBOM with what the scan result says about it. */
export interface CachedSbom {
  text: string;
  packageCount: number;
  complete: boolean;
}

interface SbomMeta {
  sha256: string;
  packageCount: number;
  complete: boolean;
}

const RECORDS_FORMAT = 1;
const DERIVED_FORMAT = 1;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The scan records and SBOMs under a cache root (`<root>/scan/...`). */
export class ScanCache {
  private readonly facts: Map<string, LayerVersionFacts>;
  private changed = false;
  private forgotten = false;

  private constructor(
    readonly root: string,
    facts: Map<string, LayerVersionFacts>
  ) {
    this.facts = facts;
  }

  /** Open the cache; a missing or unreadable records file is an empty one (the scan describes). */
  static async open(root: string): Promise<ScanCache> {
    const facts = new Map<string, LayerVersionFacts>();
    try {
      const doc = JSON.parse(await readFile(recordsPath(root), 'utf8')) as unknown;
      if (isRecords(doc))
        for (const [arn, f] of Object.entries(doc.layerVersions)) facts.set(arn, f);
    } catch {
      // No records yet, or damaged: every layer version is described again.
    }
    return new ScanCache(root, facts);
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

  /** Write the records back if this scan added or changed any. */
  async save(): Promise<void> {
    if (!this.changed || this.forgotten) return;
    const sorted = [...this.facts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await writeFileAtomic(recordsPath(this.root), recordsChunks(sorted));
    this.changed = false;
  }

  /**
   * Let go of the records once they are saved (a scan of 100,000 functions would otherwise keep
   * one per layer version to its end). Afterwards nothing is known, remembered or saved: the
   * records file keeps what the last save wrote.
   */
  forget(): void {
    this.forgotten = true;
    this.facts.clear();
  }

  /** The key of an SBOM: everything that shapes its bytes besides the zip. */
  static sbomKey(parts: { toolVersion: string; name: string; limits: unknown }): string {
    return sha256(JSON.stringify([parts.toolVersion, parts.name, parts.limits])).slice(0, 32);
  }

  /** A cached SBOM, re-verified against the digest recorded when it was written. */
  readSbom(hex: string, key: string): CachedSbom | undefined {
    const metaPath = this.sbomPath(hex, key, 'meta.json');
    // A first scan finds none, thousands of times: a miss without an error to build.
    if (!existsSync(metaPath)) return undefined;
    try {
      // Synchronous: a warm re-scan reads two small files per layer zip (see writeFileAtomicSync).
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as SbomMeta;
      const text = readFileSync(this.sbomPath(hex, key, 'cdx.json'), 'utf8');
      if (sha256(text) !== meta.sha256) return undefined;
      if (!Number.isInteger(meta.packageCount) || typeof meta.complete !== 'boolean')
        return undefined;
      return { text, packageCount: meta.packageCount, complete: meta.complete };
    } catch {
      return undefined;
    }
  }

  /** Keep an SBOM for the next scan: the SBOM first, its meta (with its digest) last. */
  writeSbom(hex: string, key: string, sbom: CachedSbom): void {
    writeFileAtomicSync(this.sbomPath(hex, key, 'cdx.json'), sbom.text);
    const meta: SbomMeta = {
      sha256: sha256(sbom.text),
      packageCount: sbom.packageCount,
      complete: sbom.complete,
    };
    writeFileAtomicSync(this.sbomPath(hex, key, 'meta.json'), JSON.stringify(meta) + '\n');
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

  private sbomPath(hex: string, key: string, ext: string): string {
    return join(this.root, 'scan', 'sboms', `${hex}-${key}.${ext}`);
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
