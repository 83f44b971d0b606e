/** Open a layer, inventory it, close it: the one way every use case reads a layer. */
import { rm } from 'node:fs/promises';
import { UnpackError, UsageError } from '../errors.js';
import { hashesTo } from '../fetch/cache.js';
import { FetchError } from '../fetch/errors.js';
import { buildInventory } from '../inventory/index.js';
import type { Artifact, Inventory } from '../model/inventory.js';
import { openLayerPath } from '../unpack/open.js';
import type { FileEntry, FileSource, Limits } from '../unpack/source.js';
import { openZipFile } from '../unpack/zip.js';

/** An inventoried layer, with its entries when asked for (the function view merges them). */
export interface InventoriedLayer {
  inventory: Inventory;
  entries?: readonly FileEntry[];
}

async function inventorySource(
  source: FileSource,
  artifact: Artifact,
  limits: Limits,
  keepEntries: boolean
): Promise<InventoriedLayer> {
  try {
    const inventory = await buildInventory(source, artifact, { limits });
    return keepEntries ? { inventory, entries: source.entries() } : { inventory };
  } finally {
    await source.close();
  }
}

/** What a use case needs a layer path to be: `zip` refuses a directory, saying `why`. */
export interface PathRequirement {
  kind: 'zip';
  why: string;
}

async function openPath(path: string, limits: Limits, require: PathRequirement | undefined) {
  const opened = await openLayerPath(path, limits);
  if (require && opened.artifact.kind !== require.kind) {
    await opened.source.close();
    throw new UsageError({ code: 'BAD_INPUT', message: `${path}: ${require.why}` });
  }
  return opened;
}

/**
 * Inventory a layer given by path: a zip, or a directory holding an unzipped layer.
 * @throws UsageError for a missing path or a directory where a zip is needed; UnpackError for a
 *   refused archive
 */
export async function inventoryPath(
  path: string,
  limits: Limits,
  require?: PathRequirement
): Promise<Inventory> {
  const { source, artifact } = await openPath(path, limits, require);
  return (await inventorySource(source, artifact, limits, false)).inventory;
}

/**
 * A layer's artifact facts (digest, size) without inventorying it; the archive is still read
 * through, so a zip lamina would refuse is refused here too.
 * @throws as {@link inventoryPath}
 */
export async function pathArtifact(
  path: string,
  limits: Limits,
  require?: PathRequirement
): Promise<Artifact> {
  const { source, artifact } = await openPath(path, limits, require);
  await source.close();
  return artifact;
}

/** A zip in the content cache: its path and the sha256 (hex) it is named by. */
export interface CacheEntryRef {
  path: string;
  hex: string;
}

/**
 * The content cache's zip `zip` under another name, e.g. its layer version ARN. The cache trusts
 * an entry by its name and size, and the open hashes the bytes it parses: an entry that no
 * longer hashes to its name was changed on disk since its verified write, and is removed (the
 * next run fetches it anew) rather than read as the layer it names.
 * @throws UnpackError for a refused archive; FetchError CACHE_CHANGED for a changed entry
 */
export async function inventoryZipFile(
  zip: CacheEntryRef,
  facts: { name: string; properties: Record<string, string> },
  limits: Limits,
  options: { entries?: boolean } = {}
): Promise<InventoriedLayer> {
  const changed = async (): Promise<never> => {
    await rm(zip.path, { force: true });
    throw new FetchError({
      code: 'CACHE_CHANGED',
      message: `${facts.name}: the cached zip ${zip.path} no longer hashes to its name: changed on disk since it was verified; removed, run again to fetch it anew`,
    });
  };
  let source: FileSource;
  try {
    source = await openZipFile(zip.path, { limits, name: facts.name });
  } catch (err) {
    // A refusal speaks of the layer only if the bytes refused are the layer's (an entry that
    // cannot even be read again has changed too).
    if (err instanceof UnpackError && !(await hashesTo(zip.path, zip.hex).catch(() => false)))
      await changed();
    throw err;
  }
  if (source.digest !== zip.hex) {
    await source.close();
    await changed();
  }
  const artifact: Artifact = {
    name: facts.name,
    kind: 'zip',
    sha256: source.digest,
    size: source.size,
    properties: facts.properties,
  };
  return inventorySource(source, artifact, limits, options.entries ?? false);
}
