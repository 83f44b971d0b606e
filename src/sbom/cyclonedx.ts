import { createHash } from 'node:crypto';
import * as CDX from './cdx.js';
import { NS } from './namespace.js';
import type { Finding } from '../model/finding.js';
import type { Inventory } from '../model/inventory.js';
import type { License, Package } from '../model/package.js';
import { isInventoryComplete } from '../inventory/completeness.js';
import { isSpdxExpression } from '../inventory/license.js';
import { escapeJsonText, escapeXmlText } from '../util/escape.js';
import { LAMINA_VERSION } from '../version.js';
import { groupComponents, type ComponentGroup } from './group.js';
import { sanitizeXmlTree } from './xml-safe.js';

/** Output formats `lamina sbom` writes. */
export type SbomFormat = 'cyclonedx-json' | 'cyclonedx-xml';
/** CycloneDX versions lamina writes, the default first. */
export const CYCLONEDX_SPEC_VERSIONS = ['1.6', '1.5'] as const;
/** A CycloneDX version lamina writes. */
export type SpecVersion = (typeof CYCLONEDX_SPEC_VERSIONS)[number];

export interface SbomOptions {
  format: SbomFormat;
  specVersion: SpecVersion;
  /** Runtime mount point prefixed to layer paths in occurrences. */
  mount?: string;
  /** Set `metadata.timestamp` (left out by default so output is reproducible). */
  timestamp?: Date;
}

export { NS };

const SPECS: Record<SpecVersion, typeof CDX.Spec.Spec1dot6> = {
  '1.6': CDX.Spec.Spec1dot6,
  '1.5': CDX.Spec.Spec1dot5,
};

/** What the library does not model (evidence.occurrences, compositions), added after normalisation. */
export interface BomExtras {
  occurrences: Map<string, string[]>;
  composition: { aggregate: 'complete' | 'incomplete'; assemblies: string[] };
}

/**
 * Serialize an inventory as a CycloneDX SBOM. Pure: same inventory and options,
 * byte-identical output.
 */
export function serializeSbom(inv: Inventory, options: SbomOptions): string {
  const { bom, extras } = buildBom(inv, options);
  return serializeBomModel(bom, extras, options);
}

/**
 * Serialize a Bom model plus its extras (shared by the layer and the function views). Values
 * are kept exactly; the bidi, zero-width and C1 characters a layer's names can hold are written
 * as escapes of the format (`\u202e`, `&#x202e;`), as the SPDX and verdict JSON do, so the
 * SBOM printed or shown in a diff reads as its bytes.
 */
export function serializeBomModel(
  bom: CDX.T.Models.Bom,
  extras: BomExtras,
  options: Pick<SbomOptions, 'format' | 'specVersion'>
): string {
  const spec = SPECS[options.specVersion];
  if (options.format === 'cyclonedx-json') {
    const s = new LaminaJsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(spec), extras);
    return (
      escapeJsonText(inFixedCollation(() => s.serialize(bom, { sortLists: true, space: 2 }))) + '\n'
    );
  }
  const { XML } = CDX.serializeWithXml();
  const s = new (laminaXmlSerializer())(new XML.Normalize.Factory(spec), extras);
  return (
    escapeXmlText(inFixedCollation(() => s.serialize(bom, { sortLists: true, space: 2 }))) + '\n'
  );
}

/** The one collation the SBOM's lists are sorted in, whatever the machine's locale (made when first used). */
let sbomCollator: Intl.Collator | undefined;

/**
 * Run `serialize` (synchronous) with `localeCompare` calls that name no locale sorting as
 * an `en` collator does. The CycloneDX library sorts every list it writes (`sortLists`)
 * with `a.localeCompare(b)`, in the process's default locale, which ICU takes from LC_ALL or
 * LANG: under lt_LT a package "yy" sorts before "jj", under da_DK "aa" after "z", so one layer
 * gave other SBOM bytes on another machine (a scan's shards, a CI runner, a developer). Only
 * calls without a locale or options change, and only while `serialize` runs.
 */
