/**
 * Package deny rules over the layer's inventory. Both the rule's purl and each package's purl
 * are canonicalised by the same builders the SBOM uses (src/inventory/purl.ts), so a rule
 * matches however either side spells the name; versions are compared in the ecosystem's own
 * order (src/verify/versions), and a version that order cannot place matches (fail closed).
 */
import type { PackageURL as PackageUrlClass } from 'packageurl-js';
import { requireCjs } from '../../util/cjs.js';
import {
  cargoPurl,
  gemPurl,
  golangPurl,
  mavenPurl,
  npmPurl,
  nugetPurl,
  pypiPurl,
} from '../../inventory/purl.js';
import type { Inventory } from '../../model/inventory.js';
import { requiredAs } from '../../model/package.js';
import type { PackageDeny } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';
import { parseVersionRange, schemeOfPurlType, type VersionRange } from '../../versions/index.js';
import { noInventory } from './guard.js';

const { PackageURL } = requireCjs('packageurl-js') as { PackageURL: typeof PackageUrlClass };

/** A purl reduced to what identifies the package, plus its qualifiers and subpath. */
export interface PurlKey {
  type: string;
  /** Canonical `pkg:type/namespace/name` without version, qualifiers or subpath. */
  base: string;
  qualifiers: Record<string, string>;
  subpath?: string;
}

/** Canonical package identity, as the SBOM would write it. @throws Error for a malformed purl */
export function purlKey(purl: string): PurlKey {
  const u = PackageURL.fromString(purl);
  const full = u.namespace ? `${u.namespace}/${u.name}` : u.name;
  let base: string;
  switch (u.type) {
    case 'npm':
      base = npmPurl(full, undefined);
      break;
    case 'pypi':
      base = pypiPurl(u.name, undefined);
      break;
    case 'maven':
      base = mavenPurl(u.namespace ?? '', u.name, undefined);
      break;
    case 'golang':
      base = golangPurl(full, undefined);
      break;
    case 'gem':
      base = gemPurl(u.name, undefined);
      break;
    case 'cargo':
      base = cargoPurl(u.name, undefined);
      break;
    case 'nuget':
      // NuGet package ids are case-insensitive (the registry and the .NET host fold them).
      base = nugetPurl(u.name, undefined).toLowerCase();
      break;
    default:
      base = new PackageURL(
        u.type,
        OS_TYPES.has(u.type) ? undefined : u.namespace,
        u.name,
        undefined,
        undefined,
        undefined
      ).toString();
  }
  const qualifiers = { ...(u.qualifiers ?? {}) };
  if (OS_TYPES.has(u.type)) delete qualifiers['distro'];
  return {
    type: u.type,
    base,
    qualifiers,
    ...(u.subpath ? { subpath: u.subpath } : {}),
  };
}

/**
 * OS package types whose vendor (the namespace, `debian` in `pkg:deb/debian/curl`) and `distro`
 * qualifier come from the image's `/etc/os-release`: a file whoever built the image writes, which
 * neither the package manager nor the loader reads. A deny rule matches the package whatever
 * vendor the image claims, or none (a Debian image saying `ID=ubuntu` keeps its denied packages).
 */
const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

/** A compiled deny rule. */
export interface CompiledDeny {
  rule: PackageDeny;
  key: PurlKey;
  range?: VersionRange;
}

/** Compile a deny rule. @throws Error for a bad purl, a purl with a version, or a bad range */
export function compileDeny(d: PackageDeny): CompiledDeny {
  const key = purlKey(d.purl);
  if (PackageURL.fromString(d.purl).version)
    throw new Error(`${d.purl}: give the version range in \`versions\`, not in the purl`);
  const range =
    d.versions !== undefined
      ? parseVersionRange(schemeOfPurlType(key.type), d.versions)
      : undefined;
  return { rule: d, key, ...(range ? { range } : {}) };
}

/** True when the package key is the rule's package (qualifiers and subpath only if the rule names them). */
function sameFor(rule: PurlKey, pkg: PurlKey): boolean {
  if (rule.base !== pkg.base) return false;
  for (const [k, v] of Object.entries(rule.qualifiers)) if (pkg.qualifiers[k] !== v) return false;
  return rule.subpath === undefined || rule.subpath === pkg.subpath;
}

