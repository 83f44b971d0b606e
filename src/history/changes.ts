/**
 * What changed between two recorded scans (pure): the facts a scheduled job wants to hear
 * about, each kind in its own list, and which kinds make it fail.
 */
import { UsageError } from '../errors.js';
import { comparableFromInventory, type ComparableEntry } from '../diff/comparable.js';
import { diffInventories, type PackageDiff } from '../diff/diff.js';
import type { VersionOrder } from '../diff/version-order.js';
import { handlerTarget, type HandlerTarget } from '../model/function-handler.js';
import type { Inventory } from '../model/inventory.js';
import { requiredAs } from '../model/package.js';
import {
  recordsEnvironments,
  type ScanFailure,
  type ScanFunction,
  type ScanLayerVersion,
  type ScanResult,
  type ScanFunctionLayer,
} from '../scan/result.js';
import type { RecordedScan } from './types.js';
import { cmp } from '../util/compare.js';

/** Every kind of change, in report order. */
export const CHANGE_KINDS = [
  'digest-changed',
  'signing-revoked',
  'package-denied',
  'digest-new',
  'layer-version-added',
  'layer-version-removed',
  'function-added',
  'function-removed',
  'function-moved',
  'function-environment',
  'function-handler',
  'drift-grew',
  'drift-shrank',
  'failure-new',
  'failure-resolved',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** What `--fail-on` selects when not given: the kinds that can mean an attack. */
export const DEFAULT_FAIL_ON: readonly ChangeKind[] = [
  'digest-changed',
  'signing-revoked',
  'package-denied',
  'function-environment',
  'function-handler',
];

export interface LayerVersionRef {
  arn: string;
  name: string;
  owner: string;
  region: string;
  version: number;
  digest: string | null;
}

export interface FunctionMove {
  /** Function version ARN. */
  function: string;
  layer: { name: string; owner: string };
  /** The version it used before; null when the layer was attached since. */
  from: { arn: string; version: number; digest: string | null } | null;
  /** The version it uses now; null when the layer was detached. */
  to: { arn: string; version: number; digest: string | null } | null;
}

/**
 * A function version whose environment now sets a variable that loads code it did not set with
 * that value before, or whose variables Lambda no longer returned (removals are not changes of
 * this kind: they load less); or a version published since that sets one no version of its
 * function set in the earlier scan.
 */
export interface EnvironmentChange {
  /** Function version ARN. */
  function: string;
  /** The variables set now that were not set so before (sorted by name); empty when unread. */
  loaders: { name: string; value: string }[];
  /** Why its variables could not be read in the later scan, when they could not. */
  unread?: string;
  /** Its loader variables in the earlier scan (a version published since: `comparedWith`'s). */
  before: { name: string; value: string }[];
  /** A version published since: the earlier scan's `$LATEST` of its function, compared with. */
  comparedWith?: string;
}

/**
 * A zip function version whose Handler is not the one it had, or is now read by a runtime of
 * another language (for a version published since: not one any version of the function had):
 * the runtime loads other code at every start (`index.handler` to `/opt/share/doc/x.handler`
 * loads a layer's data file, and so does that Handler kept while `provided.al2023`, whose
 * bootstrap read it, becomes `nodejs20.x`).
 */
export interface HandlerChange {
  /** Function version ARN. */
  function: string;
  /** Its Runtime in the later scan. */
  runtime: string | null;
  /** Its Runtime in the earlier scan. */
  runtimeBefore: string | null;
  /** The Handler in the earlier scan; null when Lambda returned none. */
  from: string | null;
  /** The Handler now; null when Lambda returned none. */
  to: string | null;
  /**
   * For a version published since the earlier scan: the function's `$LATEST` there, whose
   * Handler and Runtime are `from` and `runtimeBefore` (no version of the function had its own).
   */
  comparedWith?: string;
  /**
   * Where the runtime takes the new Handler's code from, as `function:handler` judges it
   * (`outside` and `unknown` fail it unless `handler.allow` lists the Handler), and in words.
   */
  target: HandlerTarget['kind'];
  loads: string;
}

/** Same layer version ARN, other bytes: republished under the same number, or tampered with. */
export interface DigestChange {
  arn: string;
  from: string;
  to: string;
  /** Functions using it now. */
  usedBy: string[];
  /** What differs, when both inventories are recorded. */
  diff: PackageDiff | null;
}

export interface NewDigest {
  digest: string;
  layerVersions: string[];
}

export interface SigningRevocation {
  /** A job or a whole profile version. */
  scope: 'job' | 'profile';
  /** The job ARN or the profile version ARN. */
  arn: string;
  /** Whether the earlier scan saw it (not revoked then) or did not see it at all. */
  before: 'not-revoked' | 'not-seen';
  /** Layer versions signed by it in the later scan. */
  layerVersions: string[];
}

export interface DeniedPackage {
  /** purl without version. */
  key: string;
  name: string;
  version: string | null;
  purl: string | null;
  /** npm: the other names `require` finds it by, when it has any (a rule may name one). */
  requiredAs?: string[];
  /** Layer versions carrying it in the later scan. */
  layerVersions: string[];
  /** Functions using those layer versions. */
  functions: string[];
}

export interface DriftChange {
  name: string;
  owner: string;
  region: string;
  before: DriftMeasure;
  after: DriftMeasure;
}

/** How far a layer's functions lag in one scan. */
export interface DriftMeasure {
  /** Functions not on the newest version. */
  functionsBehind: number;
  /** Sum of `behind` over its functions. */
  versionsBehind: number;
}

/** What changed from one scan to another. Every list is sorted. */
export interface Changes {
  from: { scan: number; finishedAt: string };
  to: { scan: number; finishedAt: string };
  /** Count per kind (every kind present, zeros included). */
  summary: Record<ChangeKind, number>;
  digestsChanged: DigestChange[];
  signingRevoked: SigningRevocation[];
  packagesDenied: DeniedPackage[];
  digestsNew: NewDigest[];
  layerVersionsAdded: LayerVersionRef[];
  layerVersionsRemoved: LayerVersionRef[];
  functionsAdded: string[];
  functionsRemoved: string[];
  functionsMoved: FunctionMove[];
  functionsEnvironment: EnvironmentChange[];
  functionsHandler: HandlerChange[];
  driftGrew: DriftChange[];
  driftShrank: DriftChange[];
  failuresNew: ScanFailure[];
  failuresResolved: ScanFailure[];
  /**
   * What could not be compared (an inventory missing for the denied-package check, signing
   * facts not recorded in one of the scans). Non-empty means some changes may be missing.
   */
  unavailable: string[];
}

/** A package as the policy predicate sees it. */
export interface PackageCandidate {
  key: string;
  ecosystem: ComparableEntry['ecosystem'];
  name: string;
  version: string | null;
  purl: string | null;
  /** npm: the other names `require` finds it by (`npm:required-as`), when it has any. */
  requiredAs?: string[];
}

export interface ChangesOptions {
  /** The inventory of a digest, when recorded (for denied packages and republished diffs). */
  inventoryOf?: (digest: string) => Inventory | undefined;
  /** The current policy's deny rule; without it no package is denied. */
  isDenied?: (p: PackageCandidate) => boolean;
  versionOrder?: VersionOrder;
}

function versions(r: ScanResult): Map<string, LayerVersionRef & { v: ScanLayerVersion }> {
  const m = new Map<string, LayerVersionRef & { v: ScanLayerVersion }>();
  for (const l of r.layers)
    for (const v of l.versions)
      m.set(v.arn, {
        arn: v.arn,
        name: l.name,
        owner: l.owner,
        region: v.region,
        version: v.version,
        digest: v.digest,
        v,
      });
  return m;
}

/** Whether two functions' layer lists name the same versions of the same layers in one order. */
function sameLayerVersions(
  a: readonly ScanFunctionLayer[],
  b: readonly ScanFunctionLayer[]
): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return x.owner === y.owner && x.name === y.name && x.version === y.version;
    })
  );
}