function inFixedCollation<T>(serialize: () => T): T {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its receiver below
  const own = String.prototype.localeCompare;
  const collator = (sbomCollator ??= new Intl.Collator('en'));
  // Replaced for this synchronous call only, then restored.
  String.prototype.localeCompare = function (
    this: string,
    that: string,
    locales?: string | string[],
    options?: Intl.CollatorOptions
  ): number {
    return locales === undefined && options === undefined
      ? collator.compare(this, that)
      : own.call(this, that, locales, options);
  };
  try {
    return serialize();
  } finally {
    String.prototype.localeCompare = own;
  }
}

/** Build the library's Bom model plus the parts it cannot model. */
export function buildBom(
  inv: Inventory,
  options: SbomOptions
): { bom: CDX.T.Models.Bom; extras: BomExtras } {
  const mount = (options.mount ?? '/opt').replace(/\/+$/, '');
  const bom = newBom(
    serialNumber(
      `${options.specVersion}\0${inv.artifact.kind}\0${inv.artifact.sha256}\0${inv.artifact.name}`
    ),
    options.timestamp
  );
  const layer = layerComponent(inv);
  bom.metadata.component = layer;
  const occurrences = new Map<string, string[]>();
  addPackageComponents(bom, inv.packages, layer, occurrences, { mount });

  const extras: BomExtras = {
    occurrences,
    composition: {
      aggregate: isInventoryComplete(inv) ? 'complete' : 'incomplete',
      assemblies: [layer.bomRef.value ?? 'layer'],
    },
  };
  return { bom, extras };
}

/** An empty Bom with its serial number, optional timestamp and lamina as the tool. */
export function newBom(serial: string, timestamp?: Date): CDX.T.Models.Bom {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = serial;
  if (timestamp) bom.metadata.timestamp = timestamp;
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'lamina', {
      version: LAMINA_VERSION,
      bomRef: 'tool:lamina',
    })
  );
  return bom;
}

/**
 * Add one component per package group to `bom`, with their dependency edges;
 * `parent` depends on every component nothing else pulls in, so the graph
 * reaches all. `refPrefix` keeps bom-refs apart when several layers share a BOM.
 */
export function addPackageComponents(
  bom: CDX.T.Models.Bom,
  packages: readonly Package[],
  parent: CDX.T.Models.Component,
  occurrences: Map<string, string[]>,
  opts: { mount: string; refPrefix?: string }
): void {
  const { mount } = opts;
  const groups = groupComponents(packages).map((g) => ({
    ...g,
    bomRef: `${opts.refPrefix ?? ''}${g.bomRef}`,
  }));
  const byRef = new Map<string, CDX.T.Models.Component>();
  for (const g of groups) {
    const c = toComponent(g);
    byRef.set(g.bomRef, c);
    occurrences.set(
      g.bomRef,
      g.paths.map((p) => `${mount}/${p}`)
    );
    bom.components.add(c);
  }
  // Edges: package ids → bom-refs through the grouping.
  const refOfId = new Map<string, string>();
  for (const g of groups) for (const p of g.packages) refOfId.set(p.id, g.bomRef);
  const hasIncoming = new Set<string>();
  for (const g of groups) {
    const c = byRef.get(g.bomRef);
    if (!c) continue;
    for (const p of g.packages) {
      for (const dep of p.dependsOn) {
        const ref = refOfId.get(dep);
        const target = ref === undefined ? undefined : byRef.get(ref);
        if (!target || ref === g.bomRef) continue;
        c.dependencies.add(target.bomRef);
        hasIncoming.add(ref!);
      }
    }
  }
  for (const g of groups) {
    const c = byRef.get(g.bomRef);
    if (c && !hasIncoming.has(g.bomRef)) parent.dependencies.add(c.bomRef);
  }
}

/** The component describing a layer artifact (metadata.component of a layer SBOM). */
export function layerComponent(inv: Inventory, bomRef = 'layer'): CDX.T.Models.Component {
  const a = inv.artifact;
  const c = new CDX.Models.Component(CDX.Enums.ComponentType.File, a.name, { bomRef });
  const props = c.properties;
  props.add(new CDX.Models.Property(`${NS}:input-kind`, a.kind));
  props.add(new CDX.Models.Property(`${NS}:size`, String(a.size)));
  if (a.kind === 'zip') {
    c.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], a.sha256);
    // Lambda reports CodeSha256 as base64 of the same digest.
    props.add(
      new CDX.Models.Property(
        `${NS}:lambda:code-sha256`,
        Buffer.from(a.sha256, 'hex').toString('base64')
      )
    );
  } else {
    props.add(new CDX.Models.Property(`${NS}:tree-sha256`, a.sha256));
  }
  for (const [k, v] of Object.entries(a.properties))
    props.add(new CDX.Models.Property(`${NS}:${k}`, v));
  props.add(
    new CDX.Models.Property(`${NS}:inventory`, isInventoryComplete(inv) ? 'complete' : 'incomplete')
  );
  for (const f of inv.findings) props.add(findingProperty(f));
  return c;
}

