/**
 * What a scan takes from earlier scans (layer version descriptions, SBOMs) and leaves for the
 * next, through the cache's {@link ScanCache}; a no-op when reuse is off.
 */
import type { Enumeration, LayerContent, LayerVersionRecord } from '../fetch/aws/enumerate.js';
import { ScanCache, type CachedSbom } from '../fetch/scan-cache.js';
import type { Limits } from '../unpack/source.js';
import { LAMINA_VERSION } from '../version.js';

/** The reuse of one scan. */
export interface ScanReuse {
  /** Recorded content facts of a listed layer version (undefined: describe it). */
  known: (lv: LayerVersionRecord) => LayerContent | undefined;
  /** A cached SBOM of the zip `hex` written under the name `arn`, verified. */
  sbom(hex: string, arn: string): CachedSbom | undefined;
  /** Keep an SBOM for the next scan. */
  keepSbom(hex: string, arn: string, sbom: CachedSbom): void;
  /** Record the enumeration's described layer versions for the next scan (the last call). */
  save(en: Enumeration): Promise<void>;
}

const NONE: ScanReuse = {
  known: () => undefined,
  sbom: () => undefined,
  keepSbom: () => undefined,
  save: () => Promise.resolve(),
};

/** Open the reuse of a scan over the cache at `cacheRoot`; `enabled` false reuses nothing. */
export async function openScanReuse(
  cacheRoot: string,
  enabled: boolean,
  limits: Limits
): Promise<ScanReuse> {
  if (!enabled) return NONE;
  const cache = await ScanCache.open(cacheRoot);
  // The SBOM's bytes depend on lamina's version, the limits and the name it is written under.
  const key = (arn: string): string =>
    ScanCache.sbomKey({ toolVersion: LAMINA_VERSION, name: arn, limits });
  return {
    known: (lv) => cache.known(lv),
    sbom: (hex, arn) => cache.readSbom(hex, key(arn)),
    keepSbom: (hex, arn, sbom) => cache.writeSbom(hex, key(arn), sbom),
    save: async (en) => {
      for (const lv of en.layerVersions.values()) if (!lv.failure) cache.remember(lv);
      await cache.save();
      // The scan's last use of them.
      cache.forget();
    },
  };
}
