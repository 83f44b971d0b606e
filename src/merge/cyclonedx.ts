import * as CDX from '../sbom/cdx.js';
import type { Finding, FindingCode } from '../model/finding.js';
import {
  addPackageComponents,
  findingProperty,
  layerComponent,
  newBom,
  NS,
  serialNumber,
  serializeBomModel,
  type BomExtras,
  type SbomOptions,
} from '../sbom/cyclonedx.js';
import type { MergedView } from './merge.js';

/** The function a merged view belongs to (from GetFunction). */
export interface FunctionMeta {
  name: string;
  arn: string;
  runtime: string | undefined;
  /** The Handler Lambda hands the runtime: with the runtime, what starts the function's code. */
  handler?: string | undefined;
  architectures: string[];
}

/** Most SHADOWED_FILE findings listed one by one on the function; the rest are summarised. */
export const MAX_SHADOW_FINDINGS = 200;

// ("a file of an earlier layer replaced by a later layer at the same path").
const SHADOWED_FILE: FindingCode = 'SHADOWED_FILE';

/** The function-level findings: shadowed files that are not package evidence, bounded. */
export function shadowFindings(view: MergedView, max = MAX_SHADOW_FINDINGS): Finding[] {
  const list = view.shadowedNonEvidence;
  const out: Finding[] = list.slice(0, max).map((s) => ({
    code: SHADOWED_FILE,
    severity: 'info',
    path: s.path,
    message: `layer ${s.layer + 1} (${view.layers[s.layer]!.arn}) file replaced by layer ${s.by + 1} (${view.layers[s.by]!.arn})`,
  }));
  if (list.length > max) {
    out.push({
      code: SHADOWED_FILE,
      severity: 'info',
      message: `${list.length - max} more shadowed files not listed (${list.length} in all)`,
    });
  }
  return out;
}

/**
 * One CycloneDX SBOM for a function's merged /opt: metadata.component is the
 * function (type application; its ARN, runtime, Handler, architectures and
 * layers as `lamina:lambda:*` properties), each layer is a `file` component
 * (`layer:<n>`, attach order from 1) the function depends on, and each layer
 * depends on its packages. Packages keep `lamina:layer` and, when a later
 * layer hides all their evidence, `lamina:shadowed-by`. Pure and deterministic.
 */
export function serializeFunctionSbom(
  view: MergedView,
  fn: FunctionMeta,
  options: SbomOptions
): string {
  const mount = (options.mount ?? '/opt').replace(/\/+$/, '');
  const key = [
    options.specVersion,
    'function',
    fn.arn,
    ...view.layers.map((l) => `${l.arn}@${l.inventory.artifact.sha256}`),
  ].join('\0');
  const bom = newBom(serialNumber(key), options.timestamp);

  const f = new CDX.Models.Component(CDX.Enums.ComponentType.Application, fn.name, {
    bomRef: 'function',
  });
  const props = f.properties;
  props.add(new CDX.Models.Property(`${NS}:lambda:function-arn`, fn.arn));
  if (fn.runtime) props.add(new CDX.Models.Property(`${NS}:lambda:runtime`, fn.runtime));
  if (fn.handler) props.add(new CDX.Models.Property(`${NS}:lambda:handler`, fn.handler));
  props.add(
    new CDX.Models.Property(`${NS}:lambda:architectures`, [...fn.architectures].sort().join(','))
  );
  view.layers.forEach((l, i) => {
    props.add(
      new CDX.Models.Property(
        `${NS}:lambda:layer:${i + 1}`,
        `${l.arn} sha256:${l.inventory.artifact.sha256}`
      )
    );
  });
  props.add(new CDX.Models.Property(`${NS}:shadowed-files`, String(view.shadowed.length)));
  props.add(new CDX.Models.Property(`${NS}:inventory`, view.complete ? 'complete' : 'incomplete'));
  for (const finding of shadowFindings(view)) props.add(findingProperty(finding));
  bom.metadata.component = f;

  const occurrences = new Map<string, string[]>();
  const refs: string[] = [];
  view.layers.forEach((l, i) => {
    const ref = `layer:${i + 1}`;
    refs.push(ref);
    const c = layerComponent(l.inventory, ref);
    c.properties.add(new CDX.Models.Property(`${NS}:layer-order`, String(i + 1)));
    bom.components.add(c);
    f.dependencies.add(c.bomRef);
    const pkgs = view.packages.filter((p) => p.layer === i).map((p) => p.package);
    addPackageComponents(bom, pkgs, c, occurrences, { mount, refPrefix: `${ref}/` });
  });

  const extras: BomExtras = {
    occurrences,
    composition: {
      aggregate: view.complete ? 'complete' : 'incomplete',
      assemblies: ['function', ...refs],
    },
  };
  return serializeBomModel(bom, extras, options);
}
