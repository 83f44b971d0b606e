/**
 * Read a CycloneDX JSON SBOM back into an Inventory, so two SBOMs (or an SBOM and a layer) can be
 * compared like two inventories. Lossless for what the comparison needs (purl, name, version,
 * hashes, evidence paths, component type, lamina properties, completeness); lossy for the rest
 * (`owns`, per-package findings). SBOMs from other tools read too, but without lamina's
 * `compositions` they count as incomplete: nothing says they saw every executable.
 * https://cyclonedx.org/docs/1.6/json/
 */
import type { Artifact, Inventory } from '../model/inventory.js';
import type { Ecosystem, HashAlgorithm, License, Package } from '../model/package.js';
import { NS } from './namespace.js';

import { SbomReadError } from './errors.js';

export { SbomReadError, type SbomReadErrorCode } from './errors.js';

export interface ReadSbomOptions {
  /** Display name for errors (the file name). */
  name?: string;
  /** Most components read, nested ones included (default 500,000). */
  maxComponents?: number;
  /** Deepest nesting of `components` followed (default 16). */
  maxDepth?: number;
}

const ECOSYSTEMS: Record<string, Ecosystem> = {
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  gem: 'gem',
  golang: 'golang',
  cargo: 'cargo',
  nuget: 'nuget',
};
const HASHES = new Set<string>(['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);
const TYPES = new Set(['library', 'application', 'file', 'framework']);
/** lamina properties that describe the component itself rather than being package properties. */
const RESERVED = new Set([
  'cataloger',
  'finding',
  'inventory',
  'input-kind',
  'size',
  'tree-sha256',
]);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Parse a CycloneDX JSON SBOM into an Inventory. @throws SbomReadError */
export function inventoryFromCycloneDx(text: string, options: ReadSbomOptions = {}): Inventory {
  const name = options.name ?? 'SBOM';
  const maxComponents = options.maxComponents ?? 500_000;
  const maxDepth = options.maxDepth ?? 16;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SbomReadError({
      code: 'NOT_JSON',
      message: `${name} is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  if (!isObj(doc) || doc['bomFormat'] !== 'CycloneDX' || typeof doc['specVersion'] !== 'string')
    throw new SbomReadError({
      code: 'NOT_CYCLONEDX',
      message: `${name} is not a CycloneDX JSON document (no bomFormat "CycloneDX" and specVersion)`,
    });

  const metadata = isObj(doc['metadata']) ? doc['metadata'] : {};
  const root = isObj(metadata['component']) ? metadata['component'] : undefined;
  const rootProps = lamina(root);

  // Flatten components (nested ones too), bounded in count and depth.
  const flat: Json[] = [];
  const walk = (list: unknown, depth: number): void => {
    for (const c of arr(list)) {
      if (!isObj(c)) continue;
      if (flat.length >= maxComponents)
        throw new SbomReadError({
          code: 'TOO_MANY_COMPONENTS',
          message: `${name} has more than ${maxComponents} components`,
        });
      flat.push(c);
      if (depth < maxDepth) walk(c['components'], depth + 1);
    }
  };
  walk(doc['components'], 1);

  const idOf = new Map<string, string>();
  const packages: Package[] = flat.map((c, i) => {
    const ref = str(c['bom-ref']);
    const id = ref ?? `component:${i}`;
    if (ref !== undefined) idOf.set(ref, id);
    return toPackage(c, id);
  });
  // Edges from the dependency graph, for the components read (the root's own edges are not packages').
  // Sets, not Array.includes: an SBOM may list a million edges for one component.
  const edges = new Map(packages.map((p) => [p.id, new Set<string>()]));
  for (const d of arr(doc['dependencies'])) {
    if (!isObj(d)) continue;
    const from = edges.get(str(d['ref']) ?? '');
    if (!from) continue;
    for (const t of arr(d['dependsOn'])) {
      const to = idOf.get(str(t) ?? '');
      if (to !== undefined) from.add(to);
    }
  }
  for (const p of packages) p.dependsOn = [...edges.get(p.id)!];

  const aggregate = arr(doc['compositions'])
    .filter(isObj)
    .map((c) => str(c['aggregate']));
  const complete =
    rootProps.get('inventory')?.[0] === 'complete' ||
    (aggregate.length > 0 && aggregate.every((a) => a === 'complete'));

  const sha256 = rootProps.get('tree-sha256')?.[0] ?? hashesOf(root)['SHA-256'] ?? '';
  const artifactProps: Record<string, string> = {};
  for (const [k, vs] of rootProps)
    if (!RESERVED.has(k) && vs[0] !== undefined) artifactProps[k] = vs[0];
  const size = Number(rootProps.get('size')?.[0]);
  const artifact: Artifact = {
    name: str(root?.['name']) ?? name,
    kind: rootProps.get('input-kind')?.[0] === 'directory' ? 'directory' : 'zip',
    sha256: sha256.toLowerCase(),
    size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
    properties: artifactProps,
  };
  return { artifact, packages, findings: [], complete };
}

/** `lamina:` properties of a component, by key without the prefix (a key may repeat). */
function lamina(c: Json | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of arr(c?.['properties'])) {
    if (!isObj(p)) continue;
    const n = str(p['name']);
    const v = str(p['value']);
    if (n === undefined || v === undefined || !n.startsWith(`${NS}:`)) continue;
    const k = n.slice(NS.length + 1);
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function hashesOf(c: Json | undefined): Partial<Record<HashAlgorithm, string>> {
  const out: Partial<Record<HashAlgorithm, string>> = {};
  for (const h of arr(c?.['hashes'])) {
    if (!isObj(h)) continue;
    const alg = str(h['alg']);
    const content = str(h['content']);
    if (alg && content && HASHES.has(alg)) out[alg as HashAlgorithm] ??= content.toLowerCase();
  }
  return out;
}

function licensesOf(c: Json): License[] {
  const out: License[] = [];
  for (const l of arr(c['licenses'])) {
    if (!isObj(l)) continue;
    const expression = str(l['expression']);
    if (expression !== undefined) {
      out.push({ $case: 'expression', expression });
      continue;
    }
    const lic = isObj(l['license']) ? l['license'] : {};
    const id = str(lic['id']);
    const n = str(lic['name']);
    if (id !== undefined) out.push({ $case: 'id', id });
    else if (n !== undefined) out.push({ $case: 'name', name: n });
  }
  return out;
}

/** `/opt/nodejs/x` → `nodejs/x`: lamina writes occurrences under the runtime mount point. */
function layerPath(location: string): string {
  return location.replace(/^\/opt\//, '').replace(/^\/+/, '');
}

function toPackage(c: Json, id: string): Package {
  const props = lamina(c);
  const purl = str(c['purl']);
  const type = str(c['type']) ?? 'library';
  const evidence = isObj(c['evidence']) ? c['evidence'] : {};
  const paths = arr(evidence['occurrences'])
    .filter(isObj)
    .map((o) => str(o['location']))
    .filter((l): l is string => l !== undefined)
    .map(layerPath);
  const properties: Record<string, string> = {};
  for (const [k, vs] of props) if (!RESERVED.has(k) && vs[0] !== undefined) properties[k] = vs[0];
  const purlType = purl
    ? /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\//.exec(purl)?.[1]?.toLowerCase()
    : undefined;
  const version = str(c['version']);
  const namespace = str(c['group']);
  const description = str(c['description']);
  const author = str(c['author']);
  return {
    id,
    ecosystem: (purlType && ECOSYSTEMS[purlType]) || 'generic',
    name: str(c['name']) ?? '',
    ...(namespace !== undefined ? { namespace } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(purl !== undefined ? { purl } : {}),
    type: TYPES.has(type) ? (type as Package['type']) : 'library',
    licenses: licensesOf(c),
    hashes: hashesOf(c),
    locations: paths.map((path) => ({ path })),
    foundBy: props.get('cataloger')?.[0] ?? 'sbom',
    dependsOn: [],
    owns: [],
    properties,
    findings: [],
    ...(description !== undefined ? { description } : {}),
    ...(author !== undefined ? { author } : {}),
  };
}
