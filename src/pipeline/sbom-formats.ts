/**
 * The SBOM formats lamina writes and how one inventory is rendered in each asked for: shared by
 * the layer, function and image SBOM use cases.
 */
import type { SbomFormat, SpecVersion } from '../sbom/cyclonedx.js';

/** Every SBOM format lamina writes: CycloneDX (JSON, XML) and SPDX 2.3 JSON. */
export const SBOM_OUTPUT_FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx-json'] as const;
export type SbomOutputFormat = (typeof SBOM_OUTPUT_FORMATS)[number];

/** How the SBOM is written. */
export interface SbomFormatOptions {
  /** Default `cyclonedx-json`. */
  format?: SbomOutputFormat;
  /** More formats to write from the same inventory (`sboms` of the result). */
  formats?: readonly SbomOutputFormat[];
  /** CycloneDX specification version; default `1.6`. */
  specVersion?: SpecVersion;
  /**
   * `metadata.timestamp` (CycloneDX) and `creationInfo.created` (SPDX); without it CycloneDX
   * has none and SPDX a fixed date (deterministic output).
   */
  timestamp?: Date;
}

/** Each format asked for, the main one first, each once. */
export function formatsOf(o: SbomFormatOptions): SbomOutputFormat[] {
  return [...new Set([o.format ?? 'cyclonedx-json', ...(o.formats ?? [])])];
}

/** Each format's text, in {@link formatsOf} order. */
export type Rendered = Partial<Record<SbomOutputFormat, string>>;

/** How one subject is serialized in each family of formats. */
export interface SbomWriters {
  cyclonedx(options: { format: SbomFormat; specVersion: SpecVersion; timestamp?: Date }): string;
  spdx(options: { created?: Date }): string;
}

/** Each format asked for (`sboms`), and the main one (`sbom`). */
export function renderSboms(
  o: SbomFormatOptions,
  write: SbomWriters
): { sbom: string; sboms: Rendered } {
  const sboms: Rendered = {};
  for (const f of formatsOf(o))
    sboms[f] =
      f === 'spdx-json'
        ? write.spdx(o.timestamp ? { created: o.timestamp } : {})
        : write.cyclonedx({
            format: f,
            specVersion: o.specVersion ?? '1.6',
            ...(o.timestamp ? { timestamp: o.timestamp } : {}),
          });
  return { sbom: sboms[formatsOf(o)[0]!]!, sboms };
}
