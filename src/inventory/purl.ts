/**
 * Canonical package URLs, built by lamina's own encoder: the purl specification's rules for
 * each component (https://github.com/package-url/purl-spec/blob/main/PURL-SPECIFICATION.rst)
 * and the per-type normalisation of the types lamina writes
 * (https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst). The strings are those
 * packageurl-js 2 builds for the same components, byte for byte (purl.test.ts holds this
 * against packageurl-js for generated hostile components); loading packageurl-js and the ICU
 * collator it creates as it loads cost ~30 ms of every `lamina sbom`. Parsing purls from
 * untrusted input (policy rules) stays with packageurl-js (verify/checks/packages.ts).
 */

/** PEP 503 name normalisation: runs of `-`, `_`, `.` become `-`, lowercased. */
export function pep503(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Lone UTF-16 surrogates (JSON `\\ud800` escapes) become U+FFFD: percent-encoding needs well-formed text. */
export function wellFormed(s: string): string {
  return s.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd'
  );
}

// semver.org's suggested expression: a golang version starting with `v` must be one after it.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** A qualifier key: ASCII letters, digits, `.`, `-`, `_`, not starting with a digit (or empty). */
const QUALIFIER_KEY = /^(?:[A-Za-z._-][0-9A-Za-z._-]*)?$/;
/** Types whose namespace and name are case-insensitive (lowercased); rpm: the namespace only. */
const LOWER_NAME = new Set(['npm', 'pypi', 'deb', 'apk']);
const LOWER_NAMESPACE = new Set(['npm', 'pypi', 'deb', 'apk', 'rpm']);

/** Qualifiers as `key=value&…`, sorted by key, form-encoded with spaces as `%20`. */
function encodeQualifiers(q: Map<string, string>): string {
  const params = new URLSearchParams();
  for (const key of [...q.keys()].sort()) params.set(key, q.get(key)!);
  return params.toString().replace(/\+/g, '%20');
}

/**
 * The canonical purl of well-formed components, or undefined where the specification refuses
 * them: an empty name, a maven purl without a namespace, a golang `v` version that is not
 * semver, a qualifier key outside its alphabet.
 */
function canonical(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string> | undefined
): string | undefined {
  // Leading, trailing and repeated `/` in the namespace carry no meaning; name and version are
  // trimmed; qualifiers with an empty value are no qualifiers, their keys are lowercase.
  let ns = namespace
    ? namespace
        .split('/')
        .filter((s) => s !== '')
        .join('/')
    : namespace;
  let n = name.trim();
  const v = version ? version.trim() : version;
  let q: Map<string, string> | undefined;
  for (const [key, value] of Object.entries(qualifiers ?? {})) {
    const trimmed = String(value).trim();
    if (trimmed !== '') (q ??= new Map()).set(key.toLowerCase(), trimmed);
  }
  if (n === '') return undefined;
  for (const key of q?.keys() ?? []) if (!QUALIFIER_KEY.test(key)) return undefined;
  if (LOWER_NAMESPACE.has(type) && ns !== undefined) ns = ns.toLowerCase();
  if (LOWER_NAME.has(type)) n = n.toLowerCase();
  if (type === 'pypi') n = n.replaceAll('_', '-');
  if (type === 'maven' && !ns) return undefined;
  if (type === 'golang' && v?.startsWith('v') && !SEMVER.test(v.slice(1))) return undefined;
  let out = `pkg:${type}/`;
  if (ns) out += `${encodeURIComponent(ns).replace(/%3A/g, ':').replace(/%2F/g, '/')}/`;
  out += encodeURIComponent(n);
  if (v) out += `@${encodeURIComponent(v).replace(/%3A/g, ':').replace(/%2B/g, '+')}`;
  if (q) out += `?${encodeQualifiers(q)}`;
  return out;
}

/**
 * The purl of a package's components, as the per-type builders below give it: well-formed text
 * (see {@link wellFormed}), normalised and percent-encoded by the specification's rules; what
 * the rules refuse is percent-encoded component by component instead.
 */