/** A layer version exists when it was listed or its content could be read (as drift counts). */
const exists = (v: ScanLayerVersion) => v.listed || v.digest !== null;
const ref = ({ v: _v, ...r }: LayerVersionRef & { v: ScanLayerVersion }): LayerVersionRef => r;

/** Compute the changes from scan `a` to the later scan `b`. */
export function computeChanges(
  a: RecordedScan,
  b: RecordedScan,
  options: ChangesOptions = {}
): Changes {
  const unavailable: string[] = [];
  const va = versions(a.result);
  const vb = versions(b.result);
  const fa = new Map(a.result.functions.map((f) => [f.arn, f]));
  const fb = new Map(b.result.functions.map((f) => [f.arn, f]));

  const layerVersionsAdded = [...vb.values()]
    .filter((x) => exists(x.v) && !(va.has(x.arn) && exists(va.get(x.arn)!.v)))
    .map(ref);
  const layerVersionsRemoved = [...va.values()]
    .filter((x) => exists(x.v) && !(vb.has(x.arn) && exists(vb.get(x.arn)!.v)))
    .map(ref);
  const functionsAdded = [...fb.keys()].filter((k) => !fa.has(k)).sort(cmp);
  const functionsRemoved = [...fa.keys()].filter((k) => !fb.has(k)).sort(cmp);

  const functionsMoved: FunctionMove[] = [];
  for (const [arn, f] of fb) {
    const old = fa.get(arn);
    // The same record (a scan read beside the one after it shares them), or the same versions
    // of the same layers in the same order: nothing moved, and nothing made to say so.
    if (!old || old === f || sameLayerVersions(old.layers, f.layers)) continue;
    const key = (l: { owner: string; name: string }) => `${l.owner}\0${l.name}`;
    const before = new Map(old.layers.map((l) => [key(l), l]));
    const after = new Map(f.layers.map((l) => [key(l), l]));
    for (const k of new Set([...before.keys(), ...after.keys()])) {
      const x = before.get(k);
      const y = after.get(k);
      if (x && y && x.version === y.version) continue;
      const side = (l: typeof x) =>
        l ? { arn: l.arn, version: l.version, digest: l.digest } : null;
      const l = (y ?? x)!;
      functionsMoved.push({
        function: arn,
        layer: { name: l.name, owner: l.owner },
        from: side(x),
        to: side(y),
      });
    }
  }
  functionsMoved.sort(
    (p, q) =>
      cmp(p.function, q.function) ||
      cmp(p.layer.owner, q.layer.owner) ||
      cmp(p.layer.name, q.layer.name)
  );

  const functionsEnvironment = environmentChanges(a, b, fa, fb, unavailable);

  const functionsHandler = handlerChanges(a, b, fa, fb, unavailable);

  const digestsChanged: DigestChange[] = [];
  for (const [arn, y] of vb) {
    const x = va.get(arn);
    if (!x || x.digest === null || y.digest === null || x.digest === y.digest) continue;
    const ia = options.inventoryOf?.(x.digest);
    const ib = options.inventoryOf?.(y.digest);
    digestsChanged.push({
      arn,
      from: x.digest,
      to: y.digest,
      usedBy: y.v.usedBy,
      diff:
        ia && ib
          ? diffInventories(comparableFromInventory(ia), comparableFromInventory(ib), {
              ...(options.versionOrder ? { versionOrder: options.versionOrder } : {}),
            })
          : null,
    });
  }

  const oldDigests = new Set([...va.values()].map((x) => x.digest).filter((d) => d !== null));
  const newDigests = new Map<string, string[]>();
  for (const x of vb.values())
    if (x.digest !== null && !oldDigests.has(x.digest)) {
      const list = newDigests.get(x.digest);
      if (list) list.push(x.arn);
      else newDigests.set(x.digest, [x.arn]);
    }
  const digestsNew: NewDigest[] = [...newDigests.entries()].map(([digest, lvs]) => ({
    digest,
    layerVersions: lvs.sort(cmp),
  }));

  const signingRevoked = revocations(a, b, vb, unavailable);
  const packagesDenied = deniedPackages(a.result, b.result, options, unavailable);
  const { grew: driftGrew, shrank: driftShrank } = driftChanges(a.result, b.result);

  const fkey = (f: ScanFailure) => `${f.scope}\0${f.subject}\0${f.code}`;
  const failA = new Set(a.result.failures.map(fkey));
  const failB = new Set(b.result.failures.map(fkey));
  const failuresNew = b.result.failures.filter((f) => !failA.has(fkey(f)));
  const failuresResolved = a.result.failures.filter((f) => !failB.has(fkey(f)));

  const byArn = (p: { arn: string }, q: { arn: string }) => cmp(p.arn, q.arn);
  const changes: Omit<Changes, 'summary' | 'from' | 'to'> = {
    digestsChanged: digestsChanged.sort(byArn),
    signingRevoked,
    packagesDenied,
    digestsNew: digestsNew.sort((p, q) => cmp(p.digest, q.digest)),
    layerVersionsAdded: layerVersionsAdded.sort(byArn),
    layerVersionsRemoved: layerVersionsRemoved.sort(byArn),
    functionsAdded,
    functionsRemoved,
    functionsMoved,
    functionsEnvironment,
    functionsHandler,
    driftGrew,
    driftShrank,
    failuresNew,
    failuresResolved,
    unavailable: [...new Set(unavailable)].sort(cmp),
  };
  const summary = Object.fromEntries(
    CHANGE_KINDS.map((k) => [k, listOf(changes, k).length])
  ) as Record<ChangeKind, number>;
  return {
    from: { scan: a.info.id, finishedAt: a.info.finishedAt },
    to: { scan: b.info.id, finishedAt: b.info.finishedAt },
    summary,
    ...changes,
  };
}

