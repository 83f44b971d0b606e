/**
 * Test-only checks of an SPDX 2.3 JSON document: the official JSON schema (copied under
 * testdata/schemas/spdx-2.3) with ajv, and the rules of the specification the schema cannot
 * express, each written as one check. Not built into the package.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { PackageURL } from 'packageurl-js';
import parseSpdx from 'spdx-expression-parse';

const SCHEMA = new URL('../../../testdata/schemas/spdx-2.3/spdx-schema.json', import.meta.url);

let validate: ReturnType<Ajv['compile']> | undefined;

/** Errors of the official SPDX 2.3 JSON schema (draft-07), empty when valid. */
export function spdxSchemaErrors(doc: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

type Json = Record<string, unknown>;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const HEX_LENGTH: Record<string, number> = {
  MD5: 32,
  SHA1: 40,
  SHA224: 56,
  SHA256: 64,
  SHA384: 96,
  SHA512: 128,
};

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function licenseIdsOf(expr: string): string[] | undefined {
  if (expr === 'NOASSERTION' || expr === 'NONE') return [];
  try {
    const ids: string[] = [];
    const walk = (n: parseSpdx.Info): void => {
      if ('conjunction' in n) {
        walk(n.left);
        walk(n.right);
      } else ids.push(n.license);
    };
    walk(parseSpdx(expr));
    return ids;
  } catch {
    return undefined;
  }
}

/**
 * Rules of SPDX 2.3 (https://spdx.github.io/spdx-spec/v2.3/) beyond the schema, as messages;
 * empty when every rule holds.
 */
export function spdxRuleViolations(doc: Json): string[] {
  const out: string[] = [];
  const fail = (m: string): void => void out.push(m);

  // §6.1–6.4: fixed document fields.
  if (doc['spdxVersion'] !== 'SPDX-2.3') fail('spdxVersion is not SPDX-2.3');
  if (doc['dataLicense'] !== 'CC0-1.0') fail('dataLicense is not CC0-1.0');
  if (doc['SPDXID'] !== 'SPDXRef-DOCUMENT') fail('document SPDXID is not SPDXRef-DOCUMENT');
  if (!str(doc['name'])) fail('document name is empty');

  // §6.5: the namespace is an absolute URI without a fragment.
  const ns = str(doc['documentNamespace']);
  try {
    const u = new URL(ns);
    if (!/^[a-z][a-z0-9+.-]*:$/.test(u.protocol)) fail(`documentNamespace ${ns}: no scheme`);
  } catch {
    fail(`documentNamespace ${ns} is not an absolute URI`);
  }
  if (ns.includes('#')) fail('documentNamespace contains #');

  // §6.8, §6.9: creators and created.
  const ci = (doc['creationInfo'] ?? {}) as Json;
  if (!DATE.test(str(ci['created'])))
    fail(`created ${str(ci['created'])} is not YYYY-MM-DDThh:mm:ssZ`);
  const creators = Array.isArray(ci['creators']) ? (ci['creators'] as unknown[]) : [];
  if (creators.length === 0) fail('no creators');
  for (const c of creators)
    if (!/^(Person|Organization|Tool): \S/.test(str(c))) fail(`creator ${str(c)} is malformed`);

  const packages = arr(doc['packages']);
  const files = arr(doc['files']);
  const elements = [...packages, ...files];

  // §6.3 / §7.2 / §8.2: SPDX ids are `SPDXRef-` + letters, digits, `.` and `-`, unique.
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const e of elements) {
    const id = str(e['SPDXID']);
    if (!/^SPDXRef-[A-Za-z0-9.-]+$/.test(id)) fail(`bad SPDX id ${JSON.stringify(id)}`);
    if (ids.has(id)) fail(`duplicate SPDX id ${id}`);
    ids.add(id);
  }

  // §11: relationships join existing elements; the document describes something.
  const rels = arr(doc['relationships']);
  for (const r of rels) {
    for (const end of [str(r['spdxElementId']), str(r['relatedSpdxElement'])])
      if (!ids.has(end)) fail(`relationship names unknown element ${end}`);
  }
  const described = rels.filter(
    (r) => r['spdxElementId'] === 'SPDXRef-DOCUMENT' && r['relationshipType'] === 'DESCRIBES'
  );
  if (described.length === 0) fail('the document DESCRIBES nothing');
  // Every element is reachable from what the document describes (nothing dangling).
  const reach = new Set(described.map((r) => str(r['relatedSpdxElement'])));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rels) {
      const from = str(r['spdxElementId']);
      const to = str(r['relatedSpdxElement']);
      if (reach.has(from) && !reach.has(to)) {
        reach.add(to);
        grew = true;
      }
    }
  }
  for (const e of elements)
    if (!reach.has(str(e['SPDXID']))) fail(`${str(e['SPDXID'])} is not reachable`);

  // §7.8, §7.9: a package with filesAnalyzed false contains no element and has no verification code.
  for (const p of packages) {
    if (p['filesAnalyzed'] !== false) continue;
    const id = str(p['SPDXID']);
    if (p['packageVerificationCode'] !== undefined)
      fail(`${id}: packageVerificationCode with filesAnalyzed false`);
    for (const r of rels) {
      const contains = r['relationshipType'] === 'CONTAINS' && r['spdxElementId'] === id;
      const containedBy =
        r['relationshipType'] === 'CONTAINED_BY' && r['relatedSpdxElement'] === id;
      if (contains || containedBy) fail(`${id}: contains an element but filesAnalyzed is false`);
    }
  }

  // §7.10, §8.4: checksums are lower-case hex of the algorithm's length; a file has one SHA1.
  for (const e of elements) {
    const sums = arr(e['checksums']);
    for (const c of sums) {
      const len = HEX_LENGTH[str(c['algorithm'])];
      const v = str(c['checksumValue']);
      if (len !== undefined && !new RegExp(`^[0-9a-f]{${len}}$`).test(v))
        fail(`${str(e['SPDXID'])}: ${str(c['algorithm'])} checksum ${v} is malformed`);
    }
    if (e['fileName'] !== undefined && sums.filter((c) => c['algorithm'] === 'SHA1').length !== 1)
      fail(`${str(e['SPDXID'])}: a file needs exactly one SHA1 checksum`);
  }

  // §8.1: file names are relative to the package root, starting with `./`.
  for (const f of files)
    if (!str(f['fileName']).startsWith('./')) fail(`file name ${str(f['fileName'])} lacks ./`);

  // §7.7: download location is a URL, NONE or NOASSERTION.
  for (const p of packages) {
    const d = str(p['downloadLocation']);
    if (d !== 'NOASSERTION' && d !== 'NONE' && !/^[a-z+]+:\/\//.test(d))
      fail(`${str(p['SPDXID'])}: downloadLocation ${d}`);
  }

  // §7.13, §7.15, §10.1: license fields are expressions; every LicenseRef is declared.
  const declared = new Set(arr(doc['hasExtractedLicensingInfos']).map((l) => str(l['licenseId'])));
  for (const id of declared)
    if (!/^LicenseRef-[A-Za-z0-9.-]+$/.test(id)) fail(`bad LicenseRef ${JSON.stringify(id)}`);
  const used = new Set<string>();
  for (const e of elements) {
    for (const field of ['licenseConcluded', 'licenseDeclared']) {
      if (e[field] === undefined) continue;
      const ids = licenseIdsOf(str(e[field]));
      if (!ids) fail(`${str(e['SPDXID'])}: ${field} ${str(e[field])} is not an SPDX expression`);
      for (const id of ids ?? []) {
        if (id.startsWith('DocumentRef-')) fail(`${str(e['SPDXID'])}: DocumentRef without a ref`);
        if (id.startsWith('LicenseRef-')) {
          used.add(id);
          if (!declared.has(id)) fail(`${str(e['SPDXID'])}: ${id} is not declared`);
        }
      }
    }
  }
  for (const id of declared) if (!used.has(id)) fail(`${id} is declared but never used`);

  // §7.21, Annex F: a purl external reference is a PACKAGE-MANAGER purl that parses.
  for (const p of packages) {
    for (const r of arr(p['externalRefs'])) {
      if (r['referenceType'] !== 'purl') continue;
      if (r['referenceCategory'] !== 'PACKAGE-MANAGER')
        fail(`${str(p['SPDXID'])}: purl outside PACKAGE-MANAGER`);
      try {
        PackageURL.fromString(str(r['referenceLocator']));
      } catch {
        fail(`${str(p['SPDXID'])}: purl ${str(r['referenceLocator'])} does not parse`);
      }
      if (/\s/.test(str(r['referenceLocator']))) fail(`${str(p['SPDXID'])}: purl has whitespace`);
    }
  }

  // §12: annotations carry a well-formed date and an annotator.
  for (const e of elements)
    for (const a of arr(e['annotations'])) {
      if (!DATE.test(str(a['annotationDate']))) fail(`${str(e['SPDXID'])}: annotation date`);
      if (!/^(Person|Organization|Tool): \S/.test(str(a['annotator'])))
        fail(`${str(e['SPDXID'])}: annotator`);
    }
  return out;
}
