/**
 * SBOM use cases: one layer (a zip, a directory or a published layer version), or a function's
 * merged /opt (its layers applied in attach order, with what a later layer shadows).
 */
import type { FunctionInfo } from '../fetch/aws/function.js';
import { serializeFunctionSbom } from '../merge/cyclonedx.js';
import { mergeLayers, type MergeLayerInput, type MergedView } from '../merge/merge.js';
import type { Inventory } from '../model/inventory.js';
import { serializeFunctionSpdx } from '../merge/spdx.js';
import { serializeSbom, type SbomFormat, type SpecVersion } from '../sbom/cyclonedx.js';
import { serializeSpdx } from '../sbom/spdx.js';
import { inventoryPath, inventoryZipFile } from './inventory.js';
import { resolveLimits, type AwsAccessOptions, type LimitOptions } from './options.js';

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

export function cdxOptions(o: SbomFormatOptions, format: SbomFormat) {
  return { format, specVersion: o.specVersion ?? '1.6', timestamp: o.timestamp } as const;
}

export function spdxOptions(o: SbomFormatOptions) {
  return o.timestamp ? { created: o.timestamp } : {};
}

/** Each format's text, in {@link formatsOf} order. */
export type Rendered = Partial<Record<SbomOutputFormat, string>>;

export function renderAll(
  o: SbomFormatOptions,
  render: (format: SbomOutputFormat) => string
): Rendered {
  const out: Rendered = {};
  for (const f of formatsOf(o)) out[f] = render(f);
  return out;
}

/** Options for {@link layerSbom}. */
export interface LayerSbomOptions extends SbomFormatOptions, LimitOptions, AwsAccessOptions {
  /**
   * A layer zip, a directory holding an unzipped layer, or a layer version ARN
   * (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`, fetched from its region).
   */
  input: string;
}

/** One layer's SBOM and the inventory it was written from. */
export interface LayerSbom {
  /** The SBOM in `format`. */
  sbom: string;
  /** Every format asked for (`format` and `formats`), from the same inventory. */
  sboms: Rendered;
  inventory: Inventory;
}

/**
 * Inventory one layer and write its CycloneDX SBOM.
 * @throws UsageError for a missing path, a malformed or unknown ARN; UnpackError for a refused
 *   archive; FetchError when AWS could not be read
 */
export async function layerSbom(options: LayerSbomOptions): Promise<LayerSbom> {
  const limits = resolveLimits(options.limits);
  let inventory: Inventory;
  if (options.input.startsWith('arn:')) {
    const { fetchPublishedLayer } = await import('./published.js');
    const zip = await fetchPublishedLayer(options, options.input);
    inventory = (await inventoryZipFile(zip.path, zip.facts, limits)).inventory;
  } else {
    inventory = await inventoryPath(options.input, limits);
  }
  const sboms = renderAll(options, (f) =>
    f === 'spdx-json'
      ? serializeSpdx(inventory, spdxOptions(options))
      : serializeSbom(inventory, cdxOptions(options, f))
  );
  return { sbom: sboms[formatsOf(options)[0]!]!, sboms, inventory };
}

/** Options for {@link functionSbom}. */
export interface FunctionSbomOptions extends SbomFormatOptions, LimitOptions, AwsAccessOptions {
  /** Function name or ARN. */
  function: string;
  /** The function's region. */
  region: string;
}

/** A function's SBOM, the function, and the merged view of its layers. */
export interface FunctionSbom {
  /** The SBOM in `format`. */
  sbom: string;
  /** Every format asked for (`format` and `formats`), from the same merged view. */
  sboms: Rendered;
  function: FunctionInfo;
  /** Layers in attach order, each with its own inventory, and what later layers shadow. */
  view: MergedView;
}

/**
 * GetFunction, fetch and inventory each of its layers, merge them, write one SBOM.
 * @throws UsageError when the function does not exist or is a container image function;
 *   FetchError when it or a layer could not be fetched; UnpackError for a refused layer zip
 */
export async function functionSbom(options: FunctionSbomOptions): Promise<FunctionSbom> {
  const limits = resolveLimits(options.limits);
  const { fetchFunctionLayers } = await import('./published.js');
  const { fn, layers } = await fetchFunctionLayers(options, options.function, options.region);
  const inputs: MergeLayerInput[] = [];
  for (const zip of layers) {
    const { inventory, entries } = await inventoryZipFile(zip.path, zip.facts, limits, {
      entries: true,
    });
    inputs.push({ arn: zip.arn, entries: entries ?? [], inventory });
  }
  const view = mergeLayers(inputs);
  const sboms = renderAll(options, (f) =>
    f === 'spdx-json'
      ? serializeFunctionSpdx(view, fn, spdxOptions(options))
      : serializeFunctionSbom(view, fn, cdxOptions(options, f))
  );
  return { sbom: sboms[formatsOf(options)[0]!]!, sboms, function: fn, view };
}
