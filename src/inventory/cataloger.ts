import picomatch from 'picomatch';
import type { Finding } from '../model/finding.js';
import type { Package } from '../model/package.js';
import { DEFAULT_LIMITS, type FileEntry, type FileSource, type Limits } from '../unpack/source.js';

/** What a cataloger is handed: the layer, the entries its globs matched, and the limits. */
export interface CatalogContext {
  source: FileSource;
  /** Entries matched by the cataloger's globs, sorted by path. */
  matches: readonly FileEntry[];
  limits: Limits;
  /** sha256 (hex) of the layer archive; stamp it on every Location. */
  layerDigest: string;
  /** Depth of the archive being cataloged (0 for the layer itself). */
  depth: number;
  /** Packages found by catalogers that ran earlier (the binary cataloger uses it for ownership). */
  earlier: readonly Package[];
}

export interface CatalogResult {
  packages: Package[];
  findings: Finding[];
}

/**
 * A cataloger: a name, the globs of the files it reads, and a function that
 * turns those files into packages. Errors on one file become findings.
 */
export interface Cataloger {
  name: string;
  /** picomatch globs over layer-relative paths (dot files included). */
  globs: readonly string[];
  /** Entry kinds the globs apply to (default: regular files). */
  kinds?: readonly FileEntry['kind'][];
  catalog(ctx: CatalogContext): Promise<CatalogResult>;
}

/** Build a matcher for a cataloger's globs. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  return picomatch(globs as string[], { dot: true });
}

/** Run a parser per matched entry, turning a thrown error into a PARSE_ERROR finding. */
export async function perEntry(
  ctx: CatalogContext,
  catalogerName: string,
  parse: (entry: FileEntry) => Promise<CatalogResult | Package[] | void>
): Promise<CatalogResult> {
  const out: CatalogResult = { packages: [], findings: [] };
  for (const entry of ctx.matches) {
    try {
      const r = await parse(entry);
      if (!r) continue;
      if (Array.isArray(r)) out.packages.push(...r);
      else {
        out.packages.push(...r.packages);
        out.findings.push(...r.findings);
      }
    } catch (err) {
      out.findings.push(parseErrorFinding(catalogerName, entry.path, err));
    }
  }
  return out;
}

/** A finding for a file a cataloger could not parse. */
export function parseErrorFinding(cataloger: string, path: string, err: unknown): Finding {
  const detail = err instanceof Error ? err.message : String(err);
  return {
    code: 'PARSE_ERROR',
    severity: 'warning',
    path,
    message: `${cataloger}: could not parse ${path}: ${detail}`,
  };
}

/** The entries a cataloger reads: its kinds (default regular files) whose paths match its globs. */
export function matchEntries(cataloger: Cataloger, entries: readonly FileEntry[]): FileEntry[] {
  const match = globMatcher(cataloger.globs);
  const kinds = cataloger.kinds ?? ['file'];
  return entries.filter((e) => kinds.includes(e.kind) && match(e.path));
}

/** Run one cataloger over a source on its own (tests, tools); buildInventory runs them all. */
export function runCataloger(
  cataloger: Cataloger,
  source: FileSource,
  options: {
    limits?: Limits;
    layerDigest?: string;
    depth?: number;
    earlier?: readonly Package[];
  } = {}
): Promise<CatalogResult> {
  return cataloger.catalog({
    source,
    matches: matchEntries(cataloger, source.entries()),
    limits: options.limits ?? DEFAULT_LIMITS,
    layerDigest: options.layerDigest ?? source.digest,
    depth: options.depth ?? 0,
    earlier: options.earlier ?? [],
  });
}
