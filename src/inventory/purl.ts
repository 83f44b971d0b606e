import { PackageURL } from 'packageurl-js';

/**
 * Canonical package URLs. packageurl-js encodes; these helpers apply the
 * per-type normalisation rules it leaves out.
 * https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst
 */

/** PEP 503 name normalisation: runs of `-`, `_`, `.` become `-`, lowercased. */
export function pep503(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function build(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: Record<string, string>
): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  return new PackageURL(type, namespace, name, version, q, undefined).toString();
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
