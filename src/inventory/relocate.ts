import type { Location, Package } from '../model/package.js';
import type { LinkIndex } from '../unpack/links.js';
import { disownOutsideInstallDir } from './binary/ownership.js';

/**
 * Put a package where the runtime loads it: claims outside its install
 * directory are set aside first (judged on the paths as the package names
 * them), then each evidence path with symlinks
 * on it becomes its real path, and the link paths a runtime also reaches it
 * through follow as extra locations (they become extra occurrences in the
 * SBOM). Ownership claims are resolved the same way, so they name real files.
 * Nested paths (`a.jar!/b.jar`) are resolved up to the first `!/`.
 */
export function relocate(pkg: Package, links: LinkIndex): void {
  disownOutsideInstallDir(pkg);
  if (!links.hasLinks) return;
  const seen = new Set<string>();
  const locations: Location[] = [];
  const add = (l: Location, path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    locations.push({ ...l, path });
  };
  for (const l of pkg.locations) {
    const bang = l.path.indexOf('!/');
    const head = bang < 0 ? l.path : l.path.slice(0, bang);
    const rest = bang < 0 ? '' : l.path.slice(bang);
    const r = links.resolve(head);
    const real = r.ok && r.path !== '' ? r.path : head;
    add(l, real + rest);
    add(l, l.path);
    if (rest === '') for (const a of links.aliases(real)) add(l, a);
  }
  pkg.locations = locations;

  pkg.owns = resolveClaims(pkg.owns, links);
  if (pkg.disowned) pkg.disowned = resolveClaims(pkg.disowned, links);
}

function resolveClaims(claims: readonly string[], links: LinkIndex): string[] {
  const out = new Set<string>();
  for (const claim of claims) {
    const dir = claim.endsWith('/');
    const path = dir ? claim.slice(0, -1) : claim;
    const r = links.resolve(path);
    if (!r.ok) out.add(claim);
    else if (r.path !== '') out.add(dir ? `${r.path}/` : r.path);
  }
  return [...out];
}

/**
 * Link every owned file component to its owner: the owner depends on it, and
 * the file says who owns it (`lamina:owned-by`, the owner's purl or name).
 */
export function linkOwnedFiles(packages: readonly Package[]): void {
  const byId = new Map(packages.map((p) => [p.id, p]));
  for (const p of packages) {
    if (p.ownedBy === undefined) continue;
    const owner = byId.get(p.ownedBy);
    if (!owner) {
      delete p.ownedBy;
      continue;
    }
    if (!owner.dependsOn.includes(p.id)) owner.dependsOn.push(p.id);
    p.properties['owned-by'] =
      owner.purl ?? `${owner.name}${owner.version ? `@${owner.version}` : ''}`;
  }
}
