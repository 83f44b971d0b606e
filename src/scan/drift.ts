import type { DigestMismatch, Drift, LayerDrift, ScanFunction, ScanLayer } from './result.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * First cut of drift, from the facts of a scan (pure). Layer version numbers
 * are per region, so "newest" and "behind" are computed within a region:
 * `behind` counts the existing versions published after the one a function uses.
 * A version exists when it was listed or its content could be read.
 */
export function computeDrift(functions: ScanFunction[], layers: ScanLayer[]): Drift {
  // Index each function's layer references once: (owner, name, region) → users.
  // The rows are the output's own (behind filled in below): at 100,000 functions a second copy
  // of each would be 200,000 objects more at the scan's fullest.
  const refs = new Map<string, LayerDrift['functions']>();
  for (const fn of functions) {
    for (const l of fn.layers) {
      const k = `${l.owner}\0${l.name}\0${fn.region}`;
      const row = { arn: fn.arn, version: l.version, behind: 0 };
      const list = refs.get(k);
      if (list) list.push(row);
      else refs.set(k, [row]);
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
      // Each (owner, name, region) is visited once, so its rows are filled in place.
      const users = refs.get(`${layer.owner}\0${layer.name}\0${region}`) ?? [];
      for (const u of users) {
        let behind = 0;
        for (const v of existing) if (v.version > u.version) behind += 1;
        u.behind = behind;
      }
      if (!newest && users.length === 0) continue;
      users.sort((a, b) => cmp(a.arn, b.arn) || a.version - b.version);
      out.push({
        name: layer.name,
        owner: layer.owner,
        region,
        newestVersion: newest?.version ?? Math.max(...versions.map((v) => v.version)),
        newestDigest: newest?.digest ?? null,
        // Exactly sized: pushed lists carry up to half their length again in spare room.
        functions: users.length > 0 ? users.slice() : users,
      });
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
