/**
 * The data the HTML report's script renders (pure): the drift matrix in a compact form, the
 * package diffs it links to, failures, verdicts and changes.
 */
import type { PackageDiff } from '../../diff/diff.js';
import { CHANGE_KINDS, type ChangeKind, type Changes } from '../../history/changes.js';
import { CHANGE_HEADERS, CHANGE_TITLES, changeRows } from '../changes.js';
import {
  loadsCode,
  type LayerDrift,
  type ScanFailure,
  type ScanLayerVersion,
  type ScanResult,
} from '../../scan/result.js';
import type { Verdict } from '../../verify/verdict.js';
import { escapeTerminal } from '../../util/escape.js';
import { DIFF_SUMMARY_LABELS } from '../package-diff.js';
import { handlersToReview } from '../scan-handlers.js';
import { scanImagesView, type ScanImagesView } from '../scan-images.js';
import { displayName } from '../verdict-text.js';
import { imageConfigWords, variableText } from '../words.js';
import { cmp } from '../../util/compare.js';

export interface HtmlReportInput {
  scan: ScanResult;
  verdicts?: readonly Verdict[];
  /** Changes since the previous scan, when history exists. */
  changes?: Changes;
  /** The kinds of change that fail the run (`--fail-on`), highlighted. */
  failing?: readonly ChangeKind[];
  title?: string;
  /** Shown in the header; left out by default so the same scan gives the same file. */
  generatedAt?: Date;
}

/**
 * A cell's state, worst first: the layer version could not be read; its verdict failed; the
 * function is behind; its verdict warned; up to date.
 */
export type CellState = 'failed' | 'fail' | 'behind' | 'warn' | 'ok';

/**
 * [column, version, behind, state, index in diffs of the layer diff to the newest (-1: none),
 * index in diffs of what it changes in this function when other layers hide part of it (-1)]
 */
export type Cell = [number, number, number, CellState, number, number];

/**
 * [function version ARN, its own verdict when verified, its cells]. Name and region are read
 * from the ARN by the script: at 10,000 functions every byte per row counts.
 */
export type ReportFunction = [string, 'pass' | 'fail' | 'warn' | null, Cell[]];

export interface ReportColumn {
  name: string;
  owner: string;
  /** Functions using it (any version, any region). */
  functions: number;
  regions: {
    region: string;
    newestVersion: number;
    newestDigest: string | null;
    inUse: {
      version: number;
      digest: string | null;
      functions: number;
      behind: number;
      /** Index in diffs, -1 when none. */
      diff: number;
      unavailable: string | null;
      verdict: 'pass' | 'fail' | 'warn' | null;
      failure: string | null;
    }[];
  }[];
}

export interface ReportVerdict {
  label: string;
  kind: 'layer' | 'function' | 'image';
  arn: string | null;
  ok: boolean;
  mode: string;
  checks: { id: string; outcome: string; detail: string }[];
}

export interface ReportData {
  title: string;
  /** Labels of the package diff counts, in order. */
  diffLabels: (readonly [string, string])[];
  generatedAt: string | null;
  scope: ScanResult['scope'];
  summary: { label: string; value: number; tone: 'good' | 'bad' | 'neutral' }[];
  columns: ReportColumn[];
  functions: ReportFunction[];
  diffs: PackageDiff[];
  regionDiffs: NonNullable<ScanResult['drift']['regionDiffs']>;
  packages: {
    name: string;
    key: string;
    versions: { version: string | null; functions: number; layers: string[] }[];
  }[];
  /**
   * Functions whose environment makes the runtime load code (`NODE_OPTIONS`, `PYTHONPATH`, ...):
   * [function label, region, the variables as NAME="value" or why Lambda did not return them].
   */
  environment: [string, string, string][];
  /**
   * Functions whose Handler makes the runtime load code outside their own (those
   * `function:handler` fails unless allowed): [function label, region, Handler, what it loads].
   */
  handlers: [string, string, string, string][];
  /**
   * Image functions that set their own entry point, command or working directory:
   * [function label, region, the settings as `EntryPoint=[…] Command=[…]`].
   */
  imageConfigs: [string, string, string][];
  failures: ScanFailure[];
  /** The images section; null when the scan found no image function. */
  images: ScanImagesView | null;
  verdicts: ReportVerdict[] | null;
  changes: ReportChanges | null;
}

