/**
 * SPDX 2.3 JSON for a function's merged /opt: the same facts as the CycloneDX function view
 * (merge/cyclonedx.ts), as SPDX elements.
 */
import {
  addInventory,
  findingText,
  propertiesComment,
  renderSpdxDocument,
  SPDX_DOCUMENT_ID,
  SpdxBuilder,
  type SpdxDocument,
  type SpdxOptions,
} from '../sbom/spdx.js';
import { shadowFindings, type FunctionMeta } from './cyclonedx.js';
import type { MergedView } from './merge.js';

/**
 * The document DESCRIBES the function (an APPLICATION package), which DEPENDS_ON each layer in
 * attach order; each layer CONTAINS its packages and files as in a layer SBOM. Packages keep
 * `lamina:layer` and, when a later layer hides all their evidence, `lamina:shadowed-by` in their
 * comment; shadowed files are annotations on the function. Pure and deterministic.
 */
export function buildFunctionSpdx(
  view: MergedView,
  fn: FunctionMeta,
  options: SpdxOptions = {}
): SpdxDocument {
  const mount = (options.mount ?? '/opt').replace(/\/+$/, '');
  const b = new SpdxBuilder(options.created);
  const fnId = b.id('Function', fn.arn);
  const facts: [string, string][] = [
    ['lambda:function-arn', fn.arn],
    ...(fn.runtime ? [['lambda:runtime', fn.runtime] as [string, string]] : []),
    ...(fn.handler ? [['lambda:handler', fn.handler] as [string, string]] : []),
    ['lambda:architectures', [...fn.architectures].sort().join(',')],
    ...view.layers.map((l, i): [string, string] => [
      `lambda:layer:${i + 1}`,
      `${l.arn} sha256:${l.inventory.artifact.sha256}`,
    ]),
    ['shadowed-files', String(view.shadowed.length)],
    ['inventory', view.complete ? 'complete' : 'incomplete'],
  ];
  const shadows = shadowFindings(view);
  b.packages.push({
    SPDXID: fnId,
    name: fn.name,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'APPLICATION',
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    comment: propertiesComment(facts)!,
    ...(shadows.length > 0
      ? { annotations: shadows.map((f) => b.annotation(findingText(f))) }
      : {}),
  });
  b.relate(SPDX_DOCUMENT_ID, 'DESCRIBES', fnId);
  view.layers.forEach((l, i) => {
    const pkgs = view.packages.filter((p) => p.layer === i).map((p) => p.package);
    const layerId = addInventory(
      b,
      l.inventory,
      {
        mount,
        keyPrefix: `layer:${i + 1}/`,
        layerFacts: [
          ['layer-order', String(i + 1)],
          ['lambda:layer-arn', l.arn],
        ],
      },
      pkgs
    );
    b.relate(fnId, 'DEPENDS_ON', layerId);
  });
  return b.document(
    fn.name,
    `lamina merged view of function ${fn.arn} (${view.layers.length} layer${view.layers.length === 1 ? '' : 's'}): inventory ${view.complete ? 'complete' : 'incomplete'}.`
  );
}

/** {@link buildFunctionSpdx}, serialized. */
export function serializeFunctionSpdx(
  view: MergedView,
  fn: FunctionMeta,
  options: SpdxOptions = {}
): string {
  return renderSpdxDocument(buildFunctionSpdx(view, fn, options));
}