export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  const ns = namespace === undefined ? undefined : wellFormed(namespace);
  const n = wellFormed(name);
  const v = version === undefined ? undefined : wellFormed(version);
  // What a hostile name makes the specification refuse (an empty name) still gets a purl,
  // percent-encoded component by component, so the package is never dropped.
  const enc = (c: string): string => encodeURIComponent(c);
  return (
    canonical(type, ns, n, v, qualifiers) ??
    `pkg:${type}/${[...(ns ? ns.split('/').map(enc) : []), enc(n) || '%00'].join('/')}${
      v !== undefined && v !== '' ? `@${enc(v)}` : ''
    }`
  );
}

/** `pkg:npm/%40scope/name@v`; npm names are lowercase by registry rule. */
export function npmPurl(fullName: string, version: string | undefined): string {
  const m = /^(@[^/]+)\/(.+)$/.exec(fullName);
  const scope = m?.[1];
  const name = m?.[2] ?? fullName;
  return purl('npm', scope?.toLowerCase(), name.toLowerCase(), version);
}

export function pypiPurl(name: string, version: string | undefined): string {
  return purl('pypi', undefined, pep503(name), version);
}

export function mavenPurl(
  groupId: string,
  artifactId: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  return purl('maven', groupId, artifactId, version, qualifiers);
}

export function gemPurl(name: string, version: string | undefined, platform?: string): string {
  return purl(
    'gem',
    undefined,
    name,
    version,
    platform && platform !== 'ruby' ? { platform } : undefined
  );
}

/** Go module path split into namespace and name at the last '/'; lowercased per spec. */
export function golangPurl(modulePath: string, version: string | undefined): string {
  const lower = modulePath.toLowerCase();
  const i = lower.lastIndexOf('/');
  return purl(
    'golang',
    i > 0 ? lower.slice(0, i) : undefined,
    i > 0 ? lower.slice(i + 1) : lower,
    version
  );
}

export function cargoPurl(name: string, version: string | undefined): string {
  return purl('cargo', undefined, name, version);
}

export function nugetPurl(name: string, version: string | undefined): string {
  return purl('nuget', undefined, name, version);
}

export function genericPurl(
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  return purl('generic', undefined, name, version, qualifiers);
}

/** Qualifiers shared by OS package purls; empty values are left out. */
export interface OsPurlQualifiers {
  arch?: string;
  /** `<os-release ID>-<VERSION_ID>`, e.g. `debian-12`, `amzn-2023`. */
  distro?: string;
  /** rpm only: the epoch, when the package has one. */
  epoch?: string;
  /** The source package (`name` or `name@version`, rpm: the source rpm file name). */
  upstream?: string;
}

function osQualifiers(q: OsPurlQualifiers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['arch', 'distro', 'epoch', 'upstream'] as const) {
    const v = q[k];
    if (v) out[k] = v;
  }
  return out;
}

/**
 * `pkg:deb/<vendor>/<name>@<version>`: name and vendor lowercased, the
 * version with its epoch (`1:2.4.47-2`), as the purl deb type defines.
 * The vendor is left out when the OS is unknown rather than guessed.
 */
export function debPurl(
  vendor: string | undefined,
  name: string,
  version: string | undefined,
  q: OsPurlQualifiers
): string {
  return purl('deb', vendor?.toLowerCase(), name.toLowerCase(), version, osQualifiers(q));
}

/** `pkg:apk/<vendor>/<name>@<version>`: name and vendor lowercased. */
export function apkPurl(
  vendor: string | undefined,
  name: string,
  version: string | undefined,
  q: OsPurlQualifiers
): string {
  return purl('apk', vendor?.toLowerCase(), name.toLowerCase(), version, osQualifiers(q));
}

/** `pkg:rpm/<vendor>/<name>@<version>-<release>?epoch=…`: the name keeps its case. */
export function rpmPurl(
  vendor: string | undefined,
  name: string,
  versionRelease: string | undefined,
  q: OsPurlQualifiers
): string {
  return purl('rpm', vendor?.toLowerCase(), name, versionRelease, osQualifiers(q));
}