export interface ReportChanges {
  from: Changes['from'];
  to: Changes['to'];
  kinds: { kind: ChangeKind; title: string; count: number; failing: boolean }[];
  lists: { kind: ChangeKind; title: string; headers: string[]; rows: string[][] }[];
  unavailable: string[];
}

function outcomeOf(v: Verdict | undefined): 'pass' | 'fail' | 'warn' | null {
  if (!v) return null;
  if (!v.ok) return 'fail';
  return v.checks.some((c) => c.outcome === 'warn') ? 'warn' : 'pass';
}

type InUse = NonNullable<ScanResult['drift']['layerDiffs']>[number]['inUse'][number];

/** Build the report's data from a scan (with its package drift), verdicts and changes. */
export function buildReportData(input: HtmlReportInput): ReportData {
  const scan = input.scan;
  const verdictOf = new Map<string, Verdict>();
  for (const v of input.verdicts ?? []) if (v.subject.arn) verdictOf.set(v.subject.arn, v);

  const layerVersion = new Map(
    scan.layers.flatMap((l) => l.versions.map((v) => [v.arn, v] as const))
  );
  const colKey = (owner: string, name: string) => `${owner}\0${name}`;
  const users = new Map<string, number>();
  for (const f of scan.functions)
    for (const k of new Set(f.layers.map((l) => colKey(l.owner, l.name))))
      users.set(k, (users.get(k) ?? 0) + 1);
  // Most used layers first: the first page of columns is the one most functions share.
  const colList = [...users.keys()].sort((a, b) => users.get(b)! - users.get(a)! || cmp(a, b));
  const colIndex = new Map(colList.map((k, i) => [k, i]));

  // How far behind a version is depends on its layer, region and number only, not on who uses
  // it: one entry per version in use, not one per function (200,000 at 100,000 functions).
  const behindOf = new Map<string, number>();
  const driftOf = new Map<string, LayerDrift[]>();
  for (const d of scan.drift.layers) {
    const ck = colKey(d.owner, d.name);
    for (const f of d.functions) behindOf.set(`${ck}\0${d.region}\0${f.version}`, f.behind);
    const list = driftOf.get(ck);
    if (list) list.push(d);
    else driftOf.set(ck, [d]);
  }

  const diffs: PackageDiff[] = [];
  const diffIndex = new Map<PackageDiff, number>();
  const indexOf = (d: PackageDiff) => {
    let i = diffIndex.get(d);
    if (i === undefined) diffIndex.set(d, (i = diffs.push(d) - 1));
    return i;
  };
  const diffKeyOf = new Map<string, number>();
  // Per version in use, per function: the functions' own ARNs as keys, no string made for each.
  const effectKeyOf = new Map<string, Map<string, number>>();
  // Each version's entry in the first diff of its layer and region, as a search from the start
  // finds it.
  const inUseOf = new Map<string, InUse>();
  const diffed = new Set<string>();
  for (const l of scan.drift.layerDiffs ?? []) {
    const place = `${colKey(l.owner, l.name)}\0${l.region}`;
    const first = !diffed.has(place);
    diffed.add(place);
    for (const u of l.inUse) {
      const at = `${place}\0${u.version}`;
      if (first && !inUseOf.has(at)) inUseOf.set(at, u);
      if (u.diff) diffKeyOf.set(at, indexOf(u.diff));
      for (const e of u.catchUp) {
        if (!e.diff) continue;
        const i = indexOf(e.diff);
        let byFunction = effectKeyOf.get(at);
        if (!byFunction) effectKeyOf.set(at, (byFunction = new Map<string, number>()));
        for (const f of e.functions) byFunction.set(f, i);
      }
    }
  }

  const functions = scan.functions.map((f) => {
    const cells: Cell[] = f.layers.map((l) => {
      const ck = colKey(l.owner, l.name);
      const at = `${ck}\0${f.region}\0${l.version}`;
      const behind = behindOf.get(at) ?? 0;
      const lv = layerVersion.get(l.arn);
      const verdict = outcomeOf(verdictOf.get(l.arn));
      const state: CellState =
        !lv || lv.status === 'failed'
          ? 'failed'
          : verdict === 'fail'
            ? 'fail'
            : behind > 0
              ? 'behind'
              : verdict === 'warn'
                ? 'warn'
                : 'ok';
      return [
        colIndex.get(ck)!,
        l.version,
        behind,
        state,
        diffKeyOf.get(at) ?? -1,
        effectKeyOf.get(at)?.get(f.arn) ?? -1,
      ];
    });
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    return { name, row: [f.arn, outcomeOf(verdictOf.get(f.arn)), cells] as ReportFunction };
  });
  functions.sort((a, b) => cmp(a.name, b.name) || cmp(a.row[0], b.row[0]));

  // The versions of the first layer of each name and owner, as a search from the start finds.
  const versionOf = new Map<string, ScanLayerVersion>();
  const seenLayers = new Set<string>();
  for (const l of scan.layers) {
    const ck = colKey(l.owner, l.name);
    if (seenLayers.has(ck)) continue;
    seenLayers.add(ck);
    for (const v of l.versions) {
      const at = `${ck}\0${v.region}\0${v.version}`;
      if (!versionOf.has(at)) versionOf.set(at, v);
    }
  }
  const columns: ReportColumn[] = colList.map((k) => {
    const [owner, name] = k.split('\0') as [string, string];
    const regions = (driftOf.get(k) ?? []).map((d) => {
      const byVersion = new Map<number, number>();
      for (const u of d.functions) byVersion.set(u.version, (byVersion.get(u.version) ?? 0) + 1);
      return {
        region: d.region,
        newestVersion: d.newestVersion,
        newestDigest: d.newestDigest,
        inUse: [...byVersion.entries()]
          .sort(([x], [y]) => x - y)
          .map(([version, n]) => {
            const at = `${k}\0${d.region}\0${version}`;
            const lv = versionOf.get(at);
            const lDiff = inUseOf.get(at);
            return {
              version,
              digest: lv?.digest ?? null,
              functions: n,
              behind: behindOf.get(at) ?? 0,
              diff: diffKeyOf.get(at) ?? -1,
              unavailable: lDiff?.diffUnavailable ?? null,
              verdict: lv ? outcomeOf(verdictOf.get(lv.arn)) : null,
              failure: lv?.failure ? `${lv.failure.code}: ${lv.failure.reason}` : null,
            };
          }),
      };
    });
    return { name, owner, functions: users.get(k)!, regions };
  });

  const versions = scan.layers.flatMap((l) => l.versions);
  const behindFns = new Set(
    scan.drift.layers.flatMap((d) => d.functions.filter((f) => f.behind > 0).map((f) => f.arn))
  );
  const verdicts = input.verdicts
    ? input.verdicts.map((v) => ({
        label: displayName(v),
        kind: v.subject.kind,
        arn: v.subject.arn ?? null,
        ok: v.ok,
        mode: v.mode,
        checks: v.checks.map((c) => ({ id: c.id, outcome: c.outcome, detail: c.detail })),
      }))
    : null;
  const summary: ReportData['summary'] = [
    { label: 'Functions', value: scan.functions.length, tone: 'neutral' },
    {
      label: 'Functions behind on a layer',
      value: behindFns.size,
      tone: behindFns.size ? 'bad' : 'good',
    },
    { label: 'Layer versions', value: versions.length, tone: 'neutral' },
    {
      label: 'Layer versions that failed',
      value: versions.filter((v) => v.status === 'failed').length,
      tone: versions.some((v) => v.status === 'failed') ? 'bad' : 'good',
    },
    {
      label: 'Version numbers with different bytes across regions',
      value: scan.drift.digestMismatches.length,
      tone: scan.drift.digestMismatches.length ? 'bad' : 'good',
    },
  ];
  const images = scanImagesView(scan);
  if (images) {
    const errors = images.findings.filter((f) => f.severity === 'error').length;
    summary.push(
      { label: 'Image functions', value: images.functionCount, tone: 'neutral' },
      {
        label: 'Image findings (errors)',
        value: errors,
        tone: errors ? 'bad' : 'good',
      },
      {
        label: 'Image functions whose image failed',
        value: images.failed.length,
        tone: images.failed.length ? 'bad' : 'good',
      }
    );
  }
  const environment = scan.functions.flatMap((f): [string, string, string][] => {
    const env = f.environment;
    if (!loadsCode(env)) return [];
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    const vars =
      'unread' in env
        ? `variables not returned: ${env.unread}`
        : env.loaders.map(variableText).join(' ');
    return [[`${name} [${f.account}]`, f.region, vars]];
  });
  const handlers = handlersToReview(scan.functions).map((h): [string, string, string, string] => {
    const f = h.function;
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    return [`${name} [${f.account}]`, f.region, h.handler, h.loads];
  });
  const imageConfigs = scan.functions.flatMap((f): [string, string, string][] => {
    const config = f.image?.config;
    if (!config) return [];
    const name = f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
    return [[`${name} [${f.account}]`, f.region, imageConfigWords(config).join(' ')]];
  });
  if (environment.length > 0)
    summary.push({
      label: 'Functions whose environment makes the runtime load code',
      value: environment.length,
      tone: 'neutral',
    });
  if (handlers.length > 0)
    summary.push({
      label: 'Functions whose Handler makes the runtime load code outside their own',
      value: handlers.length,
      tone: 'neutral',
    });
  if (imageConfigs.length > 0)
    summary.push({
      label: 'Image functions with their own entry point, command or working directory',
      value: imageConfigs.length,
      tone: 'neutral',
    });
  summary.push({
    label: 'Failures',
    value: scan.failures.length,
    tone: scan.failures.length ? 'bad' : 'good',
  });
  if (verdicts) {
    const failed = verdicts.filter((v) => !v.ok).length;
    summary.push({ label: 'Verdicts failed', value: failed, tone: failed ? 'bad' : 'good' });
  }
  return printableDeep({
    title: input.title ?? 'lamina report',
    diffLabels: [...DIFF_SUMMARY_LABELS],
    generatedAt: input.generatedAt?.toISOString() ?? null,
    scope: scan.scope,
    summary,
    columns,
    functions: functions.map((f) => f.row),
    diffs,
    regionDiffs: scan.drift.regionDiffs ?? [],
    packages: (scan.drift.packages ?? [])
      .filter((p) => p.versions.length > 1)
      .map((p) => ({
        name: p.name,
        key: p.key,
        versions: p.versions.map((v) => ({
          version: v.version,
          functions: v.functions.length,
          layers: v.layers,
        })),
      })),
    environment,
    handlers,
    imageConfigs,
    failures: scan.failures,
    images,
    verdicts,
    changes: input.changes ? reportChanges(input.changes, input.failing ?? []) : null,
  });
}