/** A finding as a `lamina:finding` property: `CODE path: message`. */
export function findingProperty(f: Finding): CDX.T.Models.Property {
  return new CDX.Models.Property(
    `${NS}:finding`,
    `${f.code}${f.path ? ` ${f.path}` : ''}: ${f.message}`
  );
}

function toComponent(g: ComponentGroup): CDX.T.Models.Component {
  const p = g.packages[0]!;
  const type =
    p.type === 'application'
      ? CDX.Enums.ComponentType.Application
      : p.type === 'file'
        ? CDX.Enums.ComponentType.File
        : p.type === 'framework'
          ? CDX.Enums.ComponentType.Framework
          : CDX.Enums.ComponentType.Library;
  const c = new CDX.Models.Component(type, p.name, {
    bomRef: g.bomRef,
    group: p.namespace,
    version: p.version,
    description: p.description,
    author: p.author,
  });
  if (p.purl) c.purl = p.purl;
  for (const [alg, value] of Object.entries(g.hashes)) {
    const cdxAlg = CDX.Enums.HashAlgorithm[alg as keyof typeof CDX.Enums.HashAlgorithm];
    if (cdxAlg && value) c.hashes.set(cdxAlg, value);
  }
  for (const l of toLicenses(p.licenses)) c.licenses.add(l);
  if (p.homepage && /^https?:\/\//.test(p.homepage)) {
    c.externalReferences.add(
      new CDX.Models.ExternalReference(p.homepage, CDX.Enums.ExternalReferenceType.Website)
    );
  }
  const props = c.properties;
  const foundBy = [...new Set(g.packages.map((x) => x.foundBy))].sort();
  for (const f of foundBy) props.add(new CDX.Models.Property(`${NS}:cataloger`, f));
  for (const x of g.packages) {
    for (const [k, v] of Object.entries(x.properties))
      props.add(new CDX.Models.Property(`${NS}:${k}`, v));
    for (const f of x.findings) props.add(findingProperty(f));
  }
  return c;
}

/**
 * CycloneDX allows either one expression or a list of licenses, not both. A
 * single expression stays an expression; otherwise ids that SPDX knows become
 * SPDX licenses and everything else a named license, so nothing is dropped.
 */
function toLicenses(licenses: License[]): CDX.T.Models.License[] {
  const uniq = new Map<string, License>();
  for (const l of licenses) {
    const key = l.$case === 'expression' ? l.expression : l.$case === 'id' ? l.id : l.name;
    if (key.trim() !== '' && !uniq.has(key)) uniq.set(key, l);
  }
  const list = [...uniq.values()];
  const only = list.length === 1 ? list[0] : undefined;
  if (only?.$case === 'expression') {
    const e = only.expression;
    if (CDX.SPDX.isSupportedSpdxId(e)) return [new CDX.Models.SpdxLicense(e)];
    if (isSpdxExpression(e)) return [new CDX.Models.LicenseExpression(e)];
    return [new CDX.Models.NamedLicense(e)];
  }
  return list.map((l) => {
    const text = l.$case === 'expression' ? l.expression : l.$case === 'id' ? l.id : l.name;
    return l.$case !== 'name' && CDX.SPDX.isSupportedSpdxId(text)
      ? new CDX.Models.SpdxLicense(text)
      : new CDX.Models.NamedLicense(text);
  });
}

/** A urn:uuid derived from the content (`key`), so the same input gives the same serial number. */
export function serialNumber(key: string): string {
  const h = createHash('sha256').update(`lamina ${LAMINA_VERSION}\0${key}`).digest('hex');
  // Shape it as a version-5-style UUID (name-based) so validators accept it.
  const v = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
  return `urn:uuid:${v}`;
}

type JsonObject = Record<string, unknown>;

