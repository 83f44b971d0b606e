/**
 * SPDX 2.3 JSON rendering of an inventory, from the same component grouping as the CycloneDX
 * SBOM. Spec: https://spdx.github.io/spdx-spec/v2.3/ ; official schema (used by the tests): testdata/schemas/spdx-2.3/.
 *
 * What goes where:
 * - the layer is a package (`primaryPackagePurpose` ARCHIVE, `filesAnalyzed` true: its entries
 *   were read) that the document DESCRIBES and that CONTAINS every package and file;
 * - each component group (see group.ts) with a purl is a package (`filesAnalyzed` false, as
 *   only its metadata was read) with the purl as a PACKAGE-MANAGER external reference;
 * - each executable or library no package owns (`file` component) is a file with its SHA1 and
 *   SHA256 checksums (SPDX 2.3 §8.4 requires exactly one SHA1);
 * - `dependsOn` edges are DEPENDS_ON relationships;
 * - licenses are one SPDX expression (several stated licenses joined with AND); a license
 *   that is not an SPDX expression is a `LicenseRef-` with an `hasExtractedLicensingInfos`
 *   entry; nothing stated is NOASSERTION;
 * - findings are annotations on the element they are about.
 *
 * Deterministic: the same inventory and options give the same bytes. `created` defaults to the
 * Unix epoch (see {@link SpdxOptions.created}); the document namespace is derived from the
 * document's own content.
 */
import { createHash } from 'node:crypto';
import type ParseSpdx from 'spdx-expression-parse';
import { requireCjs } from '../util/cjs.js';
import { inventoryGaps, isInventoryComplete } from '../inventory/completeness.js';
import type { Finding } from '../model/finding.js';
import type { Inventory } from '../model/inventory.js';
import type { HashAlgorithm, License, Package } from '../model/package.js';
import { escapeJsonText } from '../util/escape.js';
import { comparePaths } from '../unpack/paths.js';
import { LAMINA_VERSION } from '../version.js';
import { groupComponents, type ComponentGroup } from './group.js';

const parseSpdx = requireCjs('spdx-expression-parse') as typeof ParseSpdx;

/** The SPDX version lamina writes. */
export const SPDX_VERSION = 'SPDX-2.3';

/**
 * `creationInfo.created` when none is given. SPDX requires a creation time; a wall-clock
 * value would make every run's output differ, so lamina writes the Unix epoch unless asked
 * (as reproducible builds do without SOURCE_DATE_EPOCH).
 */
export const SPDX_DEFAULT_CREATED = '1970-01-01T00:00:00Z';

/** Options for {@link serializeSpdx}. */
export interface SpdxOptions {
  /** Runtime mount point prefixed to layer paths in `sourceInfo` (default `/opt`). */
  mount?: string;
  /** `creationInfo.created` (and annotation dates); default {@link SPDX_DEFAULT_CREATED}. */
  created?: Date;
}

/** A checksum as SPDX names the algorithm. */
export interface SpdxChecksum {
  algorithm: 'MD5' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
  checksumValue: string;
}

export interface SpdxAnnotation {
  annotationDate: string;
  annotationType: 'OTHER' | 'REVIEW';
  annotator: string;
  comment: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  primaryPackagePurpose?: string;
  checksums?: SpdxChecksum[];
  homepage?: string;
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  description?: string;
  comment?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  annotations?: SpdxAnnotation[];
}

export interface SpdxFile {
  SPDXID: string;
  fileName: string;
  fileTypes?: string[];
  checksums: SpdxChecksum[];
  licenseConcluded: string;
  copyrightText: string;
  comment?: string;
  annotations?: SpdxAnnotation[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS' | 'DEPENDS_ON';
  relatedSpdxElement: string;
}

export interface SpdxExtractedLicense {
  licenseId: string;
  extractedText: string;
  name: string;
  comment: string;
}

export interface SpdxDocument {
  spdxVersion: typeof SPDX_VERSION;
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  comment?: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  files: SpdxFile[];
  hasExtractedLicensingInfos: SpdxExtractedLicense[];
  relationships: SpdxRelationship[];
}

const NOASSERTION = 'NOASSERTION';
const DOCUMENT_ID = 'SPDXRef-DOCUMENT';
const TOOL = `Tool: lamina-${LAMINA_VERSION}`;

const CHECKSUM: Record<HashAlgorithm, SpdxChecksum['algorithm']> = {
  MD5: 'MD5',
  'SHA-1': 'SHA1',
  'SHA-256': 'SHA256',
  'SHA-384': 'SHA384',
  'SHA-512': 'SHA512',
};

const PURPOSE: Record<Package['type'], string> = {
  library: 'LIBRARY',
  application: 'APPLICATION',
  framework: 'FRAMEWORK',
  file: 'FILE',
};

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** SPDX date-time: UTC, seconds precision (`YYYY-MM-DDThh:mm:ssZ`). */
export function spdxDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Characters SPDX allows in an id string after `SPDXRef-` / `LicenseRef-`. */
function slug(text: string, max = 48): string {
  return text
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, max)
    .replace(/[-.]+$/, '');
}

