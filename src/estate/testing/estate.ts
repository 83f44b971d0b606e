/**
 * Small synthetic estates for unit tests: scan results built in memory (as `scan` would
 * report them) and npm-only inventories, keyed by a tag that also makes their digest.
 */
import { createHash } from 'node:crypto';
import { npmPurl } from '../../inventory/purl.js';
import type { Inventory } from '../../model/inventory.js';
import { newPackage } from '../../model/package.js';
import { computeDrift } from '../../scan/drift.js';
import { cmp } from '../../util/compare.js';
import type { ScanFunction, ScanLayer, ScanLayerVersion, ScanResult } from '../../scan/result.js';

export const ACCT = '111111111111';
export const lvArn = (region: string, name: string, v: number) =>
  `arn:aws:lambda:${region}:${ACCT}:layer:${name}:${v}`;
export const fnArn = (region: string, name: string) =>
  `arn:aws:lambda:${region}:${ACCT}:function:${name}:$LATEST`;
/** A digest derived from the tag (sha256 of it), so each tag has its own. */
export const digest = (tag: string) => `sha256:${createHash('sha256').update(tag).digest('hex')}`;

/** npm packages at nodejs/node_modules/<name>. */
export function inventory(tag: string, pkgs: Record<string, string>): Inventory {
  return {
    artifact: { name: tag, kind: 'zip', sha256: digest(tag).slice(7), size: 1, properties: {} },
    packages: Object.entries(pkgs).map(([name, version]) =>
      newPackage({
        id: `npm:${name}`,
        ecosystem: 'npm',
        name,
        version,
        purl: npmPurl(name, version),
        foundBy: 'npm-installed',
        locations: [{ path: `nodejs/node_modules/${name}/package.json` }],
      })
    ),
    findings: [],
    complete: true,
  };
}

export interface VersionSpec {
  region: string;
  name: string;
  version: number;
  /** Inventory tag; null: the version could not be read. */
  tag: string | null;
  /** Signing job and profile version ARNs, when signed. */
  signingJob?: string;
  signingProfile?: string;
}

/** A function: region, name, and its layers in attach order as (layer name, version). */
export type FunctionSpec = [string, string, [string, number][]];

export function estate(versions: VersionSpec[], functions: FunctionSpec[]): ScanResult {
  const specOf = new Map(versions.map((x) => [`${x.region}\0${x.name}\0${x.version}`, x]));
  const fns: ScanFunction[] = functions.map(([region, name, layers]) => ({
    account: ACCT,
    region,
    name,
    arn: fnArn(region, name),
    version: '$LATEST',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    architectures: ['x86_64'],
    packageType: 'Zip',
    codeSigningConfig: null,
    layers: layers.map(([ln, v]) => {
      const spec = specOf.get(`${region}\0${ln}\0${v}`);
      return {
        arn: lvArn(region, ln, v),
        name: ln,
        owner: ACCT,
        version: v,
        digest: spec?.tag ? digest(spec.tag) : null,
      };
    }),
  }));
  const users = new Map<string, string[]>();
  for (const f of fns)
    for (const l of f.layers) users.set(l.arn, [...new Set([...(users.get(l.arn) ?? []), f.arn])]);
  const layers = new Map<string, ScanLayer>();
  for (const s of versions) {
    const l = layers.get(s.name) ?? { name: s.name, owner: ACCT, regions: [], versions: [] };
    layers.set(s.name, l);
    if (!l.regions.includes(s.region)) l.regions.push(s.region);
    const arn = lvArn(s.region, s.name, s.version);
    const v: ScanLayerVersion = {
      arn,
      region: s.region,
      version: s.version,
      listed: s.tag !== null,
      digest: s.tag ? digest(s.tag) : null,
      codeSha256: null,
      size: null,
      signingProfileVersionArn: s.signingProfile ?? null,
      signingJobArn: s.signingJob ?? null,
      status: s.tag ? 'inventoried' : 'failed',
      failure: s.tag ? null : { code: 'NOT_FOUND', reason: 'deleted' },
      sbom: null,
      packageCount: null,
      inventoryComplete: null,
      usedBy: [...(users.get(arn) ?? [])].sort(),
    };
    l.versions.push(v);
  }
  fns.sort((a, b) => cmp(a.arn, b.arn));
  const layerList = [...layers.values()]
    .map((l) => ({
      ...l,
      regions: l.regions.sort(),
      versions: l.versions.sort((a, b) => cmp(a.region, b.region) || a.version - b.version),
    }))
    .sort((a, b) => cmp(a.name, b.name));
  const result: ScanResult = {
    schemaVersion: 1,
    tool: { name: 'lamina', version: '0.0.0-test' },
    scope: { accounts: [ACCT], regions: [...new Set(versions.map((v) => v.region))].sort() },
    functions: fns,
    layers: layerList,
    failures: [],
    drift: computeDrift(fns, layerList),
  };
  return result;
}
