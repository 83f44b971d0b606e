import { compareFindings, type Finding } from '../model/finding.js';
import type { Artifact, Inventory } from '../model/inventory.js';
import type { Package } from '../model/package.js';
import { LayerView, LinkIndex } from '../unpack/links.js';
import { comparePaths } from '../unpack/paths.js';
import { DEFAULT_LIMITS, type FileSource, type Limits } from '../unpack/source.js';
import {
  matchEntries,
  MAX_RUNTIME_PATH,
  type CatalogContext,
  type Cataloger,
  type SourceRoot,
} from './cataloger.js';
import { DEFAULT_CATALOGERS } from './catalogers.js';
import { isInventoryComplete } from './completeness.js';
import { linkOwnedFiles, relocate } from './relocate.js';

export interface InventoryOptions {
  limits?: Limits;
  /** Catalogers to run, in order; the binary cataloger must come last. Default: all. */
  catalogers?: readonly Cataloger[];
  /** Depth of this source in an archive nesting (0 for a layer). */
  depth?: number;
  /** A layer (default) or a whole image file system: decides which ownership claims count. */
  root?: SourceRoot;
  /** Image root only: what the image's configuration loads or runs (see CatalogContext.loaded). */
  loaded?: readonly string[];
  /** Image root only: the function's code directory (see CatalogContext.taskRoot). */
  taskRoot?: string;
  /** Image root only: how the entry point's program is found (see CatalogContext.exec). */
  exec?: CatalogContext['exec'];
  /** Image root only: the first layer that wrote a path (see CatalogContext.firstLayer). */
  firstLayer?: CatalogContext['firstLayer'];
  /**
   * What the caller found before any cataloger ran (an image config's loader variables), or a
   * function making it from the source's links and files (what a command line's programs are).
   */
  findings?:
    | readonly Finding[]
    | ((links: LinkIndex, source: FileSource) => readonly Finding[] | Promise<readonly Finding[]>);
}

/**
 * Run every cataloger over a layer and collect packages and findings.
 * Catalogers see the layer as a runtime does (symlinks inside it followed);
 * each package is then placed at its real path with its link paths as extra
 * locations, and every executable or library a package owns is linked to it.
 * A cataloger that throws does not stop the others: its error becomes a finding.
 */
export async function buildInventory(
  source: FileSource,
  artifact: Artifact,
  options: InventoryOptions = {}
): Promise<Inventory> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const catalogers = options.catalogers ?? DEFAULT_CATALOGERS;
  const packages: Package[] = [];
  const entries = source.entries();
  // An image's symlinks resolve against its own root; a layer's against /opt, where it is mounted.
  const view = new LayerView(
    source,
    new LinkIndex(source, options.root === 'image' ? '/' : '/opt')
  );
  const links = view.links;
  const given =
    typeof options.findings === 'function'
      ? await options.findings(links, source)
      : options.findings;
  const findings: Finding[] = [...source.findings, ...(given ?? [])];
  const tooLong = entries.filter((e) => e.path.length > MAX_RUNTIME_PATH);
  if (tooLong.length > 0)
    findings.push({
      code: 'PATH_TOO_LONG',
      severity: 'warning',
      path: tooLong[0]!.path.slice(0, 256),
      message: `${tooLong.length} entr${tooLong.length === 1 ? 'y is' : 'ies are'} longer than a runtime can open under /opt (PATH_MAX ${MAX_RUNTIME_PATH + 6}); package catalogers skip them, executables among them are still hashed`,
    });
  for (const cataloger of catalogers) {
    const matches = matchEntries(cataloger, entries, links);
    if (matches.length === 0) continue;
    try {
      const result = await cataloger.catalog({
        source: view,
        links,
        matches,
        limits,
        layerDigest: artifact.sha256,
        depth: options.depth ?? 0,
        earlier: packages,
        root: options.root ?? 'layer',
        ...(options.loaded ? { loaded: options.loaded } : {}),
        ...(options.taskRoot !== undefined ? { taskRoot: options.taskRoot } : {}),
        ...(options.exec ? { exec: options.exec } : {}),
        ...(options.firstLayer ? { firstLayer: options.firstLayer } : {}),
      });
      for (const p of result.packages) relocate(p, links);
      packages.push(...result.packages);
      findings.push(...result.findings);
    } catch (err) {
      findings.push({
        code: 'PARSE_ERROR',
        severity: 'error',
        message: `cataloger ${cataloger.name} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  linkOwnedFiles(packages);
  for (const p of packages) p.dependsOn.sort(comparePaths);
  findings.push(...links.findings);
  packages.sort(comparePackages);
  findings.sort(compareFindings);
  const kept = dedupeFindings(findings);
  return {
    artifact,
    packages,
    findings: kept,
    complete: isInventoryComplete({ packages, findings: kept }),
  };
}

function comparePackages(a: Package, b: Package): number {
  return (
    (a.purl ?? '').localeCompare(b.purl ?? '', 'en') ||
    comparePaths(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    comparePaths(a.id, b.id)
  );
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.code}\0${f.path ?? ''}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