/**
 * The environment changes of the function versions in both scans and of the versions published
 * since. A scan that did not record environments (scanned by an earlier lamina) says nothing of
 * what was set, not that nothing was: said in `unavailable`, never a change.
 */
function environmentChanges(
  a: RecordedScan,
  b: RecordedScan,
  fa: ReadonlyMap<string, ScanFunction>,
  fb: ReadonlyMap<string, ScanFunction>,
  unavailable: string[]
): EnvironmentChange[] {
  const unrecorded = [a, b].filter((s) => !recordsEnvironments(s.result)).map((s) => s.info.id);
  if (unrecorded.length > 0) {
    // Those in both scans, and those published since of a function the earlier scan had.
    const earlier = new Set([...fa.values()].map(functionKey));
    const compared = [...fb.values()].filter(
      (f) => fa.has(f.arn) || (f.version !== '$LATEST' && earlier.has(functionKey(f)))
    ).length;
    if (compared > 0)
      unavailable.push(
        `scan ${unrecorded.join(' and scan ')} recorded no environments (scanned by an earlier ` +
          `lamina): environment changes of ${compared} function version${compared === 1 ? '' : 's'} not compared`
      );
    return [];
  }
  const out: EnvironmentChange[] = [];
  for (const [arn, f] of fb) {
    const old = fa.get(arn);
    // The same record loads nothing it did not.
    if (!old || old === f) continue;
    const change = environmentChange(arn, old, f);
    if (change) out.push(change);
  }
  out.push(...publishedEnvironmentChanges(fa, fb));
  return out.sort((p, q) => cmp(p.function, q.function));
}