/**
 * Collects the elements of one document and hands out SPDX ids that are unique and safe for any
 * name: `SPDXRef-<Kind>-<readable part>-<digest of the key>`, the digest lengthened on the
 * (unlikely) clash.
 */
export class SpdxBuilder {
  readonly packages: SpdxPackage[] = [];
  readonly files: SpdxFile[] = [];
  readonly relationships: SpdxRelationship[] = [];
  readonly #ids = new Set<string>([DOCUMENT_ID]);
  readonly #licenses = new Map<string, SpdxExtractedLicense>();
  readonly created: string;

  constructor(created: Date | undefined) {
    this.created = created ? spdxDate(created) : SPDX_DEFAULT_CREATED;
  }

  /** A new, unique SPDX id for an element of `kind` identified by `key`. */
  id(kind: string, key: string): string {
    const h = sha256Hex(`${kind}\0${key}`);
    const readable = slug(key);
    for (let n = 12; n <= h.length; n += 8) {
      const id = `SPDXRef-${kind}-${readable ? `${readable}-` : ''}${h.slice(0, n)}`;
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
    // 64 hex digits of sha256 clashing means the same (kind, key) twice: number it.
    for (let i = 2; ; i++) {
      const id = `SPDXRef-${kind}-${h}-${i}`;
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  relate(from: string, type: SpdxRelationship['relationshipType'], to: string): void {
    this.relationships.push({
      spdxElementId: from,
      relationshipType: type,
      relatedSpdxElement: to,
    });
  }

  annotation(comment: string): SpdxAnnotation {
    return { annotationDate: this.created, annotationType: 'OTHER', annotator: TOOL, comment };
  }

  /**
   * The licenses a package states, as one SPDX expression (`licenseDeclared`); NOASSERTION when
   * none. Text that is not an SPDX expression becomes a `LicenseRef-` declared in
   * `hasExtractedLicensingInfos`.
   */
  licenseExpression(licenses: readonly License[]): string {
    const stated = new Map<string, boolean>();
    for (const l of licenses) {
      const text = (
        l.$case === 'expression' ? l.expression : l.$case === 'id' ? l.id : l.name
      ).trim();
      // A name is never read as an expression, even if it happens to parse as one.
      if (text !== '') stated.set(text, (stated.get(text) ?? false) || l.$case === 'name');
    }
    const parts = [...stated].map(([text, isName]): ParseSpdx.Info => {
      const ast = isName ? undefined : parseExpression(text);
      if (ast) {
        for (const ref of licenseRefs(ast)) this.#declare(ref, ref.slice('LicenseRef-'.length));
        return ast;
      }
      return { license: this.#refForName(text) };
    });
    if (parts.length === 0) return NOASSERTION;
    const [first, ...rest] = parts;
    const joined = rest.reduce<ParseSpdx.Info>(
      (left, right) => ({ left, conjunction: 'and', right }),
      first!
    );
    return renderExpression(joined);
  }

  /** The extracted licensing infos, sorted by id. */
  extractedLicenses(): SpdxExtractedLicense[] {
    return [...this.#licenses.values()].sort((a, b) => comparePaths(a.licenseId, b.licenseId));
  }

  #refForName(name: string): string {
    const h = sha256Hex(name);
    const readable = slug(name, 40) || 'unnamed';
    const free = (id: string): boolean => {
      const have = this.#licenses.get(id);
      return !have || have.name === name;
    };
    let n = 8;
    let id = `LicenseRef-${readable}-${h.slice(0, n)}`;
    while (!free(id) && n < h.length) id = `LicenseRef-${readable}-${h.slice(0, (n += 8))}`;
    // Only an id an expression already took with other text can still clash: number it.
    for (let i = 2; !free(id); i++) id = `LicenseRef-${h}-${i}`;
    this.#declare(id, name);
    return id;
  }

  #declare(licenseId: string, name: string): void {
    if (this.#licenses.has(licenseId)) return;
    this.#licenses.set(licenseId, {
      licenseId,
      extractedText: name,
      name,
      comment: 'The license as the package metadata names it; its text was not read by lamina.',
    });
  }

  /** The document around the collected elements, with its content-derived namespace. */
  document(name: string, comment: string): SpdxDocument {
    const relationships = [...this.relationships].sort(
      (a, b) =>
        Number(b.relationshipType === 'DESCRIBES') - Number(a.relationshipType === 'DESCRIBES') ||
        comparePaths(a.spdxElementId, b.spdxElementId) ||
        comparePaths(a.relationshipType, b.relationshipType) ||
        comparePaths(a.relatedSpdxElement, b.relatedSpdxElement)
    );
    const body = {
      name,
      comment,
      creationInfo: { created: this.created, creators: [TOOL] },
      packages: this.packages,
      files: [...this.files].sort((a, b) => comparePaths(a.fileName, b.fileName)),
      hasExtractedLicensingInfos: this.extractedLicenses(),
      relationships,
    };
    const h = sha256Hex(`${SPDX_VERSION}\0${JSON.stringify(body)}`);
    // Shaped as a name-based UUID: a URI unique to this exact content (SPDX 2.3 §6.5).
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
    return {
      spdxVersion: SPDX_VERSION,
      dataLicense: 'CC0-1.0',
      SPDXID: DOCUMENT_ID,
      name: body.name,
      documentNamespace: `https://spdx.org/spdxdocs/lamina-${LAMINA_VERSION}/${slug(name, 64) || 'sbom'}-${uuid}`,
      comment: body.comment,
      creationInfo: body.creationInfo,
      packages: body.packages,
      files: body.files,
      hasExtractedLicensingInfos: body.hasExtractedLicensingInfos,
      relationships: body.relationships,
    };
  }
}

/** Parse an SPDX expression; undefined when it is not one lamina can write on its own. */
function parseExpression(text: string): ParseSpdx.Info | undefined {
  let ast: ParseSpdx.Info;
  try {
    ast = parseSpdx(text);
  } catch {
    return undefined;
  }
  // A DocumentRef needs an externalDocumentRefs entry lamina cannot fill: treat as a name.
  const leaves = (n: ParseSpdx.Info): ParseSpdx.LicenseInfo[] =>
    'conjunction' in n ? [...leaves(n.left), ...leaves(n.right)] : [n];
  return leaves(ast).some((l) => l.license.startsWith('DocumentRef-')) ? undefined : ast;
}

function licenseRefs(n: ParseSpdx.Info): string[] {
  if ('conjunction' in n) return [...licenseRefs(n.left), ...licenseRefs(n.right)];
  return n.license.startsWith('LicenseRef-') ? [n.license] : [];
}

/** Write an expression back out: single spaces, upper-case operators, compound parts in parentheses. */
function renderExpression(n: ParseSpdx.Info): string {
  if (!('conjunction' in n))
    return `${n.license}${n.plus ? '+' : ''}${n.exception ? ` WITH ${n.exception}` : ''}`;
  const side = (c: ParseSpdx.Info): string =>
    'conjunction' in c && c.conjunction !== n.conjunction
      ? `(${renderExpression(c)})`
      : renderExpression(c);
  return `${side(n.left)} ${n.conjunction.toUpperCase()} ${side(n.right)}`;
}

/** The name users know a package by: npm scope and Go module path included. */
function packageName(p: Package): string {
  return p.namespace !== undefined && (p.ecosystem === 'npm' || p.ecosystem === 'golang')
    ? `${p.namespace}/${p.name}`
    : p.name;
}

/** A finding as an annotation comment: `lamina:finding SEVERITY CODE path: message`. */
export function findingText(f: Finding): string {
  return `lamina:finding ${f.severity} ${f.code}${f.path !== undefined ? ` ${f.path}` : ''}: ${f.message}`;
}

/** `lamina:key=value` lines (an element's comment), or undefined when there are none. */
export function propertiesComment(entries: [string, string][]): string | undefined {
  // One line per entry: a line break in an untrusted value (an image's entry point, a package
  // field) must not forge a `lamina:` line of its own.
  const line = (v: string): string => v.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return entries.length > 0
    ? entries.map(([k, v]) => `lamina:${line(k)}=${line(v)}`).join('\n')
    : undefined;
}

function checksums(hashes: ComponentGroup['hashes']): SpdxChecksum[] {
  return (Object.entries(hashes) as [HashAlgorithm, string | undefined][])
    .filter((e): e is [HashAlgorithm, string] => e[1] !== undefined && /^[0-9a-f]+$/i.test(e[1]))
    .map(([a, v]) => ({ algorithm: CHECKSUM[a], checksumValue: v.toLowerCase() }))
    .sort((a, b) => comparePaths(a.algorithm, b.algorithm));
}

/** Options for {@link addInventory}. */
export interface AddInventoryOptions {
  mount: string;
  /** Prefix of element keys, keeping ids apart when several layers share a document. */
  keyPrefix?: string;
  /** Extra `lamina:` facts for the layer package's comment. */
  layerFacts?: [string, string][];
}

/**
 * Add a layer (as a package) and its packages and files to `b`; returns the layer's SPDX id.
 * `packages` defaults to the inventory's (the function view passes its merged copies).
 */
export function addInventory(
  b: SpdxBuilder,
  inv: Inventory,
  opts: AddInventoryOptions,
  packages: readonly Package[] = inv.packages
): string {
  const a = inv.artifact;
  const prefix = opts.keyPrefix ?? '';
  const layerId = b.id('Layer', `${prefix}${a.name}`);
  const complete = isInventoryComplete(inv);
  const facts: [string, string][] = [
    ['input-kind', a.kind],
    ['size', String(a.size)],
    a.kind === 'zip'
      ? ['lambda:code-sha256', Buffer.from(a.sha256, 'hex').toString('base64')]
      : ['tree-sha256', a.sha256],
    ...Object.entries(a.properties).sort(([x], [y]) => comparePaths(x, y)),
    ['inventory', complete ? 'complete' : 'incomplete'],
    ...(opts.layerFacts ?? []),
  ];
  const layer: SpdxPackage = {
    SPDXID: layerId,
    name: a.name,
    downloadLocation: NOASSERTION,
    // Every entry of the layer was read (that is what the inventory is), so it may contain files.
    filesAnalyzed: true,
    primaryPackagePurpose: a.kind === 'zip' ? 'ARCHIVE' : 'OTHER',
    ...(a.kind === 'zip' && /^[0-9a-f]{64}$/.test(a.sha256)
      ? { checksums: [{ algorithm: 'SHA256' as const, checksumValue: a.sha256 }] }
      : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    comment: propertiesComment(facts)!,
    ...(inv.findings.length > 0
      ? { annotations: inv.findings.map((f) => b.annotation(findingText(f))) }
      : {}),
  };
  b.packages.push(layer);
  addPackages(b, layerId, packages, { mount: opts.mount, keyPrefix: prefix });
  return layerId;
}

/** Options for {@link addPackages}. */
export interface AddPackagesOptions {
  /** Prefixed to each path in `sourceInfo`: the layer's mount point, `''` for an image root. */
  mount: string;
  /** Prefix of element keys, keeping ids apart when several package sets share a document. */
  keyPrefix?: string;
}

/**
 * Add packages (grouped as the CycloneDX components are) and unowned files to `b`, each
 * CONTAINED by `parentId` (a package that read its files: `filesAnalyzed` true), with
 * DEPENDS_ON edges between them.
 */
export function addPackages(
  b: SpdxBuilder,
  parentId: string,
  packages: readonly Package[],
  opts: AddPackagesOptions
): void {
  const prefix = opts.keyPrefix ?? '';
  const groups = groupComponents(packages);
  const idOfGroup = new Map<ComponentGroup, string>();
  for (const g of groups) {
    const p = g.packages[0]!;
    const sums = checksums(g.hashes);
    const asFile = p.type === 'file' && sums.some((c) => c.algorithm === 'SHA1');
    const id = b.id(asFile ? 'File' : 'Package', `${prefix}${g.bomRef}`);
    idOfGroup.set(g, id);
    b.relate(parentId, 'CONTAINS', id);
    const props: [string, string][] = [
      ...[...new Set(g.packages.map((x) => x.foundBy))]
        .sort()
        .map((f): [string, string] => ['cataloger', f]),
      ...g.packages.flatMap((x) => Object.entries(x.properties)),
    ];
    const findings = g.packages.flatMap((x) => x.findings);
    const annotations =
      findings.length > 0 ? { annotations: findings.map((f) => b.annotation(findingText(f))) } : {};
    const comment = propertiesComment(props);
    if (asFile) {
      // A file's name is its path relative to the package (layer) root (SPDX 2.3 §8.1).
      const format = p.properties['binary:format'];
      b.files.push({
        SPDXID: id,
        fileName: `./${g.paths[0] ?? p.name}`,
        fileTypes: [format === 'elf' ? 'BINARY' : format === 'script' ? 'SOURCE' : 'OTHER'],
        checksums: sums,
        licenseConcluded: NOASSERTION,
        copyrightText: NOASSERTION,
        ...(comment !== undefined ? { comment } : {}),
        ...annotations,
      });
      continue;
    }
    b.packages.push({
      SPDXID: id,
      name: packageName(p),
      ...(p.version !== undefined ? { versionInfo: p.version } : {}),
      downloadLocation: NOASSERTION,
      // Only the package's metadata was read, not an analysis of its files.
      filesAnalyzed: false,
      primaryPackagePurpose: PURPOSE[p.type],
      ...(sums.length > 0 ? { checksums: sums } : {}),
      ...(p.homepage && /^https?:\/\/[^\s]+$/.test(p.homepage) ? { homepage: p.homepage } : {}),
      sourceInfo: `found by lamina at ${g.paths.map((x) => `${opts.mount}/${x}`).join(', ')}`,
      licenseConcluded: NOASSERTION,
      licenseDeclared: b.licenseExpression(p.licenses),
      copyrightText: NOASSERTION,
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(comment !== undefined ? { comment } : {}),
      ...(p.purl
        ? {
            externalRefs: [
              {
                referenceCategory: 'PACKAGE-MANAGER',
                referenceType: 'purl',
                referenceLocator: p.purl,
              },
            ],
          }
        : {}),
      ...annotations,
    });
  }

  // Edges: package ids → elements through the grouping.
  const byPackageId = new Map<string, string>();
  for (const g of groups) for (const p of g.packages) byPackageId.set(p.id, idOfGroup.get(g)!);
  const seen = new Set<string>();
  for (const g of groups) {
    const from = idOfGroup.get(g)!;
    for (const p of g.packages) {
      for (const dep of p.dependsOn) {
        const to = byPackageId.get(dep);
        const key = `${from}\0${to}`;
        if (to === undefined || to === from || seen.has(key)) continue;
        seen.add(key);
        b.relate(from, 'DEPENDS_ON', to);
      }
    }
  }
}

/** Serialize a finished document: pretty JSON, terminal-unsafe characters escaped, newline-terminated. */
export function renderSpdxDocument(doc: SpdxDocument): string {
  return escapeJsonText(JSON.stringify(doc, null, 2)) + '\n';
}

/**
 * Serialize an inventory as an SPDX 2.3 JSON document. Pure: the same inventory and options
 * give byte-identical output.
 */
export function serializeSpdx(inv: Inventory, options: SpdxOptions = {}): string {
  return renderSpdxDocument(buildSpdx(inv, options));
}

/** The SPDX document for an inventory (see {@link serializeSpdx}). */
export function buildSpdx(inv: Inventory, options: SpdxOptions = {}): SpdxDocument {
  const b = new SpdxBuilder(options.created);
  const mount = (options.mount ?? '/opt').replace(/\/+$/, '');
  const layer = addInventory(b, inv, { mount });
  b.relate(DOCUMENT_ID, 'DESCRIBES', layer);
  return b.document(inv.artifact.name, completenessComment(inv));
}

/** One sentence on whether the inventory saw everything, naming the kinds of gap when not. */
export function completenessComment(inv: Inventory): string {
  const codes = [...new Set(inventoryGaps(inv).map((g) => g.code))].sort();
  return codes.length === 0
    ? `lamina inventory of ${inv.artifact.name}: complete.`
    : `lamina inventory of ${inv.artifact.name}: incomplete (${codes.join(', ')}).`;
}

export { DOCUMENT_ID as SPDX_DOCUMENT_ID, NOASSERTION as SPDX_NOASSERTION };