/**
 * Whether a package (purl, version) matches a compiled deny rule, as the packages check decides
 * it: same package, and a version inside the range or one the range cannot place (fail closed).
 */
export function matchesDeny(
  rule: CompiledDeny,
  purl: string,
  version: string | undefined,
  requiredAs: readonly string[] = []
): boolean {
  if (!identities(purl, version, requiredAs).some((id) => sameFor(rule.key, id.key))) return false;
  return !rule.range || version === undefined || rule.range.test(version) !== 'out';
}

interface Hit {
  /** The package as the rule matched it: its purl, or the name `require` finds it by. */
  purl: string;
  /** Its own purl, when the rule matched it by another name. */
  declared?: string;
  path?: string;
  rule: string;
  reason?: string;
  /** Set when the version could not be placed in the range: matched to fail closed. */
  unparsedVersion?: string;
  /** The version order the range uses (with unparsedVersion). */
  order?: string;
}

/** A purl a package is known by, parsed. */
interface Identity {
  purl: string;
  key: PurlKey;
}

/**
 * Every identity a deny rule may name a package by: its own purl, and for an npm package each
 * name `require` reaches it by (`npm:required-as`), with its version: a denied package renamed
 * in its package.json is still loaded as `require('<denied name>')`.
 */
function identities(
  own: string,
  version: string | undefined,
  requiredAs: readonly string[]
): Identity[] {
  return [
    { purl: own, key: keyOf(own) },
    ...requiredAs.map((name) => {
      const purl = npmPurl(name, version);
      return { purl, key: keyOf(purl) };
    }),
  ];
}

function keyOf(purl: string): PurlKey {
  try {
    return purlKey(purl);
  } catch {
    // Our own purls always parse; one that does not cannot be told apart: compare as text.
    return { type: '', base: purl, qualifiers: {} };
  }
}

/** Fail when any package matches a deny rule. */
export function evaluatePackages(
  deny: readonly PackageDeny[],
  inventory: Inventory | undefined
): RawCheck {
  if (!inventory) return noInventory('packages', 'package');
  const base = { id: 'packages', kind: 'packages' as const };
  const rules = deny.map(compileDeny);
  const hits: Hit[] = [];
  for (const p of inventory.packages) {
    if (!p.purl) continue;
    for (const r of rules) {
      const as = identities(p.purl, p.version, requiredAs(p)).find((id) => sameFor(r.key, id.key));
      if (!as) continue;
      let unparsed: string | undefined;
      if (r.range) {
        const at = p.version === undefined ? 'unparseable' : r.range.test(p.version);
        if (at === 'out') continue;
        if (at === 'unparseable') unparsed = p.version ?? '(none)';
      }
      hits.push({
        purl: as.purl,
        ...(as.purl !== p.purl ? { declared: p.purl } : {}),
        ...(p.locations[0] ? { path: p.locations[0].path } : {}),
        rule: `${r.rule.purl}${r.rule.versions ? ` ${r.rule.versions}` : ''}`,
        ...(r.rule.reason !== undefined ? { reason: r.rule.reason } : {}),
        ...(unparsed !== undefined
          ? { unparsedVersion: unparsed, order: r.range?.orderName ?? '' }
          : {}),
      });
    }
  }
  if (hits.length > 0) {
    const describe = (h: Hit): string =>
      `${h.purl}${h.declared !== undefined ? ` (installed under that name; its package.json says ${h.declared})` : ''} (${h.rule}${h.unparsedVersion !== undefined ? `; version ${JSON.stringify(h.unparsedVersion)} is not a ${h.order ?? ''} version, so it is taken as inside the range` : ''})`;
    return {
      ...base,
      status: 'fail',
      detail: `Denied package(s): ${hits.map(describe).join(', ')}.`,
      evidence: { denied: hits },
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `None of ${inventory.packages.length} package(s) matches the ${deny.length} deny rule(s).`,
    evidence: { packages: inventory.packages.length },
  };
}
