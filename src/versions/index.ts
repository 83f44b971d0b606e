/**
 * Version ranges per ecosystem, chosen by a deny rule's purl type. A version the ecosystem
 * cannot parse is reported as such: the package check then treats it as inside the range
 * (fail closed), since its place in the order is unknown.
 */
import { genericOrdering } from './generic.js';
import { mavenOrdering } from './maven.js';
import { nugetOrdering } from './nuget.js';
import { pep440Ordering } from './pep440.js';
import { compileRange, testRange, type Ordering, type RangeResult } from './ranges.js';
import { gemOrdering } from './rubygems.js';
import { cargoOrdering, goOrdering, npmOrdering } from './semver.js';

export type { RangeResult } from './ranges.js';

/** Version schemes lamina orders versions by. */
export type VersionScheme =
  'npm' | 'pypi' | 'maven' | 'gem' | 'nuget' | 'golang' | 'cargo' | 'generic';

const ORDERINGS: Record<VersionScheme, Ordering<unknown>> = {
  npm: npmOrdering as Ordering<unknown>,
  pypi: pep440Ordering as Ordering<unknown>,
  maven: mavenOrdering as Ordering<unknown>,
  gem: gemOrdering as Ordering<unknown>,
  nuget: nugetOrdering as Ordering<unknown>,
  golang: goOrdering as Ordering<unknown>,
  cargo: cargoOrdering as Ordering<unknown>,
  generic: genericOrdering as Ordering<unknown>,
};

/** The scheme for a purl type (`pkg:TYPE/...`); unknown types use the dotted fallback. */
export function schemeOfPurlType(type: string): VersionScheme {
  const t = type.toLowerCase();
  return t in ORDERINGS ? (t as VersionScheme) : 'generic';
}

/** A range compiled for one scheme. */
export interface VersionRange {
  scheme: VersionScheme;
  /** Name of the version order, for messages (e.g. `PEP 440`). */
  orderName: string;
  text: string;
  /** Where `version` lies: in, out, or unparseable for this scheme. */
  test(version: string): RangeResult;
}

/** Compile a range. @throws Error naming the bad part, prefixed with the scheme */
export function parseVersionRange(scheme: VersionScheme, text: string): VersionRange {
  const ordering = ORDERINGS[scheme];
  let compiled;
  try {
    compiled = compileRange(ordering, text);
  } catch (e) {
    throw new Error(`not a ${ordering.name} range: ${(e as Error).message}`);
  }
  return {
    scheme,
    orderName: ordering.name,
    text,
    test: (version) => testRange(ordering, compiled, version),
  };
}

/** Compare two versions of a scheme; undefined when either does not parse. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number | undefined {
  const o = ORDERINGS[scheme];
  const x = o.parse(a);
  const y = o.parse(b);
  return x === undefined || y === undefined ? undefined : o.compare(x, y);
}
