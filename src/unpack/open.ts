import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import type { Artifact } from '../model/inventory.js';
import type { FileSource, Limits } from './source.js';
import { openZipFile } from './zip.js';

/** Open a layer given on the command line: a zip file or a directory holding an unzipped layer. */
export async function openLayerPath(
  path: string,
  limits: Limits
): Promise<{ source: FileSource; artifact: Artifact }> {
  const st = await stat(path).catch(() => undefined);
  if (!st)
    throw new UsageError({ code: 'BAD_INPUT', message: `${path}: no such file or directory` });
  if (st.isDirectory()) {
    // Loaded for a directory only: most layers are zips.
    const { DirectorySource } = await import('./directory.js');
    const source = await DirectorySource.open(path, limits);
    return {
      source,
      artifact: {
        name: basename(path.replace(/\/+$/, '')) || path,
        kind: 'directory',
        sha256: source.digest,
        size: source.size,
        properties: {},
      },
    };
  }
  if (!st.isFile())
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${path}: not a regular file or directory`,
    });
  const source = await openZipFile(path, { limits, name: basename(path) });
  return {
    source,
    artifact: {
      name: basename(path),
      kind: 'zip',
      sha256: source.digest,
      size: source.size,
      properties: {},
    },
  };
}
