/**
 * Semantic-version ecosystems through npm's `semver`: npm (its whole range syntax), Go modules
 * (`v` prefix, pseudo-versions, `+incompatible`) and Cargo. Prerelease versions are always
 * inside a range their order puts them in (`includePrerelease`), and build metadata
 * (`+incompatible`, `+build`) never changes the order (SemVer 2.0.0 §10).
 */
import type CompareFn from 'semver/functions/compare.js';
import type ParseFn from 'semver/functions/parse.js';
import type RangeClass from 'semver/classes/range.js';
import type SemVer from 'semver/classes/semver.js';
import { requireCjs } from '../util/cjs.js';
import type { Ordering } from './ranges.js';

// semver's own modules by path (its package root loads all 47 of them, ranges included, on
// every start): parse and compare for every version, the range class for a policy's range.
const semver = {
  parse: requireCjs('semver/functions/parse.js') as typeof ParseFn,
  compare: requireCjs('semver/functions/compare.js') as typeof CompareFn,
  get Range(): typeof RangeClass {
    return requireCjs('semver/classes/range.js') as typeof RangeClass;
  },
};

/** npm: a version is what `semver.parse` accepts; a range is any npm range. */
export const npmOrdering: Ordering<SemVer> = {
  name: 'npm semver',
  parse: (text) => semver.parse(text.trim()) ?? undefined,
  compare: (a, b) => semver.compare(a, b),
  native(text) {
    let range: RangeClass;
    try {
      range = new semver.Range(text, { includePrerelease: true });
    } catch (e) {
      throw new Error(`not an npm semver range: ${(e as Error).message}`);
    }
    return [[(v) => range.test(v)]];
  },
};

/**
 * Go modules: `vMAJOR.MINOR.PATCH[-pre][+build]`; `v1` and `v1.2` are shorthands Go's semver
 * package accepts. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`) are prereleases and
 * order by their timestamp; `+incompatible` is build metadata.
 */
export const goOrdering: Ordering<SemVer> = {
  name: 'Go module',
  parse(text) {
    const m = /^v(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(
      text.trim()
    );
    if (!m) return undefined;
    // Go's shorthands only exist without a prerelease or build suffix.
    if ((m[2] === undefined || m[3] === undefined) && m[4] !== '') return undefined;
    return semver.parse(`${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4]}`) ?? undefined;
  },
  compare: (a, b) => semver.compare(a, b),
};

/** Cargo: SemVer 2.0.0; a bare version is refused (Cargo reads it as a caret requirement). */
export const cargoOrdering: Ordering<SemVer> = {
  name: 'Cargo semver',
  parse: (text) => (/^v/i.test(text.trim()) ? undefined : (semver.parse(text.trim()) ?? undefined)),
  compare: (a, b) => semver.compare(a, b),
  bareVersion: 'Cargo reads a bare version as a caret requirement; write =version or >=version',
};
