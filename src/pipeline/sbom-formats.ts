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

/** CycloneDX serializer options from the format options. */
export function cdxOptions(o: SbomFormatOptions, format: SbomFormat) {
  return { format, specVersion: o.specVersion ?? '1.6', timestamp: o.timestamp } as const;
}

/** SPDX serializer options from the format options. */
export function spdxOptions(o: SbomFormatOptions) {
  return o.timestamp ? { created: o.timestamp } : {};
}

/** Each format's text, in {@link formatsOf} order. */
export type Rendered = Partial<Record<SbomOutputFormat, string>>;

/** Render each format asked for, in {@link formatsOf} order. */
export function renderAll(
  o: SbomFormatOptions,
  render: (format: SbomOutputFormat) => string
): Rendered {
  const out: Rendered = {};
  for (const f of formatsOf(o)) out[f] = render(f);
  return out;
}