/** The loader variables a scan recorded for a function (none when it recorded none). */
function loadersOf(f: ScanFunction): { name: string; value: string }[] {
  return f.environment && 'loaders' in f.environment ? f.environment.loaders : [];
}

/** What `b` loads that `a` did not, as an EnvironmentChange, or undefined when nothing. */
function environmentChange(
  arn: string,
  a: ScanFunction,
  b: ScanFunction
): EnvironmentChange | undefined {
  const before = loadersOf(a);
  const after = loadersOf(b);
  const known = after.length > 0 ? new Set(before.map((v) => `${v.name}\0${v.value}`)) : null;
  const loaders = known ? after.filter((v) => !known.has(`${v.name}\0${v.value}`)) : after;
  const unread = b.environment && 'unread' in b.environment ? b.environment.unread : undefined;
  const wasUnread = a.environment !== undefined && 'unread' in a.environment;
  if (loaders.length === 0 && (unread === undefined || wasUnread)) return undefined;
  return { function: arn, loaders, ...(unread !== undefined ? { unread } : {}), before };
}

/** A function, whatever its version: account, region and name. */
const functionKey = (f: ScanFunction): string => `${f.account}\0${f.region}\0${f.name}`;

/**
 * A lookup of the earlier scan's functions (whatever their version) that `keep` lets in: each
 * one's `$LATEST`, and what `add` saw of every version of it. Made on the first lookup: a
 * re-scan that met no version published since makes no key per function.
 */
