import type { Finding } from './finding.js';

/** Package ecosystems lamina catalogs; each maps to a purl type. */
export type Ecosystem =
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'gem'
  | 'golang'
  | 'cargo'
  | 'nuget'
  | 'generic'
  /** OS packages of container images: Debian dpkg, Alpine apk, rpm. */
  | 'deb'
  | 'apk'
  | 'rpm';

/** Hash algorithms we record, named as CycloneDX names them. */
export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A license as the metadata states it. */
export type License =
  | { $case: 'expression'; expression: string }
  | { $case: 'id'; id: string }
  | { $case: 'name'; name: string };

/** Where the evidence for a package was found. */
export interface Location {
  /** Layer-relative path of the evidence file, '/'-separated (e.g. `nodejs/node_modules/x/package.json`). */
  path: string;
  /** sha256 (hex) of the archive the evidence came from, when known. */
  layerDigest?: string;
}

/**
 * One package found by a cataloger. Catalogers fill what their evidence has
 * and leave the rest undefined; the SBOM stage turns it into a component.
 */
export interface Package {
  /** Unique within one inventory run; assigned by the cataloger (e.g. `npm:nodejs/node_modules/x`). */
  id: string;
  ecosystem: Ecosystem;
  /** Display name as the metadata spells it (e.g. `Jinja2`, `core`). */
  name: string;
  /** npm scope (`@middy`), Maven groupId, Go module path prefix; undefined when none. */
  namespace?: string;
  version?: string;
  /** Canonical package URL (see src/inventory/purl.ts); undefined for plain files. */
  purl?: string;
  /** CycloneDX component type. */
  type: 'library' | 'application' | 'file' | 'framework';
  licenses: License[];
  hashes: Partial<Record<HashAlgorithm, string>>;
  /** Primary evidence; the first is the main one. */
  locations: Location[];
  /** Name of the cataloger that found it. */
  foundBy: string;
  /** Ids of packages this one depends on (resolved by the cataloger). */
  dependsOn: string[];
  /**
   * Files this package owns, as layer-relative paths or directory prefixes ending in '/'.
   * Used to decide whether every executable in the layer is accounted for.
   */
  owns: string[];
  /**
   * The directory the package installs into (its `node_modules/<name>`, its
   * site directory, its app directory), layer-relative without a trailing
   * '/'. Claims in `owns` outside it are refused: metadata cannot make a
   * package own what it did not install. Undefined when the package claims
   * only its own evidence file (a jar, a Go program).
   */
  installDir?: string;
  /**
   * Claims the package's metadata made outside its install directory, moved
   * out of `owns` (see disownOutsideInstallDir); kept to explain why a file
   * nobody owns was claimed.
   */
  disowned?: string[];
  /**
   * For a `file` component (an executable, shared library, native addon or
   * extension): the id of the package that owns it, when one does. Owners
   * depend on their files in the graph; an unowned file leaves the inventory
   * incomplete.
   */
  ownedBy?: string;
  /** Extra facts, emitted as `lamina:` properties (keys without the prefix). */
  properties: Record<string, string>;
  /** Findings about this package (e.g. modified files). */
  findings: Finding[];
  description?: string;
  author?: string;
  homepage?: string;
}

/** Start a package with empty collections; catalogers fill the rest. */
export function newPackage(
  init: Pick<Package, 'id' | 'ecosystem' | 'name' | 'foundBy' | 'locations'> &
    Partial<Omit<Package, 'id' | 'ecosystem' | 'name' | 'foundBy' | 'locations'>>
): Package {
  return {
    type: 'library',
    licenses: [],
    hashes: {},
    dependsOn: [],
    owns: [],
    properties: {},
    findings: [],
    ...init,
  };
}

/** An executable or library no package owns: what leaves an inventory incomplete. */
export function isUnownedFile(p: Package): boolean {
  return p.type === 'file' && p.ownedBy === undefined;
}

/**
 * The names `require` finds an npm package by besides its package.json name (its
 * `npm:required-as` property: an alias, or a package renamed to pass for another); none for
 * other ecosystems.
 */
export function requiredAs(p: Pick<Package, 'ecosystem' | 'properties'>): string[] {
  const list = p.ecosystem === 'npm' ? p.properties['npm:required-as'] : undefined;
  return list ? list.split(',') : [];
}