class LaminaJsonSerializer extends CDX.Serialize.JsonSerializer {
  readonly #extras: BomExtras;
  constructor(f: CDX.T.Serialize.JSON.Normalize.Factory, extras: BomExtras) {
    super(f);
    this.#extras = extras;
  }
  protected override _serialize(
    bom: CDX.T.Serialize.JSON.Types.Normalized.Bom,
    options?: CDX.T.Serialize.Types.SerializerOptions
  ): string {
    const obj = bom as unknown as JsonObject;
    for (const c of (obj['components'] ?? []) as JsonObject[]) {
      const occ = this.#extras.occurrences.get(String(c['bom-ref']));
      if (occ && occ.length > 0) {
        const evidence = (c['evidence'] ?? {}) as JsonObject;
        evidence['occurrences'] = occ.map((location) => ({ location }));
        c['evidence'] = evidence;
      }
    }
    obj['compositions'] = [this.#extras.composition];
    return super._serialize(bom, options);
  }
}

type XmlElement = CDX.T.Serialize.XML.Types.SimpleXml.Element;

function el(name: string, children: XmlElement['children']): XmlElement {
  return { type: 'element', name, children };
}

/** Insert `child` into `parent.children` before the first element named in `before`. */
function insertBefore(parent: XmlElement, child: XmlElement, before: readonly string[]): void {
  const kids = (Array.isArray(parent.children) ? parent.children : []) as (
    XmlElement | { type: string }
  )[];
  const i = kids.findIndex((k) => k.type === 'element' && before.includes((k as XmlElement).name));
  if (i < 0) kids.push(child);
  else kids.splice(i, 0, child);
  parent.children = kids as XmlElement['children'];
}

// Element order of the CycloneDX XSD (component and bom sequences) after which our additions go.
const AFTER_EVIDENCE = ['releaseNotes', 'modelCard', 'data', 'cryptoProperties', 'signature'];
const AFTER_COMPOSITIONS = [
  'properties',
  'vulnerabilities',
  'annotations',
  'formulation',
  'declarations',
  'definitions',
  'signature',
];

type LaminaXmlSerializer = new (
  f: CDX.T.Serialize.XML.Normalize.Factory,
  extras: BomExtras
) => CDX.T.Serialize.XmlSerializer;

/** lamina's XML serializer class, made on first use: its base class loads xmlbuilder2. */
let xmlSerializer: LaminaXmlSerializer | undefined;
function laminaXmlSerializer(): LaminaXmlSerializer {
  return (xmlSerializer ??= makeLaminaXmlSerializer(CDX.serializeWithXml().XmlSerializer));
}

function makeLaminaXmlSerializer(
  XmlSerializer: typeof CDX.T.Serialize.XmlSerializer
): LaminaXmlSerializer {
  return class LaminaXmlSerializer extends XmlSerializer {
    constructor(
      f: CDX.T.Serialize.XML.Normalize.Factory,
      private readonly extras: BomExtras
    ) {
      super(f);
    }
    protected override _serialize(
      root: XmlElement,
      options?: CDX.T.Serialize.Types.SerializerOptions
    ): string {
      const kids = (Array.isArray(root.children) ? root.children : []) as XmlElement[];
      const components = kids.find((k) => k.type === 'element' && k.name === 'components');
      for (const c of (Array.isArray(components?.children)
        ? components.children
        : []) as XmlElement[]) {
        if (c.type !== 'element' || c.name !== 'component') continue;
        const ref = String(c.attributes?.['bom-ref'] ?? '');
        const occ = this.extras.occurrences.get(ref);
        if (!occ || occ.length === 0) continue;
        const occurrences = el(
          'occurrences',
          occ.map((location) => el('occurrence', [el('location', location)]))
        );
        insertBefore(c, el('evidence', [occurrences]), AFTER_EVIDENCE);
      }
      const comp = this.extras.composition;
      const composition = el('composition', [
        el('aggregate', comp.aggregate),
        el(
          'assemblies',
          comp.assemblies.map((ref) => ({ type: 'element', name: 'assembly', attributes: { ref } }))
        ),
      ]);
      insertBefore(root, el('compositions', [composition]), AFTER_COMPOSITIONS);
      // Names and values come from the layer: keep the document well-formed whatever they hold.
      sanitizeXmlTree(root);
      return super._serialize(root, options);
    }
  };
}