function byFunction(
  fa: ReadonlyMap<string, ScanFunction>,
  keep: (f: ScanFunction) => boolean,
  add: (seen: Set<string>, f: ScanFunction) => void
): (f: ScanFunction) => { latest?: ScanFunction; seen: Set<string> } | undefined {
  let groups: Map<string, { latest?: ScanFunction; seen: Set<string> }> | undefined;
  return (f) => {
    if (!groups) {
      groups = new Map();
      for (const x of fa.values()) {
        if (!keep(x)) continue;
        const g = groups.get(functionKey(x)) ?? { seen: new Set<string>() };
        groups.set(functionKey(x), g);
        if (x.version === '$LATEST') g.latest = x;
        add(g.seen, x);
      }
    }
    return groups.get(functionKey(f));
  };
}

/**
 * The versions published since the earlier scan, of a function it had, that set a loader variable
 * (name and value) no version of that function set then: published with `NODE_OPTIONS=--require
 * /opt/x.js`, an alias moved to it and `$LATEST` left alone, it changes no version in both scans.
 * A function new in the later scan is `function-added`, not this.
 */
function publishedEnvironmentChanges(
  fa: ReadonlyMap<string, ScanFunction>,
  fb: ReadonlyMap<string, ScanFunction>
): EnvironmentChange[] {
  const varKey = (v: { name: string; value: string }) => `${v.name}\0${v.value}`;
  const earlierOf = byFunction(
    fa,
    () => true,
    (seen, x) => {
      for (const v of loadersOf(x)) seen.add(varKey(v));
    }
  );
  const out: EnvironmentChange[] = [];
  for (const [arn, f] of fb) {
    if (fa.has(arn)) continue;
    const e = earlierOf(f);
    if (!e) continue;
    const loaders = loadersOf(f).filter((v) => !e.seen.has(varKey(v)));
    if (loaders.length === 0) continue;
    out.push({
      function: arn,
      loaders,
      before: e.latest ? loadersOf(e.latest) : [],
      ...(e.latest ? { comparedWith: e.latest.arn } : {}),
    });
  }
  return out;
}

/**
 * The language part of a Runtime (`nodejs` of `nodejs20.x`, `provided` of `provided.al2023`):
 * a new version of one reads a Handler as the old did, another language reads it otherwise.
 */
const runtimeLanguage = (runtime: string | null): string | null =>
  runtime === null ? null : (/^[a-z]+/.exec(runtime)?.[0] ?? runtime);

