/**
 * SBOM use cases: one layer (a zip, a directory or a published layer version), or a function's
 * merged /opt (its layers applied in attach order, with what a later layer shadows).
 */
import type { FunctionInfo } from '../fetch/aws/function.js';
import { serializeFunctionSbom } from '../merge/cyclonedx.js';
import { mergeLayers, type MergeLayerInput, type MergedView } from '../merge/merge.js';
import type { Inventory } from '../model/inventory.js';
import { serializeSbom, type SbomFormat, type SpecVersion } from '../sbom/cyclonedx.js';
import { inventoryPath, inventoryZipFile } from './inventory.js';
import { resolveLimits, type AwsAccessOptions, type LimitOptions } from './options.js';

/** How the SBOM is written. */
export interface SbomFormatOptions {
  /** Default `cyclonedx-json`. */
  format?: SbomFormat;
  /** CycloneDX specification version; default `1.6`. */
  specVersion?: SpecVersion;
  /** `metadata.timestamp`; without it the SBOM has none (deterministic output). */
  timestamp?: Date;
}

function formatOf(o: SbomFormatOptions) {
  return {
    format: o.format ?? 'cyclonedx-json',
    specVersion: o.specVersion ?? '1.6',
    timestamp: o.timestamp,
  } as const;
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
  sbom: string;
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
  return { sbom: serializeSbom(inventory, formatOf(options)), inventory };
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
  sbom: string;
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
  return { sbom: serializeFunctionSbom(view, fn, formatOf(options)), function: fn, view };
}
