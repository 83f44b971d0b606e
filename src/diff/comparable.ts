/**
 * The comparable form of an inventory: one entry per CycloneDX component lamina would write
 * (packages grouped as src/sbom/group.ts groups them), so an inventory and the SBOM written from
 * it compare equal.
 */
import type { Inventory } from '../model/inventory.js';
import type { Ecosystem, HashAlgorithm, Package } from '../model/package.js';
import { groupComponents } from '../sbom/group.js';
import { cmp } from '../util/compare.js';

/** One package (or unowned executable) as the diff sees it. */
export interface ComparableEntry {
  /**
   * Identity across versions: the purl without its version (qualifiers kept) for a package,
   * `file:<path>` for an executable no package owns, `nopurl:<ecosystem>/<name>` otherwise.
   */
  key: string;
  kind: 'package' | 'executable';
  ecosystem: Ecosystem;
  /** Display name (`@scope/name`, `group:artifact`, `name`). */
  name: string;
  version?: string;
  purl?: string;
  /** Layer-relative evidence paths, sorted. */
  paths: string[];
  hashes: Partial<Record<HashAlgorithm, string>>;
  /** For executables: `binary:kind` (executable, shared-library, ...) when known. */
  binaryKind?: string;
}

/** An inventory reduced to what the package diff compares. */
export interface ComparableInventory {
  /** Display name (file name, layer version ARN). */
  name: string;
  /** `sha256:<hex>` of the artifact ('' when unknown). */
  digest: string;
  complete: boolean;
  /** Sorted by key, then first path. */
  entries: ComparableEntry[];
}

/** `pkg:npm/lodash@4.17.21?x=y` → `pkg:npm/lodash?x=y`. */
export function purlWithoutVersion(purl: string): string {
  const cut = purl.search(/[?#]/);
  const base = cut < 0 ? purl : purl.slice(0, cut);
  const rest = cut < 0 ? '' : purl.slice(cut);
  const at = base.lastIndexOf('@');
  return (at > base.lastIndexOf('/') ? base.slice(0, at) : base) + rest;
}

/** Display name of a package: namespace and name as its ecosystem writes them. */
export function displayName(p: Pick<Package, 'ecosystem' | 'namespace' | 'name'>): string {
  if (!p.namespace) return p.name;
  if (p.ecosystem === 'maven') return `${p.namespace}:${p.name}`;
  return `${p.namespace}/${p.name}`;
}

/**
 * The identity of a package: its key, whether it is an unowned executable, and its display
 * name. `path` is its primary evidence path.
 */
export function identify(
  p: Package,
  path: string | undefined
): { key: string; kind: ComparableEntry['kind']; name: string } {
  const executable = !p.purl && p.type === 'file';
  if (p.purl) return { key: purlWithoutVersion(p.purl), kind: 'package', name: displayName(p) };
  if (executable)
    return { key: `file:${path ?? p.name}`, kind: 'executable', name: path ?? p.name };
  return { key: `nopurl:${p.ecosystem}/${displayName(p)}`, kind: 'package', name: displayName(p) };
}

function entryOf(
  packages: Package[],
  paths: string[],
  hashes: ComparableEntry['hashes']
): ComparableEntry {
  const p = packages[0]!;
  const id = identify(p, paths[0]);
  const binaryKind = p.properties['binary:kind'];
  // Fields set one by one in the order the spreads gave: an estate's analysis makes an entry
  // per package of every inventory it compares, and conditional spreads took most of the time.
  const e: Omit<ComparableEntry, 'paths' | 'hashes'> & Partial<ComparableEntry> = {
    key: id.key,
    kind: id.kind,
    name: id.name,
    ecosystem: p.ecosystem,
  };
  if (p.version !== undefined) e.version = p.version;
  if (p.purl !== undefined) e.purl = p.purl;
  e.paths = paths;
  e.hashes = hashes;
  if (id.kind === 'executable' && binaryKind !== undefined) e.binaryKind = binaryKind;
  return e as ComparableEntry;
}

/** Reduce an inventory to its comparable form (pure). */
export function comparableFromInventory(inv: Inventory): ComparableInventory {
  const entries = groupComponents(inv.packages).map((g) => entryOf(g.packages, g.paths, g.hashes));
  entries.sort((a, b) => cmp(a.key, b.key) || cmp(a.paths[0] ?? '', b.paths[0] ?? ''));
  const sha = inv.artifact.sha256;
  return {
    name: inv.artifact.name,
    digest: sha ? `sha256:${sha}` : '',
    complete: inv.complete,
    entries,
  };
}