/**
 * The Handler changes of the zip function versions in both scans, and of the versions published
 * since whose Handler (with its runtime's language) no version of the function had before: a
 * version published with `/opt/share/doc/x.handler` and an alias moved to it, `$LATEST` set
 * back, changes no version in both scans. A scan written before scan.json recorded Handlers has
 * none to compare with: said in `unavailable`, never a change.
 */
function handlerChanges(
  a: RecordedScan,
  b: RecordedScan,
  fa: ReadonlyMap<string, ScanFunction>,
  fb: ReadonlyMap<string, ScanFunction>,
  unavailable: string[]
): HandlerChange[] {
  const out: HandlerChange[] = [];
  const unrecorded = new Set<number>();
  let uncompared = 0;
  const start = (f: ScanFunction) => JSON.stringify([f.handler, runtimeLanguage(f.runtime)]);
  // Each zip function of the earlier scan: its $LATEST and what every version of it started.
  const earlierOf = byFunction(
    fa,
    (x) => x.packageType !== 'Image',
    (starts, x) => starts.add(start(x))
  );
  const push = (f: ScanFunction, old: ScanFunction, comparedWith?: string) => {
    const target = handlerTarget({
      packageType: f.packageType,
      runtime: f.runtime ?? undefined,
      handler: f.handler ?? undefined,
    });
    out.push({
      function: f.arn,
      runtime: f.runtime,
      runtimeBefore: old.runtime,
      from: old.handler ?? null,
      to: f.handler ?? null,
      ...(comparedWith !== undefined ? { comparedWith } : {}),
      target: target.kind,
      loads: target.loads,
    });
  };
  for (const [arn, f] of fb) {
    if (f.packageType === 'Image') continue;
    const same = fa.get(arn);
    // The same record starts what it started (one without a Handler is counted below).
    if (same === f && f.handler !== undefined) continue;
    // A version published since is compared with the function's earlier $LATEST and versions;
    // a function new since is function-added.
    const old = same ?? (f.version !== '$LATEST' ? earlierOf(f)?.latest : undefined);
    if (!old || old.packageType === 'Image') continue;
    if (old.handler === undefined || f.handler === undefined) {
      if (old.handler === undefined) unrecorded.add(a.info.id);
      if (f.handler === undefined) unrecorded.add(b.info.id);
      uncompared++;
      continue;
    }
    if (same) {
      const unchanged = same.handler === f.handler && same.runtime === f.runtime;
      if (!unchanged && start(same) !== start(f)) push(f, same);
    } else if (!earlierOf(f)!.seen.has(start(f))) push(f, old, old.arn);
  }
  if (uncompared > 0)
    unavailable.push(
      `scan ${[...unrecorded].join(' and scan ')} recorded no Handlers (scanned by an earlier ` +
        `lamina): Handler changes of ${uncompared} function version${uncompared === 1 ? '' : 's'} not compared`
    );
  return out.sort((p, q) => cmp(p.function, q.function));
}

/** The list holding one kind of change. */
export function listOf(
  c: Omit<Changes, 'summary' | 'from' | 'to'>,
  kind: ChangeKind
): readonly unknown[] {
  switch (kind) {
    case 'digest-changed':
      return c.digestsChanged;
    case 'signing-revoked':
      return c.signingRevoked;
    case 'package-denied':
      return c.packagesDenied;
    case 'digest-new':
      return c.digestsNew;
    case 'layer-version-added':
      return c.layerVersionsAdded;
    case 'layer-version-removed':
      return c.layerVersionsRemoved;
    case 'function-added':
      return c.functionsAdded;
    case 'function-removed':
      return c.functionsRemoved;
    case 'function-moved':
      return c.functionsMoved;
    case 'function-environment':
      return c.functionsEnvironment;
    case 'function-handler':
      return c.functionsHandler;
    case 'drift-grew':
      return c.driftGrew;
    case 'drift-shrank':
      return c.driftShrank;
    case 'failure-new':
      return c.failuresNew;
    case 'failure-resolved':
      return c.failuresResolved;
  }
}

