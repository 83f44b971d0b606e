import { createHash } from 'node:crypto';
import type { HashAlgorithm, Package } from '../model/package.js';
import { comparePaths } from '../unpack/paths.js';

/** Packages that become one CycloneDX component. */
export interface ComponentGroup {
  bomRef: string;
  packages: Package[];
  /** Layer-relative evidence paths of every package in the group, sorted. */
  paths: string[];
  hashes: Partial<Record<HashAlgorithm, string>>;
}

/**
 * One component per purl; packages with the same purl but different content
 * (different hashes) stay apart, each with a bom-ref suffixed by a digest of its
 * hashes so the split is deterministic. Packages without a purl (plain files)
 * are one component per path.
 */
export function groupComponents(packages: readonly Package[]): ComponentGroup[] {
  const byPurl = new Map<string, Package[]>();
  const groups: ComponentGroup[] = [];
  for (const p of packages) {
    if (!p.purl) {
      groups.push(makeGroup(`file:${refSafe(p.locations[0]?.path ?? p.id)}`, [p]));
      continue;
    }
    const list = byPurl.get(p.purl) ?? [];
    list.push(p);
    byPurl.set(p.purl, list);
  }
  for (const [purl, list] of byPurl) {
    const byContent = new Map<string, Package[]>();
    for (const p of list) {
      const k = contentKey(p);
      byContent.set(k, [...(byContent.get(k) ?? []), p]);
    }
    // Packages without hashes carry no content evidence: fold them into the
    // only hashed variant when there is exactly one, else keep them apart.
    const unhashed = byContent.get('');
    if (unhashed && byContent.size === 2) {
      byContent.delete('');
      const [k, rest] = [...byContent.entries()][0]!;
      byContent.set(k, [...rest, ...unhashed]);
    }
    if (byContent.size === 1) {
      groups.push(makeGroup(purl, [...byContent.values()][0]!));
      continue;
    }
    for (const [k, ps] of [...byContent.entries()].sort(([a], [b]) => a.localeCompare(b, 'en'))) {
      const id = createHash('sha256').update(k).digest('hex').slice(0, 16);
      groups.push(makeGroup(`${purl}#${id}`, ps));
    }
  }
  return groups.sort((a, b) => comparePaths(a.bomRef, b.bomRef));
}

/**
 * A path as part of a bom-ref: `%`, controls and what XML cannot hold are
 * percent-encoded (UTF-8), so refs stay distinct and identical in JSON and XML.
 */
export function refSafe(path: string): string {
  return path.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what is encoded
    /[%\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) =>
      /[\ud800-\udfff]/.test(c)
        ? `%u${c.charCodeAt(0).toString(16).toUpperCase()}`
        : encodeURIComponent(c)
  );
}

function contentKey(p: Package): string {
  return Object.entries(p.hashes)
    .filter(([, v]) => v)
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([a, v]) => `${a}=${v}`)
    .join(',');
}

function makeGroup(bomRef: string, packages: Package[]): ComponentGroup {
  packages.sort((a, b) => comparePaths(a.locations[0]?.path ?? '', b.locations[0]?.path ?? ''));
  const paths = [...new Set(packages.flatMap((p) => p.locations.map((l) => l.path)))].sort(
    comparePaths
  );
  const hashes: Partial<Record<HashAlgorithm, string>> = {};
  for (const p of packages)
    for (const [a, v] of Object.entries(p.hashes)) hashes[a as HashAlgorithm] ??= v;
  return { bomRef, packages, paths, hashes };
}
