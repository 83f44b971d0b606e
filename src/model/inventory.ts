import type { Finding } from './finding.js';
import type { Package } from './package.js';

/**
 * What a source's root is. A layer is mounted at `/opt`; an image is a whole file system, whose
 * `/opt` holds layer-style content and whose OS package databases describe the system.
 */
export type SourceRoot = 'layer' | 'image';

/** What kind of input an inventory was built from. */
export type InputKind = 'zip' | 'directory' | 'image';

/** The artifact an inventory describes (a layer zip or an unzipped layer directory). */
export interface Artifact {
  /** Display name: the zip's file name, the directory, or a layer version ARN. */
  name: string;
  kind: InputKind;
  /** For a zip: sha256 (hex) of its bytes. For a directory: a tree digest (see DirectorySource). */
  sha256: string;
  /** Archive size in bytes (sum of file sizes for a directory). */
  size: number;
  /** Extra facts about the artifact (`lamina:` properties without the prefix), e.g. the layer ARN. */
  properties: Record<string, string>;
}

/** Everything the catalogers found in one artifact. Sorted, so output is deterministic. */
export interface Inventory {
  artifact: Artifact;
  packages: Package[];
  /** Archive-level and cataloger findings (package findings stay on their package too). */
  findings: Finding[];
  /**
   * True when nothing the inventory could not see applies (no gap finding, no executable or
   * library without an owning package): `isInventoryComplete` in src/inventory/completeness.ts
   * decides it, and `inventoryGaps` there lists why not.
   */
  complete: boolean;
}
