/**
 * An image written from tar entries (one layer, or several), inventoried as an image root: for the tests of
 * what the catalogers read in an image's file system.
 */
import { createHash } from 'node:crypto';
import { writeTar, type TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import type { Inventory } from '../../model/inventory.js';
import { bufferAccess } from '../../unpack/random-access.js';
import { squashLayers } from '../../unpack/squash.js';
import { indexTarAccess } from '../../unpack/tar.js';
import { buildInventory, type InventoryOptions } from '../index.js';

/** Inventory the one-layer image `entries` make, with `options` (the root is the image's). */
export function inventoryImageEntries(
  entries: readonly TarEntry[],
  options: Omit<InventoryOptions, 'root'> = {}
): Promise<Inventory> {
  return inventoryImageLayers([entries], options);
}

/** Inventory the image whose layers (base first) `layers` make, as {@link inventoryImageEntries}. */
export async function inventoryImageLayers(
  layers: readonly (readonly TarEntry[])[],
  options: Omit<InventoryOptions, 'root'> = {}
): Promise<Inventory> {
  const inputs = await Promise.all(
    layers.map(async (entries) => {
      const tar = writeTar([...entries]);
      const access = bufferAccess(tar);
      return {
        index: await indexTarAccess(access),
        access,
        diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}`,
      };
    })
  );
  const image = squashLayers(inputs, { name: 'test image' });
  const artifact = { name: 'test image', kind: 'image' as const, sha256: 'x', size: 0 };
  return buildInventory(
    image,
    { ...artifact, properties: {} },
    { firstLayer: (path) => image.firstWriter(path), ...options, root: 'image' }
  );
}

/** Tar entries for `files` (path to content), each parent directory listed once before them. */
export function treeEntries(files: Record<string, string | Buffer>): TarEntry[] {
  const dirs = new Map<string, TarEntry>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/').slice(0, -1);
    parts.forEach((_, i) => {
      const name = `${parts.slice(0, i + 1).join('/')}/`;
      dirs.set(name, { name, type: 'dir' });
    });
  }
  return [
    ...dirs.values(),
    ...Object.entries(files).map(([name, data]): TarEntry => ({ name, data })),
  ];
}
