/**
 * SBOM use cases: one layer (a zip, a directory or a published layer version), or a function's
 * merged /opt (its layers applied in attach order, with what a later layer shadows).
 */
import type { FunctionInfo } from '../fetch/aws/function.js';
import type { MergeLayerInput, MergedView } from '../merge/merge.js';
import type { Inventory } from '../model/inventory.js';
import { serializeSbom } from '../sbom/cyclonedx.js';
import type { ImageInventory } from './image.js';
import { inventoryPath, inventoryZipFile } from './inventory.js';
import { resolveLimits, type AwsAccessOptions, type LimitOptions } from './options.js';
import { formatsOf, renderSboms, type Rendered, type SbomFormatOptions } from './sbom-formats.js';

export {
  SBOM_OUTPUT_FORMATS,
  type SbomFormatOptions,
  type SbomOutputFormat,
} from './sbom-formats.js';

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
    inventory = (await inventoryZipFile(zip, zip.facts, limits)).inventory;
  } else {
    inventory = await inventoryPath(options.input, limits);
  }
  // renderSboms calls the SPDX writer for spdx-json only: it is loaded only then.
  const spdx = formatsOf(options).includes('spdx-json')
    ? await import('../sbom/spdx.js')
    : undefined;
  const rendered = renderSboms(options, {
    spdx: (o) => spdx!.serializeSpdx(inventory, o),
    cyclonedx: (o) => serializeSbom(inventory, o),
  });
  return { ...rendered, inventory };
}

/** Options for {@link functionSbom}. */
export interface FunctionSbomOptions extends SbomFormatOptions, LimitOptions, AwsAccessOptions {
  /** Function name or ARN. */
  function: string;
  /** The function's region. */
  region: string;
}

/** A function's SBOM and the function; for a zip function, the merged view of its layers. */
export type FunctionSbom = {
  /** The SBOM in `format`. */
  sbom: string;
  /** Every format asked for (`format` and `formats`), from the same inventory. */
  sboms: Rendered;
  function: FunctionInfo;
} & (
  | {
      kind: 'zip';
      /** Layers in attach order, each with its own inventory, and what later layers shadow. */
      view: MergedView;
    }
  | {
      kind: 'image';
      /** The image the function runs (its ResolvedImageUri), inventoried. */
      image: ImageInventory;
    }
);

/**
 * GetFunction; for a zip function fetch and inventory each of its layers, merge them and write
 * one SBOM; for an image function read the image it runs (ResolvedImageUri) from ECR and write
 * the image SBOM with the function's facts (ARN, CodeSha256, image URIs, its EntryPoint,
 * Command and WorkingDirectory beside the image config's).
 * @throws UsageError when the function does not exist; FetchError when it, a layer or a
 *   registry token could not be fetched; UnpackError for a refused layer zip or image layer;
 *   ImageError and RegistryError as an image read
 */
export async function functionSbom(options: FunctionSbomOptions): Promise<FunctionSbom> {
  const limits = resolveLimits(options.limits);
  const { fetchFunctionLayers } = await import('./published.js');
  const { readFunctionImage } = await import('./function-image.js');
  const { fn, layers, image } = await fetchFunctionLayers(
    options,
    options.function,
    options.region,
    (session, f) => readFunctionImage(session, f, { limits })
  );
  if (image) {
    const { imageSubject, renderImageSboms } = await import('./image.js');
    const rendered = renderImageSboms(
      { ...imageSubject(image.inventory), lambda: image.facts },
      options
    );
    return { ...rendered, function: fn, kind: 'image', image: image.inventory };
  }
  // Loaded here only: a layer's SBOM needs no merged view.
  const { mergeLayers } = await import('../merge/merge.js');
  const { serializeFunctionSbom } = await import('../merge/cyclonedx.js');
  const { serializeFunctionSpdx } = await import('../merge/spdx.js');
  const inputs: MergeLayerInput[] = [];
  for (const zip of layers) {
    const { inventory, entries } = await inventoryZipFile(zip, zip.facts, limits, {
      entries: true,
    });
    inputs.push({ arn: zip.arn, entries: entries ?? [], inventory });
  }
  const view = mergeLayers(inputs);
  const rendered = renderSboms(options, {
    spdx: (o) => serializeFunctionSpdx(view, fn, o),
    cyclonedx: (o) => serializeFunctionSbom(view, fn, o),
  });
  return { ...rendered, function: fn, kind: 'zip', view };
}