function revocations(
  a: RecordedScan,
  b: RecordedScan,
  vb: Map<string, LayerVersionRef & { v: ScanLayerVersion }>,
  unavailable: string[]
): SigningRevocation[] {
  if (b.verdicts === null && b.signing.length === 0) {
    const signed = [...vb.values()].some((x) => x.v.signingJobArn);
    if (signed)
      unavailable.push(
        `scan ${b.info.id} recorded no signing status (record it with verify --all): revocations not compared`
      );
    return [];
  }
  const jobsA = new Map(a.signing.map((s) => [s.jobArn, s]));
  const profA = new Map<string, boolean>();
  for (const s of a.signing)
    if (s.profileVersionArn)
      profA.set(s.profileVersionArn, (profA.get(s.profileVersionArn) ?? false) || s.profileRevoked);
  const signedBy = (pick: (v: ScanLayerVersion) => string | null, arn: string) =>
    [...vb.values()]
      .filter((x) => pick(x.v) === arn)
      .map((x) => x.arn)
      .sort(cmp);
  const out: SigningRevocation[] = [];
  const seenProfiles = new Set<string>();
  for (const s of b.signing) {
    const old = jobsA.get(s.jobArn);
    if (s.jobRevoked && !old?.jobRevoked)
      out.push({
        scope: 'job',
        arn: s.jobArn,
        before: old ? 'not-revoked' : 'not-seen',
        layerVersions: signedBy((v) => v.signingJobArn, s.jobArn),
      });
    const p = s.profileVersionArn;
    if (p && s.profileRevoked && !profA.get(p) && !seenProfiles.has(p)) {
      seenProfiles.add(p);
      out.push({
        scope: 'profile',
        arn: p,
        before: profA.has(p) ? 'not-revoked' : 'not-seen',
        layerVersions: signedBy((v) => v.signingProfileVersionArn, p),
      });
    }
  }
  return out.sort((x, y) => cmp(x.scope, y.scope) || cmp(x.arn, y.arn));
}

interface DeniedWhere {
  candidate: PackageCandidate;
  layerVersions: Set<string>;
  functions: Set<string>;
}

/** (key, version) pairs the predicate denies in a scan, with where they are. */
function denied(
  r: ScanResult,
  options: ChangesOptions,
  unavailable: string[] | undefined
): Map<string, DeniedWhere> {
  const out = new Map<string, DeniedWhere>();
  const isDenied = options.isDenied;
  if (!isDenied) return out;
  // The predicate runs once per package of each distinct digest.
  const byDigest = new Map<string, PackageCandidate[] | undefined>();
  const candidatesOf = (digest: string): PackageCandidate[] | undefined => {
    if (!byDigest.has(digest)) {
      const inv = options.inventoryOf?.(digest);
      const aliases = new Map(
        (inv?.packages ?? []).flatMap((p) => {
          const names = requiredAs(p);
          return p.purl !== undefined && names.length > 0 ? [[p.purl, names] as const] : [];
        })
      );
      byDigest.set(
        digest,
        inv
          ? comparableFromInventory(inv)
              .entries.filter((e) => e.kind === 'package')
              .map((e) => ({
                key: e.key,
                ecosystem: e.ecosystem,
                name: e.name,
                version: e.version ?? null,
                purl: e.purl ?? null,
                ...(e.purl !== undefined && aliases.has(e.purl)
                  ? { requiredAs: aliases.get(e.purl)! }
                  : {}),
              }))
              .filter((c) => isDenied(c))
          : undefined
      );
    }
    return byDigest.get(digest);
  };
  const missing: string[] = [];
  for (const l of r.layers)
    for (const v of l.versions) {
      if (v.digest === null || v.status !== 'inventoried') continue;
      const list = candidatesOf(v.digest);
      if (!list) {
        missing.push(v.arn);
        continue;
      }
      for (const c of list) {
        const k = `${c.key}\0${c.version}`;
        let d = out.get(k);
        if (!d) out.set(k, (d = { candidate: c, layerVersions: new Set(), functions: new Set() }));
        d.layerVersions.add(v.arn);
        for (const f of v.usedBy) d.functions.add(f);
      }
    }
  if (missing.length > 0)
    unavailable?.push(
      `no inventory recorded for ${missing.length} layer version${missing.length === 1 ? '' : 's'} ` +
        `(${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): their packages were not checked for denied ones`
    );
  return out;
}

