import type { DigestMismatch, Drift, LayerDrift, ScanFunction, ScanLayer } from './result.js';
import { sameList } from '../util/intern.js';
import { cmp } from '../util/compare.js';

/**
 * First cut of drift, from the facts of a scan (pure). Layer version numbers
 * are per region, so "newest" and "behind" are computed within a region:
 * `behind` counts the existing versions published after the one a function uses.
 * A version exists when it was listed or its content could be read.
 */
export function computeDrift(functions: ScanFunction[], layers: ScanLayer[]): Drift {
  // Index each function's layer references once: (owner, name, region) → version → users.
  const refs = new Map<string, Map<number, string[]>>();
  for (const fn of functions) {
    for (const l of fn.layers) {
      const k = `${l.owner}\0${l.name}\0${fn.region}`;
      let byVersion = refs.get(k);
      if (!byVersion) refs.set(k, (byVersion = new Map<number, string[]>()));
      const list = byVersion.get(l.version);
      if (list) list.push(fn.arn);
      else byVersion.set(l.version, [fn.arn]);
    }
  }
  const out: LayerDrift[] = [];
  for (const layer of layers) {
    for (const region of layer.regions) {
      const versions = layer.versions.filter((v) => v.region === region);
      const existing = versions.filter((v) => v.listed || v.digest !== null);
      const newest = existing.reduce<(typeof existing)[number] | undefined>(
        (a, v) => (a === undefined || v.version > a.version ? v : a),
        undefined
      );
      const byVersion = refs.get(`${layer.owner}\0${layer.name}\0${region}`);
      if (!newest && !byVersion) continue;
      const users: VersionUsers[] = [...(byVersion ?? [])]
        .sort(([a], [b]) => a - b)
        .map(([version, arns]) => {
          arns.sort(cmp);
          // A version's users are usually its record's: one list for both.
          const rec = versions.find((v) => v.version === version);
          return {
            version,
            behind: existing.filter((v) => v.version > version).length,
            arns: rec && sameList(rec.usedBy, arns) ? rec.usedBy : arns.slice(),
          };
        });
      out.push(
        layerDrift(
          {
            name: layer.name,
            owner: layer.owner,
            region,
            newestVersion: newest?.version ?? Math.max(...versions.map((v) => v.version)),
            newestDigest: newest?.digest ?? null,
          },
          users
        )
      );
    }
  }

  const mismatches: DigestMismatch[] = [];
  for (const layer of layers) {
    const byVersion = new Map<number, Map<string, string>>();
    for (const v of layer.versions) {
      if (v.digest === null) continue;
      const m = byVersion.get(v.version) ?? new Map<string, string>();
      m.set(v.region, v.digest);
      byVersion.set(v.version, m);
    }
    for (const [version, regions] of byVersion) {
      if (new Set(regions.values()).size < 2) continue;
      mismatches.push({
        name: layer.name,
        owner: layer.owner,
        version,
        regions: [...regions]
          .map(([region, digest]) => ({ region, digest }))
          .sort((a, b) => cmp(a.region, b.region)),
      });
    }
  }
  mismatches.sort((a, b) => cmp(a.owner, b.owner) || cmp(a.name, b.name) || a.version - b.version);
  return { layers: out, digestMismatches: mismatches };
}

/** The functions using one version of a layer in a region, sorted (a function may repeat). */
interface VersionUsers {
  version: number;
  behind: number;
  arns: readonly string[];
}

/**
 * A layer's drift whose `functions` rows are made from its versions' users each time they are
 * read (a frozen list, sorted by ARN and version): a scan of 100,000 functions has 200,000 rows,
 * 11 MB as objects at its fullest moment, where the users are one list per version that is
 * mostly the version record's own `usedBy`. JSON, spreads and every reader see the rows.
 */
function layerDrift(fields: Omit<LayerDrift, 'functions'>, users: VersionUsers[]): LayerDrift {
  const d = { ...fields } as LayerDrift;
  Object.defineProperty(d, 'functions', {
    enumerable: true,
    get: (): LayerDrift['functions'] => rowsOf(users),
  });
  return d;
}

function rowsOf(users: VersionUsers[]): LayerDrift['functions'] {
  const rows: LayerDrift['functions'] = [];
  for (const u of users)
    for (const arn of u.arns) rows.push({ arn, version: u.version, behind: u.behind });
  rows.sort((a, b) => cmp(a.arn, b.arn) || a.version - b.version);
  return Object.freeze(rows) as LayerDrift['functions'];
}
