/**
 * A scan result as facts and back (pure). A fact is one function, layer version, failure,
 * verdict or signing status, stored once and shared by every scan that saw it unchanged.
 */
import { createHash } from 'node:crypto';
import { computeDrift } from '../scan/drift.js';
import {
  SCAN_RESULT_SCHEMA_VERSION,
  sortScanLayers,
  type ScanFailure,
  type ScanFunction,
  type ScanLayer,
  type ScanLayerVersion,
  type ScanResult,
} from '../scan/result.js';
import type { Verdict } from '../verify/verdict.js';
import type { SigningFact } from './types.js';
import { cmp } from '../util/compare.js';

export type FactKind = 'function' | 'layer-version' | 'failure' | 'verdict' | 'signing';

/** A layer version as stored: its layer's name and owner, without usedBy (derived from functions). */
export type LayerVersionFact = { name: string; owner: string } & Omit<ScanLayerVersion, 'usedBy'>;

export interface Fact {
  kind: FactKind;
  /** What it is about (an ARN), for queries. */
  subject: string;
  /** For layer versions: the digest whose inventory it refers to. */
  digest: string | null;
  body: string;
  /** sha256 of kind and body: equal facts are stored once. */
  hash: Buffer;
}

function fact(kind: FactKind, subject: string, digest: string | null, value: unknown): Fact {
  const body = JSON.stringify(value);
  const hash = createHash('sha256').update(kind).update('\0').update(body).digest();
  return { kind, subject, digest, body, hash };
}

/**
 * A scan (plus verdicts and signing facts) as facts, made one at a time: a large estate's facts
 * are its size again in strings (100,000 functions: ~85 MB of bodies), so they are stored as
 * they are made rather than held all at once.
 */
export function* factsOf(
  result: ScanResult,
  verdicts: readonly Verdict[] = [],
  signing: readonly SigningFact[] = []
): Generator<Fact> {
  for (const f of result.functions) yield fact('function', f.arn, null, f);
  for (const l of result.layers)
    for (const v of l.versions)
      yield fact('layer-version', v.arn, v.digest, layerVersionFact(l, v));
  for (const f of result.failures) yield fact('failure', f.subject, null, f);
  for (const v of verdicts) yield fact('verdict', v.subject.arn ?? v.subject.name, null, v);
  for (const s of signing) yield fact('signing', s.jobArn, null, s);
}

/** A layer version as its fact records it: its layer's name and owner, not who uses it. */
export function layerVersionFact(
  l: Pick<ScanLayer, 'name' | 'owner'>,
  v: ScanLayerVersion
): LayerVersionFact {
  const body: LayerVersionFact & { usedBy?: string[] } = { name: l.name, owner: l.owner, ...v };
  delete body.usedBy;
  return body;
}

/** How many facts {@link factsOf} makes of the same input. */
export function factCount(
  result: ScanResult,
  verdicts: readonly Verdict[] = [],
  signing: readonly SigningFact[] = []
): number {
  let versions = 0;
  for (const l of result.layers) versions += l.versions.length;
  return (
    result.functions.length + versions + result.failures.length + verdicts.length + signing.length
  );
}

/**
 * Rebuild the scan result from its facts, sorted as `scan` sorts it, with `usedBy` and `drift`
 * derived again.
 */
export function fromFacts(
  meta: { toolVersion: string; scope: ScanResult['scope'] },
  functions: ScanFunction[],
  versions: LayerVersionFact[],
  failures: ScanFailure[]
): ScanResult {
  functions.sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.arn, b.arn)
  );
  const usedBy = new Map<string, Set<string>>();
  for (const f of functions)
    for (const l of f.layers) {
      const s = usedBy.get(l.arn) ?? new Set<string>();
      s.add(f.arn);
      usedBy.set(l.arn, s);
    }
  const layers = new Map<string, ScanLayer>();
  for (const { name, owner, ...v } of versions) {
    const key = `${owner}\0${name}`;
    const layer = layers.get(key) ?? { name, owner, regions: [], versions: [] };
    layers.set(key, layer);
    if (!layer.regions.includes(v.region)) layer.regions.push(v.region);
    layer.versions.push({ ...v, usedBy: [...(usedBy.get(v.arn) ?? [])].sort() });
  }
  const layerList = sortScanLayers(layers.values());
  failures.sort(
    (a, b) => cmp(a.scope, b.scope) || cmp(a.subject, b.subject) || cmp(a.code, b.code)
  );
  return {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    tool: { name: 'lamina', version: meta.toolVersion },
    scope: meta.scope,
    functions,
    layers: layerList,
    failures,
    drift: computeDrift(functions, layerList),
  };
}
