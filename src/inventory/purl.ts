import type { PackageURL as PackageUrlClass } from 'packageurl-js';
import { requireCjs } from '../util/cjs.js';

const { PackageURL } = requireCjs('packageurl-js') as { PackageURL: typeof PackageUrlClass };

/**
 * Canonical package URLs. packageurl-js encodes; these helpers apply the
 * per-type normalisation rules it leaves out.
 * https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst
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

function build(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  const ns = namespace === undefined ? undefined : wellFormed(namespace);
  const n = wellFormed(name);
  const v = version === undefined ? undefined : wellFormed(version);
  try {
    return new PackageURL(type, ns, n, v, q, undefined).toString();
  } catch {
    // What a hostile name makes packageurl-js refuse (an empty name, `..` in a Go path) still
    // gets a purl, percent-encoded component by component, so the package is never dropped.
    const enc = (c: string): string => encodeURIComponent(c);
    const path = [...(ns ? ns.split('/').map(enc) : []), enc(n) || '%00'].join('/');
    return `pkg:${type}/${path}${v !== undefined && v !== '' ? `@${enc(v)}` : ''}`;
  }
}

/** `pkg:npm/%40scope/name@v`; npm names are lowercase by registry rule. */
export function npmPurl(fullName: string, version: string | undefined): string {
  const m = /^(@[^/]+)\/(.+)$/.exec(fullName);
  const scope = m?.[1];
  const name = m?.[2] ?? fullName;
  return build('npm', scope?.toLowerCase(), name.toLowerCase(), version);
}

export function pypiPurl(name: string, version: string | undefined): string {
  return build('pypi', undefined, pep503(name), version);
}

export function mavenPurl(
  groupId: string,
  artifactId: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  return build('maven', groupId, artifactId, version, qualifiers);
}

export function gemPurl(name: string, version: string | undefined, platform?: string): string {
  return build(
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
  return build(
    'golang',
    i > 0 ? lower.slice(0, i) : undefined,
    i > 0 ? lower.slice(i + 1) : lower,
    version
  );
}

export function cargoPurl(name: string, version: string | undefined): string {
  return build('cargo', undefined, name, version);
}

export function nugetPurl(name: string, version: string | undefined): string {
  return build('nuget', undefined, name, version);
}

export function genericPurl(
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  return build('generic', undefined, name, version, qualifiers);
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
  return build('deb', vendor?.toLowerCase(), name.toLowerCase(), version, osQualifiers(q));
}

/** `pkg:apk/<vendor>/<name>@<version>`: name and vendor lowercased. */
export function apkPurl(
  vendor: string | undefined,
  name: string,
  version: string | undefined,
  q: OsPurlQualifiers
): string {
  return build('apk', vendor?.toLowerCase(), name.toLowerCase(), version, osQualifiers(q));
}

/** `pkg:rpm/<vendor>/<name>@<version>-<release>?epoch=…`: the name keeps its case. */
export function rpmPurl(
  vendor: string | undefined,
  name: string,
  versionRelease: string | undefined,
  q: OsPurlQualifiers
): string {
  return build('rpm', vendor?.toLowerCase(), name, versionRelease, osQualifiers(q));
}
