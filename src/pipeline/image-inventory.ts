/**
 * One container image in, its inventory out: layers spooled into the content cache (verified),
 * squashed into the file system a container would see, catalogued as an image. The scan calls
 * it once per distinct image digest; it is the one place this composition lives.
 */
import { ContentCache } from '../fetch/cache.js';
import type { ImageHandle } from '../fetch/image/handle.js';
import type { RetryPolicy } from '../fetch/retry.js';
import { buildInventory } from '../inventory/index.js';
import { attributeImagePackages } from '../inventory/image.js';
import type { Inventory } from '../model/inventory.js';
import type { Limits } from '../unpack/source.js';
import { squashLayers, type LayerInput } from '../unpack/squash.js';
import { indexTarAccess } from '../unpack/tar.js';
import { openFileAccess } from '../unpack/random-access.js';

/**
 * Inventories the image behind `handle`; layers go into `cacheRoot` (as `.tar` entries named
 * by diffID), so a layer shared by several images is fetched once.
 * @throws ImageError / RegistryError (fetching), UnpackError (a refused layer)
 */
export async function inventoryImage(
  handle: ImageHandle,
  cacheRoot: string,
  limits: Limits,
  properties: Record<string, string>,
  retry?: RetryPolicy
): Promise<Inventory> {
  const image = handle.image;
  const spooled = await handle.spoolLayers(new ContentCache(cacheRoot, 'tar'), {
    ...(retry ? { retry } : {}),
  });
  const inputs: LayerInput[] = [];
  try {
    for (const s of spooled) {
      const access = await openFileAccess(s.path, s.layer.digest);
      inputs.push({
        access,
        index: await indexTarAccess(access, { name: s.layer.digest }),
        diffId: s.layer.diffId,
        digest: s.layer.digest,
      });
    }
  } catch (err) {
    for (const i of inputs) await i.access.close();
    throw err;
  }
  const digest = image.manifestDigest ?? image.configDigest;
  const squashed = squashLayers(inputs, { name: image.name, digest, readLimits: limits });
  try {
    const inventory = await buildInventory(
      squashed,
      {
        name: image.name,
        kind: 'image',
        sha256: digest.replace(/^sha256:/, ''),
        size: spooled.reduce((n, s) => n + s.size, 0),
        properties: {
          ...properties,
          'image-digest': digest,
          'image-architecture': image.platform.architecture,
          ...(image.config.workingDir ? { 'image-working-dir': image.config.workingDir } : {}),
          ...(image.config.entrypoint
            ? { 'image-entrypoint': JSON.stringify(image.config.entrypoint) }
            : {}),
          ...(image.config.cmd ? { 'image-cmd': JSON.stringify(image.config.cmd) } : {}),
        },
      },
      { limits, root: 'image' }
    );
    attributeImagePackages(inventory.packages, squashed, {
      ...(image.config.workingDir ? { taskRoot: image.config.workingDir } : {}),
    });
    return inventory;
  } finally {
    await squashed.close();
  }
}