function deniedPackages(
  a: ScanResult,
  b: ScanResult,
  options: ChangesOptions,
  unavailable: string[]
): DeniedPackage[] {
  const before = denied(a, options, undefined);
  const after = denied(b, options, unavailable);
  return [...after.entries()]
    .filter(([k]) => !before.has(k))
    .map(([, d]) => ({
      ...d.candidate,
      layerVersions: [...d.layerVersions].sort(cmp),
      functions: [...d.functions].sort(cmp),
    }))
    .sort((x, y) => cmp(x.key, y.key) || cmp(x.version ?? '', y.version ?? ''));
}

function measure(
  r: ScanResult
): Map<string, DriftMeasure & { name: string; owner: string; region: string }> {
  const m = new Map<string, DriftMeasure & { name: string; owner: string; region: string }>();
  for (const d of r.drift.layers)
    m.set(`${d.owner}\0${d.name}\0${d.region}`, {
      name: d.name,
      owner: d.owner,
      region: d.region,
      functionsBehind: d.functions.filter((f) => f.behind > 0).length,
      versionsBehind: d.functions.reduce((n, f) => n + f.behind, 0),
    });
  return m;
}

function driftChanges(
  a: ScanResult,
  b: ScanResult
): { grew: DriftChange[]; shrank: DriftChange[] } {
  const ma = measure(a);
  const mb = measure(b);
  const zero: DriftMeasure = { functionsBehind: 0, versionsBehind: 0 };
  const grew: DriftChange[] = [];
  const shrank: DriftChange[] = [];
  for (const k of [...new Set([...ma.keys(), ...mb.keys()])].sort(cmp)) {
    const x = ma.get(k);
    const y = mb.get(k);
    const id = (x ?? y)!;
    const before = x
      ? { functionsBehind: x.functionsBehind, versionsBehind: x.versionsBehind }
      : zero;
    const after = y
      ? { functionsBehind: y.functionsBehind, versionsBehind: y.versionsBehind }
      : zero;
    // Total lag decides; at equal lag, the number of lagging functions.
    const d =
      after.versionsBehind - before.versionsBehind ||
      after.functionsBehind - before.functionsBehind;
    if (d === 0) continue;
    (d > 0 ? grew : shrank).push({
      name: id.name,
      owner: id.owner,
      region: id.region,
      before,
      after,
    });
  }
  return { grew, shrank };
}

/**
 * Parse `--fail-on`: comma-separated kinds, `any` (every kind) or `none`.
 * @throws UsageError BAD_ARGUMENT naming the unknown kind
 */
export function parseFailOn(spec: string): Set<ChangeKind> {
  const out = new Set<ChangeKind>();
  for (const raw of spec.split(',')) {
    const k = raw.trim();
    if (k === '' || k === 'none') continue;
    if (k === 'any') {
      for (const x of CHANGE_KINDS) out.add(x);
      continue;
    }
    if (!(CHANGE_KINDS as readonly string[]).includes(k))
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--fail-on: unknown kind ${JSON.stringify(k)} (kinds: ${CHANGE_KINDS.join(', ')}, any, none)`,
      });
    out.add(k as ChangeKind);
  }
  return out;
}

/** The selected kinds that occurred: non-empty means the job fails (exit 1). */
export function failingKinds(c: Changes, selected: ReadonlySet<ChangeKind>): ChangeKind[] {
  return CHANGE_KINDS.filter((k) => selected.has(k) && c.summary[k] > 0);
}
