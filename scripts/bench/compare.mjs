// Package identities from any CycloneDX JSON SBOM, reduced to canonical keys
// so two tools' outputs can be compared on what they found, not how they
// spelled it: PEP 503 names for PyPI (https://peps.python.org/pep-0503/#normalized-names) and
// purl qualifiers that do not change a package's identity dropped
// (https://github.com/package-url/purl-spec).
import { PackageURL } from 'packageurl-js';

/** Qualifiers that change a package's identity; everything else (type=jar, file_path, …) is dropped. */
const KEPT_QUALIFIERS = {
  maven: ['classifier', 'type'],
  gem: ['platform'],
  deb: ['arch', 'epoch'],
  rpm: ['arch', 'epoch'],
};

/** PEP 503 name normalization: https://peps.python.org/pep-0503/#normalized-names */
export const pep503 = (name) => name.replace(/[-_.]+/g, '-').toLowerCase();

/**
 * Canonical key `type/namespace/name@version[?qualifiers]` for a purl, or
 * undefined when it does not parse.
 */
export function canonicalKey(purl) {
  let p;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const type = p.type.toLowerCase();
  let ns = p.namespace ?? '';
  let name = p.name;
  if (type === 'pypi') name = pep503(name);
  if (type === 'npm') {
    ns = ns.toLowerCase();
    name = name.toLowerCase();
  }
  const quals = [];
  for (const q of KEPT_QUALIFIERS[type] ?? []) {
    const v = p.qualifiers?.[q];
    if (v === undefined || (type === 'maven' && q === 'type' && v === 'jar')) continue;
    quals.push(`${q}=${v}`);
  }
  const base = `${type}/${ns ? ns + '/' : ''}${name}@${p.version ?? ''}`;
  return quals.length ? `${base}?${quals.join('&')}` : base;
}

/** Every component, nested ones included (metadata.component is not visited). */
function* flatten(components) {
  for (const c of components ?? []) {
    yield c;
    yield* flatten(c.components);
  }
}

/**
 * The set of canonical package keys in a CycloneDX JSON BOM. Components of
 * type `file` and components without a parseable purl are not packages.
 * @returns {Set<string>}
 */
export function packageKeys(bom) {
  const keys = new Set();
  for (const c of flatten(bom.components)) {
    if (c.type === 'file' || typeof c.purl !== 'string') continue;
    const k = canonicalKey(c.purl);
    if (k) keys.add(k);
  }
  return keys;
}

/** The ecosystem (purl type) of a canonical key. */
export const ecosystemOf = (key) => key.slice(0, key.indexOf('/'));

/** Count keys per ecosystem, plus `total`. */
export function countByEcosystem(keys) {
  const counts = { total: keys.size };
  for (const k of keys) {
    const e = ecosystemOf(k);
    counts[e] = (counts[e] ?? 0) + 1;
  }
  return counts;
}

/**
 * Recall both ways per ecosystem: what only `a` found, what only `b` found.
 * @returns {Record<string, { both: number, onlyA: string[], onlyB: string[] }>}
 */
export function diffKeys(a, b) {
  const out = {};
  const slot = (e) => (out[e] ??= { both: 0, onlyA: [], onlyB: [] });
  for (const k of a) {
    if (b.has(k)) slot(ecosystemOf(k)).both++;
    else slot(ecosystemOf(k)).onlyA.push(k);
  }
  for (const k of b) if (!a.has(k)) slot(ecosystemOf(k)).onlyB.push(k);
  for (const s of Object.values(out)) {
    s.onlyA.sort();
    s.onlyB.sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : 1)));
}

/**
 * Basenames of the jars a BOM derived at least one maven component from.
 * lamina records `/opt/java/lib/x.jar` (or `x.jar!/nested.jar`) in
 * evidence.occurrences; cdxgen records a SrcFile property pointing at its
 * temporary copy, `jar-deps-XXXX/x.jar`, whose basename is the original's.
 * @returns {Set<string>}
 */
export function jarsIdentified(bom) {
  const jars = new Set();
  const add = (path) => {
    const outer = path.split('!')[0] ?? path;
    if (outer.endsWith('.jar')) jars.add(outer.slice(outer.lastIndexOf('/') + 1));
  };
  for (const c of flatten(bom.components)) {
    if (typeof c.purl !== 'string' || !c.purl.startsWith('pkg:maven/')) continue;
    for (const o of c.evidence?.occurrences ?? [])
      if (typeof o.location === 'string') add(o.location);
    for (const p of c.properties ?? [])
      if (p.name === 'SrcFile' && typeof p.value === 'string') add(p.value);
  }
  return jars;
}

/** Layer-relative path of a location either tool wrote (staging prefix up to `/opt/` dropped). */
const layerPath = (p) => {
  const i = p.lastIndexOf('/opt/');
  return i >= 0 ? p.slice(i + 5) : p;
};

/**
 * Evidence paths per canonical key: lamina's evidence.occurrences, cdxgen's
 * SrcFile properties, each made layer-relative.
 * @returns {Map<string, string[]>}
 */
export function evidenceByKey(bom) {
  const out = new Map();
  for (const c of flatten(bom.components)) {
    if (c.type === 'file' || typeof c.purl !== 'string') continue;
    const k = canonicalKey(c.purl);
    if (!k) continue;
    const paths = out.get(k) ?? [];
    for (const o of c.evidence?.occurrences ?? [])
      if (typeof o.location === 'string') paths.push(layerPath(o.location));
    for (const p of c.properties ?? [])
      if (p.name === 'SrcFile' && typeof p.value === 'string') paths.push(layerPath(p.value));
    out.set(k, paths);
  }
  return out;
}