/**
 * Every string made escapeTerminal: names and paths come from untrusted layers, and a bidi override
 * or control character must not reorder or hide what the page shows.
 */
function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeTerminal(value) as T;
  // A copy only of what changes: at 100,000 functions a copy of everything was 50 MB more
  // held at once, for strings that almost never need escaping.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v: unknown, i) => {
      const p = printableDeep(v);
      if (p !== v) out ??= value.slice(0, i);
      out?.push(p);
    });
    return (out ?? value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const printable = entries.map(([k, v]) => [escapeTerminal(k), printableDeep(v)] as const);
    const same =
      Object.getPrototypeOf(value) === Object.prototype &&
      printable.every(([k, v], i) => k === entries[i]![0] && v === entries[i]![1]);
    return (same ? value : Object.fromEntries(printable)) as T;
  }
  return value;
}

function reportChanges(c: Changes, failing: readonly ChangeKind[]): ReportChanges {
  return {
    from: c.from,
    to: c.to,
    kinds: CHANGE_KINDS.map((kind) => ({
      kind,
      title: CHANGE_TITLES[kind],
      count: c.summary[kind],
      failing: failing.includes(kind),
    })),
    lists: CHANGE_KINDS.filter((k) => c.summary[k] > 0).map((kind) => ({
      kind,
      title: CHANGE_TITLES[kind],
      headers: CHANGE_HEADERS[kind],
      rows: changeRows(c, kind),
    })),
    unavailable: c.unavailable,
  };
}