/** `<any>/node_modules/<name>/package.json` or `<any>/node_modules/@scope/<name>/package.json`. */
const INSTALLED_NPM = /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/;

/**
 * Why one tool reported a key the other did not, judged from its evidence:
 *  - `not-installed`: an npm package.json that is not a node_modules/<name>
 *    directory (test fixtures, benchmarks, vendored copies inside a package);
 *  - `same-jar-other-coordinates`: a maven key derived from a jar for which
 *    the two tools share no key at all (each guessed different coordinates,
 *    as happens for jars without META-INF/maven/**\/pom.properties); a key
 *    whose evidence is a pom.properties nested in the jar is a declared
 *    coordinate, so the other tool missed it;
 *  - `missed`: anything else, a real miss by the other tool.
 * @param {string} key
 * @param {string[]} evidence the reporting tool's evidence paths for `key`
 * @param {Set<string>} disputedJars jar basenames both tools identified without sharing a key
 */
export function classifyMiss(key, evidence, disputedJars) {
  const eco = ecosystemOf(key);
  if (eco === 'npm' && evidence.length > 0 && evidence.every((p) => !INSTALLED_NPM.test(p)))
    return 'not-installed';
  if (eco === 'maven' && evidence.length > 0) {
    const jar = (p) => {
      const outer = p.split('!')[0] ?? p;
      return outer.slice(outer.lastIndexOf('/') + 1);
    };
    const declared = (p) => p.includes('!/META-INF/maven/');
    if (evidence.every((p) => !declared(p) && disputedJars.has(jar(p))))
      return 'same-jar-other-coordinates';
  }
  return 'missed';
}

/** Jar basename of a layer-relative evidence path (`java/lib/x.jar!/…` -> `x.jar`). */
const jarOf = (p) => {
  const outer = p.split('!')[0] ?? p;
  return outer.endsWith('.jar') ? outer.slice(outer.lastIndexOf('/') + 1) : undefined;
};

/** Per jar basename, the maven keys a BOM derived from it. */
function keysByJar(evidence) {
  const out = new Map();
  for (const [k, paths] of evidence) {
    if (ecosystemOf(k) !== 'maven') continue;
    for (const p of paths) {
      const j = jarOf(p);
      if (!j) continue;
      const s = out.get(j) ?? new Set();
      s.add(k);
      out.set(j, s);
    }
  }
  return out;
}

/**
 * Compare two CycloneDX JSON BOMs (a = lamina, b = the peer) on canonical
 * keys: counts, one-sided keys per ecosystem with evidence and a reason
 * (see classifyMiss), jar coverage over `jarsInLayer`, and how many
 * one-sided keys are real misses by each side.
 * @param {unknown} a
 * @param {unknown} b
 * @param {string[]} jarsInLayer jar basenames present in the layer
 * @param {number} [listLimit] one-sided keys listed per ecosystem and side
 */
export function compareBoms(a, b, jarsInLayer, listLimit = 20) {
  const aKeys = packageKeys(a);
  const bKeys = packageKeys(b);
  const aEv = evidenceByKey(a);
  const bEv = evidenceByKey(b);
  const aJarKeys = keysByJar(aEv);
  const bJarKeys = keysByJar(bEv);
  const disputed = new Set(
    [...aJarKeys.keys()].filter((j) => {
      const other = bJarKeys.get(j);
      return other !== undefined && ![...other].some((k) => aJarKeys.get(j)?.has(k));
    })
  );
  const explain = (keys, ev) =>
    keys.map((key) => {
      const paths = ev.get(key) ?? [];
      return { key, reason: classifyMiss(key, paths, disputed), evidence: paths.slice(0, 3) };
    });
  const perEcosystem = {};
  let realMissesByA = 0;
  let realMissesByB = 0;
  for (const [e, d] of Object.entries(diffKeys(aKeys, bKeys))) {
    const onlyA = explain(d.onlyA, aEv);
    const onlyB = explain(d.onlyB, bEv);
    realMissesByA += onlyB.filter((x) => x.reason === 'missed').length;
    realMissesByB += onlyA.filter((x) => x.reason === 'missed').length;
    perEcosystem[e] = {
      both: d.both,
      onlyLamina: onlyA.length,
      onlyCdxgen: onlyB.length,
      onlyLaminaSample: onlyA.slice(0, listLimit),
      onlyCdxgenSample: onlyB.slice(0, listLimit),
    };
  }
  const aJars = jarsIdentified(a);
  const bJars = jarsIdentified(b);
  return {
    packages: { lamina: countByEcosystem(aKeys), cdxgen: countByEcosystem(bKeys) },
    perEcosystem,
    jars: {
      total: jarsInLayer.length,
      identifiedByLamina: jarsInLayer.filter((j) => aJars.has(j)).length,
      identifiedByCdxgen: jarsInLayer.filter((j) => bJars.has(j)).length,
      missedByLamina: jarsInLayer.filter((j) => !aJars.has(j)),
      missedByCdxgen: jarsInLayer.filter((j) => !bJars.has(j)),
      disputed: [...disputed].sort(),
    },
    realMissesByLamina: realMissesByA,
    realMissesByCdxgen: realMissesByB,
  };
}
